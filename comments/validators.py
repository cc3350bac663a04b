"""Checks shared by the reply form, the API serializer and the models."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

WEB_SCHEMES = frozenset({"http", "https"})
# Characters that reorder or hide text: a name could pose as someone else's.
_INVISIBLE_FORMATTING = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)


# Unicode's control characters (category Cc, fixed by its stability policy) and
# lone surrogates (Cs): one regular expression instead of a look-up per character.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_BUT_LINE_BREAKS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def validate_web_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        raise ValidationError(
            "Enter a web address starting with http:// or https://.", code="scheme"
        )


def reject_control_characters(value: str, *, allow_newlines: bool = False) -> None:
    """Refuse NUL and other control characters (newlines and tabs only in text),
    and the replacement character that stands for bytes that were not UTF-8."""
    if "\ufffd" in value:
        raise ValidationError(
            "This text contains characters that could not be read (not UTF-8). "
            "Please type them again.",
            code="encoding",
        )
    pattern = _CONTROL_BUT_LINE_BREAKS if allow_newlines else _CONTROL
    if pattern.search(value):
        raise ValidationError("Remove the control characters from this text.", code="control")


def reject_invisible_formatting(value: str) -> None:
    if any(char in _INVISIBLE_FORMATTING for char in value):
        raise ValidationError(
            "Remove the invisible formatting characters from this text.", code="invisible"
        )
