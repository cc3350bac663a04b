import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import ArticleFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:index",
        "admin:articles_article_changelist",
        "admin:articles_article_add",
        "admin:articles_section_changelist",
        "admin:articles_section_add",
        "admin:articles_tag_changelist",
        "admin:articles_tag_add",
    ],
)
def test_admin_pages_open_for_superuser(admin_client, url_name):
    ArticleFactory(tags=[TagFactory()])

    assert admin_client.get(reverse(url_name)).status_code == 200


def test_article_change_page_links_to_the_site(admin_client):
    article = ArticleFactory()

    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert response.status_code == 200
    assert reverse(
        "admin:view_on_site", args=[response.context["content_type_id"], article.pk]
    ) in (response.content.decode())


def test_changelist_filters_and_search(admin_client):
    ArticleFactory(title="Troops head east")
    ArticleFactory(title="Harvest report", status=Article.Status.DRAFT, published_at=None)
    url = reverse("admin:articles_article_changelist")

    by_search = admin_client.get(url, {"q": "troops"})
    by_status = admin_client.get(url, {"status__exact": "draft"})

    assert [a.title for a in by_search.context["cl"].result_list] == ["Troops head east"]
    assert [a.title for a in by_status.context["cl"].result_list] == ["Harvest report"]


def test_adding_an_article_sanitizes_and_credits_the_editor(admin_client, admin_user):
    section = SectionFactory()

    response = admin_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "From the admin",
            "slug": "from-the-admin",
            "section": section.pk,
            "summary": "Summary",
            "body": '<p>Safe</p><img src="x" onerror="alert(1)">',
            "status": "published",
            "published_at_0": "",
            "published_at_1": "",
            "allow_comments": "on",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="from-the-admin")
    assert article.body == "<p>Safe</p><img>"
    assert article.author == admin_user
    assert article.is_public


def test_bulk_publish_and_unpublish(admin_client):
    drafts = ArticleFactory.create_batch(2, status=Article.Status.DRAFT, published_at=None)
    url = reverse("admin:articles_article_changelist")
    ids = [a.pk for a in drafts]

    admin_client.post(url, {"action": "publish", "_selected_action": ids})
    assert Article.objects.published().filter(pk__in=ids).count() == 2

    admin_client.post(url, {"action": "unpublish", "_selected_action": ids})
    assert not Article.objects.published().filter(pk__in=ids).exists()
    assert set(Article.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"draft"}
