"""Fixed-window counters shared by every process: API throttles, the page read
limit and the comment flood rule count with them.

They live in the shared store, so a limit holds whichever worker or host a
client reaches. While the store is unavailable each process counts on its
own: the limits then hold per process instead of not at all, and that is
logged once.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from .store import UNAVAILABLE, store

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/min" -> (600, 60): requests allowed, and the window in seconds."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[:1].lower()]


@dataclass(frozen=True)
class Window:
    count: int  # hits in the current window, this one included
    resets_in: float  # seconds until the window closes


class _LocalCounts:
    """Each process's own counts, used while the shared store is down."""

    def __init__(self):
        self.counts: dict[str, tuple[int, float]] = {}
        self.lock = threading.Lock()
        self.warned = False

    def hit(self, key: str, expires_at: float) -> int:
        now = time.time()
        with self.lock:
            if len(self.counts) > 10_000:  # forget closed windows
                self.counts = {k: v for k, v in self.counts.items() if v[1] > now}
            count, _ = self.counts.get(key, (0, expires_at))
            self.counts[key] = (count + 1, expires_at)
        if not self.warned:
            self.warned = True
            logger.warning("Counting rate limits in this process while the shared cache is down.")
        return count + 1

    def back_to_shared(self) -> None:
        """The shared store answers again: its counts are the ones that hold."""
        if self.warned:
            with self.lock:
                self.counts.clear()
                self.warned = False

    def peek(self, key: str) -> int:
        count, expires_at = self.counts.get(key, (0, 0.0))
        return count if expires_at > time.time() else 0


_local = _LocalCounts()


def _window(name: str, seconds: int) -> tuple[str, float]:
    now = time.time()
    index = int(now // seconds)
    return f"count:{name}:{seconds}:{index}", (index + 1) * seconds


def hit(name: str, seconds: int) -> Window:
    """Count one more event for `name` in the current window of `seconds`."""
    key, ends_at = _window(name, seconds)
    count = store.count(key, seconds + 1)
    if count is UNAVAILABLE:
        count = _local.hit(key, ends_at)
    else:
        _local.back_to_shared()
    return Window(count=count, resets_in=max(ends_at - time.time(), 0.0))


def peek(name: str, seconds: int) -> int:
    """Events counted for `name` in the current window, without counting one."""
    key, _ = _window(name, seconds)
    count = store.get(key) or 0
    if not store.available:
        count = max(count, _local.peek(key))
    return count
