from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from plumbing.http import client_ip
from plumbing.ratelimit import client_key, wait_for


class FixedWindowThrottle(SimpleRateThrottle):
    """Counts a client's requests per time window (plumbing.counters).

    DRF's own throttles keep every request's timestamp, which is fine for a few
    posts a minute but heavy for hundreds of reads; a counter costs the same
    whatever the rate. Clients are told how long to wait (Retry-After). A
    client is who plumbing.ratelimit.client_key says, by the site's one reading
    of the client's address, so a scope the reply form also counts
    (comments.views.POSTING_LIMITS) is one budget for both.
    """

    setting: str = ""

    def __init__(self):
        # SimpleRateThrottle reads the rate in __init__; ours is read per request,
        # so the setting can change without a restart.
        self.waiting = 0

    def get_rate(self):
        return getattr(settings, self.setting)

    def get_ident(self, request):
        return client_ip(request)

    def get_cache_key(self, request, view):
        return f"{self.scope}:{client_key(request)}"

    def allow_request(self, request, view):
        self.waiting = wait_for(request, self.scope, self.get_rate())
        return not self.waiting

    def wait(self):
        return self.waiting


class ReadThrottle(FixedWindowThrottle):
    """API reads that reach the database; answers from the shared cache are free."""

    scope = "read"
    setting = "NEWSROOM_API_READ_RATE"

    def allow_request(self, request, view):
        # Writes have their own, stricter throttles.
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
