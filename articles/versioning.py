"""Version tokens for published content, kept in the shared cache.

Cached pages, API responses and ETags are keyed by these tokens, so a change
makes every stale copy unreachable at once: nothing has to be found and
deleted. Three tokens exist:

- one per article, changed by any edit to the article or its comments;
- one for the whole site, changed by any edit at all (front page, feeds,
  lists across articles);
- the epoch, changed by what shows on many pages at once (a section, a tag or
  an author renamed) and when a moment set in advance comes: a scheduled
  article going public, comments closing at their set time. No job does
  either, so readers of the token notice the moment has passed and roll the
  epoch over themselves.

A token starts with the time it was made, which serves as Last-Modified. The
tokens live in the default cache (Redis in production), so every process sees
a change as soon as it is made; an evicted token only costs a cache miss.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

SITE_KEY = "content:site"
EPOCH_KEY = "content:epoch"
MISSING = (None, None)  # cached "no article has this slug"
MISSING_TIMEOUT = 60


def _article_key(article_id: int) -> str:
    return f"content:article:{article_id}"


def _slug_key(slug: str) -> str:
    # Holds a record of SLUG_RECORD_FIELDS; renamed whenever they change, so a
    # deploy never reads a record in an older shape.
    return f"content:article-at:{slug}"


def _new_token() -> str:
    return f"{time.time():.6f}-{uuid.uuid4().hex[:8]}"


def _token_time(token: str) -> float:
    return float(token.partition("-")[0])


@dataclass(frozen=True)
class Version:
    """The tokens a response depends on."""

    tokens: tuple[str, ...]

    @property
    def key(self) -> str:
        return ".".join(self.tokens)

    @property
    def last_modified(self) -> float:
        return max(_token_time(token) for token in self.tokens)


def _next_moment() -> float | None:
    """The next time a page changes by itself: a publication or a comment closing."""
    from .models import Article

    now = timezone.now()
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    moments = [
        published.filter(published_at__gt=now).order_by("published_at")
        .values_list("published_at", flat=True).first(),
        published.filter(comments_close_at__gt=now).order_by("comments_close_at")
        .values_list("comments_close_at", flat=True).first(),
    ]  # fmt: skip
    upcoming = [moment.timestamp() for moment in moments if moment is not None]
    return min(upcoming, default=None)


def _epoch_token(record: dict | None) -> str:
    if record is None or (record["next"] is not None and time.time() >= record["next"]):
        # A moment set in advance has come (or nothing is known yet).
        record = {"token": _new_token(), "next": _next_moment()}
        cache.set(EPOCH_KEY, record, timeout=None)
    return record["token"]


def current_version(article_id: int | None = None) -> Version:
    """The version of one article's content, or of the whole site with no id."""
    keys = [EPOCH_KEY, _article_key(article_id) if article_id else SITE_KEY]
    found = cache.get_many(keys)
    epoch = _epoch_token(found.get(EPOCH_KEY))
    content = found.get(keys[1])
    if content is None:
        content = _new_token()
        # add(): when two processes race here, the first token wins.
        if not cache.add(keys[1], content, timeout=None):
            content = cache.get(keys[1], content)
    return Version((epoch, content))


def bump_article(article_id: int) -> None:
    """Something under this article changed: its pages and the site's lists are stale."""
    token = _new_token()
    cache.set_many({_article_key(article_id): token, SITE_KEY: token}, timeout=None)


def reset_epoch() -> None:
    """Something shown on many pages changed, or dates set in advance did."""
    cache.delete(EPOCH_KEY)


class SlugRecord(NamedTuple):
    """What the slug map keeps of an article: enough to know whether it is public
    and to take a reply under it, without a query."""

    id: int
    slug: str
    status: str
    published_at: datetime | None
    allow_comments: bool
    comments_close_at: datetime | None


SLUG_RECORD_FIELDS = SlugRecord._fields


def _record_of(article) -> SlugRecord | None:
    if article is None:
        return None
    return SlugRecord._make(getattr(article, name) for name in SLUG_RECORD_FIELDS)


def _public_record(slug: str) -> SlugRecord | None:
    from .models import Article

    found = cache.get(_slug_key(slug))
    if found is None:
        article = Article.objects.filter(slug=slug).only(*SLUG_RECORD_FIELDS[1:]).first()
        found = _record_of(article) or MISSING
        cache.set(_slug_key(slug), found, timeout=None if article else MISSING_TIMEOUT)
    if found == MISSING:
        return None
    moment = found.published_at
    if found.status != Article.Status.PUBLISHED or moment is None or moment > timezone.now():
        return None
    return found


def public_article_id(slug: str) -> int | None:
    """The id of the public article at `slug`, or None; remembered in the cache.

    Drafts and scheduled articles give None, so nothing keyed by their version
    (an ETag, a 304) can tell an outsider that they exist.
    """
    record = _public_record(slug)
    return record.id if record else None


def public_article_for_replies(slug: str):
    """The public article at `slug` with only what taking a reply needs, or None.

    Comes from the cache, like public_article_id(); any other field is loaded
    from the database when first read.
    """
    from .models import Article

    record = _public_record(slug)
    return Article.from_db(DEFAULT_DB_ALIAS, SLUG_RECORD_FIELDS, record) if record else None


def public_article_version(slug: str) -> Version | None:
    """The version of the public article at `slug`; None if there is no such article."""
    article_id = public_article_id(slug)
    return current_version(article_id) if article_id else None


def remember_article(article) -> None:
    cache.set(_slug_key(article.slug), _record_of(article), timeout=None)


def forget_slug(slug: str) -> None:
    cache.delete(_slug_key(slug))
