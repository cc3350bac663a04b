"""A throwaway copy of the site: its own database and static files, served by gunicorn.

Used by the benchmark and by the tests that need real server processes (two
processes sharing Redis, concurrent writers on SQLite).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The environment of the process that starts the site must not leak into it.
PROJECT_PREFIXES = ("DJANGO_", "COMMENTS_", "NEWSROOM_", "DATABASE_", "CACHE_")
# For tests that post many replies: published at once, no API throttles.
OPEN_POSTING = {
    "COMMENTS_MODERATION": "none",
    "COMMENTS_API_BURST_RATE": "",
    "COMMENTS_API_POST_RATE": "",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ScratchSite:
    """The site as shipped, with its files in `work`: the SQLite database and the
    cache directory are the defaults, moved there by NEWSROOM_DATA_DIR. Each
    server gets its own address as NEWSROOM_SITE_URL, as a deployment would."""

    def __init__(self, work: Path, **settings: str):
        self.work = work
        self.database = work / "newsroom.sqlite3"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(PROJECT_PREFIXES)},
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DJANGO_READ_DOTENV": "false",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_LOG_LEVEL": "WARNING",
            "NEWSROOM_DATA_DIR": str(work),
            "GUNICORN_ACCESSLOG": "",
            "PYTHONPATH": str(ROOT),
            **settings,
        }
        self.servers: list[subprocess.Popen] = []

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout

    def prepare(self) -> None:
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")

    def start(
        self,
        *,
        workers: int | None = 1,
        core: str | None = None,
        log: Path | None = None,
        **settings: str,
    ) -> str:
        """Start gunicorn (pinned to `core` if given); returns its address.

        `workers=None` leaves gunicorn its default count. With `log`, its output
        (JSON lines, the access log among them when GUNICORN_ACCESSLOG is "-")
        goes to that file.
        """
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{port}", "NEWSROOM_SITE_URL": url}
        env.pop("WEB_CONCURRENCY", None)
        if workers is not None:
            env["WEB_CONCURRENCY"] = str(workers)
        command = [
            sys.executable, "-m", "gunicorn", "newsroom.wsgi",
            "--config", "python:newsroom.gunicorn_conf",
        ]  # fmt: skip
        self._spawn(command, {**env, **settings}, core, log)
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):  # noqa: S310 (ours)
                    return url
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("gunicorn did not start")

    def start_task_worker(self, *, core: str | None = None, log: Path | None = None) -> None:
        """Run the task worker beside the servers, as production does."""
        command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*"]
        self._spawn(command, self.env, core, log)

    def _spawn(self, command: list[str], env: dict, core: str | None, log: Path | None) -> None:
        if core is not None and shutil.which("taskset"):
            command = ["taskset", "-c", core, *command]
        output = log.open("ab") if log else subprocess.DEVNULL
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
        if log:
            output.close()  # the process has its own copy
        self.servers.append(process)

    def query(self, sql: str, *params) -> list[tuple]:
        """Rows of `sql` (with %s placeholders) from the site's database, read
        directly: PostgreSQL when DATABASE_URL names it, else the SQLite file."""
        url = self.env.get("DATABASE_URL", "")
        if url.startswith("postgres"):
            import psycopg

            with psycopg.connect(url) as db:
                return db.execute(sql, params).fetchall()
        with contextlib.closing(sqlite3.connect(self.database)) as db:
            return db.execute(sql.replace("%s", "?"), params).fetchall()

    def stop(self) -> None:
        for server in self.servers:
            server.terminate()
            server.wait(timeout=10)
        self.servers.clear()
