from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from plumbing import counters


class FixedWindowThrottle(SimpleRateThrottle):
    """Counts a client's requests per time window (plumbing.counters).

    DRF's own throttles keep every request's timestamp, which is fine for a few
    posts a minute but heavy for hundreds of reads; a counter costs the same
    whatever the rate. Clients are told how long to wait (Retry-After).
    """

    setting: str = ""

    def __init__(self):
        # SimpleRateThrottle reads the rate in __init__; ours is read per request,
        # so the setting can change without a restart.
        self.resets_in = 0.0

    def get_rate(self):
        return getattr(settings, self.setting)

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return f"{self.scope}:user:{request.user.pk}"
        return f"{self.scope}:ip:{self.get_ident(request)}"

    def allow_request(self, request, view):
        rate = self.get_rate()
        if not rate:
            return True
        self.num_requests, self.duration = counters.parse_rate(rate)
        window = counters.hit(self.get_cache_key(request, view), self.duration)
        self.resets_in = window.resets_in
        return window.count <= self.num_requests

    def wait(self):
        return self.resets_in


class ReadThrottle(FixedWindowThrottle):
    """API reads that reach the database; answers from the shared cache are free."""

    scope = "read"
    setting = "NEWSROOM_API_READ_RATE"

    def allow_request(self, request, view):
        # Writes have their own, stricter throttles.
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
