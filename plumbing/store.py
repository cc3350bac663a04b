"""The shared cache, reached so that its failure degrades the site instead of
breaking it.

Every use of the shared cache (`CACHES["default"]`: Redis in production, a
cache directory on disk by default) goes through `store`. When the cache does
not answer, or not within its short timeouts, the call fails fast, the
failure is logged once, and for the next `RETRY_SECONDS` every call is
answered at once as "unavailable" without trying the server again. After
that, the next call tries; the first success is logged too, and the site is
back to normal by itself.

Nothing that matters lives only here: content versions are in the database
(plumbing.pagecache.versions), a missing copy of a page is rendered again,
and rate counters fall back to each process's own (plumbing.counters).
"""

from __future__ import annotations

import logging
import time
import uuid

from diskcache import DjangoCache
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


class _Unavailable:
    """What an operation returns when the shared cache could not be asked."""

    def __bool__(self):
        return False

    def __repr__(self):
        return "UNAVAILABLE"


UNAVAILABLE = _Unavailable()


class SharedStore:
    def __init__(self, alias: str = "default"):
        self.alias = alias
        self._retry_at = 0.0  # time.monotonic() after which a call may try again
        self._down = False

    def reset(self) -> None:
        """Forget an earlier failure: the next call asks the cache again."""
        self._down = False
        self._retry_at = 0.0

    @property
    def available(self) -> bool:
        """False while the last call failed and the retry delay runs."""
        return not self._down

    def _run(self, operation, *args, **kwargs):
        """`operation`: the name of a method of the cache, or a function of it."""
        if self._down and time.monotonic() < self._retry_at:
            return UNAVAILABLE
        cache = caches[self.alias]
        try:
            if callable(operation):
                result = operation(cache, *args, **kwargs)
            else:
                result = getattr(cache, operation)(*args, **kwargs)
        except ValueError:
            raise  # incr() of a missing key: an answer from the cache, not a failure
        except Exception as error:
            self._failed(error)
            return UNAVAILABLE
        if self._down:
            self._down = False
            logger.warning("The shared cache answers again.", extra={"cache": self.alias})
        return result

    def _failed(self, error: Exception) -> None:
        self._retry_at = time.monotonic() + RETRY_SECONDS
        if not self._down:
            self._down = True
            logger.error(
                "The shared cache is unavailable; serving from the database and counting "
                "rate limits per process until it answers again.",
                extra={"cache": self.alias, "error": f"{type(error).__name__}: {error}"},
            )

    def get(self, key: str, default=None):
        value = self._run("get", key, default)
        return default if value is UNAVAILABLE else value

    def set(self, key: str, value, timeout: float | None) -> bool:
        return self._run("set", key, value, timeout) is not UNAVAILABLE

    def add(self, key: str, value, timeout: float | None):
        """True if stored, False if the key exists, UNAVAILABLE if the cache is down."""
        return self._run("add", key, value, timeout)

    def incr(self, key: str):
        """The new value; ValueError if the key is missing; UNAVAILABLE if the cache is down."""
        return self._run("incr", key)

    def count(self, key: str, timeout: float):
        """Add one to the counter `key`, which its first count makes for `timeout`
        seconds; the new value, or UNAVAILABLE if the cache is down."""
        return self._run(_count, key, timeout)

    def delete(self, key: str) -> None:
        self._run("delete", key)

    def delete_prefixed(self, prefix: str) -> int:
        """Delete every key that starts with `prefix`; how many went (0 if the
        cache is down). For content that must leave the cache at once rather than
        wait to expire out of reach; it walks the keys, so never on a reader's
        request."""
        deleted = self._run(_delete_prefixed, prefix)
        return 0 if deleted is UNAVAILABLE else deleted

    def probe(self) -> bool:
        """Whether the cache answers now (for /healthz): always asks, whatever the state."""
        self._retry_at = 0.0
        key = f"healthz:{uuid.uuid4().hex}"  # two processes probing at once never collide
        if not self.set(key, "ok", 10):
            return False
        answered = self.get(key) == "ok"
        self.delete(key)
        return answered


def prefixed_keys(cache, prefix: str) -> list[str]:
    """The keys of `cache` that start with `prefix`, as the cache made them (its
    KEY_PREFIX and version first). Each kind of cache the settings offer is
    walked its own way; another kind gives none."""
    made = cache.make_key(prefix)
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        return [key.decode() for key in client.scan_iter(match=f"{made}*", count=1000)]
    if isinstance(cache, DjangoCache):  # a cache directory
        return [
            key
            for shard in cache._cache._shards
            for key in shard.iterkeys()
            if isinstance(key, str) and key.startswith(made)
        ]
    if isinstance(cache, LocMemCache):  # this process's memory
        with cache._lock:
            return [key for key in cache._cache if key.startswith(made)]
    return []


def _count(cache, key: str, timeout: float) -> int:
    counting = getattr(cache, "count", None)
    if counting is not None:  # in one round trip (plumbing.rediscache)
        return counting(key, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # the first count of this key
        if cache.add(key, 1, timeout):
            return 1
    try:
        return cache.incr(key)  # another process made it first
    except ValueError:
        return 1  # and it has expired since


def _delete_prefixed(cache, prefix: str) -> int:
    keys = prefixed_keys(cache, prefix)
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    elif isinstance(cache, DjangoCache):
        for key in keys:
            cache._cache.delete(key)  # to the shard that holds it
    elif keys:
        with cache._lock:
            for key in keys:
                cache._delete(key)
    return len(keys)


store = SharedStore()
