"""E-mail sent after a reply is saved. Each task loads by id and sends one message.

With the default immediate backend they run right after the transaction
commits; with DJANGO_TASKS_BACKEND=database a `manage.py db_worker` process
sends them, so a slow mail server never slows down a reader's post.
"""

import logging
import smtplib
import time

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from plumbing.store import store

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "comments.unsubscribe"
UNSUBSCRIBE_MAX_AGE = 365 * 24 * 60 * 60


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(comment_id: int) -> str:
    """A signed link that stops reply e-mails to the author of `comment_id`.

    It names the comment, not the address: links end up in logs and browser
    histories, and an address must not.
    """
    token = signing.dumps(comment_id, salt=UNSUBSCRIBE_SALT)
    return absolute(reverse("comments:unsubscribe", kwargs={"token": token}))


def _send(message: EmailMessage, what: str, comment_id: int) -> None:
    try:
        message.send()
    except Exception:
        # The comment is saved whatever happens here; the failure is for operators.
        logger.exception("Could not send %s", what, extra={"comment_id": comment_id})
        raise


def stop_url(subscription) -> str:
    """The link in every notification that stops that discussion's mail (and
    offers to stop all mail to the address); signed ids, never the address."""
    from .notifications import stop_token

    return absolute(reverse("comments:unsubscribe", kwargs={"token": stop_token(subscription)}))


def unsubscribe_headers(url: str) -> dict[str, str]:
    # One-click unsubscribe from the mail client (RFC 8058).
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _send_to_subscriber(message: EmailMessage, what: str, subscriber, *, raises=True) -> bool:
    """Send a message to a subscriber's address; True if the server took it. A
    server that refuses the address outright is a bounce: nothing more goes to
    it (comments.notifications.mark_bounced). Any other failure is logged, and
    raised if `raises`. The log names the row, never the address."""
    from .notifications import mark_bounced

    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as refused:
        codes = [code for code, _ in refused.recipients.values()]
        if codes and all(code >= 500 for code in codes):  # 4xx: try again later
            mark_bounced([subscriber.email])
        # The server's words may quote the address: only the codes are logged.
        logger.warning(
            "The mail server refused %s (%s)",
            what,
            ", ".join(map(str, codes)),
            extra={"subscriber_id": subscriber.pk},
        )
        return False
    except Exception as error:
        # Not the exception itself: its text may quote the address.
        logger.error(
            "Could not send %s: %s",
            what,
            type(error).__name__,
            extra={"subscriber_id": subscriber.pk},
        )
        if raises:
            raise RuntimeError(f"Could not send {what}") from None
        return False
    return True


# What a notice to moderators can be about: (subject, queue tab).
NOTICES = {
    "reply": ("Reply awaiting moderation", "pending"),
    "edit": ("Edit awaiting moderation", "edits"),
    "report": ("Reply reported by a reader", "reported"),
}


@task()
def notify_moderators(comment_id: int, about: str = "reply") -> None:
    """Tell COMMENTS_MODERATORS what waits for them: a held reply, an edit its author
    sent for a published one, or a reply a reader reported (once per reply)."""
    from .models import Comment, Revision

    recipients = settings.COMMENTS_MODERATORS
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if not recipients or comment is None or about not in NOTICES:
        return
    # Only what the notice is about is read.
    held = comment.revisions.filter(state=Revision.State.HELD).first() if about == "edit" else None
    reports = list(comment.reports.filter(dismissed_at__isnull=True)) if about == "report" else []
    still_waits = {
        "reply": comment.status == Comment.Status.PENDING,
        "edit": held is not None,
        "report": bool(reports),
    }[about]
    if not still_waits:
        return  # decided already
    subject, queue = NOTICES[about]
    context = {
        "about": about,
        "comment": comment,
        "edit": held,
        "reports": reports,
        "admin_url": absolute(reverse("admin:comments_comment_change", args=[comment.pk])),
        "queue_url": absolute(f"{reverse('admin:comments_comment_changelist')}?status={queue}"),
        "site_name": settings.SITE_NAME,
    }
    message = EmailMessage(
        subject=f"[{settings.SITE_NAME}] {subject}: {comment.article.title}",
        body=render_to_string("comments/email/moderators.txt", context),
        to=recipients,
    )
    _send(message, "the moderation notice", comment_id)


@task()
def notify_reply(comment_id: int) -> None:
    """Tell the author of the parent comment that someone replied, if their address
    confirmed answers from this discussion (comments.notifications.answers_for)."""
    from .models import Comment
    from .notifications import answers_for

    reply = Comment.objects.select_related("article", "parent").filter(pk=comment_id).first()
    if reply is None or reply.status != Comment.Status.APPROVED or reply.parent is None:
        return
    subscription = answers_for(reply)
    if subscription is None:
        return
    unsubscribe = stop_url(subscription)
    context = {
        "reply": reply,
        "parent": reply.parent,
        "reply_url": absolute(reply.get_absolute_url()),
        "unsubscribe_url": unsubscribe,
        "manage_url": absolute(reverse("comments:notifications")),
        "site_name": settings.SITE_NAME,
    }
    message = EmailMessage(
        subject=f"[{settings.SITE_NAME}] {reply.author_name} replied to your comment",
        body=render_to_string("comments/email/reply.txt", context),
        to=[subscription.subscriber.email],
        headers=unsubscribe_headers(unsubscribe),
    )
    _send_to_subscriber(message, "the reply notice", subscription.subscriber)


@task()
def purge_personal_data() -> int:
    """comments.retention.purge_personal_data for the task worker; returns how many
    replies it purged."""
    from .retention import purge_personal_data as purge

    return purge().replies


@task()
def mail_data_link(link_id: int) -> None:
    """Mail the link a reader asked for on the data page (comments.privacy). The
    same words go whether or not the address ever commented."""
    from .models import DataLink
    from .privacy import rekey

    link = DataLink.objects.filter(pk=link_id).first()
    if link is None:
        return  # erased or expired meanwhile
    token = rekey(link)
    context = {
        "link_url": absolute(reverse("comments:data", kwargs={"token": token})),
        "hours": settings.COMMENTS_DATA_LINK_HOURS,
        "site_name": settings.SITE_NAME,
    }
    message = EmailMessage(
        subject=f"[{settings.SITE_NAME}] Your data in the comments",
        body=render_to_string("comments/email/data_link.txt", context),
        to=[link.email],
    )
    try:
        message.send()
    except Exception as error:
        # Not the exception itself: its text may quote the address.
        logger.error(
            "Could not send the data link: %s", type(error).__name__, extra={"link_id": link_id}
        )
        raise RuntimeError("Could not send the data link") from None


@task()
def send_confirmation(subscription_id: int, kind: str) -> None:
    """Mail the link that confirms a subscription (comments.notifications.ask). The
    same words go to every address, whether or not it ever commented or
    confirmed before; nothing in it comes from the reader."""
    from .models import Subscription
    from .notifications import CONFIRM_MAX_AGE, confirm_token, digest_pace

    subscription = (
        Subscription.objects.select_related("subscriber", "article")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None or subscription.subscriber.stopped_at is not None:
        return  # gone, or the address stopped all mail meanwhile
    token = confirm_token(subscription, kind)
    context = {
        "article": subscription.article,
        "kind": kind,
        "pace": digest_pace(),
        "confirm_url": absolute(reverse("comments:confirm", kwargs={"token": token})),
        "days": CONFIRM_MAX_AGE // (24 * 60 * 60),
        "site_name": settings.SITE_NAME,
        # Someone else may have typed the address: one click keeps it out of
        # this discussion's mail, and the page offers to stop all mail.
        "unsubscribe_url": stop_url(subscription),
    }
    message = EmailMessage(
        subject=f"[{settings.SITE_NAME}] Confirm e-mail about “{subscription.article.title}”",
        body=render_to_string("comments/email/confirm.txt", context),
        to=[subscription.subscriber.email],
        headers=unsubscribe_headers(context["unsubscribe_url"]),
    )
    _send_to_subscriber(message, "the confirmation", subscription.subscriber)


@task()
def send_digests(article_id: int) -> int:
    """Mail the digests due to a discussion's followers (comments.notifications.
    take_digests); returns how many went. When a follower with new replies must
    wait for their next one and the task backend can run a task later, this
    task is queued again for then; otherwise `manage.py send_digests`, run
    every few minutes, sends it."""
    from .notifications import give_back, take_digests

    digests, next_due = take_digests(article_id)
    sent: set[int] = set()  # positions in digests
    if digests:
        links: dict[int, str] = {}  # one reply is in many digests
        try:
            with get_connection() as connection:
                for position, digest in enumerate(digests):
                    message = _digest_message(digest, links, connection)
                    # A failure is logged; the other followers still get theirs.
                    subscriber = digest.subscription.subscriber
                    if _send_to_subscriber(message, "a digest", subscriber, raises=False):
                        sent.add(position)
        except Exception as error:  # the mail server could not be reached at all
            logger.error("Could not send digests: %s", type(error).__name__)
        # Unsent ones wait for the next run (a bounced address gets none again).
        give_back([digest for position, digest in enumerate(digests) if position not in sent])
    if next_due is not None:
        _send_digests_at(article_id, next_due)
    return len(sent)


def _digest_message(digest, links: dict[int, str], connection) -> EmailMessage:
    subscription = digest.subscription
    article = subscription.article
    for reply in digest.replies:
        if reply.pk not in links:
            path = reverse("comments:permalink", kwargs={"slug": article.slug, "pk": reply.pk})
            links[reply.pk] = absolute(path)
    count = len(digest.replies) + digest.more
    unsubscribe = stop_url(subscription)
    context = {
        "article": article,
        "article_url": absolute(article.get_absolute_url()),
        "replies": [(reply, links[reply.pk]) for reply in digest.replies],
        "more": digest.more,
        "unsubscribe_url": unsubscribe,
        "manage_url": absolute(reverse("comments:notifications")),
        "site_name": settings.SITE_NAME,
    }
    noun = "reply" if count == 1 else "replies"
    return EmailMessage(
        subject=f"[{settings.SITE_NAME}] {count} new {noun} to “{article.title}”",
        body=render_to_string("comments/email/digest.txt", context),
        to=[subscription.subscriber.email],
        headers=unsubscribe_headers(unsubscribe),
        connection=connection,
    )


def _send_digests_at(article_id: int, when) -> None:
    backend = send_digests.get_backend()
    if not backend.supports_defer:
        return
    # One run per discussion and moment, however many replies came meanwhile; if
    # the cache cannot say, a second run finds nothing left to send.
    moment = int(when.timestamp())
    wait = max(moment - int(time.time()), 0)
    if store.add(f"digest-run:{article_id}:{moment}", 1, timeout=wait + 60) is False:
        return
    send_digests.using(run_after=when).enqueue(article_id)
