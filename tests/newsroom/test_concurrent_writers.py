"""SQLite under concurrent writers: eight processes posting a hundred comments each,
all at once, to eight web workers sharing one database file."""

import json
import multiprocessing
import sqlite3
from collections import Counter
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from bench.site import OPEN_POSTING, ScratchSite

WRITERS = 8
POSTS = 100
SLUG = "china-to-join-russias-vostok-exercise"


def post_hundred(job: tuple[str, int]) -> list[tuple[int, str]]:
    url, writer = job
    answers = []
    for number in range(POSTS):
        body = json.dumps(
            {
                "name": f"Writer {writer}",
                "email": f"writer{writer}@example.org",
                "body": f"Comment {number} from writer {writer}.",
            }
        ).encode()
        request = Request(  # noqa: S310 (our own server)
            f"{url}/api/v1/articles/{SLUG}/comments/",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urlopen(request, timeout=60) as response:  # noqa: S310
                answers.append((response.status, ""))
        except HTTPError as error:
            answers.append((error.code, error.read().decode()[:200]))
    return answers


def test_eight_processes_posting_at_once_lose_nothing(tmp_path):
    site = ScratchSite(
        tmp_path,
        **OPEN_POSTING,
        COMMENTS_FLOOD_LIMIT="100000",
    )
    site.prepare()
    site.manage("seed_demo")
    try:
        url = site.start(workers=WRITERS)
        with multiprocessing.get_context("spawn").Pool(WRITERS) as pool:
            answers = [
                a
                for batch in pool.map(post_hundred, [(url, n) for n in range(WRITERS)])
                for a in batch
            ]
    finally:
        site.stop()

    statuses = Counter(status for status, _ in answers)
    failures = [text for status, text in answers if status != 201]
    assert statuses == {201: WRITERS * POSTS}, failures[:3]
    with sqlite3.connect(site.database) as db:
        stored = db.execute(
            "SELECT count(*) FROM comments_comment WHERE author_email LIKE 'writer%@example.org'"
        ).fetchone()[0]
    assert stored == WRITERS * POSTS
