"""Does Newsroom stay flat as comments pile up? `make scale` (PostgreSQL).

Fills a scratch PostgreSQL database with 10,000 articles and 10,000 comments,
measures, then adds 990,000 comments (bulk COPY) and measures again, and
at the end times the retention purge of their addresses (comments/retention.py):

  one article's comment list   GET /api/v1/articles/<slug>/comments/?page_size=100
  moderation queue (API)       GET /api/v1/moderation/comments/?status=pending
  moderation queue (admin)     GET /admin/comments/comment/  (pending, its first page)
  posting a comment            POST /api/v1/articles/<slug>/comments/

Requests go through Django's full stack in this process (test client), with the
shared cache off so every answer comes from the database; p50 and p99 over
N requests each. The EXPLAIN of the main queries shows which index serves them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_scale python -m bench.scale
"""

from __future__ import annotations

import atexit
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/newsroom_scale"
ARTICLES = 10_000
SMALL, LARGE = 10_000, 1_000_000
PROBE_COMMENTS = 100  # the measured article has as many comments at both sizes
REQUESTS = 200
SEED = 1_000_000
STATIC_ROOT = tempfile.mkdtemp(prefix="newsroom-scale-static-")
atexit.register(shutil.rmtree, STATIC_ROOT, ignore_errors=True)


def configure() -> str:
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench/scale.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_READ_DOTENV": "false",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_LOG_LEVEL": "WARNING",
            "NEWSROOM_SHARED_CACHE": "false",
            "NEWSROOM_BENCH_LIMIT_FILE": os.devnull,
            "DATABASE_URL": url,
            # The admin's pages need collected static files (a manifest); these
            # are collected afresh and removed at the end.
            "DJANGO_STATIC_ROOT": STATIC_ROOT,
        }
    )
    return url


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def timed(label: str, action) -> None:
    started = time.perf_counter()
    action()
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)


class Loader:
    """Rows written with PostgreSQL's COPY, straight from Python."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.rng = random.Random(SEED)
        self.now = datetime(2026, 11, 1, tzinfo=UTC)
        self.article_ids: list[int] = []

    def articles(self) -> None:
        from articles.models import Section

        section = Section.objects.create(name="World", slug="world")
        columns = (
            "title, slug, summary, body, byline, section_id, status, published_at, "
            "created_at, updated_at, allow_comments, import_key"
        )
        with self.connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY articles_article ({columns}) FROM STDIN") as copy:
                for n in range(ARTICLES):
                    published = self.now - timedelta(hours=n)
                    copy.write_row(
                        (f"Article {n}", f"article-{n}", "A summary.", "<p>Body.</p>", "Desk",
                         section.pk, "published", published, published, published, True, "")
                    )  # fmt: skip
            cursor.execute("SELECT id FROM articles_article ORDER BY id")
            self.article_ids = [row[0] for row in cursor.fetchall()]

    def comments(self, count: int, *, article_ids: list[int]) -> None:
        from comments.models import fingerprint
        from comments.sanitize import render_comment

        columns = (
            "article_id, depth, author_name, author_email, author_url, body, fingerprint, "
            "body_html, status, moderation_reasons, ip_address, ip_network, user_agent, "
            "notify_on_reply, recommendations, created_at, moderated_at, author_role, "
            "edit_token_digest, import_key"
        )
        statuses = ["approved"] * 90 + ["pending"] * 5 + ["spam"] * 3 + ["removed"] * 2
        texts = [f"Comment text number {n}, with an opinion about the news." for n in range(500)]
        rendered = [render_comment(text) for text in texts]
        digests = [fingerprint(text) for text in texts]
        sql = f"COPY comments_comment ({columns}) FROM STDIN"
        with self.connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for n in range(count):
                status = self.rng.choice(statuses)
                made = self.now - timedelta(seconds=self.rng.randrange(90 * 24 * 3600))
                text = self.rng.randrange(len(texts))
                copy.write_row(
                    (self.rng.choice(article_ids), 0, f"Reader {n % 5000}",
                     f"reader{n % 5000}@example.org", "", texts[text], digests[text],
                     rendered[text], status, "[]", f"10.{n % 250}.{n % 200}.{n % 100}",
                     f"10.{n % 250}.{n % 200}.0/24", "ScaleBench/1.0", False, n % 7, made,
                     made if status != "pending" else None, "", "", "")
                )  # fmt: skip
        # What one does after a bulk load: without it, autovacuum would work through
        # the new rows while the measurements run.
        with self.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE comments_comment")
            cursor.execute("VACUUM ANALYZE articles_article")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(int(0.99 * len(ordered)), len(ordered) - 1)]


def measure(size: int, clients) -> dict[str, tuple[float, float]]:
    public, moderator, admin = clients
    probe = "article-0"
    operations = {
        "one article's comment list": lambda n: public.get(
            f"/api/v1/articles/{probe}/comments/?page_size=100"
        ),
        "moderation queue (API)": lambda n: moderator.get(
            "/api/v1/moderation/comments/?status=pending"
        ),
        "moderation queue (admin)": lambda n: admin.get("/admin/comments/comment/"),
        "posting a comment": lambda n: public.post(
            "/api/v1/articles/article-1/comments/",
            {"name": "Scale", "email": "scale@example.org", "body": f"Post {size} {n}"},
            content_type="application/json",
        ),
    }
    results = {}
    for name, operation in operations.items():
        for n in range(20):
            response = operation(-n - 1)
            if response.status_code not in (200, 201):
                raise RuntimeError(f"{name}: {response.status_code}")
        samples = []
        for n in range(REQUESTS):
            started = time.perf_counter()
            operation(n)
            samples.append((time.perf_counter() - started) * 1000)
        results[name] = percentiles(samples)
    return results


def explain() -> None:
    from comments.admin import CappedCountPaginator
    from comments.api.views import article_comment_rows
    from comments.models import Comment
    from comments.moderation import SAME_TEXT

    probe = Comment.objects.filter(article__slug="article-0").values_list("article_id").first()[0]
    # The querysets the views and rules run, built by the same functions.
    queries = {
        "one article's comment list": article_comment_rows(probe).order_by("created_at", "id")[
            :101
        ],
        "moderation queue": Comment.objects.filter(status="pending").order_by("-created_at", "-id")[
            :51
        ],
        "duplicate check": SAME_TEXT.build(
            article=probe, email="reader1@example.org", text_fingerprint="0" * 32
        ),
    }
    for name, queryset in queries.items():
        print(f"\nEXPLAIN {name}:")
        print(queryset.explain())
    capped = Comment.objects.filter(status="pending")[: CappedCountPaginator.COUNT_CAP]
    from django.db import connection

    sql, params = capped.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        # The SQL is Django's own, compiled from the queryset above.
        cursor.execute(f"EXPLAIN SELECT count(*) FROM ({sql}) AS capped", params)  # noqa: S608
        print("\nEXPLAIN admin count (capped):")
        print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    url = configure()
    sys.path.insert(0, str(ROOT))
    print(f"Recreating {url.rsplit('/', 1)[1]} ...", flush=True)
    recreate_database(url)

    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from comments.models import Comment
    from tests.factories import UserFactory

    timed("migrate", lambda: call_command("migrate", verbosity=0))
    timed("collectstatic", lambda: call_command("collectstatic", interactive=False, verbosity=0))
    loader = Loader()
    timed(f"{ARTICLES:,} articles", loader.articles)
    probe, others = loader.article_ids[0], loader.article_ids[1:]
    timed(
        f"{SMALL:,} comments",
        lambda: (
            loader.comments(PROBE_COMMENTS, article_ids=[probe]),
            loader.comments(SMALL - PROBE_COMMENTS, article_ids=others),
        ),
    )
    Comment.objects.filter(article_id=probe).update(status="approved", moderated_at=loader.now)

    moderator_user = UserFactory(username="scale-moderator", is_staff=True)
    moderator_user.groups.add(Group.objects.get(name="Moderators"))
    moderator = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=moderator_user).key}")
    admin = Client()
    admin.force_login(UserFactory(username="scale-admin", is_staff=True, is_superuser=True))
    clients = (Client(), moderator, admin)

    small = measure(SMALL, clients)
    timed(
        f"{LARGE - SMALL:,} more comments",
        lambda: loader.comments(LARGE - SMALL, article_ids=others),
    )
    print(f"  now {Comment.objects.count():,} comments", flush=True)
    large = measure(LARGE, clients)

    header = ["p50 @10k", "p99 @10k", "p50 @1M", "p99 @1M"]
    print(f"\n{'operation':<30} " + " ".join(f"{h:>9}" for h in header) + f" {'p50 x':>6}")
    print("-" * 78)
    for name in small:
        (s50, s99), (l50, l99) = small[name], large[name]
        print(
            f"{name:<30} {s50:>8.2f}ms {s99:>8.2f}ms {l50:>8.2f}ms {l99:>8.2f}ms {l50 / s50:>5.2f}x"
        )
    explain()
    purge()


def purge() -> None:
    """The retention purge over the million comments (dated in the 90 days before
    the loader's fixed day), then once more with nothing left to do."""
    from comments.models import Comment
    from comments.retention import purge_personal_data

    print("\nRetention purge (COMMENTS_IP_RETENTION_DAYS=30, batches of 5,000):")
    for run in ("first run", "second run"):
        started = time.perf_counter()
        purged = purge_personal_data()
        seconds = time.perf_counter() - started
        print(
            f"  {run}: {purged.replies:,} replies in {purged.batches} batches, {seconds:.1f} s"
            + (f" ({seconds / purged.batches * 1000:.0f} ms a batch)" if purged.batches else ""),
            flush=True,
        )
    kept = Comment.objects.filter(ip_address__isnull=False).count()
    print(f"  addresses still kept (the last 30 days): {kept:,}")


if __name__ == "__main__":
    main()
