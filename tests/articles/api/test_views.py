from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    ArticleFactory,
    CommentFactory,
    SectionFactory,
    TagFactory,
    UserFactory,
    tomorrow,
)

pytestmark = pytest.mark.django_db


def test_article_list_shows_only_published_articles(api):
    live = ArticleFactory(title="Live", byline="World desk", tags=[TagFactory(name="Energy")])
    CommentFactory.create_batch(2, article=live)
    CommentFactory(article=live, status="pending")
    ArticleFactory(title="Draft", status="draft", published_at=None)
    ArticleFactory(title="Scheduled", published_at=tomorrow())

    response = api.get("/api/v1/articles/")

    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item == {
        "slug": live.slug,
        "title": "Live",
        "summary": live.summary,
        "section": {"slug": live.section.slug, "name": live.section.name},
        "tags": [{"slug": "energy", "name": "Energy"}],
        "author": "World desk",
        "published_at": live.published_at.isoformat().replace("+00:00", "Z"),
        "updated_at": live.updated_at.isoformat().replace("+00:00", "Z"),
        "url": f"http://testserver/articles/{live.slug}/",
        "comments_url": f"http://testserver/api/v1/articles/{live.slug}/comments/",
        "comment_count": 2,
        "comments_open": True,
    }


def test_no_page_or_answer_names_an_authors_login(api, client, settings):
    author = UserFactory(username="admin", first_name="", last_name="", is_staff=True)
    article = ArticleFactory(author=author, byline="")

    answers = [
        api.get("/api/v1/articles/").json()["results"][0]["author"],
        api.get(f"/api/v1/articles/{article.slug}/").json()["author"],
    ]
    page = client.get(article.get_absolute_url()).content.decode()
    feed = client.get("/feeds/articles/").content.decode()

    assert answers == [settings.SITE_NAME, settings.SITE_NAME]
    for text in (page, feed):
        for spelling in (">admin<", '"admin"', "(admin)"):
            assert spelling not in text


def test_article_detail_adds_the_body(api):
    article = ArticleFactory(body="<p>The <em>text</em>.</p>")

    data = api.get(f"/api/v1/articles/{article.slug}/").json()

    assert data["body_html"] == "<p>The <em>text</em>.</p>"
    assert data["slug"] == article.slug


@pytest.mark.parametrize(
    "changes", [{"status": "draft", "published_at": None}, {"published_at": "tomorrow"}]
)
def test_unpublished_article_detail_is_404(api, changes):
    if changes.get("published_at") == "tomorrow":
        changes["published_at"] = tomorrow()
    article = ArticleFactory(**changes)

    assert api.get(f"/api/v1/articles/{article.slug}/").status_code == 404
    assert api.get(f"/api/v1/articles/{article.slug}/comments/").status_code == 404


def test_article_filters(api):
    world = SectionFactory(name="World")
    china = TagFactory(name="China")
    old = ArticleFactory(section=world, published_at=timezone.now() - timedelta(days=10))
    new = ArticleFactory(section=world, tags=[china])
    ArticleFactory()

    def slugs(**params):
        return [a["slug"] for a in api.get("/api/v1/articles/", params).json()["results"]]

    assert slugs(section="world") == [new.slug, old.slug]
    assert slugs(tag="china") == [new.slug]
    cutoff = (timezone.now() - timedelta(days=5)).isoformat()
    assert slugs(section="world", published_after=cutoff) == [new.slug]
    assert slugs(section="world", published_before=cutoff) == [old.slug]


def test_bad_filter_value_is_400_naming_the_filter(api):
    response = api.get("/api/v1/articles/", {"published_after": "last tuesday"})

    assert response.status_code == 400
    assert list(response.json()) == ["published_after"]


def test_closed_article_says_so(api):
    article = ArticleFactory(allow_comments=False)

    assert api.get(f"/api/v1/articles/{article.slug}/").json()["comments_open"] is False


@pytest.mark.parametrize("count", [5, 40])
def test_article_list_queries_do_not_grow(api, django_assert_num_queries, settings, count):
    settings.NEWSROOM_SHARED_CACHE = False  # measure the work behind a cache miss
    tags = TagFactory.create_batch(2)
    for _ in range(count):
        CommentFactory(article=ArticleFactory(tags=tags))

    # The content versions, the count, the page of articles with sections and comment
    # counts, their tags.
    with django_assert_num_queries(4):
        assert api.get("/api/v1/articles/").status_code == 200


def test_article_list_is_served_from_the_shared_cache(api, django_assert_num_queries):
    ArticleFactory.create_batch(3)
    first = api.get("/api/v1/articles/")

    # Only the content versions, which every process reads from the database.
    with django_assert_num_queries(1):
        again = api.get("/api/v1/articles/")

    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
