import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.conftest import artifact
from tests.factories import ArticleFactory, CommentFactory, yesterday

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _no_waiting(settings):
    # A person takes longer than COMMENTS_MIN_SECONDS; a test need not.
    settings.COMMENTS_MIN_SECONDS = 0


def fill_reply(page, *, name="Ada Lovelace", email="ada@example.org", body="A thoughtful reply."):
    form = page.locator("#commentform")
    form.get_by_role("textbox", name="Name").fill(name)
    form.get_by_role("textbox", name="E-mail").fill(email)
    form.get_by_role("textbox", name="Comment").fill(body)
    return form


def test_top_level_reply_awaits_moderation_and_its_author_sees_it(page, watched, settings):
    settings.COMMENTS_MODERATION = "all"
    article = ArticleFactory(title="Troops head east")

    page.goto(article.get_absolute_url())
    page.screenshot(path=artifact("article-page.png"), full_page=True)
    fill_reply(page, body="Which countries are taking part?")
    page.get_by_role("button", name="Post reply").click()

    comment = Comment.objects.get()
    expect(page).to_have_url(re.compile(rf"#comment-{comment.pk}$"))
    expect(page.get_by_role("status").filter(has_text="awaiting moderation")).to_be_visible()
    mine = page.locator(f"#comment-{comment.pk}")
    expect(mine).to_contain_text("Which countries are taking part?")
    expect(mine.get_by_text("Awaiting moderation")).to_be_visible()
    assert watched.csp_violations == []

    stranger = page.context.browser.new_page(base_url=page.url.split("/articles/")[0])
    stranger.goto(article.get_absolute_url())
    expect(stranger.locator(f"#comment-{comment.pk}")).to_have_count(0)
    stranger.close()


def test_reply_link_answers_the_right_comment(page, settings):
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()
    bo = CommentFactory(article=article, author_name="Bo", body="First thought.")
    CommentFactory(article=article, author_name="Cy", body="Another thought.")

    page.goto(article.get_absolute_url())
    page.get_by_role("link", name="Reply to Bo").click()

    expect(page).to_have_url(re.compile(rf"\?replytocom={bo.pk}#respond$"))
    expect(page.locator(".replying-to")).to_contain_text("Replying to Bo")
    fill_reply(page, body="Answering Bo.")
    page.get_by_role("button", name="Post reply").click()

    reply = Comment.objects.get(body="Answering Bo.")
    assert reply.parent_id == bo.pk
    nested = page.locator(f"#comment-{bo.pk} > ol.children > #comment-{reply.pk}")
    expect(nested).to_contain_text("Answering Bo.")
    expect(nested).to_be_in_viewport()


def test_cancel_reply_goes_back_to_a_top_level_reply(page):
    article = ArticleFactory()
    bo = CommentFactory(article=article, author_name="Bo")

    page.goto(f"{article.get_absolute_url()}?replytocom={bo.pk}#respond")
    page.get_by_role("link", name="Cancel reply").click()

    expect(page.locator(".replying-to")).to_have_count(0)
    expect(page.locator("#id_parent")).to_have_value("")


@pytest.mark.parametrize("remember", [True, False])
def test_save_my_details_prefills_the_next_visit_only_when_ticked(page, settings, remember):
    settings.COMMENTS_MODERATION = "none"
    article = ArticleFactory()

    page.goto(article.get_absolute_url())
    form = fill_reply(page, name="Grace", email="grace@example.org")
    form.get_by_role("textbox", name="Website").fill("https://grace.example.org")
    if remember:
        form.get_by_label(re.compile("Save my name")).check()
    form.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("status").filter(has_text="published")).to_be_visible()

    page.goto(ArticleFactory().get_absolute_url())
    form = page.locator("#commentform")
    if remember:
        expect(form.get_by_role("textbox", name="Name")).to_have_value("Grace")
        expect(form.get_by_role("textbox", name="E-mail")).to_have_value("grace@example.org")
        expect(form.get_by_role("textbox", name="Website")).to_have_value(
            "https://grace.example.org"
        )
        expect(form.get_by_label(re.compile("Save my name"))).to_be_checked()
    else:
        expect(form.get_by_role("textbox", name="Name")).to_have_value("")
        expect(form.get_by_role("textbox", name="E-mail")).to_have_value("")
        cookies = {cookie["name"] for cookie in page.context.cookies()}
        assert "newsroom_commenter" not in cookies


def test_missing_email_shows_the_error_and_keeps_the_text(page):
    article = ArticleFactory()
    long_text = "I spent a while on this.\n\nSecond paragraph of careful thought."

    page.goto(article.get_absolute_url())
    fill_reply(page, email="", body=long_text)
    page.get_by_role("button", name="Post reply").click()

    email = page.get_by_role("textbox", name="E-mail")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("This field is required"))
    expect(page.get_by_role("textbox", name="Comment")).to_have_value(long_text)
    expect(page.get_by_role("textbox", name="Name")).to_have_value("Ada Lovelace")
    expect(page.locator(".form-error-summary")).to_be_in_viewport()
    assert not Comment.objects.exists()


def test_closed_article_shows_no_form(page):
    article = ArticleFactory(comments_close_at=yesterday())
    CommentFactory(article=article, body="From before.")

    page.goto(article.get_absolute_url())

    expect(page.get_by_text("Comments are closed for this article.")).to_be_visible()
    expect(page.locator("#commentform")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Reply to"))).to_have_count(0)
    expect(page.get_by_text("From before.")).to_be_visible()


def test_form_basics_for_keyboard_and_screen_readers(page):
    article = ArticleFactory()

    page.goto(article.get_absolute_url())
    form = page.locator("#commentform")

    for label in ("Name", "E-mail", "Comment"):
        field = form.get_by_role("textbox", name=label)
        expect(field).to_be_visible()
        expect(field).to_have_attribute("required", "")
        expect(field).to_have_accessible_name(re.compile(rf"^{label}\s*\*$"))
    website = form.get_by_role("textbox", name="Website")
    expect(website).not_to_have_attribute("required", "")
    expect(form.get_by_role("textbox", name="E-mail")).to_have_accessible_description(
        "Never shown to anyone."
    )
    expect(form.get_by_role("checkbox", name=re.compile("Save my name"))).to_be_visible()
    expect(form.get_by_role("checkbox", name=re.compile("E-mail me when"))).to_be_visible()
    expect(
        form.get_by_role("checkbox", name=re.compile("E-mail me every new reply"))
    ).to_be_visible()
    # The honeypot is not in the accessibility tree and not reachable by Tab.
    expect(form.get_by_role("textbox", name="Leave this field empty")).to_have_count(0)
    snapshot = form.aria_snapshot()
    assert "Leave this field empty" not in snapshot

    form.get_by_role("textbox", name="Name").focus()
    visited = []
    for _ in range(6):
        page.keyboard.press("Tab")
        visited.append(page.evaluate("document.activeElement.name || document.activeElement.id"))
    assert visited[:5] == ["email", "url", "body", "remember", "notify"]
    assert "homepage" not in visited
