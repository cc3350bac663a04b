import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.conftest import artifact, log_in
from tests.factories import ArticleFactory, CommentFactory
from tests.newsroom.test_schema import EXPECTED_OPERATIONS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def bulk(page, comment, action):
    row = page.locator("#result_list tbody tr").filter(has_text=comment.body[:40])
    row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label=action)
    page.get_by_role("button", name="Go").click()


def test_moderator_approves_one_reply_and_marks_another_as_spam(page, watched, moderator):
    article = ArticleFactory(title="Troops head east")
    good = CommentFactory(article=article, status="pending", body="A fair question about numbers.")
    bad = CommentFactory(article=article, status="pending", body="Cheap watches at a great price.")

    log_in(page, moderator)
    expect(
        page.get_by_role("link", name=re.compile("2 replies are awaiting moderation"))
    ).to_be_visible()
    page.get_by_role("link", name=re.compile("awaiting moderation")).click()
    expect(page.locator("#result_list")).to_contain_text(good.body)
    page.screenshot(path=artifact("admin-queue.png"), full_page=True)

    bulk(page, good, "Approve selected comments")
    expect(page.locator(".messagelist")).to_contain_text("1 comment approved.")
    bulk(page, bad, "Mark selected comments as spam")
    expect(page.locator(".messagelist")).to_contain_text("1 comment marked as spam.")
    expect(page.locator("#result_list")).to_have_count(0)  # the pending queue is empty

    page.goto(article.get_absolute_url())
    expect(page.locator(f"#comment-{good.pk}")).to_contain_text(good.body)
    expect(page.locator(f"#comment-{bad.pk}")).to_have_count(0)
    assert page.get_by_text("Cheap watches").count() == 0

    assert Comment.objects.get(pk=good.pk).moderated_by == moderator
    assert Comment.objects.get(pk=bad.pk).status == "spam"
    assert watched.csp_violations == []
    assert watched.errors == []


def test_admin_change_page_works_under_the_policy(page, watched, moderator):
    comment = CommentFactory(status="pending", body="Needs a look.")

    log_in(page, moderator)
    page.goto(f"/admin/comments/comment/{comment.pk}/change/")
    page.locator("select[name=status]").select_option("approved")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Comment.objects.get(pk=comment.pk).status == "approved"
    assert watched.csp_violations == []


def test_swagger_ui_works_under_the_policy(page, watched):
    page.goto("/api/docs/")

    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock")).to_have_count(len(EXPECTED_OPERATIONS))
    page.locator(".opblock-summary").first.click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    page.screenshot(path=artifact("api-docs.png"))
    assert watched.csp_violations == []
    assert watched.errors == []
