"""Reading a WordPress export (WXR 1.0 to 1.2) as a stream.

A WXR file is RSS: `<rss><channel>` holds the site's authors, categories and
tags, then one `<item>` per post, page or attachment, each with its comments.
`entries()` gives the channel's children one at a time and forgets each once
it is read, so memory stays the same whatever the file's size.

The file comes from elsewhere: it is parsed by defusedxml, which refuses
entity declarations (the "billion laughs") and external entities, and
`check()` reads it through once before anything is written, so a truncated or
malformed file is refused whole, with the line where it breaks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

# WordPress has named its namespace http:// and https://, for 1.0, 1.1 and 1.2.
_SPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}


def local(tag: str) -> str:
    """ "wp:post_id", "content:encoded", "excerpt:encoded", "title"... whatever
    the export's version spells its namespaces."""
    if not tag.startswith("{"):
        return tag
    space, _, name = tag[1:].partition("}")
    if "wordpress.org/export/" in space:
        return f"excerpt:{name}" if space.rstrip("/").endswith("/excerpt") else f"wp:{name}"
    return f"{_SPACES.get(space, space)}:{name}"


class Refused(Exception):
    """The file is not a WordPress export this importer may read."""


@dataclass(frozen=True)
class Summary:
    items: int
    comments: int


def check(path) -> Summary:
    """Read the whole file once, keeping nothing: it must be well-formed XML
    without entities, an <rss> with a <channel>. Counts what will be read."""
    items = comments = 0
    for entry in entries(path):
        if entry.tag == "item":
            items += 1
            comments += sum(1 for child in entry if local(child.tag) == "wp:comment")
    return Summary(items, comments)


def entries(path) -> Iterator[Element]:
    """The children of <channel>, each complete, in the order of the file.
    Each is cleared once the next is asked for."""
    depth = 0
    channel = None
    try:
        for event, element in iterparse(path, events=("start", "end")):
            if event == "start":
                depth += 1
                if depth == 1 and element.tag != "rss":
                    raise Refused(f"This is not a WordPress export: its root is <{element.tag}>.")
                if depth == 2 and element.tag == "channel":
                    channel = element
                continue
            depth -= 1
            if depth == 2 and channel is not None:
                yield _named(element)
                channel.remove(element)
        if channel is None:
            raise Refused("This is not a WordPress export: it has no <channel>.")
    except ParseError as error:
        line, column = error.position
        raise Refused(f"The file is not well-formed XML (line {line}, column {column}).") from None
    except DefusedXmlException as error:
        raise Refused(
            f"The file declares entities or a document type ({type(error).__name__}), "
            "which an export never needs; it was not read."
        ) from None


def _named(element: Element) -> Element:
    element.tag = local(element.tag)
    return element


def text(element: Element, name: str) -> str:
    """The text of the first child named `name` ("wp:post_id"), or ""."""
    for child in element:
        if local(child.tag) == name:
            return child.text or ""
    return ""


def children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if local(child.tag) == name)
