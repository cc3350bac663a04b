from urllib.parse import urlsplit

import pytest

from comments.sanitize import (
    COMMENT_PROTOCOLS,
    COMMENT_TAGS,
    LINK_REL,
    PARAGRAPH_TAGS,
    clean_comment_html,
    count_links,
    render_comment,
)
from tests.hostile import payloads
from tests.html import elements

ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "abbr": {"title"}}
HOSTILE = payloads()


def assert_only_allowlisted(html: str) -> None:
    for tag, attrs in elements(html):
        assert tag in COMMENT_TAGS | PARAGRAPH_TAGS, (tag, html)
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()), (tag, attrs, html)
        for name in attrs:
            assert not name.startswith("on"), (name, html)
        if "href" in attrs:
            # What a browser would take for the scheme: leading blanks and controls ignored.
            href = "".join(ch for ch in attrs["href"] if ch > " ").lower()
            assert urlsplit(href).scheme in COMMENT_PROTOCOLS, (attrs["href"], html)
            assert attrs["rel"] == LINK_REL


def test_the_corpus_is_big_enough():
    assert len(HOSTILE) >= 60


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_comment_leaves_only_allowlisted_markup(hostile):
    assert_only_allowlisted(render_comment(hostile))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_cleaning_sanitized_html_again_changes_nothing(hostile):
    once = render_comment(hostile)

    assert clean_comment_html(once) == once


def test_disallowed_markup_is_shown_as_text():
    assert render_comment("I <3 <div>tags</div>") == "<p>I &lt;3 &lt;div&gt;tags&lt;/div&gt;</p>"


def test_allowed_inline_markup_is_kept():
    text = "Some <em>emphasis</em>, <strong>weight</strong>, <code>x = 1</code> and <q>a quote</q>."

    assert render_comment(text) == f"<p>{text}</p>"


def test_line_breaks_become_paragraphs_and_breaks():
    text = "First line\nsecond line\n\n\nNew paragraph\r\n\r\nLast"

    assert render_comment(text) == (
        "<p>First line<br>second line</p><p>New paragraph</p><p>Last</p>"
    )


def test_urls_are_linkified_with_ugc_rel():
    html = render_comment("Source: https://example.org/report?id=1&x=2 and www.example.com")

    assert html == (
        '<p>Source: <a href="https://example.org/report?id=1&amp;x=2" rel="nofollow ugc noopener">'
        "https://example.org/report?id=1&amp;x=2</a> and "
        '<a href="http://www.example.com" rel="nofollow ugc noopener">www.example.com</a></p>'
    )


def test_written_links_get_ugc_rel_and_lose_other_attributes():
    html = render_comment(
        '<a href="https://example.org" rel="author" target="_blank" class="x">me</a>'
    )

    assert html == '<p><a href="https://example.org" rel="nofollow ugc noopener">me</a></p>'


@pytest.mark.parametrize(
    "text", ["data:www.example.com", "ftp://files.example.org/x", "vbscript:www.example.com"]
)
def test_only_web_addresses_are_linkified(text):
    html = render_comment(text)

    hrefs = [attrs["href"] for tag, attrs in elements(html) if tag == "a"]
    assert all(href.startswith(("http://", "https://")) for href in hrefs)
    assert html.startswith(f"<p>{text.split(':')[0]}:")


def test_code_is_not_linkified():
    assert render_comment("<code>www.example.com</code>") == "<p><code>www.example.com</code></p>"


def test_count_links():
    assert (
        count_links(
            render_comment("a https://a.example.org b https://b.example.org <a href=#x>local</a>")
        )
        == 2
    )
