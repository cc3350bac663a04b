"""A commenter downloads or erases what the site holds about their address, alone,
through a link mailed to it; moderators do the same from the admin, with an audit
trail."""

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from comments import privacy, services
from comments.cookies import REMEMBER_COOKIE
from comments.models import (
    Comment,
    DataLink,
    DataRequest,
    ModerationEvent,
    Recommendation,
    Report,
    Revision,
    Subscriber,
    Subscription,
)
from plumbing.pagecache import copies
from plumbing.store import prefixed_keys
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = "Jane.Doe@Example.org"


def link_in(message) -> str:
    return re.search(r"https?://\S+/comments/your-data/\S+/", message.body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Ask for a link as a browser does; what follows the commit (the mail) runs."""

    def ask(email=ADDRESS):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("comments:data-request"), {"email": email})

    return ask


@pytest.fixture
def janes(db):
    """Jane's replies: one answered by someone else, one not, one held, one spam
    under another article, all under her address spelt two ways."""
    article = ArticleFactory(slug="harbour")
    answered = CommentFactory(
        article=article,
        author_name="Jane Doe",
        author_email="jane.doe@example.org",
        author_url="https://jane.example/",
        body="Jane's first thought about the harbour.",
        ip_address="203.0.113.77",
        user_agent="JaneBrowser/1.0",
        notify_on_reply=True,
    )
    answer = CommentFactory(article=article, parent=answered, body="An answer from Bob.")
    alone = CommentFactory(
        article=article, author_name="Jane Doe", author_email=ADDRESS, body="Jane, alone here."
    )
    held = CommentFactory(
        article=article,
        author_name="Jane Doe",
        author_email=ADDRESS.upper(),
        status=Comment.Status.PENDING,
        body="Jane, waiting for a moderator.",
    )
    spam = CommentFactory(
        article=ArticleFactory(slug="other"),
        author_name="Jane Doe",
        author_email=ADDRESS,
        status=Comment.Status.SPAM,
        body="Jane's spam.",
    )
    return {"answered": answered, "answer": answer, "alone": alone, "held": held, "spam": spam}


# --- Asking for a link --------------------------------------------------------------


def test_the_page_answers_the_same_for_a_commenter_and_a_stranger(ask, janes, mailoutbox):
    known = ask(ADDRESS).content.decode()
    unknown = ask("never.commented@example.org").content.decode()

    assert known.replace(ADDRESS, "ADDRESS") == unknown.replace(
        "never.commented@example.org", "ADDRESS"
    )
    # Both get a link, in the same words; neither link names the address.
    assert [m.to for m in mailoutbox] == [["jane.doe@example.org"], ["never.commented@example.org"]]
    first, second = (link_in(m) for m in mailoutbox)
    assert mailoutbox[0].body.replace(first, "LINK") == mailoutbox[1].body.replace(second, "LINK")
    assert "jane" not in first.lower()
    assert "never" not in second


def test_only_a_digest_of_the_token_is_stored(ask, janes, mailoutbox):
    ask()
    token = link_in(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1]

    stored = DataLink.objects.get()
    assert token not in stored.token_digest
    assert stored.expires_at > timezone.now() + timedelta(hours=23)


def test_a_bad_address_is_refused_and_kept(ask, mailoutbox):
    response = ask("not an address")

    assert response.status_code == 400
    assert 'value="not an address"' in response.content.decode()
    assert mailoutbox == []


def test_one_address_gets_a_few_links_a_day_whoever_asks(ask, settings, mailoutbox):
    settings.COMMENTS_DATA_LINK_RATE = "3/day"
    settings.COMMENTS_DATA_LINK_CLIENT_RATE = ""
    answers = [ask("flooded@example.org") for _ in range(10)]

    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.content for answer in answers}) == 1
    assert len(mailoutbox) == 3


def test_one_client_is_told_to_wait(ask, settings, mailoutbox):
    settings.COMMENTS_DATA_LINK_CLIENT_RATE = "5/hour"
    answers = [ask(f"reader{n}@example.org") for n in range(7)]

    assert [answer.status_code for answer in answers] == [200] * 5 + [429] * 2
    assert int(answers[-1]["Retry-After"]) > 0
    assert len(mailoutbox) == 5


# --- Through the link -------------------------------------------------------------


@pytest.fixture
def link(janes):
    return reverse("comments:data", kwargs={"token": privacy.new_link(ADDRESS)})


def test_the_link_shows_what_is_held(client, link):
    response = client.get(link)
    html = response.content.decode()

    assert response.status_code == 200
    assert "4 replies, 2 of them published" in html
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_download_holds_everything_about_the_address_and_nothing_else(
    client, janes, link, django_assert_num_queries
):
    services.edit_own(janes["alone"], body="Jane, alone here, thought again.")
    services.set_status(janes["held"], "removed", actor=UserFactory(), note="Off topic.")
    Subscription.objects.create(
        subscriber=Subscriber.objects.create(email="jane.doe@example.org", key="k" * 32),
        article=janes["alone"].article,
        kind=Subscription.Kind.DISCUSSION,
    )

    services.block("email", "jane.doe@example.org", actor=None, days=None, note="Abuse.")

    response = client.get(f"{link}download/")
    document = json.loads(response.content)

    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    replies = {reply["id"]: reply for reply in document["replies"]}
    assert set(replies) == {janes[name].pk for name in ("answered", "alone", "held", "spam")}
    first = replies[janes["answered"].pk]
    assert first["name"] == "Jane Doe"
    assert first["website"] == "https://jane.example/"
    assert first["ip_address"] == "203.0.113.77"
    assert first["user_agent"] == "JaneBrowser/1.0"
    assert first["article"]["url"].endswith("/articles/harbour/")
    removed = replies[janes["held"].pk]
    assert removed["moderation"] == [
        {
            "at": removed["moderation"][0]["at"],
            "from": "pending",
            "to": "removed",
            "by": "a moderator",
            "reasons": [],
            "note": "Off topic.",
        }
    ]
    edited = replies[janes["alone"].pk]
    assert edited["body"] == "Jane, alone here, thought again."
    assert edited["other_versions"][0]["body"] == "Jane, alone here."
    assert replies[janes["spam"].pk]["status"] == "spam"
    assert replies[janes["spam"].pk]["url"] is None
    assert document["notifications"]["discussions"][0]["kind"] == "discussion"
    assert [block["action"] for block in document["blocked"]] == ["spam"]
    assert "An answer from Bob." not in response.content.decode()
    assert DataRequest.objects.get().kind == DataRequest.Kind.EXPORT

    # However many replies: the same few queries.
    token = link.rstrip("/").rsplit("/", 1)[1]
    with django_assert_num_queries(9):
        client.get(f"{link}download/")
    CommentFactory.create_batch(5, author_email=ADDRESS)
    with django_assert_num_queries(9):
        client.get(reverse("comments:data-export", kwargs={"token": token}))


def test_a_link_shows_only_its_own_address(client, janes):
    other = reverse("comments:data", kwargs={"token": privacy.new_link("bob@example.org")})

    html = client.get(other).content.decode()
    document = client.get(f"{other}download/").content.decode()

    assert "we hold nothing about this address" in html
    assert "Jane" not in html + document
    assert json.loads(document)["replies"] == []


@pytest.mark.parametrize(
    "token",
    ["x" * 43, "a" * 500, "%00", "é" * 43],
    ids=["unknown", "long", "nul", "unicode"],
)
def test_an_unknown_or_tampered_link_says_so(client, janes, token):
    for url in (f"/comments/your-data/{token}/", f"/comments/your-data/{token}/download/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "This link does not work" in response.content.decode()


def test_an_expired_link_is_gone(client, janes):
    token = privacy.new_link(ADDRESS, now=timezone.now() - timedelta(hours=25))

    response = client.get(reverse("comments:data", kwargs={"token": token}))

    assert response.status_code == 410
    assert "It has expired" in response.content.decode()
    assert client.post(reverse("comments:data-erase", kwargs={"token": token})).status_code == 410


def test_expired_links_and_unconfirmed_addresses_go_with_the_purge(janes):
    from comments.retention import purge_personal_data

    privacy.new_link(ADDRESS, now=timezone.now() - timedelta(hours=25))
    privacy.new_link("bob@example.org")
    long_ago = timezone.now() - timedelta(days=8)
    for email, fields in {
        "never.confirmed@example.org": {},
        "confirmed@example.org": {"verified_at": long_ago},
        "bounced@example.org": {"stopped_at": long_ago, "stopped_because": "bounced"},
    }.items():
        Subscriber.objects.create(email=email, key="k" * 32, created_at=long_ago, **fields)
    Subscriber.objects.create(email="just.asked@example.org", key="k" * 32)

    purge_personal_data()

    assert list(DataLink.objects.values_list("email", flat=True)) == ["bob@example.org"]
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "confirmed@example.org",
        "bounced@example.org",
        "just.asked@example.org",
    }


# --- Erasure ----------------------------------------------------------------------


@pytest.fixture
def erase(django_capture_on_commit_callbacks):
    """Erase through the link as a browser does; what follows the commit runs."""

    def erase(client, link):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"{link}erase/", {"understood": "on"})

    return erase


def test_erasure_needs_the_box_ticked(client, link, janes):
    response = client.post(f"{link}erase/", {})

    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert Comment.objects.filter(author_name="Jane Doe").count() == 4


def test_erasure_removes_the_data_and_keeps_the_thread_readable(client, erase, janes, link):
    answered, alone = janes["answered"], janes["alone"]
    services.report(answered.pk, reason="other", note="Jane wrote this", ip_address="198.51.100.9")
    services.recommend(answered.pk, browser="b" * 24, ip_address="198.51.100.10")
    services.edit_own(alone, body="Jane, alone here, thought again.")
    client.cookies[REMEMBER_COOKIE] = "saved details"

    response = erase(client, link)

    assert response.status_code == 200
    assert "Your 4 replies have been erased" in response.content.decode()
    assert response.cookies[REMEMBER_COOKIE].value == ""
    for comment in Comment.objects.filter(
        pk__in=[janes[n].pk for n in ("answered", "alone", "held", "spam")]
    ):
        assert comment.author_name == "Former commenter"
        assert (comment.author_email, comment.author_url, comment.body, comment.body_html) == (
            "",
            "",
            "",
            "",
        )
        assert (comment.ip_address, comment.user_agent, comment.ip_network) == (None, "", "")
        assert comment.erased_at is not None
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses[answered.pk] == statuses[alone.pk] == statuses[janes["held"].pk] == "deleted"
    assert statuses[janes["spam"].pk] == "spam"
    assert statuses[janes["answer"].pk] == "approved"
    assert not Revision.objects.filter(comment__in=[answered, alone]).exists()
    assert not Report.objects.exists()
    assert not Recommendation.objects.exists()
    # History stays, without what the rules noted; the erasure is an event of its own.
    last = ModerationEvent.objects.filter(comment=answered).last()
    assert (last.from_status, last.to_status, last.actor) == ("approved", "deleted", None)
    assert "Erased at its author's request" in last.note
    audit = DataRequest.objects.get(kind=DataRequest.Kind.ERASURE)
    assert (audit.replies, audit.actor) == (4, None)

    page = client.get("/articles/harbour/").content.decode()
    assert "This reply was deleted by its author." in page
    assert "An answer from Bob." in page
    assert "Jane" not in page


def test_the_link_is_spent_once_it_erased(client, erase, link, janes):
    erase(client, link)

    again = client.get(link)

    assert again.status_code == 404
    assert "used to erase" in again.content.decode()
    assert erase(client, link).status_code == 404
    assert DataRequest.objects.filter(kind=DataRequest.Kind.ERASURE).count() == 1


def test_erasure_takes_notification_settings_and_every_link(client, erase, janes, link):
    subscriber = Subscriber.objects.create(email="jane.doe@example.org", key="k" * 32)
    Subscription.objects.create(subscriber=subscriber, article=janes["alone"].article)
    privacy.new_link(ADDRESS)

    erase(client, link)

    assert not Subscriber.objects.exists()
    assert not Subscription.objects.exists()
    assert not DataLink.objects.exists()


def test_erasure_deletes_every_copy_kept_of_a_page(client, erase, janes, link):
    page = "/articles/harbour/"
    assert "first thought about the harbour" in client.get(page).content.decode()
    client.get("/api/v1/articles/harbour/comments/")
    assert prefixed_keys(caches["default"], copies.PREFIX)

    erase(client, link)

    assert prefixed_keys(caches["default"], copies.PREFIX) == []
    assert copies.recent.entries == {}


def test_erasure_by_a_stranger_needs_the_link(client, janes):
    assert client.post("/comments/your-data/guess/erase/", {"understood": "on"}).status_code == 404
    assert Comment.objects.filter(author_name="Jane Doe").count() == 4


def test_a_staff_address_loses_its_badge_with_its_data(janes):
    editor = UserFactory(email="desk@example.org", is_staff=True)
    reply = CommentFactory(user=editor, author_email="desk@example.org", author_role="staff")

    privacy.erase("DESK@example.org")

    reply.refresh_from_db()
    assert (reply.user, reply.author_role, reply.author_name) == (None, "", "Former commenter")


# --- In the admin -------------------------------------------------------------------


ADMIN_TOOL = "/admin/comments/datarequest/address/"


def test_a_moderator_looks_up_and_exports_and_the_export_is_audited(client, janes):
    moderator = UserFactory(is_staff=True)
    moderator.user_permissions.add(*permissions("view_comment", "view_datarequest"))
    client.force_login(moderator)

    looked = client.post(ADMIN_TOOL, {"email": ADDRESS, "action": "look"}).content.decode()
    exported = client.post(ADMIN_TOOL, {"email": ADDRESS, "action": "export"})

    assert "4 replies, 2 published" in looked
    assert "Erase" not in looked  # not theirs to do
    assert len(json.loads(exported.content)["replies"]) == 4
    audit = client.get("/admin/comments/datarequest/").content.decode()
    assert DataRequest.objects.get().actor == moderator
    assert str(moderator) in audit
    assert (
        client.post(ADMIN_TOOL, {"email": ADDRESS, "action": "erase-confirmed"}).status_code == 403
    )


def test_an_administrator_erases_after_confirming(admin_client, admin_user, janes):
    asked = admin_client.post(ADMIN_TOOL, {"email": ADDRESS, "action": "erase"})

    assert f"Erase everything held about {ADDRESS}?" in asked.content.decode()
    assert Comment.objects.filter(author_name="Jane Doe").count() == 4

    done = admin_client.post(
        ADMIN_TOOL, {"email": ADDRESS, "action": "erase-confirmed"}, follow=True
    )

    assert "Erased the data of 4 replies" in done.content.decode()
    assert not Comment.objects.filter(author_name="Jane Doe").exists()
    audit = DataRequest.objects.get()
    assert (audit.kind, audit.actor, audit.replies) == ("erasure", admin_user, 4)
    last = ModerationEvent.objects.filter(comment=janes["answered"]).last()
    assert last.actor == admin_user


def test_the_audit_trail_cannot_be_edited_or_deleted(admin_client, janes):
    privacy.erase(ADDRESS)
    row = DataRequest.objects.get()

    assert admin_client.get(f"/admin/comments/datarequest/{row.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/comments/datarequest/{row.pk}/change/", {}).status_code == 403
    # It names no address: it may outlive the data it is about.
    trail = admin_client.get("/admin/comments/datarequest/").content.decode()
    assert "the commenter, by e-mailed link" in trail
    assert "jane" not in trail.lower()


def permissions(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="comments", codename__in=codenames)


def test_an_erased_reply_shows_in_the_admin_as_erased(admin_client, janes):
    privacy.erase(ADDRESS)
    answered = janes["answered"]

    queue = admin_client.get("/admin/comments/comment/", {"status": "deleted"})
    change = admin_client.get(f"/admin/comments/comment/{answered.pk}/change/")

    assert queue.status_code == change.status_code == 200
    assert "Former commenter" in queue.content.decode()
    assert "Block e-mail" not in queue.content.decode()
    assert "Erased at its author&#x27;s request on" in change.content.decode()
    assert "jane" not in (queue.content + change.content).decode().lower()


def test_log_lines_never_hold_a_links_token(client, janes, caplog):
    import logging

    from plumbing.logging import JsonFormatter

    token = privacy.new_link(ADDRESS)
    caplog.set_level(logging.INFO)

    client.post(f"/comments/your-data/{token}/erase/", {})  # 400: the box is not ticked
    client.get("/comments/your-data/not-a-token/")  # 404
    access = logging.makeLogRecord(
        {"msg": "%s %s %s", "args": ("GET", f"/comments/your-data/{token}/download/", "200")}
    )
    access.path = f"/comments/your-data/{token}/download/"

    lines = [JsonFormatter().format(record) for record in [*caplog.records, access]]
    entries = [json.loads(line) for line in lines]
    assert "Bad Request: /comments/your-data/…/erase/" in [e["message"] for e in entries]
    assert entries[-1]["path"] == "/comments/your-data/…/download/"
    assert not any(token in line or "not-a-token" in line for line in lines)


def test_a_page_drawn_before_the_erasure_is_not_kept_after_it(client, erase, janes, link):
    from plumbing.pagecache import versions

    client.get("/articles/harbour/")
    drawn_under = versions.token(versions.EPOCH)

    erase(client, link)
    # A render that began before the erasure committed ends only now.
    late = copies.Copy(body=b"Jane's first thought about the harbour.", headers={}, slots=())
    copies.keep(f"{copies.PREFIX}late", late, epoch=drawn_under)

    assert prefixed_keys(caches["default"], copies.PREFIX) == []
    assert copies.recent.entries == {}
