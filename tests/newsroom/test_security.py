import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from tests.comments.helpers import form_data, post_url
from tests.factories import PASSWORD, ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.fixture
def pages(admin_client):
    comment = CommentFactory()
    return {
        "front page": (Client(), "/"),
        "article": (Client(), comment.article.get_absolute_url()),
        "api": (Client(), "/api/v1/comments/"),
        "api docs": (Client(), "/api/docs/"),
        "admin": (admin_client, reverse("admin:comments_comment_changelist")),
        "admin login": (Client(), reverse("admin:login")),
    }


@pytest.mark.parametrize(
    "page", ["front page", "article", "api", "api docs", "admin", "admin login"]
)
def test_security_headers_everywhere(pages, page):
    client, url = pages[page]

    response = client.get(url)

    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_scripts_or_styles_without_a_nonce(pages):
    import re

    for client, url in pages.values():
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or "application/ld+json" in tag or "nonce=" in tag, (url, tag)
        assert "<style" not in html, url


def test_production_cookies_are_secure_and_hsts_is_sent(client, admin_user):
    response = client.get(reverse("admin:login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response.cookies["csrftoken"]["secure"] is True

    login = client.post(
        reverse("admin:login"),
        {"username": admin_user.username, "password": "password"},
        secure=True,
        headers={"referer": "https://testserver/admin/login/"},
    )
    assert login.status_code == 302
    assert login.cookies["sessionid"]["secure"] is True
    assert login.cookies["sessionid"]["httponly"] is True


def test_remember_me_cookie_is_secure_in_production(client):
    article = ArticleFactory()

    response = client.post(post_url(article), form_data(article, remember="on"), secure=True)

    assert response.cookies["newsroom_commenter"]["secure"] is True
    assert response.cookies["newsroom_commenter"]["httponly"] is True


def attempt_login(client, username, password, address="203.0.113.5"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_admin_login_brute_force_is_locked_out(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    editor = UserFactory(username="editor", is_staff=True)

    statuses = [attempt_login(client, "editor", "wrong").status_code for _ in range(3)]
    locked = attempt_login(client, "editor", PASSWORD)

    # The third wrong password reaches the limit; even the right one is refused after.
    assert statuses == [200, 200, 429]
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Recorded in the database, so every web process enforces the same lockout.
    assert AccessAttempt.objects.get(username="editor").failures_since_start >= 3
    # Another address is not punished for the attacker's attempts.
    other = Client()
    assert attempt_login(other, "editor", PASSWORD, address="198.51.100.9").status_code == 302
    assert other.session["_auth_user_id"] == str(editor.pk)


def test_successful_login_resets_the_count(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="editor", is_staff=True)

    attempt_login(client, "editor", "wrong")
    attempt_login(client, "editor", "wrong")
    assert attempt_login(client, "editor", PASSWORD).status_code == 302
    client.logout()

    assert attempt_login(client, "editor", "wrong").status_code == 200
    assert attempt_login(client, "editor", PASSWORD).status_code == 302


def test_reply_form_without_csrf_token_is_403_with_a_friendly_page():
    article = ArticleFactory()
    client = Client(enforce_csrf_checks=True)

    response = client.post(post_url(article), form_data(article, body="My unsent words."))

    assert response.status_code == 403
    html = response.content.decode()
    assert "Please send the form again" in html
    assert "My unsent words.</textarea>" in html
    assert not Comment.objects.exists()


def test_reply_form_with_its_csrf_token_works():
    article = ArticleFactory()
    client = Client(enforce_csrf_checks=True)
    client.get(article.get_absolute_url())
    token = client.cookies["csrftoken"].value

    response = client.post(post_url(article), form_data(article, csrfmiddlewaretoken=token))

    assert response.status_code == 303


@pytest.mark.parametrize("door", ["form", "api"])
def test_bodies_over_one_mebibyte_are_refused_before_parsing(client, door):
    article = ArticleFactory()
    huge = "x" * (1024 * 1024 + 1)
    if door == "api":
        response = client.post(
            f"/api/v1/articles/{article.slug}/comments/",
            f'{{"name": "A", "email": "a@example.org", "body": "{huge}"}}',
            content_type="application/json",
        )
        assert response.json() == {"detail": "The request is too large: the limit is 1024 KiB."}
    else:
        response = client.post(post_url(article), form_data(article, body=huge))
        assert "too large" in response.content.decode()

    assert response.status_code == 413
    assert not Comment.objects.exists()
