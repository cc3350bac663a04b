"""The community around a discussion in Chromium: a reader reports a reply and a
moderator finds it in the Reported queue; editors' picks lead to their place;
readers recommend replies and sort the discussion."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comments import services
from comments.models import Comment
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


def test_a_reader_recommends_a_reply_and_takes_it_back(page, watched):
    article = ArticleFactory(title="Troops head east")
    reply = CommentFactory(article=article, body="The clearest account of the logistics.")
    comment = page.locator(f"#comment-{reply.pk}")

    page.goto(article.get_absolute_url())
    expect(comment.locator(".comment-recommendations")).to_have_count(0)
    comment.get_by_role("button", name=re.compile("^Recommend")).click()

    expect(page.get_by_role("status").filter(has_text="You recommend this reply")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"#comment-{reply.pk}$"))
    expect(comment.locator(".comment-recommendations")).to_have_text("1 recommendation")
    assert_accessible(watched, "recommended")
    comment.get_by_role("button", name=re.compile("^Recommend")).click()

    expect(page.get_by_role("status").filter(has_text="no longer recommend")).to_be_visible()
    expect(comment.locator(".comment-recommendations")).to_have_count(0)


def test_a_reader_sorts_a_discussion_in_each_order_across_its_pages(page, watched, settings):
    settings.COMMENTS_PER_PAGE = 2
    article = ArticleFactory(title="Troops head east")
    start = timezone.now() - timedelta(hours=5)
    bodies = ["First thread.", "Second thread.", "Third thread.", "Fourth thread."]
    roots = [
        CommentFactory(article=article, body=body, created_at=start + timedelta(hours=n))
        for n, body in enumerate(bodies)
    ]
    CommentFactory(article=article, parent=roots[0], body="An answer to the first.")
    for root, count in zip(roots, [1, 5, 0, 2], strict=True):
        Comment.objects.filter(pk=root.pk).update(recommendations=count)
    orders = {
        "Oldest": (["First", "An answer", "Second"], ["Third", "Fourth"]),
        "Newest": (["Fourth", "Third"], ["Second", "First", "An answer"]),
        "Most recommended": (["Second", "Fourth"], ["First", "An answer", "Third"]),
    }

    page.goto(article.get_absolute_url())
    for order, pages in orders.items():
        page.get_by_role("navigation", name="Order of replies").get_by_role(
            "link", name=order
        ).click()
        for number, expected in enumerate(pages, start=1):
            if number > 1:
                page.get_by_role("navigation", name="Comment pages").get_by_role(
                    "link", name=str(number)
                ).click()
            texts = page.locator(".comment-text").all_inner_texts()
            assert [text.split()[0] for text in texts] == [w.split()[0] for w in expected], order
            current = page.get_by_role("navigation", name="Order of replies").locator(
                "[aria-current]"
            )
            expect(current).to_have_text(order)
    assert_accessible(watched, "sorted")
