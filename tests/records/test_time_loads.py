"""Each distinct timestamp text is parsed once per connection
(``kinmap.records.time_loads``): what a cursor reads through the cache is what
the connection's own loader reads, with the connection's time zone as it is
when the cursor is made, and nothing read on one connection is given on
another."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from kinmap.records import time_loads
from kinmap.records.time_loads import cached_count, times_cached

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's loaders are PostgreSQL's"),
]

TEXTS = [
    "2026-01-01 10:00:00+00",
    "2026-06-01 10:00:00.5+00",
    "2026-06-01 10:00:00.123456+05:30",
    "1999-12-31 23:59:59.000001-08",
    "2026-01-01 10:00:00+00",  # again
    "1900-01-01 00:00:00+00",
]
SELECT = "SELECT v::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n"


def _read(cursor: Any, texts: list[str]) -> list[datetime]:
    cursor.execute(SELECT, [texts])
    return [row[0] for row in cursor.fetchall()]


def _same(a: list[datetime], b: list[datetime]) -> None:
    """Equal instants with the same time zone objects' names and offsets."""
    assert a == b
    assert [(x.isoformat(), str(x.tzinfo)) for x in a] == [(x.isoformat(), str(x.tzinfo)) for x in b]


def test_a_django_cursor_reads_through_the_cache_what_it_reads_without_it() -> None:
    connection.ensure_connection()
    with connection.cursor() as cursor:
        plain = _read(cursor.cursor, TEXTS)
    with connection.cursor() as cursor:
        times_cached(cursor.cursor)
        times_cached(cursor.cursor)  # a second call leaves the one cache
        cached = _read(cursor.cursor, TEXTS)
    _same(cached, plain)
    assert cached[0].tzinfo == UTC  # Django's loader: the connection's zone, UTC
    kept = cached_count(connection.connection)
    assert kept >= len(set(TEXTS))
    with connection.cursor() as cursor:
        times_cached(cursor.cursor)
        again = _read(cursor.cursor, TEXTS)
    _same(again, plain)
    assert all(x is y for x, y in zip(again, cached, strict=True))  # parsed once
    assert cached_count(connection.connection) == kept


@pytest.fixture
def raw() -> Iterator[Any]:
    """Two psycopg connections of their own, each in UTC to start with,
    reading times with psycopg's loader written in Python (not Django's,
    whose answer is always in Django's time zone)."""
    import psycopg
    from psycopg.types.datetime import TimestamptzLoader

    class PythonLoader(TimestamptzLoader):
        """psycopg's Python loader (registered as it is, psycopg would use its C one)."""

    info = connection.get_connection_params()
    params = {k: v for k, v in info.items() if k not in ("context", "cursor_factory")}
    made = [psycopg.connect(**params) for _ in "ab"]
    for c in made:
        c.autocommit = True
        c.adapters.register_loader("timestamptz", PythonLoader)
        c.execute("SET TIME ZONE 'UTC'")
    yield made
    for c in made:
        c.close()


def _cached_read(conn: Any, texts: list[str]) -> list[datetime]:
    with conn.cursor() as cursor:
        times_cached(cursor)
        return _read(cursor, texts)


def _plain_read(conn: Any, texts: list[str]) -> list[datetime]:
    with conn.cursor() as cursor:
        return _read(cursor, texts)


def test_a_change_of_the_connections_time_zone_is_not_given_values_of_the_old_one(raw: Any) -> None:
    conn = raw[0]
    winter = ["2026-01-01 10:00:00+00"]  # the same text in UTC and in London in winter
    in_utc = _cached_read(conn, winter)
    assert str(in_utc[0].tzinfo) == "UTC"
    conn.execute("SET TIME ZONE 'Europe/London'")
    in_london = _cached_read(conn, winter)
    _same(in_london, _plain_read(conn, winter))
    assert in_london[0].tzinfo == ZoneInfo("Europe/London")
    _same(_cached_read(conn, TEXTS), _plain_read(conn, TEXTS))


def test_a_connection_is_never_given_what_another_parsed(raw: Any) -> None:
    a, b = raw
    b.execute("SET TIME ZONE 'Europe/London'")
    texts = ["2026-01-01 10:00:00+00"]
    from_a = _cached_read(a, texts)
    assert cached_count(b) == 0
    from_b = _cached_read(b, texts)
    assert from_b[0].tzinfo == ZoneInfo("Europe/London") and str(from_a[0].tzinfo) == "UTC"
    assert cached_count(a) == cached_count(b) == 1
    before = len(time_loads._caches)
    a.close()
    raw.remove(a)
    del a, from_a
    gc.collect()
    assert len(time_loads._caches) == before - 1  # a closed connection's values go with it


def test_a_full_cache_is_emptied_and_values_stay_right(raw: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time_loads, "LIMIT", 2)
    conn = raw[0]
    for _ in range(2):
        _same(_cached_read(conn, TEXTS), _plain_read(conn, TEXTS))
        assert cached_count(conn) <= 2
