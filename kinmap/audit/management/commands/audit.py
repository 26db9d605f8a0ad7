"""``kinmap audit``: check and checkpoint the audit trail.

``kinmap audit verify [--checkpoints FILE]`` checks that no audit event has
been changed, removed or reordered, and with a checkpoint file also that the
trail still holds every signed checkpoint (nothing truncated, nothing before
the newest checkpoint rewritten). Exits 0 and says so when all is well;
otherwise lists every problem and exits 1. Exits 2 when it cannot check (no
key, no file).

``kinmap audit seal`` hashes every event written since the last seal into the
chain (``kinmap worker`` does this all the time; verify and checkpoint do it
first) and says how many.

``kinmap audit checkpoint [--output FILE]`` signs the chain head with the key
in ``KINMAP_AUDIT_CHECKPOINT_KEY`` and appends the checkpoint as one JSON line
to FILE (created if missing), or prints it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinmap.audit.checkpoints import (
    CheckpointError,
    checkpoint_key,
    checkpoint_line,
    checkpoint_take,
    checkpoints_verify,
)
from kinmap.audit.models import AuditEvent
from kinmap.audit.services import audit_seal, audit_verify

CANNOT_CHECK = 2


class Command(BaseCommand):
    help = (
        "Work with the audit trail. 'verify' checks the hash chain (and signed checkpoints) and lists "
        "any break; 'checkpoint' signs the chain head and appends it to a file kept elsewhere."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,checkpoint,seal}")
        sub.add_parser("seal", help="hash the events written since the last seal into the chain")
        verify = sub.add_parser("verify", help="check that no event was changed, removed or reordered")
        verify.add_argument(
            "--checkpoints",
            metavar="FILE",
            type=Path,
            help="also check the trail against the signed checkpoints in FILE",
        )
        checkpoint = sub.add_parser("checkpoint", help="sign the chain head and append it to a file")
        checkpoint.add_argument(
            "--output",
            metavar="FILE",
            type=Path,
            help="append the checkpoint line to FILE (created if missing) instead of printing it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "checkpoint":
                self._checkpoint(options["output"])
            elif options["subcommand"] == "seal":
                self.stdout.write(f"Sealed {audit_seal()} audit events into the chain.")
            else:
                self._verify(options["checkpoints"])
        except CheckpointError as exc:
            raise CommandError(str(exc), returncode=CANNOT_CHECK) from exc

    def _checkpoint(self, output: Path | None) -> None:
        key = checkpoint_key()
        cp = checkpoint_take()
        line = checkpoint_line(cp, key)
        if output is None:
            self.stdout.write(line)
            return
        try:
            with output.open("a", encoding="utf-8") as f:  # append only: earlier lines stay as they were
                f.write(line + "\n")
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise CheckpointError(f"cannot append to {output}: {exc.strerror}") from exc
        self.stdout.write(f"Checkpoint of event #{cp.seq} at {cp.at} appended to {output}")

    def _verify(self, checkpoints: Path | None) -> None:
        problems = [f"event #{b.seq}: {b.problem}" for b in audit_verify()]
        count = AuditEvent.objects.filter(seq__isnull=False).count()
        summary = f"{count} events, the chain is whole."
        if checkpoints is not None:
            key = checkpoint_key()
            try:
                lines = checkpoints.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise CheckpointError(f"cannot read the checkpoint file {checkpoints}: {exc}") from exc
            good, checkpoint_problems = checkpoints_verify(lines, key)
            problems += checkpoint_problems
            newest = max(good, key=lambda cp: cp.seq, default=None)
            summary += f" {len(good)} signed checkpoint{'s' if len(good) != 1 else ''} hold" + (
                f", the newest at event #{newest.seq}." if newest else "."
            )
        if not problems:
            self.stdout.write(f"Audit trail verified: {summary}")
            return
        for problem in problems:
            self.stderr.write(problem)
        raise CommandError(
            f"Audit trail is broken: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
            f"in {count} events",
            returncode=1,
        )
