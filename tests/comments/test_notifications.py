import io
import re
import smtplib
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import notifications, services, tasks
from comments.cookies import SIGNED_IN_COOKIE
from comments.models import Subscriber, Subscription
from comments.moderation import FormEvidence
from comments.tasks import unsubscribe_url
from plumbing.pagecache.personal import is_personal
from tests.comments.helpers import form_data, post_url
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://news.example.com"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.COMMENTS_RULES = []
    settings.COMMENTS_MODERATORS = ["desk@example.org", "night@example.org"]
    settings.SITE_URL = SITE


def submit(article, **fields):
    values = {"name": "Ada", "email": "ada@example.org", "body": "A reply.", **fields}
    return services.submit_comment(article=article, **values)


def confirmed(email, article, kind=Subscription.Kind.ANSWERS, **fields):
    """A subscription its owner confirmed (through the mailed link) before the test."""
    subscriber, _ = Subscriber.objects.get_or_create(
        email=email,
        defaults={"key": notifications.new_key(), "verified_at": timezone.now()},
    )
    moment = timezone.now() - timedelta(minutes=1)
    return Subscription.objects.create(
        subscriber=subscriber, article=article, kind=kind, confirmed_at=moment, **fields
    )


def link_in(message, kind):
    found = re.search(rf"{re.escape(SITE)}(/comments/{kind}/\S+/)", message.body)
    assert found is not None, message.body
    return found.group(1)


def told(response):
    """What the reader is told on the page they are sent to (and then never again)."""
    response.client.cookies.pop("messages", None)
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_pending_reply_emails_moderators_with_admin_link(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATION = "all"
    article = ArticleFactory(title="Troops head east")

    with django_capture_on_commit_callbacks(execute=True):
        comment = submit(article, body="Please look at this.", ip_address="203.0.113.9")

    (message,) = mailoutbox
    assert message.to == ["desk@example.org", "night@example.org"]
    assert message.subject == "[Newsroom] Reply awaiting moderation: Troops head east"
    assert f"{SITE}/admin/comments/comment/{comment.pk}/change/" in message.body
    assert "Every reply waits for a moderator." in message.body
    assert "Please look at this." in message.body
    assert "203.0.113.9" not in message.body


def test_an_edit_held_beside_a_published_reply_emails_moderators(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_RULES = ["comments.moderation.TooManyLinks"]
    settings.COMMENTS_MAX_LINKS = 0
    comment = CommentFactory(article=ArticleFactory(title="Troops head east"))

    with django_capture_on_commit_callbacks(execute=True):
        services.edit_own(comment, body="Now with https://example.org/source")
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_own(comment, body=comment.body)  # withdrawn: nothing more to say

    (message,) = mailoutbox
    assert message.subject == "[Newsroom] Edit awaiting moderation: Troops head east"
    assert "Now with https://example.org/source" in message.body
    assert "1 link; the limit is 0." in message.body
    assert "?status=edits" in message.body


def test_approved_and_spam_replies_do_not_email_moderators(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_RULES = ["comments.moderation.Honeypot"]

    with django_capture_on_commit_callbacks(execute=True):
        submit(ArticleFactory())
        submit(ArticleFactory(), form=FormEvidence(issued_at=0, honeypot="bot"))

    assert mailoutbox == []


def test_approved_reply_emails_the_parent_author_who_confirmed(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATION = "none"
    parent = CommentFactory(author_name="Bo", author_email="Bo@Example.org", notify_on_reply=True)
    confirmed("bo@example.org", parent.article)

    with django_capture_on_commit_callbacks(execute=True):
        reply = submit(parent.article, parent_id=parent.pk, body="I disagree, politely.")

    (message,) = mailoutbox
    assert message.to == ["bo@example.org"]
    assert message.subject == "[Newsroom] Ada replied to your comment"
    assert "I disagree, politely." in message.body
    assert f"{SITE}{reply.get_absolute_url()}" in message.body
    assert f"{SITE}/comments/notifications/" in message.body
    assert "ada@example.org" not in message.body
    link = link_in(message, "unsubscribe")
    assert message.extra_headers["List-Unsubscribe"] == f"<{SITE}{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_no_email_when_parent_author_did_not_ask(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATION = "none"
    parent = CommentFactory(notify_on_reply=False)

    with django_capture_on_commit_callbacks(execute=True):
        submit(parent.article, parent_id=parent.pk)

    assert mailoutbox == []


def test_no_email_when_parent_author_asked_but_never_confirmed(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATION = "none"
    parent = CommentFactory(author_email="bo@example.org", notify_on_reply=True)
    Subscription.objects.create(
        subscriber=Subscriber.objects.create(email="bo@example.org", key="k" * 32),
        article=parent.article,
    )

    with django_capture_on_commit_callbacks(execute=True):
        submit(parent.article, parent_id=parent.pk)

    assert mailoutbox == []


def test_no_email_when_replying_to_yourself(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATION = "none"
    parent = CommentFactory(author_email="ada@example.org", notify_on_reply=True)
    confirmed("ada@example.org", parent.article)

    with django_capture_on_commit_callbacks(execute=True):
        submit(parent.article, parent_id=parent.pk, email="ADA@example.org")

    assert mailoutbox == []


def test_held_reply_notifies_parent_author_once_when_first_approved(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATION = "all"
    settings.COMMENTS_MODERATORS = []
    parent = CommentFactory(notify_on_reply=True)
    confirmed(parent.author_email, parent.article)
    moderator = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        reply = submit(parent.article, parent_id=parent.pk)
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        services.set_status(reply, "approved", actor=moderator)
        services.set_status(reply, "pending", actor=moderator)
        services.set_status(reply, "approved", actor=moderator)

    assert [m.to for m in mailoutbox] == [[parent.author_email]]


def test_an_old_unsubscribe_link_asks_then_stops_answers_to_its_author(client):
    mine = CommentFactory(author_email="bo@example.org", notify_on_reply=True)
    also_mine = CommentFactory(author_email="bo@example.org", notify_on_reply=True)
    someone_else = CommentFactory(notify_on_reply=True)
    confirmed("bo@example.org", mine.article)
    followed = confirmed("bo@example.org", also_mine.article)
    # Links mailed before subscriptions existed named a comment, never the address.
    path = unsubscribe_url(mine.pk).removeprefix(SITE)
    assert (
        "bo@example.org"
        not in signing.b64_decode(path.split("/")[-2].split(":")[0].encode()).decode()
    )

    confirm = client.get(path)
    assert confirm.status_code == 200
    assert b"Stop e-mails about this discussion" in confirm.content
    mine.refresh_from_db()
    assert mine.notify_on_reply is True

    done = client.post(path)
    assert done.status_code == 200
    assert "We will not e-mail you about “" in done.content.decode()
    assert list(Subscription.objects.all()) == [followed]
    for comment, expected in ((mine, False), (also_mine, False), (someone_else, True)):
        comment.refresh_from_db()
        assert comment.notify_on_reply is expected


def test_unsubscribe_works_without_csrf_token_for_one_click_mail_clients():
    comment = CommentFactory(author_email="bo@example.org", notify_on_reply=True)
    path = unsubscribe_url(comment.pk).removeprefix(SITE)

    response = Client(enforce_csrf_checks=True).post(path)

    assert response.status_code == 200


@pytest.mark.parametrize("token", ["garbage", "MQ:1abc:forged", "expired"])
def test_forged_or_expired_unsubscribe_link_is_refused(client, token):
    comment = CommentFactory(author_email="bo@example.org", notify_on_reply=True)
    subscription = confirmed("bo@example.org", comment.article)
    if token == "expired":
        with mock.patch("time.time", return_value=time.time() - 400 * 24 * 3600):
            token = notifications.stop_token(subscription)

    response = client.post(f"/comments/unsubscribe/{token}/")

    assert response.status_code == 400
    assert b"This link is not valid." in response.content
    comment.refresh_from_db()
    assert comment.notify_on_reply is True
    assert Subscription.objects.count() == 1


class BrokenMailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_failing_mail_server_is_logged_and_the_reply_kept(
    settings, client, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.comments.test_notifications.BrokenMailBackend"
    settings.COMMENTS_MODERATION = "all"
    settings.COMMENTS_RULES = []
    article = ArticleFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{article.get_absolute_url()}comments/", form_data(article))

    assert response.status_code == 303
    assert article.comments.get().status == "pending"
    assert "Could not send the moderation notice" in caplog.text
    assert "mail server down" in caplog.text
    assert mail.outbox == []


# The worker closes its connection when done, so no wrapping transaction. Every
# transactional test restores the migrated data (groups, permissions) the same way.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_task_backend_queues_mail_for_the_worker(settings, mailoutbox):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    # django-tasks resets its backends when TASKS changes.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.COMMENTS_MODERATION = "all"

    submit(ArticleFactory())
    # Queued, not sent: the reader's request did not wait for the mail server.
    assert DBTaskResult.objects.count() == 1
    assert mailoutbox == []

    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)

    assert len(mailoutbox) == 1


# --- A verified address, once -------------------------------------------------------


def post_reply(client, article, **fields):
    return client.post(post_url(article), form_data(article, **fields))


@pytest.fixture
def published(settings):
    settings.COMMENTS_MODERATION = "none"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`committed(work, ...)`: run `work(...)`, then what follows its commit (mail
    goes out then, with the immediate task backend)."""

    def run(work, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return work(*args, **kwargs)

    return run


def test_notify_sends_only_a_confirmation_until_it_is_opened(
    client, published, mailoutbox, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Troops head east")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_reply(client, article, email="Ada@Example.org", notify="on")
    ada = article.comments.get()

    (confirmation,) = mailoutbox
    assert confirmation.to == ["ada@example.org"]
    assert confirmation.subject == "[Newsroom] Confirm e-mail about “Troops head east”"
    assert "If you did not ask, ignore this mail: nothing more will be sent" in confirmation.body
    # Every mail can be stopped with one click, this one too.
    stop = link_in(confirmation, "unsubscribe")
    assert confirmation.extra_headers["List-Unsubscribe"] == f"<{SITE}{stop}>"
    assert confirmation.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert notifications.ASKED in told(response)

    with django_capture_on_commit_callbacks(execute=True):
        submit(article, parent_id=ada.pk, email="bo@example.org", name="Bo")

    assert len(mailoutbox) == 1  # no answer notice: the address is not confirmed


def test_the_confirmation_mail_says_the_same_to_a_new_and_a_known_address(
    client, published, mailoutbox, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    CommentFactory.create_batch(2, author_email="old@example.org")
    confirmed("old@example.org", ArticleFactory())
    answers = {}
    for address in ("old@example.org", "new@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_reply(
                Client(), article, email=address, notify="on", body=f"From {address}"
            )
        answers[address] = (response.status_code, told(response))

    old, new = mailoutbox
    link = re.compile(r"/comments/(confirm|unsubscribe)/\S+/")
    assert old.subject == new.subject
    assert link.sub("LINK", old.body) == link.sub("LINK", new.body)
    assert answers["old@example.org"] == answers["new@example.org"]
    assert "old@example.org" not in old.body


def test_opening_the_link_changes_nothing_until_the_reader_confirms(
    client, published, mailoutbox, committed
):
    article = ArticleFactory(title="Troops head east")
    committed(post_reply, client, article, notify="on")
    path = link_in(mailoutbox[0], "confirm")

    page = Client().get(path)  # what a mail scanner does

    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert "Confirm notifications for “Troops head east”" in page.content.decode()
    subscription = Subscription.objects.select_related("subscriber").get()
    assert subscription.confirmed_at is None
    assert subscription.subscriber.verified_at is None

    done = client.post(path)

    assert done.status_code == 200
    assert SIGNED_IN_COOKIE not in done.cookies
    subscription = Subscription.objects.select_related("subscriber").get()
    assert subscription.confirmed_at is not None
    assert subscription.subscriber.verified_at is not None
    assert subscription.subscriber.may_receive


def test_keeping_the_browser_signed_in_sets_a_cookie_only_when_asked(
    client, published, mailoutbox, committed
):
    article = ArticleFactory()
    committed(post_reply, client, article, notify="on")
    path = link_in(mailoutbox[0], "confirm")

    done = client.post(path, {"keep": "yes"})

    cookie = done.cookies[SIGNED_IN_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    assert "ada@example.org" not in cookie.value
    page = client.get(reverse("comments:notifications"))
    assert "This browser is signed in as <strong>ada@example.org</strong>" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"


def sign_in(client, subscriber):
    """`client` as a browser whose reader ticked "keep me signed in" when confirming."""
    client.cookies[SIGNED_IN_COOKIE] = signing.dumps(
        [subscriber.pk, subscriber.key], salt="comments.signed-in"
    )
    return client


def test_a_signed_in_browser_is_confirmed_without_any_mail(
    client, published, mailoutbox, committed
):
    subscriber = confirmed("ada@example.org", ArticleFactory()).subscriber
    article = ArticleFactory()

    response = committed(post_reply, sign_in(client, subscriber), article, follow="on")

    assert mailoutbox == []
    assert "You will be e-mailed the new replies to this discussion" in " ".join(told(response))
    subscription = subscriber.subscriptions.get(article=article)
    assert subscription.kind == "discussion"
    assert subscription.confirmed_at is not None
    assert article.comments.get().notify_on_reply is True  # follow includes the answers


def test_a_signed_in_browser_under_another_address_proves_nothing(
    client, published, mailoutbox, committed
):
    subscriber = confirmed("ada@example.org", ArticleFactory()).subscriber
    article = ArticleFactory()

    response = committed(
        post_reply, sign_in(client, subscriber), article, email="bo@example.org", notify="on"
    )

    assert [m.to for m in mailoutbox] == [["bo@example.org"]]
    assert notifications.ASKED in told(response)
    assert Subscription.objects.get(article=article).confirmed_at is None


def test_signing_out_every_browser_revokes_every_cookie(client, published, mailoutbox):
    subscriber = confirmed("ada@example.org", ArticleFactory()).subscriber
    other_browser = sign_in(Client(), subscriber)
    sign_in(client, subscriber)

    response = client.post(reverse("comments:notifications"), {"action": "sign-out-everywhere"})

    assert response.status_code == 303
    assert response.cookies[SIGNED_IN_COOKIE].value == ""
    page = other_browser.get(reverse("comments:notifications"))
    assert "This browser is not signed in as a commenter" in page.content.decode()
    article = ArticleFactory()
    post_reply(other_browser, article, notify="on")
    assert Subscription.objects.get(article=article).confirmed_at is None


def test_a_forged_or_stale_signed_in_cookie_is_ignored(client):
    subscriber = confirmed("ada@example.org", ArticleFactory()).subscriber
    client.cookies[SIGNED_IN_COOKIE] = signing.dumps(
        [subscriber.pk, "x" * 32], salt="comments.signed-in"
    )

    page = client.get(reverse("comments:notifications"))

    assert "This browser is not signed in as a commenter" in page.content.decode()
    assert "ada@example.org" not in page.content.decode()


def test_staff_replying_under_their_account_are_confirmed_at_once(
    client, published, mailoutbox, committed
):
    staff = UserFactory(is_staff=True, email="Desk@Example.org")
    client.force_login(staff)
    article = ArticleFactory()

    committed(post_reply, client, article, notify="on")

    assert mailoutbox == []
    subscription = Subscription.objects.select_related("subscriber").get()
    assert subscription.subscriber.email == "desk@example.org"
    assert subscription.confirmed_at is not None


def test_confirmed_answers_arrive_with_a_working_one_click_unsubscribe(
    client, published, mailoutbox, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Troops head east")
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(client, article, notify="on")
    client.post(link_in(mailoutbox.pop(), "confirm"))
    ada = article.comments.get()

    with django_capture_on_commit_callbacks(execute=True):
        submit(article, parent_id=ada.pk, email="bo@example.org", name="Bo", body="Why?")

    (notice,) = mailoutbox
    assert notice.to == ["ada@example.org"]
    assert "Why?" in notice.body
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = notice.extra_headers["List-Unsubscribe"].strip("<>").removeprefix(SITE)
    assert one_click == link_in(notice, "unsubscribe")

    # What a mail client sends (RFC 8058): no cookies, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        one_click, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert "We will not e-mail you about “Troops head east” any more." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        submit(article, parent_id=ada.pk, email="cy@example.org", name="Cy")
    assert len(mailoutbox) == 1
    assert Subscriber.objects.get().may_receive  # only this discussion stopped


def test_the_unsubscribe_page_can_stop_all_mail_to_the_address(
    client, published, mailoutbox, committed
):
    subscription = confirmed("ada@example.org", ArticleFactory())
    elsewhere = ArticleFactory()
    confirmed("ada@example.org", elsewhere, kind="discussion")
    path = reverse("comments:unsubscribe", args=[notifications.stop_token(subscription)])

    response = client.post(path, {"everything": "yes"})

    assert "We will not e-mail this address any more" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.stopped_because == "unsubscribed"
    committed(post_reply, Client(), elsewhere, notify="on")  # not even a confirmation now
    CommentFactory(article=elsewhere)
    assert tasks.send_digests.call(elsewhere.pk) == 0
    assert mailoutbox == []


@pytest.mark.parametrize("because", ["bounced", "unsubscribed"])
def test_a_stopped_address_gets_nothing_not_even_a_confirmation(
    client, published, mailoutbox, django_capture_on_commit_callbacks, because
):
    article = ArticleFactory()
    parent = CommentFactory(article=article, author_email="ada@example.org")
    confirmed("ada@example.org", article, kind="discussion")
    Subscriber.objects.update(stopped_at=timezone.now(), stopped_because=because)

    with django_capture_on_commit_callbacks(execute=True):
        asked = post_reply(client, ArticleFactory(), notify="on")
        submit(article, parent_id=parent.pk, email="bo@example.org")

    assert mailoutbox == []
    assert notifications.ASKED in told(asked)  # the reader is told the same as anyone


@pytest.mark.parametrize(
    "token",
    ["garbage", "WzEsImFuc3dlcnMiXQ:1abc:forged", "expired", "another-salt", "deleted"],
)
def test_a_tampered_or_expired_confirmation_link_is_refused(client, token):
    subscription = Subscription.objects.create(
        subscriber=Subscriber.objects.create(email="ada@example.org", key="k" * 32),
        article=ArticleFactory(),
    )
    if token == "expired":
        with mock.patch("time.time", return_value=time.time() - 8 * 24 * 3600):
            token = notifications.confirm_token(subscription, "answers")
    elif token == "another-salt":
        token = notifications.stop_token(subscription)
    elif token == "deleted":
        token = notifications.confirm_token(subscription, "answers")
        Subscription.objects.all().delete()

    response = client.post(f"/comments/confirm/{token}/")

    assert response.status_code == 400
    assert "tick “E-mail me” again" in response.content.decode()
    assert not Subscriber.objects.filter(verified_at__isnull=False).exists()


def test_a_flood_of_requests_for_one_address_sends_three_mails_and_answers_alike(
    settings, published, counter_clock, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_CONFIRM_CLIENT_RATE = ""  # the address's own limit, alone
    articles = ArticleFactory.create_batch(3)
    answers = set()
    for n in range(30):
        # Each from another client, so only the address's limit can hold.
        browser = Client(REMOTE_ADDR=f"198.51.100.{n}")
        with django_capture_on_commit_callbacks(execute=True):
            response = post_reply(
                browser, articles[n % 3], notify="on", body=f"Reply number {n}, again."
            )
        answers.add((response.status_code, tuple(told(response))))

    assert len(mailoutbox) == 3
    assert len(answers) == 1


def test_a_flood_of_requests_from_one_client_sends_ten_mails_and_answers_alike(
    client, published, counter_clock, mailoutbox, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    answers = set()
    for n in range(30):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_reply(
                client, article, email=f"reader{n}@example.org", notify="on", body=f"Number {n}."
            )
        answers.add((response.status_code, tuple(told(response))))

    assert len(mailoutbox) == 10
    assert len(answers) == 1


def test_the_api_takes_notify_and_follow_and_echoes_neither(api, published, mailoutbox, committed):
    article = ArticleFactory()

    response = committed(
        api.post,
        f"/api/v1/articles/{article.slug}/comments/",
        {"name": "Ada", "email": "ada@example.org", "body": "Hello.", "follow": True},
        format="json",
    )

    assert response.status_code == 201
    assert not {"notify", "follow", "email"} & set(response.json())
    assert [m.to for m in mailoutbox] == [["ada@example.org"]]
    assert Subscription.objects.get().kind == "discussion"


def test_follow_is_offered_with_the_digest_pace(client, settings):
    settings.COMMENTS_DIGEST_MINUTES = 30
    article = ArticleFactory()

    html = client.get(article.get_absolute_url()).content.decode()

    assert 'name="follow"' in html
    assert (
        "E-mail me every new reply to this discussion (at most one mail every 30 minutes)." in html
    )
    settings.COMMENTS_DIGEST_MINUTES = 45
    assert "every 45 minutes" in client.get(ArticleFactory().get_absolute_url()).content.decode()


def test_asking_again_widens_but_never_narrows_what_is_asked(client, published, committed):
    article = ArticleFactory()

    committed(post_reply, client, article, follow="on", body="First.")
    committed(post_reply, client, article, notify="on", body="Second.")

    assert Subscription.objects.get().kind == "discussion"


# --- Digests ---------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """django.utils.timezone.now, stopped until the test moves it."""
    stopped = Clock()
    monkeypatch.setattr("django.utils.timezone.now", stopped)
    return stopped


def test_replies_within_the_window_come_in_one_digest(
    settings, published, clock, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_DIGEST_MINUTES = 60
    article = ArticleFactory(title="Troops head east")
    confirmed("ada@example.org", article, kind="discussion")
    clock.advance(minutes=1)

    with django_capture_on_commit_callbacks(execute=True):
        submit(article, name="Bo", email="bo@example.org", body="The first thought.")
    (first,) = mailoutbox
    assert first.subject == "[Newsroom] 1 new reply to “Troops head east”"
    assert "The first thought." in first.body

    for minutes, (name, body) in ((10, ("Cy", "A second.")), (20, ("Di", "A third."))):
        clock.advance(minutes=minutes)
        with django_capture_on_commit_callbacks(execute=True):
            submit(article, name=name, email=f"{name.lower()}@example.org", body=body)
    assert len(mailoutbox) == 1  # within the hour after the first

    clock.advance(minutes=31)
    call_command("send_digests", stdout=io.StringIO())

    second = mailoutbox[1]
    assert second.to == ["ada@example.org"]
    assert second.subject == "[Newsroom] 2 new replies to “Troops head east”"
    assert "A second." in second.body
    assert "A third." in second.body
    assert "The first thought." not in second.body
    assert second.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert second.extra_headers["List-Unsubscribe"] == f"<{SITE}{link_in(second, 'unsubscribe')}>"
    call_command("send_digests", stdout=io.StringIO())
    assert len(mailoutbox) == 2  # nothing new


def test_a_digest_leaves_out_the_followers_own_replies(
    published, clock, mailoutbox, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    confirmed("ada@example.org", article, kind="discussion")
    clock.advance(minutes=1)

    with django_capture_on_commit_callbacks(execute=True):
        submit(article, email="Ada@Example.org", body="My own reply.")
    assert mailoutbox == []

    clock.advance(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        submit(article, name="Bo", email="bo@example.org", body="Bo's reply.")
    (digest,) = mailoutbox
    assert "Bo's reply." in digest.body
    assert "My own reply." not in digest.body


def test_a_follower_gets_no_separate_answer_notice(
    published, clock, mailoutbox, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    parent = CommentFactory(article=article, author_email="ada@example.org")
    confirmed("ada@example.org", article, kind="discussion")
    clock.advance(minutes=1)

    with django_capture_on_commit_callbacks(execute=True):
        submit(article, parent_id=parent.pk, name="Bo", email="bo@example.org")

    assert [m.subject for m in mailoutbox] == ["[Newsroom] 1 new reply to “" + article.title + "”"]


def test_a_long_digest_lists_fifty_and_says_how_many_more(published, clock, mailoutbox):
    article = ArticleFactory()
    confirmed("ada@example.org", article, kind="discussion")
    clock.advance(minutes=1)
    for n in range(53):
        CommentFactory(article=article, moderated_at=clock.now, body=f"Reply {n:02} here.")
    clock.advance(minutes=1)

    assert tasks.send_digests.call(article.pk) == 1

    (digest,) = mailoutbox
    assert digest.subject.startswith("[Newsroom] 53 new replies")
    assert "Reply 49 here." in digest.body
    assert "Reply 50 here." not in digest.body
    assert "… and 3 more." in digest.body


def test_the_next_digest_is_queued_for_when_it_is_due(settings, published, clock, mailoutbox):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.COMMENTS_DIGEST_MINUTES = 60
    article = ArticleFactory()
    confirmed("ada@example.org", article, kind="discussion", last_sent_at=clock.now)
    clock.advance(minutes=5)
    CommentFactory(article=article, moderated_at=clock.now)

    for _ in range(3):  # three replies came meanwhile: one follow-up
        assert tasks.send_digests.call(article.pk) == 0

    backend = tasks.send_digests.get_backend()
    assert [(r.task.name, r.task.run_after, r.args) for r in backend.results] == [
        ("send_digests", clock.now + timedelta(minutes=55), [article.pk])
    ]
    assert mailoutbox == []


@pytest.mark.parametrize("followers", [1, 10])
def test_sending_digests_takes_the_same_queries_however_many_follow(
    published, clock, mailoutbox, django_assert_num_queries, followers
):
    article = ArticleFactory()
    for n in range(followers):
        confirmed(f"follower{n}@example.org", article, kind="discussion")
    confirmed("stopped@example.org", article, kind="discussion")
    Subscriber.objects.filter(email="stopped@example.org").update(stopped_at=clock.now)
    clock.advance(minutes=1)
    CommentFactory.create_batch(3, article=article, moderated_at=clock.now)
    clock.advance(minutes=1)

    # Whether anyone follows; the followers, the new replies, the claim, in a savepoint.
    with django_assert_num_queries(6):
        assert tasks.send_digests.call(article.pk) == followers

    assert len(mailoutbox) == followers


# --- Bounces, and the notifications page -------------------------------------------


class RefusingMailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    code = 550

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"ada@example.org": (self.code, b"No such user")})


class GreylistingMailBackend(RefusingMailBackend):
    code = 450  # "try again later"


class UnreachableMailBackend(RefusingMailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_refused_address_is_marked_bounced_and_logged_without_it(
    settings, published, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.comments.test_notifications.RefusingMailBackend"
    article = ArticleFactory()
    parent = CommentFactory(article=article, author_email="ada@example.org")
    confirmed("ada@example.org", article)

    with django_capture_on_commit_callbacks(execute=True):
        submit(article, parent_id=parent.pk, email="bo@example.org")

    subscriber = Subscriber.objects.get()
    assert subscriber.stopped_because == "bounced"
    assert not subscriber.may_receive
    assert "refused the reply notice" in caplog.text
    assert "ada@example.org" not in caplog.text


def test_a_refusal_for_now_is_not_a_bounce(
    settings, published, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.comments.test_notifications.GreylistingMailBackend"
    article = ArticleFactory()
    parent = CommentFactory(article=article, author_email="ada@example.org")
    confirmed("ada@example.org", article)

    with django_capture_on_commit_callbacks(execute=True):
        submit(article, parent_id=parent.pk, email="bo@example.org")

    assert Subscriber.objects.get().may_receive
    assert "refused the reply notice (450)" in caplog.text


def test_a_digest_the_server_did_not_take_goes_with_the_next_run(
    settings, published, clock, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_DIGEST_MINUTES = 60
    article = ArticleFactory()
    confirmed("ada@example.org", article, kind="discussion")
    clock.advance(minutes=1)
    settings.EMAIL_BACKEND = "tests.comments.test_notifications.UnreachableMailBackend"

    with django_capture_on_commit_callbacks(execute=True):
        submit(article, name="Bo", email="bo@example.org", body="The first thought.")
    assert mailoutbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_digests", stdout=io.StringIO())

    (digest,) = mailoutbox
    assert "The first thought." in digest.body


def test_mark_bounced_takes_addresses_as_arguments_or_on_stdin(monkeypatch):
    for address in ("ada@example.org", "bo@example.org", "cy@example.org"):
        confirmed(address, ArticleFactory())
    out = io.StringIO()

    call_command("mark_bounced", "ADA@example.org", "nobody@example.org", stdout=out)
    monkeypatch.setattr("sys.stdin", io.StringIO("bo@example.org\n\n"))
    call_command("mark_bounced", stdout=io.StringIO())

    assert out.getvalue() == "Stopped mail to 1 of 2 addresses.\n"
    assert dict(Subscriber.objects.values_list("email", "stopped_because")) == {
        "ada@example.org": "bounced",
        "bo@example.org": "bounced",
        "cy@example.org": "",
    }


def test_the_notifications_page_without_the_cookie_says_how_to_sign_in(client):
    page = client.get(reverse("comments:notifications"))

    assert page.status_code == 200
    assert "open the link we then e-mail you" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"


def test_the_notifications_page_lists_and_changes_what_the_address_gets(client):
    followed = confirmed("ada@example.org", ArticleFactory(title="Troops head east"))
    other = confirmed("ada@example.org", ArticleFactory(title="Rain tomorrow"), kind="discussion")
    confirmed("bo@example.org", ArticleFactory(title="Not hers"))
    sign_in(client, followed.subscriber)
    page = reverse("comments:notifications")

    html = client.get(page).content.decode()
    assert re.search(r"Troops head east</a>:\s+answers to your replies<", html)
    assert re.search(r"Rain tomorrow</a>:\s+every new reply \(at most one mail every 60", html)
    assert "Not hers" not in html

    client.post(page, {"action": "discussion", "article": followed.article_id})
    client.post(page, {"action": "stop", "article": other.article_id})
    client.post(
        page,
        {
            "action": "stop",
            "article": Subscription.objects.get(article__title="Not hers").article_id,
        },
    )

    assert sorted(Subscription.objects.values_list("article__title", "kind")) == [
        ("Not hers", "answers"),
        ("Troops head east", "discussion"),
    ]
    client.post(page, {"action": "stop-all"})
    assert Subscriber.objects.get(email="ada@example.org").stopped_because == "unsubscribed"
    client.post(page, {"action": "allow"})
    assert Subscriber.objects.get(email="ada@example.org").may_receive


def test_the_notifications_page_refuses_a_post_from_another_site():
    subscriber = confirmed("ada@example.org", ArticleFactory()).subscriber
    browser = sign_in(Client(enforce_csrf_checks=True), subscriber)

    response = browser.post(reverse("comments:notifications"), {"action": "stop-all"})

    assert response.status_code == 403
    assert Subscriber.objects.get().may_receive


def test_the_admin_marks_addresses_bounced_and_allows_them_again(admin_client):
    subscription = confirmed("ada@example.org", ArticleFactory())
    changelist = reverse("admin:comments_subscriber_changelist")
    selected = {"_selected_action": [subscription.subscriber_id]}

    admin_client.post(changelist, {"action": "mark_bounced", **selected})
    assert Subscriber.objects.get().stopped_because == "bounced"
    admin_client.post(changelist, {"action": "allow_again", **selected})
    assert Subscriber.objects.get().may_receive

    page = admin_client.get(
        reverse("admin:comments_subscriber_change", args=[subscription.subscriber_id])
    )
    assert page.status_code == 200
    assert "Answers to my replies" in page.content.decode()


def test_a_discussion_nobody_follows_costs_one_query(django_assert_num_queries):
    article = ArticleFactory()
    CommentFactory(article=article)
    Subscription.objects.create(  # not confirmed: not a follower
        subscriber=Subscriber.objects.create(email="ada@example.org", key="k" * 32),
        article=article,
        kind="discussion",
    )

    with django_assert_num_queries(1):
        assert tasks.send_digests.call(article.pk) == 0


def test_the_signed_in_cookie_leaves_article_pages_shared(rf):
    request = rf.get("/articles/anything/")
    request.COOKIES[SIGNED_IN_COOKIE] = "whatever"

    assert is_personal(request) is False


def test_the_privacy_page_names_the_signed_in_cookie(client):
    html = client.get(reverse("comments:privacy")).content.decode()

    assert (
        f"<code>{SIGNED_IN_COOKIE}</code>: which e-mail address this browser is signed in as"
        in html
    )


def test_one_click_on_a_confirmation_keeps_the_address_out_of_that_discussion(
    client, published, mailoutbox, committed
):
    article = ArticleFactory()
    committed(post_reply, client, article, notify="on")
    (confirmation,) = mailoutbox

    mail_client = Client()  # no cookies: what a mail client's one-click POST sends
    stopped = mail_client.post(
        link_in(confirmation, "unsubscribe"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert stopped.status_code == 200
    assert Client().post(link_in(confirmation, "confirm")).status_code == 400
    assert not Subscription.objects.exists()
