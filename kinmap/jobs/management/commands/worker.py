"""``kinmap worker [--until-idle] [--interval SECONDS]``: run the background work.

Runs the queued tasks (django-tasks' database backend, through its
``db_worker`` command), re-enqueues any recompute a stopped worker left
unfinished, and seals the audit events written since the last pass
(``audit_seal``) and forgets the one-time tokens of forms sent days ago
(``form_submissions_expire``), then waits ``--interval`` seconds and starts again. With
``--until-idle`` it stops once a pass finds nothing queued and nothing to
resume (for tests, benchmarks and scripts). Stop it with Ctrl+C or SIGTERM: a
recompute stopped part-way goes on from its last batch when a worker runs again.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django_tasks_db.models import DBTaskResult

from kinmap.audit.services import audit_seal
from kinmap.jobs.services import family_recompute_resume_stale
from kinmap.web.submissions import form_submissions_expire


def worker_pass(verbosity: int = 0) -> bool:
    """One pass: resume, run every task ready now, seal. True if it found work."""
    resumed = family_recompute_resume_stale()
    had_tasks = DBTaskResult.objects.ready().exists()
    if had_tasks:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=verbosity)
    sealed = audit_seal()
    form_submissions_expire()
    return bool(resumed or had_tasks or sealed)


class Command(BaseCommand):
    help = "Run the background work (recomputes after a rule setting changes) and seal the audit trail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--until-idle",
            action="store_true",
            help="stop when there is nothing left to do (tests, benchmarks)",
        )
        parser.add_argument(
            "--interval", type=float, default=2.0, help="seconds to wait between passes (default 2)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        if verbosity:
            self.stdout.write("kinmap worker: running background work (Ctrl+C stops it)")
        while True:
            busy = worker_pass(verbosity=max(0, verbosity - 1))
            if options["until_idle"] and not busy:
                return
            if not busy:
                time.sleep(options["interval"])
