"""The suite's PostgreSQL and Redis, lent to a scratch site of its own.

When the suite runs on PostgreSQL and Redis (CI's second pass), the tests
that start real servers run them there too, on a database and a key prefix
of their own; on the defaults, they run on SQLite and the cache directory.
"""

import os
import secrets
from urllib.parse import urlsplit


def production_services() -> dict[str, str]:
    """DATABASE_URL and CACHE_URL for a site of its own on the suite's PostgreSQL and
    Redis, or nothing when the suite runs on the defaults."""
    database, cache = os.environ.get("DATABASE_URL", ""), os.environ.get("CACHE_URL", "")
    if not (database.startswith("postgres") and cache.startswith("redis")):
        return {}
    import psycopg

    name = f"newsroom_scratch_{secrets.token_hex(4)}"
    server = urlsplit(database)._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return {
        "DATABASE_URL": urlsplit(database)._replace(path=f"/{name}").geturl(),
        "CACHE_URL": cache,
        "DJANGO_CACHE_KEY_PREFIX": name,
    }


def drop_database(services: dict[str, str]) -> None:
    if not services:
        return
    import psycopg

    url = urlsplit(services["DATABASE_URL"])
    server = url._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.path[1:]}" WITH (FORCE)')
