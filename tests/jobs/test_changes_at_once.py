"""Two administrators changing the rule settings at the same moment, on
PostgreSQL: the change committed second supersedes the run of the first, so
one run recomputes every family (with both changes), not two; and two first
changes of one rule (no row yet) refuse the second as stale, not an error."""

from __future__ import annotations

import pytest
from django.db import connection

from kinmap.accounts.models import User
from kinmap.gaps import services as gs
from kinmap.jobs.models import FamilyRecompute
from kinmap.records.errors import RecordError
from tests.gaps.family import seed_family
from tests.held_open_race import second_while_first_held
from tests.jobs.worker import run_worker

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

State = FamilyRecompute.State


def _switch_off(admin: User, rule_id: str, reason: str) -> None:
    gs.rule_setting_change(actor=admin, rule_id=rule_id, enabled=False, params={}, reason=reason)


def _switch_off_while_held(admin: User, first_rule: str, second_rule: str) -> BaseException | None:
    """Switch ``first_rule`` off in a transaction held open while another
    connection switches ``second_rule`` off; the second's error (None: it was
    saved)."""
    return second_while_first_held(
        lambda: _switch_off(admin, first_rule, "first"), lambda: _switch_off(admin, second_rule, "second")
    )


@pytest.mark.django_db(transaction=True)
def test_two_rule_changes_at_once_leave_one_run(admin: User, owner: User) -> None:
    for i in range(3):
        seed_family(owner, name=f"Testbaby{i}")
    assert _switch_off_while_held(admin, "R09-other-names", "R07-visitors") is None
    runs = list(FamilyRecompute.objects.order_by("pk").values_list("reason", "state"))
    assert runs == [("first", State.SUPERSEDED), ("second", State.QUEUED)]
    run_worker()
    assert set(FamilyRecompute.objects.values_list("state", flat=True)) == {State.DONE, State.SUPERSEDED}


@pytest.mark.django_db(transaction=True)
def test_two_first_changes_of_one_rule_at_once_refuse_the_second_as_stale(admin: User) -> None:
    """Neither change finds a row to lock: the second waits for the first
    and is then refused as made on an out-of-date page (before: the unique
    rule_id's IntegrityError, a server error on the settings page)."""
    refused = _switch_off_while_held(admin, "R07-visitors", "R07-visitors")
    assert isinstance(refused, RecordError), refused
    assert FamilyRecompute.objects.count() == 1
