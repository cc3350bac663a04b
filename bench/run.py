"""Newsroom's benchmark: `make bench`.

Serves the benchmark workload (bench/workload.py) with gunicorn, one sync
worker pinned to core 0, production settings (DEBUG off) on SQLite and the
default cache, and loads it from core 1 with wrk (or bench/load.py without
it): 8 connections, 3 s of warm-up, then 10 s measured, 3 runs, medians.

Rows, each as requests per second, p50 and p99, and as a share of the limit:

  API warm     GET /api/v1/articles/<slug>/comments/?page_size=200, from the cache
  API cold     the same with the shared cache off: every request does the work
  page warm    the article page with its 200 comments, from the cache
  page cold    the same, rendered on every request
  limit        precomputed bytes of the API answer's size, through the same middleware
  page warm + recommendations
               the same while 100 recommendations per second arrive through the
               API from new browsers (each a new count, so the page's counts keep
               changing); the note says how many were taken
  writes       POST to the comments API from 4 clients for 10 s, a new connection
               for each post, through the whole pipeline: 40% answers, 200 to 600
               characters from 90 authors, onto an article with 200 comments;
               accepted comments per second, errors, and whether every 201 answer
               matches a new row

Then 3,000 junk requests (unknown parameters, pages beyond the last,
moments, cursors, odd host ports) and the cache directory's entries and bytes
before and after them: what a stranger can add to the cache.

    python -m bench.run [--seconds 10] [--warmup 3] [--runs 3]
"""

from __future__ import annotations

import argparse
import collections
import http.client
import itertools
import json
import os
import platform
import random
import re
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench import load
from bench.site import ROOT, ScratchSite
from bench.workload import ARTICLE, AUTHORS, REPLY_SHARE, SEED, WRITES_ARTICLE
from bench.workload import body as workload_body

SERVER_CORE, LOAD_CORE = "0", "1"
READ_CONNECTIONS, WRITE_CONNECTIONS = 8, 4


@dataclass
class Row:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    note: str = ""


def pinned(core: str, command: list[str]) -> list[str]:
    return ["taskset", "-c", core, *command] if shutil.which("taskset") else command


class Site(ScratchSite):
    """The benchmark's scratch site: benchmark settings, one worker on core 0."""

    def __init__(self, work: Path):
        super().__init__(
            work,
            DJANGO_SETTINGS_MODULE="bench.settings",
            NEWSROOM_BENCH_LIMIT_FILE=str(work / "limit.json"),
        )
        self.url = ""

    def prepare(self) -> None:
        super().prepare()
        subprocess.run([sys.executable, "-m", "bench.workload"], cwd=ROOT, env=self.env, check=True)

    def start(self, *, shared_cache: bool) -> None:
        self.url = super().start(core=SERVER_CORE, NEWSROOM_SHARED_CACHE=str(shared_cache).lower())

    def rows_in(self, slug: str) -> int:
        with sqlite3.connect(self.database) as db:
            return db.execute(
                "SELECT count(*) FROM comments_comment c"
                " JOIN articles_article a ON a.id = c.article_id WHERE a.slug = ?",
                (slug,),
            ).fetchone()[0]


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, seconds: float) -> Row:
    output = subprocess.run(
        pinned(
            LOAD_CORE,
            ["wrk", "-t1", f"-c{READ_CONNECTIONS}", f"-d{int(seconds)}s", "--latency", url],
        ),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    failures = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = (int(bad.group(1)) if bad else 0) + (
        sum(map(int, failures.groups())) if failures else 0
    )
    return Row("", rps, p50, p99, errors)


def python_load(url: str, seconds: float) -> Row:
    result = load.run(url, connections=READ_CONNECTIONS, seconds=seconds)
    errors = sum(n for status, n in result.statuses.items() if status != 200)
    return Row(
        "",
        result.requests / seconds,
        result.percentile(0.5) * 1000,
        result.percentile(0.99) * 1000,
        errors,
    )


def measure(name: str, url: str, args) -> Row:
    tool = wrk if shutil.which("wrk") else python_load
    runs = []
    for _ in range(args.runs):
        tool(url, args.warmup)
        runs.append(tool(url, args.seconds))
    return Row(
        name,
        statistics.median(r.rps for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.errors for r in runs),
    )


RECOMMENDATIONS_PER_SECOND = 100


class Recommenders:
    """Recommendations at a steady rate, each from a new browser, spread over the
    article's comments, from a few threads so a slow answer does not slow the rate."""

    THREADS = 4

    def __init__(self, site_url: str, comment_ids: list[int], rate: float):
        self.host, self.port = urllib.parse.urlsplit(site_url).netloc.split(":")
        self.ids = comment_ids
        self.interval = self.THREADS / rate
        self.statuses: collections.Counter = collections.Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.send, args=(n,)) for n in range(self.THREADS)]

    def send(self, number: int) -> None:
        due = time.perf_counter() + number * self.interval / self.THREADS
        for sent in itertools.count():
            if self.stopping.is_set():
                return
            time.sleep(max(due - time.perf_counter(), 0))
            due += self.interval
            pk = self.ids[(sent * self.THREADS + number) % len(self.ids)]
            try:
                connection = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
                connection.request(
                    "POST",
                    f"/api/v1/comments/{pk}/recommendation/",
                    headers={"Cookie": f"newsroom_reader={secrets.token_urlsafe(18)}"},
                )
                response = connection.getresponse()
                response.read()
                status = response.status
                connection.close()
            except OSError:
                status = "connection error"
            with self.lock:
                self.statuses[status] += 1

    def __enter__(self):
        self.started = time.perf_counter()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join()
        self.seconds = time.perf_counter() - self.started

    def note(self) -> str:
        taken = self.statuses.get(200, 0)
        others = sum(self.statuses.values()) - taken
        return f"{taken / self.seconds:.0f} recommendations/s taken, {others} refused or failed"


def measure_under_recommendations(site: Site, page: str, comment_ids: list[int], args) -> Row:
    with Recommenders(site.url, comment_ids, RECOMMENDATIONS_PER_SECOND) as recommenders:
        row = measure("page warm + recs", site.url + page, args)
    row.note = recommenders.note()
    return row


def measure_writes(site: Site, args) -> Row:
    """Posts as the peers are measured: a new connection for each, 40% of them
    answers to the discussion's comments, 200 to 600 characters each from the
    workload's 90 authors, onto an article that already has 200 comments."""
    url = f"{site.url}/api/v1/articles/{WRITES_ARTICLE}/comments/"
    with urllib.request.urlopen(f"{url}?page_size=200") as response:  # noqa: S310 (ours)
        parents = [item["id"] for item in json.loads(response.read())["results"]]
    rng = random.Random(SEED)
    lock = threading.Lock()

    def body(connection: int, number: int) -> bytes:
        with lock:  # one generator for every connection's thread
            author = rng.randrange(AUTHORS)
            reply = rng.random() < REPLY_SHARE
            post = {
                "name": f"Reader {author}",
                "email": f"reader{author}@example.org",
                "body": workload_body(rng),
            }
            if reply:
                post["parent"] = rng.choice(parents)
        return json.dumps(post).encode()

    def post_for(seconds: float) -> load.Result:
        return load.run(
            url,
            connections=WRITE_CONNECTIONS,
            seconds=seconds,
            method="POST",
            body=body,
            headers={"Content-Type": "application/json"},
        )

    runs = []
    for _ in range(args.runs):
        post_for(args.warmup)
        before = site.rows_in(WRITES_ARTICLE)
        result = post_for(args.seconds)
        created = result.statuses.get(201, 0)
        new_rows = site.rows_in(WRITES_ARTICLE) - before
        runs.append((result, created, new_rows))
    errors = sum(r.requests - created for r, created, _ in runs)
    matched = all(created == rows for _, created, rows in runs)
    return Row(
        "writes (accepted/s)",
        statistics.median(created / args.seconds for _, created, _ in runs),
        statistics.median(r.percentile(0.5) * 1000 for r, _, _ in runs),
        statistics.median(r.percentile(0.99) * 1000 for r, _, _ in runs),
        errors,
        "201s = new rows in every run" if matched else "201s and new rows differ!",
    )


JUNK_REQUESTS = 3_000


def junk_paths(count: int, rng) -> list[tuple[str, dict]]:
    """Addresses a stranger might send to fill the cache: unknown parameters, pages
    beyond the last, moments, cursors, and host names with odd ports."""
    paths = [f"/articles/{ARTICLE}/", f"/api/v1/articles/{ARTICLE}/comments/", "/"]
    made = []
    for number in range(count):
        word = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=10))
        query = rng.choice(
            [
                f"utm_source={word}",
                f"{word}={number}",
                f"cpage={rng.randint(2, 10**6)}",
                f"page={rng.randint(2, 10**6)}",
                f"since=2026-01-{rng.randint(1, 28):02}T{rng.randint(0, 23):02}:00:00Z",
                f"cursor={word}",
            ]
        )
        headers = {"Host": f"127.0.0.1:{rng.randint(1, 65535)}"} if number % 4 == 0 else {}
        made.append((f"{rng.choice(paths)}?{query}", headers))
    return made


def cache_after_junk(site: Site) -> list[str]:
    """Entries and bytes in the cache directory before and after junk traffic."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    from diskcache import FanoutCache

    def measured():
        cache = FanoutCache(str(site.work / "cache"), shards=4)
        try:
            return len(cache), cache.volume()
        finally:
            cache.close()

    def get(job):
        path, headers = job
        request = urllib.request.Request(site.url + path, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    jobs = junk_paths(JUNK_REQUESTS, random.Random(1))
    for path in {path.partition("?")[0] for path, _ in jobs}:
        get((path, {}))  # each page readers really ask for, kept once
    before = measured()
    with ThreadPoolExecutor(8) as pool:
        statuses = collections.Counter(pool.map(get, jobs))
    after = measured()
    return [
        f"cache under junk traffic: {len(jobs):,} requests, "
        f"{len({path for path, _ in jobs}):,} distinct addresses "
        f"({', '.join(f'{n:,} x {status}' for status, n in sorted(statuses.items()))})",
        f"  entries: {before[0]:,} before, {after[0]:,} after",
        f"  bytes on disk: {before[1]:,} before, {after[1]:,} after",
    ]


def machine() -> list[str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    import django
    import gunicorn

    tool = (
        subprocess.run(["wrk", "--version"], capture_output=True, text=True)
        .stdout.split("[")[0]
        .strip()
        if shutil.which("wrk")
        else "bench/load.py"
    )
    return [
        f"machine: {os.cpu_count()} cores, {cpu}",
        f"python {platform.python_version()}, django {django.get_version()}, "
        f"gunicorn {gunicorn.__version__}, sqlite {sqlite3.sqlite_version}",
        f"load: {tool}; server pinned to core {SERVER_CORE}, load to core {LOAD_CORE}",
    ]


def table(rows: list[Row], limit: float) -> str:
    lines = [
        f"{'row':<22} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs limit':>9} {'errors':>7}  note",
        "-" * 84,
    ]
    for row in rows:
        share = f"{row.rps / limit:.0%}" if limit else "-"
        lines.append(
            f"{row.name:<22} {row.rps:>9.0f} {row.p50_ms:>8.2f} {row.p99_ms:>8.2f} "
            f"{share:>9} {row.errors:>7}  {row.note}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--writes-only", action="store_true", help="only the writes row, to compare write paths"
    )
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        # This process is the load generator when wrk is missing, and always for
        # writes: it belongs on the load core, away from the server's.
        os.sched_setaffinity(0, {int(LOAD_CORE)})

    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as scratch:
        site = Site(Path(scratch))
        site.prepare()
        api = f"/api/v1/articles/{ARTICLE}/comments/?page_size=200"
        page = f"/articles/{ARTICLE}/"
        rows: list[Row] = []
        if args.writes_only:
            try:
                site.start(shared_cache=True)
                row = measure_writes(site, args)
            finally:
                site.stop()
            print("\n".join(machine()))
            print(table([row], row.rps))
            return
        try:
            site.start(shared_cache=True)
            with urllib.request.urlopen(site.url + api) as response:  # noqa: S310 (our server)
                answer = response.read()
            if len(json.loads(answer)["results"]) != 200:
                raise RuntimeError("the workload should have 200 comments")
            Path(site.env["NEWSROOM_BENCH_LIMIT_FILE"]).write_bytes(answer)
            limit = measure("limit (same bytes)", f"{site.url}/bench/limit/", args)
            rows.append(measure("API warm", site.url + api, args))
            rows.append(measure("page warm", site.url + page, args))
            comment_ids = [item["id"] for item in json.loads(answer)["results"]]
            rows.append(measure_under_recommendations(site, page, comment_ids, args))
            rows.append(measure_writes(site, args))
            bounds = cache_after_junk(site)
            site.stop()
            site.start(shared_cache=False)
            rows.insert(1, measure("API cold", site.url + api, args))
            rows.insert(3, measure("page cold", site.url + page, args))
        finally:
            site.stop()
        rows.insert(0, limit)
        print("\n".join(machine()))
        print(
            "workload: 1 article, 200 approved comments (40% replies), "
            f"API answer {len(answer):,} bytes"
        )
        print(
            f"each row: {args.runs} runs of {args.seconds:g} s after {args.warmup:g} s "
            "of warm-up; medians\n"
        )
        print(table(rows, limit.rps))
        print()
        print("\n".join(bounds))


if __name__ == "__main__":
    main()
