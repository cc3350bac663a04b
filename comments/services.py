"""Operations that change comments. The form, the API, the admin and tasks all
come through here, so each change is validated, explained and followed up
(events, notifications, what readers see) the same way whichever door it
came in by.

A change that readers can see moves the discussion's content version in the
same transaction (discussion_changed), so the very next read shows it; one
that only moderators see (a reply held, spam removed) moves nothing, so no
public page, ETag or date gives it away.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from articles.services import COMMENTS, article_scope
from plumbing.db import PreparedInsert, after_commit
from plumbing.pagecache import versions

from . import tasks
from .models import BlockedTerm, Comment, ModerationEvent
from .moderation import (
    BLOCKLIST,
    Decision,
    FormEvidence,
    Submission,
    Verdict,
    count_reply,
    moderate,
)
from .sanitize import render_comment

logger = logging.getLogger(__name__)

# Every reply is two inserts; written by the ORM once rather than on each post.
INSERT_COMMENT = PreparedInsert(Comment)
INSERT_EVENT = PreparedInsert(ModerationEvent)

STATUS_FOR_VERDICT = {
    Verdict.APPROVE: Comment.Status.APPROVED,
    Verdict.HOLD: Comment.Status.PENDING,
    Verdict.SPAM: Comment.Status.SPAM,
}


class CommentError(Exception):
    """A reply we cannot take, with a message for the reader and the field at fault."""

    status_code = 400
    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class CommentsClosed(CommentError):
    status_code = 403
    MESSAGE = "Comments are closed for this article."

    def __init__(self):
        super().__init__(self.MESSAGE)


class ParentUnavailable(CommentError):
    field = "parent"

    def __init__(self):
        super().__init__(
            "The comment you are replying to is not available. "
            "You can post your text as a new comment instead."
        )


class CommentRefused(CommentError):
    """A moderation rule refused the reply; nothing was saved."""

    def __init__(self, decision: Decision):
        super().__init__(decision.advice or "We could not accept this reply.")
        self.rule = decision.rule
        # Posting too often is a rate limit, not bad input.
        self.status_code = 429 if decision.rule == "flood" else 400
        self.field = "body" if decision.rule == "duplicate" else None


def find_parent(article: Article, parent_id: int | None) -> Comment | None:
    """The approved comment of `article` to attach a reply to.

    A reply deeper than COMMENTS_MAX_DEPTH is attached to the deepest ancestor
    that still allows it, so it is never lost.
    """
    if parent_id is None:
        return None
    parent = Comment.objects.approved().filter(article=article, pk=parent_id).first()
    if parent is None:
        raise ParentUnavailable()
    while parent is not None and Comment.depth_under(parent) >= settings.COMMENTS_MAX_DEPTH:
        parent = parent.parent
    return parent


def discussion_changed(*articles: Article) -> None:
    """What readers see of these articles' discussions changed in this transaction.

    Under an article readers cannot see, nothing public changed.
    """
    public = [article.slug for article in articles if article.is_public]
    if public:
        versions.bump(COMMENTS, *map(article_scope, public))


def submit_comment(
    *,
    article: Article,
    name: str,
    email: str,
    body: str,
    url: str = "",
    parent_id: int | None = None,
    notify: bool = False,
    ip_address: str | None = None,
    user_agent: str = "",
    form: FormEvidence | None = None,
    earlier_comment_ids: frozenset[int] = frozenset(),
) -> Comment:
    """Take a reader's reply: check, sanitize, moderate and save it.

    Raises a CommentError subclass (nothing saved) when the article is closed,
    the parent is unavailable or a rule refuses the reply. Otherwise the comment
    and the ModerationEvent explaining its status are saved in one transaction;
    notifications follow once it commits. Every reply that gets past the
    article and parent checks counts against its address's flood limit. The
    cheap refusals (closed, parent, then the first rules) run before the reply
    is rendered. Field values must already be validated (ReplyForm or the API
    serializer).
    """
    if not article.accepts_comments():
        raise CommentsClosed()
    parent = find_parent(article, parent_id)
    submission = Submission(
        article=article,
        parent=parent,
        author_name=name,
        author_email=email,
        author_url=url,
        body=body,
        ip_address=ip_address,
        user_agent=user_agent[:500],
        form=form,
        earlier_comment_ids=earlier_comment_ids,
        sent_lately=count_reply(ip_address),
    )
    outcome = moderate(submission)
    if outcome.refusal is not None:
        logger.info(
            "Reply refused",
            extra={"article_id": article.pk, "rule": outcome.refusal.rule},
        )
        raise CommentRefused(outcome.refusal)

    status = STATUS_FOR_VERDICT[outcome.verdict]
    comment = Comment(
        article=article,
        parent=parent,
        depth=Comment.depth_under(parent),
        author_name=name,
        author_email=email,
        author_url=url,
        body=body,
        body_html=submission.body_html,
        status=status,
        moderation_reasons=outcome.reasons,
        ip_address=ip_address,
        user_agent=submission.user_agent,
        notify_on_reply=notify,
        moderated_at=timezone.now() if status != Comment.Status.PENDING else None,
    )
    with transaction.atomic():
        INSERT_COMMENT.save(comment)
        INSERT_EVENT.save(
            ModerationEvent(
                comment=comment,
                to_status=status,
                reasons=outcome.reasons,
                created_at=comment.created_at,
            )
        )
        if status == Comment.Status.APPROVED:
            discussion_changed(article)
        after_commit(_after_submit, comment)
    return comment


def _after_submit(comment: Comment) -> None:
    if comment.status == Comment.Status.PENDING and settings.COMMENTS_MODERATORS:
        tasks.notify_moderators.enqueue(comment.pk)
    elif comment.status == Comment.Status.APPROVED and comment.parent_id:
        tasks.notify_reply.enqueue(comment.pk)


def set_status(comment: Comment, status: str, *, actor=None, note: str = "") -> bool:
    """Move a comment to `status` and record who did it (None: the system) and why.

    Returns False, changing nothing, when the comment already has that status.
    The first approval of a reply tells the parent's author, if they asked.
    """
    with transaction.atomic():
        current = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("article")
            .get(pk=comment.pk)
        )
        if current.status == status:
            return False
        approved_before = current.events.filter(to_status=Comment.Status.APPROVED).exists()
        previous = current.status
        current.status = status
        current.moderated_at = timezone.now()
        current.moderated_by = actor
        current.save(update_fields=["status", "moderated_at", "moderated_by"])
        ModerationEvent.objects.create(
            comment=current, actor=actor, from_status=previous, to_status=status, note=note[:300]
        )
        if Comment.Status.APPROVED in (previous, status):
            # Between held, spam and removed nothing changes for readers: no version
            # moves, so the public ETag of the thread says nothing about it.
            discussion_changed(current.article)
        if status == Comment.Status.APPROVED and current.parent_id and not approved_before:
            after_commit(tasks.notify_reply.enqueue, current.pk)
    comment.status, comment.moderated_at, comment.moderated_by = (
        current.status,
        current.moderated_at,
        current.moderated_by,
    )
    return True


# What an edit can change that readers see of a published comment.
SHOWN_FIELDS = {"body", "author_name", "author_url"}


def save_edit(comment: Comment, *, changed: list[str]) -> None:
    """Save a moderator's correction; the HTML is made again from the edited text."""
    with transaction.atomic():
        if "body" in changed:
            comment.body_html = render_comment(comment.body)
        comment.save()
        if comment.status == Comment.Status.APPROVED and SHOWN_FIELDS & set(changed):
            discussion_changed(comment.article)


def delete_comments(comments) -> int:
    """Delete comments with their replies and history; returns how many were asked for.

    Only the admin deletes (moderators remove instead). Readers notice only if
    an approved comment goes, whether one of those asked for or a reply below.
    """
    with transaction.atomic():
        asked = set(comments.values_list("pk", flat=True))
        going, level = set(asked), asked
        while level:  # down the threads, a level at a time (COMMENTS_MAX_DEPTH deep)
            level = set(Comment.objects.filter(parent__in=level).values_list("pk", flat=True))
            level -= going
            going |= level
        seen = Article.objects.filter(
            comments__in=Comment.objects.approved().filter(pk__in=going)
        ).distinct()
        articles = list(seen)
        Comment.objects.filter(pk__in=asked).delete()
        discussion_changed(*articles)
    return len(asked)


def blocklist_changed() -> None:
    """Editors changed the blocklist: every process reads it again before the next reply."""
    versions.bump(BLOCKLIST)


def block(kind: str, value: str, *, actor, days: int | None, note: str = "") -> BlockedTerm:
    """Block an address or network from now on (for `days`, or until deleted):
    later replies from it are marked as spam. Blocking what is already blocked
    renews the entry."""
    expires_at = timezone.now() + timedelta(days=days) if days else None
    with transaction.atomic():
        term, _ = BlockedTerm.objects.update_or_create(
            kind=kind,
            value=BlockedTerm.normalized_value(kind, value),
            defaults={
                "action": BlockedTerm.Action.SPAM,
                "expires_at": expires_at,
                "created_by": actor,
                "note": note[:200],
            },
        )
        blocklist_changed()
    return term


def unsubscribe(email: str) -> int:
    """Stop reply notifications to `email`; returns how many comments were affected."""
    # update() is fine here: whether someone is notified never shows on a page.
    return Comment.objects.filter(author_email=email, notify_on_reply=True).update(
        notify_on_reply=False
    )
