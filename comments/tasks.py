"""E-mail sent after a reply is saved. Each task loads by id and sends one message.

With the default immediate backend they run right after the transaction
commits; with DJANGO_TASKS_BACKEND=database a `manage.py db_worker` process
sends them, so a slow mail server never slows down a reader's post.
"""

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

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
    """Tell the author of the parent comment that someone replied, if they asked."""
    from .models import Comment

    reply = Comment.objects.select_related("article", "parent").filter(pk=comment_id).first()
    if reply is None or reply.status != Comment.Status.APPROVED or reply.parent is None:
        return
    parent = reply.parent
    if not parent.notify_on_reply or parent.author_email == reply.author_email:
        return
    unsubscribe = unsubscribe_url(parent.pk)
    context = {
        "reply": reply,
        "parent": parent,
        "reply_url": absolute(reply.get_absolute_url()),
        "unsubscribe_url": unsubscribe,
        "site_name": settings.SITE_NAME,
    }
    message = EmailMessage(
        subject=f"[{settings.SITE_NAME}] {reply.author_name} replied to your comment",
        body=render_to_string("comments/email/reply.txt", context),
        to=[parent.author_email],
        headers={
            # One-click unsubscribe from the mail client (RFC 8058).
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    _send(message, "the reply notice", comment_id)


@task()
def purge_personal_data() -> int:
    """comments.retention.purge_personal_data for the task worker; returns how many
    replies it purged."""
    from .retention import purge_personal_data as purge

    return purge().replies
