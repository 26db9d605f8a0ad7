"""Training kinmap's record linkage model (:mod:`.splink_model`) in Splink and
scoring pairs with it, on DuckDB or Spark: the records registered as Splink's
table, the prior, u and m estimated, every blocked pair predicted and read as
:class:`.splink_model.Pair`, and the trained model saved as Splink's JSON with
kinmap's term-frequency tables. No Django: the batch match
(:mod:`kinmap.merging.batch`) and the benchmark both use it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .splink_model import (
    COLUMNS,
    DETERMINISTIC_RECALL,
    DETERMINISTIC_RULES,
    ID,
    PRIOR_MAX,
    PRIOR_MIN,
    TRAINING_RULES,
    Engine,
    Pair,
    pairs_from_rows,
    settings_dict,
)


def _db_api(engine: Engine, spark: Any = None) -> Any:
    if engine == "spark":
        from splink import SparkAPI

        return SparkAPI(spark_session=spark)
    from splink import DuckDBAPI

    return DuckDBAPI()


_ARRAY_SUFFIXES = ("_names", "_parts", "_keys", "codes", "districts", "phones", "_lines", "towns")


def _register(db_api: Any, engine: Engine, rows: list[dict[str, Any]], spark: Any) -> Any:
    import pandas as pd

    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    if engine == "spark":
        from pyspark.sql import types as t

        arr = t.ArrayType(t.StringType())
        schema = t.StructType(
            [
                t.StructField(
                    c,
                    arr
                    if c.endswith(_ARRAY_SUFFIXES)
                    else t.LongType()
                    if c in (ID, "dob_day", "dob_swapped_day", "birth_year")
                    else t.BooleanType()
                    if c == "dob_estimated"
                    else t.StringType(),
                )
                for c in COLUMNS
            ]
        )
        records = [tuple(r[c] for c in COLUMNS) for r in rows]
        return db_api.register(spark.createDataFrame(records, schema=schema))
    return db_api.register(frame)


@dataclass(frozen=True)
class Trained:
    """The trained model (Splink's saved JSON, as a dict) and the pairs scored
    at or above the threshold."""

    model: dict[str, Any]
    pairs: list[Pair]


def train_and_predict(
    rows: list[dict[str, Any]],
    *,
    engine: Engine = "duckdb",
    threshold: float,
    start: dict[str, Any] | None = None,
    spark: Any = None,
    u_pairs: float = 1e6,
    train: bool = True,
    log: Any = None,
) -> Trained:
    """Train kinmap's model on ``rows`` (:func:`splink_row` each) and score
    every blocked pair: estimate the prior from :data:`DETERMINISTIC_RULES`,
    u by random sampling (``u_pairs`` pairs), m by EM over each of
    :data:`TRAINING_RULES`; then predict, keeping pairs of probability
    >= ``threshold``. A step that has too little data to run (a handful of
    people) keeps the starting value of what it would have estimated, and
    says so through ``log`` (a callable taking a line). With ``train`` False
    the model ``start`` is used as it is."""
    return train_and_predict_tables(
        [rows],
        engine=engine,
        threshold=threshold,
        start=start,
        spark=spark,
        u_pairs=u_pairs,
        train=train,
        log=log,
    )


def train_and_predict_tables(
    tables: list[list[dict[str, Any]]],
    *,
    link_type: str = "dedupe_only",
    engine: Engine = "duckdb",
    threshold: float,
    start: dict[str, Any] | None = None,
    spark: Any = None,
    u_pairs: float = 1e6,
    train: bool = True,
    log: Any = None,
) -> Trained:
    """:func:`train_and_predict` over one table (``dedupe_only``) or several
    (``link_only``: records are linked across tables, not within one)."""
    from splink import Linker

    say = log or (lambda _line: None)
    db_api = _db_api(engine, spark)
    registered = [_register(db_api, engine, rows, spark) for rows in tables]
    source = registered[0] if len(registered) == 1 else registered

    def new_linker(model: dict[str, Any]) -> Any:
        return Linker(source, model, log_level=None)

    linker = new_linker(settings_dict(engine, link_type=link_type, start=start))
    steps: list[tuple[str, Any]] = [
        (
            "prior",
            lambda t: t.estimate_probability_two_random_records_match(
                list(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL
            ),
        ),
        ("u", lambda t: t.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=1)),
    ]
    steps += [
        (f"EM on {rule}", lambda t, rule=rule: t.estimate_parameters_using_expectation_maximisation(rule))
        for rule in TRAINING_RULES
    ]
    for name, step in steps if train else []:
        # A step that fails part-way (an EM session whose blocking rule finds no
        # pairs) can leave the linker's settings half changed: start again from
        # the model as it was before the step.
        before = linker.misc.save_model_to_json()
        try:
            step(linker.training)
        except Exception as exc:  # too few pairs for this step: keep the values it would estimate
            say(f"not trained ({name}): {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
            linker = new_linker(before)
            continue
        prior = linker.misc.save_model_to_json()["probability_two_random_records_match"]
        if not PRIOR_MIN <= prior <= PRIOR_MAX:  # no pairs found by the rules: 0
            say(f"not trained ({name}): the estimate {prior} is not plausible")
            linker = new_linker(before)
            continue
        say(f"trained: {name}")
    model = linker.misc.save_model_to_json()
    model[TF_KEY] = _term_frequencies(linker, model)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    if engine == "spark":
        records = [r.asDict() for r in predictions.as_spark_dataframe().collect()]
    else:
        records = predictions.as_pandas_dataframe().to_dict("records")
    return Trained(model, list(pairs_from_rows(records, model)))


#: Where the model keeps its term-frequency tables (read by the search's scorer,
#: :class:`kinmap.core.matching.MatchModel`; Splink ignores the key).
TF_KEY = "kinmap_term_frequencies"


def _term_frequencies(linker: Any, model: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Each term-frequency column's table as Splink works it out over the
    records linked (``compute_tf_table``): ``{column: {value: share}}``."""
    columns = sorted(
        {
            lv["tf_adjustment_column"]
            for c in model["comparisons"]
            for lv in c["comparison_levels"]
            if lv.get("tf_adjustment_column")
        }
    )
    out: dict[str, dict[str, float]] = {}
    for col in columns:
        frame = linker.table_management.compute_tf_table(col).as_pandas_dataframe()
        out[col] = {str(v): float(tf) for v, tf in zip(frame[col], frame[f"tf_{col}"], strict=True)}
    return out


def model_save(model: dict[str, Any], path: Path) -> None:
    """Write the model as Splink's JSON (what ``save_model_to_json`` writes),
    atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(model, indent=2), encoding="utf-8")
    tmp.replace(path)
