"""The Redis backend keeps one client per server, and works as Django's does."""

import shutil

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from bench.site import free_port
from plumbing.rediscache import RedisCache
from tests.outages import Redis


@pytest.fixture(scope="module")
def redis_url():
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is needed for this test (Debian: apt-get install redis-server)")
    server = Redis(free_port())
    server.start()
    yield f"redis://127.0.0.1:{server.port}/0"
    server.kill()


def test_every_call_goes_through_the_same_client(redis_url):
    cache = RedisCache(redis_url, {})

    cache.set("a", 1)
    assert cache.get("a") == 1
    assert cache.incr("a") == 2
    assert cache.add("a", 5) is False
    assert cache._cache.get_client() is cache._cache.get_client(write=True)


def test_it_is_djangos_backend_for_everything_that_looks_for_one(redis_url):
    assert isinstance(RedisCache(redis_url, {}), DjangoRedisCache)


def test_a_count_is_made_with_its_lifetime_and_read_like_any_integer(redis_url):
    cache = RedisCache(redis_url, {})
    cache.delete("hits")

    assert [cache.count("hits", 30) for _ in range(3)] == [1, 2, 3]
    assert cache.get("hits") == 3
    assert 29 <= cache._cache.get_client().ttl(cache.make_key("hits")) <= 30
    assert cache.incr("hits") == 4  # the same integer Django's own calls see
