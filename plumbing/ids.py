"""Database ids in addresses and input: ASCII digits that fit a 64-bit column.

int() accepts "²" and numbers no database column holds; either would end in a
500 deep inside a query (both found in review).
"""

from django.urls import register_converter

MAX_ID = 2**63 - 1
_MAX_DIGITS = 18  # every 18-digit number fits; longer ones are not ids we issue


def parse_id(value) -> int | None:
    """The id in `value`, or None when it cannot be one."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS):
        return None
    number = int(text)
    return number if number >= 1 else None


class IdConverter:
    regex = rf"[0-9]{{1,{_MAX_DIGITS}}}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")
