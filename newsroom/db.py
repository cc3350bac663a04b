"""Database expressions the ORM does not have."""

from django.db.models import CharField, Func


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
