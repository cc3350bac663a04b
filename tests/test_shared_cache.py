"""Anonymous readers share cached pages; nobody ever gets a stale or someone else's one."""

import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from comments.cookies import OWN_COOKIE
from comments.forms import TIMESTAMP_SALT
from comments.models import Comment
from newsroom import pagecache
from tests.comments.helpers import form_data, post_url
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def token_in(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def test_article_page_is_shared_but_each_reader_gets_their_own_tokens(
    django_assert_num_queries,
):
    article = ArticleFactory()
    CommentFactory(article=article, body="Shared words.")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    html_one = first.get(article.get_absolute_url()).content.decode()

    with django_assert_num_queries(0):
        response = second.get(article.get_absolute_url())
    html_two = response.content.decode()

    assert "Shared words." in html_two
    assert response["Vary"] == "Cookie"
    assert token_in(html_one, "csrfmiddlewaretoken") != token_in(html_two, "csrfmiddlewaretoken")
    # A real signed timestamp for this article, not the placeholder of the cached copy.
    assert signing.loads(token_in(html_two, "timestamp"), salt=TIMESTAMP_SALT)["a"] == article.pk
    # The tokens in the cached page work: the second reader can post with them.
    posted = second.post(
        post_url(article),
        {
            **form_data(article, body="Posted from a cached page."),
            "csrfmiddlewaretoken": token_in(html_two, "csrfmiddlewaretoken"),
        },
    )
    assert posted.status_code == 303


def test_author_of_a_pending_reply_is_not_served_the_shared_page(client, settings):
    settings.COMMENTS_MODERATION = "all"
    article = ArticleFactory()
    Client().get(article.get_absolute_url())  # someone fills the shared cache

    client.post(post_url(article), form_data(article, body="Mine, pending."))

    assert OWN_COOKIE in client.cookies
    assert "Mine, pending." in client.get(article.get_absolute_url()).content.decode()
    assert "Mine, pending." not in Client().get(article.get_absolute_url()).content.decode()


def test_flash_messages_and_remembered_details_are_never_shared(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()
    Client().get(article.get_absolute_url())

    client.post(post_url(article), form_data(article, remember="on", email="me@example.org"))
    page = client.get(article.get_absolute_url()).content.decode()

    assert "Your reply is published." in page
    assert 'value="me@example.org"' in page
    stranger = Client().get(article.get_absolute_url()).content.decode()
    assert "me@example.org" not in stranger
    assert "Your reply is published." not in stranger


def test_staff_are_never_served_the_shared_page(client, django_assert_max_num_queries):
    article = ArticleFactory()
    Client().get(article.get_absolute_url())
    client.force_login(UserFactory(is_staff=True))

    with django_assert_max_num_queries(10) as captured:
        client.get(article.get_absolute_url())

    assert len(captured) > 0


def test_reply_links_are_not_shared(client):
    comment = CommentFactory(author_name="Bo")
    Client().get(comment.article.get_absolute_url())

    html = client.get(
        f"{comment.article.get_absolute_url()}?replytocom={comment.pk}"
    ).content.decode()

    assert "Replying to" in html


def publish_reply(article, capture):
    with capture(execute=True):
        CommentFactory(article=article, body="Fresh reply.")


def moderate_in_admin(article, capture):
    pending = CommentFactory(article=article, status="pending", body="Fresh reply.")
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    with capture(execute=True):
        admin.post(
            reverse("admin:comments_comment_changelist"),
            {"action": "mark_approved", "_selected_action": [pending.pk]},
        )


def moderate_through_the_api(article, capture):
    pending = CommentFactory(article=article, status="pending", body="Fresh reply.")
    api = Client()
    api.force_login(UserFactory(is_staff=True, is_superuser=True))
    with capture(execute=True):
        api.post(f"/api/v1/moderation/comments/{pending.pk}/approve/")


def edit_in_admin(article, capture):
    comment = Comment.objects.get(article=article)
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    form = admin.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"body": "Fresh reply.", "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"})
    with capture(execute=True):
        admin.post(url, data)


def delete_in_admin(article, capture):
    comment = Comment.objects.get(article=article)
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    with capture(execute=True):
        admin.post(reverse("admin:comments_comment_delete", args=[comment.pk]), {"post": "yes"})


def edit_article(article, capture):
    with capture(execute=True):
        article.title = "Fresh reply."  # the marker the test looks for
        article.save()


COMMENT_CHANGES = {
    "new approved comment": publish_reply,
    "bulk approval in the admin": moderate_in_admin,
    "approval through the API": moderate_through_the_api,
    "edit in the admin": edit_in_admin,
    "deletion in the admin": delete_in_admin,
}
COMMENT_ADDRESSES = [
    "{article}",
    "{article}comments/feed/",
    "/feeds/comments/",
    "/api/v1/articles/{slug}/comments/",
    "/api/v1/comments/",
]
ARTICLE_ADDRESSES = [
    "{article}",
    "/",
    "/feeds/articles/",
    "/api/v1/articles/",
    "/api/v1/articles/{slug}/",
]


def read(reader, address, article):
    return reader.get(address.format(article=article.get_absolute_url(), slug=article.slug))


@pytest.mark.parametrize("change", COMMENT_CHANGES)
@pytest.mark.parametrize("address", COMMENT_ADDRESSES)
def test_the_next_anonymous_read_shows_every_comment_change(
    change, address, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    CommentFactory(article=article, body="Old reply.")
    reader = Client()
    before = read(reader, address, article).content.decode()
    assert "Old reply." in before
    assert "Fresh reply." not in before

    COMMENT_CHANGES[change](article, django_capture_on_commit_callbacks)
    after = read(reader, address, article).content.decode()

    if change == "deletion in the admin":
        assert "Old reply." not in after
    else:
        assert "Fresh reply." in after


@pytest.mark.parametrize("address", ARTICLE_ADDRESSES)
def test_the_next_anonymous_read_shows_an_article_change(
    address, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Old title")
    reader = Client()
    assert "Old title" in read(reader, address, article).content.decode()

    edit_article(article, django_capture_on_commit_callbacks)

    after = read(reader, address, article).content.decode()
    assert "Fresh reply." in after
    assert "Old title" not in after


@pytest.mark.parametrize(
    ("query", "shared"),
    [
        ("", True),
        ("page=2", True),
        ("page=2&page=3", True),
        ("page", True),
        ("page=2&replytocom=5", False),
        ("replytocom=5", False),
        ("pag%65=2", True),  # "page", percent-encoded
        ("page=" + "9" * 300, True),
        ("page=1&" + "x" * 300 + "=1", False),
    ],
)
def test_only_the_named_parameters_make_a_shared_copy(rf, query, shared):
    request = rf.get(f"/articles/?{query}")

    assert pagecache.asks_only_for(request, frozenset({"page"})) is shared


def test_each_host_and_query_has_its_own_shared_copy(rf):
    addresses = {
        pagecache.address(rf.get(path, HTTP_HOST=host))
        for path in ("/articles/x/", "/articles/x/?cpage=2", "/articles/y/")
        for host in ("127.0.0.1", "localhost")
    }

    assert len(addresses) == 6
