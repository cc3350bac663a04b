import json
import time

import pytest

from comments.api.serializers import CommentCreateSerializer
from comments.models import Comment, ModerationEvent
from tests.comments.helpers import form_data, post_url
from tests.factories import ArticleFactory, BlockedTermFactory, CommentFactory, yesterday

pytestmark = pytest.mark.django_db


def endpoint(article):
    return f"/api/v1/articles/{article.slug}/comments/"


def payload(**overrides):
    return {"name": "Ada", "email": "Ada@Example.org", "body": "From the API.", **overrides}


def test_post_creates_a_pending_comment_and_never_echoes_the_email(api, settings):
    settings.COMMENTS_MODERATION = "all"
    article = ArticleFactory()

    response = api.post(endpoint(article), payload(url="https://ada.example.org"), format="json")

    assert response.status_code == 201
    data = response.json()
    comment = Comment.objects.get()
    assert data["id"] == comment.pk
    assert data["status"] == "pending"
    assert data["message"] == "Your comment is awaiting moderation and will appear once approved."
    assert data["author_url"] == "https://ada.example.org"
    assert "ada@example.org" not in json.dumps(data).lower()
    assert comment.author_email == "ada@example.org"
    assert comment.ip_address == "127.0.0.1"


def test_post_approved_right_away(api, settings):
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()

    data = api.post(endpoint(article), payload(), format="json").json()

    assert data["status"] == "approved"
    assert data["body_html"] == "<p>From the API.</p>"
    assert api.get(f"/api/v1/comments/{data['id']}/").status_code == 200


def test_post_as_a_form_works_too(api, settings):
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()

    response = api.post(endpoint(article), payload())

    assert response.status_code == 201


def test_spam_is_reported_as_pending(api, settings):
    settings.COMMENTS_MODERATION = "none"
    BlockedTermFactory(kind="word", value="casino", action="spam")

    data = api.post(endpoint(ArticleFactory()), payload(body="casino"), format="json").json()

    assert data["status"] == "pending"
    assert Comment.objects.get().status == "spam"


def test_reply_to_a_comment(api, settings):
    settings.COMMENTS_MODERATION = "none"
    parent = CommentFactory()

    data = api.post(endpoint(parent.article), payload(parent=parent.pk), format="json").json()

    assert data["parent"] == parent.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a@example.org", "body": "x"}, "name"),
        ({"name": "A", "body": "x"}, "email"),
        ({"name": "A", "email": "a@example.org"}, "body"),
        ({"name": "A", "email": "a@example.org", "body": "   "}, "body"),
        ({"name": "A", "email": "nope", "body": "x"}, "email"),
        ({"name": "A", "email": "a@example.org", "body": "x", "url": "javascript:alert(1)"}, "url"),
        ({"name": ["A"], "email": "a@example.org", "body": "x"}, "name"),
        ({"name": "A", "email": "a@example.org", "body": 42}, "body"),
        ({"name": "A", "email": "a@example.org", "body": "x", "parent": "one"}, "parent"),
    ],
)
def test_bad_input_is_400_per_field(api, body, field):
    article = ArticleFactory()

    response = api.post(endpoint(article), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Comment.objects.exists()


def test_parent_from_another_article_is_refused(api):
    article = ArticleFactory()
    stranger = CommentFactory()

    response = api.post(endpoint(article), payload(parent=stranger.pk), format="json")

    assert response.status_code == 400
    assert "not available" in response.json()["parent"][0]


def test_duplicate_is_refused_on_the_body(api, settings):
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()
    api.post(endpoint(article), payload(), format="json")

    response = api.post(endpoint(article), payload(), format="json")

    assert response.status_code == 400
    assert "already sent this reply" in response.json()["body"][0]


@pytest.mark.parametrize("changes", [{"allow_comments": False}, {"comments_close_at": "yesterday"}])
def test_closed_article_is_403(api, changes):
    if changes.get("comments_close_at"):
        changes["comments_close_at"] = yesterday()
    article = ArticleFactory(**changes)

    response = api.post(endpoint(article), payload(), format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Comments are closed for this article."}


def test_closing_or_unpublishing_stops_posts_at_once(api, settings):
    settings.COMMENTS_MODERATION = "all"
    article = ArticleFactory()
    assert api.post(endpoint(article), payload(), format="json").status_code == 201

    article.allow_comments = False
    article.save()
    assert api.post(endpoint(article), payload(body="Closed.")).status_code == 403

    article.allow_comments = True
    article.save()
    assert api.post(endpoint(article), payload(body="Open again.")).status_code == 201

    article.status = "draft"
    article.save()
    assert api.post(endpoint(article), payload(body="Unpublished.")).status_code == 404


def test_a_post_runs_the_same_few_queries_however_busy_the_article(
    api, settings, django_assert_num_queries
):
    settings.COMMENTS_MODERATION = "all"
    article = ArticleFactory()
    api.post(endpoint(article), payload(body="The first."), format="json")
    CommentFactory.create_batch(30, article=article, author_email="ada@example.org")

    # The article, the duplicate look-up, the blocklist's version (the list itself
    # is kept in memory) and the two inserts, in a transaction (a savepoint here,
    # inside the test's own).
    with django_assert_num_queries(7):
        response = api.post(endpoint(article), payload(body="The second."), format="json")

    assert response.status_code == 201


def test_unknown_or_unpublished_article_is_404(api):
    draft = ArticleFactory(status="draft", published_at=None)

    assert api.post("/api/v1/articles/nope/comments/", payload(), format="json").status_code == 404
    assert api.post(endpoint(draft), payload(), format="json").status_code == 404


def test_body_that_is_not_json_or_a_form_is_415(api):
    response = api.generic(
        "POST", endpoint(ArticleFactory()), "name=Ada", content_type="text/plain"
    )

    assert response.status_code == 415
    assert not Comment.objects.exists()


def test_throttled_posts_get_429_with_retry_after_then_recover(api, settings):
    settings.COMMENTS_API_BURST_RATE = None
    settings.COMMENTS_API_POST_RATE = "2/second"
    settings.COMMENTS_FLOOD_LIMIT = 100
    article = ArticleFactory()

    # Start at the beginning of a one-second window, so all three land in it.
    time.sleep(1 - time.time() % 1)
    statuses = [api.post(endpoint(article), payload(body=f"n{n}"), format="json") for n in range(3)]

    assert [r.status_code for r in statuses] == [201, 201, 429]
    assert int(statuses[2]["Retry-After"]) in (0, 1)
    time.sleep(1.1)
    assert api.post(endpoint(article), payload(body="again"), format="json").status_code == 201


def test_burst_limit_is_one_post_a_second_by_default(api, settings):
    settings.COMMENTS_API_BURST_RATE = "1/second"
    article = ArticleFactory()

    first = api.post(endpoint(article), payload(body="one"), format="json")
    second = api.post(endpoint(article), payload(body="two"), format="json")

    assert first.status_code == 201
    assert second.status_code == 429
    assert "Retry-After" in second


def test_throttles_are_per_client(api, settings):
    settings.COMMENTS_API_BURST_RATE = "1/minute"
    article = ArticleFactory()

    assert (
        api.post(
            endpoint(article), payload(body="a"), format="json", REMOTE_ADDR="192.0.2.1"
        ).status_code
        == 201
    )
    assert (
        api.post(
            endpoint(article), payload(body="b"), format="json", REMOTE_ADDR="192.0.2.1"
        ).status_code
        == 429
    )
    assert (
        api.post(
            endpoint(article), payload(body="c"), format="json", REMOTE_ADDR="192.0.2.2"
        ).status_code
        == 201
    )


def test_reads_are_throttled_generously(api, settings):
    settings.NEWSROOM_API_READ_RATE = "3/minute"
    # Throttles guard the work behind a cache miss; cached answers cost nothing.
    settings.NEWSROOM_SHARED_CACHE = False

    statuses = [api.get("/api/v1/comments/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_api_and_form_make_identical_comments_and_events(client, api, settings):
    settings.COMMENTS_MAX_LINKS = 0
    text = "Sources: https://example.org/a\n\nSecond <b>paragraph</b> <script>x</script>"
    fields = {"name": "Ada", "email": "ada@example.org", "url": "https://ada.example.org"}
    via_form, via_api = ArticleFactory(), ArticleFactory()

    client.post(post_url(via_form), form_data(via_form, body=text, **fields))
    api.post(endpoint(via_api), {**fields, "body": text}, format="json")

    compared = [
        "status",
        "author_name",
        "author_email",
        "author_url",
        "body",
        "body_html",
        "depth",
        "parent",
        "moderation_reasons",
        "notify_on_reply",
        "ip_address",
    ]
    from_form = Comment.objects.filter(article=via_form).values(*compared).get()
    from_api = Comment.objects.filter(article=via_api).values(*compared).get()
    assert from_form == from_api
    assert from_form["moderation_reasons"] == [
        {"rule": "too-many-links", "verdict": "hold", "detail": "1 link; the limit is 0."}
    ]
    event_fields = ["from_status", "to_status", "reasons", "actor", "note"]
    assert list(
        ModerationEvent.objects.filter(comment__article=via_form).values(*event_fields)
    ) == (list(ModerationEvent.objects.filter(comment__article=via_api).values(*event_fields)))


def test_each_post_checks_the_length_set_now_without_piling_up_checks(api, settings):
    settings.COMMENTS_MODERATION = "all"
    article = ArticleFactory()
    declared = CommentCreateSerializer._declared_fields["body"]
    declared_checks = list(declared.validators)

    for number, limit in enumerate((30, 3000, 30)):
        settings.COMMENTS_MAX_LENGTH = limit
        response = api.post(endpoint(article), payload(body=f"{number} " + "x" * 40))
        if limit == 3000:
            assert response.status_code == 201
        else:
            assert response.json() == {
                "body": ["Ensure this value has at most 30 characters (it has 42)."]
            }

    assert declared.validators == declared_checks
    assert len(CommentCreateSerializer().fields["body"].validators) == len(declared_checks) + 1
