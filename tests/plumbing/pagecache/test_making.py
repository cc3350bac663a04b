"""A copy that several processes miss at once is made by one of them; the others
wait for it instead of rendering the same page again."""

import threading
import time

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from plumbing.pagecache import copies, versions
from plumbing.pagecache.recipe import Shared
from plumbing.store import store
from tests.outages import UNREACHABLE_CACHE

pytestmark = pytest.mark.urls("tests.plumbing.pagecache.test_making")

renders = []


@Shared(depends_on=lambda **kwargs: ["slow things"])
def slow(request):
    renders.append(threading.get_ident())
    time.sleep(0.3)  # a long discussion's page
    return HttpResponse(f"made at {time.monotonic()}", content_type="text/plain")


urlpatterns = [path("slow/", slow)]


# Threads of their own need the rows committed; serialized_rollback keeps the
# content types as the migrations made them for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readers_who_miss_the_same_copy_at_once_get_the_one_render():
    renders.clear()
    versions.bump("slow things")
    answers = []

    def read():
        answers.append(Client().get("/slow/"))

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
        time.sleep(0.02)  # each after the first has begun its render
    for reader in readers:
        reader.join()

    assert len(renders) == 1
    assert [answer.status_code for answer in answers] == [200] * 4
    assert len({answer.content for answer in answers}) == 1
    assert len({answer["ETag"] for answer in answers}) == 1


def test_a_waiting_process_gets_the_copy_once_it_is_kept():
    key = f"{copies.PREFIX}making-{time.monotonic_ns()}"
    copy = copies.Copy(body=b"the page", headers={}, slots=())
    assert copies.claim_making(key)  # the first to miss makes it
    assert not copies.claim_making(key)  # the next waits

    threading.Timer(0.05, copies.keep, args=(key, copy, 0)).start()
    started = time.monotonic()
    found = copies.wait_for(key)

    assert found == copy
    assert time.monotonic() - started < copies.WAIT_SECONDS
    copies.release_making(key)
    assert copies.claim_making(key)  # made: the next miss (a new version) makes it again
    copies.release_making(key)


def test_a_maker_that_keeps_nothing_lets_the_waiting_render_at_once():
    key = f"{copies.PREFIX}not-found-{time.monotonic_ns()}"
    assert copies.claim_making(key)
    threading.Timer(0.05, copies.release_making, args=(key,)).start()  # a 404: nothing kept

    started = time.monotonic()
    assert copies.wait_for(key) is None
    assert time.monotonic() - started < 0.5


def test_a_maker_that_never_finishes_is_waited_for_only_so_long(monkeypatch):
    monkeypatch.setattr(copies, "WAIT_SECONDS", 0.05)
    key = f"{copies.PREFIX}lost-{time.monotonic_ns()}"
    assert copies.claim_making(key)

    started = time.monotonic()
    assert copies.wait_for(key) is None  # then this process renders it itself
    assert 0.05 <= time.monotonic() - started < 0.5


def test_without_the_shared_store_every_process_makes_its_own(settings):
    settings.CACHES = UNREACHABLE_CACHE
    store.reset()
    key = f"{copies.PREFIX}alone-{time.monotonic_ns()}"

    assert copies.claim_making(key)
    assert copies.claim_making(key)
    store.reset()
