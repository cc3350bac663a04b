"""No public endpoint ever gives away a private field or a hidden comment."""

import json

import pytest

from comments import services
from comments.models import Recommendation, Report, Revision
from tests.factories import ArticleFactory, CommentFactory, tomorrow

pytestmark = pytest.mark.django_db

SECRETS = (
    "hidden.person@example.org",
    "203.0.113.66",
    "SecretAgent/7.0",
    "203.0.113.0",  # its network, which moderators may keep after the address goes
)
HIDDEN_TEXTS = (
    "Pending words",
    "Spam words",
    "Removed words",
    "Draft article words",
    "Scheduled words",
    # What readers reported, and what a reply said before its author changed it.
    "A note for the moderators alone",
    "Words of an earlier version",
    "Words of an edit that waits",
)


@pytest.fixture
def world():
    article = ArticleFactory(slug="open-article")
    approved = CommentFactory(
        article=article,
        author_email=SECRETS[0],
        ip_address=SECRETS[1],
        user_agent=SECRETS[2],
        body=HIDDEN_TEXTS[6],
    )
    services.report(
        approved.pk, reason="personal", note=HIDDEN_TEXTS[5], ip_address="198.51.100.23"
    )
    services.recommend(approved.pk, browser="a-recommenders-own-key-01", ip_address="198.51.100.24")
    services.edit_own(approved, body="The words readers see now.")
    Revision.objects.create(
        comment=approved, state=Revision.State.HELD, body=HIDDEN_TEXTS[7], body_html=HIDDEN_TEXTS[7]
    )
    hidden = [
        CommentFactory(article=article, status="pending", body=HIDDEN_TEXTS[0], parent=approved),
        CommentFactory(article=article, status="spam", body=HIDDEN_TEXTS[1]),
        CommentFactory(article=article, status="removed", body=HIDDEN_TEXTS[2]),
        CommentFactory(
            article=ArticleFactory(slug="draft-article", status="draft", published_at=None),
            body=HIDDEN_TEXTS[3],
        ),
        CommentFactory(
            article=ArticleFactory(slug="scheduled-article", published_at=tomorrow()),
            body=HIDDEN_TEXTS[4],
        ),
    ]
    return approved, hidden


def reporters() -> tuple[str, ...]:
    """Who reported or recommended, as stored (digests, which must not leave the
    database either) and as sent; and why they reported."""
    recommenders = Recommendation.objects.values_list("browser", "address")
    return (
        *Report.objects.values_list("reporter", flat=True),
        *(digest for pair in recommenders for digest in pair),
        "198.51.100.23",
        "198.51.100.24",
        "a-recommenders-own-key-01",
    )


# Why the reply was reported: the API's schema names every reason, nothing else may.
REASON = str(Report.Reason.PERSONAL.label)


TRICKS = [
    {},
    {"status": "pending"},
    {"status": "all"},
    {"status__in": "pending,spam"},
    {"include": "author_email,ip_address"},
    {"fields": "author_email"},
    {"format": "api"},
    {"article": "draft-article"},
    {"article__status": "draft"},
    {"author_email": SECRETS[0]},
    {"ip_address": SECRETS[1]},
    {"page_size": "1000"},
    {"ordering": "-author_email"},
    {"search": "hidden.person"},
]


def public_urls(approved, hidden):
    return [
        "/api/v1/articles/",
        "/api/v1/articles/open-article/",
        "/api/v1/articles/open-article/comments/",
        "/api/v1/comments/",
        f"/api/v1/comments/{approved.pk}/",
        *(f"/api/v1/comments/{comment.pk}/" for comment in hidden),
        "/api/v1/articles/draft-article/",
        "/api/v1/articles/draft-article/comments/",
        "/api/v1/articles/scheduled-article/comments/",
        "/api/schema/",
        # The pages and feeds readers see.
        "/articles/open-article/",
        "/articles/open-article/?sort=recommended",
        "/articles/open-article/comments/feed/",
        "/feeds/comments/",
    ]


@pytest.mark.parametrize("params", TRICKS, ids=lambda p: ",".join(p) or "plain")
def test_no_public_endpoint_leaks_private_fields_or_hidden_comments(api, world, params):
    approved, hidden = world
    for url in public_urls(approved, hidden):
        response = api.get(url, params)
        text = response.content.decode()
        headers = json.dumps(dict(response.headers))
        reason = () if url == "/api/schema/" else (REASON,)
        for secret in SECRETS + HIDDEN_TEXTS + reporters() + reason:
            assert secret not in text, (url, params, secret)
            assert secret not in headers, (url, params, secret)
        assert response.status_code < 500


def test_hidden_comment_ids_are_404(api, world):
    _, hidden = world

    assert [api.get(f"/api/v1/comments/{c.pk}/").status_code for c in hidden] == [404] * 5


def test_post_response_does_not_echo_private_fields(api, settings):
    settings.COMMENTS_API_BURST_RATE = None
    article = ArticleFactory()

    response = api.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"name": "Ada", "email": SECRETS[0], "body": "Hello"},
        format="json",
        REMOTE_ADDR=SECRETS[1],
        HTTP_USER_AGENT=SECRETS[2],
    )

    assert response.status_code == 201
    for secret in SECRETS:
        assert secret not in response.content.decode()


def test_no_email_hash_either(api, world):
    import hashlib

    digests = {
        hashlib.md5(SECRETS[0].encode()).hexdigest(),  # noqa: S324 (what an avatar service would use)
        hashlib.sha256(SECRETS[0].encode()).hexdigest(),
    }

    text = api.get("/api/v1/comments/").content.decode()

    assert not any(digest in text for digest in digests)


# --- After an erasure -----------------------------------------------------------------

ERASED = (
    "Erasable Jane",
    "erasable.jane@example.net",
    "https://erasable-jane.example/",
    "203.0.113.99",
    "ErasableBrowser/3.1",
    "A sentence only Jane ever wrote",
    "Jane's second, unanswered thought",
)


def every_trace(text: str) -> list[str]:
    return [secret for secret in ERASED if secret in text or secret.lower() in text.lower()]


def test_after_an_erasure_no_page_feed_answer_copy_or_log_line_holds_a_trace(
    client, api, moderator_api, caplog, django_capture_on_commit_callbacks
):
    import logging

    from django.core.cache import caches
    from django.test import Client

    from comments import privacy
    from plumbing.pagecache import copies
    from plumbing.store import prefixed_keys

    article = ArticleFactory(slug="erasure-article")
    jane = {
        "author_name": ERASED[0],
        "author_email": ERASED[1],
        "author_url": ERASED[2],
        "ip_address": ERASED[3],
        "user_agent": ERASED[4],
    }
    answered = CommentFactory(article=article, body=ERASED[5], **jane)
    alone = CommentFactory(article=article, body=ERASED[6], **jane)
    answer = CommentFactory(article=article, parent=answered, body="Bob answers.")
    urls = [
        "/",
        "/articles/erasure-article/",
        "/articles/erasure-article/?sort=newest",
        "/articles/erasure-article/?sort=recommended",
        f"/articles/erasure-article/comments/{answer.pk}/",
        "/articles/erasure-article/comments/feed/",
        "/feeds/comments/",
        "/api/v1/comments/",
        f"/api/v1/comments/{answered.pk}/",
        f"/api/v1/comments/{alone.pk}/",
        "/api/v1/articles/erasure-article/comments/",
        "/api/v1/articles/erasure-article/comments/?ordering=newest",
    ]
    for url in urls:  # every answer read once, so copies of them are kept
        client.get(url)
    assert every_trace(client.get("/articles/erasure-article/").content.decode())
    link = f"/comments/your-data/{privacy.new_link(ERASED[1])}/"

    caplog.clear()
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{link}erase/", {"understood": "on"}).status_code == 200

    reader = Client()  # another browser than the one that erased
    for url in urls:
        response = reader.get(url)
        assert response.status_code in (200, 302, 404), url
        assert every_trace(response.content.decode()) == [], url
        assert every_trace(json.dumps(dict(response.headers))) == [], url
    page = reader.get("/articles/erasure-article/").content.decode()
    assert "This reply was deleted by its author." in page
    assert "Bob answers." in page
    # Moderators see that a reply was there, and nothing of who wrote it or what.
    for status in ({"status": "deleted"}, {}):
        moderation = moderator_api.get("/api/v1/moderation/comments/", status)
        assert moderation.status_code == 200
        assert every_trace(moderation.content.decode()) == [], status
    # Every copy kept by then, here or in the shared cache, was made after the erasure.
    store = caches["default"]
    kept = [store.get(key.split(":", 2)[2]) for key in prefixed_keys(store, copies.PREFIX)]
    kept += list(copies.recent.entries.values())
    assert kept
    for copy in kept:
        body = copy.body + b"".join(p for p in copy.slots if isinstance(p, bytes))
        assert every_trace(body.decode()) == []
    # Nor does any log line written since.
    for record in caplog.records:
        assert every_trace(record.getMessage() + repr(record.__dict__)) == [], record.getMessage()
