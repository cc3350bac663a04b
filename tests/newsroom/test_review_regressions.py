"""Inputs and paths found in review that once misbehaved."""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from tests.comments.helpers import form_data, post_url
from tests.factories import ArticleFactory, CommentFactory, SectionFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/comments/?parent={HUGE}",
        f"/api/v1/articles/{{slug}}/comments/?parent={HUGE}",
        "/api/v1/comments/?parent=-1",
    ],
)
def test_out_of_range_ids_in_filters_are_400(client, url):
    article = ArticleFactory()

    response = client.get(url.format(slug=article.slug))

    assert response.status_code == 400
    assert list(response.json()) == ["parent"]


@pytest.mark.parametrize(
    "path",
    [f"/api/v1/comments/{HUGE}/", f"/articles/x/comments/{HUGE}/", "/api/v1/comments/²/"],
)
def test_out_of_range_ids_in_addresses_are_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("value", ["²", "٣", HUGE, "0"])
def test_odd_digits_in_reply_links_are_ignored(client, value):
    article = ArticleFactory()

    response = client.get(f"{article.get_absolute_url()}?replytocom={value}")

    assert response.status_code == 200
    assert "Replying to" not in response.content.decode()


@pytest.mark.parametrize("value", ["²", HUGE])
def test_odd_digits_as_parent_are_a_clear_error(client, value):
    article = ArticleFactory()

    response = client.post(post_url(article), form_data(article, parent=value))

    assert response.status_code == 400
    assert "not available" in response.content.decode()


def test_renaming_a_section_changes_the_etag(client, admin_client):
    section = SectionFactory(name="World", slug="world")
    article = ArticleFactory(section=section)
    url = f"/api/v1/articles/{article.slug}/"
    etag = client.get(url)["ETag"]

    admin_client.post(
        f"/admin/articles/section/{section.pk}/change/", {"name": "Planet", "slug": "world"}
    )

    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["section"]["name"] == "Planet"


def test_comments_closing_at_their_time_changes_the_etag(client):
    article = ArticleFactory(comments_close_at=timezone.now() + timedelta(seconds=1))
    url = f"/api/v1/articles/{article.slug}/"
    first = client.get(url)
    assert first.json()["comments_open"] is True

    time.sleep(1.2)

    response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200
    assert response.json()["comments_open"] is False


@pytest.mark.parametrize(
    "changes", [{"status": "draft", "published_at": None}, {"published_at": "tomorrow"}]
)
@pytest.mark.parametrize(
    "headers",
    [{"HTTP_IF_NONE_MATCH": "*"}, {"HTTP_IF_MODIFIED_SINCE": "Fri, 01 Jan 2100 00:00:00 GMT"}],
)
def test_conditional_requests_do_not_reveal_unpublished_articles(client, changes, headers):
    if changes.get("published_at") == "tomorrow":
        changes["published_at"] = timezone.now() + timedelta(days=1)
    article = ArticleFactory(**changes)

    for url in (f"/api/v1/articles/{article.slug}/", f"/api/v1/articles/{article.slug}/comments/"):
        assert client.get(url, **headers).status_code == 404


def test_article_page_refuses_post(client):
    article = ArticleFactory()

    assert client.post(article.get_absolute_url()).status_code == 405


def test_seed_demo_keeps_edits_to_demo_content():
    call_command("seed_demo")
    article = Article.objects.get(slug="corrections-policy")
    article.title = "Corrections, revised"
    article.save()

    call_command("seed_demo")

    assert Article.objects.get(slug="corrections-policy").title == "Corrections, revised"


def test_form_errors_are_summarised_with_links_and_the_form_returns_to_its_anchor(client):
    article = ArticleFactory()

    response = client.post(post_url(article), form_data(article, email="", name=""))

    html = response.content.decode()
    summary = html[html.index('class="alert alert-danger form-error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert '<a class="alert-link" href="#id_name">Name: This field is required.</a>' in summary
    assert '<a class="alert-link" href="#id_email">E-mail: This field is required.</a>' in summary
    assert f'action="{post_url(article)}#respond"' in html


def test_moderators_follow_article_links_to_the_public_page(admin_client):
    comment = CommentFactory(status="pending")

    html = admin_client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()

    assert f'<a href="{comment.article.get_absolute_url()}">' in html
