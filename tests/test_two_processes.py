"""Two web processes sharing one database and one Redis: a change made through one
is in the very next read from the other, for every way content changes."""

import os
import re
import secrets
import socket
import subprocess
import sys

import pytest
import requests

from bench.site import OPEN_POSTING, ROOT, ScratchSite

REDIS = ("127.0.0.1", 6379)
SLUG = "china-to-join-russias-vostok-exercise"


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not redis_answers():
        message = "Redis is not answering on 127.0.0.1:6379"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    scratch = ScratchSite(
        tmp_path_factory.mktemp("two-processes"),
        # A key prefix of its own: nothing from another run or test can interfere.
        CACHE_URL="redis://127.0.0.1:6379/3",
        DJANGO_CACHE_KEY_PREFIX=f"two-processes-{secrets.token_hex(4)}",
        **OPEN_POSTING,
        DJANGO_SUPERUSER_PASSWORD="two processes, one truth",
    )
    scratch.prepare()
    scratch.manage("seed_demo")
    scratch.manage(
        "createsuperuser", "--noinput", "--username", "chief", "--email", "c@example.org"
    )
    token = scratch.manage("drf_create_token", "chief").split()[2]
    try:
        # Two processes, one worker each: every request names the process it goes to.
        a, b = scratch.start(), scratch.start()
        yield {"a": a, "b": b, "env": scratch.env, "token": token}
    finally:
        scratch.stop()


def shell(site, code: str) -> str:
    """Run code in a third process (manage.py shell), as a script or a worker would."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=site["env"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


class AdminSession:
    """A signed-in admin over plain HTTP.

    The site marks its cookies Secure (production settings), which a client
    keeps to itself on http://; these tests carry them by hand.
    """

    def __init__(self, site):
        self.base = site["a"]
        self.cookies: dict[str, str] = {}
        login = f"{self.base}/admin/login/"
        response = self.post(
            login,
            {
                "username": "chief",
                "password": site["env"]["DJANGO_SUPERUSER_PASSWORD"],
                "next": "/admin/",
            },
        )
        assert response.ok
        assert "Log out" in response.text

    def get(self, url):
        response = requests.get(url, cookies=self.cookies, timeout=10)
        self.cookies.update(response.cookies.get_dict())
        return response

    def post(self, url, data):
        page = self.get(url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = requests.post(
            url,
            data={**data, "csrfmiddlewaretoken": token},
            cookies=self.cookies,
            allow_redirects=False,
            timeout=10,
        )
        self.cookies.update(response.cookies.get_dict())
        if response.is_redirect:
            return self.get(requests.compat.urljoin(url, response.headers["Location"]))
        return response


ADDRESSES = {
    "article page": f"/articles/{SLUG}/",
    "comments feed": f"/articles/{SLUG}/comments/feed/",
    "comments api": f"/api/v1/articles/{SLUG}/comments/?page_size=200",
}


def read_all_from_b(site) -> dict[str, str]:
    return {
        name: requests.get(site["b"] + path, timeout=10).text for name, path in ADDRESSES.items()
    }


def new_pending(site, text: str) -> int:
    return int(
        shell(
            site,
            "from articles.models import Article; from tests.factories import CommentFactory; "
            f"a = Article.objects.get(slug={SLUG!r}); "
            f"print(CommentFactory(article=a, status='pending', body={text!r}).pk)",
        )
    )


def test_new_comment_posted_to_a_is_read_from_b(site):
    before = read_all_from_b(site)  # B caches everything
    assert all("Posted through A." not in text for text in before.values())

    posted = requests.post(
        f"{site['a']}/api/v1/articles/{SLUG}/comments/",
        json={"name": "Ada", "email": "ada@example.org", "body": "Posted through A."},
        timeout=10,
    )
    assert posted.status_code == 201, posted.text

    after = read_all_from_b(site)
    assert all("Posted through A." in text for text in after.values()), after


def test_approval_through_the_api_on_a_is_read_from_b(site):
    pk = new_pending(site, "Approved through the API on A.")
    read_all_from_b(site)

    response = requests.post(
        f"{site['a']}/api/v1/moderation/comments/{pk}/approve/",
        headers={"Authorization": f"Token {site['token']}"},
        timeout=10,
    )
    assert response.ok, response.text

    assert all("Approved through the API on A." in t for t in read_all_from_b(site).values())


def test_bulk_action_in_the_admin_on_a_is_read_from_b(site):
    pk = new_pending(site, "Approved in bulk on A.")
    read_all_from_b(site)
    admin = AdminSession(site)

    response = admin.post(
        f"{site['a']}/admin/comments/comment/",
        {"action": "mark_approved", "_selected_action": [pk]},
    )
    assert response.ok
    assert "1 comment approved." in response.text

    assert all("Approved in bulk on A." in t for t in read_all_from_b(site).values())


def new_approved(site, text: str) -> int:
    return int(
        shell(
            site,
            "from articles.models import Article; from tests.factories import CommentFactory; "
            f"a = Article.objects.get(slug={SLUG!r}); "
            f"print(CommentFactory(article=a, body={text!r}).pk)",
        )
    )


@pytest.mark.parametrize(
    ("change", "replacement"),
    [
        (
            "c.body = 'Edited elsewhere.'; services.save_edit(c, changed=['body'])",
            "Edited elsewhere.",
        ),
        ("services.set_status(c, 'removed')", None),
        ("services.set_status(c, 'spam')", None),
        ("c.delete()", None),
    ],
    ids=["edit", "removal", "spam", "deletion"],
)
def test_changes_made_by_a_third_process_are_read_from_b(site, change, replacement):
    text = f"Written for the {change.split('(')[0]} test."
    pk = new_approved(site, text)
    assert all(text in page for page in read_all_from_b(site).values())

    shell(
        site,
        "from comments.models import Comment; from comments import services; "
        f"c = Comment.objects.get(pk={pk}); {change}",
    )

    after = read_all_from_b(site)
    assert all(text not in page for page in after.values()), after
    if replacement:
        assert all(replacement in page for page in after.values())


def test_article_change_is_read_from_b_and_a(site):
    for url in (site["a"], site["b"]):
        assert "Vostok" in requests.get(f"{url}/", timeout=10).text
        requests.get(f"{url}/api/v1/articles/{SLUG}/", timeout=10)

    shell(
        site,
        "from articles.models import Article; "
        f"a = Article.objects.get(slug={SLUG!r}); a.title = 'Retitled by the desk'; a.save()",
    )

    for url in (site["a"], site["b"]):
        assert "Retitled by the desk" in requests.get(f"{url}/", timeout=10).text
        assert (
            requests.get(f"{url}/api/v1/articles/{SLUG}/", timeout=10).json()["title"]
            == "Retitled by the desk"
        )
        assert "Retitled by the desk" in requests.get(f"{url}/articles/{SLUG}/", timeout=10).text
