"""Facts about the client of a request."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The reader's address: REMOTE_ADDR, or the one our own proxies recorded.

    With DJANGO_NUM_PROXIES = n, the n-th address from the right of
    X-Forwarded-For is the client as our first proxy saw it; anything further
    left was written by the client and cannot be trusted.
    """
    candidate = request.META.get("REMOTE_ADDR", "")
    if settings.NUM_PROXIES:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= settings.NUM_PROXIES:
            candidate = forwarded[-settings.NUM_PROXIES]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def wants_json(request) -> bool:
    """Whether an error should be answered as JSON: API addresses and JSON clients."""
    return request.path.startswith("/api/") or "json" in request.headers.get("accept", "")
