"""``kinmap import FILE``: load family networks from a family file, all or nothing."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kinmap.accounts.models import Role, User
from kinmap.records import models as m
from kinmap.records.access import FAMILY_ROLES
from kinmap.records.family_file import (
    MAX_FILE_BYTES,
    FamilyFileError,
    family_file_import,
    family_file_read,
    sha256_of,
)

from ._cli import (
    accountable,
    add_accountability_arguments,
    cli_audit_context,
    plural,
    require_role,
    user_named,
)


def counts_line(counts: dict[str, int]) -> str:
    return ", ".join(
        [
            plural(counts["networks"], "family network"),
            plural(counts["people"], "person", "people"),
            plural(counts["relationships"], "relationship"),
            plural(counts["households"], "household"),
            plural(counts["residences"], "residence"),
            plural(counts["care_arrangements"], "care arrangement"),
            plural(counts["parental_responsibility"], "parental responsibility record"),
            *([plural(counts["care_orders"], "care order")] if counts.get("care_orders") else []),
            *_carers_counts(counts),
            *_history_counts(counts),
        ]
    )


def _history_counts(counts: dict[str, int]) -> list[str]:
    """The family's history (version 2), named only when the file carries some."""
    named = (
        ("gaps", "gap", "gaps"),
        ("contacts", "contact", "contacts"),
        ("supervisor_decisions", "supervisor's decision", "supervisors' decisions"),
        ("information_requests", "information request", "information requests"),
        ("sharing_decisions", "sharing decision", "sharing decisions"),
    )
    return [plural(counts[key], one, many) for key, one, many in named if counts.get(key)]


def _carers_counts(counts: dict[str, int]) -> list[str]:
    """The safety information for carers, named only when the file carries some."""
    out = []
    if counts.get("joint_appointments"):
        out.append(plural(counts["joint_appointments"], "joint appointment invitation"))
    if counts.get("information_given"):
        out.append(
            plural(counts["information_given"], "record of information given", "records of information given")
        )
    return out


IMPORTERS = "practitioners and supervisors in a team, and partnership administrators,"


def may_import(actor: User) -> bool:
    """Whether ``actor`` may load family networks from a file. An import starts
    family networks, which on the pages a practitioner or supervisor in a team
    does (the start-a-family page), and allocates them to the teams the file
    names, which on the pages a partnership administrator does; either may
    import. An auditor or an information officer, who start no family on the
    pages, may not. The families made are new: an import changes no family
    already on the record (a person found there is linked, as on the pages)."""
    return actor.role == Role.ADMINISTRATOR or (actor.role in FAMILY_ROLES and actor.team_id is not None)


def refusal_text(name: str, err: FamilyFileError) -> str:
    """What the command says when a file is refused: one line for one problem,
    else a count and one problem a line."""
    if len(err.messages) == 1:
        return f"{name} was not imported, and nothing was saved: {err.messages[0]}"
    listed = "\n".join(f"  {msg}" for msg in err.messages)
    return f"{name} was not imported, and nothing was saved. {plural(len(err.issues), 'problem')}:\n{listed}"


class Command(BaseCommand):
    help = (
        "Load family networks from a kinmap family file (docs/family-file.md). All or nothing: "
        "on any problem nothing is saved, every problem is listed, and the command exits with status 2."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="the family file (JSON)")
        add_accountability_arguments(parser, "the import")
        parser.add_argument(
            "--shift-dates",
            action="store_true",
            help="move every date by the days from the file's reference_date to today",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username, reason = accountable(options, "import")
        path = Path(options["file"])
        try:
            with path.open("rb") as f:
                content = f.read(MAX_FILE_BYTES + 1)  # no more than is needed to know it is too big
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}", returncode=2) from None
        with cli_audit_context():
            try:
                ff = family_file_read(
                    content, shift_to=timezone.localdate() if options["shift_dates"] else None
                )
                actor = user_named(username)
                require_role(actor, may_import(actor), "import family networks", IMPORTERS)
                result = family_file_import(
                    family_file=ff, actor=actor, file_name=path.name, sha256=sha256_of(content), reason=reason
                )
            except FamilyFileError as err:
                raise CommandError(refusal_text(path.name, err), returncode=2) from None
        self.stdout.write(f"Imported {path.name}: {counts_line(result.counts)}.")
        teams: dict[int, list[str]] = {}
        for a in m.Allocation.objects.filter(network__in=result.networks).select_related("team__agency"):
            teams.setdefault(a.network_id, []).append(str(a.team))
        for key, pk in result.network_ids.items():
            network = next(n for n in result.networks if n.pk == pk)
            allocated = "; ".join(teams.get(pk, [])) or "no team"
            self.stdout.write(
                f'  Family network {pk} ({key}) "{network.name}": '
                f"{plural(result.members[pk], 'person', 'people')}; allocated to {allocated}"
            )
