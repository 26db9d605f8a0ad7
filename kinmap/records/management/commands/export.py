"""``kinmap export FAMILY``: write family networks as a family file."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kinmap.records.access import visible_network_ids
from kinmap.records.errors import RecordError
from kinmap.records.family_file import family_file_export_audited

from ._cli import (
    REFUSED,
    accountable,
    add_accountability_arguments,
    cli_audit_context,
    networks_visible_to,
    plural,
    user_named,
)

LEFT_OUT_WORDS = {
    "relationships": ("relationship", "relationships"),
    "care_arrangements": ("care arrangement", "care arrangements"),
    "parental_responsibility": ("parental responsibility record", "parental responsibility records"),
}


class Command(BaseCommand):
    help = (
        "Write one or more family networks (by number) as a kinmap family file "
        "(docs/family-file.md), each one the --as USER may see on the pages (else refused, exit "
        "status 2). Each export is recorded in the audit trail against --as USER with --reason."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("family", nargs="+", type=int, help="family network number(s)")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument(
            "--include-masked",
            action="store_true",
            help="include masked addresses and telephone numbers (withheld by default; "
            "a file with details withheld cannot be imported); only for a user entitled to see them",
        )
        parser.add_argument(
            "--chronology",
            action="store_true",
            help="add each family's chronology as a read-only section (an import ignores it)",
        )
        add_accountability_arguments(parser, "the export")

    def handle(self, *args: Any, **options: Any) -> None:
        username, reason = accountable(options, "export")
        ids: list[int] = list(dict.fromkeys(options["family"]))
        output = options["output"]

        def write(text: str) -> None:
            if output:
                try:
                    Path(output).write_text(text, encoding="utf-8")
                except OSError as exc:
                    raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
            else:
                self.stdout.write(text, ending="")

        with cli_audit_context():
            actor = user_named(username)
            # only the families the user may see on the pages, refused alike when missing
            networks = networks_visible_to(actor, ids)
            try:
                export = family_file_export_audited(
                    actor=actor,
                    networks=networks,
                    include_masked=options["include_masked"],
                    destination=output or "standard output",
                    reason=reason,
                    write=write,
                    chronology=options["chronology"],
                )
            except RecordError as err:
                raise CommandError(err.messages[0], returncode=REFUSED) from None
        out = self.stdout if output else self.stderr

        def note(text: str) -> None:
            out.write(text, style_func=lambda x: x)

        c = export.counts
        note(
            f"Exported {plural(c['networks'], 'family network')} ({plural(c['people'], 'person', 'people')})"
            + (f" to {output}" if output else "")
        )
        if export.masked_withheld:
            note(
                "Masked addresses or telephone numbers were withheld; the file cannot be imported. "
                "Use --include-masked to transfer them."
            )
        if export.left_out:
            what = ", ".join(plural(n, *LEFT_OUT_WORDS[k]) for k, n in export.left_out.items())
            note(left_out_words(what, ids, export.linked_network_ids, visible_network_ids(actor)))


def left_out_words(what: str, ids: list[int], linked: list[int], visible: set[int] | frozenset[int]) -> str:
    """The note on records left out of an export (``what``, e.g. "2
    relationships") because they link to people in the other family networks
    numbered ``linked``. Only the numbers of the networks the user may see
    (``visible``) are named, as on the pages; the others are only counted."""
    seen = [x for x in linked if x in visible]
    unseen = len(linked) - len(seen)
    hidden = plural(unseen, "other family network") + " you may not see"
    where = " ".join(str(x) for x in seen)
    if seen and unseen:
        where = f"{where}, and {hidden}"
    elif unseen:
        where = hidden
    text = f"Left out: {what} linking to people in other family networks ({where})."
    if seen:
        together = " ".join(str(x) for x in [*ids, *seen])
        text += f" To keep them, export the networks together: kinmap export {together}"
    return text
