import logging

import pytest

from plumbing import store as store_module
from plumbing.store import UNAVAILABLE, store
from tests.outages import UNREACHABLE_CACHE


def test_a_working_cache_answers():
    assert store.set("answer", 42, 10)
    assert store.get("answer") == 42
    assert store.add("answer", 1, 10) is False
    assert store.available


def test_a_cache_that_does_not_answer_is_a_miss_and_said_once(settings, caplog):
    settings.CACHES = UNREACHABLE_CACHE

    with caplog.at_level(logging.WARNING, logger="plumbing.store"):
        results = [(store.get("x", "default"), store.set("x", 1, 10)) for _ in range(50)]

    assert results == [("default", False)] * 50
    assert store.add("x", 1, 10) is UNAVAILABLE
    assert not store.available
    assert [record.levelname for record in caplog.records] == ["ERROR"]
    assert "serving from the database" in caplog.records[0].getMessage()


def test_after_a_failure_the_cache_is_left_alone_until_the_retry_delay(settings, monkeypatch):
    settings.CACHES = UNREACHABLE_CACHE
    store.get("x")
    asked = []
    monkeypatch.setattr(store_module, "caches", {"default": _Recorder(asked)})

    store.get("x")  # within the delay: not asked

    assert asked == []


def test_the_cache_coming_back_is_used_again_and_said_once(settings, monkeypatch, caplog):
    real = settings.CACHES
    settings.CACHES = UNREACHABLE_CACHE
    store.get("x")
    settings.CACHES = real
    monkeypatch.setattr(store_module, "RETRY_SECONDS", 0.0)

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="plumbing.store"):
        store._retry_at = 0.0  # the delay has passed
        assert store.set("back", "yes", 10)
        assert store.get("back") == "yes"

    assert store.available
    assert [record.getMessage() for record in caplog.records] == ["The shared cache answers again."]


def test_incrementing_a_missing_key_is_an_answer_not_a_failure():
    with pytest.raises(ValueError, match="not found"):
        store.incr("never-set")

    assert store.available


def test_the_health_probe_asks_whatever_the_state(settings):
    real = settings.CACHES
    settings.CACHES = UNREACHABLE_CACHE
    assert store.probe() is False

    settings.CACHES = real

    # Within the retry delay, yet asked: the cache is back, and the probe says so.
    assert store.probe() is True
    assert store.available


class _Recorder:
    def __init__(self, asked):
        self.asked = asked

    def __getattr__(self, name):
        def record(*args, **kwargs):
            self.asked.append(name)

        return record
