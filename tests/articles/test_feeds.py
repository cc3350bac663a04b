import xml.etree.ElementTree as ET

import pytest

from articles.models import Article
from tests.factories import ArticleFactory, TagFactory, tomorrow

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_article_feed_is_rss_with_only_public_articles(client):
    public = ArticleFactory(title="Public & proud", tags=[TagFactory(name="Energy")])
    ArticleFactory(title="Draft", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="Scheduled", published_at=tomorrow())

    response = client.get("/feeds/articles/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    assert (root.tag, root.get("version")) == ("rss", "2.0")
    items = root.findall("./channel/item")
    assert [item.findtext("title") for item in items] == ["Public & proud"]
    assert items[0].findtext("link") == f"http://testserver{public.get_absolute_url()}"
    assert {c.text for c in items[0].findall("category")} == {public.section.name, "Energy"}


def test_sitemap_lists_only_public_articles(client):
    public = ArticleFactory()
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    scheduled = ArticleFactory(published_at=tomorrow())

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    locations = {loc.text for loc in root.findall("./sm:url/sm:loc", SITEMAP_NS)}
    assert f"http://testserver{public.get_absolute_url()}" in locations
    assert f"http://testserver{draft.get_absolute_url()}" not in locations
    assert f"http://testserver{scheduled.get_absolute_url()}" not in locations
    assert f"http://testserver{public.section.get_absolute_url()}" in locations
