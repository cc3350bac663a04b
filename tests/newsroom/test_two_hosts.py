"""Two hosts behind one load balancer: two gunicorn instances, two workers each,
over one database and one shared cache, under the hot article's mix
(bench/hot.py) at a small rate for 10 s.

On PostgreSQL and Redis when the suite runs on them (CI's second pass); on the
defaults, both hosts share the SQLite file and the cache directory. Both serve
the same site (NEWSROOM_SITE_URL), as hosts behind one address do.
"""

import asyncio
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.hot import HotArticle, new_rows, thread_replies
from bench.site import ScratchSite
from tests.newsroom.services import drop_database, production_services

SLUG = "china-to-join-russias-vostok-exercise"
WORKERS = 2
SECONDS = 10


@pytest.fixture
def hosts(tmp_path):
    services = production_services()
    site = ScratchSite(
        tmp_path,
        **services,
        DJANGO_SETTINGS_MODULE="bench.hot_settings",  # answers name their worker
        DJANGO_NUM_PROXIES="1",
        DJANGO_SUPERUSER_PASSWORD=secrets.token_urlsafe(18),
        COMMENTS_MODERATION="first",
    )
    try:
        site.prepare()
        site.manage("seed_demo")
        site.manage("createsuperuser", "--noinput", "--username", "desk", "--email", "d@x.org")
        token = site.manage("drf_create_token", "desk").split()[2]
        first = site.start(workers=WORKERS)
        second = site.start(workers=WORKERS, NEWSROOM_SITE_URL=first)
        yield site, [first, second], token
    finally:
        site.stop()
        drop_database(services)


def test_two_hosts_under_the_hot_mix_agree_at_once_and_lose_nothing(hosts):
    site, urls, token = hosts
    last = max(new_rows(site, SLUG, 0))
    mix = HotArticle(
        urls,
        token=token,
        parents=thread_replies(site, SLUG),
        slug=SLUG,
        rate=0.3,  # 3 replies, 15 recommendations a second; one moderator action a second
        readers=4,
        workers=WORKERS,
    )

    async def scenario():
        await mix.first_replies(4)
        await mix.run(SECONDS, writers=True)

    # In a thread of its own: the browser tests leave an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, scenario()).result()

    statuses = {kind: dict(tally.statuses) for kind, tally in mix.tallies.items()}
    # No error of any kind, from either host.
    for kind, counted in statuses.items():
        assert all(isinstance(s, int) and s < 500 for s in counted), (kind, counted)
    # Both hosts answered readers, each from both of its workers.
    assert [len(mix.pids[server]) for server in (0, 1)] == [WORKERS, WORKERS]
    assert statuses["article page"].get(200, 0) > 20, statuses
    assert statuses["post (API)"].get(201, 0) + statuses["post (form)"].get(303, 0) > 10
    assert statuses["recommendation"].get(200, 0) > 50, statuses
    # Every moderator action showed on every worker of both hosts, and once it had
    # returned, no reader anywhere was shown the state before it.
    assert len(mix.moderations) >= 5, mix.moderations
    assert any(m.action == "approve" for m in mix.moderations), mix.moderations
    assert all(m.visible_ms is not None for m in mix.moderations), mix.moderations
    assert sum(m.stale_after_return for m in mix.moderations) == 0, mix.moderations
    # Every accepted reply is a row, and every new row was accepted.
    assert sorted(mix.accepted) == new_rows(site, SLUG, last)
