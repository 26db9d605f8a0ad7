"""``kinmap gaps FAMILY [--json]``: the family's open gaps, for scripts and checks."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinmap.accounts.models import User
from kinmap.audit.context import AuditContext, new_request_id, reset_context, set_context
from kinmap.audit.services import audit_record
from kinmap.gaps.selectors import open_gaps
from kinmap.records.models import FamilyNetwork


class Command(BaseCommand):
    help = "Print a family network's open gaps (rule, subject, state, severity, times prompted)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("family", type=int, help="the family network's number")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--user", default="", help="the user name to record in the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        network = FamilyNetwork.objects.filter(pk=options["family"]).first()
        if network is None:
            raise CommandError(f"No family network {options['family']}")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user {options['user']!r}")
        token = set_context(AuditContext(request_id=new_request_id(), channel="cli"))
        try:
            gaps = open_gaps(network)
            audit_record(
                actor=actor,
                action="view",
                object_type="gaps",
                object_id=network.pk,
                network_id=network.pk,
                reason="kinmap gaps",
            )
        finally:
            reset_context(token)
        rows = [
            {
                "rule": g.rule_id,
                "subject": f"{g.subject_kind}:{g.subject_id}" + (f":{g.child_id}" if g.child_id else ""),
                "state": g.state,
                "severity": g.severity,
                "times_prompted": g.times_prompted,
            }
            for g in gaps
        ]
        if options["json"]:
            self.stdout.write(json.dumps({"family": network.pk, "open_gaps": rows}, indent=2))
            return
        self.stdout.write(
            f"{network.name} (family {network.pk}): {len(rows)} open gap{'s' * (len(rows) != 1)}"
        )
        for r in rows:
            self.stdout.write(
                f"  {r['severity']:<9} {r['rule']:<28} {r['subject']:<24} {r['state']:<15} "
                f"prompted {r['times_prompted']}"
            )
