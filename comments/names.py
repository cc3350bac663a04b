"""Names readers may not post under: the newsroom's own and its staff's.

Names are compared by their skeleton: Unicode compatibility forms folded
(NFKC), letter case folded, characters that look like Latin letters (a
Cyrillic capital IE, a Greek small omicron) taken as those letters, using the
confusables data of the Unicode Consortium as packaged by
confusable-homoglyphs, and everything but letters and digits left out. "The
Editors" spelt with a Cyrillic E and "the editors!" both read "theeditors".
"""

import functools
import time
import unicodedata

from confusable_homoglyphs import confusables
from django.conf import settings
from django.contrib.auth import get_user_model

from plumbing.text import without_control_characters

STAFF_NAMES_SECONDS = 60  # a new colleague's name is protected within a minute


def skeleton(name: str) -> str:
    """What a name looks like, whatever characters spell it."""
    letters = [_latin(character) for character in unicodedata.normalize("NFKC", name)]
    folded = unicodedata.normalize("NFKC", "".join(letters)).casefold()
    return "".join(c for c in folded if c.isalnum())


def _latin(character: str) -> str:
    """The ASCII letter `character` passes for, if any. Its capital is tried too: a
    small Cyrillic "т" looks like a small capital T, its capital like a T."""
    if character.isascii():
        return character
    for form in (character, character.upper()):
        found = confusables.is_confusable(form, preferred_aliases=["latin"])
        for glyph in found[0]["homoglyphs"] if found else ():
            if glyph["c"].isascii():
                return glyph["c"]
    return character


def signed_in_staff(request):
    """The member of staff signed in to the site who sent `request`, if any."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated and user.is_staff else None


def staff_display_name(user) -> str:
    """The name a staff member's replies carry: their full name, never their login."""
    name = without_control_characters(user.get_full_name()).strip()
    return name or f"{settings.SITE_NAME} staff"


_staff_names: tuple[float, frozenset[str]] = (0.0, frozenset())


def _staff_skeletons() -> frozenset[str]:
    global _staff_names
    read_at, names = _staff_names
    if time.monotonic() - read_at > STAFF_NAMES_SECONDS:
        users = get_user_model().objects.filter(is_staff=True, is_active=True)
        names = frozenset(
            skeleton(staff_display_name(user)) for user in users.only("first_name", "last_name")
        )
        _staff_names = (time.monotonic(), names)
    return names


def forget_staff_names() -> None:
    global _staff_names
    _staff_names = (0.0, frozenset())


def is_reserved(name: str) -> bool:
    """Whether a reader's `name` would pass for the newsroom's or one of its staff."""
    shape = skeleton(name)
    if not shape:
        return False
    reserved = _reserved_skeletons(settings.SITE_NAME, *settings.COMMENTS_RESERVED_NAMES)
    return shape in reserved or shape in _staff_skeletons()


@functools.cache
def _reserved_skeletons(*names: str) -> frozenset[str]:
    # Worked out once per list of names (settings do not change while a process runs).
    return frozenset(map(skeleton, names))
