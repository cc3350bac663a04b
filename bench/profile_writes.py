"""Where a posted reply's time goes: `python -m bench.profile_writes [--posts 2000]`.

Builds the benchmark's data in a scratch directory (bench/workload.py), then
posts replies as `make bench`'s write row does (40% answers, 200 to 600
characters from 90 authors, onto the article with 200 comments) through
Django's whole stack in this process, under cProfile, and prints the
functions that took the most time, by their own time and with what they call.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.site import ROOT, ScratchSite
from bench.workload import AUTHORS, REPLY_SHARE, SEED, WRITES_ARTICLE
from bench.workload import body as comment_text


def posts(parents: list[int], count: int) -> list[bytes]:
    rng = random.Random(SEED)
    made = []
    for _ in range(count):
        author = rng.randrange(AUTHORS)
        post = {
            "name": f"Reader {author}",
            "email": f"reader{author}@example.org",
            "body": comment_text(rng),
        }
        if rng.random() < REPLY_SHARE:
            post["parent"] = rng.choice(parents)
        made.append(json.dumps(post).encode())
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--dump", help="also write the profile there, for pstats or snakeviz")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsroom-profile-") as scratch:
        site = ScratchSite(
            Path(scratch),
            DJANGO_SETTINGS_MODULE="bench.settings",
            NEWSROOM_BENCH_LIMIT_FILE=os.devnull,
        )
        site.prepare()
        subprocess.run([sys.executable, "-m", "bench.workload"], cwd=ROOT, env=site.env, check=True)
        os.environ.update(site.env)
        import django

        django.setup()
        from django.test import Client

        client = Client(REMOTE_ADDR="203.0.113.7", HTTP_HOST="127.0.0.1")
        url = f"/api/v1/articles/{WRITES_ARTICLE}/comments/"
        parents = [c["id"] for c in client.get(f"{url}?page_size=200").json()["results"]]
        bodies = posts(parents, 2 * args.posts + 100)
        for body in bodies[:100]:  # warm: every prepared statement and cache filled
            client.post(url, body, content_type="application/json")
        plain, profiled = bodies[100 : 100 + args.posts], bodies[100 + args.posts :]
        # First without the profiler, for what a post costs; then under it, for where.
        cpu = time.process_time()
        statuses = [
            client.post(url, body, content_type="application/json").status_code for body in plain
        ]
        cpu = time.process_time() - cpu
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        statuses += [
            client.post(url, body, content_type="application/json").status_code for body in profiled
        ]
        profile.disable()
        seconds = time.perf_counter() - started
        print(
            f"{args.posts} posts: {cpu / args.posts * 1000:.2f} ms of CPU each in this process;"
            f" {args.posts} more under the profiler, {seconds / args.posts * 1000:.2f} ms each;"
            " answers: " + ", ".join(f"{statuses.count(s)} x {s}" for s in sorted(set(statuses)))
        )
        if args.dump:
            profile.dump_stats(args.dump)
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
            print(out.getvalue())


if __name__ == "__main__":
    main()
