"""Real ``kinmap worker`` processes on a database of the test's, for the tests
of workers that are killed (test_worker_deaths.py).

Run as ``python -m tests.jobs.live COMMAND`` with ``DATABASE_URL`` set:

- ``seed N``: a team, an administrator and an owner, ``N`` families, and a
  rule change whose recompute (4 lanes) waits for a worker;
- ``state``: the newest recompute as JSON (its state, its lanes' state, done
  and total, the status of each lane's latest task, and how many times each
  family was recomputed by it: audit events of the action "recompute" by
  its administrator);
- ``worker ARGS``: ``kinmap worker ARGS``, slowed down: batches of one family,
  each followed by a line on standard output ("batch of lane ID in process
  PID") and ``PAUSE`` seconds, so that a test can kill it mid-lane (its
  ``--processes`` workers are this, slowed down, too).

The tests' side (:func:`kinmap_live`) runs these and ``kinmap`` itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PAUSE = 0.3  # seconds after each batch of one family


def kinmap_live(env: dict[str, str], *args: str, slow: bool = False, **popen: Any) -> subprocess.Popen[str]:
    """Start ``kinmap ARGS`` (or, with ``slow``, this module's ``ARGS``) in the
    environment ``env``, its output read as text."""
    module = "tests.jobs.live" if slow else "kinmap"
    return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env=env, text=True, **popen)


def live_run(env: dict[str, str], module: str, *args: str) -> str:
    """Run ``python -m MODULE ARGS`` to its end in the environment ``env``; its
    standard output (CalledProcessError if it fails)."""
    return subprocess.check_output(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, text=True, timeout=600
    )


def sqlite_env(path: Path, *, migrate: bool) -> dict[str, str]:
    """The environment of processes on the SQLite file ``path``, migrated
    first with ``migrate``."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "KINMAP_ENV": "development"}
    if migrate:
        live_run(env, "kinmap", "migrate", "--noinput", "-v", "0")
    return env


def live_state(env: dict[str, str]) -> dict[str, Any]:
    """The ``state`` of the newest recompute on ``env``'s database."""
    state: dict[str, Any] = json.loads(live_run(env, "tests.jobs.live", "state"))
    return state


def _seed(n: int) -> None:
    from kinmap.accounts.models import Agency, Role, Team, User
    from kinmap.gaps import services as gs
    from tests.gaps.family import seed_family

    agency = Agency.objects.create(name="Northshire Community Health", kind="health")
    team = Team.objects.create(agency=agency, name="Health visiting east")
    owner = User.objects.create_user(username="hv.owner", password="x-x-x-x-x-x", team=team)
    admin = User.objects.create_user(
        username="partnership.admin", password="x-x-x-x-x-x", team=team, role=Role.ADMINISTRATOR
    )
    for i in range(n):
        seed_family(owner, name=f"Testbaby{i}")
    gs.rule_setting_change(actor=admin, rule_id="R09-other-names", enabled=False, params={}, reason="x")


def _state() -> dict[str, Any]:
    from collections import Counter

    from django_tasks_db.models import DBTaskResult

    from kinmap.audit.models import AuditEvent
    from kinmap.jobs.models import FamilyRecompute
    from kinmap.records.models import FamilyNetwork

    run = FamilyRecompute.objects.order_by("-pk").first()
    if run is None:
        return {}
    lanes = list(run.lanes.order_by("number"))
    statuses = {str(i): s for i, s in DBTaskResult.objects.values_list("id", "status")}
    events = Counter(
        AuditEvent.objects.filter(action="recompute", actor=run.requested_by).values_list(
            "network_id", flat=True
        )
    )
    return {
        "run": run.state,
        "lanes": [[lane.state, lane.done, lane.total] for lane in lanes],
        "tasks": [statuses.get(lane.task_id) for lane in lanes],
        "recomputed": sorted(events[pk] for pk in FamilyNetwork.objects.values_list("pk", flat=True)),
    }


def _slow_worker(args: list[str]) -> None:
    from kinmap.cli import main
    from kinmap.jobs import tasks
    from kinmap.jobs.management.commands import worker

    real_step, real_argv = tasks.family_recompute_lane_step, worker.child_argv

    def step(*, lane_id: int) -> bool:
        more = real_step(lane_id=lane_id, size=1)
        print(f"batch of lane {lane_id} in process {os.getpid()}", flush=True)
        time.sleep(PAUSE)
        return more

    def argv(**options: Any) -> list[str]:
        return [sys.executable, "-m", "tests.jobs.live", *real_argv(**options)[3:]]

    tasks.family_recompute_lane_step = step  # type: ignore[assignment]
    worker.child_argv = argv
    main(["kinmap", *args])


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinmap.settings")
    import django

    django.setup()
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "worker":
        _slow_worker(sys.argv[1:])
    elif command == "seed":
        _seed(int(rest[0]))
    else:
        print(json.dumps(_state()))
