"""``kinmap worker [--processes N] [--until-idle] [--interval SECONDS]``: run
the background work.

Runs the queued tasks (django-tasks' database backend, through its
``db_worker`` command), re-enqueues any recompute lane a stopped worker left
unfinished, and seals the audit events written since the last pass
(``audit_seal``) and forgets the one-time tokens of forms sent days ago
(``form_submissions_expire``), then waits ``--interval`` seconds and starts
again. With ``--until-idle`` it stops once a pass finds nothing queued and
nothing to resume (for tests, benchmarks and scripts).

``--processes N`` (default 1) runs N such workers, each its own process
(this command again, with the same options), side by side: a recompute's
lanes are then recomputed N at a time. This process waits for them and
passes Ctrl+C or SIGTERM on to each; it ends when they all have (with
``--until-idle``, once each is idle), with status 1 if any of them failed.
Each is given this process's id (``--parent``, not shown in the help) and
stops as if sent SIGTERM when this process ends, even killed with SIGKILL
(:mod:`kinmap.jobs.parent`).

Stop it with Ctrl+C or SIGTERM: a recompute lane in hand stops after its
current batch and goes on from there when a worker runs again.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks.signals import task_started
from django_tasks_db.models import DBTaskResult

from kinmap.audit.services import audit_seal
from kinmap.jobs.parent import stop_with_parent
from kinmap.jobs.services import family_recompute_resume_stale
from kinmap.jobs.stopping import (
    handlers_kept,
    stop_asked,
    stop_on_signals,
    stop_on_signals_in_task,
    stop_reset,
    stop_wait,
)
from kinmap.web.submissions import form_submissions_expire

# more worker processes than this is a slip (one digit too many): a run has
# LANES lanes, and each process is a Python of its own (tens of megabytes)
MAX_PROCESSES = 64


def worker_pass(verbosity: int = 0) -> bool:
    """One pass: resume, run every task ready now, seal. True if it found work."""
    resumed = family_recompute_resume_stale()
    had_tasks = DBTaskResult.objects.ready().exists()
    if had_tasks:
        # db_worker installs its own handlers while it runs; each task it
        # starts adds the stop to them (kinmap.jobs.stopping)
        task_started.connect(stop_on_signals_in_task, dispatch_uid="kinmap-worker-stop")
        with handlers_kept():
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=verbosity)
    sealed = audit_seal()
    form_submissions_expire()
    return bool(resumed or had_tasks or sealed)


def child_argv(*, until_idle: bool, interval: float, verbosity: int) -> list[str]:
    """The command line of one of ``--processes``' workers: this command, in
    one process, with the same options, told this process's id (it stops
    when this process ends)."""
    argv = [sys.executable, "-m", "kinmap", "worker", "--interval", str(interval), "-v", str(verbosity)]
    argv += ["--parent", str(os.getpid())]
    return [*argv, "--until-idle"] if until_idle else argv


def run_processes(argv: list[str], processes: int) -> int:
    """Start ``processes`` processes of ``argv`` and wait for every one to end,
    passing SIGINT or SIGTERM, once, to each as SIGTERM (they stop after the
    batch in hand). A signal that comes while they are being started stops
    those started and starts no more. Returns 0 if they all ended with status
    0, else 1."""
    children: list[subprocess.Popen[bytes]] = []
    stopped: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.append(signum)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, signal.SIG_IGN)  # once is enough: each stops after its batch

    with handlers_kept():
        # the handler first: a stop asked while the children start reaches each
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, stop)
        for _ in range(processes):
            if stopped:
                break
            # our own children, on argv of our own making (this command again)
            children.append(subprocess.Popen(argv))  # noqa: S603
            if stopped:  # asked before it was in the list (a second SIGTERM does nothing more)
                children[-1].send_signal(signal.SIGTERM)
        codes = [child.wait() for child in children]
    return 0 if all(code == 0 for code in codes) else 1


class Command(BaseCommand):
    help = "Run the background work (recomputes after a rule setting changes) and seal the audit trail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="worker processes side by side (default 1); a recompute's lanes run that many at a time",
        )
        parser.add_argument(
            "--until-idle",
            action="store_true",
            help="stop when there is nothing left to do (tests, benchmarks)",
        )
        parser.add_argument(
            "--interval", type=float, default=2.0, help="seconds to wait between passes (default 2)"
        )
        # given by --processes to its workers: the process whose end stops this one
        parser.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        processes = int(options["processes"])
        if not 1 <= processes <= MAX_PROCESSES:
            raise CommandError(f"--processes must be 1 or more, and at most {MAX_PROCESSES}")
        if processes > 1:
            argv = child_argv(
                until_idle=options["until_idle"], interval=options["interval"], verbosity=verbosity
            )
            if verbosity:
                self.stdout.write(f"kinmap worker: {processes} worker processes (Ctrl+C stops them)")
                self.stdout.flush()
            if run_processes(argv, processes):
                raise CommandError("a worker process failed (its messages are above)")
            return
        stop_reset()
        with handlers_kept():
            stop_on_signals(chain=False)  # before saying so: a stop asked from then on is heard
            if options["parent"] is not None:
                stop_with_parent(options["parent"])  # its SIGTERM is heard as any other
            if verbosity:
                self.stdout.write(
                    f"kinmap worker: running background work in process {os.getpid()} (Ctrl+C stops it)"
                )
                self.stdout.flush()
            while not stop_asked():
                busy = worker_pass(verbosity=max(0, verbosity - 1))
                if options["until_idle"] and not busy:
                    return
                if not busy:
                    stop_wait(options["interval"])
