"""Version tokens for published content, kept in the shared cache.

Cached pages, API responses and ETags are keyed by these tokens, so a change
makes every stale copy unreachable at once: nothing has to be found and
deleted. Three tokens exist:

- one per article, changed by any edit to the article or its comments;
- one for the whole site, changed by any edit at all (front page, feeds,
  lists across articles);
- the schedule token, changed when a scheduled article's time comes. No job
  publishes scheduled articles, so readers of the token notice the moment has
  passed and roll it over themselves.

A token starts with the time it was made, which serves as Last-Modified. The
tokens live in the default cache (Redis in production), so every process sees
a change as soon as it is made; an evicted token only costs a cache miss.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

SITE_KEY = "content:site"
SCHEDULE_KEY = "content:schedule"
MISSING = -1  # cached "no article has this slug"
MISSING_TIMEOUT = 60


def _article_key(article_id: int) -> str:
    return f"content:article:{article_id}"


def _slug_key(slug: str) -> str:
    return f"content:slug:{slug}"


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


def _next_scheduled_time() -> float | None:
    from .models import Article

    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    return upcoming.timestamp() if upcoming else None


def _schedule_token(record: dict | None) -> str:
    if record is None or (record["next"] is not None and time.time() >= record["next"]):
        # A scheduled article just became public (or nothing is known yet).
        record = {"token": _new_token(), "next": _next_scheduled_time()}
        cache.set(SCHEDULE_KEY, record, timeout=None)
    return record["token"]


def current_version(article_id: int | None = None) -> Version:
    """The version of one article's content, or of the whole site with no id."""
    keys = [SCHEDULE_KEY, _article_key(article_id) if article_id else SITE_KEY]
    found = cache.get_many(keys)
    schedule = _schedule_token(found.get(SCHEDULE_KEY))
    content = found.get(keys[1])
    if content is None:
        content = _new_token()
        # add(): when two processes race here, the first token wins.
        if not cache.add(keys[1], content, timeout=None):
            content = cache.get(keys[1], content)
    return Version((schedule, content))


def bump_article(article_id: int) -> None:
    """Something under this article changed: its pages and the site's lists are stale."""
    token = _new_token()
    cache.set_many({_article_key(article_id): token, SITE_KEY: token}, timeout=None)


def reset_schedule() -> None:
    """Publication dates may have changed: find the next scheduled moment again."""
    cache.delete(SCHEDULE_KEY)


def article_id_for(slug: str) -> int | None:
    """The id of the article at `slug` (public or not), remembered in the cache."""
    from .models import Article

    found = cache.get(_slug_key(slug))
    if found is None:
        found = Article.objects.filter(slug=slug).values_list("id", flat=True).first() or MISSING
        cache.set(_slug_key(slug), found, timeout=None if found != MISSING else MISSING_TIMEOUT)
    return None if found == MISSING else found


def remember_slug(slug: str, article_id: int | None) -> None:
    if article_id is None:
        cache.delete(_slug_key(slug))
    else:
        cache.set(_slug_key(slug), article_id, timeout=None)
