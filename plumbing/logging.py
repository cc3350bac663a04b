"""A log formatter that writes one JSON object per line, keeping secrets that
travel in paths out of it."""

import json
import logging
import re
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else was passed with `extra=` and is
# worth keeping as a field of its own. Django's "request" extra is left out: it
# is an object (a socket for runserver) that would only leak the client address.
_SKIPPED_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request"}


# Paths whose next segment is a secret (a link mailed to one person): apps
# register them with hide_after(); log lines then show "…" in its place.
_secret_paths: re.Pattern | None = None
_prefixes: list[str] = []


def hide_after(prefix: str) -> None:
    """In every log line, hide the path segment that follows `prefix`."""
    global _secret_paths
    if prefix not in _prefixes:
        _prefixes.append(prefix)
        alternatives = "|".join(map(re.escape, _prefixes))
        _secret_paths = re.compile(rf"({alternatives})[^/\s?#\"']+")


def hidden(text: str) -> str:
    return text if _secret_paths is None else _secret_paths.sub(r"\1…", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": hidden(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _SKIPPED_ATTRS and not key.startswith("_"):
                entry[key] = hidden(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
