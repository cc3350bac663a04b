"""Readers report published replies; enough reporters hold one for review;
moderators see, decide and dismiss reports. Who reported what stays private."""

import pytest
from django.test import Client
from django.urls import reverse

from comments import services
from comments.models import Comment, ModerationEvent, Report
from tests.comments.helpers import sent_from
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

NOTE = "He posted my home address, a note only moderators may read."


def report_url(comment):
    return reverse("comments:report", args=[comment.article.slug, comment.pk])


def reader(address="198.51.100.7"):
    return Client(REMOTE_ADDR=address)


def send_report(client, comment, reason="abuse", note=""):
    return client.post(report_url(comment), {"reason": reason, "note": note})


@pytest.fixture
def reply():
    return CommentFactory(body="A reply some readers dislike.")


# --- Reporting ---------------------------------------------------------------------


def test_every_published_reply_has_a_report_link_and_nothing_else_does(client):
    article = ArticleFactory()
    published = CommentFactory(article=article)
    gone = CommentFactory(article=article, status="removed")
    CommentFactory(article=article, parent=gone)  # keeps a placeholder
    mine = CommentFactory(article=article, status="pending")

    html = sent_from(client, mine).get(article.get_absolute_url()).content.decode()

    assert f'href="{report_url(published)}"' in html
    assert report_url(gone) not in html
    assert f'id="comment-{mine.pk}"' in html
    assert report_url(mine) not in html


def test_a_reader_reports_a_reply_and_is_thanked(reply):
    client = reader()

    form = client.get(report_url(reply))
    response = send_report(client, reply, "personal", NOTE)

    assert form.status_code == 200
    assert "A reply some readers dislike." in form.content.decode()
    assert "Personal information" in form.content.decode()
    assert form["Cache-Control"] == "private, no-store"
    assert response.status_code == 303
    assert response["Location"].endswith(f"#comment-{reply.pk}")
    (report,) = Report.objects.all()
    assert (report.comment, report.reason, report.note) == (reply, "personal", NOTE)
    assert report.reporter == services.reporter_key("198.51.100.7")
    assert "198.51.100.7" not in report.reporter  # who it was is not even stored
    page = client.get(reply.article.get_absolute_url()).content.decode()
    assert "Thank you. A moderator will look at this reply." in page


def test_one_browser_or_one_address_reports_a_reply_once(reply):
    browser = reader()
    send_report(browser, reply)
    again = send_report(browser, reply)
    other_cookies_same_address = send_report(reader(), reply)
    # One subscriber's IPv6 addresses, in three /64s of their /48: one reporter.
    one_subscriber = [send_report(reader(f"2001:db8:1:{n}::1"), reply) for n in range(3)]

    assert again.status_code == other_cookies_same_address.status_code == 303
    assert all(response.status_code == 303 for response in one_subscriber)
    assert sorted(Report.objects.values_list("reporter", flat=True)) == sorted(
        [services.reporter_key("198.51.100.7"), services.reporter_key("2001:db8:1::")]
    )
    assert Comment.objects.get(pk=reply.pk).status == "approved"  # 2 of 3 reporters
    page = browser.get(reply.article.get_absolute_url()).content.decode()
    assert "You have already reported this reply." in page


def test_one_ipv6_subscriber_is_one_client_for_the_report_limit(reply, settings):
    settings.COMMENTS_REPORT_RATE = "2/hour"
    others = CommentFactory.create_batch(3, article=reply.article)

    statuses = [
        send_report(reader(f"2001:db8:7:{n}::{n}"), comment).status_code
        for n, comment in enumerate(others)
    ]

    assert statuses == [303, 303, 429]


def test_enough_reporters_hold_the_reply_with_the_reason_recorded(client, reply, settings):
    settings.COMMENTS_REPORT_THRESHOLD = 3
    assert (
        "A reply some readers dislike."
        in client.get(reply.article.get_absolute_url()).content.decode()
    )

    for n, reason in enumerate(["abuse", "abuse", "spam"]):
        send_report(reader(f"203.0.113.{n + 1}"), reply, reason)

    reply.refresh_from_db()
    assert reply.status == "pending"
    assert reply.moderation_reasons == [
        {
            "rule": "reports",
            "verdict": "hold",
            "detail": "Reported by 3 readers: abuse or harassment (2), spam or advertising (1); "
            "the limit is 3.",
        }
    ]
    event = reply.events.last()
    assert (event.actor, event.from_status, event.to_status) == (None, "approved", "pending")
    assert event.reasons == reply.moderation_reasons
    page = client.get(reply.article.get_absolute_url()).content.decode()
    assert "A reply some readers dislike." not in page  # the next read of every reader


def test_a_threshold_of_zero_never_holds(reply, settings):
    settings.COMMENTS_REPORT_THRESHOLD = 0

    for n in range(5):
        send_report(reader(f"203.0.113.{n + 1}"), reply)

    assert Comment.objects.get(pk=reply.pk).status == "approved"
    assert Report.objects.count() == 5


@pytest.mark.parametrize("kind", ["pending", "removed", "spam", "draft article"])
def test_only_what_readers_can_see_can_be_reported(kind, api):
    comment = (
        CommentFactory(article=ArticleFactory(status="draft", published_at=None))
        if kind == "draft article"
        else CommentFactory(status=kind)
    )

    form = send_report(reader(), comment)
    through_api = api.post(
        f"/api/v1/comments/{comment.pk}/report/", {"reason": "spam"}, format="json"
    )

    assert form.status_code == through_api.status_code == 404
    assert not Report.objects.exists()


def test_reports_are_limited_per_client_with_the_text_kept(reply, settings):
    settings.COMMENTS_REPORT_RATE = "2/hour"
    client = reader()
    others = CommentFactory.create_batch(2, article=reply.article)

    statuses = [send_report(client, c, note=NOTE).status_code for c in [*others, reply]]

    assert statuses == [303, 303, 429]
    last = send_report(client, reply, note=NOTE)
    assert "faster than we allow" in last.content.decode()
    assert NOTE in last.content.decode()
    assert not Report.objects.filter(comment=reply).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reason": "boring"}, "reason"),
        ({}, "reason"),
        ({"reason": "other", "note": "x" * 501}, "note"),
        ({"reason": "other", "note": "a\x00b"}, "note"),
    ],
    ids=["unknown reason", "no reason", "long note", "NUL in the note"],
)
def test_a_bad_report_names_the_field_and_saves_nothing(reply, api, data, field):
    form = reader().post(report_url(reply), data)
    through_api = api.post(f"/api/v1/comments/{reply.pk}/report/", data, format="json")

    assert form.status_code == through_api.status_code == 400
    assert list(form.context["form"].errors) == [field]
    assert list(through_api.json()) == [field]
    assert not Report.objects.exists()


def test_the_api_takes_a_report(reply, api):
    response = api.post(
        f"/api/v1/comments/{reply.pk}/report/",
        {"reason": "off-topic", "note": "About another story."},
        format="json",
    )

    assert response.status_code == 202
    assert response.json() == {"message": "Thank you. A moderator will look at this reply."}
    assert Report.objects.get().reason == "off-topic"


def test_moderators_hear_of_a_reply_s_first_report_only(
    reply, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATORS = ["desk@example.org"]

    with django_capture_on_commit_callbacks(execute=True):
        send_report(reader("203.0.113.1"), reply, "personal", NOTE)
    with django_capture_on_commit_callbacks(execute=True):
        send_report(reader("203.0.113.2"), reply, "abuse")

    (message,) = mailoutbox
    assert message.subject.startswith("[Newsroom] Reply reported by a reader: ")
    assert "Personal information" in message.body
    assert NOTE in message.body
    assert "203.0.113.1" not in message.body
    assert "?status=reported" in message.body


def test_who_reported_what_appears_nowhere_public(reply, client, api):
    send_report(reader("203.0.113.99"), reply, "personal", NOTE)
    places = [
        reply.article.get_absolute_url(),
        f"/api/v1/comments/{reply.pk}/",
        f"/api/v1/articles/{reply.article.slug}/comments/",
        "/api/v1/comments/",
        "/feeds/comments/",
        f"{reply.article.get_absolute_url()}comments/feed/",
    ]

    for place in places:
        text = client.get(place).content.decode()
        assert NOTE not in text, place
        assert "203.0.113.99" not in text, place
        assert "Personal information" not in text, place


# --- Moderators ----------------------------------------------------------------------


def test_the_reported_queue_puts_the_most_reported_first(moderator, settings):
    settings.COMMENTS_REPORT_THRESHOLD = 0
    article = ArticleFactory()
    once, thrice, twice = CommentFactory.create_batch(3, article=article)
    for comment, reporters in ((once, 1), (thrice, 3), (twice, 2)):
        for n in range(reporters):
            send_report(reader(f"203.0.113.{n + 1}"), comment, note=f"note {comment.pk}-{n}")
    client = Client()
    client.force_login(moderator)

    response = client.get(reverse("admin:comments_comment_changelist"), {"status": "reported"})

    html = response.content.decode()
    assert [c.pk for c in response.context["cl"].result_list] == [thrice.pk, twice.pk, once.pk]
    assert "Reported (3)" in html
    assert "Reported by 3 readers:" in html
    assert f"note {thrice.pk}-2" in html
    assert "203.0.113.1" not in html  # who reported is not shown, even here
    assert "Dismiss reports" in html


def test_dismissing_reports_publishes_again_what_they_held(reply, moderator, settings):
    settings.COMMENTS_REPORT_THRESHOLD = 2
    for n in range(2):
        send_report(reader(f"203.0.113.{n + 1}"), reply)
    client = Client()
    client.force_login(moderator)
    queue = reverse("admin:comments_comment_changelist")

    response = client.post(
        reverse("admin:comments_comment_dismiss_reports", args=[reply.pk]),
        {"next": f"{queue}?status=reported"},
    )

    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.status == "approved"
    assert not Report.objects.filter(dismissed_at__isnull=True).exists()
    assert Report.objects.filter(dismissed_by=moderator).count() == 2
    assert not client.get(queue, {"status": "reported"}).context["cl"].result_list
    # A later reporter counts from zero.
    send_report(reader("203.0.113.50"), reply)
    assert Comment.objects.get(pk=reply.pk).status == "approved"


def test_dismissing_never_publishes_what_a_moderator_held(reply, moderator, settings):
    settings.COMMENTS_REPORT_THRESHOLD = 2
    for n in range(2):
        send_report(reader(f"203.0.113.{n + 1}"), reply)
    services.set_status(reply, "approved", actor=moderator)
    services.set_status(reply, "pending", actor=moderator, note="Checking the facts.")

    services.dismiss_reports(reply, actor=moderator)

    assert Comment.objects.get(pk=reply.pk).status == "pending"


@pytest.mark.parametrize("decision", ["removed", "spam"])
def test_a_moderators_decision_answers_the_reports(reply, moderator, decision):
    send_report(reader(), reply)

    services.set_status(reply, decision, actor=moderator)

    assert not Report.objects.filter(dismissed_at__isnull=True).exists()
    assert not services.dismiss_reports(reply, actor=moderator)


def test_an_authors_edit_keeps_the_reason_reports_held_it(reply, settings):
    settings.COMMENTS_REPORT_THRESHOLD = 1
    send_report(reader(), reply)

    services.edit_own(Comment.objects.get(pk=reply.pk), body="Softer words.")

    reply.refresh_from_db()
    assert reply.status == "pending"
    assert reply.moderation_reasons[0]["rule"] == "reports"


def test_approving_a_reported_reply_answers_its_reports(reply, moderator, settings):
    settings.COMMENTS_REPORT_THRESHOLD = 2
    for n in range(2):
        send_report(reader(f"203.0.113.{n + 1}"), reply)

    services.set_status(reply, "approved", actor=moderator)

    assert not Report.objects.filter(dismissed_at__isnull=True).exists()
    assert ModerationEvent.objects.filter(comment=reply, actor=moderator).exists()


def test_the_moderation_api_lists_the_reported_queue_and_dismisses(reply, moderator_api, settings):
    settings.COMMENTS_REPORT_THRESHOLD = 0
    quiet = CommentFactory(article=reply.article)
    send_report(reader("203.0.113.1"), quiet, "spam")
    for n in range(2):
        send_report(reader(f"203.0.113.{n + 1}"), reply, "abuse", note=NOTE)

    listed = moderator_api.get("/api/v1/moderation/comments/reported/")
    dismissed = moderator_api.post(f"/api/v1/moderation/comments/{reply.pk}/dismiss-reports/")

    assert [item["id"] for item in listed.json()] == [reply.pk, quiet.pk]
    assert listed.json()[0]["reports"][0] == {
        "reason": "abuse",
        "note": NOTE,
        "created_at": listed.json()[0]["reports"][0]["created_at"],
    }
    assert dismissed.status_code == 200
    assert dismissed.json()["reports"] == []
    after = moderator_api.get("/api/v1/moderation/comments/reported/").json()
    assert [item["id"] for item in after] == [quiet.pk]


def test_the_reported_queue_is_for_moderators_only(api, reply):
    assert api.get("/api/v1/moderation/comments/reported/").status_code in (401, 403)
    assert api.post(f"/api/v1/moderation/comments/{reply.pk}/dismiss-reports/").status_code in (
        401,
        403,
    )
