"""Random bytes, deep nesting and made-up cursors at the API: whatever arrives,
the answer is a 4xx in the API's JSON shape, never a 500, and nothing is saved."""

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article
from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

fuzz = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

nesting = st.builds(
    lambda opener, depth, tail: opener * depth + tail,
    st.sampled_from([b"[", b'{"a":', b'{"body":[', b"[{}, ["]),
    st.integers(min_value=1, max_value=20_000),
    st.sampled_from([b"", b"1", b"]", b"}"]),
)
bodies = st.one_of(st.binary(max_size=2000), nesting)


def article(slug):
    # Hypothesis runs every example in the same test database.
    return Article.objects.filter(slug=slug).first() or ArticleFactory(slug=slug)


def assert_refused_in_json(response):
    assert 400 <= response.status_code < 500, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json()


@fuzz
@given(body=bodies)
def test_public_posts_of_any_bytes_are_refused_in_json(api, body):
    response = api.generic(
        "POST",
        f"/api/v1/articles/{article('fuzzed').slug}/comments/",
        body,
        content_type="application/json",
    )

    assert_refused_in_json(response)
    assert not Comment.objects.exists()


@fuzz
@given(body=bodies)
def test_moderation_posts_of_any_bytes_get_no_500(moderator_api, body):
    comment = CommentFactory(status=Comment.Status.PENDING)

    response = moderator_api.generic(
        "POST",
        f"/api/v1/moderation/comments/{comment.pk}/approve/",
        body,
        content_type="application/json",
    )

    # An action takes an optional note: an unreadable body is refused, a readable one
    # moderates; either way the answer is JSON.
    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"] == "application/json"


cursors = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda query: base64.b64encode(query.encode()).decode(),
        st.one_of(
            st.text(max_size=60),
            st.builds("p={}".format, st.text(max_size=40)),
            st.builds("o={}&r={}&p={}".format, st.text(max_size=8), st.text(max_size=3), st.text()),
        ),
    ),
)


@fuzz
@given(cursor=cursors)
def test_any_cursor_gets_a_page_or_a_400(moderator_api, cursor):
    listed = article("listed")
    CommentFactory(article=listed)

    for url in (f"/api/v1/articles/{listed.slug}/comments/", "/api/v1/moderation/comments/"):
        response = moderator_api.get(url, {"cursor": cursor})

        assert response.status_code in (200, 400), (url, cursor, response.content[:300])
        assert response["Content-Type"] == "application/json"
        if response.status_code == 400:
            assert list(response.json()) == ["cursor"]
