"""Reading exports from elsewhere as a stream: WordPress's WXR (1.0 to 1.2)
and Disqus's XML.

A WXR file is RSS: `<rss><channel>` holds the site's authors, categories and
tags, then one `<item>` per post, page or attachment, each with its comments.
A Disqus export is `<disqus>` holding categories, then threads, then posts.
`entries()` gives the container's children one at a time and forgets each
once it is read, so memory stays the same whatever the file's size.

The file comes from elsewhere: it is parsed by defusedxml, which refuses
entity declarations (the "billion laughs") and external entities, and each
importer reads it through once before anything is written (`check()`), so a
truncated or malformed file is refused whole, with the line where it breaks.
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
    "http://disqus.com": "",
    "http://disqus.com/disqus-internals": "dsq",
}


def local(tag: str) -> str:
    """ "wp:post_id", "content:encoded", "excerpt:encoded", "title"... whatever
    the export's version spells its namespaces."""
    if not tag.startswith("{"):
        return tag
    space, _, name = tag[1:].partition("}")
    if "wordpress.org/export/" in space:
        return f"excerpt:{name}" if space.rstrip("/").endswith("/excerpt") else f"wp:{name}"
    prefix = _SPACES.get(space, space)
    return f"{prefix}:{name}" if prefix else name


class Refused(Exception):
    """The file is not a WordPress export this importer may read."""


@dataclass(frozen=True)
class Summary:
    items: int
    comments: int


def check(path) -> Summary:
    """Read the whole WXR file once, keeping nothing: it must be well-formed XML
    without entities, an <rss> with a <channel>. Counts what will be read."""
    items = comments = 0
    for entry in entries(path):
        if entry.tag == "item":
            items += 1
            comments += sum(1 for child in entry if local(child.tag) == "wp:comment")
    return Summary(items, comments)


def entries(path, *, root="rss", container="channel", what="WordPress") -> Iterator[Element]:
    """The children of <container> (the root itself if None), each complete, in
    the order of the file, their tags as local() names them. Each is forgotten
    once the next is asked for."""
    depth = 0
    holder = None  # the container, while it is open
    found = False
    level = 1 if container is None else 2  # the container's depth
    try:
        for event, element in iterparse(path, events=("start", "end")):
            if event == "start":
                depth += 1
                if depth == 1 and local(element.tag) != root:
                    raise Refused(f"This is not a {what} export: its root is <{element.tag}>.")
                if depth == level and (container is None or element.tag == container):
                    holder, found = element, True
                continue
            if depth == level + 1 and holder is not None:
                yield _named(element)
                holder.remove(element)
            elif depth == level:
                holder = None  # another element beside the container: not read
            depth -= 1
        if not found:
            raise Refused(f"This is not a {what} export: it has no <{container}>.")
    except ParseError as error:
        line, column = error.position
        raise Refused(f"The file is not well-formed XML (line {line}, column {column}).") from None
    except (LookupError, UnicodeError):
        raise Refused("The file's encoding is unknown or its bytes do not match it.") from None
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
