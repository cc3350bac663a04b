"""Per-client rate limits, counted in windows shared by every process
(plumbing.counters): the page read limit here, the API's throttles
(plumbing.api.throttling) and the reply form's limit count the same way, by
the same client (`client_key`).

The read limit is applied beneath the shared-answer recipe, so a reader
served a shared copy is never counted; a client that makes the site render
page after page (odd host names, personal cookies, junk it hopes will miss
the cache) is told to wait with a 429 and Retry-After.
"""

from functools import wraps
from math import ceil

from django.conf import settings
from django.template.response import TemplateResponse

from . import counters
from .http import client_ip


def client_key(request) -> str:
    """Who is counted: a signed-in user by account, anyone else by address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def wait_for(request, scope: str, rate: str | None, *, client: str | None = None) -> int:
    """Count this request against `rate` ("5/min") for `scope`; the seconds the
    client must wait when it has gone over, else 0. No rate, no limit. `client`
    counts under another name than client_key's (a wider network, say)."""
    if not rate:
        return 0
    allowed, seconds = counters.parse_rate(rate)
    window = counters.hit(f"{scope}:{client or client_key(request)}", seconds)
    if window.count <= allowed:
        return 0
    return ceil(window.resets_in) or 1


_COUNTED = "_read_counted"


def limit_reads(view):
    @wraps(view)
    def limited(request, *args, **kwargs):
        user = getattr(request, "user", None)
        # Once per request: the recipe may draw a page twice (the copy for everyone,
        # then the reader's own).
        if (
            request.method in ("GET", "HEAD")
            and not (user and user.is_staff)
            and not getattr(request, _COUNTED, False)
        ):
            setattr(request, _COUNTED, True)
            wait = wait_for(request, "read-page", settings.NEWSROOM_PAGE_READ_RATE)
            if wait:
                response = TemplateResponse(request, "429.html", {"wait": wait}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return limited
