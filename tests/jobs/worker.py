"""Running the background work in a test, as ``kinmap worker --until-idle``."""

from __future__ import annotations

from io import StringIO
from unittest import mock

from django.core.management import call_command


def run_worker(*args: str, verbosity: int = 0) -> str:
    """Run every queued task (and seal the audit trail) until nothing is left,
    with the worker's options ``args``; what the worker printed. django-tasks'
    worker closes stale database connections between tasks, which would close
    the test's own connection inside its transaction: that is turned off
    here, as Django's test client turns it off for requests."""
    out = StringIO()
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("worker", "--until-idle", *args, stdout=out, verbosity=verbosity)
    return out.getvalue()
