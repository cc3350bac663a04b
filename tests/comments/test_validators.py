import sys
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from comments.validators import reject_control_characters


def refused(text: str, **options) -> bool:
    try:
        reject_control_characters(text, **options)
    except ValidationError:
        return True
    return False


def test_control_characters_are_exactly_unicodes_cc_and_cs():
    # Every code point, against Unicode's own classification. U+FFFD stands for
    # bytes that were not UTF-8 and is refused for that reason.
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        control = unicodedata.category(char) in {"Cc", "Cs"}
        line_break = char in "\n\r\t"
        unreadable = char == "\ufffd"
        assert refused(f"a{char}b") is (control or unreadable), hex(code)
        assert refused(f"a{char}b", allow_newlines=True) is (
            (control and not line_break) or unreadable
        ), hex(code)


@pytest.mark.parametrize("text", ["plain", "é ü ß", "emoji 🙂", "tab\tand\nnew\r\nlines"])
def test_ordinary_text_passes_in_long_text(text):
    assert not refused(text, allow_newlines=True)
