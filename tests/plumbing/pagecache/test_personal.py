"""The reader values filled into shared pages: the CSRF token made for each reader."""

from collections import Counter

from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_TOKEN_LENGTH,
    _unmask_cipher_token,
)
from django.test import RequestFactory

from plumbing.pagecache.personal import csrf_token, fill, slots_in


def test_a_new_reader_gets_a_secret_for_the_cookie_and_a_token_that_unmasks_to_it():
    request = RequestFactory().get("/")

    token = csrf_token(request)

    secret = request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert len(token) == CSRF_TOKEN_LENGTH
    assert set(token) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret


def test_a_returning_reader_keeps_their_secret_under_a_new_mask():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = "a" * 32

    first, second = csrf_token(request), csrf_token(request)

    assert first != second
    assert _unmask_cipher_token(first) == _unmask_cipher_token(second) == "a" * 32


def test_every_character_is_drawn_about_equally_often():
    request = RequestFactory().get("/")
    drawn = Counter()
    for _ in range(2000):
        request.META.pop("CSRF_COOKIE", None)
        csrf_token(request)
        drawn.update(request.META["CSRF_COOKIE"])

    expected = 2000 * 32 / len(CSRF_ALLOWED_CHARS)  # about 1032 each
    assert set(drawn) == set(CSRF_ALLOWED_CHARS)
    assert all(0.8 * expected < n < 1.2 * expected for n in drawn.values()), drawn


def test_a_body_is_cut_at_its_placeholders_and_filled_once_per_value():
    placeholder = csrf_token.placeholder().encode()
    body = b"<form>" + placeholder + b"</form><form>" + placeholder + b"</form>"
    request = RequestFactory().get("/")

    pieces = slots_in(body)
    filled = fill(request, body, pieces)

    assert pieces[0] == b"<form>"
    assert pieces[-1] == b"</form>"
    token = filled[6:70].decode()
    assert filled == b"<form>" + token.encode() + b"</form><form>" + token.encode() + b"</form>"
    assert slots_in(b"<p>nothing to fill</p>") == ()
