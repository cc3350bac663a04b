"""A small load generator: N connections in threads, for when wrk is missing, and
for the write test, which must count every answer exactly.

Each connection sends a request, reads the whole answer, then sends the next,
until the time is up; nothing is left in flight when it stops.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Result:
    duration: float
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(int(share * len(ordered)), len(ordered) - 1)] if ordered else 0.0


def run(
    url: str,
    *,
    connections: int,
    seconds: float,
    method: str = "GET",
    body: Callable[[int, int], bytes] | None = None,
    headers: dict[str, str] | None = None,
) -> Result:
    """Load `url` from `connections` threads for `seconds`; `body(conn, n)` makes POST bodies."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    result = Result(duration=seconds)
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(number: int) -> None:
        statuses: Counter = Counter()
        latencies: list[float] = []
        sent = 0
        while time.perf_counter() < deadline:
            payload = body(number, sent) if body else None
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                connection.request(method, target, body=payload, headers=headers or {})
                response = connection.getresponse()
                response.read()
                statuses[response.status] += 1
                connection.close()
            except OSError:
                statuses["connection error"] += 1
            latencies.append(time.perf_counter() - started)
            sent += 1
        with lock:
            result.statuses.update(statuses)
            result.latencies.extend(latencies)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result
