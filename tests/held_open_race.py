"""Two changes at the same moment, on PostgreSQL: the first held open in one
connection while the second runs in another."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections

from tests.held_open import change_held_open


def second_while_first_held(first: Callable[[], None], second: Callable[[], None]) -> BaseException | None:
    """Run ``first`` in a transaction held open while ``second`` runs in
    another connection (it commits then, or waits for ``first`` to commit);
    the error ``second`` raised, None when it was saved."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            second()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    with change_held_open(first):
        thread.start()
        thread.join(timeout=3)  # it commits now, or waits for the first change to commit
    thread.join(timeout=60)
    assert len(outcome) == 1
    return outcome[0]
