"""A reader's own reply after it is sent: edit or delete it within
COMMENTS_EDIT_MINUTES, from the browser that sent it (the form) or with the
edit token (the API); re-moderated like a new reply; "edited" for readers."""

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import services
from comments.cookies import OWN_COOKIE
from comments.models import BlockedTerm, Comment, Revision
from comments.rendering import OWN_REPLY
from tests.comments.helpers import form_data, post_url, sent_from
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

NEW_TEXT = "A better reply, with a figure corrected."
THREE_LINKS = "Sources: https://a.example/1 https://b.example/2 https://c.example/3"


def edit_url(comment):
    return f"{comment.article.get_absolute_url()}comments/{comment.pk}/edit/"


def delete_url(comment):
    return f"{comment.article.get_absolute_url()}comments/{comment.pk}/delete/"


def page(client, article):
    return client.get(article.get_absolute_url()).content.decode()


def back_in_time(comment, minutes):
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


@pytest.fixture
def published(settings):
    settings.COMMENTS_MODERATION = "none"
    return CommentFactory(body="The first figure was 12 %.")


# --- The form ------------------------------------------------------------------


def test_the_author_sees_edit_and_delete_links_and_nobody_else_does(client, published):
    mine = page(sent_from(client, published), published.article)
    theirs = page(type(client)(), published.article)

    assert f'href="{edit_url(published)}"' in mine
    assert f'href="{delete_url(published)}"' in mine
    assert edit_url(published) not in theirs
    assert delete_url(published) not in theirs


def test_a_reply_posted_through_the_form_can_be_edited_from_that_browser(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()
    client.post(post_url(article), form_data(article, body="Fist draft."))
    comment = Comment.objects.get()

    form = client.get(edit_url(comment))
    response = client.post(edit_url(comment), {"body": "First draft."})

    assert form.status_code == 200
    assert "Fist draft." in form.content.decode()
    assert form["Cache-Control"] == "private, no-store"
    assert response.status_code == 303
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.body_html == "<p>First draft.</p>"
    assert comment.edited_at is not None
    html = page(client, article)
    assert "Your edit is published." in html
    assert "(edited <time" in html


def test_readers_see_the_new_text_and_edited_at_the_next_read(client, published):
    reader = type(client)()
    article = published.article
    listing = f"/api/v1/articles/{article.slug}/comments/"
    assert "12 %" in page(reader, article)  # copies are now kept for everyone
    etag = reader.get(listing)["ETag"]

    sent_from(client, published).post(edit_url(published), {"body": "The first figure was 21 %."})

    html = page(reader, article)
    assert "21 %" in html
    assert "12 %" not in html  # earlier versions are for moderators only
    assert "(edited <time" in html
    again = reader.get(listing, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    (item,) = again.json()["results"]
    assert item["body_html"] == "<p>The first figure was 21 %.</p>"
    assert item["edited_at"] is not None
    feed = reader.get("/feeds/comments/").content.decode()
    assert "21 %" in feed
    assert "12 %" not in feed
    assert "(edited " in feed


def test_an_edit_is_kept_as_a_version_and_recorded(client, published):
    sent_from(client, published).post(edit_url(published), {"body": NEW_TEXT})

    (earlier,) = published.revisions.all()
    assert (earlier.state, earlier.body, earlier.changed_by) == (
        Revision.State.EARLIER,
        "The first figure was 12 %.",
        None,
    )
    event = published.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("approved", "approved", None)
    assert event.note == "Edited by its author."


def test_another_browser_cannot_edit_or_delete_and_is_told_why(client, published):
    stranger = type(client)()

    edit = stranger.post(edit_url(published), {"body": "Hijacked."})
    delete = stranger.post(delete_url(published))
    forged = client
    forged.cookies[OWN_COOKIE] = f"{published.pk}:forged-signature"
    forged_edit = forged.post(edit_url(published), {"body": "Hijacked."})

    for response in (edit, delete, forged_edit):
        assert response.status_code == 403
        assert "only from the browser it was sent from" in response.content.decode()
    assert "Hijacked." in edit.content.decode()  # what they typed is given back
    published.refresh_from_db()
    assert (published.status, published.body) == ("approved", "The first figure was 12 %.")
    assert not published.revisions.exists()


def test_strangers_learn_nothing_of_the_window(client, published):
    fresh = type(client)().get(edit_url(published))
    back_in_time(published, 60)
    old = type(client)().get(edit_url(published))

    assert fresh.status_code == old.status_code == 403
    assert fresh.content == old.content


def test_after_the_window_the_links_go_and_the_pages_say_why(client, published, settings):
    sent_from(client, published)
    back_in_time(published, settings.COMMENTS_EDIT_MINUTES + 1)

    html = page(client, published.article)
    edit = client.post(edit_url(published), {"body": NEW_TEXT})
    delete = client.post(delete_url(published))

    assert edit_url(published) not in html
    assert delete_url(published) not in html
    for response in (edit, delete):
        assert response.status_code == 403
        assert "for 15 minutes after it is sent" in response.content.decode()
    assert NEW_TEXT in edit.content.decode()
    published.refresh_from_db()
    assert published.status == "approved"
    assert published.edited_at is None


def test_a_window_of_zero_turns_editing_off(client, published, settings):
    settings.COMMENTS_EDIT_MINUTES = 0
    sent_from(client, published)

    html = page(client, published.article)
    response = client.get(edit_url(published))

    assert edit_url(published) not in html
    assert response.status_code == 403
    assert "cannot be changed once they are sent" in response.content.decode()


def test_an_edit_with_too_many_links_waits_beside_the_published_text(client, published):
    response = sent_from(client, published).post(edit_url(published), {"body": THREE_LINKS})

    assert response.status_code == 303
    published.refresh_from_db()
    assert published.body == "The first figure was 12 %."
    assert published.edited_at is None
    (held,) = published.revisions.all()
    assert (held.state, held.body) == (Revision.State.HELD, THREE_LINKS)
    assert held.reasons[0]["rule"] == "too-many-links"
    html = page(client, published.article)
    assert "Your edit is awaiting moderation" in html
    assert "a.example" not in page(type(client)(), published.article)
    # The author's edit page starts from the text that waits, and says so.
    form = client.get(edit_url(published)).content.decode()
    assert "Your last edit is awaiting moderation" in form
    assert "https://c.example/3" in form


def test_a_later_edit_replaces_the_one_that_waits(client, published):
    sent_from(client, published).post(edit_url(published), {"body": THREE_LINKS})
    client.post(edit_url(published), {"body": NEW_TEXT})

    states = sorted(published.revisions.values_list("state", flat=True))
    assert states == [Revision.State.EARLIER, Revision.State.WITHDRAWN]
    published.refresh_from_db()
    assert published.body == NEW_TEXT


def test_a_moderator_approves_or_declines_the_edit_that_waits(client, published, moderator):
    sent_from(client, published).post(edit_url(published), {"body": THREE_LINKS})
    edit = services.held_edit(published)

    assert services.decide_edit(published, edit.pk, approve=True, actor=moderator)

    published.refresh_from_db()
    assert published.body == THREE_LINKS
    assert published.edited_at is not None
    assert "c.example/3" in page(type(client)(), published.article)
    assert published.events.last().actor == moderator
    edit.refresh_from_db()
    assert (edit.state, edit.changed_by) == (Revision.State.APPROVED, moderator)
    assert not services.decide_edit(published, edit.pk, approve=False, actor=moderator)


def test_a_moderator_decides_the_edit_they_read_not_a_later_one(client, published, moderator):
    sent_from(client, published).post(edit_url(published), {"body": THREE_LINKS})
    read = services.held_edit(published)
    client.post(edit_url(published), {"body": f"{THREE_LINKS} https://evil.example/"})

    assert not services.decide_edit(published, read.pk, approve=True, actor=moderator)

    published.refresh_from_db()
    assert published.body == "The first figure was 12 %."
    assert "evil.example" in services.held_edit(published).body  # still waits


def test_an_edit_that_adds_a_link_to_a_new_site_waits(client, published, settings):
    settings.COMMENTS_MODERATION = "first"
    sent_from(client, published).post(
        edit_url(published), {"body": "The figure was 12 %: see https://shop.example/deal"}
    )

    published.refresh_from_db()
    assert published.body == "The first figure was 12 %."
    held = services.held_edit(published)
    assert held.reasons == [
        {
            "rule": "edit-adds-links",
            "verdict": "hold",
            "detail": "The edit adds links to shop.example.",
        }
    ]


def test_approving_a_reply_its_author_rewrote_after_it_was_read_is_refused(client, moderator):
    pending = CommentFactory(status="pending", body="Benign text.")
    read = pending.fingerprint
    sent_from(client, pending).post(edit_url(pending), {"body": "BUY PILLS"})

    with pytest.raises(services.TextChanged):
        services.set_status(pending, "approved", actor=moderator, seen=read)

    assert Comment.objects.get(pk=pending.pk).status == "pending"
    client.force_login(moderator)
    decide = reverse("admin:comments_comment_decide", args=[pending.pk, "approve"])
    response = client.post(f"{decide}?seen={read}", follow=True)
    assert "changed this reply after you opened it" in response.content.decode()
    bulk = client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "mark_approved", "_selected_action": [pending.pk], f"seen-{pending.pk}": read},
        follow=True,
    )
    assert "0 comments approved." in bulk.content.decode()
    assert Comment.objects.get(pk=pending.pk).status == "pending"


def test_a_moderators_save_does_not_undo_an_authors_later_edit(client, published, moderator):
    client.force_login(moderator)
    url = reverse("admin:comments_comment_change", args=[published.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    for inline in ("events", "revisions"):
        data.update({f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0"})
    sent_from(type(client)(), published).post(edit_url(published), {"body": NEW_TEXT})

    response = client.post(url, data)

    assert response.status_code == 200
    assert "changed this reply while you had it open" in response.content.decode()
    published.refresh_from_db()
    assert published.body == NEW_TEXT


def test_an_edit_that_turns_a_reply_into_spam_changes_nothing_readers_see(client, published):
    BlockedTerm.objects.create(kind="word", value="casino", action="spam")
    services.blocklist_changed()

    response = sent_from(client, published).post(edit_url(published), {"body": "Best casino bonus"})

    assert response.status_code == 303
    published.refresh_from_db()
    assert (published.status, published.body) == ("approved", "The first figure was 12 %.")
    (declined,) = published.revisions.all()
    assert declined.state == Revision.State.DECLINED
    assert declined.reasons[0]["rule"] == "blocklist"
    # Told what a held edit is told: a spammer learns nothing.
    assert "Your edit is awaiting moderation" in page(client, published.article)


def test_a_pending_reply_takes_the_new_text_and_still_waits(client):
    pending = CommentFactory(status="pending")

    sent_from(client, pending).post(edit_url(pending), {"body": NEW_TEXT})

    pending.refresh_from_db()
    assert (pending.status, pending.body, pending.edited_at) == ("pending", NEW_TEXT, None)
    assert "Your edit is saved. Your reply is awaiting moderation." in page(client, pending.article)


def test_a_pending_reply_edited_into_spam_moves_to_spam(client):
    BlockedTerm.objects.create(kind="word", value="casino", action="spam")
    services.blocklist_changed()
    pending = CommentFactory(status="pending")

    sent_from(client, pending).post(edit_url(pending), {"body": "Best casino bonus"})

    pending.refresh_from_db()
    assert pending.status == "spam"
    assert pending.moderation_reasons[0]["rule"] == "blocklist"


def test_a_removed_reply_cannot_be_changed(client):
    removed = CommentFactory(status="removed")

    response = sent_from(client, removed).post(edit_url(removed), {"body": NEW_TEXT})

    assert response.status_code == 403
    assert "A moderator has removed this reply" in response.content.decode()
    removed.refresh_from_db()
    assert removed.body != NEW_TEXT


def test_an_edit_that_changes_nothing_is_an_error_on_the_form(client, published):
    response = sent_from(client, published).post(edit_url(published), {"body": published.body})

    assert response.status_code == 400
    assert "This is the text your reply already has." in response.content.decode()
    assert not published.revisions.exists()


def test_an_empty_edit_keeps_the_form_and_changes_nothing(client, published):
    response = sent_from(client, published).post(edit_url(published), {"body": ""})

    assert response.status_code == 400
    assert "Your changes were not saved yet" in response.content.decode()
    published.refresh_from_db()
    assert published.body == "The first figure was 12 %."


def test_the_edit_page_previews_without_saving(client, published):
    response = sent_from(client, published).post(
        edit_url(published), {"body": "See https://example.org", "preview": "Preview"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: your changes are not saved yet" in html
    assert 'href="https://example.org" rel="nofollow ugc noopener"' in html
    published.refresh_from_db()
    assert published.body == "The first figure was 12 %."


def test_edits_count_against_the_flood_limit(client, published, settings, counter_clock):
    settings.COMMENTS_FLOOD_LIMIT = 2
    sent_from(client, published)

    answers = [
        client.post(edit_url(published), {"body": f"Version {n}."}).status_code for n in range(3)
    ]

    assert answers == [303, 303, 429]
    published.refresh_from_db()
    assert published.body == "Version 1."


def test_deleting_a_reply_with_an_approved_answer_leaves_a_placeholder(client, published):
    answer = CommentFactory(parent=published, body="An answer that stays.")
    sent_from(client, published)

    confirm = client.get(delete_url(published))
    response = client.post(delete_url(published))

    assert confirm.status_code == 200
    assert "Delete your reply?" in confirm.content.decode()
    assert response.status_code == 303
    published.refresh_from_db()
    assert published.status == Comment.Status.DELETED
    assert published.events.last().note == "Deleted by its author."
    html = page(type(client)(), published.article)
    assert "This reply was deleted by its author." in html
    assert "12 %" not in html
    assert "An answer that stays." in html
    listed = client.get(f"/api/v1/articles/{published.article.slug}/comments/").json()
    assert [item["id"] for item in listed["results"]] == [answer.pk]
    assert "Your reply is deleted." in page(client, published.article)


def test_a_deleted_reply_without_answers_is_gone_and_stays_gone(client, published, moderator):
    sent_from(client, published).post(delete_url(published))

    assert f'id="comment-{published.pk}"' not in page(type(client)(), published.article)
    again = client.post(edit_url(published), {"body": NEW_TEXT})
    assert again.status_code == 403
    assert "You have deleted this reply." in again.content.decode()
    # Moderators cannot publish what its author withdrew, nor pose as its author.
    with pytest.raises(services.AuthorDeleted):
        services.set_status(published, "approved", actor=moderator)
    assert Comment.objects.get(pk=published.pk).status == "deleted"
    other = CommentFactory()
    with pytest.raises(services.CannotDecide):
        services.set_status(other, "deleted", actor=moderator)


def test_the_author_may_delete_a_reply_that_waits(client):
    pending = CommentFactory(status="pending")

    sent_from(client, pending).post(delete_url(pending))

    pending.refresh_from_db()
    assert pending.status == "deleted"
    assert "Awaiting moderation" not in page(client, pending.article)


# --- The API ---------------------------------------------------------------------


def comments_url(article):
    return f"/api/v1/articles/{article.slug}/comments/"


def detail_url(comment_id):
    return f"/api/v1/comments/{comment_id}/"


def post_through_the_api(api, body):
    """The answer to a new comment's POST, under a new article."""
    return api.post(
        comments_url(ArticleFactory()),
        {"name": "Ada", "email": "ada@example.org", "body": body},
        format="json",
    ).json()


@pytest.fixture
def posted(api, settings):
    """A comment posted through the API, published, and the answer to its post."""
    settings.COMMENTS_MODERATION = "none"
    answer = post_through_the_api(api, "Fist draft.")
    return Comment.objects.get(pk=answer["id"]), answer


def edit_through_the_api(api, posted, body):
    comment, answer = posted
    return api.patch(
        detail_url(comment.pk),
        {"body": body},
        format="json",
        HTTP_X_EDIT_TOKEN=answer["edit_token"],
    )


def test_the_edit_token_is_given_once_and_stored_only_as_a_digest(api, posted):
    comment, answer = posted
    token = answer["edit_token"]

    assert len(token) >= 40
    assert answer["editable_until"] == (
        comment.created_at + timedelta(minutes=15)
    ).isoformat().replace("+00:00", "Z")
    assert comment.edit_token_digest
    assert token not in comment.edit_token_digest
    for url in (detail_url(comment.pk), comments_url(comment.article), "/api/v1/comments/"):
        assert token not in api.get(url).content.decode()
    assert token not in api.get(comment.article.get_absolute_url()).content.decode()
    assert token not in api.get("/feeds/comments/").content.decode()
    edited = edit_through_the_api(api, posted, "First draft.")
    assert "edit_token" not in edited.json()
    assert token not in edited.content.decode()


def test_the_author_edits_through_the_api(api, posted):
    comment, _ = posted

    response = edit_through_the_api(api, posted, "First draft.")

    assert response.status_code == 200
    data = response.json()
    assert (data["body_html"], data["status"], data["edit"]) == (
        "<p>First draft.</p>",
        "approved",
        "published",
    )
    assert data["edited_at"] is not None
    assert "private" in response["Cache-Control"]
    assert api.get(detail_url(comment.pk)).json()["edited_at"] == data["edited_at"]


def test_an_edit_the_rules_hold_is_pending_and_readers_keep_the_old_text(api, posted):
    comment, _ = posted

    response = edit_through_the_api(api, posted, THREE_LINKS)

    data = response.json()
    assert (response.status_code, data["edit"], data["body_html"]) == (
        200,
        "pending",
        "<p>Fist draft.</p>",
    )
    assert "awaiting moderation" in data["message"]
    assert api.get(detail_url(comment.pk)).json()["body_html"] == "<p>Fist draft.</p>"


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_X_EDIT_TOKEN": "forged"}, {"HTTP_X_EDIT_TOKEN": "x" * 10_000}],
    ids=["no token", "forged", "huge"],
)
def test_without_the_right_token_the_api_answers_403_and_changes_nothing(api, posted, headers):
    comment, _ = posted

    edit = api.patch(detail_url(comment.pk), {"body": "Hijacked."}, format="json", **headers)
    delete = api.delete(detail_url(comment.pk), **headers)
    missing = api.patch(detail_url(comment.pk + 1000), {"body": "x"}, format="json", **headers)

    assert edit.status_code == delete.status_code == missing.status_code == 403
    # The same answer for a comment that does not exist: nothing is given away.
    assert edit.json() == missing.json()
    assert "X-Edit-Token" in edit.json()["detail"]
    comment.refresh_from_db()
    assert (comment.status, comment.body) == ("approved", "Fist draft.")


def test_the_token_of_one_comment_does_not_open_another(api, posted):
    comment, answer = posted
    other = CommentFactory(article=comment.article)

    response = api.delete(detail_url(other.pk), HTTP_X_EDIT_TOKEN=answer["edit_token"])

    assert response.status_code == 403
    assert Comment.objects.get(pk=other.pk).status == "approved"


def test_after_the_window_the_api_says_why(api, posted):
    comment, _ = posted
    back_in_time(comment, 16)

    response = edit_through_the_api(api, posted, "Late.")

    assert response.status_code == 403
    assert "the time for this one has passed" in response.json()["detail"]


def test_the_author_deletes_through_the_api(api, posted):
    comment, answer = posted
    token = {"HTTP_X_EDIT_TOKEN": answer["edit_token"]}

    response = api.delete(detail_url(comment.pk), **token)
    again = api.delete(detail_url(comment.pk), **token)

    assert response.status_code == 204
    assert api.get(detail_url(comment.pk)).status_code == 404
    assert again.status_code == 403
    assert again.json()["detail"] == "You have deleted this reply."


@pytest.mark.parametrize(
    "body",
    [{"body": 12}, {"body": ""}, {"body": "a\x00b"}, {}, {"body": "x" * 5001}],
    ids=["number", "empty", "nul", "missing", "too long"],
)
def test_bad_edits_are_400_with_field_errors(api, posted, body):
    comment, answer = posted

    response = api.patch(
        detail_url(comment.pk), body, format="json", HTTP_X_EDIT_TOKEN=answer["edit_token"]
    )

    assert response.status_code == 400
    assert "body" in response.json()


def test_the_edit_token_never_reaches_a_log_line(api, settings, caplog):
    settings.COMMENTS_MODERATION = "none"
    with caplog.at_level(logging.DEBUG):
        answer = post_through_the_api(api, "Fist draft.")
        token = {"HTTP_X_EDIT_TOKEN": answer["edit_token"]}
        api.patch(detail_url(answer["id"]), {"body": "x" * 6000}, format="json", **token)
        api.patch(detail_url(answer["id"]), {"body": "First."}, format="json", **token)
        api.delete(detail_url(answer["id"]), **token)

    assert caplog.records  # the requests were logged...
    logged = "\n".join(f"{record.getMessage()} {vars(record)}" for record in caplog.records)
    assert answer["edit_token"] not in logged  # ...without the token


def test_no_token_when_editing_is_off(api, settings):
    settings.COMMENTS_EDIT_MINUTES = 0

    answer = post_through_the_api(api, "Hello.")

    assert (answer["edit_token"], answer["editable_until"]) == (None, None)
    assert Comment.objects.get().edit_token_digest == ""


# --- The admin ---------------------------------------------------------------------


def change_url(comment):
    return reverse("admin:comments_comment_change", args=[comment.pk])


def test_moderators_see_every_version_and_who_changed_it(client, published, moderator):
    sent_from(client, published).post(edit_url(published), {"body": "Second version."})
    client.post(edit_url(published), {"body": THREE_LINKS})  # waits
    client.force_login(moderator)

    html = client.get(change_url(published)).content.decode()

    assert "The first figure was 12 %." in html
    assert "replaced by its author" in html
    assert "Second version." in html
    assert "awaiting moderation" in html
    assert "Restore this version" in html
    assert "Approve edit" in html
    assert "Edited by its author." in html  # the moderation history


def test_a_moderator_restores_an_earlier_version(client, published, moderator):
    sent_from(client, published).post(edit_url(published), {"body": "Something regretted."})
    earlier = published.revisions.get()
    client.force_login(moderator)

    response = client.post(
        reverse("admin:comments_comment_restore", args=[published.pk, earlier.pk])
    )

    assert response.status_code == 302
    published.refresh_from_db()
    assert published.body == "The first figure was 12 %."
    regretted = published.revisions.get(body="Something regretted.")
    assert (regretted.state, regretted.changed_by) == (Revision.State.EARLIER, moderator)
    assert published.events.last().actor == moderator
    assert "Something regretted." not in page(type(client)(), published.article)


def test_the_queue_lists_edits_that_wait_and_decides_them(client, published, moderator):
    sent_from(client, published).post(edit_url(published), {"body": THREE_LINKS})
    client.force_login(moderator)
    changelist = reverse("admin:comments_comment_changelist")

    queue = client.get(changelist, {"status": "edits"})
    html = queue.content.decode()
    edit = services.held_edit(published)
    decided = client.post(
        reverse("admin:comments_comment_edit_decision", args=[published.pk, edit.pk, "decline"]),
        {"next": f"{changelist}?status=edits"},
    )

    assert [c.pk for c in queue.context["cl"].result_list] == [published.pk]
    assert "Edits (1)" in html
    assert "https://c.example/3" in html  # the edit, beside the published text
    assert "Decline edit" in html
    assert decided.status_code == 302
    assert decided["Location"] == f"{changelist}?status=edits"
    assert published.revisions.get(state=Revision.State.DECLINED).changed_by == moderator
    published.refresh_from_db()
    assert published.body == "The first figure was 12 %."
    assert not client.get(changelist, {"status": "edits"}).context["cl"].result_list


def test_a_reply_its_author_deleted_offers_moderators_no_way_back(client, published, moderator):
    sent_from(client, published).post(delete_url(published))
    client.force_login(moderator)

    queue = client.get(reverse("admin:comments_comment_changelist"), {"status": "deleted"})
    approve = client.post(reverse("admin:comments_comment_decide", args=[published.pk, "approve"]))

    assert [c.pk for c in queue.context["cl"].result_list] == [published.pk]
    assert "queue-approve" not in queue.content.decode()
    assert approve.status_code == 302
    assert Comment.objects.get(pk=published.pk).status == "deleted"


def test_the_admin_index_counts_edits_that_wait(client, published, moderator):
    sent_from(client, published).post(edit_url(published), {"body": THREE_LINKS})
    client.force_login(moderator)

    html = client.get(reverse("admin:index")).content.decode()

    assert "<strong>1</strong> edit of published replies awaiting moderation" in html


# --- The moderation API -------------------------------------------------------------

MODERATION = "/api/v1/moderation/comments/"


def test_the_moderation_api_shows_and_decides_edits_that_wait(client, published, moderator_api):
    sent_from(client, published).post(edit_url(published), {"body": THREE_LINKS})

    waiting = moderator_api.get(MODERATION, {"edit_waiting": "true"}).json()["results"]
    (item,) = waiting
    edit = item["held_edit"]
    approved = moderator_api.post(f"{MODERATION}{published.pk}/edits/{edit['id']}/approve/")
    again = moderator_api.post(f"{MODERATION}{published.pk}/edits/{edit['id']}/decline/")

    assert (item["id"], edit["body"]) == (published.pk, THREE_LINKS)
    assert edit["reasons"][0]["rule"] == "too-many-links"
    assert approved.status_code == 200
    assert approved.json()["held_edit"] is None
    assert approved.json()["body"] == THREE_LINKS
    assert again.status_code == 409
    assert moderator_api.get(MODERATION, {"edit_waiting": "true"}).json()["results"] == []


def test_the_moderation_api_refuses_to_approve_a_text_it_did_not_see(client, moderator_api):
    pending = CommentFactory(status="pending", body="Benign text.")
    seen = moderator_api.get(MODERATION, {"status": "pending"}).json()["results"][0]
    sent_from(client, pending).post(edit_url(pending), {"body": "BUY PILLS"})

    refused = moderator_api.post(
        f"{MODERATION}{pending.pk}/approve/", {"seen": seen["fingerprint"]}, format="json"
    )

    assert refused.status_code == 409
    assert "changed this reply after you opened it" in refused.json()["detail"]
    assert Comment.objects.get(pk=pending.pk).status == "pending"


def test_the_moderation_api_cannot_publish_what_its_author_deleted(
    client, published, moderator_api
):
    sent_from(client, published).post(delete_url(published))

    response = moderator_api.post(f"{MODERATION}{published.pk}/approve/")

    assert response.status_code == 409
    assert Comment.objects.get(pk=published.pk).status == "deleted"


# --- Closed and unpublished articles -------------------------------------------------


def test_once_comments_close_the_author_may_delete_but_not_edit(client, published, api):
    published.article.comments_close_at = timezone.now() - timedelta(minutes=1)
    published.article.save()
    sent_from(client, published)

    html = page(client, published.article)
    edit = client.post(edit_url(published), {"body": NEW_TEXT})

    assert edit_url(published) not in html
    assert delete_url(published) in html
    assert edit.status_code == 403
    assert "Comments are closed for this article." in edit.content.decode()
    assert client.post(delete_url(published)).status_code == 303


def test_the_api_treats_a_comment_under_an_unpublished_article_as_unknown(api, posted):
    comment, answer = posted
    comment.article.status = "draft"
    comment.article.save()

    response = api.delete(detail_url(comment.pk), HTTP_X_EDIT_TOKEN=answer["edit_token"])

    assert response.status_code == 403
    assert "X-Edit-Token" in response.json()["detail"]
    assert Comment.objects.get(pk=comment.pk).status == "approved"


def test_the_answer_that_carries_the_edit_token_is_kept_by_nobody(api, settings):
    response = api.post(
        comments_url(ArticleFactory()),
        {"name": "Ada", "email": "ada@example.org", "body": "Hello."},
        format="json",
    )

    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("argument", ["r", "rx", "e", "e12", "e12-", "e12-soon-open-slug"])
def test_a_part_with_a_broken_argument_is_drawn_as_for_everyone(rf, argument):
    reader = sent_from(Client(), CommentFactory.build(pk=12))
    request = rf.get("/", HTTP_COOKIE=f"{OWN_COOKIE}={reader.cookies[OWN_COOKIE].value}")

    assert OWN_REPLY.edit(request, argument) is None
