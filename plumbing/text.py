"""Checks on text that any app's fields may use: what is not text is refused."""

import re

from django.core.exceptions import ValidationError

# Characters that reorder or hide text: a name could pose as someone else's.
_INVISIBLE_FORMATTING = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)

# Unicode's control characters (category Cc) and lone surrogates (Cs), and its 66
# noncharacters: U+FDD0 to U+FDEF and the last two code points of every plane.
# All are fixed by Unicode's stability policy. XML forbids U+FFFE and U+FFFF
# outright, so one of them in a comment would break every feed it is in. One
# regular expression instead of a look-up per character.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    chr(plane + 0xFFFE) + chr(plane + 0xFFFF) for plane in range(0, 0x110000, 0x10000)
)
_NOT_TEXT = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
_NOT_TEXT_BUT_LINE_BREAKS = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]"
)


def reject_control_characters(value: str, *, allow_newlines: bool = False) -> None:
    """Refuse NUL and other control characters (newlines and tabs only in text),
    noncharacters, and the replacement character that stands for bytes that
    were not UTF-8."""
    if "\ufffd" in value:
        raise ValidationError(
            "This text contains characters that could not be read (not UTF-8). "
            "Please type them again.",
            code="encoding",
        )
    pattern = _NOT_TEXT_BUT_LINE_BREAKS if allow_newlines else _NOT_TEXT
    if pattern.search(value):
        raise ValidationError(
            "Remove the control characters and noncharacters from this text.", code="control"
        )


def is_plain_text(value: str) -> bool:
    """Whether `value` holds nothing reject_control_characters_in_text refuses."""
    return not _NOT_TEXT_BUT_LINE_BREAKS.search(value)


def reject_control_characters_in_text(value: str) -> None:
    """reject_control_characters for text of several lines."""
    reject_control_characters(value, allow_newlines=True)


def reject_invisible_formatting(value: str) -> None:
    if any(char in _INVISIBLE_FORMATTING for char in value):
        raise ValidationError(
            "Remove the invisible formatting characters from this text.", code="invisible"
        )


def without_control_characters(text: str) -> str:
    """`text` with what reject_control_characters refuses taken out, but its line
    breaks and tabs: for markup whose author is trusted, such as an article body."""
    return _NOT_TEXT_BUT_LINE_BREAKS.sub("", text)
