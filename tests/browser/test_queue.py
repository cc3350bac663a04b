"""The moderation queue in Chromium: the keyboard alone, the row buttons without
JavaScript, the help panel, and how it reads at 1280 and 390 pixels."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment, ModerationEvent
from tests.browser.conftest import artifact, assert_accessible, log_in
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

QUEUE = "/admin/comments/comment/"


@pytest.fixture
def twenty_pending():
    article = ArticleFactory(title="Troops head east")
    replies = [
        CommentFactory(article=article, status="pending", body=f"Reply number {n} of twenty.")
        for n in range(20)
    ]
    return article, replies


def test_a_moderator_clears_twenty_replies_with_the_keyboard_alone(
    page, watched, moderator, twenty_pending
):
    article, replies = twenty_pending
    log_in(page, moderator)
    page.goto(QUEUE)
    expect(page.locator("#result_list tbody tr")).to_have_count(20)
    page.screenshot(path=artifact("queue-1280.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    # Newest first: row i holds replies[19 - i]. Approve 12, spam 7, remove 1.
    plan = ["a"] * 12 + ["s"] * 7 + ["r"]
    rows = page.locator("#result_list tbody tr")
    page.keyboard.press("j")
    for number, key in enumerate(plan):
        expect(rows.nth(number)).to_have_class(re.compile("queue-current"))
        page.keyboard.press(key)
        expect(rows.nth(number)).to_have_class(re.compile("queue-decided"))

    decided = dict(zip([reply.pk for reply in reversed(replies)], plan, strict=True))
    wanted = {"a": "approved", "s": "spam", "r": "removed"}
    assert dict(Comment.objects.values_list("pk", "status")) == {
        pk: wanted[key] for pk, key in decided.items()
    }
    by_people = ModerationEvent.objects.exclude(actor=None)
    assert by_people.count() == 20
    assert set(by_people.values_list("actor", flat=True)) == {moderator.pk}

    page.goto(article.get_absolute_url())
    for pk, key in decided.items():
        expect(page.locator(f"#comment-{pk}")).to_have_count(1 if key == "a" else 0)
    assert watched.csp_violations == []
    assert watched.errors == []


def test_the_help_panel_opens_with_a_question_mark(page, watched, moderator, twenty_pending):
    log_in(page, moderator)
    page.goto(QUEUE)
    help_panel = page.locator("#queue-help")
    expect(help_panel).to_be_hidden()
    expect(page.locator("#queue-keys")).to_contain_text("a approve")

    page.keyboard.press("?")

    expect(help_panel).to_be_visible()
    expect(help_panel).to_contain_text("select for a bulk action")
    page.keyboard.press("Escape")
    expect(help_panel).to_be_hidden()
    assert watched.csp_violations == []


def test_without_javascript_each_button_decides_and_comes_back(
    browser, live_server, moderator, twenty_pending, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    _, replies = twenty_pending
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, moderator)
    page.goto(f"{QUEUE}?status=pending")

    newest = replies[-1]
    row = page.locator("#result_list tbody tr").filter(has_text=newest.body)
    row.get_by_role("button", name="Approve").click()

    expect(page).to_have_url(f"{live_server.url}{QUEUE}?status=pending")
    expect(page.locator(".messagelist")).to_contain_text("approved")
    expect(page.locator("#result_list tbody tr")).to_have_count(19)
    assert Comment.objects.get(pk=newest.pk).status == "approved"
    context.close()


def test_the_queue_reads_on_a_phone(browser, live_server, moderator, twenty_pending, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, moderator)
    page.goto(QUEUE)
    expect(page.locator("#result_list tbody tr")).to_have_count(20)
    page.screenshot(path=artifact("queue-390.png"), full_page=True)
    page.screenshot(path=artifact("queue-390-first-screen.png"))

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    first_row = page.locator("#result_list tbody tr").first
    expect(first_row.get_by_role("button", name="Approve")).to_be_in_viewport()
    assert overflow <= 0
    context.close()


def test_the_queue_its_help_and_a_comment_page_pass_an_accessibility_audit(
    page, watched, moderator, twenty_pending
):
    _, replies = twenty_pending
    log_in(page, moderator)
    page.goto(QUEUE)
    assert_accessible(watched, "queue")

    page.keyboard.press("?")
    expect(page.locator("#queue-help")).to_be_visible()
    assert_accessible(watched, "queue-help")

    page.goto(f"{QUEUE}{replies[0].pk}/change/")
    assert_accessible(watched, "comment-page")
