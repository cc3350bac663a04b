"""What both imports share: the report of what happened, and how a batch of
new comments goes in (parents first, each with the event that says where it
came from), and how a field from elsewhere becomes one of ours."""

from __future__ import annotations

import ipaddress
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction

from plumbing.db import PreparedInsert
from plumbing.text import without_control_characters

from ..models import Comment, ModerationEvent
from ..sanitize import render_comment


@dataclass
class Report:
    """What an import did, by kind ("articles", "comments"...) and outcome
    ("created", "updated", "unchanged", "skipped", "refused"); and why things
    were skipped or refused."""

    counts: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    posts_done: int = 0
    last_post: str = ""

    def add(self, kind: str, outcome: str, reason: str = "") -> None:
        self.counts[kind, outcome] += 1
        if reason:
            self.reasons[kind, outcome, reason] += 1

    def count(self, kind: str, outcome: str) -> int:
        return self.counts[kind, outcome]


KEY_LENGTH = Comment._meta.get_field("import_key").max_length
_INSERT_COMMENT = PreparedInsert(Comment)


class Importing:
    """What every import does around its own reading: the file is read through
    once (`check`, which gives the number of items to come) before anything is
    written; a dry run does all the work in a transaction it then rolls back."""

    def __init__(self, path, *, progress: Callable[[Report, int], None] | None = None):
        self.path = path
        self.progress = progress or (lambda report, total: None)
        self.report = Report()

    def check(self) -> int:
        raise NotImplementedError

    def read(self, total: int) -> None:
        raise NotImplementedError

    def run(self, *, dry_run: bool = False) -> Report:
        total = self.check()
        try:
            if dry_run:
                with transaction.atomic():
                    self.read(total)
                    transaction.set_rollback(True)
            else:
                self.read(total)
        finally:
            close_pool()
        return self.report


# A thread is drawn once, when its comments first come in: a later export
# never moves a comment (a parent that names itself, or a loop, cannot form).
_FIXED_ON_CREATION = ("parent", "depth")


def update_from_source(comment: Comment, values: dict) -> bool:
    """Bring an imported comment up to a newer export; False if nothing changed.

    What its author erased (comments.privacy) or the retention purge removed
    stays gone: an erased comment is left as it is, and a purged one gets no
    address back.
    """
    if comment.erased_at is not None:
        return False
    values = {n: v for n, v in values.items() if n not in _FIXED_ON_CREATION}
    if comment.purged_at is not None:
        values.pop("ip_address", None)
    changed = [n for n, v in values.items() if getattr(comment, n) != v]
    for name in changed:
        setattr(comment, name, values[name])
    if changed:
        comment.save(update_fields=[*changed, "fingerprint", "ip_network"])
    return bool(changed)


def render_all(texts: list[str]) -> list[str]:
    """render_comment() of each text, on every core: rendering is the largest
    part of an import's time, and one process renders on one core."""
    cores = os.cpu_count() or 1
    if cores < 2 or len(texts) < 500:
        return [render_comment(text) for text in texts]
    global _pool
    if _pool is None:
        # Forked: the workers start with everything this process has loaded,
        # and touch nothing but the texts they are given (no database).
        _pool = multiprocessing.get_context("fork").Pool(cores)
    return _pool.map(render_comment, texts, chunksize=64)


_pool = None


def close_pool() -> None:
    """The workers go when the import ends."""
    global _pool
    if _pool is not None:
        _pool.close()
        _pool.join()
        _pool = None


def insert_comments(new: list[Comment], detail: str) -> None:
    """New comments, a level of the threads at a time (parents first: each
    insert knows its parent's id), each with its event."""
    for depth in sorted({c.depth for c in new}):
        level = [c for c in new if c.depth == depth]
        for comment in level:
            comment.parent_id = comment.parent.pk if comment.parent else None
        _INSERT_COMMENT.save_many(level)
    _events_for([c.pk for c in new], [{"rule": "import", "detail": detail}])


def _events_for(ids: list[int], reasons: list[dict]) -> None:
    """The same event for each of these new comments, made by the database from
    the comments' own rows: one statement per thousand, where building a
    million model instances took a fifth of a large import's time."""
    quote = connection.ops.quote_name
    event = {f.name: quote(f.column) for f in ModerationEvent._meta.concrete_fields}
    comment = {f.name: quote(f.column) for f in Comment._meta.concrete_fields}
    reasons_value = ModerationEvent._meta.get_field("reasons").get_db_prep_value(
        reasons, connection
    )
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            # Names from the models' own meta, quoted; every value is bound.
            sql = (
                f"INSERT INTO {quote(ModerationEvent._meta.db_table)} "  # noqa: S608
                f"({event['comment']}, {event['created_at']}, {event['from_status']}, "
                f"{event['to_status']}, {event['reasons']}, {event['note']}) "
                f"SELECT {comment['id']}, {comment['created_at']}, '', {comment['status']}, "
                f"%s, '' FROM {quote(Comment._meta.db_table)} "
                f"WHERE {comment['id']} IN ({', '.join(['%s'] * len(chunk))})"
            )
            cursor.execute(sql, [reasons_value, *chunk])


def plausible(moment: datetime | None) -> datetime | None:
    """A date from a file, if it is one a site could hold (1970 to 2100, UTC)."""
    if moment is None:
        return None
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return moment if 1970 <= moment.year <= 2100 else None


def line(text: str, limit: int) -> str:
    return " ".join(without_control_characters(text).split())[:limit]


def valid_email(value: str) -> str:
    value = value[:254]
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def web_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme.lower() in ("http", "https") and parts.netloc and len(value) <= 200:
        return escape(value, quote=False) if "<" in value else value
    return ""


def ip_or_none(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
