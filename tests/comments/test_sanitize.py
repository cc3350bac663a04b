from urllib.parse import urlsplit

import pytest

from comments import sanitize
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
from tests.pathological import SHAPES, corpus

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


@pytest.mark.parametrize(
    "address", ["example.xyz", "news.top", "shop.app", "docs.dev", "www.example.museum/page"]
)
def test_addresses_on_every_current_top_level_domain_are_links(address):
    html = render_comment(f"See {address} for more.")

    (link,) = [attrs for tag, attrs in elements(html) if tag == "a"]
    assert link["href"] == f"http://{address}"
    assert count_links(html) == 1


def test_links_count_whatever_their_top_level_domain():
    text = " ".join(f"https://site{n}.xyz/offer" for n in range(10))

    assert count_links(render_comment(text)) == 10


def test_written_links_without_an_address_are_not_counted():
    assert count_links(render_comment('<a href="/local">here</a> <a title="t">there</a>')) == 0


def test_the_link_finder_never_searches_a_run_longer_than_a_link(monkeypatch):
    # Its patterns cost the square of the longest run of non-blank characters;
    # such a run past MAX_LINKED_RUN is left as text instead of searched.
    searched = []
    match = sanitize._LINKS.match
    monkeypatch.setattr(sanitize._LINKS, "match", lambda text: searched.append(text) or match(text))
    long_run = "http://x.com/(((" * 400
    short = "see https://example.org/a"

    html = render_comment(f"{short} {long_run} {short}")

    assert searched
    assert max(len(run) for text in searched for run in text.split()) <= sanitize.MAX_LINKED_RUN
    assert count_links(html) == 2
    assert long_run in html  # kept, as text


@pytest.mark.parametrize(("unit", "text"), corpus(), ids=[name for name, _ in corpus()])
def test_pathological_comments_render_to_allowlisted_markup(unit, text):
    html = render_comment(text)

    assert_only_allowlisted(html)
    assert clean_comment_html(html) == html


def test_past_the_most_addresses_a_comment_shows_the_rest_as_text():
    text = " ".join(f"site{n}.example.com" for n in range(sanitize.MAX_ADDRESSES + 20))

    html = render_comment(text)

    assert count_links(html) == sanitize.MAX_ADDRESSES
    assert "site69.example.com" in html


@pytest.mark.parametrize(
    "line",
    [
        "Plain words, \"quotes\" and 'apostrophes'; a > b.",
        "See https://example.org/report?id=1&x=2 and www.example.com, or (example.xyz).",
        "Unicode: café, 🙂, Ω, and a non\u00a0breaking space.",
    ],
)
def test_with_too_much_markup_text_is_rendered_as_bleach_would_render_it(line):
    tags = "<b>x</b>" * (sanitize.MAX_TAGS // 2 + 1)
    as_markup = render_comment(f"{line}\n\n{line}")

    as_text = render_comment(f"{line}\n\n{line}\n\n{tags}")

    assert as_text.startswith(as_markup)
    assert as_text.endswith("<p>" + "&lt;b&gt;x&lt;/b&gt;" * (sanitize.MAX_TAGS // 2 + 1) + "</p>")
    assert clean_comment_html(as_text) == as_text


@pytest.mark.parametrize(("name", "text"), [(n, t) for n, t in corpus() if n in SHAPES])
def test_markup_left_open_is_not_opened_again_in_every_paragraph(name, text):
    # Once a 5,000-character comment of this kind made a megabyte of HTML.
    html = render_comment(text)

    assert len(html) < 3 * len(text)
    assert_only_allowlisted(html)


def test_the_parser_is_spared_what_it_would_open_again():
    assert sanitize._reopened(["<em>a</em>", "<b>b</b>", "c"]) == 0
    assert sanitize._reopened(["<em><b><i>a", "b", "c", "d"]) == 9
    assert sanitize._reopened(["<i>a<blockquote>q</blockquote>", "</i>b", "c"]) == 3


@pytest.mark.parametrize(
    ("text", "links"),
    [
        # A ">" in an attribute does not end the tag for the count.
        ('<a title=">" href="https://a.example/">a</a> <a href="https://b.example/">b</a>', 2),
        ('<a title="see href=x">not a link</a>', 0),
    ],
)
def test_links_are_counted_whatever_their_attributes_hold(text, links):
    assert count_links(render_comment(text)) == links
