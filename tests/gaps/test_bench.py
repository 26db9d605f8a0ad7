"""``kinmap bench`` prints its figures and writes them to a file (speed itself
is reported, never asserted)."""

from __future__ import annotations

import json
import os
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from kinmap.gaps import models as gm
from kinmap.gaps.management.commands.bench import percentile
from kinmap.records import models as rm


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 95) == 95.0
    assert percentile(values, 50) == 50.0
    assert percentile([3.0], 95) == 3.0


@pytest.mark.django_db
def test_bench_prints_and_writes_the_figures_and_leaves_nothing_behind(tmp_path: Path) -> None:
    out = StringIO()
    target = tmp_path / "bench-results.json"
    call_command(
        "bench",
        *("--families", "30", "--changes", "4", "--genogram-people", "200", "--matching-people", "300"),
        *("--out", str(target), "--quiet", "--no-febrl", "--match-people", "1500"),
        stdout=out,
    )
    results = json.loads(target.read_text())
    assert results["engine"]["families"] == 30
    assert results["engine"]["families_per_second"] > 0
    assert results["engine"]["families_per_cpu_second"] > 0
    assert results["recompute"]["changes"] == 4
    assert set(results["recompute"]["recompute_ms"]) == {"median", "p95", "min", "max"}
    assert set(results["recompute"]["recompute_cpu_ms"]) == {"median", "p95", "min", "max"}
    # the headline figures, at the top
    assert results["engine_families_per_s"] == results["engine"]["families_per_cpu_second"]
    assert results["recompute_p50_ms"] == results["recompute"]["recompute_ms"]["median"]
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("rule engine: ") and "families/second (30 synthetic families" in lines[0]
    assert lines[1].startswith("recompute one family after one change (")
    assert lines[2].startswith("one change through the records service, recompute included (")
    assert results["genogram"]["people"] >= 200 and results["genogram"]["generations"] >= 3
    assert set(results["genogram"]["total_ms"]) == {"median", "p95", "min", "max"}
    assert lines[3].startswith(f"genogram of {results['genogram']['people']:,} people (")
    trips = results["contact_round_trips"]
    assert trips["with_javascript"]["page_loads"] < trips["without_javascript"]["page_loads"]
    assert lines[4].startswith("the seed family's 6 to 8 week review (")
    assert lines[4].endswith(
        f"without JavaScript: {trips['without_javascript']['page_loads']} page loads and "
        f"{trips['without_javascript']['form_submissions']} form submissions"
    )
    assert lines[5].endswith(
        f"with JavaScript: {trips['with_javascript']['page_loads']} page loads and "
        f"{trips['with_javascript']['form_submissions']} form submissions"
    )
    scale = results["matching"]["scale"]
    assert scale["people"] == 1500 and "febrl4" not in results["matching"]
    for side in ("kinmap", "splink_plain"):
        assert scale[side]["seconds"] > 0 and scale[side]["peak_mb"] > 0
        assert 0 < scale[side]["recall"] <= 1 and 0 < scale[side]["precision"] <= 1
    assert lines[6].startswith("batch dedupe of 1,500 people: kinmap ")
    assert lines[7].startswith("interactive lookup")
    if results["matching_lookup"].get("skipped"):
        assert "needs PostgreSQL" in lines[7]
    else:
        assert results["matching_lookup"]["people"] == 300
        assert set(results["matching_lookup"]["lookup_ms"]) == {"median", "p95", "min", "max"}
    assert target.with_suffix(".txt").read_text().splitlines() == lines[:8]
    assert not rm.FamilyNetwork.objects.exists()
    assert not rm.Person.objects.exists()
    assert not gm.Gap.objects.exists()


def test_make_bench_runs_on_a_fresh_empty_sqlite_database(tmp_path: Path) -> None:
    """A fresh clone has no database: ``make bench`` migrates the one it uses."""
    root = Path(__file__).resolve().parents[2]
    database = tmp_path / "fresh.sqlite3"
    out = tmp_path / "bench.json"
    args = f"--families 20 --changes 2 --matching-people 100 --quiet --no-febrl --match-people 0 --out {out}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(root), "bench", f"BENCH_ARGS={args}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is not set up" not in done.stderr
    assert json.loads(out.read_text())["engine"]["families"] == 20
    assert "rule engine: " in done.stdout
