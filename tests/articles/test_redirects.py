from datetime import timedelta

import pytest
from django.conf import settings as project_settings
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.middleware import old_path_problem, paths_to_try, post_number_path
from articles.models import Article, Redirect
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

OLD = "/2018/10/20/keyboard-navigation/"


@pytest.fixture
def article():
    return ArticleFactory(slug="keyboard-navigation")


@pytest.fixture
def old_links(article):
    """The three addresses the WordPress importer stores for one post."""
    return [
        Redirect.objects.create(old_path=OLD, article=article),
        Redirect.objects.create(old_path=f"{OLD}feed/", article=article, to_feed=True),
        Redirect.objects.create(old_path="/?p=1724", article=article),
    ]


def feed_of(article):
    return reverse("comments:article-feed", kwargs={"slug": article.slug})


def redirect_queries(captured) -> int:
    return sum("articles_redirect" in query["sql"] for query in captured.captured_queries)


@pytest.mark.parametrize(
    ("address", "to_feed"),
    [
        (OLD, False),
        (OLD.rstrip("/"), False),
        (f"{OLD}feed/", True),
        (f"{OLD}feed", True),
        ("/?p=1724", False),
        ("/?p=01724", False),
        ("/?utm_source=social&p=1724", False),
    ],
)
def test_each_old_link_answers_301_to_where_the_article_is_now(
    client, article, old_links, address, to_feed
):
    response = client.get(address)

    assert response.status_code == 301
    assert response["Location"] == (feed_of(article) if to_feed else article.get_absolute_url())


def test_an_old_link_leads_somewhere_that_answers(client, article, old_links):
    assert client.get(OLD, follow=True).status_code == 200
    assert client.get(f"{OLD}feed/", follow=True).status_code == 200


def test_a_path_stored_without_its_slash_answers_with_it_too(client, article):
    Redirect.objects.create(old_path="/about-keyboards", article=article)

    assert client.get("/about-keyboards/")["Location"] == article.get_absolute_url()
    assert client.get("/about-keyboards")["Location"] == article.get_absolute_url()


def test_the_exact_path_wins_over_its_other_spelling(client, article):
    other = ArticleFactory()
    Redirect.objects.create(old_path="/both/", article=article)
    Redirect.objects.create(old_path="/both", article=other)

    assert client.get("/both/")["Location"] == article.get_absolute_url()
    assert client.get("/both")["Location"] == other.get_absolute_url()


def test_the_old_query_string_is_dropped(client, article, old_links):
    response = client.get(OLD, {"replytocom": "12", "utm_source": "x"})

    assert response["Location"] == article.get_absolute_url()


def test_a_head_request_is_redirected_too(client, article, old_links):
    assert client.head(OLD)["Location"] == article.get_absolute_url()
    assert client.head("/?p=1724")["Location"] == article.get_absolute_url()


def test_a_post_to_an_old_link_is_not_redirected(client, old_links):
    # A 301 turns a POST into a GET in most browsers: better a plain 404.
    assert client.post(OLD).status_code == 404


def test_a_redirect_may_be_kept_a_day_at_most(client, old_links):
    assert "max-age=86400" in client.get(OLD)["Cache-Control"]


def test_a_non_ascii_old_path_is_looked_up_as_readers_see_it(client, article):
    Redirect.objects.create(old_path="/2018/café/", article=article)

    assert client.get("/2018/caf%C3%A9/")["Location"] == article.get_absolute_url()


def test_an_unknown_old_path_stays_404(client, old_links):
    assert client.get("/2018/10/20/something-else/").status_code == 404
    assert client.get(f"{OLD}amp/").status_code == 404


def test_a_page_id_is_looked_up_as_stored(client, article):
    Redirect.objects.create(old_path="/?page_id=2", article=article)

    assert client.get("/?page_id=2")["Location"] == article.get_absolute_url()
    assert client.get("/?p=2").status_code == 200  # the front page


@pytest.mark.parametrize(
    "hidden",
    [
        {"status": Article.Status.DRAFT, "published_at": None},
        {"published_at": timezone.now() + timedelta(days=1)},  # scheduled
    ],
)
def test_an_old_link_of_an_article_readers_cannot_see_answers_as_if_unknown(client, hidden):
    secret = ArticleFactory(slug="not-yet-announced", **hidden)
    Redirect.objects.create(old_path=OLD, article=secret)
    Redirect.objects.create(old_path="/?p=9", article=secret)

    by_path = client.get(OLD)
    by_number = client.get("/?p=9")

    assert by_path.status_code == 404
    assert by_number.status_code == 200  # the front page, as for any unknown number
    assert "not-yet-announced" not in by_path.content.decode() + by_number.content.decode()


def test_staff_get_no_redirect_to_a_draft_either(admin_client):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    Redirect.objects.create(old_path=OLD, article=draft)

    assert admin_client.get(OLD).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "p=junk",
        "p=99999999999999999999",
        "p=999999999999999999999999999999",
        "p=1&p=2",
        "p=",
        "p=-1",
        "p=1.0",
        "p=%00",
        "p=%EF%BC%91",  # a fullwidth digit one
        "page_id=x",
    ],
)
def test_a_junk_post_number_shows_the_front_page(client, old_links, query):
    assert client.get(f"/?{query}").status_code == 200


@pytest.mark.parametrize(
    "address",
    ["/a%00b/", "/a%20b/", f"/{'x' * 600}/", "/%FF%FE/", "/x%3Fp=1724", "/?page=99"],
)
def test_a_path_that_cannot_be_stored_is_404_without_a_look_up(client, old_links, address):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)

    assert response.status_code == 404
    assert redirect_queries(captured) == 0


def test_a_404_costs_one_look_up(client, old_links):
    with CaptureQueriesContext(connection) as captured:
        client.get("/2018/10/20/something-else/")

    assert redirect_queries(captured) == 1


@pytest.mark.parametrize(
    "address",
    ["/", "/?page=1", "/?utm_source=x", "/feeds/articles/", "/sitemap.xml", "/articles/{slug}/"],
)
def test_ordinary_requests_never_look_for_an_old_link(client, article, old_links, address):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address.format(slug=article.slug))

    assert response.status_code == 200
    assert redirect_queries(captured) == 0


def test_a_shared_front_page_still_costs_one_query(client, old_links, django_assert_num_queries):
    client.get("/")  # someone fills the shared cache

    with django_assert_num_queries(1):  # the content versions
        assert Client().get("/?p=junk").status_code == 200


def test_a_post_number_is_answered_before_the_shared_front_page(
    article, old_links, django_assert_num_queries
):
    # The shared answer keeps "/" whatever unknown parameter comes with it.
    Client().get("/")

    with django_assert_num_queries(1):  # the redirect, and nothing of the front page
        response = Client().get("/?p=1724")

    assert response["Location"] == article.get_absolute_url()
    middleware = project_settings.MIDDLEWARE
    assert middleware.index("articles.middleware.OldLinksMiddleware") < middleware.index(
        "plumbing.pagecache.middleware.SharedAnswerMiddleware"
    )


def test_a_redirect_is_never_kept_as_a_shared_answer(old_links):
    reader = Client()
    assert reader.get("/?p=1724").status_code == 301
    assert reader.get(OLD).status_code == 301

    Redirect.objects.all().delete()

    assert Client().get("/?p=1724").status_code == 200
    assert Client().get(OLD).status_code == 404


# --- One rule for what is stored and what is looked up ------------------------------


@pytest.mark.parametrize("query", ["p=7", "p=007", "page_id=12", "p=18446744073709551615"])
def test_every_post_number_the_middleware_looks_up_may_be_stored(query):
    old_path = post_number_path(QueryDict(query))

    assert old_path is not None
    assert old_path_problem(old_path) is None


@pytest.mark.parametrize("path", [OLD, "/feed", "/2018/café/", "/100%-sure/"])
def test_every_spelling_of_a_storable_path_is_looked_up(path):
    assert path in paths_to_try(path)
    assert all(old_path_problem(candidate) is None for candidate in paths_to_try(path))


# --- Admin ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name", ["admin:articles_redirect_changelist", "admin:articles_redirect_add"]
)
def test_redirect_admin_pages_open(admin_client, old_links, url_name):
    assert admin_client.get(reverse(url_name)).status_code == 200


def test_the_admin_finds_redirects_by_old_path_and_by_article_title(admin_client, old_links):
    other = ArticleFactory(title="Harvest report")
    Redirect.objects.create(old_path="/2019/harvest/", article=other)
    url = reverse("admin:articles_redirect_changelist")

    def found(q):
        return [r.old_path for r in admin_client.get(url, {"q": q}).context["cl"].result_list]

    assert found("harvest") == ["/2019/harvest/"]
    assert found("p=1724") == ["/?p=1724"]


def test_the_admin_adds_and_edits_a_redirect(admin_client, article):
    added = admin_client.post(
        reverse("admin:articles_redirect_add"),
        {"old_path": "/2017/old-title/", "article": article.pk},
    )
    assert added.status_code == 302, added.context["adminform"].form.errors
    redirect = Redirect.objects.get()
    assert (redirect.old_path, redirect.article, redirect.to_feed) == (
        "/2017/old-title/",
        article,
        False,
    )

    edited = admin_client.post(
        reverse("admin:articles_redirect_change", args=[redirect.pk]),
        {"old_path": "/2017/old-title/feed/", "article": article.pk, "to_feed": "on"},
    )
    assert edited.status_code == 302, edited.context["adminform"].form.errors
    assert Client().get("/2017/old-title/feed/")["Location"] == feed_of(article)


@pytest.mark.parametrize(
    "old_path",
    [
        "http://evil.example/x",
        "no-slash",
        "/",
        "//evil.example/x",
        "/two words/",
        "/tab\there/",
        "/nul\x00/",
        "/x#comments",
        "/caf%C3%A9/",
        "/x/?p=1",
        "/?p=x",
        "/?p=007",
        "/?s=keyboard",
        f"/{'x' * 500}",
    ],
)
def test_the_admin_refuses_an_old_path_no_request_could_match(admin_client, article, old_path):
    response = admin_client.post(
        reverse("admin:articles_redirect_add"), {"old_path": old_path, "article": article.pk}
    )

    assert response.status_code == 200
    assert "old_path" in response.context["adminform"].form.errors
    assert not Redirect.objects.exists()


def test_editors_manage_redirects_and_moderators_bounces_and_the_audit_trail():
    from django.contrib.auth.models import Group

    editors = {p.codename for p in Group.objects.get(name="Editors").permissions.all()}
    moderators = {p.codename for p in Group.objects.get(name="Moderators").permissions.all()}

    assert {"add_redirect", "change_redirect", "delete_redirect", "view_redirect"} <= editors
    assert {"view_subscriber", "change_subscriber", "view_datarequest"} <= moderators
    assert "delete_comment" not in moderators  # erasure stays with administrators
