"""Workers killed with SIGKILL, in real processes, on the database of the run
(a migrated SQLite file of the test's own, or the PostgreSQL test database):

- the ``--processes`` workers of a parent killed with SIGKILL stop after the
  batch in hand (the kernel, or a thread watching the parent, sends them
  SIGTERM), their lanes' tasks end, and the next worker finishes the run
  (before: they went on claiming tasks for ever, with nobody to stop them);
- a worker killed mid-lane and started again with ``--until-idle`` at once
  finishes the run, every family recomputed once (before: the killed
  worker's lane looked in hand for a minute, and ``--until-idle`` ended with
  the run unfinished).

The workers are slowed down (tests/jobs/live.py) so they can be killed
mid-lane; the waits below are deadlines for something that must happen,
never measures of speed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.jobs.live import kinmap_live, live_run, live_state, sqlite_env

FAMILIES = 24  # 4 lanes of 6: a slowed worker is killed well before a lane's end
DEADLINE = 120  # seconds for what must happen (each check polls)
pytestmark = pytest.mark.django_db(transaction=True)  # on PostgreSQL the processes see what is committed


@pytest.fixture(scope="module")
def sqlite_migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied by each test on SQLite."""
    path = tmp_path_factory.mktemp("deaths") / "migrated.sqlite3"
    sqlite_env(path, migrate=True)
    return path


@pytest.fixture
def env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The environment of processes on the run's database with ``FAMILIES``
    families and a recompute waiting for a worker."""
    if connection.vendor == "postgresql":
        d = connection.settings_dict
        login = quote(d["USER"]) + (f":{quote(d['PASSWORD'])}" if d.get("PASSWORD") else "")
        url = f"postgres://{login}@{d['HOST'] or 'localhost'}:{d['PORT'] or 5432}/{d['NAME']}"
        env = {**os.environ, "DATABASE_URL": url, "KINMAP_ENV": "development"}
    else:
        shutil.copyfile(request.getfixturevalue("sqlite_migrated"), tmp_path / "w.sqlite3")
        env = sqlite_env(tmp_path / "w.sqlite3", migrate=False)
    live_run(env, "tests.jobs.live", "seed", str(FAMILIES))
    return env


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie, not yet reaped, has)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return text.rsplit(")", 1)[-1].split()[0] in ("Z", "X")


def _until(check: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"not within {DEADLINE} s: {what}"
        time.sleep(0.2)


def _batches(worker: subprocess.Popen[str], lanes: int) -> set[int]:
    """Read the worker's output until batches of ``lanes`` different lanes
    have ended; the processes that ran them."""
    assert worker.stdout is not None
    seen: dict[str, int] = {}
    while len(seen) < lanes:
        line = worker.stdout.readline()
        assert line, "the worker ended before its batches"
        if line.startswith("batch of lane "):
            seen[line.split()[3]] = int(line.split()[-1])
    return set(seen.values())


def _finish(env: dict[str, str]) -> str:
    """Run ``kinmap worker --until-idle`` (not slowed); what it printed."""
    worker = kinmap_live(env, "worker", "--until-idle", "--interval", "0.2", stdout=subprocess.PIPE)
    out, _ = worker.communicate(timeout=600)
    assert worker.returncode == 0, out
    return out


def _all_done(env: dict[str, str]) -> None:
    state = live_state(env)
    assert state["run"] == "done", state
    assert all(lane[0] == "done" and lane[1] == lane[2] for lane in state["lanes"]), state
    assert state["recomputed"] == [1] * FAMILIES  # every family once: none lost, none done twice


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes' states from /proc")
def test_the_workers_of_a_killed_parent_stop_after_their_batch_and_the_next_worker_finishes(
    env: dict[str, str],
) -> None:
    parent = kinmap_live(
        env, "worker", "--processes", "2", "--interval", "0.2", slow=True, stdout=subprocess.PIPE
    )
    children: set[int] = set()
    try:
        children = _batches(parent, 2)  # two lanes in hand, one in each process
        assert len(children) == 2 and parent.pid not in children
        parent.kill()
        parent.wait(timeout=DEADLINE)
        _until(lambda: all(_gone(pid) for pid in children), "the workers of the killed parent stop")
    finally:
        parent.kill()
        for pid in children:
            if not _gone(pid):
                os.kill(pid, signal.SIGKILL)
    state = live_state(env)
    # each ended its task after its batch (none left running), the run part-way
    assert state["run"] == "running" and "RUNNING" not in state["tasks"], state
    assert 2 <= sum(lane[1] for lane in state["lanes"]) < FAMILIES
    _finish(env)
    _all_done(env)


def test_a_worker_started_again_at_once_after_one_was_killed_mid_lane_finishes_the_run(
    env: dict[str, str],
) -> None:
    worker = kinmap_live(env, "worker", "--interval", "0.2", slow=True, stdout=subprocess.PIPE)
    try:
        _batches(worker, 1)
    finally:
        worker.kill()
        worker.wait(timeout=DEADLINE)
    state = live_state(env)
    assert state["run"] == "running" and state["tasks"].count("RUNNING") == 1, state  # claimed, never ended
    _finish(env)  # at once: well within the minute a lane held by a worker of another host is waited for
    _all_done(env)


def test_a_parent_names_the_worker_process_killed_and_the_other_finishes_the_run(
    env: dict[str, str],
) -> None:
    parent = kinmap_live(
        env,
        "worker",
        "--processes",
        "2",
        "--until-idle",
        "--interval",
        "0.2",
        slow=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        killed = min(_batches(parent, 2))
        os.kill(killed, signal.SIGKILL)
        _, err = parent.communicate(timeout=600)
    finally:
        parent.kill()
    # before: "a worker process failed (its messages are above)", with no message above
    assert parent.returncode == 1, err
    assert f"worker process {killed} was ended by SIGKILL; what it held is taken over" in err
    assert "messages are above" not in err
    _finish(env)
    _all_done(env)
