import time

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from comments.moderation import blocked_terms
from plumbing import counters
from plumbing.pagecache import copies
from plumbing.store import store
from tests.factories import UserFactory
from tests.outages import UNREACHABLE_CACHE


@pytest.fixture(scope="session", autouse=True)
def _collected_static(tmp_path_factory):
    """Run collectstatic once, so pages render with the production storage.

    With DEBUG off the site uses WhiteNoise's manifest storage, which refuses to
    name a file that was not collected; testing with it catches a missing asset.
    """
    static_root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=static_root):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield static_root


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Tests create many users; real hashing is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Tests share one cache (Redis in CI) and one process: start each from a clean
    # slate. Each test's database starts over too, with the same content versions.
    cache.clear()
    copies.recent.clear()
    blocked_terms.forget()
    yield
    # After a test that took the cache away: the shared store and counts hold again.
    store.reset()
    counters._local.back_to_shared()
    cache.clear()
    copies.recent.clear()


@pytest.fixture
def cache_down(settings):
    """The shared cache is unreachable for the length of the test."""
    settings.CACHES = UNREACHABLE_CACHE
    store.reset()
    yield
    store.reset()


class StoppedClock:
    """A module's `time` (as far as time() goes), stopped until a test moves it."""

    def __init__(self, now: float):
        self.now = now

    def time(self):
        return self.now


@pytest.fixture
def counter_clock(monkeypatch):
    """Rate limits and floods counted in windows that cannot close mid-test: the
    clock of plumbing.counters stopped in the middle of an hour (so of every
    shorter window too)."""
    clock = StoppedClock(1_800_000_000.0 + 1800)
    monkeypatch.setattr("plumbing.counters.time", clock)
    return clock


@pytest.fixture
def versions_clock(monkeypatch):
    """The clock of the content versions, stopped at the start of a 10-second
    slice (of lagging scopes) in the recent past, so copies made now are kept."""
    clock = StoppedClock((time.time() // 10) * 10 - 1000)
    monkeypatch.setattr("plumbing.pagecache.versions.time", clock)
    return clock


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(autouse=True)
def _relaxed_post_throttles(settings):
    # Throttling has its own tests; elsewhere a test may post more than once a second.
    settings.COMMENTS_API_BURST_RATE = "1000/second"
    settings.COMMENTS_API_POST_RATE = "1000/minute"


@pytest.fixture
def moderator(db):
    user = UserFactory(username="mod", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def moderator_api(moderator):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=moderator).key}")
    return client
