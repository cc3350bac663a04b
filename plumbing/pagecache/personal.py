"""What makes an answer personal, and the few values that differ per reader
inside a shared one.

Personal cookies are registered by the code that sets them
(`PERSONAL_COOKIE = personal_cookie("name")`), so this list can never miss
one. Django's own session and messages cookies are registered here. A
request carrying any of them, or credentials, gets an answer of its own.

A reader value (the CSRF token, a form's signed timestamp) is written into a
shared page as a placeholder and replaced for each reader when the copy is
served. A reader edit (a reply of the reader's own, their messages) is a part
of the page that a few readers see otherwise: the copy knows where it is, and
only those readers get it replaced. Placeholders and the marks of parts are
derived from the secret key, so nobody can type one into a comment.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.crypto import salted_hmac
from django.utils.functional import SimpleLazyObject

_personal_cookies: set[str] = {CookieStorage.cookie_name}


def personal_cookie(name: str) -> str:
    """Register a cookie whose presence makes a request's answer personal."""
    _personal_cookies.add(name)
    return name


def is_personal(request, *, shared_with=frozenset()) -> bool:
    """Whether the answer to `request` may depend on who sent it, apart from
    the personal cookies in `shared_with` (those a view answers through marks:
    see shows())."""
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    cookies = request.COOKIES
    if not cookies:
        return False
    if cookies.get(settings.SESSION_COOKIE_NAME):
        return True
    # An empty cookie holds nothing (a browser may send one the site deleted).
    return any(cookies.get(name) and name not in shared_with for name in _personal_cookies)


# --- Marks -------------------------------------------------------------------

_MARKS = "_pagecache_marks"


def shows(request, *marks: str) -> None:
    """Note what an answer shows that some readers' cookies concern ("discussion:12"):
    a kept copy holds the marks, and a view that shares a personal cookie
    (recipe.Shared.share_with) asks of them whether that reader needs an answer
    of their own."""
    found = getattr(request, _MARKS, None)
    if found is None:
        found = set()
        setattr(request, _MARKS, found)
    found.update(marks)


def marks_of(request) -> frozenset[str]:
    return frozenset(getattr(request, _MARKS, ()))


# --- Reader values -----------------------------------------------------------

SHARED_RENDER = "_pagecache_shared_render"
_READER_VALUES = "_pagecache_reader_values"


def is_shared_render(request) -> bool:
    """Whether the answer being made will be kept for every anonymous reader."""
    return getattr(request, SHARED_RENDER, False)


def mark_reader_values(request) -> None:
    """The answer to `request` holds values of its reader's own, or placeholders."""
    setattr(request, _READER_VALUES, True)


def has_reader_values(request) -> bool:
    """Whether the answer to `request` holds values of its reader's own (or their
    placeholders): then no cache but the reader's may keep it."""
    return getattr(request, _READER_VALUES, False)


_ARGUMENT = re.compile(r"[0-9a-z]*")


def _secret_mark(letter: str, salt: str, name: str) -> str:
    """The start of a placeholder or a part's marks: derived from the secret key, so
    nobody can type one into a comment; letters and digits, which HTML escaping
    leaves as they are."""
    return f"{letter}{salted_hmac(salt, name).hexdigest()[:20]}"


class ReaderValue:
    """A value that differs per reader, computed by `fill(request, argument)`."""

    def __init__(self, name: str, fill: Callable[[object, str], str]):
        self.name = name
        self.fill = fill
        _reader_values[name] = self

    @cached_property
    def prefix(self) -> str:
        return f"{_secret_mark('x', 'plumbing.pagecache', self.name)}_"

    def placeholder(self, argument: str = "") -> str:
        if not _ARGUMENT.fullmatch(argument):
            raise ValueError("A reader value's argument is made of lower-case letters and digits.")
        return f"{self.prefix}{argument}_"

    def __call__(self, request, argument: str = "") -> str:
        """The value for this reader, or its placeholder in a shared answer."""
        mark_reader_values(request)
        if is_shared_render(request):
            return self.placeholder(str(argument))
        return self.fill(request, str(argument))


_reader_values: dict[str, ReaderValue] = {}

_CSRF_CHARS = CSRF_ALLOWED_CHARS
_CSRF_INDEX = {char: index for index, char in enumerate(_CSRF_CHARS)}
# The largest multiple of the alphabet's size a byte can hold: bytes above it are
# dropped, so every character is equally likely.
_CSRF_BYTES_BELOW = 256 - 256 % len(_CSRF_CHARS)


def _random_csrf_chars(count: int) -> str:
    chars: list[str] = []
    while len(chars) < count:
        chars += [
            _CSRF_CHARS[byte % len(_CSRF_CHARS)]
            for byte in secrets.token_bytes(2 * count)
            if byte < _CSRF_BYTES_BELOW
        ]
    return "".join(chars[:count])


def _csrf_token(request, argument: str = "") -> str:
    """django.middleware.csrf.get_token(request), made the way it is made (a
    secret kept for the cookie, a fresh mask, the secret shifted by the mask),
    with its random characters drawn in one read of the system's randomness
    rather than one read per character: for a new reader, 64 reads were most
    of the time of serving a shared page. The CSRF middleware checks these
    tokens like its own (tests hold the two together)."""
    meta = request.META
    secret = meta.get("CSRF_COOKIE")
    if secret is None:
        secret = meta["CSRF_COOKIE"] = _random_csrf_chars(CSRF_SECRET_LENGTH)
    # Sent back (again) with the answer, as get_token has it.
    meta["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_csrf_chars(CSRF_SECRET_LENGTH)
    size = len(_CSRF_CHARS)
    cipher = "".join(
        _CSRF_CHARS[(_CSRF_INDEX[s] + _CSRF_INDEX[m]) % size]
        for s, m in zip(secret, mask, strict=True)
    )
    return mask + cipher


csrf_token = ReaderValue("csrf", _csrf_token)


def slots_in(body: bytes) -> tuple:
    """`body` cut at its placeholders: the bytes between them, and (value name,
    argument) where each stood; () when it has none. Filling the pieces joins
    them once, where replacing each placeholder would copy the body each time."""
    found = []
    for value in _reader_values.values():
        prefix = value.prefix.encode()
        if prefix not in body:
            continue
        for match in re.finditer(re.escape(prefix) + rb"([0-9a-z]*)_", body):
            found.append((match.start(), match.end(), value.name, match.group(1).decode()))
    if not found:
        return ()
    pieces: list = []
    last = 0
    for start, end, name, argument in sorted(found):
        pieces += [body[last:start], (name, argument)]
        last = end
    pieces.append(body[last:])
    return tuple(pieces)


def fill(request, body, slots=None):
    """`body` (bytes or text) with each placeholder replaced by this reader's value;
    `slots` is slots_in(body) when it is known. Each value is made once."""
    mark_reader_values(request)
    is_text = isinstance(body, str)
    pieces = slots_in(body.encode() if is_text else body) if slots is None else slots
    if not pieces:
        return body
    values: dict[tuple[str, str], bytes] = {}
    parts = []
    for piece in pieces:
        if isinstance(piece, bytes):
            parts.append(piece)
            continue
        value = values.get(piece)
        if value is None:
            name, argument = piece
            value = values[piece] = _reader_values[name].fill(request, argument).encode()
        parts.append(value)
    data = b"".join(parts)
    return data.decode() if is_text else data


def context_processor(request):
    """In a shared render, templates get the CSRF token's placeholder, made only if
    a template asks for it: a page without a form stays the same for everyone."""
    if is_shared_render(request):
        return {"csrf_token": SimpleLazyObject(lambda: csrf_token(request))}
    return {}


# --- Reader edits ------------------------------------------------------------


class ReaderEdit:
    """A part of a shared page that a few readers see otherwise: their own reply
    (which they may edit and cannot recommend), a message for them alone.

    A shared render draws the part as every reader sees it, wrapped by
    `wrap(argument, html)`; the kept copy holds the page without the wrapping,
    and where each part is (cut_edits). A reader for whom `concerns(request)`
    holds (a cheap look at their cookies: most readers have none of them) gets
    the copy with each part for which `edit(request, argument)` gives a string
    replaced by it (edited); everyone else gets the copy as it is, at no cost.
    Parts hold no reader values, and a part inside another is left as it is.
    """

    def __init__(
        self,
        name: str,
        concerns: Callable[[object], bool],
        edit: Callable[[object, str], str | None],
        *,
        below_middleware: bool = False,
    ):
        self.name = name
        self.concerns = concerns
        self.edit = edit
        # Whether `edit` reads what the middleware below the shared answers sets up
        # (the messages): its readers are then answered from there.
        self.below_middleware = below_middleware
        _reader_edits[name] = self

    @cached_property
    def prefix(self) -> str:
        return _secret_mark("y", "plumbing.pagecache.edit", self.name)

    def wrap(self, argument: str, html: str) -> str:
        """`html` marked as this part, for the readers `argument` concerns."""
        if not _EDIT_ARGUMENT.fullmatch(argument):
            raise ValueError("A reader edit's argument is made of letters, digits, - and _.")
        return f"{self.prefix}[{argument}]{html}{self.prefix}[/]"


_reader_edits: dict[str, ReaderEdit] = {}
_EDIT_ARGUMENT = re.compile(r"[-\w]*", re.ASCII)


def cut_edits(body: bytes) -> tuple[bytes, tuple]:
    """`body` without the wrapping of its parts, and where each part is in it:
    (edit name, argument, start, end); () when it has none."""
    found = []
    for edit in _reader_edits.values():
        prefix = re.escape(edit.prefix.encode())
        if edit.prefix.encode() not in body:
            continue
        for match in re.finditer(prefix + rb"\[([-\w]*)\](.*?)" + prefix + rb"\[/\]", body, re.S):
            found.append((match.start(), match.end(), edit.name, match[1].decode(), match[2]))
    if not found:
        return body, ()
    pieces, edits, last, length = [], [], 0, 0
    for start, end, name, argument, inner in sorted(found):
        if start < last:  # marks that overlap are none of ours: left as they are
            continue
        pieces += [body[last:start], inner]
        length += start - last
        edits.append((name, argument, length, length + len(inner)))
        length += len(inner)
        last = end
    pieces.append(body[last:])
    return b"".join(pieces), tuple(edits)


def concerned(request) -> bool:
    """Whether some reader edit may apply to `request`'s reader."""
    return any(edit.concerns(request) for edit in _reader_edits.values())


def needs_middleware(request) -> bool:
    """Whether a reader edit that may apply to `request`'s reader reads what the
    middleware below the shared answers sets up."""
    return any(edit.below_middleware and edit.concerns(request) for edit in _reader_edits.values())


def edited(request, body: bytes, edits: tuple) -> bytes | None:
    """`body` with the parts `request`'s reader sees otherwise, or None if there
    are none: then the copy is theirs as it is."""
    wanted = {name for name, edit in _reader_edits.items() if edit.concerns(request)}
    pieces, last = [], 0
    for name, argument, start, end in edits:
        if name not in wanted:
            continue
        replacement = _reader_edits[name].edit(request, argument)
        if replacement is not None:
            pieces += [body[last:start], replacement.encode()]
            last = end
    if not pieces:
        return None
    pieces.append(body[last:])
    return b"".join(pieces)


def unslotted(slots: tuple) -> bytes:
    """The body that slots_in() cut into `slots`, placeholders and all."""
    return b"".join(
        piece
        if isinstance(piece, bytes)
        else _reader_values[piece[0]].placeholder(piece[1]).encode()
        for piece in slots
    )
