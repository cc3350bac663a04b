"""Database helpers the ORM does not have: an expression, prepared reads,
inserts and counter updates, and work to do after a commit."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX
from django.db.models import CharField, Func, Model, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery

logger = logging.getLogger(__name__)


def after_commit(work: Callable[..., Any], *args: Any) -> None:
    """Run `work(*args)` once the current transaction commits.

    What is committed is done: if the follow-up fails, that is logged and
    nothing else changes. The client still gets the answer for what was
    saved, and the other follow-ups still run.
    """

    def follow_up() -> None:
        try:
            work(*args)
        except Exception:
            name = getattr(work, "__qualname__", repr(work))
            logger.exception("Work after a commit failed", extra={"work": name})

    transaction.on_commit(follow_up)


class IsoUtc(Func):
    """A datetime column as ISO 8601 text in UTC ("2026-11-27T08:09:03.507755Z"),
    written by the database in the format DRF uses, so a list of hundreds of rows
    needs no datetime object per row. Other databases return the datetime itself.
    """

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="%(expressions)s", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores aware datetimes in SQLite as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]":
        # isoformat() with a space, so only the separator and the zone remain to write.
        return super().as_sql(
            compiler,
            connection,
            template="REPLACE(%(expressions)s, ' ', 'T') || 'Z'",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        # isoformat() leaves out a zero fraction of a second; so does this.
        return super().as_sql(
            compiler,
            connection,
            template=(
                "regexp_replace(to_char(%(expressions)s AT TIME ZONE 'UTC', "
                "'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '\\.000000$', '') || 'Z'"
            ),
            **extra_context,
        )


class PreparedQuery:
    """A fixed-shape read the ORM compiles once per database; each run binds new values.

    On the hottest paths (every posted reply) building and compiling a QuerySet
    costs several times what SQLite takes to answer the indexed look-up. Here
    the ORM still writes the SQL, for whichever database is configured, but
    only once: `build` receives a placeholder for each named parameter and
    returns the QuerySet, and later runs put the real values in its place.

    Placeholders work for exact matches on integer and text columns, whose
    values reach the driver unchanged; that is checked when the SQL is made, as
    is that `build` does not depend on the moment (a `timezone.now()` would be
    frozen into every later run). Rows are tuples of what the driver returns,
    without Django's converters (ids, text, numbers), unless `convert` is set:
    then each value goes through the converters the ORM would apply (dates
    from SQLite's text, say), and rows are lists.
    """

    def __init__(self, build: Callable[..., QuerySet], *, convert: bool = False, **examples):
        self.build = build
        self.convert = convert
        self.examples = examples
        self._compiled: dict[str, tuple] = {}

    def _compile(self, using: str) -> tuple:
        placeholders = {
            name: _placeholder(number, example)
            for number, (name, example) in enumerate(self.examples.items())
        }
        compiler = self.build(**placeholders).query.get_compiler(using)
        sql, params = compiler.as_sql()
        converters = (
            list(compiler.get_converters([column for column, _, _ in compiler.select]).items())
            if self.convert
            else []
        )
        # Built twice: a query that depends on the moment it is built (timezone.now())
        # would differ, and must not be frozen into every later run.
        if (sql, params) != self.build(**placeholders).query.get_compiler(using).as_sql():
            raise ImproperlyConfigured("A PreparedQuery must not change between builds.")
        slots = tuple(
            (index, name)
            for index, param in enumerate(params)
            for name, placeholder in placeholders.items()
            if type(param) is type(placeholder) and param == placeholder
        )
        if sorted(name for _, name in slots) != sorted(placeholders):
            raise ImproperlyConfigured(
                "Each parameter of a PreparedQuery must be used once, in an exact match."
            )
        return sql, tuple(params), slots, converters

    def rows(self, *, using: str = DEFAULT_DB_ALIAS, **values: int | str) -> list:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, params, slots, converters = compiled
        bound = list(params)
        for index, name in slots:
            bound[index] = values[name]
        connection = connections[using]
        rows = _fetch_all(connection, sql, bound)
        if not converters:
            return rows
        converted = []
        for row in map(list, rows):
            for position, (functions, expression) in converters:
                for function in functions:
                    row[position] = function(row[position], expression, connection)
            converted.append(row)
        return converted


@functools.cache
def _qmark(sql: str) -> str:
    # What Django's SQLite cursor does to every statement it runs, done once.
    return FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")


def _fetch_all(connection, sql: str, params: list) -> list[tuple]:
    """Run a read and return its rows, through the driver's own cursor when nobody
    watches the queries.

    Django's cursor wrapper (error translation, execute wrappers, query logging,
    and for SQLite a regular expression over the SQL on every call) costs more
    than SQLite's indexed look-up itself. A prepared read needs none of it but
    the error translation, so it skips the rest unless queries are being
    recorded (DEBUG, django_assert_num_queries) or an execute wrapper is
    installed, in which case it goes the usual way and is seen.
    """
    if connection.queries_logged or connection.execute_wrappers:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        if connection.vendor == "sqlite":
            cursor, sql = connection.connection.cursor(), _qmark(sql)
        else:
            cursor = connection.create_cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()


def _placeholder(number: int, example: int | str) -> int | str:
    # Values no real query would carry, told apart by their number.
    if isinstance(example, int):
        return -(10**15) - number
    return f"\x00placeholder-{number}\x00"


class PreparedUpsert:
    """INSERT ... ON CONFLICT DO UPDATE for rows of `model`, written by the ORM once
    per database; each run binds the rows' values. Like bulk_create(), it sends
    no signals: for tables of bookkeeping, not for domain models."""

    def __init__(self, model: type[Model], *, unique_fields: list[str], update_fields: list[str]):
        self.model = model
        meta = model._meta
        self.unique_fields = [meta.get_field(name) for name in unique_fields]
        self.update_fields = [meta.get_field(name) for name in update_fields]
        self.fields = [*self.unique_fields, *self.update_fields]
        self._compiled: dict[str, str] = {}

    def _compile(self, using: str) -> str:
        query = InsertQuery(
            self.model,
            on_conflict=OnConflict.UPDATE,
            update_fields=self.update_fields,
            unique_fields=self.unique_fields,
        )
        query.insert_values(self.fields, [self.model()])
        [(sql, params)] = query.get_compiler(using).as_sql()
        if len(params) != len(self.fields):
            raise ImproperlyConfigured("Every field of a prepared upsert must be one parameter.")
        return sql

    def run(self, instances: list[Model], *, using: str = DEFAULT_DB_ALIAS) -> None:
        sql = self._compiled.get(using)
        if sql is None:
            sql = self._compiled[using] = self._compile(using)
        connection = connections[using]
        rows = [
            [field.get_db_prep_save(getattr(instance, field.attname), connection)
             for field in self.fields]
            for instance in instances
        ]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


class PreparedInsert:
    """save() of a new row of `model`, with the INSERT the ORM writes once per database.

    Model.save() builds and compiles its INSERT anew each time, which on the
    path that takes readers' replies costs more than SQLite's work of storing
    them. This does what save() does for a new row, in the same order: the
    pre_save signal, each field's pre_save (defaults, auto_now, computed
    fields), the INSERT, the primary key set on the instance, post_save. It
    cannot call a model's own save() method, so it refuses a model that has one.
    """

    def __init__(self, model: type[Model]):
        if model.save is not Model.save:
            raise ImproperlyConfigured(
                f"{model.__name__} has its own save(), which a prepared insert would skip."
            )
        meta = model._meta
        self.model = model
        self.fields = [
            field for field in meta.local_concrete_fields if field is not meta.auto_field
        ]
        self._compiled: dict[str, tuple[str, Any]] = {}

    def _compile(self, using: str) -> tuple[str, Any]:
        query = InsertQuery(self.model)
        query.insert_values(self.fields, [self.model()])
        compiler = query.get_compiler(using)
        if compiler.connection.features.can_return_columns_from_insert:
            compiler.returning_fields = [self.model._meta.pk]
        [(sql, params)] = compiler.as_sql()
        if len(params) != len(self.fields):
            raise ImproperlyConfigured("Every field of a prepared insert must be one parameter.")
        return sql, compiler.returning_params if compiler.returning_fields else None

    def save(self, instance: Model, *, using: str = DEFAULT_DB_ALIAS) -> None:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, returning_params = compiled
        connection = connections[using]
        meta = self.model._meta
        pre_save.send(self.model, instance=instance, raw=False, using=using, update_fields=None)
        params = []
        for field in self.fields:
            value = field.pre_save(instance, True)
            if hasattr(value, "resolve_expression"):
                raise ValueError(f"{field.name}: a prepared insert takes values, not expressions.")
            params.append(field.get_db_prep_save(value, connection))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returning_params is not None:
                (pk,) = connection.ops.fetch_returned_insert_columns(cursor, returning_params)
            else:
                pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
        setattr(instance, meta.pk.attname, pk)
        instance._state.adding = False
        instance._state.db = using
        post_save.send(
            self.model, instance=instance, created=True, update_fields=None, raw=False, using=using
        )

    def save_many(self, instances: list[Model], *, using: str = DEFAULT_DB_ALIAS) -> None:
        """New rows, as bulk_create() saves them (no signals; each instance gets
        its primary key), with the one prepared INSERT: on PostgreSQL the rows
        go in one pipelined executemany that returns their keys, where
        bulk_create() compiles every value of every row again. For imports of
        millions of rows."""
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, returning_params = compiled
        connection = connections[using]
        rows = [
            [
                field.get_db_prep_save(field.pre_save(instance, True), connection)
                for field in self.fields
            ]
            for instance in instances
        ]
        meta = self.model._meta
        keys = []
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and returning_params is not None and rows:
                driver = cursor.cursor
                driver.executemany(sql, rows, returning=True)
                while True:
                    keys.append(driver.fetchone()[0])
                    if not driver.nextset():
                        break
            else:
                for row in rows:
                    cursor.execute(sql, row)
                    if returning_params is not None:
                        (key,) = connection.ops.fetch_returned_insert_columns(
                            cursor, returning_params
                        )
                    else:
                        key = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
                    keys.append(key)
        for instance, key in zip(instances, keys, strict=True):
            setattr(instance, meta.pk.attname, key)
            instance._state.adding = False
            instance._state.db = using


class PreparedIncrement:
    """`model.objects.filter(pk=pk).update(field=F(field) + amount)`, with the UPDATE
    written once: a counter moved on every click should not cost a query's
    compilation each time. Sends no signal, as update() sends none."""

    def __init__(self, model: type[Model], field: str):
        self.model = model
        self.field = field

    @functools.cached_property
    def _sql(self) -> str:
        meta = self.model._meta
        table = meta.db_table
        column = meta.get_field(self.field).column
        quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
        # Only the model's own names, quoted, go into the text; values are parameters.
        return (
            f"UPDATE {quote(table)} SET {quote(column)} = {quote(column)} + %s "  # noqa: S608
            f"WHERE {quote(meta.pk.column)} = %s"
        )

    def run(self, pk: int, amount: int, *, using: str = DEFAULT_DB_ALIAS) -> int:
        """Add `amount` to the row's counter; returns how many rows changed (0 or 1)."""
        with connections[using].cursor() as cursor:
            cursor.execute(self._sql, [amount, pk])
            return cursor.rowcount
