"""Turning what a reader typed into the HTML every other reader will see.

Done once, when the comment is written: pages and the API serve the stored
`body_html` as it is. Markup outside the allowlist is not deleted but shown
escaped, as the text the reader typed; links get `rel="nofollow ugc noopener"`.
"""

import re
from functools import partial
from urllib.parse import urlsplit

import bleach
from bleach.linkifier import LinkifyFilter, build_url_re

COMMENT_TAGS = frozenset(
    {"a", "abbr", "b", "blockquote", "cite", "code", "del", "em", "i", "q", "s", "strong"}
)
# Produced from the reader's line breaks; harmless when typed by hand.
PARAGRAPH_TAGS = frozenset({"p", "br"})
COMMENT_PROTOCOLS = frozenset({"http", "https", "mailto"})


def _link_attribute(tag: str, name: str, value: str) -> bool:
    if name == "href":
        # Absolute links only: a relative one would point into this site's own pages.
        return urlsplit(value.strip()).scheme.lower() in COMMENT_PROTOCOLS
    return name == "title"


COMMENT_ATTRIBUTES = {"a": _link_attribute, "abbr": ["title"]}
# Search engines should not credit links in comments; opened pages get no handle
# on this one.
LINK_REL = "nofollow ugc noopener"

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


# Linkify only web addresses. Bleach's default list of schemes includes data:,
# and linkified links are made after the allowlist has run (found by hypothesis).
_WEB_URL = build_url_re(protocols=["http", "https"])


def _mark_link(attrs, new=False):
    href = attrs.get((None, "href"))
    if href is None:
        return attrs
    if urlsplit(href.strip()).scheme.lower() not in COMMENT_PROTOCOLS:
        return None  # keep the text, drop the link
    attrs[(None, "rel")] = LINK_REL
    return attrs


_comment_cleaner = bleach.Cleaner(
    tags=COMMENT_TAGS | PARAGRAPH_TAGS,
    attributes=COMMENT_ATTRIBUTES,
    protocols=COMMENT_PROTOCOLS,
    strip=False,
    strip_comments=True,
    filters=[
        partial(
            LinkifyFilter,
            callbacks=[_mark_link],
            skip_tags={"code"},
            parse_email=False,
            url_re=_WEB_URL,
        )
    ],
)


def clean_comment_html(html: str) -> str:
    """Apply the comment allowlist to HTML (links marked, everything else escaped)."""
    return _comment_cleaner.clean(html)


def render_comment(text: str) -> str:
    """The sanitized HTML for a comment: paragraphs at blank lines, <br> at single ones."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [part for part in _PARAGRAPH_BREAK.split(text) if part.strip()]
    draft = "".join("<p>{}</p>".format(part.strip().replace("\n", "<br>")) for part in paragraphs)
    return clean_comment_html(draft)


def count_links(body_html: str) -> int:
    # body_html is our own serializer's output, so every link starts exactly so.
    return body_html.count("<a ")
