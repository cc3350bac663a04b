"""The shared cache goes away under load and comes back: readers never see an error,
every accepted reply is kept, and the site recovers by itself.

The Redis here is the test's own, started and killed by its PID; the system's
one is never touched.
"""

import json
import shutil
import sqlite3
import threading
import time
from collections import Counter

import pytest
import requests

from bench.site import OPEN_POSTING, ScratchSite, free_port
from tests.outages import Redis

SLUG = "china-to-join-russias-vostok-exercise"
READS = [
    "/",
    f"/articles/{SLUG}/",
    f"/api/v1/articles/{SLUG}/comments/?page_size=200",
    "/api/v1/articles/",
    "/feeds/comments/",
]
MARKER = "Sent during the outage test"


class Load:
    """Readers and writers in threads, each answer recorded with the phase it fell in."""

    def __init__(self, url: str):
        self.url = url
        self.phase = "before"
        self.reads: list[tuple[str, int]] = []
        self.posts: list[tuple[str, int, int | None]] = []
        self.running = True
        self.threads = [threading.Thread(target=self.read, args=(n,)) for n in range(3)]
        self.threads += [threading.Thread(target=self.write, args=(n,)) for n in range(2)]

    def read(self, number: int) -> None:
        session = requests.Session()
        position = number
        while self.running:
            path = READS[position % len(READS)]
            position += 1
            status = session.get(self.url + path, timeout=10).status_code
            self.reads.append((self.phase, status))

    def write(self, number: int) -> None:
        sent = 0
        while self.running:
            sent += 1
            response = requests.post(
                f"{self.url}/api/v1/articles/{SLUG}/comments/",
                json={
                    "name": f"Writer {number}",
                    "email": f"writer{number}@example.org",
                    "body": f"{MARKER}: writer {number}, reply {sent}.",
                },
                timeout=10,
            )
            created = response.json()["id"] if response.status_code == 201 else None
            self.posts.append((self.phase, response.status_code, created))
            time.sleep(0.02)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        for thread in self.threads:
            thread.join(timeout=30)


@pytest.fixture
def redis():
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is needed for this test (Debian: apt-get install redis-server)")
    server = Redis(free_port())
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()


def test_the_site_outlives_its_cache(tmp_path, redis):
    site = ScratchSite(
        tmp_path,
        **OPEN_POSTING,
        CACHE_URL=f"redis://127.0.0.1:{redis.port}/0",
        COMMENTS_FLOOD_LIMIT="100000",
        NEWSROOM_PAGE_READ_RATE="",
        NEWSROOM_API_READ_RATE="",
    )
    site.prepare()
    site.manage("seed_demo")
    log = tmp_path / "gunicorn.log"
    url = site.start(workers=2, log=log)
    try:
        with Load(url) as load:
            time.sleep(2)
            assert redis.keys() > 0  # the copies were in Redis

            load.phase = "down"
            redis.kill()
            time.sleep(3)
            during = requests.get(f"{url}/healthz", timeout=10)

            load.phase = "back"
            redis.start()
            time.sleep(7)  # past the retry delay: every worker has asked again
            after = requests.get(f"{url}/healthz", timeout=10)
    finally:
        site.stop()

    reads = Counter(load.reads)
    posts = Counter((phase, status) for phase, status, _ in load.posts)
    # Readers were answered in every phase, never with an error.
    assert {status for _, status in reads} == {200}, reads
    assert all(reads[(phase, 200)] > 10 for phase in ("before", "down", "back")), reads
    # Posts went in, or were refused clearly; every 201 is a row, and every row had its 201.
    assert {status for _, status in posts} <= {201, 503}, posts
    assert posts[("down", 201)] > 0, posts
    accepted = sorted(created for _, status, created in load.posts if status == 201)
    with sqlite3.connect(site.database) as db:
        stored = [
            row[0]
            for row in db.execute(
                "SELECT id FROM comments_comment WHERE body LIKE ? ORDER BY id", (f"{MARKER}%",)
            )
        ]
    assert stored == accepted
    # The health check told the load balancer, without taking the host out.
    assert (during.status_code, during.json()["status"]) == (200, "degraded")
    assert (after.status_code, after.json()) == (
        200,
        {"status": "ok", "database": "ok", "cache": "ok"},
    )
    assert redis.keys() > 0  # copies are kept again
    # Said once per worker and outage, not once per request; and no request failed.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    outages = [line for line in lines if line["message"].startswith("The shared cache is unavail")]
    assert 1 <= len(outages) <= 2 * 2, outages
    assert not [line for line in lines if line["level"] == "ERROR" and line not in outages]
