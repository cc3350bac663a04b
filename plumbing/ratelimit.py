"""A read limit for pages, like the API's: only answers made from the database count.

Applied beneath the shared-answer recipe, so a reader served a shared copy is
never counted; a client that makes the site render page after page (odd
host names, personal cookies, junk it hopes will miss the cache) is told to
wait with a 429 and Retry-After.
"""

from functools import wraps
from math import ceil

from django.conf import settings
from django.template.response import TemplateResponse

from . import counters
from .http import client_ip


def limit_reads(view):
    @wraps(view)
    def limited(request, *args, **kwargs):
        rate = settings.NEWSROOM_PAGE_READ_RATE
        user = getattr(request, "user", None)
        if rate and request.method in ("GET", "HEAD") and not (user and user.is_staff):
            allowed, seconds = counters.parse_rate(rate)
            window = counters.hit(f"read-page:{client_ip(request)}", seconds)
            if window.count > allowed:
                wait = ceil(window.resets_in) or 1
                response = TemplateResponse(request, "429.html", {"wait": wait}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return limited
