"""The community around a discussion in Chromium: a reader reports a reply and a
moderator finds it in the Reported queue; editors' picks lead to their place."""

import re

import pytest
from playwright.sync_api import expect

from comments import services
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_reader_reports_a_reply_and_a_moderator_finds_it_reported(
    page, watched, moderator, settings
):
    article = ArticleFactory(title="Troops head east")
    reply = CommentFactory(article=article, body="Something rude about a neighbour.")

    page.goto(article.get_absolute_url())
    page.locator(f"#comment-{reply.pk}").get_by_role("link", name=re.compile("^Report")).click()
    expect(page.get_by_role("heading", name="Report a reply")).to_be_visible()
    assert_accessible(watched, "report")
    page.get_by_label("Abuse or harassment").check()
    page.get_by_label(re.compile("Anything a moderator should know")).fill("Names a neighbour.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status").filter(has_text="A moderator will look")).to_be_visible()

    page.context.clear_cookies()
    log_in(page, moderator)
    page.goto("/admin/comments/comment/?status=reported")
    row = page.locator(f"#comment-row-{reply.pk}")
    expect(row).to_contain_text("Reported by 1 reader:")
    expect(row).to_contain_text("Abuse or harassment: “Names a neighbour.”")
    page.get_by_role("button", name="Dismiss reports").click()
    expect(page.get_by_text("1 report dismissed.")).to_be_visible()
    expect(page.locator(f"#comment-row-{reply.pk}")).to_have_count(0)


def test_an_editors_pick_leads_to_its_place_in_the_thread(page, watched, moderator, settings):
    settings.COMMENTS_PER_PAGE = 1
    article = ArticleFactory(title="Troops head east")
    CommentFactory(article=article, body="The first thread.")
    pick = CommentFactory(article=article, body="The clearest account of the logistics.")
    services.pick(pick, actor=moderator)

    page.goto(article.get_absolute_url())
    picks = page.get_by_role("region", name="Editors\u2019 picks")
    expect(picks).to_contain_text("The clearest account of the logistics.")
    assert_accessible(watched, "picks")
    picks.get_by_role("link", name=pick.author_name).click()

    expect(page).to_have_url(re.compile(rf"\?cpage=2#comment-{pick.pk}$"))
    expect(page.locator(f"#comment-{pick.pk}")).to_contain_text("Editors\u2019 pick")


def test_a_staff_reply_wears_its_badge_and_no_reader_passes_for_staff(page, watched, moderator):
    moderator.first_name, moderator.last_name = "Jane", "Doe"
    moderator.save()
    article = ArticleFactory(title="Troops head east")
    log_in(page, moderator)

    page.goto(article.get_absolute_url())
    expect(page.locator("#comment-form-note")).to_contain_text("replying as Jane Doe")
    page.get_by_role("textbox", name="Comment").fill("We have corrected the figure.")
    page.get_by_role("button", name="Post reply").click()
    reply = page.locator(".comment").filter(has_text="We have corrected the figure.")
    expect(reply.locator(".comment-role-badge")).to_have_text("Staff")
    assert_accessible(watched, "staff-reply")

    page.context.clear_cookies()
    page.goto(article.get_absolute_url())
    form = page.locator("#commentform")
    form.get_by_role("textbox", name="Name").fill("The \u0415ditors")  # a Cyrillic IE
    form.get_by_role("textbox", name="E-mail").fill("not@staff.example")
    form.get_by_role("textbox", name="Comment").fill("Official: the exercise is cancelled.")
    page.get_by_role("button", name="Post reply").click()
    name = page.get_by_role("textbox", name="Name")
    expect(name).to_have_accessible_description(re.compile("belongs to the newsroom"))
    expect(page.get_by_role("textbox", name="Comment")).to_have_value(
        "Official: the exercise is cancelled."
    )
