"""The editorial allowlist: what an article body may contain.

Editors paste from word processors and other sites; whatever is not on this
list is removed on save, so a pasted `<script>` or `onerror=` never reaches a
reader. Only this module (and comments.sanitize) imports bleach.
"""

from urllib.parse import urlsplit

import bleach

from plumbing.text import without_control_characters

ARTICLE_TAGS = frozenset(
    {
        "p", "br", "hr",
        "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li",
        "blockquote", "q", "cite",
        "a",
        "em", "strong", "i", "b", "u", "s", "del", "ins", "mark", "small", "sub", "sup",
        "abbr", "code", "pre",
        "figure", "figcaption", "img",
    }
)  # fmt: skip

ARTICLE_PROTOCOLS = frozenset({"http", "https", "mailto"})
IMAGE_PROTOCOLS = frozenset({"http", "https"})


def _is_image_source(value: str) -> bool:
    # Absolute http(s) only: no data: images, no protocol-relative tricks.
    parts = urlsplit(value.strip())
    return parts.scheme.lower() in IMAGE_PROTOCOLS and bool(parts.netloc)


def _image_attribute(tag: str, name: str, value: str) -> bool:
    if name == "src":
        return _is_image_source(value)
    if name in {"width", "height"}:
        return value.isascii() and value.isdigit()
    return name in {"alt", "title"}


ARTICLE_ATTRIBUTES = {
    "a": ["href", "title"],
    "abbr": ["title"],
    "blockquote": ["cite"],
    "q": ["cite"],
    "ol": ["start"],
    "img": _image_attribute,
}

_article_cleaner = bleach.Cleaner(
    tags=ARTICLE_TAGS,
    attributes=ARTICLE_ATTRIBUTES,
    protocols=ARTICLE_PROTOCOLS,
    # Editors' markup outside the list is dropped (its text is kept), not shown escaped.
    strip=True,
    strip_comments=True,
)


def clean_article_body(html: str) -> str:
    """Return the article body with only the editorial allowlist left, and no
    character that is not text (a noncharacter would break every feed)."""
    return _article_cleaner.clean(without_control_characters(html)).strip()
