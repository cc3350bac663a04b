import logging

import pytest
from django.test import RequestFactory

from plumbing import http
from plumbing.http import client_ip, parse_ip


@pytest.mark.parametrize(
    ("written", "address"),
    [
        ("203.0.113.9", "203.0.113.9"),
        (" 203.0.113.9 ", "203.0.113.9"),
        ("203.0.113.9:51234", "203.0.113.9"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        # A dual-stack listener writes IPv4 clients this way; they are IPv4 clients.
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("[::ffff:198.51.100.7]:80", "198.51.100.7"),
        ("fe80::1%eth0", "fe80::1"),
        ("[fe80::1%25eth0]:80", "fe80::1"),
        ("\u0661\u0662.0.0.1:80", None),  # Arabic-Indic digits are not an address
        ("unknown", None),
        ("", None),
        ("203.0.113.9:port", None),
        ("[203.0.113.9", None),
        ("999.1.1.1", None),
    ],
)
def test_parse_ip(written, address):
    assert parse_ip(written) == address


def request(remote="10.0.0.2", forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_the_client_is_what_our_own_proxy_recorded(settings):
    settings.NUM_PROXIES = 1

    # The client may write anything to the left; our proxy appends the real peer.
    assert client_ip(request(forwarded="1.2.3.4, 203.0.113.9:5123")) == "203.0.113.9"
    assert client_ip(request(forwarded="[2001:db8::7]:443")) == "2001:db8::7"


def test_without_proxies_the_header_is_ignored(settings):
    settings.NUM_PROXIES = 0

    assert client_ip(request(remote="::ffff:203.0.113.9", forwarded="1.2.3.4")) == "203.0.113.9"


def test_an_unreadable_address_is_logged_once_as_a_misconfiguration(settings, caplog, monkeypatch):
    settings.NUM_PROXIES = 1
    monkeypatch.setattr(http._misconfigured, "warned", False)

    with caplog.at_level(logging.ERROR, logger="plumbing.http"):
        answers = [client_ip(request(forwarded="garbage")) for _ in range(3)]

    assert answers == [None, None, None]
    (record,) = caplog.records
    assert "DJANGO_NUM_PROXIES" in record.getMessage()
