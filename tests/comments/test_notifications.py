import re
import time
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client

from comments import services
from comments.moderation import FormEvidence
from comments.tasks import unsubscribe_url
from tests.comments.helpers import form_data
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.COMMENTS_RULES = []
    settings.COMMENTS_MODERATORS = ["desk@example.org", "night@example.org"]
    settings.SITE_URL = "https://news.example.com"


def submit(article, **fields):
    values = {"name": "Ada", "email": "ada@example.org", "body": "A reply.", **fields}
    return services.submit_comment(article=article, **values)


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
    assert f"https://news.example.com/admin/comments/comment/{comment.pk}/change/" in message.body
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


def test_approved_reply_emails_the_parent_author_who_asked(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATION = "none"
    parent = CommentFactory(author_name="Bo", author_email="bo@example.org", notify_on_reply=True)

    with django_capture_on_commit_callbacks(execute=True):
        reply = submit(parent.article, parent_id=parent.pk, body="I disagree, politely.")

    (message,) = mailoutbox
    assert message.to == ["bo@example.org"]
    assert message.subject == "[Newsroom] Ada replied to your comment"
    assert "I disagree, politely." in message.body
    assert f"https://news.example.com{reply.get_absolute_url()}" in message.body
    assert "ada@example.org" not in message.body
    link = re.search(r"https://news\.example\.com(/comments/unsubscribe/\S+/)", message.body)
    assert link is not None
    assert message.extra_headers["List-Unsubscribe"] == f"<https://news.example.com{link.group(1)}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_no_email_when_parent_author_did_not_ask(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATION = "none"
    parent = CommentFactory(notify_on_reply=False)

    with django_capture_on_commit_callbacks(execute=True):
        submit(parent.article, parent_id=parent.pk)

    assert mailoutbox == []


def test_no_email_when_replying_to_yourself(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATION = "none"
    parent = CommentFactory(author_email="ada@example.org", notify_on_reply=True)

    with django_capture_on_commit_callbacks(execute=True):
        submit(parent.article, parent_id=parent.pk)

    assert mailoutbox == []


def test_held_reply_notifies_parent_author_once_when_first_approved(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATION = "all"
    settings.COMMENTS_MODERATORS = []
    parent = CommentFactory(notify_on_reply=True)
    moderator = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        reply = submit(parent.article, parent_id=parent.pk)
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        services.set_status(reply, "approved", actor=moderator)
        services.set_status(reply, "pending", actor=moderator)
        services.set_status(reply, "approved", actor=moderator)

    assert [m.to for m in mailoutbox] == [[parent.author_email]]


def test_unsubscribe_link_asks_then_stops_notifications(client):
    mine = CommentFactory(author_email="bo@example.org", notify_on_reply=True)
    also_mine = CommentFactory(author_email="bo@example.org", notify_on_reply=True)
    someone_else = CommentFactory(notify_on_reply=True)
    path = unsubscribe_url(mine.pk).removeprefix("https://news.example.com")
    assert (
        "bo@example.org"
        not in signing.b64_decode(path.split("/")[-2].split(":")[0].encode()).decode()
    )

    confirm = client.get(path)
    assert confirm.status_code == 200
    assert b"Stop reply e-mails" in confirm.content
    mine.refresh_from_db()
    assert mine.notify_on_reply is True

    done = client.post(path)
    assert done.status_code == 200
    assert b"We will not e-mail you about replies any more." in done.content
    for comment, expected in ((mine, False), (also_mine, False), (someone_else, True)):
        comment.refresh_from_db()
        assert comment.notify_on_reply is expected


def test_unsubscribe_works_without_csrf_token_for_one_click_mail_clients():
    comment = CommentFactory(author_email="bo@example.org", notify_on_reply=True)
    path = unsubscribe_url(comment.pk).removeprefix("https://news.example.com")

    response = Client(enforce_csrf_checks=True).post(path)

    assert response.status_code == 200


@pytest.mark.parametrize("token", ["garbage", "MQ:1abc:forged", "expired"])
def test_forged_or_expired_unsubscribe_link_is_refused(client, token):
    comment = CommentFactory(author_email="bo@example.org", notify_on_reply=True)
    if token == "expired":
        with mock.patch("time.time", return_value=time.time() - 400 * 24 * 3600):
            token = signing.dumps(comment.pk, salt="comments.unsubscribe")

    response = client.post(f"/comments/unsubscribe/{token}/")

    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.notify_on_reply is True


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
