"""Preview: the reply as it would be published, before it is sent, through the
form and the API; nothing saved, no rule run."""

import pytest

from comments.models import Comment
from comments.moderation import count_reply
from comments.sanitize import COMMENT_TAGS
from tests.comments.helpers import form_data, post_url
from tests.factories import ArticleFactory, yesterday

pytestmark = pytest.mark.django_db

TEXT = "See https://example.org/report for the figures.\n\nA second <em>paragraph</em>."
RENDERED = (
    '<p>See <a href="https://example.org/report" rel="nofollow ugc noopener">'
    "https://example.org/report</a> for the figures.</p><p>A second <em>paragraph</em>.</p>"
)


def preview_url(article):
    return f"/api/v1/articles/{article.slug}/comments/preview/"


def test_the_form_previews_the_reply_as_published_and_keeps_the_text(client, counter_clock):
    article = ArticleFactory()

    response = client.post(post_url(article), form_data(article, body=TEXT, preview="Preview"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview: your reply is not sent yet" in html
    assert RENDERED in html
    assert "See https://example.org/report for the figures.\n\nA second &lt;em&gt;" in html
    assert not Comment.objects.exists()
    assert count_reply("127.0.0.1") == 1  # the preview was not counted as a reply


def test_a_preview_with_errors_shows_them_as_a_post_would(client):
    article = ArticleFactory()

    response = client.post(
        post_url(article), form_data(article, email="", body=TEXT, preview="Preview")
    )

    assert response.status_code == 400
    assert "email" in response.context["comment_form"].errors
    assert "Preview: your reply is not sent yet" not in response.content.decode()


def test_the_form_says_what_formatting_is_allowed_from_the_allowlist(client):
    article = ArticleFactory()

    html = client.get(article.get_absolute_url()).content.decode()

    assert 'name="preview"' in html
    for tag in COMMENT_TAGS:
        assert f"<code>&lt;{tag}&gt;</code>" in html


def test_the_api_previews_without_saving(api):
    article = ArticleFactory()

    response = api.post(
        preview_url(article),
        {"name": "Ada", "email": "ada@example.org", "body": TEXT},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {"body_html": RENDERED}
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("fields", "article_kind", "status"),
    [
        ({"name": "Ada", "email": "ada@example.org"}, "open", 400),
        ({"name": "Ada", "email": "nope", "body": "x"}, "open", 400),
        ({"name": "Ada", "email": "ada@example.org", "body": "x"}, "closed", 403),
        ({"name": "Ada", "email": "ada@example.org", "body": "x"}, "draft", 404),
    ],
)
def test_the_api_preview_refuses_what_a_post_would(api, fields, article_kind, status):
    changes = {
        "open": {},
        "closed": {"comments_close_at": yesterday()},
        "draft": {"status": "draft", "published_at": None},
    }[article_kind]
    article = ArticleFactory(**changes)

    response = api.post(preview_url(article), fields, format="json")

    assert response.status_code == status
    assert response.json()


def test_previews_are_throttled_like_posts(api, client, settings, counter_clock):
    settings.COMMENTS_API_BURST_RATE = "1/hour"
    article = ArticleFactory()
    fields = {"name": "Ada", "email": "ada@example.org", "body": "x"}
    assert api.post(preview_url(article), fields, format="json").status_code == 200

    again = api.post(preview_url(article), fields, format="json")
    by_form = client.post(post_url(article), form_data(article, body="y", preview="Preview"))

    assert again.status_code == 429
    assert by_form.status_code == 429
    assert "y</textarea>" in by_form.content.decode()
    assert "faster than we allow" in by_form.content.decode()
