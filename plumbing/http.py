"""Facts about the client of a request."""

import ipaddress
import logging
import re

from django.conf import settings

logger = logging.getLogger(__name__)

# "[2001:db8::1]:443" or "[2001:db8::1]", and "192.0.2.1:443": what proxies write
# when they add the client's port.
_BRACKETED = re.compile(r"\[([^\]]*)\](?::[0-9]{1,5})?")
_IPV4_WITH_PORT = re.compile(r"([0-9]{1,3}(?:\.[0-9]{1,3}){3}):[0-9]{1,5}")


def parse_ip(text: str) -> str | None:
    """An address in its one canonical spelling, or None when `text` is not one.

    Takes a port after it and IPv6 brackets, drops an IPv6 zone (`%eth0`,
    which no database column takes), and turns IPv4-mapped IPv6
    (`::ffff:192.0.2.1`, from a dual-stack listener) into the IPv4 address it is.
    """
    text = text.strip()
    bracketed = _BRACKETED.fullmatch(text) or _IPV4_WITH_PORT.fullmatch(text)
    if bracketed:
        text = bracketed.group(1)
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6:
        if address.scope_id:
            address = ipaddress.IPv6Address(text.partition("%")[0])
        if address.ipv4_mapped:
            address = address.ipv4_mapped
    return str(address)


class _Misconfigured:
    """Says once per process that the client's address could not be read."""

    warned = False

    def report(self, written: str) -> None:
        if not self.warned:
            self.warned = True
            logger.error(
                "The client's address %r is not an IP address: check DJANGO_NUM_PROXIES "
                "and what the proxy writes in X-Forwarded-For. Until then, every such "
                "client shares one address for rate limits and floods.",
                written[:100],
            )


_misconfigured = _Misconfigured()


def client_ip(request) -> str | None:
    """The reader's address: REMOTE_ADDR, or the one our own proxies recorded.

    With DJANGO_NUM_PROXIES = n, the n-th address from the right of
    X-Forwarded-For is the client as our first proxy saw it; anything further
    left was written by the client and cannot be trusted. The one answer for
    every part of the site that asks: the flood rule, throttles and read
    limits, the admin's lockouts (django-axes) and the comment's record.
    None when what was written is not an address, which is logged.
    """
    written = request.META.get("REMOTE_ADDR", "")
    if settings.NUM_PROXIES:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= settings.NUM_PROXIES:
            written = forwarded[-settings.NUM_PROXIES]
    address = parse_ip(written)
    if address is None:
        _misconfigured.report(written)
    return address


def wants_json(request) -> bool:
    """Whether an error should be answered as JSON: API addresses and JSON clients."""
    return request.path.startswith("/api/") or "json" in request.headers.get("accept", "")
