"""``kinmap rules set RULE PARAMETER VALUE --as USER --reason TEXT``: change a
rule setting from the command line, as the partnership administrator USER.

The same service as the Rule settings page (``rule_setting_change``): the
change is recorded with who and why, and every family's gaps are recomputed
in the background (``kinmap worker``); the command prints the recompute's
number. PARAMETER ``enabled`` with ``true``/``false`` switches the rule on or
off; any other names one of the rule's thresholds, VALUE a whole number (or
text). Exits 2 when refused (no such rule, bad value, not an administrator).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinmap.gaps import models as gm
from kinmap.gaps.services import rule_setting_change
from kinmap.jobs.models import FamilyRecompute
from kinmap.records.errors import RecordError
from kinmap.records.management.commands._cli import (
    REFUSED,
    accountable,
    add_accountability_arguments,
    cli_audit_context,
    user_named,
)

TRUE, FALSE = {"true", "yes", "on"}, {"false", "no", "off"}


def parse_value(text: str) -> object:
    """A whole number if VALUE is one, else true/false, else the text."""
    try:
        return int(text)
    except ValueError:
        pass
    if text.lower() in TRUE | FALSE:
        return text.lower() in TRUE
    return text


class Command(BaseCommand):
    help = "Change a rule setting (recorded with who and why); every family is recomputed in the background."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{set}")
        change = sub.add_parser("set", help="set one parameter of a rule (or 'enabled')")
        change.add_argument("rule_id", help="the rule, e.g. R14-agency-request, or 'escalation'")
        change.add_argument("parameter", help="'enabled' or the name of one of the rule's settings")
        change.add_argument("value", help="true/false for enabled; a whole number for a threshold")
        add_accountability_arguments(change, "the change")

    def handle(self, *args: Any, **options: Any) -> None:
        username, reason = accountable(options, "rules set")
        actor = user_named(username)
        rule_id, parameter = options["rule_id"], options["parameter"]
        value = parse_value(options["value"])
        row = gm.RuleSetting.objects.filter(rule_id=rule_id).first()
        enabled = row.enabled if row else True
        params = dict(row.params) if row else {}
        if parameter == "enabled":
            if not isinstance(value, bool):
                raise CommandError("enabled is true or false", returncode=REFUSED)
            enabled = value
        else:
            params[parameter] = value
        try:
            with cli_audit_context():
                rule_setting_change(
                    actor=actor,
                    rule_id=rule_id,
                    enabled=enabled,
                    params=params,
                    reason=reason,
                    expected_version=row.version if row else None,
                )
        except RecordError as err:
            raise CommandError(str(err), returncode=REFUSED) from err
        run = FamilyRecompute.objects.filter(rule_change__rule_id=rule_id).order_by("-pk").first()
        self.stdout.write(f"Rule setting {rule_id} changed: {parameter} = {options['value']}.")
        if run is not None and run.unfinished:
            self.stdout.write(
                f"Every family ({run.total:,}) is being recomputed in the background as recompute {run.pk}; "
                "'kinmap worker' runs it."
            )
