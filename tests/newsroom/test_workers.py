"""Several gunicorn workers, with the settings as shipped: a change made through
any door is in the very next read from every worker, and limits hold across them.

On SQLite with the default cache directory; and, when the suite itself runs on
PostgreSQL and Redis (as CI's second pass does), on a database and a key prefix
of its own there.
"""

import json
import re
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bench.site import ROOT, ScratchSite
from tests.newsroom.services import drop_database, production_services

WORKERS = 3
SLUG = "china-to-join-russias-vostok-exercise"
PASSWORD = "several workers, one truth"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("workers")
    services = production_services()
    scratch = ScratchSite(
        work, **services, GUNICORN_ACCESSLOG="-", DJANGO_SUPERUSER_PASSWORD=PASSWORD
    )
    try:
        scratch.prepare()
        scratch.manage("seed_demo")
        scratch.manage("createsuperuser", "--noinput", "--username", "chief", "--email", "c@x.org")
        token = scratch.manage("drf_create_token", "chief").split()[2]
        log = work / "gunicorn.log"
        url = scratch.start(workers=WORKERS, log=log)
        yield {"url": url, "log": log, "token": token, "scratch": scratch}
    finally:
        scratch.stop()
        drop_database(services)


def served_by(site, path: str, since: int) -> set[int]:
    """The workers that answered `path`, by the access log written after byte `since`."""
    with site["log"].open("rb") as log:
        log.seek(since)
        lines = log.read().decode(errors="replace").splitlines()
    pids = set()
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("path") == path and "pid" in entry:
            pids.add(entry["pid"])
    return pids


def read_everywhere(site, path: str) -> list[requests.Response]:
    """Read `path` until every worker has answered it; every answer is returned.

    Concurrent requests spread over the workers; the access log tells which
    worker answered, so the test knows each one was asked.
    """
    since = site["log"].stat().st_size
    answers = []
    with ThreadPoolExecutor(WORKERS * 2) as pool:
        for _ in range(40):
            answers += pool.map(
                lambda _: requests.get(site["url"] + path, timeout=10), range(WORKERS * 2)
            )
            time.sleep(0.05)  # the access line follows the answer
            if len(served_by(site, path.partition("?")[0], since)) == WORKERS:
                return answers
    pytest.fail(f"not every worker answered {path}")


def addresses(comment_id: int) -> dict[str, str]:
    return {
        "article page": f"/articles/{SLUG}/",
        "comments API": f"/api/v1/articles/{SLUG}/comments/?page_size=200",
        "comment API": f"/api/v1/comments/{comment_id}/",
        "all comments API": "/api/v1/comments/?page_size=200",
        "article comments feed": f"/articles/{SLUG}/comments/feed/",
        "comments feed": "/feeds/comments/",
        "home page": "/",
    }


def shows(response: requests.Response, text: str) -> bool:
    return response.status_code == 200 and text in response.text


def shell(site, code: str) -> str:
    """Run code in a third process (manage.py shell), as a script or a task would."""
    scratch = site["scratch"]
    env = {**scratch.env, "NEWSROOM_SITE_URL": site["url"]}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def new_pending(site, text: str) -> int:
    """A reply held for moderation, sent as a first-time reader's would be."""
    return int(
        shell(
            site,
            "from articles.models import Article; from comments import services; "
            f"a = Article.objects.get(slug={SLUG!r}); "
            f"c = services.submit_comment(article=a, name='Ada', email='ada@example.org', "
            f"body={text!r}, ip_address='192.0.2.{secrets.randbelow(250) + 1}'); "
            "print(c.pk)",
        ).split()[-1]
    )


class AdminSession:
    """A signed-in admin over plain HTTP, carrying the Secure cookies by hand."""

    def __init__(self, site):
        self.base = site["url"]
        self.cookies: dict[str, str] = {}
        page = self.post("/admin/login/", {"username": "chief", "password": PASSWORD})
        assert "Log out" in page.text

    def post(self, path, data):
        url = self.base + path
        form = requests.get(url, cookies=self.cookies, timeout=10)
        self.cookies.update(form.cookies.get_dict())
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        response = requests.post(
            url,
            data={**data, "csrfmiddlewaretoken": token, "next": "/admin/"},
            cookies=self.cookies,
            allow_redirects=False,
            timeout=10,
        )
        self.cookies.update(response.cookies.get_dict())
        if response.is_redirect:
            target = requests.compat.urljoin(url, response.headers["Location"])
            return requests.get(target, cookies=self.cookies, timeout=10)
        return response


def through_the_api(site, comment_id: int, action: str) -> None:
    response = requests.post(
        f"{site['url']}/api/v1/moderation/comments/{comment_id}/{action}/",
        headers={"Authorization": f"Token {site['token']}"},
        timeout=10,
    )
    assert response.ok, response.text


ADMIN_ACTIONS = {
    "approve": "mark_approved",
    "remove": "mark_removed",
    "spam": "mark_spam",
    "restore": "mark_pending",
}


def through_the_admin(site, comment_id: int, action: str) -> None:
    # From the "All" queue: the admin acts only on comments the queue shows.
    response = AdminSession(site).post(
        "/admin/comments/comment/?status=all",
        {"action": ADMIN_ACTIONS[action], "_selected_action": [comment_id]},
    )
    assert response.ok
    assert re.search(r"1 comment (approved|removed|marked as spam|restored)", response.text)


STEPS = [
    # (action, door, visible afterwards)
    ("approve", through_the_api, True),
    ("remove", through_the_admin, False),
    ("restore", through_the_api, False),
    ("approve", through_the_admin, True),
    ("spam", through_the_api, False),
    ("approve", through_the_api, True),
    ("spam", through_the_admin, False),
    ("restore", through_the_admin, False),
    ("approve", through_the_api, True),
    ("remove", through_the_api, False),
]


def test_every_moderation_step_is_in_the_next_read_from_every_worker(site):
    text = f"A reply for the workers, number {secrets.token_hex(3)}."
    comment_id = new_pending(site, text)
    places = addresses(comment_id)
    comment_places = {name: path for name, path in places.items() if name != "home page"}
    for path in places.values():
        # Every worker has its copy of every page before anything changes.
        assert not any(shows(answer, text) for answer in read_everywhere(site, path))

    for action, door, visible in STEPS:
        door(site, comment_id, action)

        for name, path in comment_places.items():
            answers = read_everywhere(site, path)
            seen = [shows(answer, text) for answer in answers]
            assert seen == [visible] * len(answers), f"{action} {door.__name__}: {name}"


def test_a_held_reply_changes_no_public_validator(site):
    path = f"/api/v1/articles/{SLUG}/comments/"
    before = requests.get(site["url"] + path, timeout=10)

    comment_id = new_pending(site, "Held, and nobody outside should notice.")
    through_the_api(site, comment_id, "spam")
    through_the_admin(site, comment_id, "remove")

    for answer in read_everywhere(site, path):
        assert (answer.headers["ETag"], answer.headers["Last-Modified"]) == (
            before.headers["ETag"],
            before.headers["Last-Modified"],
        )
        assert answer.content == before.content


def test_the_authors_edit_and_delete_are_in_the_next_read_from_every_worker(site):
    """The author's own changes, through the API with the edit token: three posts
    of the client's budget of the minute."""
    first = f"A first version for the workers, {secrets.token_hex(3)}."
    second = f"A second version for the workers, {secrets.token_hex(3)}."
    posted = requests.post(
        f"{site['url']}/api/v1/articles/{SLUG}/comments/",
        json={"name": "Cy", "email": "cy@example.org", "body": first},
        timeout=10,
    ).json()
    token = {"X-Edit-Token": posted["edit_token"]}
    through_the_api(site, posted["id"], "approve")
    places = {n: p for n, p in addresses(posted["id"]).items() if n != "home page"}
    for path in places.values():
        assert all(shows(answer, first) for answer in read_everywhere(site, path))
    time.sleep(1)  # one post a second (COMMENTS_API_BURST_RATE)

    edited = requests.patch(
        f"{site['url']}/api/v1/comments/{posted['id']}/",
        json={"body": second},
        headers=token,
        timeout=10,
    )
    assert edited.json()["edit"] == "published", edited.text
    for name, path in places.items():
        answers = read_everywhere(site, path)
        assert all(shows(a, second) and first not in a.text for a in answers), f"edit: {name}"
    time.sleep(1)

    deleted = requests.delete(
        f"{site['url']}/api/v1/comments/{posted['id']}/", headers=token, timeout=10
    )
    assert deleted.status_code == 204
    for name, path in places.items():
        answers = read_everywhere(site, path)
        assert not any(shows(answer, second) for answer in answers), f"delete: {name}"


def test_an_article_change_in_the_admin_is_in_the_next_read_from_every_worker(site):
    places = {
        "home page": "/",
        "article page": f"/articles/{SLUG}/",
        "article API": f"/api/v1/articles/{SLUG}/",
        "articles API": "/api/v1/articles/",
        "articles feed": "/feeds/articles/",
    }
    for path in places.values():
        read_everywhere(site, path)
    article_id = shell(
        site, f"from articles.models import Article; print(Article.objects.get(slug={SLUG!r}).pk)"
    ).split()[-1]
    admin = AdminSession(site)
    form = requests.get(
        f"{site['url']}/admin/articles/article/{article_id}/change/",
        cookies=admin.cookies,
        timeout=10,
    ).text
    fields = dict(re.findall(r'name="([a-z_0-9]+)" value="([^"]*)"', form))
    fields |= {
        "allow_comments": "on",
        "title": "Retitled by the desk",
        "body": "<p>New text.</p>",
        "summary": "",
        "status": "published",
        "section": re.search(r'<option value="(\d+)" selected>', form).group(1),
    }
    fields = {k: v for k, v in fields.items() if k not in {"csrfmiddlewaretoken", "_popup"}}
    response = admin.post(f"/admin/articles/article/{article_id}/change/", fields)
    assert response.ok

    for name, path in places.items():
        answers = read_everywhere(site, path)
        assert all(shows(answer, "Retitled by the desk") for answer in answers), name


def test_post_limits_hold_across_workers(site):
    # COMMENTS_API_BURST_RATE is one post a second per client by default. Posts
    # sent at once reach different workers; the count is shared, so one goes in.
    # They start a minute of their own: earlier tests here spent some of this
    # client's posts of the minute (COMMENTS_API_POST_RATE), edits included.
    time.sleep(60 - time.time() % 60 + 0.05)

    def post(number):
        return requests.post(
            f"{site['url']}/api/v1/articles/{SLUG}/comments/",
            json={
                "name": "Bo",
                "email": "bo@example.org",
                "body": f"Sent at once, number {number}.",
            },
            timeout=10,
        ).status_code

    with ThreadPoolExecutor(WORKERS * 2) as pool:
        statuses = sorted(pool.map(post, range(WORKERS * 2)))

    assert statuses == [201] + [429] * (WORKERS * 2 - 1)
