import time

import pytest
from django.db import transaction

from plumbing.pagecache import versions
from plumbing.pagecache.models import Version as VersionRow

pytestmark = pytest.mark.django_db


@pytest.fixture
def moments():
    """Moments set in advance, as an app would register them."""
    upcoming: list[float] = []

    def next_moment():
        return min(upcoming, default=None)

    versions.on_moments(next_moment)
    yield upcoming
    versions._moment_sources.remove(next_moment)


def test_a_scope_never_written_has_no_version():
    # Nothing would tell when its content changes: it is never shared.
    assert versions.read(["article:never-saved"]) is None


def test_bump_gives_a_new_version_to_the_scopes_it_names_only():
    versions.bump("article:a", "article:b")
    a, b = versions.read(["article:a"]), versions.read(["article:b"])

    versions.bump("article:a")

    assert versions.read(["article:a"]).key != a.key
    assert versions.read(["article:b"]).key == b.key


def test_a_version_is_read_in_one_query(django_assert_num_queries):
    versions.bump("articles", "comments")
    versions.read(["articles"])

    with django_assert_num_queries(1):
        version = versions.read(["articles", "comments"])

    assert len(version.tokens) == 3  # the epoch, then the scopes asked for


def test_last_modified_is_the_newest_change_of_the_scopes():
    versions.bump("articles")
    older = versions.read(["articles"]).changed
    time.sleep(0.01)
    versions.bump("comments")

    assert versions.read(["articles", "comments"]).changed > older


def test_a_bump_rolled_back_with_its_write_leaves_the_version():
    versions.bump("articles")
    before = versions.read(["articles"])

    def bump_in_a_failing_transaction():
        with transaction.atomic():
            versions.bump("articles")
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError, match="the write failed"):
        bump_in_a_failing_transaction()

    assert versions.read(["articles"]) == before


def test_the_epoch_moves_with_every_page(moments):
    versions.bump("articles", "comments")
    pages = versions.read(["articles"]), versions.read(["comments"])

    versions.bump(versions.EPOCH)

    assert versions.read(["articles"]).key != pages[0].key
    assert versions.read(["comments"]).key != pages[1].key


def test_the_epoch_moves_by_itself_when_a_moment_set_in_advance_comes(moments):
    versions.bump("articles")
    moments.append(time.time() + 0.3)
    versions.reschedule()
    before = versions.read(["articles"])
    assert versions.read(["articles"]) == before

    time.sleep(0.4)
    moments.clear()

    after = versions.read(["articles"])
    assert after.key != before.key
    assert VersionRow.objects.get(scope=versions.EPOCH).expires is None


def test_rescheduling_keeps_the_epoch_token(moments):
    versions.bump("articles")
    before = versions.read(["articles"])

    moments.append(time.time() + 3600)
    versions.reschedule()

    assert versions.read(["articles"]) == before
    assert VersionRow.objects.get(scope=versions.EPOCH).expires == moments[0]


def test_token_reads_one_scope():
    assert versions.token("nothing-here") is None
    versions.bump("something")

    assert versions.token("something") == VersionRow.objects.get(scope="something").token


# --- Lagging scopes ----------------------------------------------------------------


def test_a_lagging_scope_never_written_is_one_that_never_changed(versions_clock):
    clock = versions_clock
    versions.bump("article:a")

    version = versions.read(["article:a", versions.Lagging("votes:a", 10)])

    assert version is not None
    assert version.tokens[-1] == 0
    assert version.changed == clock.now


def test_a_busy_lagging_scope_is_named_by_its_slice_and_a_still_one_by_its_token(
    versions_clock,
):
    clock = versions_clock
    start = clock.now
    versions.bump("article:a")
    busy = versions.Lagging("votes:a", 10)

    versions.bump("votes:a")
    first = versions.read(["article:a", busy])
    clock.now += 4
    versions.bump("votes:a")  # many more changes within the slice...
    versions.bump("votes:a")
    same_slice = versions.read(["article:a", busy])
    clock.now += 6
    next_slice = versions.read(["article:a", busy])
    clock.now += 10
    still = versions.read(["article:a", busy])
    later = versions.read(["article:a", busy])

    assert first.key == same_slice.key  # ...name the same answers
    assert next_slice.key != same_slice.key
    assert still.key not in (first.key, next_slice.key)
    assert still.tokens[-1] == versions.token("votes:a")
    assert later.key == still.key
    # Last-Modified never runs ahead of what the answer could show.
    assert (first.changed, next_slice.changed, still.changed) == (start, start + 10, start + 4)


def test_the_same_scope_read_without_lag_moves_with_every_change(versions_clock):
    versions.bump("votes:a")
    before = versions.read(["votes:a"])
    versions.bump("votes:a")

    assert versions.read(["votes:a"]).key != before.key


def test_a_lag_of_zero_reads_the_scope_as_it_is(versions_clock):
    versions.bump("votes:a")
    versions_clock.now -= 5  # this host's clock behind the writer's
    version = versions.read([versions.Lagging("votes:a", 0)])

    assert version.tokens[-1] == versions.token("votes:a")


def test_a_version_from_a_host_ahead_is_read_as_it_is_and_so_kept_nowhere(versions_clock):
    written = versions_clock.now
    versions.bump("votes:a")
    versions_clock.now -= 3  # the reader's clock runs 3 s behind the writer's

    version = versions.read([versions.Lagging("votes:a", 10)])

    assert version.tokens[-1] == versions.token("votes:a")
    assert version.changed == written > versions_clock.now
