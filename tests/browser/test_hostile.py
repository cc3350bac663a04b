"""The hostile corpus, posted through every door and field, then read in Chromium."""

import json
import math

import pytest
from django.test import Client

from comments.models import Comment
from tests.comments.helpers import form_data, post_url
from tests.factories import ArticleFactory
from tests.hostile import payloads

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Sets a marker the page can be asked about; no quotes, so it fits any context.
MARKER_JS = "window.__pwned=1"

FIND_DANGER = """() => {
    const found = [];
    for (const element of document.querySelectorAll("*")) {
        for (const attribute of element.attributes) {
            const name = attribute.name.toLowerCase();
            const value = attribute.value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase();
            if (name.startsWith("on")) found.push(`${element.tagName} ${name}`);
            if (["href", "src", "action", "formaction", "xlink:href", "data"].includes(name)
                && /^(javascript|vbscript|data):/.test(value)) {
                found.push(`${element.tagName} ${name}=${attribute.value}`);
            }
        }
    }
    const foreign =
        "iframe, object, embed, base, meta[http-equiv], form:not(#commentform, #recommend)";
    for (const element of document.querySelectorAll(foreign)) {
        found.push(element.outerHTML.slice(0, 80));
    }
    return found;
}"""


def post_everything(article) -> int:
    """Each payload as name, as website and as comment through the form, and through the API."""
    form, api = Client(), Client()
    for number, payload in enumerate(payloads(MARKER_JS)):
        for field in ("name", "url", "body"):
            value = payload[:100] if field == "name" else payload
            form.post(
                post_url(article),
                form_data(article, email=f"form-{field}-{number}@example.org", **{field: value}),
            )
        api.post(
            f"/api/v1/articles/{article.slug}/comments/",
            json.dumps(
                {"name": payload[:100], "email": f"api-{number}@example.org", "body": payload}
            ),
            content_type="application/json",
        )
    # Approve everything that was accepted, held or caught, so all of it is shown.
    Comment.objects.update(status=Comment.Status.APPROVED, moderated_at=article.published_at)
    return Comment.objects.count()


def test_no_hostile_input_runs_in_the_browser(page, watched, settings):
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_FLOOD_LIMIT = 100_000
    settings.COMMENTS_API_BURST_RATE = None
    settings.COMMENTS_API_POST_RATE = None
    settings.COMMENTS_MIN_SECONDS = 0
    article = ArticleFactory()

    saved = post_everything(article)
    corpus = payloads(MARKER_JS)
    # Every payload made it in somewhere (as a comment body at least, twice).
    assert saved >= 2 * len(corpus)

    pages = math.ceil(Comment.objects.filter(parent=None).count() / settings.COMMENTS_PER_PAGE)
    shown = 0
    for number in range(1, pages + 1):
        page.goto(f"{article.get_absolute_url()}?cpage={number}")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)  # let failed images fire their error events

        assert page.evaluate("() => window.__pwned") is None, f"page {number}"
        assert page.evaluate(FIND_DANGER) == [], f"page {number}"
        shown += page.locator(".comment-body").count()

    assert shown == saved
    assert watched.dialogs == []
    assert watched.errors == []
    # Not even the Content Security Policy had anything to block.
    assert watched.csp_violations == []
    # Hostile names were stored and shown as text.
    assert Comment.objects.filter(author_name__contains="<script").exists()
