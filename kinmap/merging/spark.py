"""A Spark session for ``kinmap match --engine spark``: local (all cores of
this machine) unless the standard Spark settings point elsewhere
(``SPARK_REMOTE`` for Spark Connect, or ``spark-defaults.conf``)."""

from __future__ import annotations

import logging
import os
import tempfile
from typing import Any


def local_spark(cores: str = "*", *, shuffle_partitions: int = 8) -> Any:
    """A ``SparkSession`` with Splink's similarity functions' jar on the class
    path (Splink ships it), few shuffle partitions (the default 200 only
    slows a small job) and a checkpoint directory in the system's temporary
    directory. Raises ImportError when pyspark is not installed."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    builder = SparkSession.builder.appName("kinmap-match")
    if not os.environ.get("SPARK_REMOTE"):
        builder = builder.master(f"local[{cores}]")
    spark = (
        builder.config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    # py4j says at INFO when each gateway connection closes, also while the
    # interpreter exits, when the stream a handler wrote to may be closed
    # already ("--- Logging error ---"); kinmap wants its warnings only.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    # Splink checkpoints intermediate tables to cut Spark's query plans short.
    spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="kinmap-spark-"))
    return spark
