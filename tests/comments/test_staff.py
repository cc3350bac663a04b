"""Verified staff replies: a signed-in member of staff replies as themselves, with a
Staff (or Author) badge; readers cannot pose as the newsroom or its staff."""

import pytest
from django.test import Client

from comments.models import Comment
from comments.names import forget_staff_names, skeleton
from tests.comments.helpers import form_data, post_url
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_staff_names():
    forget_staff_names()
    yield
    forget_staff_names()


@pytest.fixture
def editor():
    return UserFactory(
        username="jdoe",
        first_name="Jane",
        last_name="Doe",
        email="Jane@News.example",
        is_staff=True,
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_staff_reply_is_theirs_published_and_badged(editor, settings):
    settings.COMMENTS_MODERATION = "all"  # strangers wait; staff do not
    article = ArticleFactory()
    client = signed_in(editor)

    form = client.get(article.get_absolute_url()).content.decode()
    response = client.post(
        post_url(article),
        form_data(article, name="Someone Else", email="x@example.org", body="We corrected it."),
    )

    assert "You are replying as <strong>Jane Doe</strong>, marked as staff." in form
    assert 'name="email"' not in form
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert (comment.user, comment.author_name, comment.author_email) == (
        editor,
        "Jane Doe",
        "jane@news.example",
    )
    assert (comment.status, comment.author_role) == ("approved", "staff")
    assert comment.moderation_reasons[0]["rule"] == "staff"
    assert comment.events.get().actor == editor  # the history says who
    html = Client().get(article.get_absolute_url()).content.decode()
    assert 'Jane Doe</span> <span class="badge comment-role-badge">Staff</span>' in html
    api = Client().get(f"/api/v1/comments/{comment.pk}/").json()
    assert api["author_role"] == "staff"
    feed = Client().get("/feeds/comments/").content.decode()
    assert "Jane Doe (Staff) on" in feed
    assert "jdoe" not in html + feed  # never the login name


def test_the_article_s_author_is_marked_as_its_author(editor):
    article = ArticleFactory(author=editor)

    signed_in(editor).post(post_url(article), form_data(article, body="Thanks for reading."))

    comment = Comment.objects.get()
    assert comment.author_role == "author"
    html = Client().get(article.get_absolute_url()).content.decode()
    assert '<span class="badge comment-role-badge">Author</span>' in html


def test_staff_post_through_the_api_as_themselves(editor):
    article = ArticleFactory()

    response = signed_in(editor).post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"body": "From the desk."},
        content_type="application/json",
    )

    assert response.status_code == 201
    data = response.json()
    assert (data["author_name"], data["author_role"], data["status"]) == (
        "Jane Doe",
        "staff",
        "approved",
    )


@pytest.mark.parametrize(
    "name",
    [
        "The editors",
        "the EDITORS!",
        "The \u0415ditors",  # a Cyrillic capital IE
        "\u03a4he \u0395dit\u03bfrs",  # Greek tau, epsilon and omicron
        "\uff34\uff48\uff45 \uff45\uff44\uff49\uff54\uff4f\uff52\uff53",  # full width
        "Newsroom",
        "Jane  Doe",
        "J\u0430ne Doe",  # a Cyrillic small a
    ],
)
def test_readers_cannot_pose_as_the_newsroom_or_its_staff(editor, api, name):
    article = ArticleFactory()

    form = Client().post(post_url(article), form_data(article, name=name))
    through_api = api.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"name": name, "email": "a@example.org", "body": "Official word."},
        format="json",
    )

    assert form.status_code == through_api.status_code == 400
    assert "belongs to the newsroom or one of its staff" in str(
        form.context["comment_form"].errors["name"]
    )
    assert list(through_api.json()) == ["name"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize("name", ["Editorial Fan", "Jane", "Zoë Müller", "Дмитрий"])
def test_ordinary_names_are_welcome(editor, name, settings):
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()

    response = Client().post(post_url(article), form_data(article, name=name))

    assert response.status_code == 303
    assert Comment.objects.get().author_name == name


def test_skeletons_fold_what_looks_alike():
    assert skeleton("The \u0415ditors") == skeleton("the editors") == "theeditors"
    assert skeleton("\u0442\u043d\u0435 editors") == "theeditors"  # small Cyrillic te, en, ie
    assert skeleton("Zoë") != skeleton("Zoe")  # a real accent is a real difference


def test_a_reply_from_a_signed_in_reader_who_is_not_staff_is_a_reader_s(settings):
    settings.COMMENTS_MODERATION = "none"
    member = UserFactory(is_staff=False)
    article = ArticleFactory()

    signed_in(member).post(post_url(article), form_data(article))

    comment = Comment.objects.get()
    assert (comment.user, comment.author_role) == (None, "")
    assert CommentFactory.build().author_role == ""
