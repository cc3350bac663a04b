import sys
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from plumbing.text import reject_control_characters


def refused(text: str, **options) -> bool:
    try:
        reject_control_characters(text, **options)
    except ValidationError:
        return True
    return False


def noncharacter(code: int) -> bool:
    # Unicode's definition (chapter 23.7): 32 in the Arabic block, 2 per plane.
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def test_refused_characters_are_exactly_unicodes_cc_cs_and_noncharacters():
    # Every code point, against Unicode's own classification. U+FFFD stands for
    # bytes that were not UTF-8 and is refused for that reason.
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        control = unicodedata.category(char) in {"Cc", "Cs"} or noncharacter(code)
        line_break = char in "\n\r\t"
        unreadable = char == "\ufffd"
        assert refused(f"a{char}b") is (control or unreadable), hex(code)
        assert refused(f"a{char}b", allow_newlines=True) is (
            (control and not line_break) or unreadable
        ), hex(code)


@pytest.mark.parametrize("text", ["plain", "é ü ß", "emoji 🙂", "tab\tand\nnew\r\nlines"])
def test_ordinary_text_passes_in_long_text(text):
    assert not refused(text, allow_newlines=True)
