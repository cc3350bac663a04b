"""Where copies of answers are kept: this process's recent ones, then the shared store.

A key names its content (the version tokens are part of it), so a copy can
never be stale wherever it is kept; this process's memory only saves the
trip to the shared store and the copy of a large body.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial

from django.db import transaction

from plumbing.store import store

from . import versions
from .personal import unslotted

# A copy outlives its version only by this much: the bound is memory, not freshness.
TIMEOUT = 60 * 60

PREFIX = "pagecache:"  # of every copy's key in the shared store


@dataclass(frozen=True)
class Copy:
    body: bytes  # empty when there are slots: the pieces hold it
    headers: dict[str, str]  # the view's, the validators, and the length if it is fixed
    slots: tuple  # the body cut at reader values to fill in (personal.slots_in)
    marks: frozenset[str] = frozenset()  # what the page shows (personal.shows)
    edits: tuple = ()  # the parts a few readers see otherwise (personal.cut_edits)

    @property
    def template(self) -> bytes:
        """The body with its placeholders: what the edits' places count in."""
        return unslotted(self.slots) if self.slots else self.body

    @property
    def size(self) -> int:
        pieces = sum(len(piece) for piece in self.slots if isinstance(piece, bytes))
        parts = sum(len(argument) + 80 for _, argument, _, _ in self.edits)
        return len(self.body) + pieces + sum(len(mark) + 50 for mark in self.marks) + parts + 200


class RecentCopies:
    """The copies this process served last, at most `max_bytes` of them."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024):
        self.max_bytes = max_bytes
        self.bytes = 0
        self.entries: OrderedDict[str, Copy] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Copy | None:
        with self.lock:
            copy = self.entries.get(key)
            if copy is not None:
                self.entries.move_to_end(key)
            return copy

    def put(self, key: str, copy: Copy) -> None:
        if copy.size > self.max_bytes // 4:
            return  # one answer should not push out everything else
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self.entries[key] = copy
            self.bytes += copy.size
            while self.bytes > self.max_bytes:
                _, dropped = self.entries.popitem(last=False)
                self.bytes -= dropped.size

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.bytes = 0


recent = RecentCopies()


def find(key: str) -> Copy | None:
    copy = recent.get(key)
    if copy is None:
        copy = store.get(key)
        if isinstance(copy, Copy):
            recent.put(key, copy)
        else:
            copy = None
    return copy


_epoch = [None]  # the epoch token this process last saw


def note_epoch(token: int) -> None:
    """Called with the epoch of every answer looked up: when it moved, every name
    changed, and what this process holds is out of reach; forget_all() may have
    renewed it to make sure nothing kept lingers anywhere."""
    if _epoch[0] != token:
        if _epoch[0] is not None:
            recent.clear()
        _epoch[0] = token


# The epochs whose answers may no longer be kept: a render that began before
# forget_everything() must not store its copy after the copies were deleted.
# Not under PREFIX, so forget_all() leaves it.
DEAD_EPOCHS = "pagecache-dead-epochs"
DEAD_EPOCHS_KEPT = 20


def forget_all(dead_epoch: int | None = None) -> int:
    """Delete every copy: this process's and the shared store's (after marking
    `dead_epoch`, so nothing made under it is stored again). The other processes
    drop theirs when they see the new epoch (note_epoch)."""
    if dead_epoch is not None:
        dead = store.get(DEAD_EPOCHS) or []
        store.set(DEAD_EPOCHS, [*dead[-DEAD_EPOCHS_KEPT + 1 :], dead_epoch], None)
    recent.clear()
    return store.delete_prefixed(PREFIX)


def forget_everything() -> None:
    """For content that must leave every copy at once, not only go out of reach
    (personal data erased at its owner's request). Call it inside the write's
    transaction: every answer is named anew (a new epoch), and once the write
    commits, every copy kept so far is deleted."""
    dead_epoch = versions.token(versions.EPOCH)
    versions.bump(versions.EPOCH)
    transaction.on_commit(partial(forget_all, dead_epoch))


# One process makes a missing copy; the others wait for it rather than render the
# same page at once. On a hot article whose page changes several times a second,
# every worker missed together and rendered it, each in turn of the one core.
MAKING = "pagecache-making:"  # + the copy's key: a process is making it
MAKING_SECONDS = 2  # the claim outlives a maker that died by no more than this
WAIT_SECONDS = 1.0  # past this, a waiting process renders the page itself
# A waiting process looks for the copy after 5 ms, then less and less often (so
# it takes little of the CPU the maker needs), and asks whether the maker is still
# at it every fourth look.
FIRST_LOOK, LAST_LOOK, MAKER_EVERY = 0.005, 0.05, 4

_claims: dict[str, str] = {}  # this process's claims: the copy's key -> its token


def claim_making(key: str) -> bool:
    """Whether this process is to make copy `key`: nobody else is making it (or
    the store cannot tell). The maker calls release_making() when done."""
    token = uuid.uuid4().hex
    claimed = store.add(f"{MAKING}{key}", token, MAKING_SECONDS) is not False
    if claimed:
        _claims[key] = token
    return claimed


def release_making(key: str) -> None:
    """Let go of a claim, unless it ran out and another process holds it now."""
    token = _claims.pop(key, None)
    if token is not None and store.get(f"{MAKING}{key}") == token:
        store.delete(f"{MAKING}{key}")


def wait_for(key: str) -> Copy | None:
    """Copy `key` once the process making it has kept it; None if it finished
    without keeping one (a 404, say) or took longer than WAIT_SECONDS, and this
    process is to render the answer itself."""
    deadline = time.monotonic() + WAIT_SECONDS
    step, looks = FIRST_LOOK, 0
    while time.monotonic() < deadline:
        time.sleep(step)
        step, looks = min(step * 2, LAST_LOOK), looks + 1
        copy = find(key)
        if copy is not None:
            return copy
        if looks % MAKER_EVERY == 0 and not store.get(f"{MAKING}{key}"):
            return find(key)  # kept just before it let go, or not kept at all
    return None


def keep(key: str, copy: Copy, epoch: int) -> None:
    """Keep `copy` of an answer made under `epoch`, unless that epoch was
    forgotten meanwhile."""
    if epoch in (store.get(DEAD_EPOCHS) or ()):
        return
    recent.put(key, copy)
    store.set(key, copy, TIMEOUT)
