"""The recipe a view opts into: `Shared(depends_on=..., params=...)`.

One object decides everything about an answer for anonymous readers: whether
it is personal, what names it (the site, the content versions, the path and
the canonical query), its ETag and Last-Modified, a 304, the shared copy, and
the headers that say who may keep it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from . import copies, versions
from .params import AllParams, APIParams, Query
from .personal import (
    SHARED_RENDER,
    concerned,
    cut_edits,
    edited,
    fill,
    has_reader_values,
    is_personal,
    marks_of,
    slots_in,
)
from .release import fingerprint

LOOKUP = "_pagecache_lookup"
# A shared copy keeps none of these: each answer has its own.
_NOT_KEPT = frozenset({"content-length", "date", "expires", "set-cookie"})


def enabled() -> bool:
    """Whether copies are kept (NEWSROOM_SHARED_CACHE); validators work either way."""
    return settings.NEWSROOM_SHARED_CACHE


@lru_cache(maxsize=4)
def _canonical(site_url: str) -> tuple[str, str]:
    parts = urlsplit(site_url)
    return parts.scheme, parts.netloc


_hosts_seen: dict[tuple, bool] = {}


def is_canonical_host(request) -> bool:
    """Whether the request reached the site at its own address (NEWSROOM_SITE_URL).

    Answers hold absolute links, so only answers made for that address are
    shared; another allowed name or port gets its own answer, never kept.
    The answer depends on nothing but the headers that name the host and the
    settings, so it is remembered for each combination seen.
    """
    meta = request.META
    seen = (
        request.scheme,
        meta.get("HTTP_HOST"),
        meta.get("HTTP_X_FORWARDED_HOST"),
        meta.get("SERVER_NAME"),
        meta.get("SERVER_PORT"),
        settings.SITE_URL,
        settings.USE_X_FORWARDED_HOST,
        tuple(settings.ALLOWED_HOSTS),
    )
    canonical = _hosts_seen.get(seen)
    if canonical is None:
        scheme, netloc = _canonical(settings.SITE_URL)
        try:
            canonical = request.scheme == scheme and request.get_host() == netloc
        except DisallowedHost:
            canonical = False
        if len(_hosts_seen) >= 256:  # odd hosts from strangers: forget, never grow
            _hosts_seen.clear()
        _hosts_seen[seen] = canonical
    return canonical


@dataclass
class Lookup:
    """What the recipe found out about a request, before the view runs."""

    personal: bool = False
    version: versions.Version | None = None
    query: Query | None = None
    etag: str = ""
    key: str = ""
    keeps: bool = False  # whether the answer may be stored
    copy: copies.Copy | None = None
    # The share_with() rules of the personal cookies the reader carries: asked
    # of a copy's marks before it is theirs.
    rules: tuple = ()


def _never(request, marks) -> bool:
    return False


class Shared:
    """How a view's answers are shared among anonymous readers.

    `depends_on(**url_kwargs)` names the content scopes the answer shows (the
    epoch is always added); `params` tells which query parameters vary it
    (params.FormParams, params.APIParams; None when none do). Apply it to a
    view function, or set it as `shared` on a class-based view with SharedView.
    """

    def __init__(self, depends_on: Callable[..., Sequence[str | versions.Lagging]], *, params=None):
        self.depends_on = depends_on
        self.params = params
        self.shared_with: dict[str, Callable[[object, frozenset[str]], bool]] = {}

    def share_with(
        self, cookie: str, needs_own: Callable[[object, frozenset[str]], bool] | None = None
    ):
        """Serve readers who carry personal `cookie` the shared copy too, unless
        `needs_own(request, marks)` says it shows something of theirs (`marks`:
        what the page noted with personal.shows() when the copy was made); without
        `needs_own`, it never does (what the cookie holds is a reader value, or a
        part drawn for them: personal.ReaderEdit). Where no copy is kept yet, their
        request makes it, drawn as for everyone: in a shared render
        (personal.is_shared_render) the view ignores the cookie. Whenever
        `needs_own` says so, the reader gets their own answer."""
        self.shared_with[cookie] = needs_own or _never

    def vary_with(self, params) -> None:
        """Add the parameters of a part of the page that another app draws (the
        discussion under an article, say)."""
        self.params = params if self.params is None else AllParams(self.params, params)

    def also_depends_on(self, depends_on: Callable[..., Sequence[str | versions.Lagging]]):
        """Add the scopes of a part of the page that another app draws."""
        first = self.depends_on
        self.depends_on = lambda **kwargs: [*first(**kwargs), *depends_on(**kwargs)]

    def __call__(self, view):
        @wraps(view)
        def shared_view(request, *args, **kwargs):
            return self.answer(request, view, *args, **kwargs)

        shared_view.pagecache = self
        return shared_view

    def look_up(self, request, kwargs) -> Lookup:
        if request.method not in ("GET", "HEAD"):
            return Lookup()
        if is_personal(request, shared_with=self.shared_with):
            return Lookup(personal=True)
        lookup = self._shared_look_up(request, kwargs)
        cookies = request.COOKIES
        rules = tuple(rule for name, rule in self.shared_with.items() if cookies.get(name))
        if rules:
            copy = lookup.copy
            if not lookup.keeps or (copy is not None and _needs_own(request, rules, copy.marks)):
                return Lookup(personal=True)
            lookup.rules = rules
        return lookup

    def _shared_look_up(self, request, kwargs) -> Lookup:
        query_string = request.META.get("QUERY_STRING", "")
        query = self.params.read_query_string(query_string) if self.params else Query("", True)
        if query is None:
            return Lookup()
        version = versions.read(self.depends_on(**kwargs))
        if version is None:
            return Lookup()
        # An answer that is not stored is named by the whole query string, as its
        # links repeat every parameter.
        named_query = query.canonical if query.storable else query_string
        digest = hashlib.blake2b(
            f"{fingerprint()}|{settings.SITE_URL}|{version.key}|{request.path}?{named_query}".encode(),
            digest_size=16,
        ).hexdigest()
        keeps = (
            query.storable
            and enabled()
            and is_canonical_host(request)
            # A version made by a host whose clock runs ahead: this host would draw
            # the content as it was before that moment, so it keeps nothing yet.
            and version.changed <= time.time()
        )
        copies.note_epoch(version.tokens[0])
        key = f"{copies.PREFIX}{digest}"
        return Lookup(
            version=version,
            query=query,
            etag=f'"{digest}"',
            key=key,
            keeps=keeps,
            copy=copies.find(key) if keeps else None,
        )

    def answer(self, request, view, *args, **kwargs):
        lookup = getattr(request, LOOKUP, None) or self.look_up(request, kwargs)
        if lookup.version is None:
            response = view(request, *args, **kwargs)
            return _own(response) if lookup.personal else response
        not_modified = self.not_modified(request, lookup)
        if not_modified is not None:
            return not_modified
        if lookup.copy is not None:
            return self.serve(request, lookup)
        if not lookup.keeps:
            return self.make(request, lookup, view, *args, **kwargs)
        # Missed by several processes at once (a page that just changed), a copy
        # is made by the first; the others wait for it (copies.py).
        response = None
        if not copies.claim_making(lookup.key):
            lookup.copy = copies.wait_for(lookup.key)
            if lookup.copy is None:
                response = self.make(request, lookup, view, *args, **kwargs)
        else:
            try:
                response = self.make(request, lookup, view, *args, **kwargs)
            finally:
                copies.release_making(lookup.key)
        made = lookup.copy  # waited for, or kept by make()
        if made is None:
            return response
        # A reader with a cookie the page shares: whether the copy just made is
        # theirs too, the marks it noted tell.
        if lookup.rules and _needs_own(request, lookup.rules, made.marks):
            return _own(view(request, *args, **kwargs))
        if response is None:
            return self.serve(request, lookup)
        body = self._reader_body(request, made)
        if body is not None:
            response.content = body
            return _own(response)
        return response

    def make(self, request, lookup: Lookup, view, *args, **kwargs):
        """The view's answer, kept as a copy when `lookup` says it may be."""
        if lookup.keeps:
            # The view sees the query that names the copy, and marks what differs per
            # reader with placeholders.
            request.GET = QueryDict(lookup.query.canonical)
            request.META["QUERY_STRING"] = lookup.query.canonical
            setattr(request, SHARED_RENDER, True)
        try:
            response = view(request, *args, **kwargs)
            kept = response.status_code == 200 and not getattr(response, "streaming", False)
            if kept and hasattr(response, "render"):
                response.render()
        finally:
            # Whatever is drawn later (an error page) is drawn for this reader alone.
            setattr(request, SHARED_RENDER, False)
        if not kept:
            return response
        edits = ()
        if lookup.keeps:
            # The parts some readers see otherwise are cut out first: the copy is the
            # page as everyone sees it.
            response.content, edits = cut_edits(response.content)
        slots = slots_in(response.content) if lookup.keeps else ()
        # Placeholders in the body are reader values too, however they got there.
        self.validated(response, lookup, per_reader=has_reader_values(request) or bool(slots))
        if lookup.keeps:
            body = response.content
            headers = {
                name: value for name, value in response.items() if name.lower() not in _NOT_KEPT
            }
            if not slots:  # the same length for every reader
                headers["Content-Length"] = str(len(body))
            # Kept with the headers a hit needs, validators included: a hit only copies.
            copy = copies.Copy(
                body=b"" if slots else body,
                headers=headers,
                slots=slots,
                marks=marks_of(request),
                edits=edits,
            )
            copies.keep(lookup.key, copy, epoch=lookup.version.tokens[0])
            lookup.copy = copy  # what answer() draws this reader's parts into
            if slots:
                response.content = fill(request, body, slots)
        return response

    def not_modified(self, request, lookup: Lookup) -> HttpResponse | None:
        """A 304 when the client's copy is current, else None.

        A matching ETag is proof enough: only a 200 ever carried it. A date, or
        "*", proves less, so they are honoured only for an answer this site
        holds a copy of: neither can then tell a hidden page from a missing one.
        An answer with values of each reader's own has no validators at all.
        """
        # Nor has an answer with parts drawn for its reader (with or without a copy yet).
        if (lookup.copy is not None and lookup.copy.slots) or concerned(request):
            return None
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match:
            given = {etag.removeprefix("W/") for etag in parse_etags(if_none_match)}
            fresh = lookup.etag in given or ("*" in given and lookup.copy is not None)
        else:
            since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
            fresh = (
                since is not None
                and lookup.copy is not None
                and int(lookup.version.changed) <= since
            )
        if not fresh:
            return None
        return self.validated(HttpResponseNotModified(), lookup)

    @staticmethod
    def _reader_body(request, copy: copies.Copy) -> bytes | None:
        """The body for a reader who sees some of the copy otherwise
        (personal.ReaderEdit), to be answered as theirs alone; None for everyone else."""
        if not (copy.edits and concerned(request)):
            return None
        body = edited(request, copy.template, copy.edits)
        return None if body is None else fill(request, body)

    @classmethod
    def serve(cls, request, lookup: Lookup) -> HttpResponse:
        copy = lookup.copy
        body = cls._reader_body(request, copy)
        if body is not None:
            response = HttpResponse(body, headers=copy.headers)
            response["Content-Length"] = str(len(body))
            return _own(response)
        if not copy.slots:
            return HttpResponse(copy.body, headers=copy.headers)
        body = fill(request, copy.body, copy.slots)
        response = HttpResponse(body, headers=copy.headers)
        response["Content-Length"] = str(len(body))
        return response

    @staticmethod
    def validated(response, lookup: Lookup, *, per_reader: bool = False):
        """The headers that say who may keep the answer, and how to ask again."""
        patch_vary_headers(response, ["Cookie"])
        if per_reader:
            # The same page for everyone but a token of this reader's own: no cache
            # but the reader's may keep it, and no validator may stand for it.
            return _own(response)
        response["ETag"] = lookup.etag
        response["Last-Modified"] = http_date(int(lookup.version.changed))
        max_age = settings.NEWSROOM_PUBLIC_MAX_AGE
        if max_age:
            patch_cache_control(response, public=True, max_age=max_age)
        else:
            # Anyone may keep it, but must ask again before using it: a 304 is cheap,
            # and a removed comment is gone at once everywhere.
            patch_cache_control(response, public=True, no_cache=True)
        return response


def _needs_own(request, rules, marks: frozenset[str]) -> bool:
    return any(rule(request, marks) for rule in rules)


def _own(response):
    """`response` marked as its reader's alone: no validators anyone else could use."""
    for name in ("ETag", "Last-Modified"):
        if name in response:
            del response[name]
    patch_vary_headers(response, ["Cookie"])
    patch_cache_control(response, private=True, no_cache=True)
    return response


class SharedView:
    """For class-based views: `shared = Shared(...)` on the class applies the recipe.

    Without `params`, a REST framework view's parameters come from its
    pagination class and FilterSet (params.APIParams).
    """

    shared: Shared

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        recipe = cls.shared
        if recipe.params is None:
            recipe = Shared(recipe.depends_on, params=APIParams(cls))
        return recipe(view)
