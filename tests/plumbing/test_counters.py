import logging
import time

import pytest

from plumbing import counters
from plumbing.store import store
from tests.outages import UNREACHABLE_CACHE


def test_hits_are_counted_in_their_window():
    counts = [counters.hit("reads:203.0.113.1", 60).count for _ in range(3)]

    assert counts == [1, 2, 3]
    assert counters.peek("reads:203.0.113.1", 60) == 3
    assert counters.peek("reads:203.0.113.2", 60) == 0


def test_peeking_counts_nothing():
    for _ in range(3):
        counters.peek("quiet", 60)

    assert counters.hit("quiet", 60).count == 1


def test_a_window_closes_and_the_count_starts_again():
    time.sleep(1 - time.time() % 1 + 0.01)  # at the start of a second
    window = counters.hit("short", 1)
    assert 0 < window.resets_in <= 1
    counters.hit("short", 1)

    time.sleep(window.resets_in + 0.01)

    assert counters.peek("short", 1) == 0
    assert counters.hit("short", 1).count == 1


def test_without_the_shared_cache_each_process_still_counts(settings, caplog):
    settings.CACHES = UNREACHABLE_CACHE

    with caplog.at_level(logging.WARNING, logger="plumbing.counters"):
        counts = [counters.hit("fallback", 60).count for _ in range(4)]

    # Limits hold per process rather than not at all, and the log says so once.
    assert counts == [1, 2, 3, 4]
    assert counters.peek("fallback", 60) == 4
    said = [r.getMessage() for r in caplog.records if r.name == "plumbing.counters"]
    assert said == ["Counting rate limits in this process while the shared cache is down."]


def test_the_shared_counts_hold_again_once_the_cache_is_back(settings):
    real = settings.CACHES
    settings.CACHES = UNREACHABLE_CACHE
    counters.hit("both", 60)
    settings.CACHES = real
    store.reset()

    assert counters.hit("both", 60).count == 1  # the shared count, not this process's


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("600/min", (600, 60)), ("5/minute", (5, 60)), ("1/second", (1, 1)), ("10/h", (10, 3600))],
)
def test_rates_read_like_the_api_throttles(rate, parsed):
    assert counters.parse_rate(rate) == parsed
