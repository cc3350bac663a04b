"""Anonymous readers share answers; nobody gets a stale one or someone else's.

Every door that changes content (the reply form, the API, the admin), read
back from every address that shows it, in one process. Several processes are
in test_workers.py.
"""

import json
import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.cookies import OWN_COOKIE, REMEMBER_COOKIE, REMEMBER_SALT
from comments.forms import TIMESTAMP_SALT
from comments.models import Comment
from plumbing.pagecache.messages import MESSAGES
from plumbing.pagecache.personal import csrf_token
from tests.comments.helpers import form_data, post_url, sent_from
from tests.factories import ArticleFactory, CommentFactory, TagFactory, UserFactory
from tests.html import elements

pytestmark = pytest.mark.django_db

FRESH = "Fresh reply."


def token_in(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def superuser() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


# --- Doors ---------------------------------------------------------------------


def post_through_the_form(article, comment):
    Client().post(post_url(article), form_data(article, body=FRESH))


def post_through_the_api(article, comment):
    Client().post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"name": "Ada", "email": "ada@example.org", "body": FRESH},
        content_type="application/json",
    )


def approve_in_bulk_in_the_admin(article, comment):
    pending = CommentFactory(article=article, status="pending", body=FRESH)
    superuser().post(
        reverse("admin:comments_comment_changelist"),
        {"action": "mark_approved", "_selected_action": [pending.pk]},
    )


def approve_through_the_api(article, comment):
    pending = CommentFactory(article=article, status="pending", body=FRESH)
    superuser().post(f"/api/v1/moderation/comments/{pending.pk}/approve/")


def edit_in_the_admin(article, comment):
    admin = superuser()
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    form = admin.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    for inline in ("events", "revisions"):
        data.update({f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0"})
    admin.post(url, data | {"body": FRESH})


def edit_by_its_author(article, comment):
    author = sent_from(Client(), comment)
    author.post(reverse("comments:edit", args=[article.slug, comment.pk]), {"body": FRESH})


def delete_by_its_author(article, comment):
    sent_from(Client(), comment).post(reverse("comments:delete", args=[article.slug, comment.pk]))


def delete_in_the_admin(article, comment):
    superuser().post(reverse("admin:comments_comment_delete", args=[comment.pk]), {"post": "yes"})


def remove_through_the_api(article, comment):
    superuser().post(f"/api/v1/moderation/comments/{comment.pk}/remove/")


COMMENT_CHANGES = {
    "reply through the form": (post_through_the_form, True),
    "reply through the API": (post_through_the_api, True),
    "bulk approval in the admin": (approve_in_bulk_in_the_admin, True),
    "approval through the API": (approve_through_the_api, True),
    "edit in the admin": (edit_in_the_admin, True),
    "edit by its author": (edit_by_its_author, True),
    "deletion in the admin": (delete_in_the_admin, False),
    "deletion by its author": (delete_by_its_author, False),
    "removal through the API": (remove_through_the_api, False),
}
COMMENT_ADDRESSES = [
    "{article}",
    "{article}comments/feed/",
    "/feeds/comments/",
    "/api/v1/articles/{slug}/comments/",
    "/api/v1/comments/",
]


def read(reader, address, article):
    return reader.get(address.format(article=article.get_absolute_url(), slug=article.slug))


@pytest.mark.parametrize("change", COMMENT_CHANGES)
@pytest.mark.parametrize("address", COMMENT_ADDRESSES)
def test_the_next_anonymous_read_shows_every_comment_change(settings, change, address):
    settings.COMMENTS_MODERATION = "none"  # a reply is published at once
    article = ArticleFactory()
    comment = CommentFactory(article=article, body="Old reply.")
    reader = Client()
    assert "Old reply." in read(reader, address, article).content.decode()

    door, adds = COMMENT_CHANGES[change]
    door(article, comment)
    after = read(reader, address, article).content.decode()

    if adds:
        assert FRESH in after
    else:
        assert "Old reply." not in after


ARTICLE_ADDRESSES = [
    "{article}",
    "/",
    "/feeds/articles/",
    "/api/v1/articles/",
    "/api/v1/articles/{slug}/",
]


@pytest.mark.parametrize("address", ARTICLE_ADDRESSES)
def test_the_next_anonymous_read_shows_an_article_change_in_the_admin(address):
    article = ArticleFactory(title="Old title")
    reader = Client()
    assert "Old title" in read(reader, address, article).content.decode()

    superuser().post(
        reverse("admin:articles_article_change", args=[article.pk]),
        {
            "title": "New title",
            "slug": article.slug,
            "section": article.section_id,
            "body": article.body,
            "status": "published",
            "published_at_0": article.published_at.strftime("%Y-%m-%d"),
            "published_at_1": article.published_at.strftime("%H:%M:%S"),
            "allow_comments": "on",
        },
    )

    after = read(reader, address, article).content.decode()
    assert "New title" in after
    assert "Old title" not in after


# --- One copy, each reader's own values -------------------------------------------


def test_the_article_page_is_shared_but_each_reader_gets_their_own_tokens(
    django_assert_num_queries,
):
    article = ArticleFactory()
    CommentFactory(article=article, body="Shared words.")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    html_one = first.get(article.get_absolute_url()).content.decode()

    with django_assert_num_queries(1):  # the content versions
        response = second.get(article.get_absolute_url())
    html_two = response.content.decode()

    assert "Shared words." in html_two
    assert token_in(html_one, "csrfmiddlewaretoken") != token_in(html_two, "csrfmiddlewaretoken")
    # A real signed timestamp for this article, not the placeholder of the shared copy.
    assert signing.loads(token_in(html_two, "timestamp"), salt=TIMESTAMP_SALT)["a"] == article.pk
    # The tokens in the shared page work: the second reader can post with them.
    posted = second.post(
        post_url(article),
        {
            **form_data(article, body="Posted from a shared page."),
            "csrfmiddlewaretoken": token_in(html_two, "csrfmiddlewaretoken"),
        },
    )
    assert posted.status_code == 303


def test_comment_pages_beyond_the_last_are_404_and_never_kept(settings):
    settings.COMMENTS_PER_PAGE = 1
    article = ArticleFactory()
    CommentFactory.create_batch(2, article=article)
    url = article.get_absolute_url()

    assert Client().get(f"{url}?cpage=2").status_code == 200
    for junk in ("3", "99999", "0", "two", "-1"):
        assert Client().get(f"{url}?cpage={junk}").status_code == 404


def test_an_error_page_drawn_after_a_shared_render_holds_no_placeholder_or_mark():
    article = ArticleFactory()
    CommentFactory(article=article)

    missing = Client().get(f"{article.get_absolute_url()}?cpage=3")  # no copy of the page yet

    body = missing.content.decode()
    assert missing.status_code == 404
    # The marks are derived from the secret key: shown once, anyone could forge a part.
    assert MESSAGES.prefix not in body
    assert csrf_token.prefix not in body


@pytest.mark.parametrize("address", ["/", "/sections/{section}/", "/tags/{tag}/"])
def test_pages_without_a_form_are_public_with_validators(address):
    tag = TagFactory()
    article = ArticleFactory(tags=[tag])
    url = address.format(section=article.section.slug, tag=tag.slug)

    first = Client().get(url)
    again = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert "public" in first["Cache-Control"]
    assert again.status_code == 304


def test_a_page_with_the_reply_form_is_kept_but_its_token_is_each_reader_s():
    article = ArticleFactory()

    first, second = (
        Client().get(article.get_absolute_url()),
        Client().get(article.get_absolute_url()),
    )

    assert is_private(first)
    assert first.context is not None or first.content  # drawn, then served from the copy
    token = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.search(first.content).group(1) != token.search(second.content).group(1)


# --- Personal answers ---------------------------------------------------------------


def is_private(response) -> bool:
    return "private" in response["Cache-Control"] and not response.has_header("ETag")


def test_the_author_of_a_pending_reply_gets_a_private_page(client, settings):
    settings.COMMENTS_MODERATION = "all"
    article = ArticleFactory()
    Client().get(article.get_absolute_url())  # someone fills the shared cache

    client.post(post_url(article), form_data(article, body="Mine, pending."))
    own = client.get(article.get_absolute_url())

    assert OWN_COOKIE in client.cookies
    assert "Mine, pending." in own.content.decode()
    assert is_private(own)
    stranger = Client().get(article.get_absolute_url())
    assert "Mine, pending." not in stranger.content.decode()


def test_flash_messages_and_saved_details_are_private(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()
    Client().get(article.get_absolute_url())

    client.post(post_url(article), form_data(article, remember="on", email="me@example.org"))
    flashed = client.get(article.get_absolute_url())
    saved = client.get(article.get_absolute_url())

    assert "Your reply is published." in flashed.content.decode()
    assert 'value="me@example.org"' in saved.content.decode()
    assert is_private(flashed)
    assert is_private(saved)
    stranger = Client().get(article.get_absolute_url()).content.decode()
    assert "me@example.org" not in stranger
    assert "Your reply is published." not in stranger


# --- Returning readers: the shared page, unless it shows their own ----------------


def remembering(client: Client, **details: str) -> Client:
    """`client` as a browser whose reader ticked "Remember me" with `details`."""
    signer = signing.get_cookie_signer(salt=REMEMBER_COOKIE + REMEMBER_SALT)
    client.cookies[REMEMBER_COOKIE] = signer.sign(json.dumps(details))
    return client


def field(html: str, element_id: str) -> dict:
    return next(attrs for _, attrs in elements(html) if attrs.get("id") == element_id)


def test_a_returning_reader_gets_the_shared_page_with_their_details_in_the_form(
    settings, django_assert_num_queries
):
    settings.COMMENTS_PER_PAGE = 1
    article = ArticleFactory()
    CommentFactory(article=article, body="Shared words.")
    theirs = CommentFactory(article=article, body="Their words, on page two.")
    url = article.get_absolute_url()
    Client().get(url)  # someone fills the shared cache
    details = {"name": 'Ann "<b>" & co', "email": "ann@example.org", "url": "https://ann.example"}
    reader = sent_from(remembering(Client(), **details), theirs)

    with django_assert_num_queries(2):  # the content versions; whether a reply of theirs is held
        html = reader.get(url).content.decode()

    assert "Shared words." in html
    assert [field(html, f"id_{name}")["value"] for name in details] == list(details.values())
    assert "checked" in field(html, "id_remember")
    assert "&lt;b&gt;" in html  # their name escaped like any value
    stranger = Client().get(url).content.decode()
    assert "ann@example.org" not in stranger
    assert field(stranger, "id_name")["value"] == ""
    assert "checked" not in field(stranger, "id_remember")


def recommend_button(comment) -> str:
    return f'<button name="comment" value="{comment.pk}"'


def test_a_reader_whose_reply_the_page_shows_sees_it_as_theirs_in_the_shared_page(
    django_assert_num_queries,
):
    article = ArticleFactory()
    theirs = CommentFactory(article=article, body="Their words.")
    other = CommentFactory(article=article, body="Someone else's words.")
    url = article.get_absolute_url()
    Client().get(url)  # someone fills the shared cache
    reader = sent_from(Client(), theirs)

    with django_assert_num_queries(2):  # the content versions; whether a reply of theirs is held
        own = reader.get(url)

    html = own.content.decode()
    edit_url = reverse("comments:edit", args=[article.slug, theirs.pk])
    assert f'<a class="me-1" href="{edit_url}" aria-label="Edit your reply">Edit</a>' in html
    assert html.count('aria-label="Delete your reply"') == 1
    assert recommend_button(theirs) not in html  # nobody recommends their own
    assert recommend_button(other) in html
    assert is_private(own)
    stranger = Client().get(url).content.decode()
    assert 'aria-label="Edit your reply"' not in stranger
    assert recommend_button(theirs) in stranger


def test_a_reader_whose_page_is_drawn_twice_is_counted_once_against_the_read_limit(
    settings,
):
    settings.NEWSROOM_PAGE_READ_RATE = "1/min"
    article = ArticleFactory()
    held = CommentFactory(article=article, body="Held for them.", status="pending")

    # No copy yet: the copy for everyone is drawn, then their own page.
    own = sent_from(Client(), held).get(article.get_absolute_url())

    assert own.status_code == 200
    assert "Held for them." in own.content.decode()


def test_a_reply_past_its_edit_window_shows_no_edit_links_in_the_shared_page(settings):
    settings.COMMENTS_EDIT_MINUTES = 15
    article = ArticleFactory()
    theirs = CommentFactory(article=article, created_at=timezone.now() - timedelta(minutes=16))
    url = article.get_absolute_url()
    Client().get(url)

    html = sent_from(Client(), theirs).get(url).content.decode()

    assert 'aria-label="Edit your reply"' not in html
    assert 'aria-label="Delete your reply"' not in html
    assert recommend_button(theirs) not in html


def test_a_returning_author_who_finds_no_copy_makes_one_that_shows_nothing_of_theirs(
    django_assert_num_queries,
):
    article = ArticleFactory()
    theirs = CommentFactory(article=article, body="Their words.")
    url = article.get_absolute_url()

    own = sent_from(Client(), theirs).get(url).content.decode()
    with django_assert_num_queries(1):  # the content versions: the copy they made
        stranger = Client().get(url).content.decode()

    assert 'aria-label="Edit your reply"' in own
    assert 'aria-label="Edit your reply"' not in stranger
    assert recommend_button(theirs) in stranger


def test_a_reader_with_a_message_gets_the_page_and_not_a_304(client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 1  # a closed discussion: a page with validators
    article = ArticleFactory(published_at=timezone.now() - timedelta(days=3))
    reply = CommentFactory(article=article)
    url = article.get_absolute_url()
    etag = Client().get(url)["ETag"]
    client.post(reverse("comments:report", args=[article.slug, reply.pk]), {"reason": "spam"})

    answer = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert answer.status_code == 200
    assert "A moderator will look at this reply." in answer.content.decode()
    assert is_private(answer)


def test_the_page_after_a_published_reply_is_made_once_for_everyone_with_the_message_for_them(
    client, settings, django_assert_num_queries
):
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()
    url = article.get_absolute_url()

    posted = client.post(post_url(article), form_data(article, body="Published at once."))
    after = client.get(posted["Location"])
    with django_assert_num_queries(1):  # the content versions: the page they were shown
        stranger = Client().get(url).content.decode()
    again = client.get(url).content.decode()

    html = after.content.decode()
    assert "Your reply is published." in html
    assert 'aria-label="Edit your reply"' in html
    assert is_private(after)
    assert not after.cookies["messages"].value  # shown once: the cookie goes
    assert "Published at once." in stranger
    assert "Your reply is published." not in stranger
    assert 'aria-label="Edit your reply"' not in stranger
    assert "Your reply is published." not in again
    assert 'aria-label="Edit your reply"' in again


def test_an_editors_pick_of_theirs_on_another_page_leaves_them_the_shared_page(
    settings, django_assert_num_queries
):
    settings.COMMENTS_PER_PAGE = 1
    article = ArticleFactory()
    CommentFactory(article=article, body="The first page.")
    theirs = CommentFactory(article=article, body="Picked, on page two.", picked_at=timezone.now())
    url = article.get_absolute_url()
    Client().get(url)  # the picks show on every page, drawn alike for everyone
    reader = sent_from(Client(), theirs)

    with django_assert_num_queries(2):
        html = reader.get(url).content.decode()

    assert "Picked, on page two." in html
    assert 'aria-label="Edit your reply"' not in html


def test_a_reader_with_a_reply_held_elsewhere_in_the_discussion_gets_a_page_of_their_own(
    settings,
):
    settings.COMMENTS_PER_PAGE = 1
    article = ArticleFactory()
    CommentFactory(article=article, body="The first page.")
    held = CommentFactory(article=article, body="Held, on a page of its own.", status="pending")
    url = article.get_absolute_url()
    Client().get(url)

    own = sent_from(Client(), held).get(url).content.decode()

    # Their held reply makes a second page that only they see.
    assert f"{url}?cpage=2" in own
    assert f"{url}?cpage=2" not in Client().get(url).content.decode()


def test_staff_previews_are_private(client):
    draft = ArticleFactory(status="draft", published_at=None)
    client.force_login(UserFactory(is_staff=True))

    preview = client.get(draft.get_absolute_url())

    assert preview.status_code == 200
    assert is_private(preview)


def test_the_moderation_api_is_never_stored(moderator_api):
    comment = CommentFactory(status="pending")

    listing = moderator_api.get("/api/v1/moderation/comments/")
    action = moderator_api.post(f"/api/v1/moderation/comments/{comment.pk}/approve/")

    for response in (listing, action):
        assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))


def test_reply_links_open_a_form_of_their_own():
    comment = CommentFactory(author_name="Bo")
    Client().get(comment.article.get_absolute_url())

    html = (
        Client().get(f"{comment.article.get_absolute_url()}?replytocom={comment.pk}").content
    ).decode()

    assert "Replying to" in html


def test_a_hidden_moderation_changes_no_public_validator(settings):
    article = ArticleFactory()
    CommentFactory(article=article)
    url = f"/api/v1/articles/{article.slug}/comments/"
    before = Client().get(url)
    held = CommentFactory(article=article, status="pending")

    for action in ("spam", "remove", "restore"):
        superuser().post(f"/api/v1/moderation/comments/{held.pk}/{action}/")
        after = Client().get(url)
        assert (after["ETag"], after["Last-Modified"]) == (before["ETag"], before["Last-Modified"])
        assert after.content == before.content

    assert Comment.objects.get(pk=held.pk).status == "pending"
