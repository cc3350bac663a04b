import sqlite3
import time

import pytest

from plumbing.cachedir import CacheBusy, DirectoryCache


@pytest.fixture
def directory_cache(tmp_path):
    cache = DirectoryCache(str(tmp_path), {"SHARDS": 1, "DATABASE_TIMEOUT": 0.05})
    cache.set("warm", 1)  # the shard's database exists
    yield cache, next(tmp_path.rglob("cache.db"))
    cache._cache.close()


def test_a_write_that_cannot_get_through_fails_at_once(directory_cache):
    cache, database = directory_cache
    other = sqlite3.connect(database, timeout=0)
    other.execute("BEGIN IMMEDIATE")  # another process is writing, and goes on

    started = time.monotonic()
    with pytest.raises(CacheBusy):
        cache.set("key", "value")
    with pytest.raises(CacheBusy):
        cache.incr("warm")

    assert time.monotonic() - started < 2
    other.rollback()
    assert cache.set("key", "value") is True
    assert cache.incr("warm") == 2


def test_connections_stay_open_between_requests(directory_cache):
    cache, _ = directory_cache
    cache.close()  # what Django does when a request ends

    assert cache.get("warm") == 1
