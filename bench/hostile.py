"""What hostile comments cost: `make hostile`.

1. Rendering: each comment of tests/pathological.py (a unit that makes link
   finders and sanitizers backtrack, repeated) at 1,000 and 5,000 characters
   through comments.sanitize.render_comment, best of 3. Linear growth is x5.
2. Submitting: each 5,000-character one through services.submit_comment (the
   rules with a domain on the blocklist, then the save) on the shipped
   defaults (SQLite, the cache directory), one address each; then the same
   body refused by the flood rule.
3. Under attack: gunicorn with the shipped defaults (WEB_CONCURRENCY unset),
   after 3 rounds that warm every worker up, /healthz asked every 20 ms for
   5 s alone, then while one client sends rounds of 6 ordinary replies of the
   same length at once through the reply form (what any six posts cost), then
   rounds of 6 hostile ones.

    python -m bench.hostile [--rounds 20] [--cache-url redis://127.0.0.1:6379/9]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.site import ScratchSite
from tests.pathological import UNITS, body, corpus

SIZES = (1000, 5000)
HOSTILE_AT_ONCE = 6
ORDINARY = "A considered reply about the figures, with nothing odd in it. "
WARM_UP_ROUNDS = 3


def best_of(runs: int, work, *args) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work(*args)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def rendering() -> list[tuple[str, float, float]]:
    from comments.sanitize import render_comment

    render_comment("warm up https://example.org")
    small, large = (corpus(size) for size in SIZES)
    return [
        (name, best_of(3, render_comment, one), best_of(3, render_comment, other))
        for (name, one), (_, other) in zip(small, large, strict=True)
    ]


def submitting() -> tuple[list[tuple[str, float]], float]:
    from django.test.utils import override_settings

    from articles.models import Article
    from comments import services
    from comments.models import BlockedTerm

    article = Article.objects.get(slug="hostile")
    BlockedTerm.objects.get_or_create(kind=BlockedTerm.Kind.DOMAIN, value="spam.example")
    services.submit_comment(  # the first reply of a process prepares its statements
        article=article,
        name="Warm",
        email="warm@example.org",
        body="Warm up.",
        ip_address="192.0.2.1",
    )
    times = []
    for number, (name, text) in enumerate(corpus(5000)):
        started = time.perf_counter()
        with contextlib.suppress(services.CommentError):  # a refusal is timed as well
            services.submit_comment(
                article=article,
                name="Hostile",
                email=f"hostile{number}@example.org",
                body=text,
                ip_address=f"198.51.100.{number % 250 + 1}",
            )
        times.append((name, (time.perf_counter() - started) * 1000))

    with override_settings(COMMENTS_FLOOD_LIMIT=0):
        refused = []
        for _, text in corpus(5000):
            started = time.perf_counter()
            try:
                services.submit_comment(
                    article=article,
                    name="Hostile",
                    email="flood@example.org",
                    body=text,
                    ip_address="203.0.113.200",
                )
            except services.CommentRefused:
                refused.append((time.perf_counter() - started) * 1000)
    return times, max(refused)


class Poller(threading.Thread):
    """Asks /healthz every 20 ms and keeps each answer's time."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.address = urlsplit(url)
        self.times: list[float] = []
        self.running = True

    def run(self):
        while self.running:
            connection = http.client.HTTPConnection(self.address.hostname, self.address.port)
            started = time.perf_counter()
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            self.times.append((time.perf_counter() - started) * 1000)
            connection.close()
            time.sleep(0.02)

    def stop(self) -> list[float]:
        self.running = False
        self.join()
        return self.times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(int(0.99 * len(ordered)), len(ordered) - 1)]
    return (
        f"{len(times):4} answers  p50 {statistics.median(times):6.1f} ms  "
        f"p99 {p99:6.1f} ms  max {ordered[-1]:6.1f} ms"
    )


def under_attack(url: str, article_pk: int, rounds: int) -> tuple:
    from django.utils.crypto import get_random_string

    from comments.forms import sign_form_timestamp

    address = urlsplit(url)
    token = get_random_string(32)

    def post(unit: str) -> int:
        form = {
            "name": "Hostile",
            "email": "hostile@example.org",
            "url": "",
            "body": body(unit, 5000),
            "parent": "",
            "timestamp": sign_form_timestamp(article_pk, time.time() - 60),
            "homepage": "",
            "csrfmiddlewaretoken": token,
        }
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        started = time.perf_counter()
        connection.request(
            "POST",
            "/articles/hostile/comments/",
            urlencode(form),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={token}",
            },
        )
        answer = connection.getresponse()
        answer.read()
        took.append((time.perf_counter() - started) * 1000)
        connection.close()
        return answer.status

    statuses: dict[int, int] = {}
    took: list[float] = []

    def attack(pool, rounds: int, first: int = 0, ordinary: bool = False) -> None:
        for number in range(first, first + rounds):
            units = [
                ORDINARY if ordinary else UNITS[(number * HOSTILE_AT_ONCE + i) % len(UNITS)]
                for i in range(HOSTILE_AT_ONCE)
            ]
            for status in pool.map(post, units):
                statuses[status] = statuses.get(status, 0) + 1
            time.sleep(0.2)

    with ThreadPoolExecutor(HOSTILE_AT_ONCE) as pool:
        attack(pool, WARM_UP_ROUNDS)  # every worker has drawn each page once
        alone = Poller(url)
        alone.start()
        time.sleep(5)
        quiet = alone.stop()

        # The same number of posts at once, of the same length, of ordinary text:
        # what any six posts cost, hostile or not.
        usual = Poller(url)
        usual.start()
        attack(pool, rounds, ordinary=True)
        busy = usual.stop()

        took.clear()
        attacked = Poller(url)
        attacked.start()
        attack(pool, rounds, first=WARM_UP_ROUNDS)
        loud = attacked.stop()
    return summary(quiet), summary(busy), summary(loud), statuses, summary(took)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--cache-url", default="", help="CACHE_URL (default: the shipped one)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="newsroom-hostile-") as work:
        site = ScratchSite(Path(work), **({"CACHE_URL": args.cache_url} if args.cache_url else {}))
        site.prepare()
        os.environ.update(site.env)
        import django

        django.setup()
        from django.utils import timezone

        from articles.models import Article, Section
        from articles.services import save_article

        article = Article(
            title="Hostile replies",
            slug="hostile",
            section=Section.objects.create(name="World", slug="world"),
            status=Article.Status.PUBLISHED,
            published_at=timezone.now(),
            body="<p>A page under attack.</p>",
        )
        save_article(article)

        rendered = rendering()
        print(f"rendering: {len(rendered)} comments, each at {SIZES[0]:,} and {SIZES[1]:,} chars")
        print(f"{'made of':30} {'1k ms':>8} {'5k ms':>8} {'x':>6}")
        for name, small, large in sorted(rendered, key=lambda row: -row[2])[:8]:
            print(f"{name:30} {small:8.2f} {large:8.2f} {large / small:6.1f}")
        worst = max(large for _, _, large in rendered)
        growth = max(large / small for _, small, large in rendered)
        print(f"worst at 5k: {worst:.2f} ms; fastest growth 1k -> 5k: x{growth:.1f} (linear: x5)")

        submitted, refused = submitting()
        worst_unit, worst_submit = max(submitted, key=lambda row: row[1])
        print(
            f"\nsubmitting {len(submitted)} comments of 5,000 chars: median "
            f"{statistics.median(t for _, t in submitted):.2f} ms, worst {worst_submit:.2f} ms "
            f"({worst_unit}); refused by the flood rule: worst {refused:.2f} ms"
        )

        url = site.start()
        try:
            quiet, busy, loud, statuses, posts = under_attack(url, article.pk, args.rounds)
        finally:
            site.stop()
        workers = os.environ.get("WEB_CONCURRENCY") or f"{os.cpu_count() * 2 + 1} (default)"
        print(f"\n/healthz with {workers} gunicorn workers, asked every 20 ms")
        print(f"  alone:     {quiet}")
        print(f"  ordinary:  {busy}   (6 ordinary posts of 5,000 chars at once)")
        print(f"  attacked:  {loud}")
        answered = ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items()))
        print(f"  the hostile posts:  {posts}")
        print(
            f"  {WARM_UP_ROUNDS} rounds to warm up, then {args.rounds} ordinary and "
            f"{args.rounds} hostile, of {HOSTILE_AT_ONCE} form posts at once: {answered}"
        )


if __name__ == "__main__":
    main()
