"""What the site holds about one e-mail address, for its owner: a copy, or erasure.

An address is the only thing that ties a commenter to their replies, so it is
what they prove: the data page mails a link to it (`new_link`), and whoever
opens that link may download everything held under the address (`export`) or
erase it (`erase`). The link carries a random token, and only its digest is
kept, with the address, until the link expires or is used to erase; the
address itself never appears in a URL. Moderators do the same from the admin
for a request that reached them another way. Either way an audit entry
(DataRequest) says who did what, when, to how many replies, and names no one.

Erasure keeps the discussion readable and its history honest: each reply
keeps its place and its dates, its author becomes "Former commenter", and
what identified them or was theirs (address, name, website, text, network,
earlier versions, what rules noted about them) is gone. A reply that readers
could see is then deleted, leaving the placeholder a deleted reply leaves when
others answered it. Every page, feed and API answer shows it on its next read,
and every copy kept of an answer is deleted.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from plumbing import counters
from plumbing.pagecache import copies

from . import tasks
from .models import (
    BlockedTerm,
    Comment,
    DataLink,
    DataRequest,
    ModerationEvent,
    Recommendation,
    Report,
    Revision,
    Subscriber,
    fingerprint,
    normalized_email,
)
from .notifications import CONFIRM_MAX_AGE
from .services import discussion_changed, token_digest

logger = logging.getLogger(__name__)

FORMER_COMMENTER = "Former commenter"
ERASED_NOTE = "Erased at its author's request: name, address, website and text removed."

# The statuses readers can see, or may yet: an erased reply leaves them.
_LEAVES = (Comment.Status.APPROVED, Comment.Status.PENDING)


def replies_of(email: str):
    """Every reply sent under `email`, however its letters were typed
    (comment_email_folded_idx)."""
    return Comment.objects.alias(folded=Lower("author_email")).filter(
        folded=Lower(Value(normalized_email(email)))
    )


# --- Links ------------------------------------------------------------------------


def new_link(email: str, *, now: datetime | None = None) -> str:
    """A token for a link to the data held under `email`, valid for
    COMMENTS_DATA_LINK_HOURS; only its digest is stored."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    DataLink.objects.create(
        token_digest=token_digest(token),
        email=normalized_email(email),
        created_at=now,
        expires_at=now + timedelta(hours=settings.COMMENTS_DATA_LINK_HOURS),
    )
    return token


class LinkUnusable(Exception):
    """A data link that does not open: unknown (mistyped, tampered with, or used
    to erase already) or expired."""

    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "unknown")
        self.expired = expired


def open_link(token: str, *, now: datetime | None = None) -> DataLink:
    """The link `token` names, if it may still be used; else LinkUnusable."""
    if not token or len(token) > 100:
        raise LinkUnusable(expired=False)
    link = DataLink.objects.filter(token_digest=token_digest(token)).first()
    if link is None:
        raise LinkUnusable(expired=False)
    if link.expires_at <= (now or timezone.now()):
        raise LinkUnusable(expired=True)
    return link


def request_link(email: str) -> bool:
    """Mail a link to the data held under `email`, unless it was sent links
    COMMENTS_DATA_LINK_RATE times already; whether it was, and whether the
    address ever commented, the caller is told nothing it could show. True if
    a mail is on its way (for tests and logs)."""
    address = normalized_email(email)
    allowed, seconds = counters.parse_rate(settings.COMMENTS_DATA_LINK_RATE)
    # Counted under a keyed digest: the shared cache never holds the address.
    key = salted_hmac("comments.data-link", address).hexdigest()
    if counters.hit(f"data-link:{key}", seconds).count > allowed:
        logger.info("Data link not sent: asked for too often")
        return False
    # The task gives the link its token (rekey) as it mails it: neither the
    # address nor a usable token waits in the task queue.
    link = DataLink.objects.create(
        token_digest=token_digest(secrets.token_urlsafe(32)),
        email=address,
        expires_at=timezone.now() + timedelta(hours=settings.COMMENTS_DATA_LINK_HOURS),
    )
    transaction.on_commit(partial(tasks.mail_data_link.enqueue, link.pk))
    return True


def rekey(link: DataLink) -> str:
    """A new token for `link`; the one it had stops working."""
    token = secrets.token_urlsafe(32)
    DataLink.objects.filter(pk=link.pk).update(token_digest=token_digest(token))
    return token


def forget_expired_links(*, now: datetime | None = None) -> int:
    """Delete the links that can no longer be used, and the addresses they held;
    and the addresses typed with "notify me" whose confirmation link expired
    unopened (a stopped one stays: it is what keeps mail from going to it)."""
    now = now or timezone.now()
    deleted, _ = DataLink.objects.filter(expires_at__lte=now).delete()
    Subscriber.objects.filter(
        verified_at__isnull=True,
        stopped_at__isnull=True,
        created_at__lte=now - timedelta(seconds=CONFIRM_MAX_AGE),
    ).delete()
    return deleted


# --- Export -----------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """What the data page shows before anything is downloaded or erased."""

    replies: int
    published: int
    subscriptions: int


def summary(email: str) -> Summary:
    replies = replies_of(email)
    return Summary(
        replies=replies.count(),
        published=replies.filter(status=Comment.Status.APPROVED).count(),
        subscriptions=Subscriber.objects.filter(
            email=normalized_email(email), subscriptions__isnull=False
        ).count(),
    )


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _who(event: ModerationEvent) -> str:
    """Who took a decision, as its subject may know it: not which moderator."""
    if event.actor_id is not None:
        return "a moderator"
    if event.note.startswith(("Edited by its author", "Deleted by its author")):
        return "you"
    return "the rules" if event.reasons else "the site"


def export(email: str, *, actor=None) -> dict:
    """Everything held about `email`, as one JSON-ready dict, in a fixed number of
    queries however many replies there are. Recorded as an export."""
    address = normalized_email(email)
    replies = list(
        replies_of(address)
        .select_related("article")
        .prefetch_related(
            Prefetch("revisions", queryset=Revision.objects.order_by("changed_at", "id")),
            Prefetch("events", queryset=ModerationEvent.objects.order_by("created_at", "id")),
        )
        .order_by("created_at", "id")
    )
    subscriber = (
        Subscriber.objects.filter(email=address).prefetch_related("subscriptions__article").first()
    )
    blocks = BlockedTerm.objects.filter(kind=BlockedTerm.Kind.EMAIL, value=address)
    DataRequest.objects.create(kind=DataRequest.Kind.EXPORT, actor=actor, replies=len(replies))
    logger.info("Personal data exported", extra={"replies": len(replies), "by_staff": bool(actor)})
    site = settings.SITE_URL
    return {
        "site": site,
        "address": address,
        "exported_at": timezone.now().isoformat(),
        "replies": [_reply(comment, site) for comment in replies],
        "notifications": _notifications(subscriber),
        # A moderator's block of the address: it outlives an erasure (it keeps
        # abuse out), so its owner should know of it.
        "blocked": [
            {
                "action": block.action,
                "since": _when(block.created_at),
                "until": _when(block.expires_at),
            }
            for block in blocks
        ],
    }


def _reply(comment: Comment, site: str) -> dict:
    article = comment.article
    return {
        "id": comment.pk,
        "article": {
            "title": article.title,
            "url": f"{site}{article.get_absolute_url()}",
        },
        "url": f"{site}{comment.get_absolute_url()}"
        if comment.status == Comment.Status.APPROVED
        else None,
        "parent": comment.parent_id,
        "status": comment.status,
        "created_at": _when(comment.created_at),
        "edited_at": _when(comment.edited_at),
        "name": comment.author_name,
        "email": comment.author_email,
        "website": comment.author_url,
        "body": comment.body,
        "body_html": comment.body_html,
        "ip_address": comment.ip_address,
        "network": comment.ip_network or None,
        "user_agent": comment.user_agent,
        "address_and_user_agent_purged_at": _when(comment.purged_at),
        "notify_on_reply": comment.notify_on_reply,
        "recommendations": comment.recommendations,
        "editors_pick": comment.picked_at is not None,
        "other_versions": [
            {
                "state": revision.state,
                "body": revision.body,
                "changed_at": _when(revision.changed_at),
            }
            for revision in comment.revisions.all()
        ],
        "moderation": [
            {
                "at": _when(event.created_at),
                "from": event.from_status or None,
                "to": event.to_status,
                "by": _who(event),
                "reasons": event.reasons,
                "note": event.note,
            }
            for event in comment.events.all()
        ],
    }


def _notifications(subscriber: Subscriber | None) -> dict | None:
    if subscriber is None:
        return None
    return {
        "asked_at": _when(subscriber.created_at),
        "confirmed_at": _when(subscriber.verified_at),
        "stopped_at": _when(subscriber.stopped_at),
        "stopped_because": subscriber.stopped_because or None,
        "discussions": [
            {
                "article": subscription.article.title,
                "kind": subscription.kind,
                "asked_at": _when(subscription.created_at),
                "confirmed_at": _when(subscription.confirmed_at),
                "last_mail_at": _when(subscription.last_sent_at),
            }
            for subscription in subscriber.subscriptions.all()
        ],
    }


# --- Erasure ----------------------------------------------------------------------


def erase(email: str, *, actor=None) -> int:
    """Erase everything held about `email` (see the module's docstring); returns
    how many replies it touched. Recorded as an erasure, without the address."""
    address = normalized_email(email)
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            replies_of(address)
            .select_for_update(of=("self",))
            .select_related("article")
            .only("pk", "status", "article")
        )
        ids = [comment.pk for comment in rows]
        if ids:
            _erase_replies(rows, ids, actor, now)
        # Mail about the address, and every link to its data: this one included,
        # so a second use finds nothing.
        Subscriber.objects.filter(email=address).delete()
        DataLink.objects.filter(email=address).delete()
        DataRequest.objects.create(kind=DataRequest.Kind.ERASURE, actor=actor, replies=len(ids))
    logger.info("Personal data erased", extra={"replies": len(ids), "by_staff": bool(actor)})
    return len(ids)


def _erase_replies(rows: list[Comment], ids: list[int], actor, now: datetime) -> None:
    # Other texts of the replies, and what readers said of them (a report's note
    # may quote the reply): nothing is left to act on.
    Revision.objects.filter(comment__in=ids).delete()
    Report.objects.filter(comment__in=ids).delete()
    Recommendation.objects.filter(comment__in=ids).delete()
    # The history stays, each decision with its rule, without what the rule noted
    # (a matched address, a quoted phrase) or a moderator's words about it.
    events = list(ModerationEvent.objects.filter(comment__in=ids).only("pk", "reasons"))
    for event in events:
        event.reasons = [{"rule": reason.get("rule", ""), "detail": ""} for reason in event.reasons]
        event.note = ""
    ModerationEvent.objects.bulk_update(events, ["reasons", "note"], batch_size=500)
    Comment.objects.filter(pk__in=ids).update(
        author_name=FORMER_COMMENTER,
        author_email="",
        author_url="",
        user=None,
        author_role=Comment.Role.READER,
        body="",
        body_html="",
        fingerprint=fingerprint(""),
        ip_address=None,
        user_agent="",
        ip_network="",
        purged_at=now,
        notify_on_reply=False,
        edit_token_digest="",
        moderation_reasons=[],
        recommendations=0,
        picked_at=None,
        erased_at=now,
    )
    leaving = [comment for comment in rows if comment.status in _LEAVES]
    Comment.objects.filter(pk__in=[comment.pk for comment in leaving]).update(
        status=Comment.Status.DELETED, moderated_at=now, moderated_by=actor
    )
    ModerationEvent.objects.bulk_create(
        [
            ModerationEvent(
                comment_id=comment.pk,
                actor=actor,
                created_at=now,
                from_status=comment.status,
                to_status=Comment.Status.DELETED if comment in leaving else comment.status,
                note=ERASED_NOTE,
            )
            for comment in rows
        ],
        batch_size=500,
    )
    published = {c.article for c in rows if c.status == Comment.Status.APPROVED}
    discussion_changed(*published)
    # A reply may have been public before it was removed: copies kept of pages
    # from then must go too, not only fall out of reach. One never published
    # was in none.
    if (
        published
        or ModerationEvent.objects.filter(
            comment__in=ids, to_status=Comment.Status.APPROVED
        ).exists()
    ):
        copies.forget_everything()
    # The admin's own history names what it changed: the name and the text.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Comment),
        object_id__in=[str(pk) for pk in ids],
    ).update(object_repr=FORMER_COMMENTER, change_message="")
