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


def corpus(length: int = 5000) -> list[tuple[str, str]]:
    """(the unit, a comment of `length` characters made of it), for every unit."""
    return [(unit, body(unit, length)) for unit in UNITS]
