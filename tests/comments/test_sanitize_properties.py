"""Properties of the sanitizers, for any input hypothesis can think of."""

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from articles.sanitize import clean_article_body
from comments import sanitize
from comments.sanitize import clean_comment_html, render_comment
from plumbing.text import is_plain_text
from tests.articles.test_sanitize import _check_only_allowlisted as check_article_markup
from tests.comments.test_sanitize import assert_only_allowlisted as check_comment_markup

FRAGMENTS = [
    "<", ">", "</", "/>", '"', "'", "=", "&", "&#", "&#x", ";", " ", "\n", "\n\n", "\t",
    "a", "b", "p", "br", "em", "q", "code", "abbr", "blockquote", "img", "svg", "math",
    "script", "style", "iframe", "object", "template", "noscript", "textarea", "title",
    "href", "src", "title", "rel", "onerror", "onload", "style", "xlink:href", "srcdoc",
    "javascript:", "JaVaScRiPt:", "data:", "vbscript:", "http://", "https://", "mailto:",
    "www.example.com", "example.org", "alert(1)", "<!--", "-->", "<![CDATA[", "]]>",
    "\x00", "\u202e", "\ufeff", "é", "😀",
]  # fmt: skip

html_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=40).map(
    "".join
)

enough = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@enough
@given(html_like)
@example("data:www.example.com")  # once linkified into a data: link
def test_comment_output_holds_only_allowlisted_markup(text):
    check_comment_markup(render_comment(text))


@enough
@given(html_like)
def test_sanitizing_a_comment_twice_changes_nothing(text):
    once = render_comment(text)

    assert clean_comment_html(once) == once


@enough
@given(html_like)
@example("data:www.example.com")
def test_comment_allowlist_cleaning_is_idempotent(text):
    once = clean_comment_html(text)

    assert clean_comment_html(once) == once


@enough
@given(html_like)
def test_article_output_holds_only_allowlisted_markup(text):
    check_article_markup(clean_article_body(text))


@enough
@given(html_like)
def test_sanitizing_an_article_twice_changes_nothing(text):
    once = clean_article_body(text)

    assert clean_article_body(once) == once


PLAIN_FRAGMENTS = [f for f in FRAGMENTS if "<" not in f and "&" not in f]
plain_text = (
    st.lists(st.one_of(st.sampled_from(PLAIN_FRAGMENTS), st.text(max_size=6)), max_size=60)
    .map("".join)
    .map(lambda text: text.replace("<", "").replace("&", ""))
    .filter(is_plain_text)  # what the reply form and the API let through
)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plain_text)
@example("See https://example.org/a?b=1 and www.example.com, or (example.xyz) > that.")
@example("Quotes \" and ', a tab\there,\nlines\n\n  paragraphs, café 🙂 and\u00a0no-break.")
@example("x.com/( a.- http://a.b " * 40)
def test_plain_text_is_rendered_as_the_html_parser_would_render_it(text):
    # Replies without "<" or "&" skip the parser: the output must not differ.
    assert render_comment(text) == sanitize._as_markup(sanitize._paragraphs(text))
