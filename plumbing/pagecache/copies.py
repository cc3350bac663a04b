"""Where copies of answers are kept: this process's recent ones, then the shared store.

A key names its content (the version tokens are part of it), so a copy can
never be stale wherever it is kept; this process's memory only saves the
trip to the shared store and the copy of a large body.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from plumbing.store import store

# A copy outlives its version only by this much: the bound is memory, not freshness.
TIMEOUT = 60 * 60


@dataclass(frozen=True)
class Copy:
    body: bytes  # empty when there are slots: the pieces hold it
    headers: dict[str, str]  # the view's, the validators, and the length if it is fixed
    slots: tuple  # the body cut at reader values to fill in (personal.slots_in)

    @property
    def size(self) -> int:
        pieces = sum(len(piece) for piece in self.slots if isinstance(piece, bytes))
        return len(self.body) + pieces + 200


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


def keep(key: str, copy: Copy) -> None:
    recent.put(key, copy)
    store.set(key, copy, TIMEOUT)
