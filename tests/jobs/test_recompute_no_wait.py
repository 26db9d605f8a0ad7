"""The background recompute never waits for a change in progress (and so never
holds up a page behind one): a family whose row a change holds is skipped and
done at the end, on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from kinmap.accounts.models import Role, Team, User
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.jobs import services as js
from kinmap.jobs.models import FamilyRecompute
from tests.conftest import make_user
from tests.gaps.family import seed_family
from tests.held_open import change_held_open
from tests.records.test_stale_edits import _person_meanwhile as person_meanwhile

NOT_ON_SQLITE = (
    "Needs PostgreSQL: SQLite has one write lock for the whole database and no row locks, so a "
    "batch there always waits for a change in progress (batches are kept short for that reason)"
)
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason=NOT_ON_SQLITE),
]


@pytest.fixture
def admin(health_team: Team) -> User:
    return make_user("partnership.admin", health_team, Role.ADMINISTRATOR)


@pytest.mark.django_db(transaction=True)
def test_a_family_being_changed_is_skipped_then_done_at_the_end(owner: User, admin: User) -> None:
    families = [seed_family(owner, name=f"Testbaby{i}") for i in range(3)]
    gs.rule_setting_change(actor=admin, rule_id="R09-other-names", enabled=False, params={}, reason="x")
    run = FamilyRecompute.objects.get()
    busy = families[1]
    # a change to one family, its row locked to the end of its open transaction
    with change_held_open(lambda: person_meanwhile(busy, owner)):
        assert js.family_recompute_step(run_id=run.pk, size=10)  # would fail on waiting for a lock
        run.refresh_from_db()
        assert (run.done, run.skipped) == (2, [busy.network.pk])
    assert js.family_recompute_step(run_id=run.pk, size=10)  # the skipped family
    assert not js.family_recompute_step(run_id=run.pk, size=10)
    run.refresh_from_db()
    assert (run.state, run.done, run.skipped) == ("done", 3, [])
    assert not gm.Gap.objects.filter(rule_id="R09-other-names", resolved_at__isnull=True).exists()
