from datetime import timedelta

import pytest
from django.utils import timezone

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory, tomorrow

pytestmark = pytest.mark.django_db

PUBLIC_FIELDS = {
    "id",
    "article",
    "parent",
    "author_name",
    "author_url",
    "body_html",
    "created_at",
    "edited_at",
    "picked",
    "author_role",
    "recommendations",
    "url",
}


def ids(response):
    return [item["id"] for item in response.json()["results"]]


def test_article_comments_are_approved_flat_and_oldest_first(api):
    article = ArticleFactory()
    first = CommentFactory(article=article, author_url="https://ada.example.org/")
    reply = CommentFactory(parent=first)
    second = CommentFactory(article=article)
    for status in ("pending", "spam", "removed"):
        CommentFactory(article=article, status=status)
    CommentFactory()  # another article

    response = api.get(f"/api/v1/articles/{article.slug}/comments/")

    assert response.status_code == 200
    assert ids(response) == [first.pk, reply.pk, second.pk]
    item = response.json()["results"][1]
    assert set(item) == PUBLIC_FIELDS
    assert item == {
        "id": reply.pk,
        "article": article.slug,
        "parent": first.pk,
        "author_name": reply.author_name,
        "author_url": None,
        "body_html": reply.body_html,
        "created_at": reply.created_at.isoformat().replace("+00:00", "Z"),
        "edited_at": None,
        "picked": False,
        "author_role": None,
        "recommendations": 0,
        "url": f"http://testserver/articles/{article.slug}/comments/{reply.pk}/",
    }
    assert response.json()["results"][0]["author_url"] == "https://ada.example.org/"


def test_all_comments_list_skips_unpublished_articles(api):
    visible = CommentFactory()
    CommentFactory(article=ArticleFactory(status="draft", published_at=None))
    CommentFactory(article=ArticleFactory(published_at=tomorrow()))

    assert ids(api.get("/api/v1/comments/")) == [visible.pk]


def test_comment_list_filters(api):
    article = ArticleFactory()
    root = CommentFactory(article=article)
    reply = CommentFactory(parent=root)
    elsewhere = CommentFactory()

    assert ids(api.get("/api/v1/comments/", {"article": article.slug})) == [root.pk, reply.pk]
    assert ids(api.get("/api/v1/comments/", {"parent": root.pk})) == [reply.pk]
    assert ids(api.get("/api/v1/comments/", {"article": elsewhere.article.slug})) == [elsewhere.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"parent": "abc"},
        {"parent": "1.5"},
        {"since": "yesterday"},
        # Valid ISO 8601 that no database can compare with.
        {"since": "0086-03-29T19:50:35.21+20:07"},
        {"since": "9999-12-31T23:59:59-05:00"},
        {"since": "0001-01-01T00:00:00+05:00"},
    ],
)
def test_bad_filter_values_are_400(api, params):
    response = api.get("/api/v1/comments/", params)

    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_since_returns_what_was_published_after_it_including_late_approvals(api):
    article = ArticleFactory()
    now = timezone.now()
    CommentFactory(article=article, created_at=now - timedelta(hours=3))
    written_early = CommentFactory(
        article=article,
        created_at=now - timedelta(hours=2),
        status="approved",
        moderated_at=now - timedelta(minutes=5),
    )
    fresh = CommentFactory(article=article, created_at=now - timedelta(minutes=1))

    since = (now - timedelta(hours=1)).isoformat()
    response = api.get(f"/api/v1/articles/{article.slug}/comments/", {"since": since})

    assert ids(response) == [written_early.pk, fresh.pk]


def test_since_returns_what_was_edited_after_it(api):
    article = ArticleFactory()
    now = timezone.now()
    long_ago = now - timedelta(days=1)
    CommentFactory(article=article, created_at=long_ago)
    edited = CommentFactory(article=article, created_at=long_ago, edited_at=now)

    since = (now - timedelta(hours=1)).isoformat()
    response = api.get(f"/api/v1/articles/{article.slug}/comments/", {"since": since})

    assert ids(response) == [edited.pk]


def test_comment_detail(api):
    comment = CommentFactory()

    response = api.get(f"/api/v1/comments/{comment.pk}/")

    assert response.status_code == 200
    assert set(response.json()) == PUBLIC_FIELDS


@pytest.mark.parametrize("kind", ["pending", "spam", "removed", "draft-article", "missing"])
def test_hidden_comment_detail_is_404(api, kind):
    comment = {
        "pending": lambda: CommentFactory(status="pending"),
        "spam": lambda: CommentFactory(status="spam"),
        "removed": lambda: CommentFactory(status="removed"),
        "draft-article": lambda: CommentFactory(
            article=ArticleFactory(status="draft", published_at=None)
        ),
        "missing": lambda: None,
    }[kind]()

    response = api.get(f"/api/v1/comments/{comment.pk if comment else 99999}/")

    assert response.status_code == 404


def test_page_size_is_bounded(api):
    article = ArticleFactory()
    CommentFactory.create_batch(205, article=article)

    default = api.get(f"/api/v1/articles/{article.slug}/comments/")
    huge = api.get(f"/api/v1/articles/{article.slug}/comments/", {"page_size": 100000})

    assert len(default.json()["results"]) == 50
    assert len(huge.json()["results"]) == 200
    assert huge.json()["next"] is not None


def test_cursor_pages_neither_skip_nor_repeat_while_comments_arrive(api):
    article = ArticleFactory()
    CommentFactory.create_batch(7, article=article)
    url = f"/api/v1/articles/{article.slug}/comments/?page_size=3"
    seen = []

    while url:
        page = api.get(url).json()
        seen.extend(item["id"] for item in page["results"])
        # Readers keep replying while the client pages through.
        CommentFactory(article=article)
        CommentFactory(article=article, status="pending")
        url = page["next"]

    expected = list(
        Comment.objects.approved()
        .filter(article=article)
        .order_by("created_at", "id")
        .values_list("id", flat=True)
    )
    assert len(seen) == len(set(seen))
    # Everything that existed when paging began, and everything that arrived in time.
    assert seen == expected[: len(seen)]
    assert len(seen) >= 7


@pytest.mark.parametrize("count", [10, 200])
def test_list_queries_do_not_grow_with_comments(api, django_assert_num_queries, settings, count):
    settings.NEWSROOM_SHARED_CACHE = False  # measure the work behind a cache miss
    article = ArticleFactory()
    roots = CommentFactory.create_batch(count // 2, article=article)
    for root in roots:
        CommentFactory(parent=root)

    url = f"/api/v1/articles/{article.slug}/comments/"

    # The content versions, the public article's id, the page of comments.
    with django_assert_num_queries(3):
        response = api.get(url, {"page_size": 200})
    assert len(response.json()["results"]) == count

    with django_assert_num_queries(2):
        response = api.get("/api/v1/comments/", {"page_size": 200})
    assert len(response.json()["results"]) == count


def test_etag_and_304_until_something_changes(api, django_capture_on_commit_callbacks):
    article = ArticleFactory()
    comment = CommentFactory(article=article)
    url = f"/api/v1/articles/{article.slug}/comments/"

    first = api.get(url)
    etag = first["ETag"]
    assert first["Last-Modified"]
    # Anyone may keep it, and must ask again before showing it: a removed comment
    # goes at once, and asking costs a 304.
    assert first["Cache-Control"] == "public, no-cache"

    again = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        CommentFactory(parent=comment)

    changed = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert len(changed.json()["results"]) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/articles/",
        "/api/v1/articles/{slug}/",
        "/api/v1/comments/",
        "/api/v1/comments/{id}/",
    ],
)
def test_every_public_read_supports_304(api, path):
    comment = CommentFactory()
    url = path.format(slug=comment.article.slug, id=comment.pk)

    etag = api.get(url)["ETag"]

    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize("count", [10, 200])
def test_cached_lists_cost_no_query(api, django_assert_num_queries, count):
    article = ArticleFactory()
    CommentFactory.create_batch(count, article=article)
    url = f"/api/v1/articles/{article.slug}/comments/?page_size=200"
    first = api.get(url)

    # Only the content versions, which every process reads from the database.
    with django_assert_num_queries(1):
        again = api.get(url)

    assert again.content == first.content
    assert len(again.json()["results"]) == count
    assert again["Cache-Control"] == "public, no-cache"


def test_a_shared_answer_keeps_every_security_header_and_drops_no_other(api):
    article = ArticleFactory()
    CommentFactory(article=article)
    url = f"/api/v1/articles/{article.slug}/comments/"
    first = api.get(url)

    again = api.get(url)

    security = [
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
    ]
    assert all(again.has_header(name) for name in security)
    # The same headers with the same values; only the policy's nonce changes.
    assert {**again.headers, "Content-Security-Policy": ""} == {
        **first.headers,
        "Content-Security-Policy": "",
    }
    assert not again.cookies


def test_a_shared_answer_still_refuses_an_unknown_host(api):
    article = ArticleFactory()
    url = f"/api/v1/articles/{article.slug}/comments/"
    api.get(url)

    assert api.get(url, HTTP_HOST="attacker.example").status_code == 400


def test_a_new_comment_is_in_the_next_read_despite_the_cache(
    api, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    CommentFactory(article=article)
    url = f"/api/v1/articles/{article.slug}/comments/"
    assert len(api.get(url).json()["results"]) == 1

    with django_capture_on_commit_callbacks(execute=True):
        CommentFactory(article=article)

    assert len(api.get(url).json()["results"]) == 2


def test_signed_in_clients_are_not_served_shared_answers(api, moderator_api):
    article = ArticleFactory()
    url = f"/api/v1/articles/{article.slug}/comments/"
    api.get(url)

    response = moderator_api.get(url)

    assert response["Cache-Control"] == "private, no-cache"


def test_304_costs_one_query(api, django_assert_num_queries):
    comment = CommentFactory()
    url = f"/api/v1/articles/{comment.article.slug}/comments/"
    etag = api.get(url)["ETag"]

    with django_assert_num_queries(1):
        assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_etag_differs_per_query(api):
    comment = CommentFactory()
    url = f"/api/v1/articles/{comment.article.slug}/comments/"

    assert api.get(url)["ETag"] != api.get(url, {"page_size": 1})["ETag"]


def test_scheduled_article_appears_when_its_time_comes_despite_caching(api):
    article = ArticleFactory(published_at=timezone.now() + timedelta(seconds=1))
    assert api.get("/api/v1/articles/").json()["count"] == 0
    etag = api.get("/api/v1/articles/")["ETag"]

    import time

    time.sleep(1.2)

    response = api.get("/api/v1/articles/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["results"][0]["slug"] == article.slug


def test_authenticated_reads_are_private(moderator_api):
    response = moderator_api.get("/api/v1/comments/")

    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("slug", ["budget-999999999-deficit", "slug-stand-in", "999999999"])
def test_comment_links_are_right_whatever_the_slug(api, slug):
    # Once made by replacing stand-ins in the finished address (issue #10).
    comment = CommentFactory(article=ArticleFactory(slug=slug))

    [item] = api.get(f"/api/v1/articles/{slug}/comments/").json()["results"]

    assert item["url"] == f"http://testserver/articles/{slug}/comments/{comment.pk}/"
    assert api.get(item["url"]).status_code == 302
