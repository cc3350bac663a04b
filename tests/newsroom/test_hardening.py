"""The second outside review's findings, each held by a test: no request may
stall the site, lock staff out, or earn a 500."""

import logging
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from tests.comments.helpers import form_data, post_url
from tests.factories import PASSWORD, ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # the site's own reverse proxy, the only peer the site sees


def login_behind_proxy(client, username, password, client_address):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_address,
    )


def test_behind_a_proxy_one_clients_wrong_passwords_lock_out_only_that_client(settings):
    settings.NUM_PROXIES = 1
    settings.AXES_FAILURE_LIMIT = 5
    editor = UserFactory(username="editor", is_staff=True)
    attacker, colleague = Client(), Client()

    for _ in range(5):
        login_behind_proxy(attacker, "editor", "wrong", "198.51.100.66")
    refused = login_behind_proxy(attacker, "editor", PASSWORD, "198.51.100.66")
    welcome = login_behind_proxy(colleague, "editor", PASSWORD, "203.0.113.7")

    assert refused.status_code == 429
    assert welcome.status_code == 302
    assert colleague.session["_auth_user_id"] == str(editor.pk)


# Transactional, so the follow-up runs after a real commit; serialized_rollback, as
# every transactional test here (tests/plumbing/test_db.py says why).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_follow_up_after_commit_does_not_change_the_answer(
    api, settings, monkeypatch, caplog
):
    settings.COMMENTS_MODERATION = "all"
    settings.COMMENTS_MODERATORS = ["desk@example.org"]

    def queue_down(comment_id):
        raise ConnectionRefusedError("the task queue is down")

    down = SimpleNamespace(enqueue=queue_down)
    monkeypatch.setattr(
        "comments.services.tasks", SimpleNamespace(notify_moderators=down, notify_reply=down)
    )
    article = ArticleFactory()

    with caplog.at_level(logging.ERROR, logger="plumbing.db"):
        response = api.post(
            f"/api/v1/articles/{article.slug}/comments/",
            {"name": "Ada", "email": "ada@example.org", "body": "Saved whatever follows."},
            format="json",
        )

    assert response.status_code == 201
    assert Comment.objects.filter(pk=response.json()["id"]).exists()
    assert "Work after a commit failed" in caplog.text


def test_the_reply_form_has_a_per_client_limit_that_keeps_the_text(client, settings, counter_clock):
    settings.COMMENTS_API_BURST_RATE = "1/hour"
    article = ArticleFactory()
    first = client.post(post_url(article), form_data(article, body="First thoughts."))

    again = client.post(post_url(article), form_data(article, body="Second thoughts."))

    assert first.status_code == 303
    assert again.status_code == 429
    assert int(again["Retry-After"]) >= 1
    html = again.content.decode()
    assert "faster than we allow" in html
    assert "Second thoughts.</textarea>" in html
    assert Comment.objects.count() == 1


def test_the_form_and_the_api_share_one_posting_budget(client, api, settings, counter_clock):
    settings.COMMENTS_API_POST_RATE = "1/hour"
    article = ArticleFactory()
    api.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"name": "Ada", "email": "ada@example.org", "body": "Through the API."},
        format="json",
    )

    response = client.post(post_url(article), form_data(article, body="Through the form."))

    assert response.status_code == 429


@pytest.mark.parametrize(
    "url", ["/api/v1/articles/{slug}/comments/", "/api/v1/moderation/comments/"]
)
@pytest.mark.parametrize(
    "cursor", ["cD1ub3RhZGF0ZQ==", "cD0yMDI2LTEzLTQ1VDk5Ojk5OjAw", "abc", "bz0tMQ=="]
)
def test_a_tampered_cursor_is_a_400_naming_the_cursor(moderator_api, url, cursor):
    # p=notadate, p=2026-13-45T99:99:00, broken base64, o=-1
    article = ArticleFactory()
    CommentFactory(article=article)

    response = moderator_api.get(url.format(slug=article.slug), {"cursor": cursor})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["cursor"]


def test_deep_json_to_the_moderation_api_is_a_400(moderator_api):
    comment = CommentFactory(status=Comment.Status.PENDING)

    response = moderator_api.generic(
        "POST",
        f"/api/v1/moderation/comments/{comment.pk}/approve/",
        b"[" * 5000,
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_every_feed_stays_valid_xml_whatever_readers_send(api, settings):
    settings.COMMENTS_MODERATION = "none"
    # Django's user forms let any character into a name, and bylines show it.
    author = UserFactory(first_name="Ann\uffff", last_name="Lee")
    article = ArticleFactory(author=author, byline="")
    tricky = "Quotes \" ' & < > ]]> \u2028 \u0085 \U0001f642 \ufeff \u200b end"
    for body in (tricky, "noncharacter \uffff", "noncharacter \ufffe", "control \x0b"):
        api.post(
            f"/api/v1/articles/{article.slug}/comments/",
            {"name": f"Ada {body[:12]}", "email": "ada@example.org", "body": body},
            format="json",
        )

    feeds = ["/feeds/articles/", "/feeds/comments/", f"{article.get_absolute_url()}comments/feed/"]
    for url in feeds:
        response = api.get(url)
        assert response.status_code == 200, url
        ET.fromstring(response.content)  # noqa: S314 (our own output; raises on what XML forbids)
    assert Comment.objects.filter(status=Comment.Status.APPROVED).count() == 1
    assert article.display_byline == "Ann Lee"


def test_every_refusal_carries_the_security_headers(client, settings, counter_clock):
    settings.NEWSROOM_PAGE_READ_RATE = "1/hour"
    comment = CommentFactory()
    article = comment.article
    permalink = f"{article.get_absolute_url()}comments/{comment.pk}/"
    answers = {
        "413": client.post(post_url(article), form_data(article, body="x" * (1024 * 1024 + 1))),
        "404": client.get("/no/such/page/"),
        "404 api": client.get("/api/v1/comments/987654/"),
        "302": client.get(permalink),  # the first page made for this client
        "429": client.get(permalink),
    }

    for name, response in answers.items():
        assert response.status_code == int(name.split()[0]), name
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name


def test_the_admin_can_live_at_another_address():
    script = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'))"
    )
    env = {
        "NEWSROOM_ADMIN_PATH": "/back-office/",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_READ_DOTENV": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PATH": "/usr/bin:/bin",
    }

    moved = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )

    assert moved.stdout.strip() == "/back-office/"


def test_comments_stored_before_the_refusal_lose_what_xml_forbids():
    from django.apps import apps

    strip = import_module("comments.migrations.0008_no_xml_forbidden_characters").strip_forbidden
    broken = CommentFactory(author_name="Ada\uffff", body="Feed\ufffe breaker")
    fine = CommentFactory(body="Nothing odd.")

    strip(apps, None)

    broken.refresh_from_db()
    assert (broken.author_name, broken.body) == ("Ada", "Feed breaker")
    assert "\ufffe" not in broken.body_html
    assert Comment.objects.get(pk=fine.pk).body == "Nothing odd."


def test_articles_saved_before_the_refusal_lose_what_xml_forbids():
    from django.apps import apps

    strip = import_module("articles.migrations.0004_no_xml_forbidden_characters").strip_forbidden
    article = ArticleFactory(title="Budget\uffff", summary="Sums\ufffe.")
    article.section.name = "World\uffff"
    article.section.save()

    strip(apps, None)

    article.refresh_from_db()
    article.section.refresh_from_db()
    assert (article.title, article.summary, article.section.name) == ("Budget", "Sums.", "World")
