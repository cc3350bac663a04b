"""A reader's own reply in Chromium: preview it, post it, edit it within the
window, see the links go once it has passed, and delete one that was answered;
with JavaScript and without. Then every state a reader meets, through axe-core."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.conftest import assert_accessible
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TEXT = "The figures are at example.org/vostok.\n\nA second paragraph."


@pytest.fixture(autouse=True)
def _published_at_once(settings):
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_MIN_SECONDS = 0  # a person takes longer; a test need not


@pytest.fixture(params=[True, False], ids=["with JavaScript", "without"])
def reader(request, browser, live_server, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    context = browser.new_context(base_url=live_server.url, java_script_enabled=request.param)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def fill_reply(page, body, *, name="Ada Lovelace", email="ada@example.org"):
    form = page.locator("#commentform")
    form.get_by_role("textbox", name="Name").fill(name)
    form.get_by_role("textbox", name="E-mail").fill(email)
    form.get_by_role("textbox", name="Comment").fill(body)


def post_reply(page, article, body):
    page.goto(article.get_absolute_url())
    fill_reply(page, body)
    page.get_by_role("button", name="Post reply").click()
    comment = Comment.objects.latest("pk")
    expect(page).to_have_url(re.compile(rf"#comment-{comment.pk}$"))
    return comment


def test_preview_post_edit_and_the_window_closing(reader, settings):
    page = reader
    article = ArticleFactory(title="Troops head east")

    # Preview: rendered as it would be published, nothing sent, the text kept.
    page.goto(article.get_absolute_url())
    fill_reply(page, TEXT)
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".comment-preview")
    expect(preview).to_contain_text("your reply is not sent yet")
    expect(preview.get_by_role("link", name="example.org/vostok")).to_have_attribute(
        "href", "http://example.org/vostok"
    )
    expect(preview.locator("p")).to_have_count(2)
    expect(page.locator("#commentform").get_by_role("textbox", name="Comment")).to_have_value(TEXT)
    assert not Comment.objects.exists()

    # Post it.
    page.get_by_role("button", name="Post reply").click()
    comment = Comment.objects.get()
    mine = page.locator(f"#comment-{comment.pk}")
    expect(mine).to_contain_text("A second paragraph.")
    expect(mine.locator(".comment-edited")).to_have_count(0)

    # Edit it within the window.
    mine.get_by_role("link", name="Edit your reply").click()
    expect(page.get_by_role("heading", name="Edit your reply")).to_be_visible()
    body = page.get_by_role("textbox", name="Comment")
    expect(body).to_have_value(TEXT)
    body.fill("The figures are at example.org/vostok-2026.\n\nA second paragraph, corrected.")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(re.compile(rf"#comment-{comment.pk}$"))
    expect(page.get_by_role("status").filter(has_text="Your edit is published.")).to_be_visible()
    expect(mine).to_contain_text("corrected.")
    expect(mine.locator(".comment-edited")).to_contain_text("edited")

    # Past the window: the links are gone, and the page says why.
    settings.COMMENTS_EDIT_MINUTES = 0.001  # 60 ms: long gone
    page.reload()
    expect(mine).to_contain_text("corrected.")
    expect(mine.get_by_role("link", name="Edit your reply")).to_have_count(0)
    expect(mine.get_by_role("link", name="Delete your reply")).to_have_count(0)
    page.goto(f"{article.get_absolute_url()}comments/{comment.pk}/edit/")
    expect(page.locator(".refusal")).to_contain_text("the time for this one has passed")


def test_deleting_a_reply_that_was_answered_leaves_a_placeholder(reader):
    page = reader
    article = ArticleFactory()
    comment = post_reply(page, article, "A reply I will regret.")
    CommentFactory(article=article, parent=comment, body="An answer that stays.")
    page.reload()

    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Delete your reply").click()
    expect(page.get_by_role("heading", name="Delete your reply?")).to_be_visible()
    page.get_by_role("button", name="Delete reply").click()

    expect(page.get_by_role("status").filter(has_text="Your reply is deleted.")).to_be_visible()
    placeholder = page.locator(f"#comment-{comment.pk}")
    expect(placeholder).to_contain_text("This reply was deleted by its author.")
    expect(placeholder).not_to_contain_text("regret")
    expect(page.get_by_text("An answer that stays.")).to_be_visible()


def test_every_state_a_reader_meets_passes_an_accessibility_audit(page, watched, settings):
    article = ArticleFactory(title="Troops head east")
    CommentFactory(article=article, body="An earlier reply, for the thread.")

    page.goto("/")
    assert_accessible(watched, "front-page")
    page.goto(article.get_absolute_url())
    assert_accessible(watched, "article")

    fill_reply(page, "", email="not an address")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(".form-error-summary")).to_be_visible()
    assert_accessible(watched, "form-errors")

    fill_reply(page, TEXT)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".comment-preview")).to_be_visible()
    assert_accessible(watched, "preview")

    page.get_by_role("button", name="Post reply").click()
    comment = Comment.objects.latest("pk")
    expect(page).to_have_url(re.compile(rf"#comment-{comment.pk}$"))
    assert_accessible(watched, "posted")

    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Edit your reply").click()
    assert_accessible(watched, "edit")
    page.get_by_role("textbox", name="Comment").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".form-error-summary")).to_be_visible()
    assert_accessible(watched, "edit-errors")
    page.get_by_role("textbox", name="Comment").fill("Changed, and previewed.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".comment-preview")).to_be_visible()
    assert_accessible(watched, "edit-preview")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(f"#comment-{comment.pk} .comment-edited")).to_be_visible()
    assert_accessible(watched, "edited")

    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Delete your reply").click()
    assert_accessible(watched, "delete")
    page.get_by_role("button", name="Delete reply").click()
    expect(page.get_by_role("status").filter(has_text="deleted")).to_be_visible()
    assert_accessible(watched, "deleted")

    page.goto(f"{article.get_absolute_url()}comments/{comment.pk}/edit/")
    assert_accessible(watched, "cannot-change")

    settings.COMMENTS_MODERATION = "all"
    page.goto(article.get_absolute_url())
    fill_reply(page, "A reply that waits for a moderator.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Awaiting moderation", exact=True)).to_be_visible()
    assert_accessible(watched, "awaiting-moderation")
