"""The default shared cache: a directory on this host that every process uses."""

from diskcache import DjangoCache


class DirectoryCache(DjangoCache):
    """diskcache's Django backend, keeping its database connections between requests.

    Django closes every cache when a request ends, which for a network cache
    hands a connection back to its pool. diskcache would close its SQLite files
    and open them again on the next request, several milliseconds every time.
    Its connections belong to the thread that opened them, so keeping them open
    is safe.
    """

    def close(self, **kwargs):
        pass
