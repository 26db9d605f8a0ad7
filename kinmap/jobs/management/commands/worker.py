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
current batch and goes on from there when a worker runs again. A lane whose
worker was killed is resumed at the next pass of a worker on the same host
(its worker process is seen to have ended, :mod:`kinmap.jobs.claimants`), or
once it has not moved for ``--stale-after`` seconds (a worker on another
host); ``--until-idle`` waits for such a lane, saying so, rather than end
with the recompute unfinished.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from datetime import timedelta
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks.signals import task_started
from django_tasks_db.models import DBTaskResult

from kinmap.audit.services import audit_seal
from kinmap.jobs.claimants import worker_id
from kinmap.jobs.parent import stop_with_parent
from kinmap.jobs.services import (
    STALE_AFTER,
    Waiting,
    family_recompute_resume_stale,
    family_recompute_waiting,
    queue_orphans_release,
)
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
# --interval and --stale-after: at least MIN_SECONDS (less would poll the
# database all but without a pause, some thousand transactions a second, or
# take over a live worker's lane at every pass) and at most a day (larger
# values overflow the clock's arithmetic)
MIN_SECONDS = 0.1
MAX_SECONDS = 86_400.0


def worker_pass(verbosity: int = 0, *, stale_after: timedelta = STALE_AFTER) -> bool:
    """One pass: resume the lanes that lost their worker (``stale_after``: how
    long a lane held by a worker that cannot be seen may stand still), release
    the other tasks a killed worker held, run every task ready now (claimed
    as :func:`worker_id`), seal. True if it found work."""
    resumed = family_recompute_resume_stale(stale_after=stale_after)
    released = queue_orphans_release()
    # a stop asked meanwhile would not reach db_worker, which would take every
    # task ready (each lane ending at once, unmoved)
    had_tasks = not stop_asked() and DBTaskResult.objects.ready().exists()
    if had_tasks:
        # db_worker installs its own handlers while it runs; each task it
        # starts adds the stop to them (kinmap.jobs.stopping)
        task_started.connect(stop_on_signals_in_task, dispatch_uid="kinmap-worker-stop")
        with handlers_kept():
            call_command(
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                "--worker-id",
                worker_id(),
                verbosity=verbosity,
            )
    sealed = audit_seal()
    form_submissions_expire()
    return bool(resumed or released or had_tasks or sealed)


def waiting_words(waiting: list[Waiting]) -> str:
    """What ``--until-idle`` says while it waits for lanes held by a worker it
    cannot see: one line."""
    lanes = ", ".join(f"lane {w.number} of recompute {w.run_id} (worker {w.claimant})" for w in waiting)
    until = max(w.resume_at for w in waiting).strftime("%H:%M:%S UTC")
    return (
        f"kinmap worker: waiting for {lanes}: held by a worker not seen from this host; "
        f"taken over if it has not moved by {until}"
    )


def child_argv(
    *, until_idle: bool, interval: float, verbosity: int, stale_after: float | None = None
) -> list[str]:
    """The command line of one of ``--processes``' workers: this command, in
    one process, with the same options, told this process's id (it stops
    when this process ends)."""
    argv = [sys.executable, "-m", "kinmap", "worker", "--interval", str(interval), "-v", str(verbosity)]
    argv += ["--parent", str(os.getpid())]
    if stale_after is not None:
        argv += ["--stale-after", str(stale_after)]
    return [*argv, "--until-idle"] if until_idle else argv


def run_processes(argv: list[str], processes: int) -> dict[int, int]:
    """Start ``processes`` processes of ``argv`` and wait for every one to end,
    passing SIGINT or SIGTERM, once, to each as SIGTERM (they stop after the
    batch in hand). A signal that comes while they are being started stops
    those started and starts no more. Returns each started process's exit
    status by its process id (``subprocess``'s: 0 is success, a negative
    number the signal that ended it)."""
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
        return {child.pid: child.wait() for child in children}


def failure_words(codes: dict[int, int]) -> str:
    """What went wrong with ``--processes``' workers, from their exit statuses
    by process id (:func:`run_processes`): one clause a failed process, ""
    when none failed. A process ended by a signal wrote nothing about it; one
    that exited with a status wrote its reason on its standard error."""
    words = []
    for pid, code in sorted(codes.items()):
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            words.append(f"worker process {pid} was ended by {name}")
        elif code > 0:
            words.append(f"worker process {pid} stopped with status {code} (its messages are above)")
    return "; ".join(words)


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
        parser.add_argument(
            "--stale-after",
            type=float,
            default=STALE_AFTER.total_seconds(),
            help=(
                "seconds a lane held by a worker on another host may stand still before it is "
                f"taken over (default {STALE_AFTER.total_seconds():g})"
            ),
        )
        # given by --processes to its workers: the process whose end stops this one
        parser.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        processes = int(options["processes"])
        if not 1 <= processes <= MAX_PROCESSES:
            raise CommandError(f"--processes must be 1 or more, and at most {MAX_PROCESSES}")
        for name in ("interval", "stale_after"):
            if not MIN_SECONDS <= options[name] <= MAX_SECONDS:  # False for nan too
                raise CommandError(
                    f"--{name.replace('_', '-')} must be a number of seconds, at least {MIN_SECONDS:g} "
                    f"and at most {MAX_SECONDS:g}"
                )
        if processes > 1:
            argv = child_argv(
                until_idle=options["until_idle"],
                interval=options["interval"],
                verbosity=verbosity,
                stale_after=options["stale_after"],
            )
            if verbosity:
                self.stdout.write(f"kinmap worker: {processes} worker processes (Ctrl+C stops them)")
                self.stdout.flush()
            failed = failure_words(run_processes(argv, processes))
            if failed:
                raise CommandError(f"{failed}; what it held is taken over at a worker's next pass")
            return
        stop_reset()
        with handlers_kept():
            stop_on_signals(chain=False)  # before saying so: a stop asked from then on is heard
            if options["parent"] is not None:
                if os.getppid() != options["parent"]:
                    raise CommandError(
                        f"--parent {options['parent']} is not the process that started this worker "
                        f"(process {os.getppid()}): it has ended, or was never its parent; nothing done"
                    )
                stop_with_parent(options["parent"])  # its SIGTERM is heard as any other
            if verbosity:
                self.stdout.write(
                    f"kinmap worker: running background work in process {os.getpid()} (Ctrl+C stops it)"
                )
                self.stdout.flush()
            self.passes(options, verbosity)

    def passes(self, options: dict[str, Any], verbosity: int) -> None:
        """Pass after pass until asked to stop (or, with ``--until-idle``, until a
        pass finds nothing to do and no lane held by a worker it cannot see)."""
        stale_after = timedelta(seconds=options["stale_after"])
        said = ""
        while not stop_asked():
            busy = worker_pass(verbosity=max(0, verbosity - 1), stale_after=stale_after)
            if options["until_idle"] and not busy:
                waiting = family_recompute_waiting(stale_after=stale_after)
                if not waiting:
                    return
                words = waiting_words(waiting)
                if verbosity and words != said:
                    self.stdout.write(words)
                    self.stdout.flush()
                said = words
            if not busy:
                stop_wait(options["interval"])
