"""Operations that change comments. The form, the API, the admin and tasks all
come through here, so each change is validated, explained and followed up
(events, notifications, what readers see) the same way whichever door it
came in by.

A change that readers can see moves the discussion's content version in the
same transaction (discussion_changed), so the very next read shows it; one
that only moderators see (a reply held, spam removed) moves nothing, so no
public page, ETag or date gives it away. A recommendation moves only the
counts' own scope, which pages read lagging (recommendation_counts).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from articles.models import Article
from articles.services import COMMENTS, article_scope
from plumbing.db import PreparedIncrement, PreparedInsert, PreparedQuery, after_commit
from plumbing.pagecache import versions

from . import tasks
from .models import BlockedTerm, Comment, ModerationEvent, Recommendation, Report, Revision
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
from .threads import EDITABLE_STATUSES

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
    rows = _PARENT.rows(article=article.pk, pk=parent_id)
    if not rows:
        raise ParentUnavailable()
    parent = Comment.from_db(DEFAULT_DB_ALIAS, _PARENT_FIELDS, rows[0])
    parent.article = article
    return within_depth(parent)


# Every reply looks its parent up: a statement written by the ORM once (plumbing.db).
_PARENT_FIELDS = ("id", "article_id", "parent_id", "depth", "status")
_PARENT = PreparedQuery(
    lambda article, pk: (
        Comment.objects.approved()
        .filter(article_id=article, pk=pk)
        .order_by()
        .values_list(*_PARENT_FIELDS)
    ),
    article=1,
    pk=0,
)


def within_depth(parent: Comment | None) -> Comment | None:
    """`parent`, or its deepest ancestor under which a reply stays within
    COMMENTS_MAX_DEPTH."""
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
    with_edit_token: bool = False,
    staff=None,
) -> Comment:
    """Take a reader's reply: check, sanitize, moderate and save it.

    Raises a CommentError subclass (nothing saved) when the article is closed,
    the parent is unavailable or a rule refuses the reply. Otherwise the comment
    and the ModerationEvent explaining its status are saved in one transaction;
    notifications follow once it commits. Every reply that gets past the
    article and parent checks counts against its address's flood limit. The
    cheap refusals (closed, parent, then the first rules) run before the reply
    is rendered. Field values must already be validated (ReplyForm or the API
    serializer). `with_edit_token` gives the comment an `edit_token` to hand to
    its author once (only its digest is saved), when authors may edit.

    `staff`: the signed-in member of staff who sent it (the callers take the name
    and address from their account). Their reply is theirs, marked with their
    role, and published without the rules meant for strangers.
    """
    if not article.accepts_comments():
        raise CommentsClosed()
    parent = find_parent(article, parent_id)
    if staff is not None:
        return _submit_as_staff(article, parent, staff, name, email, body, notify, user_agent)
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
    token = new_edit_token() if with_edit_token and comment.edit_deadline() else None
    if token is not None:
        comment.edit_token_digest = token_digest(token)
    _save_new(comment)
    comment.edit_token = token  # in clear on this object only, never saved
    return comment


def _submit_as_staff(article, parent, user, name, email, body, notify, user_agent) -> Comment:
    by_author = article.author_id == user.pk
    who = "the author of the article" if by_author else "a member of staff"
    decision = Decision(Verdict.APPROVE, "staff", f"Posted by {who}, signed in.")
    comment = Comment(
        article=article,
        parent=parent,
        depth=Comment.depth_under(parent),
        author_name=name,
        author_email=email,
        body=body,
        body_html=render_comment(body),
        status=Comment.Status.APPROVED,
        moderation_reasons=[decision.as_reason()],
        user=user,
        author_role=Comment.Role.AUTHOR if by_author else Comment.Role.STAFF,
        ip_address=None,  # staff are known by their account
        user_agent=user_agent[:500],
        notify_on_reply=notify,
        moderated_at=timezone.now(),
    )
    _save_new(comment, actor=user)
    comment.edit_token = None
    return comment


def _save_new(comment: Comment, *, actor=None) -> None:
    """Save a new comment and the event that explains its status, in one
    transaction; what readers see moves if they can see it; follow-ups after."""
    with transaction.atomic():
        INSERT_COMMENT.save(comment)
        INSERT_EVENT.save(
            ModerationEvent(
                comment=comment,
                actor=actor,
                to_status=comment.status,
                reasons=comment.moderation_reasons,
                created_at=comment.created_at,
            )
        )
        if comment.status == Comment.Status.APPROVED:
            discussion_changed(comment.article)
        after_commit(_after_submit, comment)


def _after_submit(comment: Comment) -> None:
    if comment.status == Comment.Status.PENDING and settings.COMMENTS_MODERATORS:
        tasks.notify_moderators.enqueue(comment.pk)
    elif comment.status == Comment.Status.APPROVED:
        if comment.parent_id:
            tasks.notify_reply.enqueue(comment.pk)
        tasks.send_digests.enqueue(comment.article_id)


# The statuses on the way to readers.
PUBLISHABLE = (Comment.Status.APPROVED, Comment.Status.PENDING)


class CannotDecide(CommentError):
    """A moderator's decision that does not apply to the comment as it is now."""

    status_code = 409


class AuthorDeleted(CannotDecide):
    def __init__(self):
        super().__init__("Its author deleted this reply; it cannot be published again.")


class TextChanged(CannotDecide):
    def __init__(self):
        super().__init__(
            "Its author changed this reply after you opened it. Read it again, then decide."
        )


def set_status(
    comment: Comment,
    status: str,
    *,
    actor=None,
    note: str = "",
    seen: str | None = None,
    reasons: list[dict] | None = None,
) -> bool:
    """Move a comment to `status` and record who did it (None: the system) and why.

    Returns False, changing nothing, when the comment already has that status.
    Raises CannotDecide for what only authors do (delete), AuthorDeleted to
    publish what its author deleted, and TextChanged to approve a text other
    than the one the moderator read, when `seen` (its fingerprint) is given.
    `reasons` explain an automatic decision, on the comment and in its history.
    The first approval of a reply tells the parent's author, if they asked, and
    the discussion's followers (in their next digest).
    """
    with transaction.atomic():
        current = _locked(comment)
        if current.status == status:
            return False
        if status == Comment.Status.DELETED:
            raise CannotDecide("Only its author deletes a reply; a moderator removes it.")
        if current.status == Comment.Status.DELETED and status in PUBLISHABLE:
            raise AuthorDeleted()
        if status == Comment.Status.APPROVED and seen is not None and seen != current.fingerprint:
            raise TextChanged()
        approved_before = current.events.filter(to_status=Comment.Status.APPROVED).exists()
        previous = current.status
        current.status = status
        current.moderated_at = timezone.now()
        current.moderated_by = actor
        changed = ["status", "moderated_at", "moderated_by"]
        if reasons is not None:
            current.moderation_reasons = reasons
            changed.append("moderation_reasons")
        current.save(update_fields=changed)
        ModerationEvent.objects.create(
            comment=current,
            actor=actor,
            from_status=previous,
            to_status=status,
            note=note[:300],
            reasons=reasons or [],
        )
        if Comment.Status.APPROVED in (previous, status):
            # Between held, spam and removed nothing changes for readers: no version
            # moves, so the public ETag of the thread says nothing about it.
            discussion_changed(current.article)
        if actor is not None and status != Comment.Status.PENDING:
            # A moderator read it and decided: what readers reported is answered.
            _close_reports(current, actor)
        if status == Comment.Status.APPROVED and not approved_before:
            if current.parent_id:
                after_commit(tasks.notify_reply.enqueue, current.pk)
            after_commit(tasks.send_digests.enqueue, current.article_id)
    comment.status, comment.moderated_at, comment.moderated_by = (
        current.status,
        current.moderated_at,
        current.moderated_by,
    )
    return True


# What an edit can change that readers see of a published comment.
SHOWN_FIELDS = {"body", "author_name", "author_url"}


def save_edit(comment: Comment, *, changed: list[str], actor=None) -> None:
    """Save a moderator's correction; the HTML is made again from the edited text,
    and the text it replaces is kept as an earlier version."""
    with transaction.atomic():
        if "body" in changed:
            corrected = comment.body
            before = Comment.objects.only("body", "body_html").get(pk=comment.pk)
            comment.body, comment.body_html = before.body, before.body_html
            _replace_text(comment, corrected, render_comment(corrected), by=actor)
            _withdraw_held(comment)
            _record(comment, actor, note="Text corrected by a moderator.")
        comment.save()
        if comment.status == Comment.Status.APPROVED and SHOWN_FIELDS & set(changed):
            discussion_changed(comment.article)


# --- The author's own reply: edit or delete within COMMENTS_EDIT_MINUTES -------------


class NotYours(CommentError):
    """The request does not prove it comes from the reply's author. The same answer
    whether or not the reply exists, or could still be changed by its author."""

    status_code = 403


class CannotChange(CommentError):
    """Its author may no longer change this reply; said only to its author."""

    status_code = 403


class NothingChanged(CommentError):
    field = "body"

    def __init__(self):
        super().__init__("This is the text your reply already has.")


def new_edit_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is kept of a random token handed out once (an edit token, a data link):
    the token is 256 random bits, so a plain digest cannot be turned back into it."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(comment: Comment | None, token: str) -> bool:
    if comment is None or not comment.edit_token_digest or not token or len(token) > 100:
        return False
    return hmac.compare_digest(comment.edit_token_digest, token_digest(token))


def check_author(comment: Comment | None, *, proven: bool, not_yours: str) -> Comment:
    """The comment, if the request proved it comes from its author (`proven`) and
    they may still change it; else NotYours(not_yours) or CannotChange, why."""
    if comment is None or not proven:
        raise NotYours(not_yours)
    if comment.status == Comment.Status.DELETED:
        raise CannotChange("You have deleted this reply.")
    # A reply marked as spam shows to its author as awaiting moderation, and answers so.
    if comment.status not in EDITABLE_STATUSES:
        raise CannotChange("A moderator has removed this reply; it can no longer be changed.")
    deadline = comment.edit_deadline()
    if deadline is None:
        raise CannotChange("Replies cannot be changed once they are sent.")
    if timezone.now() >= deadline:
        minutes = settings.COMMENTS_EDIT_MINUTES
        raise CannotChange(
            f"A reply can be edited or deleted for {minutes} minutes after it is sent; "
            "the time for this one has passed."
        )
    return comment


@dataclass(frozen=True)
class EditOutcome:
    comment: Comment
    # True: readers see the new text now. False: it waits for a moderator (or the
    # whole reply does), and readers see what they saw before.
    published: bool

    @property
    def message(self) -> str:
        if self.comment.status != Comment.Status.APPROVED:
            return "Your edit is saved. Your reply is awaiting moderation."
        if self.published:
            return "Your edit is published."
        return (
            "Your edit is awaiting moderation. Until a moderator approves it, "
            "readers see your reply as it was."
        )


def edit_own(
    comment: Comment,
    *,
    body: str,
    ip_address: str | None = None,
    user_agent: str = "",
    earlier_comment_ids: frozenset[int] = frozenset(),
) -> EditOutcome:
    """Its author's new text for `comment` (check_author has passed), moderated
    again as a new reply would be.

    Refused (CommentsClosed) once the article takes no more replies. A published
    reply takes the new text if the rules let it through; an edit
    they hold (or take for spam) waits beside the published text, which readers
    keep seeing. A reply not yet published simply takes the new text, and a spam
    verdict moves it to spam. A refusal (flood, duplicate) raises CommentRefused,
    changing nothing. Every edit counts against the address's flood limit.
    """
    if not comment.article.accepts_comments():
        raise CommentsClosed()  # deleting stays possible
    if body == comment.body and not comment.revisions.filter(state=Revision.State.HELD).exists():
        raise NothingChanged()
    submission = Submission(
        article=comment.article,
        parent=None,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_url=comment.author_url,
        body=body,
        ip_address=ip_address,
        user_agent=user_agent[:500],
        earlier_comment_ids=earlier_comment_ids,
        sent_lately=count_reply(ip_address),
        replaces=comment,
    )
    outcome = moderate(submission)
    if outcome.refusal is not None:
        logger.info("Edit refused", extra={"comment_id": comment.pk, "rule": outcome.refusal.rule})
        raise CommentRefused(outcome.refusal)

    with transaction.atomic():
        current = _locked(comment)
        check_author(current, proven=True, not_yours="")  # a moderator may have been quicker
        _withdraw_held(current)
        published = current.status == Comment.Status.APPROVED
        if body == current.body:
            # Back to the text readers see: the edit that waited is withdrawn.
            _record(current, None, note="The author withdrew the edit that waited.")
        elif published and outcome.verdict is Verdict.APPROVE:
            _replace_text(current, body, submission.body_html, by=None)
            current.save(update_fields=["body", "body_html", "fingerprint", "edited_at"])
            _record(current, None, note="Edited by its author.", reasons=outcome.reasons)
            discussion_changed(current.article)
        elif published:
            held = outcome.verdict is Verdict.HOLD
            Revision.objects.create(
                comment=current,
                state=Revision.State.HELD if held else Revision.State.DECLINED,
                body=body,
                body_html=submission.body_html,
                reasons=outcome.reasons,
            )
            _record(
                current,
                None,
                note="The author's edit waits for a moderator; the published text stays."
                if held
                else "The author's edit was taken for spam; the published text stays.",
                reasons=outcome.reasons,
            )
            if held and settings.COMMENTS_MODERATORS:
                after_commit(partial(tasks.notify_moderators.enqueue, about="edit"), current.pk)
            published = False
        else:
            _replace_text(current, body, submission.body_html, by=None)
            previous = current.status
            if outcome.verdict is Verdict.SPAM and previous != Comment.Status.SPAM:
                current.status, current.moderated_at = Comment.Status.SPAM, timezone.now()
            # Why readers' reports held it stays on record beside the new decision.
            kept = [r for r in current.moderation_reasons if r.get("rule") == "reports"]
            current.moderation_reasons = [*kept, *outcome.reasons]
            current.save(
                update_fields=[
                    *("body", "body_html", "fingerprint"),
                    *("status", "moderated_at", "moderation_reasons"),
                ]
            )
            _record(
                current,
                None,
                note="Edited by its author before publication.",
                reasons=outcome.reasons,
                from_status=previous,
            )
    _copy_text(current, comment)
    return EditOutcome(comment=comment, published=published)


def delete_own(comment: Comment) -> None:
    """Its author withdraws `comment` (check_author has passed): readers no longer
    see it (a reply with approved answers leaves a placeholder that says its author
    deleted it); the row and its history stay for moderators."""
    with transaction.atomic():
        current = _locked(comment)
        check_author(current, proven=True, not_yours="")
        _withdraw_held(current)
        previous = current.status
        current.status = Comment.Status.DELETED
        current.moderated_at = timezone.now()
        current.moderated_by = None
        current.save(update_fields=["status", "moderated_at", "moderated_by"])
        _record(current, None, note="Deleted by its author.", from_status=previous)
        _close_reports(current, None)  # nothing left for readers to report
        if previous == Comment.Status.APPROVED:
            discussion_changed(current.article)
    comment.status = current.status


def held_edit(comment: Comment) -> Revision | None:
    return comment.revisions.filter(state=Revision.State.HELD).first()


def decide_edit(comment: Comment, edit_id: int, *, approve: bool, actor) -> bool:
    """A moderator's decision on the author's edit `edit_id`; False, changing
    nothing, if that edit no longer waits (decided, or replaced by a later one)."""
    with transaction.atomic():
        current = _locked(comment)
        held = current.revisions.filter(pk=edit_id, state=Revision.State.HELD).first()
        if held is None:
            return False
        if approve:
            _replace_text(current, held.body, held.body_html, by=None)
            current.save(update_fields=["body", "body_html", "fingerprint", "edited_at"])
            held.state = Revision.State.APPROVED
            _record(current, actor, note="Approved the author's edit.")
            if current.status == Comment.Status.APPROVED:
                discussion_changed(current.article)
        else:
            held.state = Revision.State.DECLINED
            _record(current, actor, note="Declined the author's edit; the published text stays.")
        held.changed_by = actor
        held.save(update_fields=["state", "changed_by"])
    _copy_text(current, comment)
    return True


def restore_version(comment: Comment, revision: Revision, *, actor) -> None:
    """Show an earlier version of `comment` again; the text it replaces is kept too."""
    with transaction.atomic():
        current = _locked(comment)
        _replace_text(current, revision.body, revision.body_html, by=actor)
        _withdraw_held(current)
        current.save(update_fields=["body", "body_html", "fingerprint", "edited_at"])
        when = timezone.localtime(revision.changed_at).strftime("%Y-%m-%d %H:%M")
        _record(current, actor, note=f"Restored the version replaced at {when}.")
        if current.status == Comment.Status.APPROVED:
            discussion_changed(current.article)
    _copy_text(current, comment)


def _locked(comment: Comment) -> Comment:
    return (
        Comment.objects.select_for_update(of=("self",)).select_related("article").get(pk=comment.pk)
    )


def _replace_text(current: Comment, body: str, body_html: str, *, by, at: datetime | None = None):
    """Keep the text `current` has as an earlier version, written over by `by`
    (None: its author), and give it the new one. Readers see "edited" only on
    a reply they could read."""
    at = at or timezone.now()
    Revision.objects.create(
        comment=current,
        state=Revision.State.EARLIER,
        body=current.body,
        body_html=current.body_html,
        changed_at=at,
        changed_by=by,
    )
    current.body, current.body_html = body, body_html
    if current.status == Comment.Status.APPROVED:
        current.edited_at = at


def _withdraw_held(current: Comment) -> None:
    current.revisions.filter(state=Revision.State.HELD).update(state=Revision.State.WITHDRAWN)


def _record(current: Comment, actor, *, note: str, reasons=(), from_status: str = "") -> None:
    ModerationEvent.objects.create(
        comment=current,
        actor=actor,
        from_status=from_status or current.status,
        to_status=current.status,
        reasons=list(reasons),
        note=note[:300],
    )


def _copy_text(current: Comment, comment: Comment) -> None:
    for name in ("body", "body_html", "status", "edited_at", "moderation_reasons"):
        setattr(comment, name, getattr(current, name))


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


# --- Editors' picks -----------------------------------------------------------------


def pick(comment: Comment, *, actor, picked: bool = True) -> bool:
    """Make a published comment an editors' pick (or no longer one); False, changing
    nothing, if it already is (or is not). Only a published comment can be picked:
    CannotDecide otherwise."""
    with transaction.atomic():
        current = _locked(comment)
        if picked and current.status != Comment.Status.APPROVED:
            raise CannotDecide("Only a published reply can be an editors' pick.")
        if (current.picked_at is not None) == picked:
            return False
        current.picked_at = timezone.now() if picked else None
        current.save(update_fields=["picked_at"])
        _record(
            current,
            actor,
            note="Made an editors' pick." if picked else "No longer an editors' pick.",
        )
        discussion_changed(current.article)
    comment.picked_at = current.picked_at
    return True


# --- Reports from readers ---------------------------------------------------------


class NotReportable(CommentError):
    """Only what readers can see can be reported; the same answer for anything else."""

    status_code = 404

    def __init__(self):
        super().__init__("This reply is not available.")


REPORT_THANKS = "Thank you. A moderator will look at this reply."


def network_key(ip_address: str | None, purpose: str) -> str:
    """Who a report or a recommendation counts as: the address, widened for IPv6
    to the /48 that one subscriber may be given whole, kept only as a digest
    keyed for `purpose` (they need to tell clients apart, never to name them,
    and a reporter's digest matches no recommender's). Unreadable addresses
    share one."""
    if ip_address is None:
        network = "unknown"
    else:
        address = ipaddress.ip_address(ip_address)
        prefix = 48 if address.version == 6 else 32
        network = str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
    return salted_hmac(f"comments.{purpose}", network).hexdigest()[:32]


def reporter_key(ip_address: str | None) -> str:
    return network_key(ip_address, "reporter")


def recommender_key(ip_address: str | None) -> str:
    return network_key(ip_address, "recommender")


def report(
    comment_id: int,
    *,
    reason: str,
    note: str = "",
    ip_address: str | None = None,
    reported_before: frozenset[int] = frozenset(),
) -> str:
    """A reader reports a published reply; returns what to tell them.

    One report per reply from an address (and from a browser, `reported_before`:
    the ids its cookie lists). At COMMENTS_REPORT_THRESHOLD open reports the
    reply is held for review, with the reason recorded like any automatic
    decision. COMMENTS_MODERATORS hear of a reply's first report, once. The
    answer never says what others reported.
    """
    if comment_id in reported_before:
        return "You have already reported this reply. Thank you."
    with transaction.atomic():
        comment = (
            Comment.objects.public().select_for_update(of=("self",)).filter(pk=comment_id).first()
        )
        if comment is None:
            raise NotReportable()
        _, created = Report.objects.get_or_create(
            comment=comment,
            reporter=reporter_key(ip_address),
            defaults={"reason": reason, "note": note[:500]},
        )
        if not created:
            return REPORT_THANKS  # someone at this address did: nothing more to count
        counts = comment.reports.aggregate(
            ever=Count("pk"), open=Count("pk", filter=Q(dismissed_at__isnull=True))
        )
        if counts["ever"] == 1 and settings.COMMENTS_MODERATORS:
            after_commit(partial(tasks.notify_moderators.enqueue, about="report"), comment.pk)
        threshold = settings.COMMENTS_REPORT_THRESHOLD
        if threshold and counts["open"] >= threshold:
            _hold_for_reports(comment, list(comment.reports.filter(dismissed_at__isnull=True)))
    return REPORT_THANKS


# --- Recommendations ---------------------------------------------------------------

# What recommendation counts of all articles' discussions, and of one, depend on.
RECOMMENDATIONS = "recommendations"


def recommendations_scope(slug: str) -> str:
    return f"recommendations:{slug}"


def recommendation_counts(*slugs: str) -> list[versions.Lagging]:
    """The scopes of the recommendation counts an answer shows (all articles'
    without a slug), read as late as COMMENTS_RECOMMENDATIONS_LAG allows."""
    scopes = map(recommendations_scope, slugs) if slugs else [RECOMMENDATIONS]
    lag = settings.COMMENTS_RECOMMENDATIONS_LAG
    return [versions.Lagging(scope, lag) for scope in scopes]


class OwnReply(CommentError):
    status_code = 403

    def __init__(self):
        super().__init__("You cannot recommend your own reply.")


class AddressLimit(CommentError):
    status_code = 403

    def __init__(self):
        super().__init__(
            "This reply already has as many recommendations as we count from your network."
        )


@dataclass(frozen=True)
class Recommended:
    recommended: bool  # whether this browser now recommends the reply
    count: int
    message: str


# A click is a few small statements: each written by the ORM once (plumbing.db).
_ARTICLE_STATE = ("slug", "status", "published_at", "allow_comments", "comments_close_at")
_RECOMMENDABLE = PreparedQuery(
    lambda pk: (
        Comment.objects.approved()
        .filter(pk=pk)
        .select_for_update(of=("self",))
        .values_list("recommendations", *(f"article__{name}" for name in _ARTICLE_STATE))
    ),
    convert=True,
    pk=0,
)
# The browser's own recommendation of a reply, and those from its address: at
# most COMMENTS_RECOMMENDATIONS_PER_ADDRESS and one more.
_BROWSERS_OR_ADDRESS = PreparedQuery(
    lambda pk, browser, address: (
        Recommendation.objects.filter(comment_id=pk)
        .filter(Q(browser=browser) | Q(address=address))
        .values_list("pk", "browser", "address")
    ),
    pk=0,
    browser="",
    address="",
)
_INSERT_RECOMMENDATION = PreparedInsert(Recommendation)
_ADD_RECOMMENDATIONS = PreparedIncrement(Comment, "recommendations")


def recommend(
    comment_id: int,
    *,
    browser: str,
    ip_address: str | None,
    wanted: bool | None = None,
    own_ids: frozenset[int] = frozenset(),
    article_slug: str | None = None,
) -> Recommended:
    """A browser recommends a published reply (`wanted` True), takes its
    recommendation back (False), or turns it over (None: the button).

    `browser` is the key of the browser's cookie; one recommendation per reply
    from it, and at most COMMENTS_RECOMMENDATIONS_PER_ADDRESS from one address.
    Only the count is public, and only while the article takes replies may
    it change. A reply nobody may see (or not under `article_slug`, when
    given) is answered as NotReportable.
    """
    if comment_id in own_ids:
        raise OwnReply()
    browser_key = salted_hmac("comments.browser", browser).hexdigest()[:32]
    with transaction.atomic():
        found = _RECOMMENDABLE.rows(pk=comment_id)  # locked until the count is written
        if not found:
            raise NotReportable()
        count, *state = found[0]
        article = Article.from_db(DEFAULT_DB_ALIAS, _ARTICLE_STATE, state)
        if not article.is_public or article_slug not in (None, article.slug):
            raise NotReportable()
        if not article.accepts_comments():
            raise CommentsClosed()
        address = recommender_key(ip_address)
        found = _BROWSERS_OR_ADDRESS.rows(pk=comment_id, browser=browser_key, address=address)
        mine = [pk for pk, browser_of, _ in found if browser_of == browser_key]
        if wanted is None:
            wanted = not mine
        if wanted == bool(mine):
            return _recommended(wanted, count)
        if wanted:
            limit = settings.COMMENTS_RECOMMENDATIONS_PER_ADDRESS
            if limit and sum(address_of == address for _, _, address_of in found) >= limit:
                raise AddressLimit()
            _INSERT_RECOMMENDATION.save(
                Recommendation(comment_id=comment_id, browser=browser_key, address=address)
            )
        else:
            Recommendation.objects.filter(pk=mine[0]).delete()
        change = 1 if wanted else -1
        _ADD_RECOMMENDATIONS.run(comment_id, change)
        versions.bump(RECOMMENDATIONS, recommendations_scope(article.slug))
    return _recommended(wanted, count + change)


def _recommended(recommended: bool, count: int) -> Recommended:
    if recommended:
        message = "You recommend this reply. Press Recommend again to take it back."
    else:
        message = "You no longer recommend this reply."
    return Recommended(recommended, count, message)


def _hold_for_reports(comment: Comment, reports: list[Report]) -> None:
    counted = Counter(r.get_reason_display().lower() for r in reports)
    reasons = ", ".join(f"{reason} ({n})" for reason, n in counted.most_common())
    decision = Decision(
        Verdict.HOLD,
        "reports",
        f"Reported by {len(reports)} readers: {reasons}; the limit is "
        f"{settings.COMMENTS_REPORT_THRESHOLD}.",
    )
    set_status(
        comment,
        Comment.Status.PENDING,
        note="Held for review: reported by readers.",
        reasons=[decision.as_reason()],
    )


def _close_reports(current: Comment, actor) -> int:
    return current.reports.filter(dismissed_at__isnull=True).update(
        dismissed_at=timezone.now(), dismissed_by=actor
    )


def dismiss_reports(comment: Comment, *, actor) -> int:
    """A moderator looked and leaves the reply up: its open reports are closed, and
    a reply the reports held is published again. Returns how many were open;
    later reports from other addresses count from zero."""
    with transaction.atomic():
        current = _locked(comment)
        dismissed = _close_reports(current, actor)
        last = current.events.order_by("-created_at", "-id").first()
        held_by_reports = (
            current.status == Comment.Status.PENDING
            and last is not None
            and last.actor_id is None
            and any(reason.get("rule") == "reports" for reason in last.reasons)
        )
        if held_by_reports:
            set_status(current, Comment.Status.APPROVED, actor=actor, note="Reports dismissed.")
        elif dismissed:
            _record(current, actor, note=f"Dismissed {dismissed} report(s); the reply stays.")
    comment.status = current.status
    return dismissed


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
