"""Two administrators changing two different rules at the same moment, on
PostgreSQL: the change committed second supersedes the run of the first, so
one run recomputes every family (with both changes), not two."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from kinmap.accounts.models import User
from kinmap.gaps import services as gs
from kinmap.jobs.models import FamilyRecompute
from tests.gaps.family import seed_family
from tests.held_open import change_held_open
from tests.jobs.worker import run_worker

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

State = FamilyRecompute.State


@pytest.mark.django_db(transaction=True)
def test_two_rule_changes_at_once_leave_one_run(admin: User, owner: User) -> None:
    for i in range(3):
        seed_family(owner, name=f"Testbaby{i}")
    errors: list[BaseException] = []

    def second_change() -> None:
        try:
            gs.rule_setting_change(
                actor=admin, rule_id="R07-visitors", enabled=False, params={}, reason="second admin"
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    second = threading.Thread(target=second_change)
    with change_held_open(
        lambda: gs.rule_setting_change(
            actor=admin, rule_id="R09-other-names", enabled=False, params={}, reason="first admin"
        )
    ):
        second.start()
        second.join(timeout=3)  # it commits now, or waits for the first change to commit
    second.join(timeout=60)
    assert errors == []
    runs = list(FamilyRecompute.objects.order_by("pk").values_list("reason", "state"))
    assert [state for _, state in runs].count(State.QUEUED) == 1, runs
    run_worker()
    assert set(FamilyRecompute.objects.values_list("state", flat=True)) <= {State.DONE, State.SUPERSEDED}
