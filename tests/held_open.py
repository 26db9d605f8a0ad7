"""A change held open in another connection, for tests on PostgreSQL that show
something does not wait for it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, connections, transaction


@contextmanager
def change_held_open(change: Callable[[], None]) -> Iterator[None]:
    """Run ``change`` in a transaction of another thread (its own database
    connection) and keep that transaction open, its locks held, while the
    body runs; the body's own connection gives up at once on any lock it would
    wait for (``lock_timeout`` of 1 s, PostgreSQL) instead of hanging. On the
    way out the change commits; an error it raised is raised here."""
    held, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                change()
                held.set()
                release.wait(timeout=60)
        except BaseException as exc:
            errors.append(exc)
            held.set()
        finally:
            connections.close_all()

    writer = threading.Thread(target=hold)
    writer.start()
    try:
        held.wait(timeout=60)
        assert errors == [], errors
        with connection.cursor() as cur:
            cur.execute("SET lock_timeout = '1s'")
        yield
    finally:
        release.set()
        writer.join(timeout=60)
        with connection.cursor() as cur:
            cur.execute("SET lock_timeout = 0")
    assert errors == [], errors
