"""The local Spark session of a CS_ENGINE=spark run (pyspark, local mode, Java 17).

The settings are the ones the dbt profile's `spark` target lists (dbt_project/profiles.yml);
dbt-spark's session method reuses a session that is already running (getOrCreate), so the
pipeline starts it here with the warehouse folder it chose and dbt, the raw layer and the
weight fit all share one JVM. The embedded Derby metastore allows one Spark JVM per metastore
folder at a time: it lives in the warehouse folder, next to the tables it describes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# the same settings as dbt_project/profiles.yml's spark target, and why there
SPARK_CONF = {
    "spark.master": "local[2]",
    "spark.sql.session.timeZone": "UTC",
    # raw timestamps are naive UTC; with NTZ inference dateadd() returned NULL on them (every mart empty)
    "spark.sql.parquet.inferTimestampNTZ.enabled": "false",
    # the optimizer spent minutes in GC on fct_account_health_daily's many predicates
    "spark.sql.constraintPropagation.enabled": "false",
    # small shuffles on two local cores: one output file per day partition and task
    "spark.sql.shuffle.partitions": "2",
    # day partitions are found from the folders, not registered one by one in the Derby metastore
    # (a first build writes hundreds of them per daily model)
    "spark.sql.hive.manageFilesourcePartitions": "false",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # pyspark 4.3's whole-stage code generation for UNION ALL (SPARK-56482) failed three dbt unit
    # tests (their fixtures are unions of literal rows) with a ClassCastException in
    # UnionExec.children; off, all 86 pass (tests/spark/test_dbt_unit_tests_on_spark.py)
    "spark.sql.codegen.wholeStage.union.enabled": "false",
    "spark.sql.ansi.enabled": "false",  # dbt-spark sets it too (Spark 3 and 4 alike)
}
DEFAULT_DRIVER_MEMORY = "4g"


class JavaMissing(RuntimeError):
    """pyspark needs a Java runtime (17) on PATH or JAVA_HOME."""


def check_java() -> None:
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise JavaMissing(
            "CS_ENGINE=spark needs Java 17: install it (Debian: apt-get install openjdk-17-jre-headless) "
            "or set JAVA_HOME"
        )


def start_session(warehouse_dir: Path, driver_memory: str | None = None):
    """The Spark session with its SQL warehouse (and metastore) at `warehouse_dir`."""
    check_java()
    from pyspark.sql import SparkSession

    warehouse_dir = Path(warehouse_dir).resolve()
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    metastore = warehouse_dir / "_metastore"
    builder = SparkSession.builder.appName("cs-retention").enableHiveSupport()
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    memory = driver_memory or os.environ.get("CS_SPARK_DRIVER_MEMORY", DEFAULT_DRIVER_MEMORY)
    derby_url = f"jdbc:derby:;databaseName={metastore / 'metastore_db'};create=true"
    builder = (
        builder.config("spark.driver.memory", memory)
        .config("spark.sql.warehouse.dir", str(warehouse_dir))
        .config("spark.hadoop.javax.jdo.option.ConnectionURL", derby_url)
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={metastore}")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")  # Spark's INFO/WARN lines would drown dbt's log
    return spark
