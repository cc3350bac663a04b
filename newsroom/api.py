"""What every API view shares: throttles, pagination, caching headers."""

from __future__ import annotations

import time
from datetime import UTC, timedelta
from functools import partial

import django_filters
import orjson
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils.encoders import JSONEncoder as DRFJSONEncoder

from articles.versioning import Version

from . import pagecache

# --- Rendering ---------------------------------------------------------------------


class FastJSONRenderer(JSONRenderer):
    """JSON through orjson: the same output as DRF's renderer (compact, UTF-8),
    several times faster on a list of 200 comments."""

    _fallback = DRFJSONEncoder()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=self._fallback.default)


# --- Error shapes, for the schema ---------------------------------------------

ErrorDetail = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorDetail, description=description)


BAD_REQUEST = OpenApiResponse(
    {
        "oneOf": [
            {
                "type": "object",
                "description": '{"<field>": ["message", ...]}: one entry per field to fix.',
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            {
                "type": "object",
                "description": "The body could not be read at all.",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
            },
        ]
    },
    description="Messages per field that needs fixing, or a detail when the body "
    "could not be read at all.",
)
THROTTLED = error("Too many requests; Retry-After says when to try again.")


# --- Filters ---------------------------------------------------------------------


class MomentField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment that every database can compare with.

    Python accepts offsets of up to a day and moments that leave the calendar
    when turned into UTC; PostgreSQL does not (issue found by schemathesis).
    """

    MAX_OFFSET = timedelta(hours=14)  # the widest offset any place on Earth uses
    default_error_messages = {
        "out_of_range": "Enter a moment between the years 1 and 9999 (UTC), "
        "with a time zone offset of at most 14 hours."
    }

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        try:
            if offset is not None and abs(offset) > self.MAX_OFFSET:
                raise OverflowError
            moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError(
                self.error_messages["out_of_range"], code="out_of_range"
            ) from None
        return moment


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the query string names no filter.

    Binding and validating a FilterSet costs as much as the query on a plain
    "first page" request, the most common one. A parameter that does name a
    filter (even with a bad value, which still gets its 400) goes through it.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = tuple(filterset_class.base_filters)
        if not any(param.startswith(names) for param in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


# --- Throttles -------------------------------------------------------------------


class FixedWindowThrottle(SimpleRateThrottle):
    """Counts a client's requests per time window in the shared cache.

    DRF's own throttles keep every request's timestamp, which is fine for a few
    posts a minute but heavy for hundreds of reads; a counter costs the same
    whatever the rate. Clients are told how long to wait (Retry-After).
    """

    setting: str = ""

    def get_rate(self):
        # Read on every request, so the setting can be changed without a restart.
        return getattr(settings, self.setting)

    def __init__(self):
        # SimpleRateThrottle reads the rate in __init__; ours is read per request.
        pass

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return f"throttle:{self.scope}:{ident}"

    def allow_request(self, request, view):
        rate = self.get_rate()
        if not rate:
            return True
        self.num_requests, self.duration = self.parse_rate(rate)
        self.now = time.time()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        key = f"{self.get_cache_key(request, view)}:{window}"
        cache.add(key, 0, timeout=self.duration + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # the window expired between add and incr
            cache.set(key, 1, timeout=self.duration + 1)
            count = 1
        return count <= self.num_requests

    def wait(self):
        return max(self.window_ends - self.now, 0)


class ReadThrottle(FixedWindowThrottle):
    scope = "read"
    setting = "NEWSROOM_API_READ_RATE"

    def allow_request(self, request, view):
        # Writes have their own, stricter throttles.
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


# --- Pagination ------------------------------------------------------------------


class ArticlePagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class CommentCursorPagination(CursorPagination):
    """Oldest first. A cursor stays valid while new comments arrive: nothing is
    skipped or seen twice, unlike page numbers."""

    ordering = ("created_at", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def _get_position_from_instance(self, instance, ordering):
        # Public lists carry created_at as ISO text under "created" (newsroom.db.IsoUtc);
        # the database compares it as a moment again.
        if isinstance(instance, dict) and "created" in instance:
            return instance["created"]
        return super()._get_position_from_instance(instance, ordering)


class QueueCursorPagination(CursorPagination):
    """The moderation queue: newest first."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# --- Caching headers -------------------------------------------------------------


# Query parameters worth a shared cache entry; any other makes the request private.
SHARED_API_PARAMS = frozenset(
    {"page", "page_size", "cursor", "since", "parent", "article", "section", "tag",
     "published_after", "published_before"}
)  # fmt: skip


def _shared_api_digest(request, version: Version) -> str | None:
    """The name of a shared copy of this answer, or None if it must not be shared."""
    if not (pagecache.enabled() and pagecache.is_shareable(request)):
        return None
    if not pagecache.asks_only_for(request, SHARED_API_PARAMS):
        return None
    # The absolute address: answers hold absolute links, which differ per host.
    return pagecache.digest(version, pagecache.address(request))


class ConditionalGetMixin:
    """ETag and Last-Modified from content versions, 304s that cost no query, and
    answers to anonymous readers kept in the shared cache.

    A view names the content its answer depends on with `version_of(**kwargs)`;
    a client repeating a request with If-None-Match or If-Modified-Since gets
    304 Not Modified as long as that content has not changed.
    """

    @staticmethod
    def version_of(**kwargs) -> Version | None:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        version = self.version_of(**kwargs)
        if version is None:
            return super().get(request, *args, **kwargs)
        etag, last_modified, not_modified = pagecache.conditional(request, version)
        if not_modified is not None:
            return pagecache.validated(not_modified, etag, last_modified)
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200:
            pagecache.validated(response, etag, last_modified)
            name = _shared_api_digest(request, version)
            if name is not None:
                response.add_post_render_callback(partial(_keep_shared_copy, name))
        return response


def _keep_shared_copy(name: str, response) -> None:
    # Body and headers together, so a hit is answered without computing anything;
    # the headers the middleware below would add are kept as well.
    headers = {
        "Content-Type": response["Content-Type"],
        "Content-Length": str(len(response.content)),
        "Allow": response["Allow"],
        "ETag": response["ETag"],
        "Last-Modified": response["Last-Modified"],
        "Cache-Control": f"public, max-age={PublicCacheHeadersMixin.public_max_age}",
        "Vary": response.get("Vary", "Cookie"),
    }
    pagecache.keep_answer(f"api:{name}", (response.content, headers))


def shared_api_view(view_class):
    """`view_class.as_view()`, with the shared copies of its anonymous answers.

    The DRF view fills the cache (ConditionalGetMixin); `shared_answer` reads it
    for SharedAnswerMiddleware, so a hit needs no database, no authentication,
    no serializer and none of the middleware below. Throttles count the requests
    that reach DRF: a shared answer costs next to nothing.
    """
    view = view_class.as_view()

    def shared_answer(request, **kwargs) -> HttpResponse | None:
        version = view_class.version_of(**kwargs)
        name = version and _shared_api_digest(request, version)
        hit = pagecache.cached_answer(f"api:{name}") if name else None
        if hit is None:
            return None
        body, headers = hit
        return HttpResponse(body, headers=headers)

    view.shared_answer = shared_answer
    return view


class PublicCacheHeadersMixin:
    """Anonymous reads may be kept by browsers and shared caches for a minute."""

    public_max_age = 60

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code in (200, 304):
            if request.user and request.user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, public=True, max_age=self.public_max_age)
        return response
