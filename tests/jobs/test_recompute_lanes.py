"""A background recompute is split into lanes of consecutive family ids that
separate worker processes recompute side by side: together the lanes cover
every family exactly once, each lane goes on after a worker stops, a later
change supersedes every lane, the progress sums the lanes, and the run is
DONE when every lane is."""

from __future__ import annotations

import os
import signal
from collections import Counter
from types import FrameType

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kinmap.accounts.models import User
from kinmap.jobs import services as js
from kinmap.jobs import tasks
from kinmap.jobs.management.commands import worker as worker_command
from kinmap.jobs.models import FamilyRecompute
from kinmap.jobs.stopping import handlers_kept
from kinmap.records import models as rm
from tests.gaps.family import SeedFamily, seed_family
from tests.jobs.lanes import lanes_of
from tests.jobs.worker import run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def families(owner: User) -> list[SeedFamily]:
    return [seed_family(owner, name=f"Testbaby{i}") for i in range(7)]


def _start(admin: User, lanes: int | None = None) -> FamilyRecompute:
    return js.family_recompute_start(actor=admin, reason="a rule setting changed", lanes=lanes)


def test_the_lanes_cover_every_family_exactly_once(
    admin: User, families: list[SeedFamily], recomputed: Counter[int]
) -> None:
    run = _start(admin)
    lanes = lanes_of(run)
    ids = sorted(rm.FamilyNetwork.objects.values_list("pk", flat=True))
    # consecutive ranges of ids, in order: each family in one lane
    in_lanes = [[i for i in ids if lane.from_network_id < i <= lane.upto_network_id] for lane in lanes]
    assert [i for lane in in_lanes for i in lane] == ids
    assert [lane.total for lane in lanes] == [len(x) for x in in_lanes] == [1, 2, 2, 2]  # sizes within one
    assert [lane.number for lane in lanes] == [0, 1, 2, 3] and run.total == 7
    # one task a lane, waiting for a worker
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert sorted(waiting.values_list("args_kwargs", flat=True), key=str) == sorted(
        ({"args": [lane.pk], "kwargs": {}} for lane in lanes), key=str
    )
    run_worker()
    assert recomputed == Counter(ids)  # every family once
    run.refresh_from_db()
    assert run.state == "done" and [lane.done for lane in lanes_of(run)] == [1, 2, 2, 2]


def test_fewer_families_than_lanes_and_none_at_all(
    admin: User, families: list[SeedFamily], recomputed: Counter[int]
) -> None:
    run = _start(admin, lanes=10)
    assert [lane.total for lane in lanes_of(run)] == [1] * 7
    run_worker()
    assert recomputed == Counter(rm.FamilyNetwork.objects.values_list("pk", flat=True))
    rm.FamilyNetwork.objects.all().delete()
    empty = _start(admin)
    assert [(lane.total, lane.from_network_id, lane.upto_network_id) for lane in lanes_of(empty)] == [
        (0, 0, 0)
    ]
    run_worker()
    empty.refresh_from_db()
    assert empty.state == "done"


def test_the_run_is_done_when_its_last_lane_is(admin: User, families: list[SeedFamily]) -> None:
    run = _start(admin, lanes=2)
    first, second = lanes_of(run)
    assert run.state == "queued" and run.started_at is None
    assert js.family_recompute_lane_step(lane_id=second.pk)
    run.refresh_from_db()
    assert run.state == "running" and run.started_at is not None
    assert not js.family_recompute_lane_step(lane_id=second.pk)  # lane done, the run not
    run.refresh_from_db()
    assert run.state == "running" and run.finished_at is None
    while js.family_recompute_lane_step(lane_id=first.pk):
        pass
    run.refresh_from_db()
    assert run.state == "done" and run.finished_at is not None


def test_the_progress_sums_the_lanes(admin: User, families: list[SeedFamily]) -> None:
    run = _start(admin)
    lanes = lanes_of(run)
    assert js.family_recompute_progress_read(run_id=run.pk).done == 0  # type: ignore[union-attr]
    js.family_recompute_lane_step(lane_id=lanes[1].pk, size=1)
    js.family_recompute_lane_step(lane_id=lanes[3].pk, size=2)
    p = js.family_recompute_progress_read(run_id=run.pk)
    assert p is not None and (p.done, p.total, p.counted) == (3, 7, "3 of 7 families")
    assert js.family_recompute_progress_read() == p  # the newest run
    assert js.family_recompute_progress_read(run_id=run.pk + 1) is None


def test_a_later_change_supersedes_every_lane(
    admin: User, families: list[SeedFamily], recomputed: Counter[int]
) -> None:
    first = _start(admin)
    js.family_recompute_lane_step(lane_id=lanes_of(first)[2].pk, size=1)
    second = _start(admin)
    assert {lane.state for lane in lanes_of(first)} == {"superseded"}
    assert not any(js.family_recompute_lane_step(lane_id=lane.pk) for lane in lanes_of(first))
    recomputed.clear()
    run_worker()  # the first run's tasks end at once; the second recomputes every family
    assert recomputed == Counter(rm.FamilyNetwork.objects.values_list("pk", flat=True))
    assert [FamilyRecompute.objects.get(pk=r.pk).state for r in (first, second)] == ["superseded", "done"]
    assert js.family_recompute_resume_stale() == []


def test_a_worker_asked_to_stop_ends_a_lane_after_its_batch_and_the_next_goes_on(
    admin: User, families: list[SeedFamily], recomputed: Counter[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _start(admin, lanes=1)
    (lane,) = lanes_of(run)
    real = js.family_recompute_lane_step
    unheard: list[int] = []

    def batch_then_sigterm(*, lane_id: int) -> bool:
        more = real(lane_id=lane_id, size=2)
        os.kill(os.getpid(), signal.SIGTERM)  # as ``kill`` or a service manager sends it
        return more

    def not_the_worker(signum: int, frame: FrameType | None) -> None:
        unheard.append(signum)  # the worker did not handle it

    monkeypatch.setattr(tasks, "family_recompute_lane_step", batch_then_sigterm)
    with handlers_kept():
        signal.signal(signal.SIGTERM, not_the_worker)
        run_worker()
        assert signal.getsignal(signal.SIGTERM) is not_the_worker  # put back
    assert unheard == []
    lane.refresh_from_db()
    assert (lane.state, lane.done) == ("running", 2)  # stopped after its first batch
    assert DBTaskResult.objects.get(id=lane.task_id).status == TaskResultStatus.SUCCESSFUL
    assert js.family_recompute_resume_stale() == [lane.pk]  # at once: no worker has it

    monkeypatch.setattr(tasks, "family_recompute_lane_step", real)
    run_worker()
    run.refresh_from_db()
    assert run.state == "done" and recomputed == Counter(
        rm.FamilyNetwork.objects.values_list("pk", flat=True)
    )


def test_a_stop_asked_while_the_worker_resumes_lanes_takes_no_task(
    admin: User, families: list[SeedFamily], recomputed: Counter[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _start(admin, lanes=2)
    real = worker_command.family_recompute_resume_stale

    def resume_then_sigterm(**kwargs: object) -> list[int]:
        resumed = real(**kwargs)  # type: ignore[arg-type]
        os.kill(os.getpid(), signal.SIGTERM)  # before db_worker has its own handlers
        return resumed

    monkeypatch.setattr(worker_command, "family_recompute_resume_stale", resume_then_sigterm)
    with handlers_kept():
        run_worker()
    assert recomputed == Counter()
    lanes = lanes_of(run)
    assert [(lane.state, lane.done) for lane in lanes] == [("queued", 0), ("queued", 0)]
    tasks_left = DBTaskResult.objects.filter(id__in=[lane.task_id for lane in lanes])
    assert sorted(tasks_left.values_list("status", flat=True)) == [TaskResultStatus.READY] * 2  # not taken

    monkeypatch.setattr(worker_command, "family_recompute_resume_stale", real)
    run_worker()
    run.refresh_from_db()
    assert run.state == "done" and recomputed == Counter(
        rm.FamilyNetwork.objects.values_list("pk", flat=True)
    )
