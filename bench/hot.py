"""The hot article: `make bench-hot` (PostgreSQL, Redis, gunicorn, the task worker).

One article goes viral: thousands read it while replies, recommendations and
reports arrive every second and a moderator works through a queue that grows.
The site runs as the README's production section describes it: PostgreSQL
(`DATABASE_URL`, default a scratch database `newsroom_hot`, recreated), Redis
(`CACHE_URL`, default database 9 of the local server, emptied before and
after), gunicorn with its default worker count, the task worker
(`manage.py db_worker`), `DJANGO_NUM_PROXIES=1` as behind the proxy, and the
shipped throttles and moderation policy (`COMMENTS_MODERATION=first`).

The site (gunicorn and the task worker) is pinned to core 0, this load
generator to core 1; PostgreSQL and Redis, services of their own (other hosts
in the README's production layout), run where the system puts them, and the
output says how busy each core was. The data: the demo edition (the front page) and one article with
2,000 approved comments in threads (bench/workload.py).

Two phases, the same readers in both:

  readers alone     readers only, for --alone seconds (default 20)
  everything        for --seconds (default 60), at once:
    readers         8 connections, each request drawn: the article page (80%),
                    its comments API with `since` and the last ETag, as a client
                    polls (15%), the front page (5%); 2% of them carry personal
                    cookies (a returning reader's saved details and own replies)
    replies         10 a second, 30% of them answers to replies, texts of 200 to
                    600 characters: half through the form, from 200 returning
                    readers (their first reply approved before the run, so their
                    browsers prove them and they are published at once: each
                    changes the page), with the form's real fields (the page
                    fetched with their cookies for its token and signed
                    timestamp, posted 3.5 s later, and the redirect followed
                    as a browser does, to the page with their new reply and
                    the message about it); half through the API from
                    100 other names (held: the API has no browser to prove them)
    recommendations 50 a second, each from a new browser
    reports         1 a second
    moderator       approves (3 in 4) or removes (1 in 4) one held reply a
                    second through the API, then asks for it as an anonymous
                    reader until every worker has answered (by the answer's
                    X-Newsroom-Worker header, bench/hot_settings.py)

Then each kind of writer alone, 6 s each, without readers: how busy it keeps
each core, which is what it costs.

Every request comes from an address of its own (X-Forwarded-For), as many
readers would. Printed: requests per second, p50 and p99 per kind; statuses
by kind; for every moderator action, the time from sending it until every
worker shows the change, and any answer that still showed the old state after
the action returned; the article page's throughput under load as a share of
its throughput alone; and whether every accepted post is a row and every new
row was accepted.

    make bench-hot
    python -m bench.hot [--seconds 60] [--alone 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.site import ROOT, ScratchSite
from bench.workload import HOT_ARTICLE, HOT_COMMENTS, SEED
from bench.workload import body as comment_text

SITE_CORE, LOAD_CORE = "0", "1"
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsroom_hot"
CACHE_URL = "redis://127.0.0.1:6379/9"
WORKER_HEADER = "x-newsroom-worker"

READERS = 8
READ_MIX = [("article page", 0.80), ("comments API poll", 0.15), ("front page", 0.05)]
PERSONAL_SHARE = 0.02
POSTS_PER_SECOND = 10
REPLY_TO_REPLY_SHARE = 0.30
RECOMMENDATIONS_PER_SECOND = 50
REPORTS_PER_SECOND = 1
MODERATIONS_PER_SECOND = 1
AUTHORS = 100  # the API's writers
RETURNING = 200  # readers whose first reply was approved: the form's writers (each posts
# about one and a half times a minute, under the flood limit of five)
FORM_AGE = 3.5  # seconds between fetching the form and posting it (COMMENTS_MIN_SECONDS is 3)
VISIBLE_WITHIN = 5.0  # a moderator's change not seen everywhere by then counts as never


# HTTP, one new connection per request (gunicorn's sync workers close each one).


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self):
        return json.loads(self.body)


class Client:
    """Requests to one server from addresses of their own, each answer timed.

    They name the site as `public` (the server's own address by default): hosts
    behind one load balancer are all asked for the same site.
    """

    def __init__(self, url: str, public: str | None = None):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.public = public or parts.netloc

    async def send(
        self,
        method: str,
        target: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        address: str | None = None,
    ) -> Answer:
        lines = [
            f"{method} {target} HTTP/1.1",
            f"Host: {self.public}",
            "Connection: close",
            f"X-Forwarded-For: {address or random_address()}",
        ]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        started = time.perf_counter()
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            raw = await reader.read()
        finally:
            writer.close()
        seconds = time.perf_counter() - started
        head, _, content = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        answer_headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            value = value.strip()
            # Several Set-Cookie lines: keep them all, joined.
            answer_headers[name] = (
                f"{answer_headers[name]}\n{value}" if name in answer_headers else value
            )
        if answer_headers.get("transfer-encoding") == "chunked":
            content = dechunk(content)
        return Answer(int(status_line.split()[1]), answer_headers, content, seconds)


def dechunk(content: bytes) -> bytes:
    out, rest = bytearray(), content
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2 :]
    return bytes(out)


def random_address() -> str:
    """A reader's own address, from 100.64.0.0/10 (shared address space)."""
    number = random.getrandbits(22)
    return f"100.{64 + (number >> 16)}.{(number >> 8) & 255}.{number & 255}"


def keep_cookies(jar: dict[str, str], answer: Answer) -> None:
    """What a browser does with an answer's cookies: keeps the new ones and
    forgets those the site deletes (a message once shown, say)."""
    for line in answer.headers.get("set-cookie", "").split("\n"):
        name, _, rest = line.partition("=")
        if not (name and rest):
            continue
        value, *attributes = rest.split(";")
        if any(a.strip().lower() == "max-age=0" for a in attributes):
            jar.pop(name.strip(), None)
        else:
            jar[name.strip()] = value


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@dataclass
class Browser:
    """A reader's browser: who they say they are, and the cookies the site gave it."""

    name: str
    email: str
    cookies: dict[str, str] = field(default_factory=dict)
    address: str = field(default_factory=lambda: random_address())


# What was sent and answered, by kind.


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    def add(self, answer: Answer | None, seconds: float | None = None) -> None:
        if answer is None:
            self.statuses["connection error"] += 1
            return
        self.statuses[answer.status] += 1
        self.latencies.append(answer.seconds if seconds is None else seconds)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(int(share * len(ordered)), len(ordered) - 1)] * 1000 if ordered else 0


@dataclass
class Moderation:
    action: str
    comment_id: int
    request_ms: float
    visible_ms: float | None  # until every worker showed it; None: not within VISIBLE_WITHIN
    stale_after_return: int


class HotArticle:
    """The mix of the module docstring against one or more servers (hosts).

    `rates` scales every writer (1.0: the figures above); readers are closed
    loops on `readers` connections; the moderator acts `moderations` times a
    second whatever the rate. Each server in `urls` gets an equal share of
    every kind, all asked for the site at `public` (the first server's address
    by default); a moderator's change must show on every worker of each.
    """

    def __init__(
        self,
        urls: list[str],
        *,
        token: str,
        parents: list[int],
        slug: str = HOT_ARTICLE,
        rate: float = 1.0,
        moderations: float = MODERATIONS_PER_SECOND,
        readers: int = READERS,
        workers: int | None = None,
        public: str | None = None,
    ):
        public = public or urlsplit(urls[0]).netloc
        self.clients = [Client(url, public) for url in urls]
        self.origin = f"http://{public}"
        self.slug = slug
        self.paths = {
            "article page": f"/articles/{slug}/",
            "comments API poll": f"/api/v1/articles/{slug}/comments/",
            "front page": "/",
        }
        self.moderations_per_second = moderations
        self.token = token
        self.parents = parents  # replies already in the thread, for answers to answers
        self.rate = rate
        self.readers = readers
        self.workers = workers  # per server; learnt from the answers when None
        self.rng = random.Random(SEED)
        self.tallies: dict[str, Tally] = defaultdict(Tally)
        self.pids: dict[int, set[str]] = defaultdict(set)  # server -> workers seen
        self.accepted: list[int] = []
        self.held: set[int] = set()
        self.returning: list[Browser] = []  # readers whose first reply was approved
        self.moderations: list[Moderation] = []
        self.acted: set[int] = set()
        self.running = False

    def client(self) -> tuple[int, Client]:
        number = self.rng.randrange(len(self.clients))
        return number, self.clients[number]

    async def attempt(self, kind: str, coroutine) -> Answer | None:
        try:
            answer = await coroutine
        except OSError:
            self.tallies[kind].add(None)
            return None
        self.tallies[kind].add(answer)
        return answer

    # Readers

    async def reader(self) -> None:
        since, etag, polls = self.moment(), None, 0
        kinds, weights = zip(*READ_MIX, strict=True)
        while self.running:
            kind = self.rng.choices(kinds, weights)[0]
            headers = {}
            if self.returning and self.rng.random() < PERSONAL_SHARE:
                headers["Cookie"] = cookie_header(self.personal_cookies())
                label = f"{kind} (personal)"
            else:
                label = kind
            target = self.paths[kind]
            if kind == "comments API poll":
                polls += 1
                if polls % 20 == 0:  # another reader opens the page
                    since, etag = self.moment(), None
                target += "?" + urlencode({"since": since})
                if etag:
                    headers["If-None-Match"] = etag
            server, client = self.client()
            answer = await self.attempt(label, client.send("GET", target, headers=headers))
            if answer is not None:
                self.pids[server].add(answer.headers.get(WORKER_HEADER, "?"))
                if kind == "comments API poll" and answer.status in (200, 304):
                    etag = answer.headers.get("etag", etag)

    @staticmethod
    def moment() -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 120))

    # Writers

    def author(self) -> tuple[str, str]:
        number = self.rng.randrange(AUTHORS)
        return f"Reader {number}", f"reader{number}@example.org"

    def new_text(self) -> str:
        return f"{comment_text(self.rng)} ({secrets.token_hex(4)})"

    def parent(self) -> int | None:
        if self.parents and self.rng.random() < REPLY_TO_REPLY_SHARE:
            return self.rng.choice(self.parents)
        return None

    async def post_by_api(self) -> None:
        name, email = self.author()
        post = {"name": name, "email": email, "body": self.new_text()}
        if (parent := self.parent()) is not None:
            post["parent"] = parent
        _, client = self.client()
        answer = await self.attempt(
            "post (API)",
            client.send(
                "POST",
                f"/api/v1/articles/{self.slug}/comments/",
                headers={"Content-Type": "application/json"},
                body=json.dumps(post).encode(),
            ),
        )
        if answer is not None and answer.status == 201:
            made = answer.json()
            self.accepted.append(made["id"])
            if made.get("status") == "pending":
                self.held.add(made["id"])

    async def post_by_form(self, browser: Browser | None = None) -> int | None:
        """A reader's browser (a returning reader's, unless given): the page (its
        token and signed timestamp), a few seconds of writing, then the form's
        own fields. Returns the new reply's id if it was taken."""
        if browser is None:
            browser = self.rng.choice(self.returning)
        _, client = self.client()
        page = await self.attempt(
            "form page (writer)",
            client.send(
                "GET",
                self.paths["article page"],
                headers={"Cookie": cookie_header(browser.cookies)} if browser.cookies else {},
                address=browser.address,
            ),
        )
        if page is None or page.status != 200:
            return None
        html = page.body.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        stamp = re.search(r'name="timestamp" value="([^"]+)"', html).group(1)
        keep_cookies(browser.cookies, page)
        await asyncio.sleep(FORM_AGE)
        fields = {
            "csrfmiddlewaretoken": token,
            "timestamp": stamp,
            "homepage": "",
            "name": browser.name,
            "email": browser.email,
            "url": "https://example.org/" if self.rng.random() < 0.3 else "",
            "body": self.new_text(),
            "parent": self.parent() or "",
            "remember": "on",
        }
        answer = await self.attempt(
            "post (form)",
            client.send(
                "POST",
                f"/articles/{self.slug}/comments/",
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": cookie_header(browser.cookies),
                    "Referer": f"{self.origin}{self.paths['article page']}",
                    "Origin": self.origin,
                },
                body=urlencode(fields).encode(),
                address=browser.address,
            ),
        )
        if answer is None or answer.status != 303:
            return None
        location = answer.headers["location"]
        made = int(re.search(r"#comment-(\d+)", location).group(1))
        self.accepted.append(made)
        keep_cookies(browser.cookies, answer)
        # The browser follows: the page with the new reply, and the message about it.
        shown = await self.attempt(
            "page after posting (writer)",
            client.send(
                "GET",
                urlsplit(location)._replace(scheme="", netloc="", fragment="").geturl(),
                headers={"Cookie": cookie_header(browser.cookies)},
                address=browser.address,
            ),
        )
        if shown is not None:
            keep_cookies(browser.cookies, shown)
        return made

    def personal_cookies(self) -> dict[str, str]:
        """A returning reader's cookies: saved details and their own replies."""
        cookies = dict(self.rng.choice(self.returning).cookies)
        cookies.pop("csrftoken", None)
        return cookies

    async def recommend(self) -> None:
        cookie = f"newsroom_reader={secrets.token_urlsafe(18)}"  # a new browser each time
        await self.to_a_reply("recommendation", "recommendation/", headers={"Cookie": cookie})

    async def report(self) -> None:
        reason = json.dumps({"reason": "off-topic", "note": "Not about the article."}).encode()
        headers = {"Content-Type": "application/json"}
        await self.to_a_reply("report", "report/", headers=headers, body=reason)

    async def to_a_reply(self, kind: str, action: str, **request) -> None:
        """POST to `action` of a reply in the thread."""
        _, client = self.client()
        pk = self.rng.choice(self.parents)
        await self.attempt(kind, client.send("POST", f"/api/v1/comments/{pk}/{action}", **request))

    async def moderate(self) -> None:
        """The newest held reply not yet handled: approve or remove it, then ask
        every worker of every server for it as an anonymous reader."""
        authorization = {"Authorization": f"Token {self.token}"}
        _, client = self.client()
        queue = await self.attempt(
            "moderation queue",
            client.send(
                "GET", "/api/v1/moderation/comments/?status=pending", headers=authorization
            ),
        )
        if queue is None or queue.status != 200:
            return
        waiting = [c["id"] for c in queue.json()["results"] if c["id"] not in self.acted]
        if not waiting:
            return
        pk = waiting[0]
        self.acted.add(pk)
        action = "remove" if self.rng.random() < 0.25 else "approve"
        started = time.perf_counter()
        answer = await self.attempt(
            f"moderator: {action}",
            client.send(
                "POST", f"/api/v1/moderation/comments/{pk}/{action}/", headers=authorization
            ),
        )
        if answer is None or answer.status != 200:
            return
        returned = time.perf_counter()
        visible_ms, stale = await self.until_everywhere(
            pk, 200 if action == "approve" else 404, started
        )
        self.moderations.append(
            Moderation(action, pk, (returned - started) * 1000, visible_ms, stale)
        )

    async def until_everywhere(
        self, pk: int, expected: int, started: float
    ) -> tuple[float | None, int]:
        """Ask every worker of every server for comment `pk` until each has shown
        `expected`; the time from `started` until the last did, and the answers
        that did not show it."""
        shown: dict[tuple[int, str], float] = {}
        stale = 0
        deadline = started + VISIBLE_WITHIN

        def everywhere() -> bool:
            for server in range(len(self.clients)):
                wanted = self.workers or len(self.pids[server]) or 1
                if sum(1 for s, _ in shown if s == server) < wanted:
                    return False
            return True

        async def ask(server: int) -> None:
            nonlocal stale
            try:
                answer = await self.clients[server].send("GET", f"/api/v1/comments/{pk}/")
            except OSError:
                return
            self.tallies["moderator's check"].add(answer)
            worker = answer.headers.get(WORKER_HEADER, "?")
            if answer.status == expected:
                shown.setdefault((server, worker), time.perf_counter())
            else:
                stale += 1

        while not everywhere() and time.perf_counter() < deadline:
            await asyncio.gather(*(ask(s) for s in range(len(self.clients)) for _ in range(3)))
        if not everywhere():
            return None, stale
        return (max(shown.values()) - started) * 1000, stale

    # Running

    async def first_replies(self, count: int) -> None:
        """The returning readers: `count` new readers post through the form (held:
        their first reply) and the moderator approves each, so their browsers
        prove them and their next replies are published at once."""
        browsers = [Browser(f"Regular {n}", f"regular{n}@example.org") for n in range(count)]
        made = await asyncio.gather(*(self.post_by_form(browser) for browser in browsers))
        authorization = {"Authorization": f"Token {self.token}"}
        for browser, pk in zip(browsers, made, strict=True):
            if pk is None:
                continue
            answer = await self.clients[0].send(
                "POST", f"/api/v1/moderation/comments/{pk}/approve/", headers=authorization
            )
            if answer.status == 200:
                self.returning.append(browser)
        if not self.returning:
            raise RuntimeError("no reader could post through the form")

    async def every(self, per_second: float, action) -> None:
        """Start `action` `per_second` times a second, each in a task of its own,
        so a slow answer does not slow the rate."""
        if per_second <= 0:
            return
        interval = 1 / per_second
        due = time.perf_counter()
        pending = set()
        while self.running:
            due += interval
            task = asyncio.ensure_future(action())
            pending.add(task)
            task.add_done_callback(pending.discard)
            await asyncio.sleep(max(due - time.perf_counter(), 0))
        if pending:
            await asyncio.wait(pending)

    async def moderator(self) -> None:
        """One action a second, one after the other, as one person works."""
        interval = 1 / self.moderations_per_second
        while self.running:
            started = time.perf_counter()
            await self.moderate()
            await asyncio.sleep(max(interval - (time.perf_counter() - started), 0))

    def writers(self) -> dict[str, Callable[[], Awaitable]]:
        """Each kind of writer, by what it does and how often."""
        posts = POSTS_PER_SECOND * self.rate / 2
        recommendations = RECOMMENDATIONS_PER_SECOND * self.rate
        reports = REPORTS_PER_SECOND * self.rate
        return {
            f"replies through the API, {posts:g}/s": lambda: self.every(posts, self.post_by_api),
            f"replies through the form, {posts:g}/s (and the pages around them)": lambda: (
                self.every(posts, self.post_by_form)
            ),
            f"recommendations, {recommendations:g}/s": lambda: self.every(
                recommendations, self.recommend
            ),
            f"reports, {reports:g}/s": lambda: self.every(reports, self.report),
            f"the moderator, {self.moderations_per_second:g}/s (with the checks)": self.moderator,
        }

    async def run(self, seconds: float, *, writers: bool = False, only=None) -> float:
        """Load the site for `seconds` with the readers, and the writers if asked
        (or only the job `only`); returns the time it took."""
        self.running = True
        if only is not None:
            jobs = [only()]
        else:
            jobs = [self.reader() for _ in range(self.readers)]
            if writers:
                jobs += [start() for start in self.writers().values()]
        started = time.perf_counter()

        async def stop() -> None:
            await asyncio.sleep(seconds)
            self.running = False

        await asyncio.gather(stop(), *jobs)
        return time.perf_counter() - started

    def fresh_tallies(self) -> dict[str, Tally]:
        done, self.tallies = self.tallies, defaultdict(Tally)
        return done


# The site


def flush(cache_url: str) -> None:
    import redis

    redis.Redis.from_url(cache_url).flushdb()


class Site(ScratchSite):
    def __init__(self, work: Path, database_url: str, cache_url: str):
        super().__init__(
            work,
            DJANGO_SETTINGS_MODULE="bench.hot_settings",
            DATABASE_URL=database_url,
            CACHE_URL=cache_url,
            DJANGO_TASKS_BACKEND="database",
            DJANGO_NUM_PROXIES="1",
            DJANGO_SUPERUSER_PASSWORD=secrets.token_urlsafe(18),
            COMMENTS_MODERATION="first",
        )

    def build(self) -> str:
        """The data; returns the moderator's API token."""
        self.prepare()
        self.manage("seed_demo")
        subprocess.run(
            [sys.executable, "-m", "bench.workload", "hot"], cwd=ROOT, env=self.env, check=True
        )
        self.manage("createsuperuser", "--noinput", "--username", "desk", "--email", "d@x.org")
        return self.manage("drf_create_token", "desk").split()[2]


def thread_replies(site: ScratchSite, slug: str) -> list[int]:
    """The approved replies under `slug` that can take an answer (or, in a
    discussion without replies, its comments)."""
    rows = site.query(
        "SELECT c.id, c.parent_id FROM comments_comment c JOIN articles_article a"
        " ON a.id = c.article_id WHERE a.slug = %s AND c.status = 'approved' AND c.depth < 3"
        " ORDER BY c.id",
        slug,
    )
    return [pk for pk, parent in rows if parent is not None] or [pk for pk, _ in rows]


def new_rows(site: ScratchSite, slug: str, after: int) -> list[int]:
    """The ids of the comments under `slug` after id `after`."""
    rows = site.query(
        "SELECT c.id FROM comments_comment c JOIN articles_article a"
        " ON a.id = c.article_id WHERE a.slug = %s AND c.id > %s ORDER BY c.id",
        slug,
        after,
    )
    return [pk for (pk,) in rows]


# The report


def readers_table(tallies: dict[str, Tally], seconds: float) -> list[str]:
    lines = [f"  {'kind':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses"]
    for kind in sorted(tallies, key=lambda k: -len(tallies[k].latencies)):
        tally = tallies[kind]
        statuses = ", ".join(f"{n:,} x {s}" for s, n in sorted(tally.statuses.items(), key=str))
        lines.append(
            f"  {kind:<34} {len(tally.latencies) / seconds:>8.1f} {tally.percentile(0.5):>8.1f}"
            f" {tally.percentile(0.99):>8.1f}  {statuses}"
        )
    return lines


def errors(tallies: dict[str, Tally]) -> Counter:
    found = Counter()
    for tally in tallies.values():
        for status, count in tally.statuses.items():
            if not isinstance(status, int) or status >= 500:
                found[status] += count
    return found


def moderation_lines(moderations: list[Moderation]) -> list[str]:
    if not moderations:
        return ["  no moderator action"]
    actions = Counter(m.action for m in moderations)
    seen = [m.visible_ms for m in moderations if m.visible_ms is not None]
    never = sum(1 for m in moderations if m.visible_ms is None)
    stale = sum(m.stale_after_return for m in moderations)
    lines = [
        f"  {len(moderations)} actions ({', '.join(f'{n} {a}' for a, n in actions.items())});"
        f" the request itself: p50 {statistics.median(m.request_ms for m in moderations):.0f} ms,"
        f" max {max(m.request_ms for m in moderations):.0f} ms",
    ]
    if seen:
        lines.append(
            "  shown by every worker, from sending the action:"
            f" p50 {statistics.median(seen):.0f} ms,"
            f" max {max(seen):.0f} ms (including the reader's own request)"
        )
    lines.append(
        f"  not shown everywhere within {VISIBLE_WITHIN:g} s: {never};"
        f" answers still showing the old state after the action returned: {stale}"
    )
    return lines


def core_times() -> list[tuple[int, int]]:
    """(busy, all) clock ticks of each core so far, from /proc/stat."""
    times = []
    for line in Path("/proc/stat").read_text().splitlines():
        if re.match(r"cpu\d", line):
            ticks = [int(t) for t in line.split()[1:]]
            idle = ticks[3] + ticks[4]  # idle and waiting for I/O
            times.append((sum(ticks) - idle, sum(ticks)))
    return times


def busy_since(before: list[tuple[int, int]]) -> str:
    shares = [
        (busy - busy0) / max(total - total0, 1)
        for (busy0, total0), (busy, total) in zip(before, core_times(), strict=True)
    ]
    return ", ".join(f"core {n} {share:.0%}" for n, share in enumerate(shares))


@dataclass
class Phase:
    seconds: float
    tallies: dict[str, Tally]
    busy: str  # how busy each core was
    moderations: list[Moderation]  # the moderator's actions in the phase


async def phase(mix: HotArticle, seconds: float, **load) -> Phase:
    before, acted = core_times(), len(mix.moderations)
    took = await mix.run(seconds, **load)
    return Phase(took, mix.fresh_tallies(), busy_since(before), mix.moderations[acted:])


COST_SECONDS = 6


async def phases(mix: HotArticle, args) -> tuple[Phase, Phase, dict[str, Phase]]:
    """Readers alone, then everything, then each kind of writer alone."""
    await mix.first_replies(RETURNING)
    await phase(mix, args.warmup)
    alone = await phase(mix, args.alone)
    busy = await phase(mix, args.seconds, writers=True)
    costs = {
        name: await phase(mix, COST_SECONDS, only=start) for name, start in mix.writers().items()
    }
    return alone, busy, costs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--alone", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", DATABASE_URL)
    cache_url = os.environ.get("CACHE_URL", CACHE_URL)
    if not (database_url.startswith("postgres") and cache_url.startswith("redis")):
        sys.exit("bench/hot.py runs on PostgreSQL and Redis: DATABASE_URL and CACHE_URL")
    if shutil.which("taskset") is None:
        sys.exit("bench/hot.py pins processes to cores with taskset (util-linux)")

    from bench.scale import recreate_database

    recreate_database(database_url)
    flush(cache_url)
    with tempfile.TemporaryDirectory(prefix="newsroom-hot-") as scratch:
        work = Path(scratch)
        site = Site(work, database_url, cache_url)
        token = site.build()
        parents = thread_replies(site, HOT_ARTICLE)
        last_seeded = max(new_rows(site, HOT_ARTICLE, 0))
        os.sched_setaffinity(0, {int(LOAD_CORE)})
        try:
            url = site.start(workers=None, core=SITE_CORE, log=work / "site.log",
                             GUNICORN_ACCESSLOG="-")  # fmt: skip
            site.start_task_worker(core=SITE_CORE, log=work / "worker.log")
            mix = HotArticle([url], token=token, parents=parents)
            alone, busy, costs = asyncio.run(phases(mix, args))
            time.sleep(1)  # the last replies' transactions
            rows = new_rows(site, HOT_ARTICLE, last_seeded)
        finally:
            site.stop()
        log = (work / "site.log").read_text(errors="replace")
        tracebacks = log.count("Traceback")

    import django
    import gunicorn

    workers = len(mix.pids[0])
    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}")
    print(
        f"python {platform.python_version()}, django {django.get_version()},"
        f" gunicorn {gunicorn.__version__}"
    )
    print(
        f"site on core {SITE_CORE}: gunicorn ({workers} workers, its default) and the task"
        f" worker; load generator (this process, asyncio) on core {LOAD_CORE};"
        " PostgreSQL and Redis on either"
    )
    print(
        f"workload: one article with {HOT_COMMENTS:,} approved comments in threads, and the demo"
        " front page; COMMENTS_MODERATION=first, shipped throttles, one address per request\n"
    )
    print(f"readers alone, {alone.seconds:.0f} s, {READERS} connections ({alone.busy}):")
    print("\n".join(readers_table(alone.tallies, alone.seconds)))
    print(f"\neverything at once, {busy.seconds:.0f} s ({busy.busy}):")
    print("\n".join(readers_table(busy.tallies, busy.seconds)))
    posts = [busy.tallies[k] for k in ("post (API)", "post (form)")]
    accepted = sum(t.statuses.get(201, 0) + t.statuses.get(303, 0) for t in posts)
    together = Tally(latencies=[x for t in posts for x in t.latencies])
    print(
        f"\nposts accepted: {accepted / busy.seconds:.1f}/s,"
        f" p99 {together.percentile(0.99):.0f} ms;"
        f" held for moderation: {len(mix.held)} by the API"
    )
    print(f"\neach kind of writer alone, {COST_SECONDS} s, without readers:")
    for name, alone_phase in costs.items():
        print(f"  {name:<52} {alone_phase.busy}")
    print("moderator:")
    print("\n".join(moderation_lines(busy.moderations)))
    page_alone = len(alone.tallies["article page"].latencies) / alone.seconds
    page_busy = len(busy.tallies["article page"].latencies) / busy.seconds
    print(
        f"\narticle page: {page_busy:.0f} req/s under load, {page_alone:.0f} alone:"
        f" {page_busy / page_alone:.0%} (target 40%); p99 under load"
        f" {busy.tallies['article page'].percentile(0.99):.0f} ms (target 100)"
    )
    found = errors(alone.tallies) + errors(busy.tallies)
    print(
        f"errors (5xx or no answer): {sum(found.values())}"
        + (f" ({dict(found)})" if found else "")
        + f"; tracebacks in the site's log: {tracebacks}"
    )
    accepted_ids = sorted(mix.accepted)
    print(
        f"accepted posts {len(accepted_ids):,}, new rows {len(rows):,}: "
        + (
            "every accepted post is a row and every row was accepted"
            if accepted_ids == rows
            else f"MISMATCH: {len(set(accepted_ids) - set(rows))} accepted without a row,"
            f" {len(set(rows) - set(accepted_ids))} rows never accepted"
        )
    )
    flush(cache_url)


if __name__ == "__main__":
    main()
