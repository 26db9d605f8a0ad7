"""``kinmap gaps FAMILY [--json]``: the family's open gaps, for scripts and checks."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinmap.audit.services import audit_record
from kinmap.gaps.selectors import open_gaps
from kinmap.records.management.commands._cli import (
    accountable,
    add_accountability_arguments,
    cli_audit_context,
    plural,
    user_named,
)
from kinmap.records.models import FamilyNetwork
from kinmap.web.converters import is_object_id


class Command(BaseCommand):
    help = "Print a family network's open gaps (rule, subject, state, severity, times prompted)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("family", type=int, help="the family network's number")
        parser.add_argument("--json", action="store_true", help="print JSON")
        add_accountability_arguments(parser, "the read")

    def handle(self, *args: Any, **options: Any) -> None:
        username, reason = accountable(options, "gaps")
        network = (
            FamilyNetwork.objects.filter(pk=options["family"]).first()
            if is_object_id(options["family"])
            else None
        )
        if network is None:
            raise CommandError(f"No family network {options['family']}")
        actor = user_named(username)
        with cli_audit_context():
            gaps = open_gaps(network)
            audit_record(
                actor=actor,
                action="view",
                object_type="gaps",
                object_id=network.pk,
                network_id=network.pk,
                reason=reason,
            )
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
        self.stdout.write(f"{network.name} (family {network.pk}): {plural(len(rows), 'open gap')}")
        for r in rows:
            self.stdout.write(
                f"  {r['severity']:<9} {r['rule']:<28} {r['subject']:<24} {r['state']:<15} "
                f"prompted {r['times_prompted']}"
            )
