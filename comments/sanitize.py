"""Turning what a reader typed into the HTML every other reader will see.

Done once, when the comment is written: pages and the API serve the stored
`body_html` as it is. Markup outside the allowlist is not deleted but shown
escaped, as the text the reader typed; links get `rel="nofollow ugc noopener"`.
"""

import html
import re
from urllib.parse import urlsplit

import bleach
from bleach.html5lib_shim import Filter
from linkify_it import LinkifyIt
from linkify_it.tlds import TLDS

from plumbing.text import is_plain_text

from .validators import WEB_SCHEMES

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


# Addresses become links with linkify-it (linkify-it-py), which knows every
# current top-level domain, so "example.xyz" is as much a link as
# "example.com", and only http(s) ones: its mailto:, ftp: and schemeless "//"
# forms are off, as are bare e-mail addresses.
_LINKS = (
    LinkifyIt()
    .tlds(TLDS)
    .add("ftp:", None)
    .add("//", None)
    .add("mailto:", None)
    .set({"fuzzy_email": False})
)
# What linkify-it is given is kept in proportion to the comment. Its patterns
# look ahead within a run of non-blank characters, so a run of thousands of dots
# and brackets would cost the square of its length: no address a reader would
# click is that long, and longer runs are left as text. A run that fails late
# (after trying every top-level domain at each dot) costs it far more than one
# that is a link: only runs with a scheme or a known top-level domain after a
# dot are searched, each on its own (a link never spans a blank). And past
# MAX_ADDRESSES runs that may hold one, the rest of a comment is text: it is
# held for moderation long before that (COMMENTS_MAX_LINKS).
MAX_LINKED_RUN = 1000
MAX_ADDRESSES = 50
_RUN = re.compile(r"\S+")
_LABEL = re.compile(r"\.([^\W_]+(?:-+[^\W_]+)*)")  # "com", "xn--p1ai"
_KNOWN_TLDS = frozenset(tld.lower() for tld in TLDS)


def _may_hold_address(word: str) -> bool:
    return len(word) <= MAX_LINKED_RUN and (
        "://" in word or any(label.lower() in _KNOWN_TLDS for label in _LABEL.findall(word))
    )


class Addresses:
    """Finds the web addresses in the text of one comment, a run of text at a time."""

    def __init__(self):
        # Runs that may still be searched, less the links written in the comment.
        self.left = MAX_ADDRESSES

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, address) of each address a reader would take for a link."""
        found = []
        for run in _RUN.finditer(text):
            if self.left <= 0:
                break
            word = run.group()
            if not _may_hold_address(word):
                continue
            self.left -= 1
            start = run.start()
            found.extend(
                (start + match.index, start + match.last_index, match.url)
                for match in _LINKS.match(word) or []
                if urlsplit(match.url).scheme.lower() in WEB_SCHEMES
            )
        return found

    def tokens(self, text: str):
        """`text` as html5lib tokens: Characters, and a link for each address."""
        start = 0
        for begin, end, url in self.find(text):
            if begin > start:
                yield {"type": "Characters", "data": text[start:begin]}
            yield {
                "type": "StartTag",
                "name": "a",
                "namespace": None,
                "data": {(None, "href"): url, (None, "rel"): LINK_REL},
            }
            yield {"type": "Characters", "data": text[begin:end]}
            yield {"type": "EndTag", "name": "a", "namespace": None}
            start = end
        if start < len(text):
            yield {"type": "Characters", "data": text[start:]}

    def html(self, line: str) -> str:
        """One line as text: every character shown as typed (markup and entity
        references too), its addresses links."""
        pieces, start = [], 0
        for begin, end, url in self.find(line):
            href = url.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            text = html.escape(line[begin:end], quote=False)
            pieces.append(html.escape(line[start:begin], quote=False))
            pieces.append(f'<a href="{href}" rel="{LINK_REL}">{text}</a>')
            start = end
        pieces.append(html.escape(line[start:], quote=False))
        return "".join(pieces)


_TEXT_TOKENS = frozenset({"Characters", "SpaceCharacters"})
_NOT_LINKIFIED = frozenset({"a", "code"})


class LinkFilter(Filter):
    """Turns addresses in the text into links and marks every link (LINK_REL).

    Runs after bleach's allowlist, over its tokens: text inside <a> and <code>
    is left alone, and a run of text is searched whole, so "?a=1&b=2" stays
    in its address.
    """

    def __iter__(self):
        addresses = Addresses()
        inside = 0  # depth of <a> and <code> elements around the current token
        pending: list[str] = []
        for token in super().__iter__():
            kind = token["type"]
            if kind in _TEXT_TOKENS and not inside:
                pending.append(token["data"])
                continue
            if pending:
                yield from addresses.tokens("".join(pending))
                pending.clear()
            if kind == "StartTag" and token["name"] in _NOT_LINKIFIED:
                inside += 1
                if token["name"] == "a" and (None, "href") in token["data"]:
                    token["data"][(None, "rel")] = LINK_REL
                    addresses.left -= 1  # a link written is one fewer to find
            elif kind == "EndTag" and token["name"] in _NOT_LINKIFIED:
                inside = max(inside - 1, 0)
            yield token
        if pending:
            yield from addresses.tokens("".join(pending))


_comment_cleaner = bleach.Cleaner(
    tags=COMMENT_TAGS | PARAGRAPH_TAGS,
    attributes=COMMENT_ATTRIBUTES,
    protocols=COMMENT_PROTOCOLS,
    strip=False,
    strip_comments=True,
    filters=[LinkFilter],
)


def clean_comment_html(html: str) -> str:
    """Apply the comment allowlist to HTML (links marked, everything else escaped)."""
    return _comment_cleaner.clean(html)


# The HTML parser's work grows with the square of the formatting elements left
# open at once, so a comment of a thousand "<b>" would cost it a second; and it
# opens every formatting element left open again in each new paragraph or
# quotation, at some 25 microseconds each, so a hundred unclosed tags over a
# thousand paragraphs would cost seconds and make a megabyte of HTML. No reply
# needs more than MAX_TAGS tags, nor to have more than MAX_REOPENED elements
# opened again: past either, the comment is not parsed as HTML at all, and all
# of its markup is shown as the text the reader typed (as markup outside the
# allowlist always is), its addresses still links.
MAX_TAGS = 100
MAX_REOPENED = 200
_TAG_LIKE = re.compile(r"<[!/?a-zA-Z]")
# The allowlist's formatting elements (html5lib opens them again) and the blocks
# that make it do so.
_FORMATTING_OR_BLOCK = re.compile(
    r"<(/?)(a|b|code|em|i|s|strong|blockquote|p)(?=[\s/>])", re.IGNORECASE
)
_BLOCKS = frozenset({"blockquote", "p"})


def _reopened(paragraphs: list[str]) -> int:
    """How many formatting elements the parser would open again, block after block."""
    open_now = reopened = 0
    for number, part in enumerate(paragraphs):
        if number:
            reopened += open_now
        for closing, name in _FORMATTING_OR_BLOCK.findall(part):
            if name.lower() in _BLOCKS:
                reopened += open_now
            else:
                open_now = max(open_now - 1 if closing else open_now + 1, 0)
    return reopened


def render_comment(text: str) -> str:
    """The sanitized HTML for a comment: paragraphs at blank lines, <br> at single ones."""
    paragraphs = _paragraphs(text)
    # Most replies are plain text: without "<" or "&" there is neither markup nor
    # a reference for the parser to find, and, unless control characters need
    # its replacing, its output would be the text escaped with its addresses
    # linked, which _as_text writes directly (a test holds the two to the same
    # output).
    plain = "<" not in text and "&" not in text and is_plain_text(text)
    if plain or len(_TAG_LIKE.findall(text)) > MAX_TAGS or _reopened(paragraphs) > MAX_REOPENED:
        return _as_text(paragraphs)
    return _as_markup(paragraphs)


def _paragraphs(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return [part.strip() for part in _PARAGRAPH_BREAK.split(text) if part.strip()]


def _as_text(paragraphs: list[str]) -> str:
    """Every character shown as typed, addresses linked."""
    addresses = Addresses()
    return "".join(
        "<p>{}</p>".format("<br>".join(map(addresses.html, part.split("\n"))))
        for part in paragraphs
    )


def _as_markup(paragraphs: list[str]) -> str:
    """The allowlisted markup kept, the rest shown as typed, addresses linked."""
    draft = "".join("<p>{}</p>".format(part.replace("\n", "<br>")) for part in paragraphs)
    return clean_comment_html(draft)


# body_html is our own serializer's output: every "<a " starts a tag (a "<" in
# an attribute is written "&lt;"), each attribute value is in double quotes
# (a '"' in it is written "&quot;"), and a link is an <a> with an href.
_LINK_TAG = re.compile(r'<a(?: [\w:-]+="[^"]*")* href="')


def count_links(body_html: str) -> int:
    return len(_LINK_TAG.findall(body_html))
