"""Responses shared between anonymous readers, keyed by content versions.

A response may be shared only when nothing in it depends on who asked: no
session (staff see drafts and banners), no flash message, no "remember me"
details, no reply of their own awaiting moderation. Keys include the version
tokens of articles.versioning, so every change makes old copies unreachable:
nothing is ever served stale, and nothing has to be deleted.

Pages that hold a form keep two per-visitor values out of the cached copy (the
CSRF token and the form's signed timestamp): placeholders are stored, and
filled in for each reader.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache, wraps
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import http_date

from articles.versioning import Version, current_version, public_article_version

# Cookies that make a response personal.
PERSONAL_COOKIES = ("messages", "newsroom_commenter", "newsroom_own_comments")
TIMEOUT = 24 * 60 * 60  # a version changes long before; this only bounds memory


def enabled() -> bool:
    return settings.NEWSROOM_SHARED_CACHE


def is_shareable(request) -> bool:
    """Whether the answer to this request is the same for every anonymous reader."""
    if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies:
        return False
    return not any(name in cookies for name in PERSONAL_COOKIES)


def address(request) -> str:
    """The absolute address asked for, as written: part of every shared copy's name.

    Cheaper than build_absolute_uri(), which decodes and encodes the query string
    on every request; two spellings of one query only make two copies.
    """
    query = request.META.get("QUERY_STRING", "")
    return f"{request.scheme}://{request.get_host()}{request.path}?{query}"


@lru_cache(maxsize=512)
def _names_in(query: str) -> frozenset[str]:
    return frozenset(name for name, _ in parse_qsl(query, keep_blank_values=True))


def asks_only_for(request, names: frozenset[str]) -> bool:
    """Whether every parameter in the query string is one of `names`."""
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return True
    if len(query) > 200:  # too long to be worth remembering
        return _names_in.__wrapped__(query) <= names
    return _names_in(query) <= names


def placeholder(name: str) -> str:
    """A stand-in no reader can type: derived from the secret key, same in every process."""
    return f"x{salted_hmac('newsroom.pagecache', name).hexdigest()[:24]}x"


class _RecentAnswers:
    """The last answers this process served, by key: an entry's key names its content
    (the version tokens are in it), so a copy kept here can never be stale. A hit
    saves the trip to the shared cache and the copy of a large body."""

    def __init__(self, size: int = 64):
        self.size = size
        self.entries: OrderedDict[str, object] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key: str, value) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


recent = _RecentAnswers()


def cached_answer(key: str):
    """The answer stored at `key`, from this process's recent answers or the shared cache."""
    value = recent.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            recent.put(key, value)
    return value


def keep_answer(key: str, value) -> None:
    cache.set(key, value, TIMEOUT)
    recent.put(key, value)


def get_or_build(key: str, build: Callable[[], object]):
    """The cached value at `key`, or `build()`'s result, stored for the next reader."""
    if not enabled():
        return build()
    value = cached_answer(key)
    if value is None:
        value = build()
        keep_answer(key, value)
    return value


def digest(version: Version, address: str) -> str:
    """Names the answer at `address` under `version`: its ETag and its cache key."""
    return hashlib.blake2b(f"{version.key}|{address}".encode(), digest_size=16).hexdigest()


def key_for(kind: str, version: Version, address: str) -> str:
    """A short cache key for the answer at `address` under `version`."""
    return f"{kind}:{digest(version, address)}"


def conditional(request, version: Version):
    """(ETag, Last-Modified, a 304 response or None) for `request` at `version`."""
    etag = f'"{digest(version, address(request))}"'
    last_modified = int(version.last_modified)
    return (
        etag,
        last_modified,
        get_conditional_response(request, etag=etag, last_modified=last_modified),
    )


def is_conditional(request) -> bool:
    meta = request.META
    return "HTTP_IF_NONE_MATCH" in meta or "HTTP_IF_MODIFIED_SINCE" in meta


def validated(response, etag: str, last_modified: int):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return response


def shared_response(request, body: bytes | str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    # Another reader's cookies would change the answer: keep caches apart per cookie.
    patch_vary_headers(response, ["Cookie"])
    return response


def shared_page(version_of: Callable[..., Version | None], params=frozenset({"page"})):
    """Serve a view's answer to anonymous readers from the cache, per content version.

    For pages without a form: the cached copy is the whole response. Requests
    with query parameters other than `params` are answered by the view alone.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not (enabled() and is_shareable(request) and asks_only_for(request, params)):
                return view(request, *args, **kwargs)
            version = version_of(**kwargs)
            if version is None:
                return view(request, *args, **kwargs)
            key = key_for("page", version, address(request))
            hit = cached_answer(key)
            if hit is not None:
                return shared_response(request, *hit)
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                if hasattr(response, "render"):
                    response.render()
                keep_answer(key, (response.content, response["Content-Type"]))
                patch_vary_headers(response, ["Cookie"])
            return response

        return wrapper

    return decorator


def site_wide(params=frozenset({"page"})):
    """For pages that change with any article or comment: listings, site feeds."""
    return shared_page(lambda **kwargs: current_version(), params)


def per_article(params=frozenset()):
    """For pages of one public article (slug in the address)."""
    return shared_page(public_article_version, params)
