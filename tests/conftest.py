import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings


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
    # Tests share one cache (Redis in CI): start each from a clean slate.
    cache.clear()
    yield
    cache.clear()
