"""``kinmap match``: find likely duplicate people across the record (Splink),
train and save the match model, and fill the review queue."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from kinmap.merging.access import is_reviewer
from kinmap.merging.batch import QUEUE_THRESHOLD, match_run
from kinmap.records.management.commands import _cli

REVIEWERS = "supervisors and information officers in a team"


class Command(BaseCommand):
    help = (
        "Score every person on the record against each other with Splink, train the match model "
        "on the record (saved to KINMAP_MATCH_MODEL_PATH for the search) and fill the review "
        "queue of likely duplicates. Merges nothing. Recorded against --as USER with --reason; "
        "USER is a reviewer of the queue (a supervisor or an information officer in a team)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--engine",
            choices=["duckdb", "spark"],
            default="duckdb",
            help="duckdb (default: in this process) or spark (Splink's Spark backend; a local "
            "Spark unless SPARK_REMOTE or the Spark configuration says otherwise)",
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=QUEUE_THRESHOLD,
            help=f"match probability at or above which a pair is queued (default {QUEUE_THRESHOLD})",
        )
        _cli.add_accountability_arguments(parser, "the match run")

    def handle(self, *args: Any, **options: Any) -> None:
        username, reason = _cli.accountable(options, "match")
        with _cli.cli_audit_context():
            user = _cli.user_named(username)
            # the review queue this fills is worked by reviewers, on the pages as here
            _cli.require_role(user, is_reviewer(user), "run the batch match", REVIEWERS)
            spark = None
            if options["engine"] == "spark":
                from kinmap.merging.spark import local_spark

                spark = local_spark()
            run = match_run(
                actor=user,
                reason=reason,
                engine=options["engine"],
                threshold=options["threshold"],
                spark=spark,
                log=lambda line: self.stderr.write(line),
            )
        people, pairs = (
            _cli.plural(run.people, "person", "people"),
            _cli.plural(run.pairs, "likely duplicate"),
        )
        self.stdout.write(
            f"{people} scored; {pairs}, "
            f"{run.queued} new in the review queue, {run.decided_before} decided before; "
            f"model saved to {run.model_path}"
        )
