"""Whatever anonymous clients send, the shared cache holds a bounded number of copies."""

import random
import string

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from plumbing.pagecache import copies
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def stored_entries() -> int:
    """Entries in the shared cache, whichever backend the suite runs on."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return len(backend._cache.get_client().keys(f"{backend.key_prefix}:*"))
    return len(backend._cache)  # diskcache, local memory


def junk(rng: random.Random) -> str:
    word = "".join(rng.choices(string.ascii_lowercase, k=8))
    return rng.choice(
        [
            f"utm_source={word}",
            f"{word}={rng.randint(0, 10**9)}",
            f"cpage={rng.randint(2, 10**6)}",
            f"cpage={word}",
            f"page={rng.randint(2, 10**6)}",
            f"since=2026-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}T00:00:00Z",
            f"cursor={word}",
            f"parent={rng.randint(1, 10**9)}",
            f"replytocom={rng.randint(1, 10**9)}",
        ]
    )


@pytest.fixture
def site(settings):
    # Limits have their own tests: here every request must reach the cache.
    settings.NEWSROOM_PAGE_READ_RATE = None
    settings.NEWSROOM_API_READ_RATE = None
    article = ArticleFactory()
    CommentFactory.create_batch(3, article=article)
    return article


def test_junk_queries_and_host_ports_add_no_copies(site):
    paths = ["/", site.get_absolute_url(), f"/api/v1/articles/{site.slug}/comments/"]
    reader = Client()
    for path in paths:
        assert reader.get(path).status_code == 200
    before, remembered = stored_entries(), len(copies.recent.entries)
    rng = random.Random(10)

    statuses = set()
    for number in range(1000):
        path = rng.choice(paths)
        host = {"HTTP_HOST": f"testserver:{rng.randint(1, 65535)}"} if number % 4 == 0 else {}
        statuses.add(reader.get(f"{path}?{junk(rng)}", **host).status_code)

    assert statuses <= {200, 400, 404}
    assert stored_entries() == before
    assert len(copies.recent.entries) == remembered


def test_page_sizes_make_at_most_one_copy_each(site):
    path = f"/api/v1/articles/{site.slug}/comments/"
    reader = Client()
    reader.get(path)
    before = stored_entries()

    for size in range(1, 1001):
        assert reader.get(path, {"page_size": size}).status_code == 200
    for size in ("", "0", "-1", "junk", "1e3"):
        assert reader.get(path, {"page_size": size}).status_code == 200

    # 1 to 200 (the maximum: anything larger is the maximum, junk is the default).
    assert stored_entries() - before == 199
