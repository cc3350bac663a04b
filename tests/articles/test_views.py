import json
import re

import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import (
    ArticleFactory,
    SectionFactory,
    TagFactory,
    UserFactory,
    tomorrow,
    yesterday,
)
from tests.html import elements

pytestmark = pytest.mark.django_db


def test_front_page_lists_public_articles_newest_first(client):
    older = ArticleFactory(title="Older news", published_at=yesterday())
    newer = ArticleFactory(title="Newer news")
    ArticleFactory(title="Secret draft", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="Tomorrow's scoop", published_at=tomorrow())

    response = client.get("/")

    assert response.status_code == 200
    assert list(response.context["articles"]) == [newer, older]
    assert b"Secret draft" not in response.content
    assert b"Tomorrow" not in response.content


def test_front_page_paginates(client, settings):
    settings.ARTICLES_PER_PAGE = 3
    ArticleFactory.create_batch(7)

    first = client.get("/")
    third = client.get("/?page=3")

    assert len(first.context["articles"]) == 3
    assert b'rel="next"' in first.content
    assert len(third.context["articles"]) == 1
    assert third.context["canonical_url"] == "http://testserver/?page=3"
    assert client.get("/?page=4").status_code == 404
    assert client.get("/?page=banana").status_code == 404


@pytest.mark.parametrize("count", [5, 50])
def test_front_page_queries_do_not_grow_with_articles(
    client, django_assert_num_queries, settings, count
):
    settings.NEWSROOM_SHARED_CACHE = False  # measure the work behind a cache miss
    tags = TagFactory.create_batch(3)
    for _ in range(count):
        ArticleFactory(tags=tags)

    # The content versions, sections for the navigation, the page count, the
    # articles, their tags.
    with django_assert_num_queries(5):
        client.get("/")


@pytest.mark.parametrize("count", [5, 50])
def test_article_page_queries_do_not_grow_with_articles(
    client, django_assert_num_queries, settings, count
):
    settings.NEWSROOM_SHARED_CACHE = False  # measure the work behind a cache miss
    tags = TagFactory.create_batch(3)
    articles = [ArticleFactory(tags=tags) for _ in range(count)]

    # The content versions, the article with its section and author, its tags, the
    # navigation, the comments.
    with django_assert_num_queries(5):
        response = client.get(articles[-1].get_absolute_url())
    assert response.status_code == 200


def test_article_page_shows_the_article(client):
    article = ArticleFactory(
        title="Troops head east", body="<p>The <em>body</em>.</p>", byline="World desk"
    )

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="article-title" class="display-6 fw-semibold">Troops head east</h1>' in html
    assert "<p>The <em>body</em>.</p>" in html
    assert "By World desk" in html
    assert "draft-banner" not in html


def test_article_page_has_seo_metadata(client):
    tag = TagFactory(name="Russia")
    article = ArticleFactory(title="A </script> title", summary="What happened.", tags=[tag])

    html = client.get(article.get_absolute_url()).content.decode()
    head = {
        attrs.get("property") or attrs.get("name") or attrs.get("rel"): attrs
        for tag_name, attrs in elements(html)
        if tag_name in {"meta", "link"}
    }

    url = f"http://testserver{article.get_absolute_url()}"
    assert head["canonical"]["href"] == url
    assert head["description"]["content"] == "What happened."
    assert head["og:title"]["content"] == "A </script> title"
    assert head["og:url"]["content"] == url
    assert head["og:type"]["content"] == "article"
    assert "<title>A &lt;/script&gt; title · Newsroom</title>" in html

    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "A </script> title"
    assert data["url"] == url
    assert data["keywords"] == ["Russia"]
    assert data["datePublished"] == article.published_at.isoformat()


@pytest.mark.parametrize(
    "changes",
    [
        {"status": Article.Status.DRAFT, "published_at": None},
        {"published_at": "tomorrow"},
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_article_is_404_for_readers(client, changes):
    if changes.get("published_at") == "tomorrow":
        changes["published_at"] = tomorrow()
    article = ArticleFactory(**changes)
    reader = UserFactory()

    assert client.get(article.get_absolute_url()).status_code == 404
    client.force_login(reader)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_staff_preview_draft_with_banner(client):
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None, title="Work in hand")
    client.force_login(UserFactory(is_staff=True))

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Draft preview." in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "application/ld+json" not in html


def test_staff_preview_scheduled_article_says_when(client):
    article = ArticleFactory(published_at=tomorrow())
    client.force_login(UserFactory(is_staff=True))

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Scheduled preview." in html
    assert "Readers will see this article from" in html


def test_unknown_article_is_404_with_a_friendly_page(client):
    response = client.get("/articles/no-such-thing/")

    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_section_page_lists_only_its_public_articles(client):
    world = SectionFactory(name="World")
    mine = ArticleFactory(section=world)
    ArticleFactory(section=world, status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(section=SectionFactory(name="Sport"))

    response = client.get(reverse("articles:section", kwargs={"slug": "world"}))

    assert response.status_code == 200
    assert list(response.context["articles"]) == [mine]
    assert client.get("/sections/nowhere/").status_code == 404


def test_tag_page_lists_only_its_public_articles(client):
    tag = TagFactory(name="China")
    mine = ArticleFactory(tags=[tag])
    ArticleFactory(tags=[tag], published_at=tomorrow())
    ArticleFactory()

    response = client.get(reverse("articles:tag", kwargs={"slug": "china"}))

    assert response.status_code == 200
    assert list(response.context["articles"]) == [mine]
    assert "Tagged “China”" in response.content.decode()


def test_pages_link_bootstrap_from_local_static_files(client):
    html = client.get("/").content.decode()

    stylesheets = [
        attrs["href"] for tag, attrs in elements(html) if attrs.get("rel") == "stylesheet"
    ]
    scripts = [attrs["src"] for tag, attrs in elements(html) if tag == "script" and "src" in attrs]
    assert all(url.startswith("/static/") for url in stylesheets + scripts)
    assert any("bootstrap" in url and url.endswith(".css") for url in stylesheets)
