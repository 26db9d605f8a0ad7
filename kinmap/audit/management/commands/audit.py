"""``kinmap audit verify``: check that no audit event has been changed, removed
or reordered. Exits 0 and says so when the chain is whole; otherwise lists
every break and exits 1."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinmap.audit.models import AuditEvent
from kinmap.audit.services import audit_verify


class Command(BaseCommand):
    help = "Work with the audit trail. 'verify' checks the hash chain and lists any break."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="verify")
        sub.add_parser("verify", help="check that no event was changed, removed or reordered")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] != "verify":  # pragma: no cover - argparse refuses others
            raise CommandError(f"Unknown subcommand {options['subcommand']!r}")
        breaks = audit_verify()
        count = AuditEvent.objects.count()
        if not breaks:
            self.stdout.write(f"Audit trail verified: {count} events, the chain is whole.")
            return
        for b in breaks:
            self.stderr.write(f"event #{b.seq}: {b.problem}")
        raise CommandError(
            f"Audit trail is broken: {len(breaks)} problem{'s' if len(breaks) != 1 else ''} "
            f"in {count} events",
            returncode=1,
        )
