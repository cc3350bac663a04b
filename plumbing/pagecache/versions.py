"""Content versions: one row per scope, in the database beside the content.

A scope names content that pages show ("articles": what article lists show,
"article:<slug>": one article and its discussion, ...). The service that
changes what readers see of a scope calls `bump(scope)` in the same
transaction, which gives the scope a new random token; a reader's answer is
keyed by the tokens of the scopes it depends on. Every process reads the
same rows, so the very next read after a write, from any worker or host, asks
for a key nothing has been stored under yet.

One scope is always read: the epoch, renewed for what shows on every page
(a section, a tag or an author renamed) and when a moment set in advance
comes (a scheduled article going public, comments closing). No job does the
latter: the epoch row carries the next such moment (`expires`), and the first
reader after it renews the token. Apps tell the moments with `on_moments()`.

A scope that changes many times a second (the recommendation counts of a
busy discussion) may be read as `Lagging(scope, seconds)`: while it keeps
changing, answers are named by the current slice of `seconds` instead of its
token, so they are made again at most once per slice, whatever the rate of
writes; once it has been still for `seconds`, its token names them again. An
answer is then never more than `seconds` behind. A lagging scope without a
row yet is simply one that never changed.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from plumbing.db import PreparedQuery, PreparedUpsert

from .models import Version as VersionRow

EPOCH = "epoch"

_moment_sources: list[Callable[[], float | None]] = []


@dataclass(frozen=True)
class Version:
    """The tokens an answer depends on, and when the newest of them was made."""

    tokens: tuple[int, ...]
    changed: float

    @property
    def key(self) -> str:
        return "-".join(f"{token:x}" for token in self.tokens)


@dataclass(frozen=True)
class Lagging:
    """A scope whose answers may show it up to `seconds` late (see above)."""

    scope: str
    seconds: float


def _name(scope: str | Lagging) -> str:
    return scope.scope if isinstance(scope, Lagging) else scope


def _as_read(scope: str | Lagging, row: tuple | None, now: float) -> tuple[int, float] | None:
    """(token, changed) of a scope as answers are named by it."""
    if not isinstance(scope, Lagging):
        return None if row is None else (row[0], row[1])
    if row is None:
        return (0, 0.0)
    token, changed, _ = row
    # No lag; still for long enough; or written by a host whose clock runs ahead
    # (read as it is, such a version keeps nothing: see recipe.Shared.look_up).
    if scope.seconds <= 0 or now - changed >= scope.seconds or changed > now:
        return (token, changed)
    # Still changing: the slice of time names it. Slices count from the epoch of
    # Unix time, so every process agrees on them.
    slice_start = (now // scope.seconds) * scope.seconds
    return (int(now // scope.seconds), slice_start)


def on_moments(source: Callable[[], float | None]) -> None:
    """Register `source`, which gives the next moment (Unix time) at which its
    content changes by itself, or None."""
    if source not in _moment_sources:
        _moment_sources.append(source)


def _next_moment() -> float | None:
    upcoming = [moment for source in _moment_sources if (moment := source()) is not None]
    return min(upcoming, default=None)


def _new_token() -> int:
    return secrets.randbits(63)  # a signed 64-bit column holds it


# New tokens go in on every reply readers can see: written by the ORM once.
_UPSERT = PreparedUpsert(VersionRow, unique_fields=["scope"], update_fields=["token", "changed"])
_UPSERT_EPOCH = PreparedUpsert(
    VersionRow, unique_fields=["scope"], update_fields=["token", "changed", "expires"]
)


@cache
def _reader(count: int) -> PreparedQuery:
    def build(**scopes):
        return VersionRow.objects.filter(scope__in=list(scopes.values())).values_list(
            "scope", "token", "changed", "expires"
        )

    return PreparedQuery(build, **{f"scope{number}": "" for number in range(count)})


_TOKEN = PreparedQuery(
    lambda scope: VersionRow.objects.filter(scope=scope).values_list("token"), scope=""
)


def token(scope: str) -> int | None:
    """The current token of one scope (None if it has none yet), for a process's
    own memo of something derived from that content."""
    rows = _TOKEN.rows(scope=scope)
    return rows[0][0] if rows else None


def read(scopes: Sequence[str | Lagging]) -> Version | None:
    """The version of the content behind `scopes` (and the epoch), in one query.

    None when a scope (not a lagging one) has no row yet: content never
    written through a service has no version to tell when it changes, so
    nothing of it is shared.
    """
    wanted = (EPOCH, *scopes)
    rows = _reader(len(wanted)).rows(
        **{f"scope{number}": _name(scope) for number, scope in enumerate(wanted)}
    )
    found = {scope: (token, changed, expires) for scope, token, changed, expires in rows}
    now = time.time()
    epoch = found.get(EPOCH)
    if epoch is None or (epoch[2] is not None and now >= epoch[2]):
        found[EPOCH] = renew_epoch()
    read_as = [_as_read(scope, found.get(_name(scope)), now) for scope in wanted]
    if None in read_as:
        return None
    return Version(
        tokens=tuple(token for token, _ in read_as),
        changed=max(changed for _, changed in read_as),
    )


def bump(*scopes: str) -> None:
    """Give each scope a new token: what was kept under the old one is out of reach.

    Call it inside the transaction of the write, so the new token and the new
    content become visible together.
    """
    if EPOCH in scopes:
        renew_epoch()
    now = time.time()
    # Always in the same order: two writes that move the same scopes take their
    # row locks one after the other instead of waiting for each other (PostgreSQL).
    rows = [
        VersionRow(scope=scope, token=_new_token(), changed=now)
        for scope in sorted(set(scopes) - {EPOCH})
    ]
    if rows:
        _UPSERT.run(rows)


def renew_epoch() -> tuple[int, float, float | None]:
    """A new epoch token, with the next moment set in advance."""
    row = (_new_token(), time.time(), _next_moment())
    token, changed, expires = row
    _UPSERT_EPOCH.run([VersionRow(scope=EPOCH, token=token, changed=changed, expires=expires)])
    return row


def reschedule() -> None:
    """Moments set in advance were added or moved: look for the next one again.

    The token stays: pages made so far are right until that moment.
    """
    if not VersionRow.objects.filter(scope=EPOCH).update(expires=_next_moment()):
        renew_epoch()
