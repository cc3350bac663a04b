import re
import time
import xml.etree.ElementTree as ET

import pytest
from django.core import signing

from comments.cookies import OWN_COOKIE, REMEMBER_COOKIE
from comments.forms import sign_form_timestamp
from comments.models import Comment
from tests.comments.helpers import form_data, post_url
from tests.factories import ArticleFactory, CommentFactory, yesterday
from tests.html import elements

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _policy(settings):
    settings.COMMENTS_MODERATION = "first"


def page_text(response) -> str:
    return response.content.decode()


def by_id(html: str, element_id: str) -> tuple[str, dict]:
    return next((tag, attrs) for tag, attrs in elements(html) if attrs.get("id") == element_id)


def test_form_has_the_contract_fields_and_says_email_is_never_shown(client):
    article = ArticleFactory()

    html = page_text(client.get(article.get_absolute_url()))

    form_html = html[html.index('<section id="respond"') :]
    names = {
        attrs.get("name") for tag, attrs in elements(form_html) if tag in {"input", "textarea"}
    }
    assert {"name", "email", "url", "body", "parent", "remember", "notify"} <= names
    assert "Leave a Reply" in form_html
    assert "Your e-mail address is never shown." in form_html
    for field in ("name", "email", "body"):
        assert "required" in by_id(html, f"id_{field}")[1]
        assert re.search(
            rf'for="id_{field}"[^>]*>\s*\w[^<]*<span class="asteriskField">\*</span>', html
        )
    assert "required" not in by_id(html, "id_url")[1]
    # The honeypot is out of sight, out of the tab order and hidden from screen readers.
    assert re.search(r'<div\s+class="hp-field"\s+aria-hidden="true">', html)
    assert by_id(html, "id_homepage")[1]["tabindex"] == "-1"


def test_approved_comments_are_threaded_oldest_first(client):
    article = ArticleFactory()
    first = CommentFactory(article=article, body="First!")
    second = CommentFactory(article=article, body="Second.")
    reply = CommentFactory(parent=first, body="A reply to the first.")
    CommentFactory(article=article, status="pending", body="Not yet.")
    CommentFactory(article=article, status="spam", body="Buy now.")

    response = client.get(article.get_absolute_url())
    html = page_text(response)

    ids = re.findall(r'<li id="comment-(\d+)"', html)
    assert ids == [str(first.pk), str(reply.pk), str(second.pk)]
    assert "3 replies" in html
    assert "Not yet." not in html
    assert "Buy now." not in html
    # The reply is nested inside the first comment's list item.
    first_item = html[
        html.index(f'id="comment-{first.pk}"') : html.index(f'id="comment-{second.pk}"')
    ]
    assert '<ol class="children list-unstyled">' in first_item
    assert f'id="comment-{reply.pk}"' in first_item


def test_comment_shows_author_link_date_permalink_and_reply_link(client):
    comment = CommentFactory(author_name="Bo", author_url="https://bo.example.org/")

    html = page_text(client.get(comment.article.get_absolute_url()))

    assert '<a href="https://bo.example.org/" rel="nofollow ugc noopener">Bo</a>' in html
    assert f'href="#comment-{comment.pk}"><time datetime="{comment.created_at.isoformat()}' in html
    assert f'href="?replytocom={comment.pk}#respond"' in html


def test_reply_link_sets_the_parent_without_javascript(client):
    comment = CommentFactory(author_name="Bo")

    response = client.get(f"{comment.article.get_absolute_url()}?replytocom={comment.pk}")
    html = page_text(response)

    assert by_id(html, "id_parent")[1]["value"] == str(comment.pk)
    assert f'Replying to <a href="#comment-{comment.pk}">Bo</a>' in html
    assert f'href="{comment.article.get_absolute_url()}#respond">Cancel reply</a>' in html


@pytest.mark.parametrize("target", ["pending", "other-article", "abc", "-1"])
def test_reply_link_to_unavailable_comment_is_ignored(client, target):
    article = ArticleFactory()
    value = {
        "pending": lambda: CommentFactory(article=article, status="pending").pk,
        "other-article": lambda: CommentFactory().pk,
    }.get(target, lambda: target)()

    html = page_text(client.get(f"{article.get_absolute_url()}?replytocom={value}"))

    assert "value" not in by_id(html, "id_parent")[1]
    assert "Replying to" not in html


def test_approved_reply_redirects_303_to_its_anchor(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()

    response = client.post(post_url(article), form_data(article))

    comment = Comment.objects.get()
    assert comment.status == "approved"
    assert response.status_code == 303
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    page = client.get(response["Location"])
    assert "Your reply is published." in page_text(page)
    assert f'id="comment-{comment.pk}"' in page_text(page)
    # The browser remembers its own comment (see the returning-author tests).
    assert OWN_COOKIE in response.cookies


def test_pending_reply_is_shown_to_its_author_only(client, settings):
    article = ArticleFactory()

    response = client.post(post_url(article), form_data(article, body="Awaiting my turn."))

    comment = Comment.objects.get()
    assert comment.status == "pending"
    assert response.status_code == 303
    mine = page_text(client.get(response["Location"]))
    assert "Your reply is awaiting moderation" in mine
    assert "Awaiting my turn." in mine
    assert "Awaiting moderation</span>" in mine

    from django.test import Client

    stranger = page_text(Client().get(article.get_absolute_url()))
    assert "Awaiting my turn." not in stranger

    # A forged cookie naming someone else's pending comment shows nothing.
    forger = Client()
    forger.cookies[OWN_COOKIE] = f"{comment.pk}:forged"
    assert "Awaiting my turn." not in page_text(forger.get(article.get_absolute_url()))


def test_returning_author_is_recognised_by_browser_not_by_address(client, settings):
    settings.COMMENTS_MODERATION = "first"
    article = ArticleFactory()
    client.post(post_url(article), form_data(article, body="My first reply."))
    first = Comment.objects.get()
    assert first.status == "pending"
    first.status, first.moderated_at = "approved", first.created_at
    first.save()

    client.post(post_url(article), form_data(article, body="My second reply."))
    assert Comment.objects.get(body="My second reply.").status == "approved"

    # Someone else who knows (or guesses) the address gets no such trust.
    from django.test import Client

    impostor = Client()
    impostor.post(post_url(article), form_data(article, body="Pretending to be Ada."))
    assert Comment.objects.get(body="Pretending to be Ada.").status == "pending"


def test_duplicate_refusal_tells_nothing_about_other_peoples_addresses(client, settings):
    settings.COMMENTS_MODERATION = "all"
    article = ArticleFactory()
    CommentFactory(article=article, author_email="victim@example.org", body="Public words.")
    from django.test import Client

    prober = Client(REMOTE_ADDR="192.0.2.200")
    response = prober.post(
        post_url(article), form_data(article, email="victim@example.org", body="Public words.")
    )

    # Same answer as for any address: held for a moderator, not "you already sent this".
    assert response.status_code == 303
    assert "awaiting moderation" in page_text(prober.get(response["Location"]))


def test_author_no_longer_sees_own_comment_once_removed(client):
    article = ArticleFactory()
    client.post(post_url(article), form_data(article, body="Soon removed."))
    Comment.objects.update(status="removed")

    assert "Soon removed." not in page_text(client.get(article.get_absolute_url()))


def test_remember_sets_a_cookie_that_prefills_the_form(client):
    article = ArticleFactory()

    response = client.post(
        post_url(article), form_data(article, remember="on", url="https://ada.example.org")
    )

    assert REMEMBER_COOKIE in response.cookies
    assert response.cookies[REMEMBER_COOKIE]["httponly"]
    html = page_text(client.get(ArticleFactory().get_absolute_url()))
    assert by_id(html, "id_name")[1]["value"] == "Ada Lovelace"
    assert by_id(html, "id_email")[1]["value"] == "ada@example.org"
    assert by_id(html, "id_url")[1]["value"] == "https://ada.example.org"
    assert "checked" in by_id(html, "id_remember")[1]


def test_without_remember_no_cookie_is_set_and_an_old_one_is_deleted(client):
    article = ArticleFactory()

    first = client.post(post_url(article), form_data(article))
    assert first.cookies.get(REMEMBER_COOKIE) is None or first.cookies[REMEMBER_COOKIE].value == ""

    client.post(post_url(article), form_data(article, body="Again, remembered.", remember="on"))
    forgotten = client.post(post_url(article), form_data(article, body="Forget me."))
    assert forgotten.cookies[REMEMBER_COOKIE].value == ""
    html = page_text(client.get(article.get_absolute_url()))
    assert by_id(html, "id_email")[1].get("value", "") == ""
    assert "checked" not in by_id(html, "id_remember")[1]


def test_tampered_remember_cookie_is_ignored(client):
    client.cookies[REMEMBER_COOKIE] = '{"name": "Mallory", "email": "m@example.org"}'

    html = page_text(client.get(ArticleFactory().get_absolute_url()))

    assert by_id(html, "id_name")[1].get("value", "") == ""
    assert "checked" not in by_id(html, "id_remember")[1]


def test_missing_email_comes_back_400_with_the_text_kept(client):
    article = ArticleFactory()

    response = client.post(
        post_url(article), form_data(article, email="", body="My long, careful reply.")
    )

    html = page_text(response)
    assert response.status_code == 400
    assert "My long, careful reply.</textarea>" in html
    assert by_id(html, "id_name")[1]["value"] == "Ada Lovelace"
    email = by_id(html, "id_email")[1]
    assert email["aria-invalid"] == "true"
    assert "id_email_error" in email["aria-describedby"].split()
    error_html = html[html.index('id="id_email_error"') :]
    assert "This field is required." in error_html[:200]
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-address", "Enter a valid email address."),
        ("url", "javascript:alert(1)", "Enter a valid URL."),
        ("url", "ftp://files.example.org/x", "starting with http:// or https://"),
        ("name", "Ada\x00", "Null characters are not allowed."),
        ("name", "Ada\u202eecilA", "invisible formatting"),
        ("body", "   \n\t  ", "This field is required."),
        ("body", "x" * 5001, "Ensure this value has at most 5000 characters"),
        ("body", "bell\x07", "control characters"),
        ("name", "x" * 101, "at most 100 characters"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_saved(client, field, value, message):
    article = ArticleFactory()

    response = client.post(post_url(article), form_data(article, **{field: value}))

    assert response.status_code == 400
    assert message in response.context["comment_form"].errors[field][0]
    assert message.split(".")[0] in page_text(response)
    assert not Comment.objects.exists()


def test_reply_to_unavailable_parent_keeps_the_text(client):
    article = ArticleFactory()
    gone = CommentFactory(article=article, status="removed")

    response = client.post(
        post_url(article), form_data(article, parent=str(gone.pk), body="Still worth saying.")
    )

    html = page_text(response)
    assert response.status_code == 400
    assert "The comment you are replying to is not available." in html
    assert "Still worth saying.</textarea>" in html


@pytest.mark.parametrize(
    ("timestamp", "message"),
    [
        ("tampered", "We could not verify this form."),
        ("old", "This form was open for a long time"),
        ("other-article", "We could not verify this form."),
    ],
)
def test_stale_or_tampered_form_is_refused_with_the_text_kept(client, timestamp, message):
    article = ArticleFactory()
    value = {
        "tampered": sign_form_timestamp(article.pk)[:-3] + "abc",
        "old": sign_form_timestamp(article.pk, time.time() - 7 * 3600),
        "other-article": sign_form_timestamp(article.pk + 1, time.time() - 60),
    }[timestamp]

    response = client.post(
        post_url(article), form_data(article, timestamp=value, body="Keep this text.")
    )

    html = page_text(response)
    assert response.status_code == 400
    assert message in html
    assert "Keep this text.</textarea>" in html
    assert not Comment.objects.exists()
    # The form comes back with a fresh timestamp, so sending it again works.
    fresh = by_id(html, "id_timestamp")[1]["value"]
    assert signing.loads(fresh, salt="comments.reply-form")["a"] == article.pk


def test_too_fast_form_is_held_not_lost(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()

    client.post(post_url(article), form_data(article, timestamp=sign_form_timestamp(article.pk)))

    comment = Comment.objects.get()
    assert comment.status == "pending"
    assert [r["rule"] for r in comment.moderation_reasons] == ["too-fast"]


def test_honeypot_reply_is_kept_as_spam_and_the_sender_told_it_awaits_moderation(client):
    article = ArticleFactory()

    response = client.post(post_url(article), form_data(article, homepage="http://spam.example"))

    assert Comment.objects.get().status == "spam"
    assert "awaiting moderation" in page_text(client.get(response["Location"]))


def test_duplicate_is_refused_and_the_reader_told_why(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()
    client.post(post_url(article), form_data(article, body="Same."))

    response = client.post(post_url(article), form_data(article, body="Same."))

    assert response.status_code == 400
    assert "You have already sent this reply" in page_text(response)
    assert Comment.objects.count() == 1


def test_flood_is_refused_with_429(client, settings, django_capture_on_commit_callbacks):
    settings.COMMENTS_FLOOD_LIMIT = 2
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()

    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(post_url(article), form_data(article, body=f"n{n}"))
        assert response.status_code == 303
    response = client.post(post_url(article), form_data(article, body="one too many"))

    assert response.status_code == 429
    assert "You are posting faster than we allow." in page_text(response)
    assert "one too many</textarea>" in page_text(response)


@pytest.mark.parametrize("changes", [{"allow_comments": False}, {"comments_close_at": "yesterday"}])
def test_closed_article_replaces_the_form_and_refuses_posts(client, changes):
    if changes.get("comments_close_at"):
        changes["comments_close_at"] = yesterday()
    article = ArticleFactory(**changes)
    CommentFactory(article=article, body="From before closing.")

    page = page_text(client.get(article.get_absolute_url()))
    response = client.post(post_url(article), form_data(article, body="Too late, sadly."))

    assert "Comments are closed for this article." in page
    assert 'id="commentform"' not in page
    assert "From before closing." in page
    assert "replytocom" not in page
    assert response.status_code == 403
    assert "Comments are closed for this article." in page_text(response)
    assert "Too late, sadly.</textarea>" in page_text(response)
    assert Comment.objects.count() == 1


def test_posting_to_a_draft_is_404(client):
    article = ArticleFactory(status="draft", published_at=None)

    assert client.post(post_url(article), form_data(article)).status_code == 404


def test_get_on_the_post_address_leads_to_the_form(client):
    article = ArticleFactory()

    response = client.get(post_url(article))

    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#respond"


def test_top_level_threads_paginate_and_permalinks_find_their_page(client, settings):
    settings.COMMENTS_PER_PAGE = 2
    article = ArticleFactory()
    threads = [CommentFactory(article=article, body=f"Thread {n}") for n in range(5)]
    late_reply = CommentFactory(parent=threads[0], body="Late reply on page one")

    first = page_text(client.get(article.get_absolute_url()))
    third = page_text(client.get(f"{article.get_absolute_url()}?cpage=3"))

    assert "Thread 0" in first
    assert "Thread 1" in first
    assert "Late reply on page one" in first
    assert "Thread 2" not in first
    assert "Thread 4" in third
    assert "Thread 0" not in third
    assert "6 replies" in third
    assert 'href="?cpage=3#comment-' in third

    to_last = client.get(threads[4].get_absolute_url())
    to_first = client.get(late_reply.get_absolute_url())
    assert to_last["Location"] == f"{article.get_absolute_url()}?cpage=3#comment-{threads[4].pk}"
    assert to_first["Location"] == f"{article.get_absolute_url()}#comment-{late_reply.pk}"


def test_new_reply_on_a_later_page_redirects_there(client, settings):
    settings.COMMENTS_PER_PAGE = 1
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()
    CommentFactory(article=article)

    response = client.post(post_url(article), form_data(article))

    comment = Comment.objects.latest("id")
    assert response["Location"] == f"{article.get_absolute_url()}?cpage=2#comment-{comment.pk}"


def test_permalink_to_hidden_comment_is_404(client):
    pending = CommentFactory(status="pending")

    response = client.get(pending.get_absolute_url())

    assert response.status_code == 404
    assert b"This comment is not available" in response.content


def test_removed_comment_with_approved_replies_becomes_a_placeholder(client):
    article = ArticleFactory()
    removed = CommentFactory(
        article=article, status="removed", author_name="Troll", body="Rude words"
    )
    reply = CommentFactory(parent=removed, body="A calm answer.")
    CommentFactory(article=article, status="spam", body="Lonely spam")
    spam_parent = CommentFactory(article=article, status="spam", body="Spam with spam reply")
    CommentFactory(parent=spam_parent, status="spam", body="Spam reply")

    html = page_text(client.get(article.get_absolute_url()))

    assert "This comment is no longer available." in html
    assert html.count("This comment is no longer available.") == 1
    assert "Rude words" not in html
    assert "Troll" not in html
    assert "A calm answer." in html
    assert "Lonely spam" not in html
    assert "Spam with spam reply" not in html
    assert f'id="comment-{removed.pk}"' in html
    assert f'id="comment-{reply.pk}"' in html
    assert f"replytocom={removed.pk}" not in html
    assert "1 reply" in html


def test_private_fields_never_appear_on_the_article_page(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()
    secrets = CommentFactory(
        article=article,
        author_email="secret.person@example.org",
        ip_address="203.0.113.77",
        user_agent="SecretAgent/9.9",
    )
    CommentFactory(parent=secrets, author_email="other.secret@example.org")
    client.post(
        post_url(article),
        form_data(article, email="poster.secret@example.org", remember="on"),
        HTTP_USER_AGENT="PosterAgent/1.0",
        REMOTE_ADDR="192.0.2.55",
    )

    from django.test import Client

    for reader in (Client(), client):
        html = page_text(reader.get(article.get_absolute_url()))
        for secret in (
            "secret.person@",
            "other.secret@",
            "203.0.113.77",
            "SecretAgent",
            "192.0.2.55",
            "PosterAgent",
        ):
            assert secret not in html
    # Only the poster's own form is prefilled with the address they typed themselves.
    assert "poster.secret@example.org" not in page_text(Client().get(article.get_absolute_url()))


@pytest.mark.parametrize("count", [10, 500])
def test_article_page_queries_do_not_grow_with_comments(
    client, django_assert_num_queries, settings, count
):
    settings.NEWSROOM_SHARED_CACHE = False  # measure the work behind a cache miss
    article = ArticleFactory()
    roots = CommentFactory.create_batch(count // 2, article=article)
    for root in roots:
        CommentFactory(parent=root)

    # Content versions, article, tags, navigation, the discussion's shape, and the
    # comments on the page.
    with django_assert_num_queries(6):
        response = client.get(article.get_absolute_url())

    assert response.context["thread"].count == count


def test_comment_feeds_list_only_approved_comments_of_public_articles(client):
    article = ArticleFactory(title="Open")
    approved = CommentFactory(
        article=article, body="Visible reply", author_email="feed.secret@example.org"
    )
    CommentFactory(article=article, status="pending", body="Pending reply")
    CommentFactory(article=ArticleFactory(status="draft", published_at=None), body="On a draft")

    for path in ("/feeds/comments/", f"{article.get_absolute_url()}comments/feed/"):
        response = client.get(path)
        assert response.status_code == 200
        root = ET.fromstring(response.content)  # noqa: S314 (our own output)
        items = root.findall("./channel/item")
        assert [item.findtext("link") for item in items] == [
            f"http://testserver{approved.get_absolute_url()}"
        ]
        assert b"feed.secret" not in response.content
        assert b"Pending reply" not in response.content
        assert b"On a draft" not in response.content
