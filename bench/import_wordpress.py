"""How long a large WordPress import takes, and how much memory: `make import-bench`.

Writes a WXR file with 10,000 posts and 1,000,000 comments (40% of them
answers, up to three deep; fixed seed), imports it into a scratch PostgreSQL
database with `manage.py import_wordpress`'s importer, and prints the time
and the process's peak memory. Targets: under 10 minutes, under 300 MB.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_import python -m bench.import_wordpress
    python -m bench.import_wordpress --posts 100 --comments 10000   # a smaller run
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from bench.scale import configure, recreate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/newsroom_import"
SEED = 16


def write_export(path: str, posts: int, comments: int) -> None:
    """A WXR 1.2 file, written as it is made."""
    rng = random.Random(SEED)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    per_post, extra = divmod(comments, posts)
    words = ["harbour", "council", "budget", "river", "school", "vote", "market", "storm"]
    comment_id = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/">\n<channel>\n'
            "<title>Bench</title><link>https://bench.example.com</link>\n"
            "<wp:base_site_url>https://bench.example.com</wp:base_site_url>\n"
            "<wp:author><wp:author_login>desk</wp:author_login>"
            "<wp:author_display_name>The Desk</wp:author_display_name></wp:author>\n"
            "<wp:category><wp:category_nicename>news</wp:category_nicename>"
            "<wp:cat_name>News</wp:cat_name></wp:category>\n"
        )
        for post in range(1, posts + 1):
            published = start + timedelta(hours=post)
            out.write(
                f"<item><title>Post {post}</title>"
                f"<link>https://bench.example.com/{published:%Y/%m/%d}/post-{post}/</link>"
                "<dc:creator>desk</dc:creator>"
                f"<content:encoded><![CDATA[<p>Post {post} about the "
                f"{rng.choice(words)}.</p>]]></content:encoded>"
                "<excerpt:encoded><![CDATA[]]></excerpt:encoded>"
                f"<wp:post_id>{post}</wp:post_id>"
                f"<wp:post_date_gmt>{published:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>"
                f"<wp:post_name>post-{post}</wp:post_name><wp:status>publish</wp:status>"
                '<wp:post_type>post</wp:post_type><category domain="category" '
                'nicename="news"><![CDATA[News]]></category>\n'
            )
            ids: list[int] = []
            for n in range(per_post + (1 if post <= extra else 0)):
                comment_id += 1
                parent = rng.choice(ids) if ids and rng.random() < 0.4 else 0
                ids.append(comment_id)
                text = " ".join(rng.choice(words) for _ in range(rng.randrange(20, 80)))
                made = published + timedelta(minutes=n + 1)
                out.write(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>{escape(f'Reader {comment_id % 5000}')}"
                    "</wp:comment_author>"
                    f"<wp:comment_author_email>reader{comment_id % 5000}@example.org"
                    "</wp:comment_author_email><wp:comment_author_url></wp:comment_author_url>"
                    f"<wp:comment_author_IP>10.{comment_id % 250}.{comment_id % 200}.1"
                    "</wp:comment_author_IP>"
                    f"<wp:comment_date_gmt>{made:%Y-%m-%d %H:%M:%S}</wp:comment_date_gmt>"
                    f"<wp:comment_content><![CDATA[{text.capitalize()}.]]></wp:comment_content>"
                    "<wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=1_000_000)
    options = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    url = configure()
    recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    from comments.models import Comment
    from comments.moving.wordpress import Importer

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="newsroom-import-") as folder:
        path = os.path.join(folder, "export.xml")
        started = time.perf_counter()
        write_export(path, options.posts, options.comments)
        size = os.path.getsize(path)
        print(
            f"export: {options.posts:,} posts, {options.comments:,} comments, "
            f"{size / 1e6:,.0f} MB, written in {time.perf_counter() - started:.0f} s",
            flush=True,
        )

        def progress(report, total):
            if report.posts_done % 1000 == 0 or report.posts_done == total:
                elapsed = time.perf_counter() - started
                print(f"  {report.posts_done:,}/{total:,} posts after {elapsed:.0f} s", flush=True)

        started = time.perf_counter()
        report = Importer(path, progress=progress).run()
        elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    imported = Comment.objects.count()
    print(
        f"import: {elapsed:.0f} s ({elapsed / 60:.1f} min; target under 10), "
        f"peak memory {peak:.0f} MB (target under 300), "
        f"{report.count('articles', 'created'):,} articles and {imported:,} comments",
        flush=True,
    )
    sys.exit(0 if imported == options.comments else 1)


if __name__ == "__main__":
    main()
