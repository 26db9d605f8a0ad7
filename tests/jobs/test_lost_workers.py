"""Work held by a worker that is gone is taken over, not waited for: a task
claimed by a worker process of this host that has ended (killed) is seen to
have lost its worker at the next pass (a recompute lane is resumed, a
neighbours' recompute run again, the dead task marked failed), and
``--until-idle`` waits, saying so, for a lane held by a worker it cannot see
(another host's) rather than end with the run unfinished; the progress page
says when no lane has moved for a minute (real processes killed:
test_worker_deaths.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kinmap.accounts.models import User
from kinmap.gaps import services as gs
from kinmap.jobs import services as js
from kinmap.jobs.claimants import claimant_alive, worker_id
from kinmap.jobs.models import FamilyRecompute
from kinmap.jobs.tasks import recompute_neighbours
from tests.conftest import PASSWORD
from tests.gaps.family import SeedFamily, seed_family
from tests.jobs.lanes import lanes_of
from tests.jobs.worker import run_worker

ON_LINUX = sys.platform.startswith("linux")
ANOTHER_HOST = "kinmap:another-host:4242:99"


@pytest.fixture
def families(owner: User) -> list[SeedFamily]:
    return [seed_family(owner, name=f"Testbaby{i}") for i in range(5)]


@pytest.fixture
def ended() -> Iterator[subprocess.Popen[bytes]]:
    """A process of this host that has ended (reaped)."""
    process = subprocess.Popen([sys.executable, "-c", ""])
    process.wait()
    yield process


def _zombie() -> subprocess.Popen[bytes]:
    """A process that has ended and not been reaped (a zombie)."""
    process = subprocess.Popen([sys.executable, "-c", ""])
    stat = Path(f"/proc/{process.pid}/stat")
    while stat.read_text().rsplit(")", 1)[-1].split()[0] != "Z":
        threading.Event().wait(0.05)
    return process


def test_whether_a_claimant_is_alive(ended: subprocess.Popen[bytes]) -> None:
    assert claimant_alive(worker_id()) is True  # this process
    assert claimant_alive(worker_id(ended.pid)) is False
    assert claimant_alive(f"kinmap:{worker_id().split(':')[1]}:{ended.pid}:") is False
    for unseen in (
        ANOTHER_HOST,
        "",
        "3c9f0e8a1b2d4c6e",
        "kinmap:x",
        f"kinmap:{worker_id().split(':')[1]}:0:",
    ):
        assert claimant_alive(unseen) is None
    if ON_LINUX:
        zombie = _zombie()
        assert claimant_alive(worker_id(zombie.pid)) is False  # killed, not yet reaped by its parent
        zombie.wait()
        host, pid, started = worker_id().split(":")[1:]
        assert claimant_alive(f"kinmap:{host}:{pid}:{int(started) + 1}") is False  # its id used again


def _killed_mid_lane(admin: User, claimant: str) -> FamilyRecompute:
    """A run whose last lane (families 3 and 4) did one batch in a worker
    ``claimant`` that never ended its task."""
    gs.rule_setting_change(actor=admin, rule_id="R09-other-names", enabled=False, params={}, reason="x")
    run = FamilyRecompute.objects.get()
    last = lanes_of(run)[-1]
    assert js.family_recompute_lane_step(lane_id=last.pk, size=1)
    DBTaskResult.objects.filter(id=last.task_id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[claimant]
    )
    return run


@pytest.mark.django_db
def test_the_lane_of_a_killed_worker_is_resumed_at_once_and_its_task_marked_failed(
    admin: User, families: list[SeedFamily], recomputed: Counter[int], ended: subprocess.Popen[bytes]
) -> None:
    run = _killed_mid_lane(admin, worker_id(ended.pid))
    killed_task = lanes_of(run)[-1].task_id
    recomputed.clear()
    assert js.family_recompute_resume_stale() == [lanes_of(run)[-1].pk]  # at once, not a minute later
    assert js.family_recompute_waiting() == []
    run_worker()
    run.refresh_from_db()
    assert run.state == "done" and [lane.done for lane in lanes_of(run)] == [1, 1, 1, 2]
    ids = sorted(f.network.pk for f in families)
    assert recomputed == Counter(ids[:3] + ids[4:])  # the killed batch's family not again
    task = DBTaskResult.objects.get(id=killed_task)
    assert (task.status, task.exception_class_path) == (TaskResultStatus.FAILED, js.ORPHANED)
    assert js.queue_orphans_release() == [] and js.family_recompute_resume_stale() == []


@pytest.mark.django_db
def test_until_idle_waits_for_a_lane_held_by_a_worker_it_cannot_see_then_takes_it_over(
    admin: User, families: list[SeedFamily]
) -> None:
    run = _killed_mid_lane(admin, ANOTHER_HOST)
    last = lanes_of(run)[-1]
    assert last.touched_at is not None
    assert js.family_recompute_waiting() == [
        js.Waiting(run.pk, 3, ANOTHER_HOST, last.touched_at + js.STALE_AFTER)
    ]
    assert js.family_recompute_resume_stale() == []  # it moved a moment ago: its worker may be alive
    # long enough that the lane is still fresh at the worker's first pass on a
    # loaded machine (the other lanes' tasks run first), short for a test
    out = run_worker("--stale-after", "3", "--interval", "0.1", verbosity=1)
    run.refresh_from_db()
    assert run.state == "done" and [lane.done for lane in lanes_of(run)] == [1, 1, 1, 2]
    # said once, however many passes it waited
    waiting = [line for line in out.splitlines() if "waiting" in line]
    assert len(waiting) == 1 and waiting[0].startswith(
        f"kinmap worker: waiting for lane 3 of recompute {run.pk} (worker {ANOTHER_HOST}): held by a "
        "worker not seen from this host; taken over if it has not moved by "
    )
    assert DBTaskResult.objects.get(id=last.task_id).status == TaskResultStatus.RUNNING  # not ours to mark


@pytest.mark.django_db
def test_a_neighbours_recompute_a_killed_worker_held_is_run_again_once(
    families: list[SeedFamily], recomputed: Counter[int], ended: subprocess.Popen[bytes]
) -> None:
    DBTaskResult.objects.all().delete()  # the seeding's own neighbours' tasks (none: no shared member)
    ids = [families[0].network.pk, families[1].network.pk]
    killed = DBTaskResult.objects.get(id=recompute_neighbours.enqueue(ids).id)
    DBTaskResult.objects.filter(pk=killed.pk).update(
        status=TaskResultStatus.RUNNING, worker_ids=[worker_id(ended.pid)]
    )
    run_worker()
    assert recomputed == Counter(ids)
    killed.refresh_from_db()
    assert (killed.status, killed.exception_class_path) == (TaskResultStatus.FAILED, js.ORPHANED)
    again = DBTaskResult.objects.exclude(pk=killed.pk).get()
    assert (again.status, again.args_kwargs) == (TaskResultStatus.SUCCESSFUL, {"args": [ids], "kwargs": {}})
    run_worker()
    assert recomputed == Counter(ids)  # once: released by one worker


@pytest.mark.django_db
def test_the_failure_of_a_task_whose_worker_ended_names_an_exception_class(
    families: list[SeedFamily], ended: subprocess.Popen[bytes]
) -> None:
    killed = recompute_neighbours.enqueue([families[0].network.pk])
    DBTaskResult.objects.filter(id=killed.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[worker_id(ended.pid)]
    )
    assert js.queue_orphans_release() == [str(killed.id)]
    (error,) = recompute_neighbours.get_result(killed.id).errors
    assert error.exception_class.__name__ == "WorkerGone"  # django-tasks imports it when it is read


@pytest.mark.django_db
def test_the_progress_page_says_when_no_lane_has_moved_for_a_minute(
    admin: User, families: list[SeedFamily]
) -> None:
    run = _killed_mid_lane(admin, ANOTHER_HOST)
    moved = lanes_of(run)[-1].touched_at
    assert moved is not None
    p = js.family_recompute_progress_read(run_id=run.pk)
    assert p is not None and p.time_left != js.STOPPED_WORDS  # it moved a moment ago
    later = moved + js.STALE_AFTER + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        p = js.family_recompute_progress_read(run_id=run.pk)
        assert p is not None and (p.counted, p.time_left) == ("1 of 5 families", js.STOPPED_WORDS)
        client = Client()
        client.login(username=admin.username, password=PASSWORD)
        page = client.get(reverse("jobs-recompute", args=[run.pk])).content.decode()
    assert f"1 of 5 families, {js.STOPPED_WORDS}" in page
