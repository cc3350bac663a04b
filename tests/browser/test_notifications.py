"""Notifications and data rights in Chromium: tick "E-mail me", get only a
confirmation, confirm and stay signed in, get an answer's notice, stop it with
the mail client's one-click POST, and see it gone from the notifications page;
then ask for one's data, download it, erase it, and find the thread kept
readable under a placeholder."""

import json
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from comments import services
from comments.models import Comment
from comments.notifications import ASKED
from tests.browser.conftest import assert_accessible
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _published_at_once(settings, live_server):
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_MIN_SECONDS = 0  # a person takes longer; a test need not
    settings.SITE_URL = live_server.url  # the links in the mail lead here


def link(message, kind):
    found = re.search(rf"https?://\S+/comments/{kind}/\S+/", message.body)
    assert found is not None, message.body
    return found.group(0)


def test_notify_confirm_answer_unsubscribe_then_download_and_erase(page, watched, browser):
    article = ArticleFactory(title="Troops head east")
    page.goto(article.get_absolute_url())
    form = page.locator("#commentform")
    form.get_by_role("textbox", name="Name").fill("Ada Lovelace")
    form.get_by_role("textbox", name="E-mail").fill("ada@example.org")
    form.get_by_role("textbox", name="Comment").fill("Tell me when someone answers.")
    form.get_by_role("checkbox", name=re.compile("E-mail me when")).check()
    form.get_by_role("button", name="Post reply").click()

    expect(page.get_by_text(ASKED)).to_be_visible()
    (confirmation,) = mail.outbox
    assert confirmation.to == ["ada@example.org"]

    page.goto(link(confirmation, "confirm"))
    heading = page.get_by_role("heading", name="Confirm notifications for “Troops head east”")
    expect(heading).to_be_visible()
    assert_accessible(watched, "confirm")
    page.get_by_role("checkbox", name="Keep this browser signed in as this commenter").check()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Confirmed")).to_be_visible()

    ada = Comment.objects.get()
    services.submit_comment(
        article=article, parent_id=ada.pk, name="Bo", email="bo@example.org", body="Here I am."
    )
    confirmation, notice = mail.outbox
    assert "Here I am." in notice.body
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page.goto("/comments/notifications/")
    expect(page.get_by_text("answers to your replies")).to_be_visible()
    assert_accessible(watched, "notifications")

    # The mail client's one-click POST (RFC 8058): none of the browser's cookies.
    mail_client = browser.new_context()
    answer = mail_client.request.post(
        notice.extra_headers["List-Unsubscribe"].strip("<>"),
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    mail_client.close()
    assert answer.status == 200

    page.reload()
    expect(page.get_by_text("You follow no discussion.")).to_be_visible()
    services.submit_comment(
        article=article, parent_id=ada.pk, name="Cy", email="cy@example.org", body="Me too."
    )
    assert len(mail.outbox) == 2

    # "Your data", from the footer of any page.
    page.goto(article.get_absolute_url())
    page.get_by_role("link", name="Your data", exact=True).click()
    page.get_by_role("link", name="the data page").click()
    page.get_by_role("textbox", name="Your e-mail address").fill("ada@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_contain_text("a link is on its way")
    data_mail = mail.outbox[-1]
    assert data_mail.to == ["ada@example.org"]

    page.goto(link(data_mail, "your-data"))
    expect(page.get_by_text("1 reply, 1 of them published")).to_be_visible()
    assert_accessible(watched, "your-data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [reply["body"] for reply in document["replies"]] == ["Tell me when someone answers."]
    assert document["replies"][0]["email"] == "ada@example.org"

    page.get_by_role("button", name="Erase my data").click()  # the box is not ticked
    expect(page.get_by_role("heading", name="Your data in the comments")).to_be_visible()
    assert Comment.objects.get(pk=ada.pk).body == "Tell me when someone answers."
    page.get_by_role("checkbox", name=re.compile("I understand")).check()
    page.get_by_role("button", name="Erase my data").click()
    expect(page.get_by_role("status")).to_contain_text("Your 1 reply has been erased")

    page.goto(article.get_absolute_url())
    thread = page.locator("#comments")
    expect(thread.get_by_text("This reply was deleted by its author.")).to_be_visible()
    expect(thread.get_by_text("Here I am.")).to_be_visible()
    expect(thread).not_to_contain_text("Ada Lovelace")
    expect(thread).not_to_contain_text("Tell me when someone answers.")
    page.goto(link(data_mail, "your-data"))
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
