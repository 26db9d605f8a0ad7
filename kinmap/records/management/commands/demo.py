"""``kinmap demo``: demo agencies, users and families (never in production)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kinmap.accounts.models import Role
from kinmap.records import models as m
from kinmap.records.access import FAMILY_ROLES
from kinmap.records.demo_setup import DEMO_PASSWORD, DEMO_URL, DemoRefused, demo_load
from kinmap.records.family_file import FamilyFileError

from ._cli import cli_audit_context


class Command(BaseCommand):
    help = (
        "Create the demo agencies, teams and users (one for every role) and load the demo families. "
        "Safe to run again. Refuses to run when KINMAP_ENV=production."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--url", default=DEMO_URL, help=f"the address to sign in at (default {DEMO_URL})")

    def handle(self, *args: Any, **options: Any) -> None:
        with cli_audit_context():
            try:
                result = demo_load(today=timezone.localdate())
            except DemoRefused as exc:
                raise CommandError(str(exc)) from None
            except FamilyFileError as err:
                raise CommandError("A demo family file was refused:\n" + str(err)) from None

        labels = dict(Role.choices)
        families: dict[int, int] = {}
        for a in m.Allocation.objects.filter(network__members__is_index=True).distinct():
            families[a.team_id] = families.get(a.team_id, 0) + 1
        # only casework roles read families; the others get their own pages
        rows = [
            (
                du.username,
                labels[du.role],
                f"{team.name}, {du.agency}",
                str(families.get(team.pk, 0)) if du.role in FAMILY_ROLES else "-",
            )
            for du, team in result.users
        ]
        head = ("User name", "Role", "Team", "Families")
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]

        def line(cells: tuple[str, ...]) -> str:
            return "  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        out = self.stdout.write
        loaded = sum(len(r.networks) for _, r in result.loaded)
        out("")
        out("kinmap demo is ready (all names, addresses and numbers are made up).")
        out(f"Demo family networks loaded now: {loaded}.")
        if result.skipped:
            out(f"Already loaded before (left as they are): {', '.join(result.skipped)}.")
        for name, r in result.loaded:
            names = ", ".join(f'{n.pk} "{n.name}"' for n in r.networks)
            out(f"  {name}: {names}")
        out("")
        out(f"Open {options['url']} and sign in as any of these users.")
        out(f"The password for every demo user is: {DEMO_PASSWORD}")
        out("")
        out(line(head))
        for row in rows:
            out(line(row))
        out("")
