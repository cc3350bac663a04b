"""Comments built to make a sanitizer or a link finder slow: the units a
backtracking pattern tries again and again, repeated to any length.

The tests check that each renders to allowlisted markup; `bench/hostile.py`
times each one at 1,000 and 5,000 characters.
"""

UNITS = [
    # Dots and dashes: domain-like runs that never end in a top-level domain.
    "a.-",
    "a.a-",
    "-a.",
    "1.-",
    "a.",
    "a..",
    "a. ",
    "ab.cd ",
    "www.",
    "www.a.",
    "a.b ",
    "a.bd ",
    "_.com ",
    "-.com ",
    "a.com. ",
    "@a.com ",
    "www.a.com ",
    "a.b.c.d.e-",
    "1.1.1.",
    "xn--",
    "例え.",
    "ⓐ.",
    "\u0301.",
    "🙂.",
    # Addresses with schemes, and what follows them.
    "http://a.",
    "https://",
    "http://x.com/(((",
    "http://x.com/[[[",
    "http://x.com/{{{",
    "http://x.com/a?b=",
    "http://x.com/#",
    "http://a.b/c(d",
    "http://@",
    "http://a:",
    "x.com/",
    "x.com/( ",
    "http://a.b ",
    "http://a.com/",
    "a.com:1",
    "a.com/?",
    "a:b@",
    "a@b.",
    ":/",
    # Markup and entities.
    "<b>",
    "<a href=x>",
    "</",
    "<!--",
    "<code>",
    "&amp;",
    "&#x",
    "&lt;",
    "((((",
    "\"'",
    "%",
    "\n\n",
]


def body(unit: str, length: int) -> str:
    """`unit` repeated to exactly `length` characters."""
    return (unit * (length // len(unit) + 1))[:length]


def _unclosed_then_paragraphs(tag: str, closing: str = ""):
    # One tag left open for every 50 characters, then paragraphs (or quotations).
    def build(length: int) -> str:
        opened = "".join(f"<{tag} a{n}>" for n in range(length // 50))
        return body(opened + f"x{closing}\n\n" * length, length)

    return build


def _closed_in_every_paragraph(length: int) -> str:
    # What a reader who likes emphasis writes: nothing is left open.
    return body("<em>Yes</em>, <b>really</b> https://example.org/.\n\n", length)


# Comments that are not one unit repeated: markup left open, then many paragraphs
# (the parser opens it again in each one), and markup closed as it should be.
SHAPES = {
    "open <i>, then paragraphs": _unclosed_then_paragraphs("i"),
    "open <a href>, then paragraphs": _unclosed_then_paragraphs('a href="http://x.example/"'),
    "open <b>, then quotations": _unclosed_then_paragraphs("b", "<blockquote>q</blockquote>"),
    "closed markup, paragraphs": _closed_in_every_paragraph,
}


def corpus(length: int = 5000) -> list[tuple[str, str]]:
    """(what it is made of, a comment of `length` characters), for every unit and shape."""
    return [(repr(unit), body(unit, length)) for unit in UNITS] + [
        (name, build(length)) for name, build in SHAPES.items()
    ]
