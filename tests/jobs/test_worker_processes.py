"""``kinmap worker --processes N`` starts N worker processes and ends when
they all have; Ctrl+C or SIGTERM stops every one; a worker whose parent has
ended is sent SIGTERM (by the kernel on Linux, else by a thread watching its
parent's id; a parent killed for real: test_worker_deaths.py). Run as
separate processes on a migrated SQLite file of the test's own (whatever the
database of the run: the processes are what is tested)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from django.core.management import CommandError

from kinmap.jobs import parent
from kinmap.jobs.management.commands.worker import failure_words, run_processes
from kinmap.jobs.stopping import handlers_kept
from tests.jobs.live import sqlite_env
from tests.jobs.worker import run_worker

ROOT = Path(__file__).resolve().parents[2]
ON_LINUX = sys.platform.startswith("linux")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a kinmap on a migrated SQLite file."""
    return sqlite_env(tmp_path_factory.mktemp("worker") / "w.sqlite3", migrate=True)


def _worker(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kinmap", "worker", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _pid(line: str) -> int:
    """The process id in "kinmap worker: running background work in process 123 (...)"."""
    assert line.startswith("kinmap worker: running background work in process "), line
    return int(line.split("in process ")[1].split()[0])


def _gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


def test_until_idle_in_two_processes(env: dict[str, str]) -> None:
    worker = _worker(env, "--processes", "2", "--until-idle")
    out, err = worker.communicate(timeout=300)
    assert worker.returncode == 0, err
    lines = out.splitlines()
    assert lines[0] == "kinmap worker: 2 worker processes (Ctrl+C stops them)"
    pids = {_pid(line) for line in lines[1:]}
    assert len(pids) == 2 and worker.pid not in pids and all(_gone(p) for p in pids)


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_every_process(env: dict[str, str], sent: signal.Signals) -> None:
    worker = _worker(env, "--processes", "2", "--interval", "0.2")
    assert worker.stdout is not None
    assert worker.stdout.readline().startswith("kinmap worker: 2 worker processes")
    pids = [_pid(worker.stdout.readline()) for _ in range(2)]  # each heard from: it is running
    assert not any(_gone(p) for p in pids)
    worker.send_signal(sent)
    assert worker.wait(timeout=120) == 0, worker.stderr.read() if worker.stderr else ""
    assert all(_gone(p) for p in pids)


@pytest.mark.parametrize("processes", ["0", "-1", "65", "99999"])
def test_at_least_one_process_and_at_most_64(env: dict[str, str], processes: str) -> None:
    worker = _worker(env, "--processes", processes)
    _, err = worker.communicate(timeout=120)
    assert worker.returncode != 0 and "--processes must be 1 or more, and at most 64" in err
    assert len(err.strip().splitlines()) == 1


def test_a_signal_while_the_processes_start_stops_those_started_and_starts_no_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[subprocess.Popen[bytes]] = []
    heard_here: list[int] = []
    real_popen = subprocess.Popen

    def popen(argv: list[str]) -> subprocess.Popen[bytes]:
        child = real_popen(argv)
        started.append(child)
        os.kill(os.getpid(), signal.SIGTERM)  # asked to stop just after the first has started
        return child

    monkeypatch.setattr(subprocess, "Popen", popen)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: heard_here.append(signum))
    try:
        code = run_processes(["sleep", "30"], 3)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert heard_here == []  # the stop reached run_processes, not the handler before it
    assert len(started) == 1 and code == {started[0].pid: -signal.SIGTERM}


def test_failure_words_name_each_failed_process_and_how_it_ended() -> None:
    words = failure_words({30: 0, 12: -signal.SIGKILL, 20: 3, 40: -200})
    assert words == (
        "worker process 12 was ended by SIGKILL; "
        "worker process 20 stopped with status 3 (its messages are above); "
        "worker process 40 was ended by signal 200"
    )
    assert failure_words({1: 0, 2: 0}) == ""


def test_a_parent_id_that_is_not_the_workers_parent_is_refused(env: dict[str, str]) -> None:
    # this test process started it, so process 1 is not its parent
    worker = _worker(env, "--parent", "1", "--until-idle")
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 1 and out == ""  # before: status 0, having done nothing
    assert f"--parent 1 is not the process that started this worker (process {os.getpid()})" in err


def _sigterm_heard() -> tuple[threading.Event, Any]:
    heard = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        heard.set()

    return heard, handler


def test_a_worker_whose_parent_ended_is_sent_sigterm_by_its_thread_where_the_kernel_cannot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parent, "_pdeathsig", lambda: False)  # as on macOS
    heard, handler = _sigterm_heard()
    with handlers_kept():
        signal.signal(signal.SIGTERM, handler)
        # a parent id that is not this process's parent: as after the parent ended
        assert parent.stop_with_parent(os.getppid() + 1, interval=0.05) == "thread"
        assert heard.wait(60)


@pytest.mark.skipif(not ON_LINUX, reason="PR_SET_PDEATHSIG is Linux's")
def test_a_parent_that_ended_before_the_kernel_was_asked_is_caught() -> None:
    heard, handler = _sigterm_heard()
    with handlers_kept():
        signal.signal(signal.SIGTERM, handler)
        try:
            assert parent.stop_with_parent(os.getppid() + 1) == "gone"
            assert heard.wait(60)
        finally:
            parent.ctypes.CDLL(None).prctl(parent.PR_SET_PDEATHSIG, 0, 0, 0, 0)  # this test process's own


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("option", "seconds"),
    [
        ("--interval", "0"),
        ("--interval", "0.000001"),
        ("--interval", "-1"),
        ("--interval", "nan"),
        ("--interval", "inf"),
        ("--stale-after", "0"),
        ("--stale-after", "0.01"),
        ("--stale-after", "-5"),
        ("--stale-after", "nan"),
        ("--stale-after", "1e30"),
    ],
)
def test_interval_and_stale_after_are_at_least_a_tenth_of_a_second_and_at_most_a_day(
    option: str, seconds: str
) -> None:
    with pytest.raises(
        CommandError, match=f"^{option} must be a number of seconds, at least 0.1 and at most 86400$"
    ):
        run_worker(option, seconds)
