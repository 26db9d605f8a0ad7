"""``kinmap synth``: an area-sized made-up caseload, loaded in bulk (never in production)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from kinmap.audit.models import AuditEvent
from kinmap.database_faults import database_ready
from kinmap.records.synth import SynthRefused, synth_load

from ._cli import cli_audit_context


class Command(BaseCommand):
    help = (
        "Load a made-up area caseload in bulk: --families family networks across --teams teams, "
        "the same records for the same --seed, gaps computed by the recompute, one audit event. "
        "Refuses to run when KINMAP_ENV=production."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--families", type=int, default=1000, help="family networks (default 1000)")
        parser.add_argument("--teams", type=int, default=10, help="teams to allocate them to (default 10)")
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same records")
        parser.add_argument(
            "--workers", type=int, default=None, help="processes building the families (default: one a core)"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress lines")

    def handle(self, *args: Any, **options: Any) -> None:
        database_ready()  # before any work: a database not migrated is told in one line
        quiet = options["quiet"]

        def progress(done: int) -> None:
            if not quiet:
                self.stderr.write(f"  loaded {done:,} families")

        started = time.perf_counter()
        loads_before = _loads_recorded()
        with cli_audit_context():
            try:
                r = synth_load(
                    families=options["families"],
                    teams=options["teams"],
                    seed=options["seed"],
                    progress=progress,
                    workers=options["workers"],
                )
            except SynthRefused as exc:
                raise CommandError(str(exc)) from None
            except KeyboardInterrupt:
                raise CommandError(_stopped_words(loads_before)) from None
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"loaded {r.families:,} families ({r.networks:,} networks, {r.people:,} people, "
            f"{r.shared_people:,} in two networks) across {len(r.teams)} teams, "
            f"{r.contacts:,} contacts, {r.gaps_open:,} open gaps and {r.gaps_answered:,} answered, "
            f"in {seconds:.1f} s ({r.families / seconds:,.0f} families a second, {connection.vendor})"
        )


def _loads_recorded() -> int:
    """How many loads the audit trail records (one event each, written in the
    load's own transaction, so it is there if and only if the load is)."""
    return AuditEvent.objects.filter(action="synth").count()


def _stopped_words(loads_before: int) -> str:
    """What a stop (Ctrl-C) left: nothing, when the load's transaction had not
    committed; the whole load, when it stopped while the planner's statistics
    of the tables were being refreshed (after the commit)."""
    try:
        written = _loads_recorded() > loads_before
    except DatabaseError:
        return "stopped; whether the load was written is not known: see the audit trail (action synth)"
    if written:
        return (
            "stopped after the load was written (it is complete); the planner's statistics of its "
            "tables were not all refreshed: run ANALYZE, or let autovacuum do it"
        )
    return "stopped: nothing was written (a load is one transaction)"
