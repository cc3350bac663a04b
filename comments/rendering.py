"""The HTML of a comment thread, written directly rather than by the template engine.

A thread of 200 comments took the template engine about 25 ms (some twenty
variable look-ups and filters per comment); this takes about 2 ms, so a page
drawn from scratch stays fast. The markup is what templates/comments
would produce, and every value a reader typed is escaped here: only
`body_html`, sanitized when it was written, goes out as it is.
"""

from __future__ import annotations

import time
from html import escape

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString

from plumbing.ids import parse_id
from plumbing.pagecache.personal import ReaderEdit

from . import cookies
from .models import Comment
from .paths import comment_path
from .threads import Thread


def _when(created_at, zone, months: dict[int, str]) -> tuple[str, str]:
    """(ISO 8601, "27 November 2026, 08:09") in the site's time zone."""
    local = created_at.astimezone(zone)
    shown = f"{local.day} {months[local.month]} {local.year}, {local.hour:02}:{local.minute:02}"
    return local.isoformat(), shown


# What a placeholder says, by the status of the comment it stands for.
GONE = {
    Comment.Status.DELETED: "This reply was deleted by its author.",
}
GONE_OTHERWISE = "This comment is no longer available."

# Beside the name of a reply a signed-in member of staff posted.
ROLE_BADGES = {
    role: f'<span class="badge comment-role-badge">{label}</span> '
    for role, label in Comment.Role.choices
    if role
}


def _own_links(slug: str, pk: int, *, editable: bool) -> str:
    """Edit (while the article takes replies) and Delete, for the author of a reply
    still within the edit window."""
    edit = (
        f'<a class="me-1" href="{comment_path("comments:edit").path(slug, pk)}" '
        'aria-label="Edit your reply">Edit</a> '
        if editable
        else ""
    )
    return (
        f'<span class="comment-own-actions small ms-2">{edit}'
        f'<a href="{comment_path("comments:delete").path(slug, pk)}" '
        'aria-label="Delete your reply">Delete</a></span>'
    )


RECOMMEND_FORM = "recommend"


def _recommendations(count: int) -> str:
    if not count:
        return ""
    return (
        f'<span class="comment-recommendations">{count} '
        f"recommendation{'' if count == 1 else 's'}</span>"
    )


def _own_reply(request, argument: str) -> str | None:
    """What the author of a reply sees of it on a page kept for every reader (the
    parts render_thread wraps): no Recommend button ("r<id>"), and Edit and
    Delete until the edit window closes ("e<id>-<deadline>-<open|closed>-<slug>")."""
    kind, rest = argument[:1], argument[1:]
    own = cookies.own_comment_ids(request)
    if kind == "r":
        return "" if parse_id(rest) in own else None
    pk, deadline, state, slug = [*rest.split("-", 3), "", "", ""][:4]
    pk = parse_id(pk)
    if pk not in own or not deadline.isdigit() or time.time() >= int(deadline):
        return None
    return _own_links(slug, pk, editable=state == "open")


OWN_REPLY = ReaderEdit(
    "own-reply",
    concerns=lambda request: bool(request.COOKIES.get(cookies.OWN_COOKIE)),
    edit=_own_reply,
)


def render_thread(
    thread: Thread,
    *,
    comments_open: bool,
    article_slug: str = "",
    csrf: str = "",
    shared: bool = False,
) -> SafeString:
    """The current page of `thread` as nested lists, one <li id="comment-N"> each.

    With `csrf` (the reader's token, or its placeholder) each published reply
    has a Recommend button; without it, only its count (none while it is 0).
    The thread is then one form, which carries the token and the page's order
    once; each button names its comment.

    `shared`: the page is kept for every reader, and the parts its author sees
    otherwise are marked (OWN_REPLY).
    """
    if not thread.entries:
        return SafeString("")
    page_query = escape(thread.page_query)
    reply_query = escape(thread.reply_query)
    months = {number: str(name) for number, name in MONTHS.items()}  # translated once
    zone = timezone.get_current_timezone()
    reports = comment_path("comments:report") if article_slug else None
    recommends = bool(article_slug and csrf)
    edit_minutes = settings.COMMENTS_EDIT_MINUTES
    parts = []
    if recommends:
        # The thread is the form: the buttons in it need no more than a name.
        action = reverse("comments:recommend", args=[article_slug]) + page_query
        parts.append(
            f'<form id="{RECOMMEND_FORM}" method="post" action="{action}">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf)}">'
        )
    parts.append('<ol class="comment-list list-unstyled">')
    for entry in thread.entries:
        comment = entry.comment
        pk = comment.pk
        classes = f"comment depth-{entry.depth}"
        if entry.placeholder:
            classes += " comment-placeholder"
        if entry.awaiting_moderation:
            classes += " comment-pending"
        parts.append(f'<li id="comment-{pk}" class="{classes}">')
        if entry.placeholder:
            parts.append(
                '<p class="comment-gone text-body-secondary fst-italic">'
                f"{GONE.get(comment.status, GONE_OTHERWISE)}</p>"
            )
        else:
            name = escape(comment.author_name)
            if comment.author_url:
                author = (
                    f'<a href="{escape(comment.author_url)}" rel="nofollow ugc noopener">{name}</a>'
                )
            else:
                author = name
            iso, shown = _when(comment.created_at, zone, months)
            parts.append(
                f'<article class="comment-body" aria-labelledby="comment-{pk}-author">'
                '<header class="comment-meta small mb-1">'
                '<span class="comment-author fw-semibold" '
                f'id="comment-{pk}-author">{author}</span> '
                f"{ROLE_BADGES.get(comment.author_role, '')}"
                '<a class="comment-permalink text-body-secondary" '
                f'href="{page_query}#comment-{pk}"><time datetime="{iso}">{shown}</time></a>'
            )
            if comment.edited_at is not None:
                iso, shown = _when(comment.edited_at, zone, months)
                parts.append(
                    ' <span class="comment-edited text-body-secondary">'
                    f'(edited <time datetime="{iso}">{shown}</time>)</span>'
                )
            if comment.picked_at is not None and comment.status == Comment.Status.APPROVED:
                parts.append(' <span class="badge comment-pick-badge">Editors&rsquo; pick</span>')
            if entry.awaiting_moderation:
                parts.append(' <span class="badge text-bg-warning">Awaiting moderation</span>')
            parts.append(f'</header><div class="comment-text">{comment.body_html}</div>')
            if comments_open and not entry.awaiting_moderation:
                parts.append(
                    '<a class="comment-reply-link small" '
                    f'href="{reply_query}replytocom={pk}#respond" '
                    f'aria-label="Reply to {name}">Reply</a>'
                )
            if entry.awaiting_moderation:
                pass
            elif recommends and not entry.own:
                button = (
                    f'<button name="comment" value="{pk}" '
                    'class="comment-recommend" '
                    f'aria-label="Recommend the reply of {name}">Recommend</button>'
                )
                parts.append(OWN_REPLY.wrap(f"r{pk}", button) if shared else button)
                parts.append(_recommendations(comment.recommendations))
            else:
                parts.append(_recommendations(comment.recommendations))
            if reports is not None and not entry.awaiting_moderation:
                parts.append(
                    '<a class="comment-report-link small ms-2" '
                    f'href="{reports.path(article_slug, pk)}" rel="nofollow" '
                    f'aria-label="Report the reply of {name}">Report</a>'
                )
            if entry.editable and article_slug:
                parts.append(_own_links(article_slug, pk, editable=comments_open))
            elif shared and edit_minutes and article_slug:
                # Whole seconds, rounded down: the links go no later than the window.
                deadline = int(Comment.edit_deadline_after(comment.created_at).timestamp())
                state = "open" if comments_open else "closed"
                parts.append(OWN_REPLY.wrap(f"e{pk}-{deadline}-{state}-{article_slug}", ""))
            parts.append("</article>")
        parts.append('<ol class="children list-unstyled">' if entry.has_children else "</li>")
        parts.append("</ol></li>" * len(entry.closes))
    parts.append("</ol></form>" if recommends else "</ol>")
    return SafeString("".join(parts))
