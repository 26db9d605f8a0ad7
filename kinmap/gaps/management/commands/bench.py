"""``kinmap bench`` (``make bench``): how fast the gap engine is.

Prints, and writes to ``var/bench-results.json`` (with the same figures as
readable lines in ``var/bench-results.txt``):

- rule-engine throughput: families evaluated per second over a synthetic
  caseload (pure core, no database), at least 10,000 families by default
  (``engine_families_per_s``: per CPU second of this process, one core);
- the time to recompute one family's gaps after one change, on the configured
  database (median and 95th percentile over a number of changes;
  ``recompute_p50_ms`` the median; ``recompute.recompute_cpu_ms`` the CPU time
  of this process alone, without the waits for the database), and the
  time of the whole change through the records service, recompute included;
- the page loads and form submissions the seed family's 6 to 8 week review
  takes on the contact page, without and with JavaScript (kinmap.gaps.round_trips);
- the time to lay out and draw (as SVG) the genogram of a network of 3,000
  people (made-up families joined into one extended family: pure core, no
  database), the median of a few runs;
- the batch match (:mod:`kinmap.merging.bench`): quality on FEBRL4 and time
  and peak memory at ``--match-people`` people, each beside plain Splink.

The database work runs in one transaction that is rolled back at the end, so
the benchmark leaves no family, gap or audit event behind.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from kinmap.accounts.models import Agency, Role, Team, User
from kinmap.core.genogram import genogram_layout
from kinmap.core.genogram.svg import genogram_svg
from kinmap.core.genogram.synthetic import extended_family
from kinmap.core.model import Network
from kinmap.core.rules import Engine
from kinmap.core.rules.synthetic import SYNTHETIC_TODAY, synthetic_network
from kinmap.database_faults import database_ready
from kinmap.gaps import models as gm
from kinmap.gaps.round_trips import contact_round_trips
from kinmap.gaps.services import gaps_recompute
from kinmap.matching.bench import matching_lookup_bench
from kinmap.merging.bench import match_bench, match_lines
from kinmap.records import models as rm
from kinmap.records import services as rs
from kinmap.records.synth import BulkRows, network_rows, rows_save

FACT_KEYS = ("other-names", "adult-services", "other-children")


class _Rollback(Exception):
    pass


def matching_line(m: dict[str, Any]) -> str:
    """The lookup benchmark's figures in one line."""
    if "skipped" in m:
        return f"interactive lookup: skipped ({m['skipped']})"
    return (
        f"interactive lookup among {m['people']:,} people ({m['database']}, {m['key_rows']:,} keys): "
        f"median {m['lookup_ms']['median']:.1f} ms, 95th percentile {m['lookup_ms']['p95']:.1f} ms "
        f"over {m['lookups']} lookups (at most {m['candidate_limit']} candidates scored; goal p95 <= 50 ms); "
        f"median keys {m['phase_ms']['keys']['median']:.1f} + load {m['phase_ms']['load']['median']:.1f} "
        f"+ score {m['phase_ms']['score']['median']:.1f} ms; median CPU in kinmap "
        f"{m['lookup_cpu_ms']['median']:.1f} ms; load average {m['load_average_1m']}"
    )


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceiling
    return ordered[int(rank) - 1]


class Command(BaseCommand):
    help = "Measure the gap engine: families per second, and recompute time after one change."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--families", type=int, default=10_000, help="synthetic families (default 10000)")
        parser.add_argument("--size", type=int, default=8, help="people per synthetic family (default 8)")
        parser.add_argument("--changes", type=int, default=200, help="changes to time (default 200)")
        parser.add_argument("--family-size", type=int, default=12, help="people in the database family")
        parser.add_argument(
            "--genogram-people", type=int, default=3000, help="people in the genogram network (default 3000)"
        )
        parser.add_argument(
            "--matching-people",
            type=int,
            default=100_000,
            help="synthetic people for the interactive lookup (PostgreSQL; default 100000, e.g. 1000000)",
        )
        parser.add_argument("--matching-lookups", type=int, default=500, help="lookups to time (default 500)")
        parser.add_argument(
            "--only-matching", action="store_true", help="measure the lookup only, keeping the other figures"
        )
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "var" / "bench-results.json"))
        parser.add_argument("--quiet", action="store_true", help="no progress lines")
        parser.add_argument(
            "--match-people",
            type=int,
            default=1_000_000,
            help="made-up people for the batch match's time and memory (default 1000000; 0 to leave out)",
        )
        parser.add_argument("--no-febrl", action="store_true", help="leave out the match quality on FEBRL4")

    def progress(self, text: str) -> None:
        if not self.quiet:
            self.stderr.write(text)

    def handle(self, *args: Any, **options: Any) -> None:
        self.quiet = options["quiet"]
        database_ready()  # before any work: a database not migrated is told in one line
        out = Path(options["out"])
        if options["only_matching"]:
            self.matching_only(out, options["matching_people"], options["matching_lookups"])
            return
        engine = self.engine_throughput(options["families"], options["size"])
        recompute = self.recompute_times(options["changes"], options["family_size"])
        genogram = genogram_times(options["genogram_people"])
        matching = match_bench(options["match_people"], febrl=not options["no_febrl"], log=self.progress)
        lookup = matching_lookup_bench(options["matching_people"], options["matching_lookups"], self.progress)
        self.progress(
            "contact round trips: the seed family's 6 to 8 week review, without and with JavaScript"
        )
        trips = contact_round_trips()
        db = connection.vendor
        results = {
            "measured_at": timezone.now().isoformat(timespec="seconds"),
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "database": db,
            },
            # the two headline figures: families evaluated per CPU second of one
            # core (the wall clock counts other processes on a shared machine),
            # and the median wall time of a recompute after one change
            "engine_families_per_s": engine["families_per_cpu_second"],
            "recompute_p50_ms": recompute["recompute_ms"]["median"],
            "engine": engine,
            "recompute": recompute,
            "genogram": genogram,
            "matching": matching,
            "matching_lookup": lookup,
            "contact_round_trips": trips,
        }
        lines = [
            f"rule engine: {engine['families_per_second']:,.0f} families/second "
            f"({engine['families']:,} synthetic families of about {engine['people_per_family']} people, "
            f"{engine['gaps']:,} gaps, {engine['seconds']:.2f} s; "
            f"{engine['families_per_cpu_second']:,.0f} families per CPU second)",
            f"recompute one family after one change ({db}): "
            f"median {recompute['recompute_ms']['median']:.1f} ms, "
            f"95th percentile {recompute['recompute_ms']['p95']:.1f} ms over {recompute['changes']} changes "
            f"({recompute['people']} people, {recompute['open_gaps']} open gaps, "
            f"at most {recompute['queries_per_recompute_at_most']} queries; "
            f"median CPU time of this process {recompute['recompute_cpu_ms']['median']:.1f} ms)",
            f"one change through the records service, recompute included ({db}): "
            f"median {recompute['change_ms']['median']:.1f} ms, "
            f"95th percentile {recompute['change_ms']['p95']:.1f} ms",
            f"genogram of {genogram['people']:,} people ({genogram['generations']} generations): "
            f"layout {genogram['layout_ms']['median']:.0f} ms + SVG {genogram['svg_ms']['median']:.0f} ms "
            f"= {genogram['total_ms']['median']:.0f} ms (median of {genogram['runs']} runs; goal under 2 s)",
            *(
                f"the seed family's 6 to 8 week review ({trips[k]['gaps']} gaps), {label}: "
                f"{trips[k]['page_loads']} page loads and {trips[k]['form_submissions']} form submissions"
                for k, label in (
                    ("without_javascript", "without JavaScript"),
                    ("with_javascript", "with JavaScript"),
                )
            ),
            *match_lines(matching),
        ]
        lines.append(matching_line(lookup))
        self.write(out, results, lines)

    def write(self, out: Path, results: dict[str, Any], lines: list[str]) -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + "\n")
        out.with_suffix(".txt").write_text("\n".join(lines) + "\n")
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(f"written to {out} and {out.with_suffix('.txt')}")

    def matching_only(self, out: Path, people: int, lookups: int) -> None:
        """Measure the lookup alone; other figures already in ``out`` are kept."""
        results = json.loads(out.read_text()) if out.is_file() else {}
        lines = out.with_suffix(".txt").read_text().splitlines() if out.with_suffix(".txt").is_file() else []
        results["matching_lookup"] = lookup = matching_lookup_bench(people, lookups, self.progress)
        lines = [line for line in lines if not line.startswith("interactive lookup")]
        lines.append(matching_line(lookup))
        self.write(out, results, lines)

    # -- the pure engine ----------------------------------------------------------

    def engine_throughput(self, families: int, size: int) -> dict[str, Any]:
        self.progress(f"making {families:,} synthetic families...")
        step = max(1, families // 10)
        caseload: list[Network] = []
        for seed in range(families):
            caseload.append(synthetic_network(seed, size))
            if (seed + 1) % step == 0:
                self.progress(f"  made {seed + 1:,}")
        engine = Engine()
        engine.evaluate(caseload[0], SYNTHETIC_TODAY)  # warm up
        self.progress("evaluating...")
        gaps = 0
        started, cpu_started = time.perf_counter(), time.process_time()
        for i, network in enumerate(caseload):
            gaps += len(engine.evaluate(network, SYNTHETIC_TODAY))
            if (i + 1) % step == 0:
                self.progress(f"  evaluated {i + 1:,}")
        seconds = time.perf_counter() - started
        # CPU time of this process: on a shared machine the wall clock also
        # counts the time other processes held the core.
        cpu_seconds = time.process_time() - cpu_started
        people = sum(len(n.people) - len(n.outside_ids) for n in caseload) / len(caseload)
        return {
            "families": families,
            "people_per_family": round(people, 1),
            "gaps": gaps,
            "seconds": round(seconds, 3),
            "families_per_second": round(families / seconds, 1),
            "cpu_seconds": round(cpu_seconds, 3),
            "families_per_cpu_second": round(families / cpu_seconds, 1),
        }

    # -- the database -------------------------------------------------------------

    def recompute_times(self, changes: int, family_size: int) -> dict[str, Any]:
        results: dict[str, Any] = {}
        try:
            with transaction.atomic():
                results = self._recompute_times(changes, family_size)
                raise _Rollback
        except _Rollback:
            pass
        return results

    def _recompute_times(self, changes: int, family_size: int) -> dict[str, Any]:
        actor = _bench_user()
        network, people = load_network(synthetic_network(7, family_size, date.today()), actor)
        gaps_recompute(network=network, actor=actor)
        adults = [p for p in people if p.birth_date is None or (date.today() - p.birth_date).days > 18 * 365]
        rng = random.Random(7)
        recompute_ms: list[float] = []
        recompute_cpu_ms: list[float] = []
        change_ms: list[float] = []
        queries = 0
        step = max(1, changes // 10)
        self.progress(f"timing {changes} changes on {connection.vendor}...")
        for i in range(changes):
            person, key = rng.choice(adults), rng.choice(FACT_KEYS)
            # the change written directly, then the recompute alone timed
            _toggle_fact(person, key)
            counter = _QueryCounter()
            with connection.execute_wrapper(counter):
                started, cpu_started = time.perf_counter(), time.process_time()
                gaps_recompute(network=network, actor=actor)
                recompute_ms.append((time.perf_counter() - started) * 1000)
                recompute_cpu_ms.append((time.process_time() - cpu_started) * 1000)
            queries = max(queries, counter.count)
            # the same kind of change through the records service (which recomputes)
            person, key = rng.choice(adults), rng.choice(FACT_KEYS)
            started = time.perf_counter()
            if rm.PersonFact.objects.filter(person=person, key=key).exists():
                rs.fact_remove(actor=actor, network=network, person=person, key=key, reason="benchmark")
            else:
                rs.fact_set(
                    actor=actor, network=network, person=person, key=key, value="none", expected_version=None
                )
            change_ms.append((time.perf_counter() - started) * 1000)
            if (i + 1) % step == 0:
                self.progress(f"  {i + 1} changes")
        open_gaps = sum(1 for g in gm.Gap.objects.filter(network=network) if g.is_open)
        return {
            "database": connection.vendor,
            "changes": changes,
            "people": len(people),
            "open_gaps": open_gaps,
            "queries_per_recompute_at_most": queries,
            "recompute_ms": _summary(recompute_ms),
            "recompute_cpu_ms": _summary(recompute_cpu_ms),
            "change_ms": _summary(change_ms),
        }


def genogram_times(people: int, runs: int = 5) -> dict[str, Any]:
    """Lay out and draw the genogram of an extended family of at least
    ``people`` people, ``runs`` times; the times in milliseconds."""
    parts: list[Network] = []
    members = 0
    while members + _ancestors(len(parts)) < people:
        part = synthetic_network(len(parts), 10)
        parts.append(part)
        members += sum(1 for p in part.people if part.is_member(p))
    network = extended_family(parts)
    layout_ms, svg_ms, total_ms = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        g = genogram_layout(network, SYNTHETIC_TODAY)
        laid_out = time.perf_counter()
        genogram_svg(g, title="Genogram (benchmark)", description="A made-up extended family")
        done = time.perf_counter()
        layout_ms.append((laid_out - started) * 1000)
        svg_ms.append((done - laid_out) * 1000)
        total_ms.append((done - started) * 1000)
    return {
        "people": len(network.people),
        "generations": g.rows,
        "runs": runs,
        "layout_ms": _summary(layout_ms),
        "svg_ms": _summary(svg_ms),
        "total_ms": _summary(total_ms),
    }


def _ancestors(families: int, fanout: int = 3) -> int:
    """How many people :func:`extended_family` adds above ``families`` families."""
    added = 0
    while families > 1:
        families = -(-families // fanout)
        added += 2 * families
    return added


class _QueryCounter:
    """Counts the queries run through a connection (``execute_wrapper``)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 2),
        "p95": round(percentile(values, 95), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def _toggle_fact(person: rm.Person, key: str) -> None:
    deleted, _ = rm.PersonFact.objects.filter(person=person, key=key).delete()
    if not deleted:
        rm.PersonFact.objects.create(person=person, key=key, value="none")


def _bench_user() -> User:
    agency, _ = Agency.objects.get_or_create(name="Benchmark agency (made up)")
    team, _ = Team.objects.get_or_create(agency=agency, name="Benchmark team")
    user, _ = User.objects.get_or_create(
        username="bench.practitioner", defaults={"team": team, "role": Role.PRACTITIONER}
    )
    return user


def load_network(net: Network, actor: User) -> tuple[rm.FamilyNetwork, list[rm.Person]]:
    """Write a core network to the database as it is (the rows the services
    would have made), for the benchmark."""
    rows = BulkRows()
    network = rm.FamilyNetwork(name=f"{net.name} (benchmark)", created_by=actor)
    rows.networks.append(network)
    people = network_rows(net, network, rows)
    rows_save(rows)
    return network, [people[pid] for pid in net.people if net.is_member(pid)]
