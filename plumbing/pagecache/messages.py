"""Django's flash messages in pages kept for every reader.

A view that shares the messages cookie (`Shared.share_with(MESSAGES_COOKIE,
messages_need_own)`) serves its readers the kept copy, with their messages
drawn where the page shows messages (the site's `_messages.html`), read as
the copy is served so the messages middleware deletes them. A message added
with `extra_tags=OWN_PAGE` (about something the copy may show late, a count
read as versions.Lagging) gets its reader a page of their own instead.
"""

from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .personal import ReaderEdit, is_shared_render

MESSAGES_COOKIE = CookieStorage.cookie_name
OWN_PAGE = "own-page"
TEMPLATE = "_messages.html"


def _drawn(request, argument: str) -> str | None:
    messages = get_messages(request)
    if not messages:
        return None
    return render_to_string(TEMPLATE, {"messages": messages})


MESSAGES = ReaderEdit(
    "messages",
    concerns=lambda request: bool(request.COOKIES.get(MESSAGES_COOKIE)),
    edit=_drawn,
    below_middleware=True,  # the messages middleware reads and deletes them
)


def messages_need_own(request, marks) -> bool:
    """The share_with() rule of the messages cookie: whether one of the reader's
    messages was added with extra_tags=OWN_PAGE. Read from a storage of its own,
    so the messages are still there for the page."""
    return any(OWN_PAGE in (message.extra_tags or "").split() for message in CookieStorage(request))


def context_processor(request):
    """In a shared render, the place of the messages (`messages_part`), which a
    reader who has some gets them drawn into; elsewhere templates draw `messages`."""
    if is_shared_render(request):
        return {"messages_part": SafeString(MESSAGES.wrap("", ""))}
    return {}
