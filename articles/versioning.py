"""A version token per article, changed by every edit to the article or its comments.

Cached pages, API lists and ETags include the token in their keys, so a change
makes every stale copy unreachable at once: nothing has to be found and deleted.
The tokens live in the shared cache (Redis in production), so every process
sees a bump as soon as it is made.
"""

import uuid

from django.core.cache import cache

# Versions outlive what they guard; an evicted version only costs a cache miss.
VERSION_TIMEOUT = None


def _key(article_id: int) -> str:
    return f"article:{article_id}:version"


def article_version(article_id: int) -> str:
    version = cache.get(_key(article_id))
    if version is None:
        version = uuid.uuid4().hex[:12]
        # add(): if two processes race here, both end up using the first one's token.
        if not cache.add(_key(article_id), version, timeout=VERSION_TIMEOUT):
            version = cache.get(_key(article_id), version)
    return version


def bump_article_version(article_id: int) -> None:
    cache.set(_key(article_id), uuid.uuid4().hex[:12], timeout=VERSION_TIMEOUT)
