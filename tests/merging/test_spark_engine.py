"""``kinmap match --engine spark``: the same settings on Splink's Spark backend
(a local Spark, Java 17) score the same pairs as on DuckDB."""

from __future__ import annotations

import json

import pytest

from kinmap.matching.weights import DEFAULT_MODEL_PATH
from kinmap.merging import splink_model as sm
from kinmap.merging import splink_training as st
from kinmap.merging.synthetic import population

pytestmark = pytest.mark.spark


def test_spark_scores_the_same_pairs_as_duckdb_with_the_same_model() -> None:
    from kinmap.merging.spark import local_spark

    rows = [sm.splink_row(r) for r, _ in population(300, seed=3)]
    start = json.loads(DEFAULT_MODEL_PATH.read_text())
    spark = local_spark("1", shuffle_partitions=2)
    try:
        on_spark = st.train_and_predict(
            rows, engine="spark", threshold=0.5, start=start, spark=spark, train=False
        )
    finally:
        spark.stop()
    on_duckdb = st.train_and_predict(rows, engine="duckdb", threshold=0.5, start=start, train=False)
    assert on_spark.model["sql_dialect"] == "spark"
    spark_pairs = {(p.id_l, p.id_r): p for p in on_spark.pairs}
    duck_pairs = {(p.id_l, p.id_r): p for p in on_duckdb.pairs}
    assert len(duck_pairs) > 5
    assert spark_pairs.keys() == duck_pairs.keys()
    for key, p in duck_pairs.items():
        on = spark_pairs[key].levels
        assert [(n, label) for n, label, _ in on] == [(n, label) for n, label, _ in p.levels]
        assert [w for _, _, w in on] == pytest.approx([w for _, _, w in p.levels])
        assert spark_pairs[key].probability == pytest.approx(p.probability, rel=1e-9)
