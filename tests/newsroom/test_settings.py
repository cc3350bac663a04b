"""Settings come from the environment; each case runs in a fresh interpreter."""

import json
import os
import subprocess
import sys

import pytest

from bench.site import ROOT

PRODUCTION_SECRET = "x7Qp2vLw9sKd4RtYb8NcJm3ZhUe6GfAa1XoWqEiT5rVyBn0CkPlMjHgDsFzQwErTy"

SHOW_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG,
    "engine": db["ENGINE"],
    "name": str(db["NAME"]),
    "host": db.get("HOST", ""),
    "port": str(db.get("PORT", "")),
    "options": {k: v for k, v in db.get("OPTIONS", {}).items()},
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "session_cookie_secure": getattr(settings, "SESSION_COOKIE_SECURE", False),
    "csrf_cookie_secure": getattr(settings, "CSRF_COOKIE_SECURE", False),
    "hsts": settings.SECURE_HSTS_SECONDS,
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
    "comments_close_after_days": settings.COMMENTS_CLOSE_AFTER_DAYS,
}))
"""


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    # Start from a clean slate: none of the variables the test run itself uses.
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "COMMENTS_", "EMAIL_", "NEWSROOM_"))
    }
    full_env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_READ_DOTENV": "false",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def settings_for(**env: str) -> dict:
    result = run_python(SHOW_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    # The last line: apps may log a line of their own on start.
    return json.loads(result.stdout.splitlines()[-1])


def test_defaults_to_sqlite_in_var_with_wal_and_immediate_transactions():
    shown = settings_for(DJANGO_DEBUG="true")

    assert shown["debug"] is True
    assert shown["engine"] == "django.db.backends.sqlite3"
    assert shown["name"] == str(ROOT / "var" / "newsroom.sqlite3")
    assert shown["options"]["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL" in shown["options"]["init_command"]
    assert "busy_timeout" in shown["options"]["init_command"]
    # A cache every process on the host shares: rate limits hold across workers.
    assert shown["cache"] == "plumbing.cachedir.DirectoryCache"
    assert shown["cache_location"] == str(ROOT / "var" / "cache")


def test_one_setting_moves_every_local_file():
    shown = settings_for(DJANGO_DEBUG="true", NEWSROOM_DATA_DIR="/srv/newsroom")

    assert shown["name"] == "/srv/newsroom/newsroom.sqlite3"
    assert shown["cache_location"] == "/srv/newsroom/cache"


def test_sqlite_connection_really_uses_wal(tmp_path):
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])\n"
        "    c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])\n"
    )
    result = run_python(
        code, DJANGO_DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path / 'wal.sqlite3'}"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["wal", "20000"]


def test_postgres_and_redis_from_urls():
    shown = settings_for(
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://news:pw@db.internal:5433/newsroom",
        CACHE_URL="redis://cache.internal:6379/2",
    )

    assert shown["engine"] == "django.db.backends.postgresql"
    assert (shown["host"], shown["port"], shown["name"]) == ("db.internal", "5433", "newsroom")
    assert shown["cache"] == "plumbing.rediscache.RedisCache"
    assert shown["cache_location"] == "redis://cache.internal:6379/2"


def test_comment_settings_come_from_the_environment():
    assert (
        settings_for(DJANGO_DEBUG="true", COMMENTS_CLOSE_AFTER_DAYS="30")[
            "comments_close_after_days"
        ]
        == 30
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_python("print('started')", DJANGO_DEBUG="false")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "started" not in result.stdout


def test_production_hardens_cookies_hsts_and_static_files():
    shown = settings_for(DJANGO_SECRET_KEY=PRODUCTION_SECRET, DJANGO_SECURE_HSTS_SECONDS="600")

    assert shown["debug"] is False
    assert shown["session_cookie_secure"] is True
    assert shown["csrf_cookie_secure"] is True
    assert shown["hsts"] == 600
    assert shown["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.mark.parametrize("value", ["sometimes", "redis"])
def test_unknown_task_backend_is_a_clear_error(value):
    result = run_python("", DJANGO_DEBUG="true", DJANGO_TASKS_BACKEND=value)

    assert result.returncode != 0
    assert "DJANGO_TASKS_BACKEND must be one of" in result.stderr


CHECK_DEPLOY = (
    "from django.core.management import call_command\n"
    "call_command('check', deploy=True, fail_level='WARNING')"
)
PRODUCTION = {
    "DJANGO_SECRET_KEY": PRODUCTION_SECRET,
    "DJANGO_ALLOWED_HOSTS": "news.example.com",
    "NEWSROOM_SITE_URL": "https://news.example.com",
}


@pytest.mark.parametrize("cache_url", ["redis://127.0.0.1:6379/0", None])
def test_check_deploy_is_clean_in_production(cache_url):
    # With Redis, and with the default cache directory every worker of a host shares.
    extra = {"CACHE_URL": cache_url} if cache_url else {}
    result = run_python(CHECK_DEPLOY, **PRODUCTION, **extra)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_about_a_per_process_cache():
    result = run_python(CHECK_DEPLOY, **PRODUCTION, CACHE_URL="locmemcache://")

    assert result.returncode != 0
    assert "pagecache.W001" in result.stderr


def test_check_deploy_warns_when_the_site_address_is_not_an_allowed_host():
    result = run_python(CHECK_DEPLOY, **{**PRODUCTION, "NEWSROOM_SITE_URL": "https://old.example"})

    assert result.returncode != 0
    assert "pagecache.W002" in result.stderr


# Makes a package look uninstalled, as in a virtualenv made without the extra.
WITHOUT = """
import sys
class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == {name!r}:
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Missing())
"""


@pytest.mark.parametrize(
    ("setting", "url", "package", "extra"),
    [
        ("CACHE_URL", "redis://127.0.0.1:6379/0", "redis", "redis"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x", "psycopg", "postgres"),
    ],
)
def test_a_missing_client_library_stops_the_start_naming_the_extra(
    tmp_path, setting, url, package, extra
):
    (tmp_path / "sitecustomize.py").write_text(WITHOUT.format(name=package))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("CACHE_", "DATABASE_"))},
            "PYTHONPATH": str(tmp_path),
            "DJANGO_DEBUG": "true",
            "DJANGO_READ_DOTENV": "false",
            setting: url,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert f"'{package}', which is not installed" in result.stderr
    assert f"'.[{extra}]'" in result.stderr


def test_logs_are_json_lines():
    result = run_python(
        "import logging\n"
        "logging.getLogger('newsroom').warning('disk at %d%%', 91, extra={'disk': 'var'})",
        DJANGO_DEBUG="true",
    )

    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stdout.splitlines()[-1])
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "newsroom"
    assert entry["message"] == "disk at 91%"
    assert entry["disk"] == "var"
