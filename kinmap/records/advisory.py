"""Transaction-scoped advisory locks (PostgreSQL) that put two changes one
after the other where there is no row yet to lock: two first answers to one
question, two allocations of one team to one family, two first changes of a
rule, two starts of a recompute, two people given one NHS number, two
made-up caseloads loaded at once (each numbers its rows from the same ids). The
second waits for the first to commit and then sees its row, so it is refused
in words (or supersedes it) rather than failing on a unique constraint (an
IntegrityError: a server error) or missing it. SQLite lets one transaction
write at a time, so nothing is taken there.

Each kind of change has its own lock class (any fixed number not used for
another lock in kinmap); the key within it is an id or a text's CRC-32, cut
to 31 bits (two keys that meet only wait for each other, never more).
"""

from __future__ import annotations

import zlib

from django.db import connection

NHS_NUMBER = 4_765_919
RECOMPUTE_START = 4_765_920
RULE_SETTING = 4_765_921
ALLOCATION = 4_765_922
PERSON_FACT = 4_765_923
SYNTH_LOAD = 4_765_924  # kinmap synth: one load at a time (key 0)


def advisory_xact_lock(kind: int, key: int | str) -> None:
    """Take the advisory lock ``(kind, key)`` until the end of the current
    transaction (PostgreSQL ``pg_advisory_xact_lock``), waiting for a
    transaction that holds it; nothing on other databases. Call inside the
    transaction, before reading what the change checks."""
    if connection.vendor != "postgresql":
        return
    number = key if isinstance(key, int) else zlib.crc32(key.encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [kind, number & 0x7FFFFFFF])
