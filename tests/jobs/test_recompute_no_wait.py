"""The background recompute never waits for a change in progress (and so never
holds up a page behind one): a family whose row a change holds is skipped and
done at the end, on PostgreSQL. Nor does one lane's batch wait for another's:
a batch locks its own lane's row, never the run's row nor another lane's, so
two worker processes really recompute two lanes of a run at the same time (an
earlier version locked the run's row as well, and the lanes took turns)."""

from __future__ import annotations

import pytest
from django.db import connection

from kinmap.accounts.models import User
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.jobs import services as js
from kinmap.jobs.models import FamilyRecompute, FamilyRecomputeLane
from tests.gaps.family import seed_family
from tests.held_open import change_held_open
from tests.jobs.lanes import lanes_of
from tests.records.test_stale_edits import _person_meanwhile as person_meanwhile

NOT_ON_SQLITE = (
    "Needs PostgreSQL: SQLite has one write lock for the whole database and no row locks, so a "
    "batch there always waits for a change in progress or another lane's batch (batches are kept short "
    "for that reason)"
)
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason=NOT_ON_SQLITE),
]


@pytest.mark.django_db(transaction=True)
def test_a_family_being_changed_is_skipped_then_done_at_the_end(
    owner: User, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(js, "LANES", 1)  # the three families in one lane
    families = [seed_family(owner, name=f"Testbaby{i}") for i in range(3)]
    gs.rule_setting_change(actor=admin, rule_id="R09-other-names", enabled=False, params={}, reason="x")
    run = FamilyRecompute.objects.get()
    (lane,) = lanes_of(run)
    busy = families[1]
    # a change to one family, its row locked to the end of its open transaction
    with change_held_open(lambda: person_meanwhile(busy, owner)):
        assert js.family_recompute_lane_step(lane_id=lane.pk, size=10)  # would fail on waiting for a lock
        lane.refresh_from_db()
        assert (lane.done, lane.skipped) == (2, [busy.network.pk])
    assert js.family_recompute_lane_step(lane_id=lane.pk, size=10)  # the skipped family
    assert not js.family_recompute_lane_step(lane_id=lane.pk, size=10)
    lane.refresh_from_db()
    run.refresh_from_db()
    assert (lane.state, lane.done, lane.skipped, run.state) == ("done", 3, [], "done")
    assert not gm.Gap.objects.filter(rule_id="R09-other-names", resolved_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_lane_batch_waits_neither_for_the_run_row_nor_for_another_lane(owner: User, admin: User) -> None:
    for i in range(4):
        seed_family(owner, name=f"Testbaby{i}")
    run = js.family_recompute_start(actor=admin, reason="x", lanes=2)
    first, second = lanes_of(run)
    assert js.family_recompute_lane_step(lane_id=first.pk, size=1)  # the run is running now

    def run_row_held() -> None:
        list(FamilyRecompute.objects.select_for_update().filter(pk=run.pk))

    def lane_batch_in_progress() -> None:  # another process's batch holds its lane's row
        list(FamilyRecomputeLane.objects.select_for_update().filter(pk=first.pk))

    # either would fail on waiting for a lock (lock_timeout) if a batch locked the run's row
    with change_held_open(run_row_held):
        assert js.family_recompute_lane_step(lane_id=second.pk, size=1)
    with change_held_open(lane_batch_in_progress):
        assert js.family_recompute_lane_step(lane_id=second.pk, size=1)
    assert [lane.done for lane in lanes_of(run)] == [1, 2]
