"""``kinmap gaps FAMILY [--json]``: the family's open gaps, for scripts and checks."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kinmap.audit.services import audit_record
from kinmap.gaps.selectors import open_gaps
from kinmap.records.management.commands import _cli


class Command(BaseCommand):
    help = (
        "Print a family network's open gaps (rule, subject, state, severity, times prompted); "
        "only for a --as USER who may see the family on the pages (else refused, exit status 2)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("family", type=int, help="the family network's number")
        parser.add_argument("--json", action="store_true", help="print JSON")
        _cli.add_accountability_arguments(parser, "the read")

    def handle(self, *args: Any, **options: Any) -> None:
        username, reason = _cli.accountable(options, "gaps")
        actor = _cli.user_named(username)
        with _cli.cli_audit_context():
            # only a family the user may see on the pages, refused alike when missing
            [network] = _cli.networks_visible_to(actor, [options["family"]])
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
        self.stdout.write(f"{network.name} (family {network.pk}): {_cli.plural(len(rows), 'open gap')}")
        for r in rows:
            self.stdout.write(
                f"  {r['severity']:<9} {r['rule']:<28} {r['subject']:<24} {r['state']:<15} "
                f"prompted {r['times_prompted']}"
            )
