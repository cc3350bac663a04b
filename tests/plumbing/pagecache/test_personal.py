"""What differs per reader in shared pages: the CSRF token made for each reader, and
the parts a few readers see otherwise."""

from collections import Counter

import pytest
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_TOKEN_LENGTH,
    _unmask_cipher_token,
)
from django.test import RequestFactory

from plumbing.pagecache.personal import (
    ReaderEdit,
    concerned,
    csrf_token,
    cut_edits,
    edited,
    fill,
    slots_in,
)


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


# --- Reader edits: parts a few readers see otherwise ---------------------------

NOTE = ReaderEdit(
    "test-note",
    concerns=lambda request: "note" in request.COOKIES,
    edit=lambda request, argument: (
        f"[note for {argument}]" if request.COOKIES["note"] == argument else None
    ),
)


def marked_page() -> bytes:
    return (
        f"<p>one{NOTE.wrap('a1', '<b>A</b>')}</p>"
        f"<p>{csrf_token.placeholder()}</p>"
        f"<p>two{NOTE.wrap('b2', '')}</p>"
    ).encode()


def test_a_page_is_kept_without_the_marks_of_its_parts_and_knows_where_they_are():
    body, edits = cut_edits(marked_page())

    assert body == f"<p>one<b>A</b></p><p>{csrf_token.placeholder()}</p><p>two</p>".encode()
    assert [(name, argument, body[start:end]) for name, argument, start, end in edits] == [
        ("test-note", "a1", b"<b>A</b>"),
        ("test-note", "b2", b""),
    ]


def test_only_the_parts_that_concern_a_reader_change_for_them():
    body, edits = cut_edits(marked_page())
    reader = RequestFactory().get("/")
    reader.COOKIES["note"] = "b2"
    stranger = RequestFactory().get("/")

    assert edited(reader, body, edits) == body.replace(b"two", b"two[note for b2]")
    assert edited(stranger, body, edits) is None  # the copy as it is
    assert not concerned(stranger)


def test_a_parts_argument_cannot_break_out_of_its_marks():
    with pytest.raises(ValueError, match="argument"):
        NOTE.wrap("a]b", "")


def test_a_page_without_parts_is_kept_as_it_is():
    page = b"<p>" + csrf_token.placeholder().encode() + b"</p>"

    assert cut_edits(page) == (page, ())


def test_a_part_inside_another_is_left_as_it_is():
    other = ReaderEdit("test-other", concerns=lambda request: False, edit=lambda r, a: None)
    inner = other.wrap("b", "y")

    body, edits = cut_edits(NOTE.wrap("a1", f"x{inner}z").encode())

    assert [(name, body[start:end]) for name, _, start, end in edits] == [
        ("test-note", f"x{inner}z".encode())
    ]
