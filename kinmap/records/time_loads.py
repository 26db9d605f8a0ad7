"""Each distinct ``timestamp with time zone`` text parsed once per connection.

A family's rows carry the same few times again and again: when each fact,
relationship and stay was recorded (a load or an import stamps many rows at
once), when its gaps were opened and resolved (one recompute's ``now``). On
PostgreSQL psycopg parses each value with Django's time zone loader, written in
Python (a regular expression and three datetimes a value), which was about a
sixth of the process's time reading a batch of families for the background
recompute. :func:`times_cached` gives a psycopg cursor a loader that returns
the value parsed before for the same text, on the same connection and with
the same time zone, and parses the others as Django's loader does.

The values are the loader's own (the same ``datetime``: they are immutable, so
rows share one object safely). They are kept per psycopg connection (never
shared between connections) and per loader class and connection time zone
(the things besides the text that the loader's answer depends on: Django's
time zone is the class's; the ``TimeZone`` and ``DateStyle`` the connection
had when the cursor was made, which psycopg's loader reads then), at most
:data:`LIMIT` of them: the cache is emptied when it is full.
"""

from __future__ import annotations

import weakref
from datetime import datetime
from typing import Any

from psycopg import Connection, adapters
from psycopg.abc import AdaptContext, Buffer
from psycopg.adapt import Loader
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader

TIMESTAMPTZ_OID = adapters.types["timestamptz"].oid
LIMIT = 20_000  # distinct texts kept per connection and time zone
KEYS_LIMIT = 16  # loader classes and time zones kept

# the loader class, and the connection's TimeZone and DateStyle when the cursor was made
Key = tuple[type, bytes | None, bytes | None]
# by psycopg connection, then by key: text -> value
_caches: weakref.WeakKeyDictionary[Connection[Any], dict[Key, dict[bytes, datetime]]]
_caches = weakref.WeakKeyDictionary()
_classes: dict[type[Loader], type[Loader]] = {}  # Django's loader class -> its caching subclass


class _Cached:
    """Marks a loader class made by :func:`_cached` (so it is not wrapped twice)."""


def _values(connection: Connection[Any] | None, base: type) -> dict[bytes, datetime] | None:
    """The cache of ``connection`` for the loader class ``base`` with the
    connection's time zone and date style as they are now (None: no
    connection, no cache)."""
    if connection is None:
        return None
    status = connection.pgconn.parameter_status
    key = (base, status(b"TimeZone"), status(b"DateStyle"))
    mine = _caches.setdefault(connection, {})
    if key not in mine and len(mine) >= KEYS_LIMIT:
        mine.clear()
    return mine.setdefault(key, {})


def _cached(base: type[Loader]) -> type[Loader]:
    """A subclass of the text loader ``base`` that parses each text once per
    connection and time zone."""
    found = _classes.get(base)
    if found is not None:
        return found
    if len(_classes) >= KEYS_LIMIT:  # Django makes a loader class a cursor when its time zone was changed
        _classes.clear()

    class CachedTimesLoader(base, _Cached):  # type: ignore[valid-type,misc]
        def __init__(self, oid: int, context: AdaptContext | None = None) -> None:
            super().__init__(oid, context)
            self._kept = _values(self.connection, base)

        def load(self, data: Buffer) -> Any:
            kept = self._kept
            if kept is None:
                return super().load(data)
            text = bytes(data)
            value = kept.get(text)
            if value is None:
                value = super().load(data)
                if len(kept) >= LIMIT:
                    kept.clear()
                kept[text] = value
            return value

    CachedTimesLoader.__qualname__ = CachedTimesLoader.__name__ = f"Cached{base.__name__}"
    _classes[base] = CachedTimesLoader
    return CachedTimesLoader


def times_cached(cursor: Any) -> None:
    """Have the psycopg cursor ``cursor`` read ``timestamptz`` columns sent
    as text through the cache (before it runs a query). Its own loader, the
    one Django registered on the connection or on this cursor (a subclass of
    psycopg's ``TimestamptzLoader`` written in Python), does the parsing of a
    text not seen before; any other loader is left as it is."""
    base = cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if base is None or issubclass(base, _Cached) or not issubclass(base, TimestamptzLoader):
        return  # psycopg's own loader, written in C, is fast already (and cannot be subclassed)
    cursor.adapters.register_loader(TIMESTAMPTZ_OID, _cached(base))


def cached_count(connection: Connection[Any]) -> int:
    """How many values ``connection`` (a psycopg connection) keeps, over every time zone."""
    return sum(len(v) for v in _caches.get(connection, {}).values())
