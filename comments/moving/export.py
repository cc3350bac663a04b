"""Everything the site holds, as one JSON document: for backups, and for leaving.

The document is written piece by piece, a row at a time, from querysets read
in chunks: memory stays flat however many comments there are, and the number
of queries is one per kind of row whatever their number. The shape is fixed
(FORMAT, VERSION) and described in the README ("Leaving Newsroom"); a change
to it is a new VERSION.

Rows carry every column of their model, found from the model itself, so a
field added later is exported without anyone remembering to. What is left
out is listed in OMITTED. Users are not exported: a reference to one (an
article's author, a moderator) is their username.
"""

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TextIO
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from articles.models import Article, Redirect, Section, Tag

from ..models import BlockedTerm, Comment, ModerationEvent, Revision

FORMAT = "newsroom-export"
VERSION = 1
CHUNK_SIZE = 2000

# Worthless outside this site, and a key to something: a digest that proves an
# API client may edit its reply is a credential, not data.
OMITTED = {Comment: {"edit_token_digest"}}

# The lists of the document, in the order they are written: what a row refers
# to comes before it, so a reader can import in one pass.
TABLES = (
    ("sections", Section),
    ("tags", Tag),
    ("articles", Article),
    ("comments", Comment),
    ("moderation_events", ModerationEvent),
    ("revisions", Revision),
    ("blocked_terms", BlockedTerm),
    ("redirects", Redirect),
)


def _plain(value):
    # Dates in full (DjangoJSONEncoder would cut microseconds, and with them the
    # order of replies posted in the same millisecond).
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not exported")


def dumps(value) -> str:
    """One JSON value as the exports write it: UTF-8 text, ISO 8601 dates."""
    return json.dumps(value, default=_plain, ensure_ascii=False)


def columns(model: type[models.Model]) -> list[tuple[str, str]]:
    """(key in the document, lookup) for each column of `model` that is exported.

    Keys are field names: a foreign key holds the id it points to, as in the
    database, except one to a user, which holds the username.
    """
    user_model = get_user_model()
    omitted = OMITTED.get(model, set())
    found = []
    for field in model._meta.concrete_fields:
        if field.name in omitted:
            continue
        if field.is_relation and field.related_model is user_model:
            found.append((field.name, f"{field.name}__{user_model.USERNAME_FIELD}"))
        else:
            found.append((field.name, field.name))
    return found


def rows(model: type[models.Model]) -> Iterator[dict]:
    """Every row of `model` in id order, as dicts, read CHUNK_SIZE at a time."""
    keys, lookups = zip(*columns(model), strict=True)
    found = model._default_manager.order_by("pk").values_list(*lookups)
    for values in found.iterator(chunk_size=CHUNK_SIZE):
        yield dict(zip(keys, values, strict=True))


def _with_tags(articles: Iterable[dict]) -> Iterator[dict]:
    """Articles with the ids of their tags: one streamed query of the tag links,
    in article order, walked alongside the articles."""
    links = (
        Article.tags.through.objects.order_by("article_id", "tag_id")
        .values_list("article_id", "tag_id")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    link = next(links, None)
    for article in articles:
        # A link to an article the first query did not see (written meanwhile,
        # outside one snapshot) is passed over rather than stopping the walk.
        while link is not None and link[0] < article["id"]:
            link = next(links, None)
        article["tags"] = []
        while link is not None and link[0] == article["id"]:
            article["tags"].append(link[1])
            link = next(links, None)
        yield article


@contextmanager
def _one_moment():
    """On PostgreSQL, every query of the export reads the database as it stood when
    the first one began, so no comment refers to an article missing from the
    document. (SQLite has no such read-only snapshot without taking the write
    lock for the whole export; there, export while nobody writes for an exact copy.)"""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def write_export(stream: TextIO) -> dict[str, int]:
    """Write the whole document to `stream`; return how many rows of each kind it holds."""
    counts = {}
    with _one_moment():
        header = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": timezone.now(),
            "site": settings.SITE_URL,
        }
        stream.write("{")
        stream.write(",".join(f"\n{dumps(key)}: {dumps(value)}" for key, value in header.items()))
        for key, model in TABLES:
            found = rows(model)
            if model is Article:
                found = _with_tags(found)
            stream.write(f",\n{dumps(key)}: [")
            counts[key] = 0
            for row in found:
                stream.write(f"{',' if counts[key] else ''}\n{dumps(row)}")
                counts[key] += 1
            stream.write("\n]")
        stream.write("\n}\n")
    return counts


def to_private_file(output: str, write):
    """Run `write(stream)` into `output` and give back what it returns. Written
    aside and renamed once complete, so a failed export never leaves a file that
    looks like a backup; readable by its owner alone, as an export holds e-mail
    and IP addresses. OSError if the file cannot be written."""
    partial = Path(f"{output}.part")
    partial.unlink(missing_ok=True)  # left by a failed run, perhaps with wider rights
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with open(descriptor, "w", encoding="utf-8") as stream:
            result = write(stream)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)
    return result
