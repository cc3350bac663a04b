"""The cookies a reader may get, all signed so they cannot be forged.

- "Remember me": name, e-mail and website to prefill the form. Set only when
  the reader ticks the box; unticking it deletes the cookie.
- Own comments: ids of the comments posted from this browser. The author
  alone sees their own replies awaiting moderation in the thread, and a
  browser whose earlier reply was approved counts as a returning author (an
  e-mail address alone proves nothing: anyone can type it).
- Reported: ids of the replies this browser reported, so it reports each once.
  Nothing on a page depends on it, so it leaves pages shared.
- Reader key: a random key given on a browser's first recommendation, so it
  recommends each reply once and can take it back. A key says nothing (a new
  one is no worse than none; services.recommend bounds what one address
  counts), so it is not signed; nothing on a page depends on it either.
- Signed in as a commenter: which confirmed address this browser speaks for,
  set only when the reader asks on the confirmation page (see below).
"""

import json
import re
import secrets

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare

from plumbing.ids import parse_id
from plumbing.pagecache.personal import personal_cookie

from .models import Comment, Subscriber
from .threads import OWN_VISIBLE_STATUSES

# Both make a page personal: it shows the reader's details or own replies. The
# article page shares its copy with them where it can (comments/apps.py).
REMEMBER_COOKIE = personal_cookie("newsroom_commenter")
REMEMBER_SALT = "comments.remember"
REMEMBER_MAX_AGE = 365 * 24 * 60 * 60

OWN_COOKIE = personal_cookie("newsroom_own_comments")
OWN_SALT = "comments.own"
OWN_MAX_AGE = 30 * 24 * 60 * 60
OWN_LIMIT = 20  # the most recent ones are enough, and the cookie stays small


def _cookie_options(max_age: int) -> dict:
    return {
        "max_age": max_age,
        "httponly": True,
        "secure": settings.SESSION_COOKIE_SECURE,
        "samesite": "Lax",
    }


def remembered_author(request) -> dict[str, str]:
    raw = request.get_signed_cookie(REMEMBER_COOKIE, default=None, salt=REMEMBER_SALT)
    if raw is None:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: data[key] for key in ("name", "email", "url") if isinstance(data.get(key), str)}


def remember_author(response, *, name: str, email: str, url: str) -> None:
    value = json.dumps({"name": name, "email": email, "url": url})
    response.set_signed_cookie(
        REMEMBER_COOKIE, value, salt=REMEMBER_SALT, **_cookie_options(REMEMBER_MAX_AGE)
    )


def forget_author(response) -> None:
    response.delete_cookie(REMEMBER_COOKIE, samesite="Lax")


class IdsCookie:
    """A signed cookie listing comment ids, the most recent `limit` of them."""

    def __init__(self, name: str, salt: str, max_age: int, limit: int):
        self.name, self.salt, self.max_age, self.limit = name, salt, max_age, limit

    def read(self, request) -> frozenset[int]:
        raw = request.get_signed_cookie(self.name, default="", salt=self.salt, max_age=self.max_age)
        return frozenset(filter(None, map(parse_id, raw.split(","))))

    def add(self, request, response, comment_id: int) -> None:
        ids = [*sorted(self.read(request) - {comment_id}), comment_id][-self.limit :]
        response.set_signed_cookie(
            self.name,
            ",".join(str(i) for i in ids),
            salt=self.salt,
            **_cookie_options(self.max_age),
        )


OWN = IdsCookie(OWN_COOKIE, OWN_SALT, OWN_MAX_AGE, OWN_LIMIT)
REPORTED = IdsCookie("newsroom_reported", "comments.reported", 90 * 24 * 60 * 60, 50)


def own_comment_ids(request) -> frozenset[int]:
    """The ids the browser's cookie lists, read once per request (a page may ask
    for each of its replies)."""
    ids = getattr(request, "_own_comment_ids", None)
    if ids is None:
        ids = request._own_comment_ids = OWN.read(request)
    return ids


def add_own_comment(request, response, comment_id: int) -> None:
    OWN.add(request, response, comment_id)


def own_replies_matter(request, marks: frozenset[str]) -> bool:
    """Whether a page kept for every reader (which noted `marks` when it was
    made: plumbing.pagecache.personal.shows) would be wrong for this browser:
    a discussion it shows holds one of the browser's replies for moderation,
    shown to their author alone (where it may add a page). A published reply
    of theirs is drawn for them in the kept page (comments.rendering.OWN_REPLY)."""
    own = own_comment_ids(request)
    if not own:
        return False
    discussions = [
        int(mark[len("discussion:") :]) for mark in marks if mark.startswith("discussion:")
    ]
    return bool(discussions) and (
        Comment.objects.filter(
            pk__in=own, article_id__in=discussions, status__in=OWN_VISIBLE_STATUSES
        ).exists()
    )


READER_COOKIE = "newsroom_reader"
READER_MAX_AGE = 365 * 24 * 60 * 60
_READER_KEY = re.compile(r"[A-Za-z0-9_-]{24}")


def reader_key(request) -> str:
    """This browser's reader key, or a new one if it has none of ours (give it
    with keep_reader_key)."""
    key = request.COOKIES.get(READER_COOKIE, "")
    return key if _READER_KEY.fullmatch(key) else secrets.token_urlsafe(18)


def keep_reader_key(response, key: str) -> None:
    response.set_cookie(READER_COOKIE, key, **_cookie_options(READER_MAX_AGE))


# Signed in as a commenter: set when a reader who opened a confirmation link
# (comments.notifications) asks to keep this browser signed in. It says which
# address's key it carries; rotating the key (Subscriber.key) signs out every
# browser. Read only on POSTs and on the notifications page, so it leaves
# article pages shared (it is not a personal cookie).
SIGNED_IN_COOKIE = "newsroom_subscriber"
SIGNED_IN_SALT = "comments.signed-in"
SIGNED_IN_MAX_AGE = 365 * 24 * 60 * 60


def signed_in_subscriber(request) -> Subscriber | None:
    """The Subscriber this browser is signed in as, while its key still matches; else None."""
    raw = request.COOKIES.get(SIGNED_IN_COOKIE)
    if not raw:
        return None
    try:
        pk, key = signing.loads(raw, salt=SIGNED_IN_SALT, max_age=SIGNED_IN_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(pk, int) or not isinstance(key, str):
        return None
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if subscriber is None or not constant_time_compare(subscriber.key, key):
        return None
    return subscriber


def sign_in(response, subscriber) -> None:
    value = signing.dumps([subscriber.pk, subscriber.key], salt=SIGNED_IN_SALT)
    response.set_cookie(SIGNED_IN_COOKIE, value, **_cookie_options(SIGNED_IN_MAX_AGE))


def sign_out(response) -> None:
    response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")
