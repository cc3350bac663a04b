"""The default shared cache: a directory on this host that every process uses."""

from diskcache import DjangoCache
from django.core.cache.backends.base import DEFAULT_TIMEOUT


class CacheBusy(Exception):
    """The cache directory did not answer in time (another process's write, a
    failing disk): plumbing.store then leaves it alone for a while."""


class DirectoryCache(DjangoCache):
    """diskcache's Django backend, made to fail fast and to keep its connections.

    diskcache retries a write for as long as its database is locked, and
    treats any failure to start a transaction (a read-only directory, a full
    disk) as a lock; a request would hang until gunicorn kills its worker.
    Here a write that does not get through within DATABASE_TIMEOUT raises
    CacheBusy instead.

    Django closes every cache when a request ends, which for a network cache
    hands a connection back to its pool; diskcache would close its SQLite
    files and open them again on the next request, several milliseconds every
    time. Its connections belong to the thread that opened them, so they stay.
    """

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None, **kwargs):
        if not super().set(key, value, timeout, version, retry=False):
            raise CacheBusy(f"could not write {key!r}")
        return True

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None, **kwargs):
        # False also when busy: the caller then increments, and learns of it there.
        return super().add(key, value, timeout, version, retry=False)

    def incr(self, key, delta=1, version=None, default=None, **kwargs):
        value = super().incr(key, delta, version, default, retry=False)
        if value is None:
            raise CacheBusy(f"could not increment {key!r}")
        return value

    def delete(self, key, version=None, **kwargs):
        return super().delete(key, version, retry=False)

    def close(self, **kwargs):
        pass
