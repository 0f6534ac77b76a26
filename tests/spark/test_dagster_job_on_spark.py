"""The Dagster job with CS_ENGINE=spark: the mart contract's command builds on Spark end to end.

A tiny generated book (12 accounts, 6 months: each dbt node costs 1-3 s of Spark jobs, and each
day a partition folder) runs through exactly the contract's command,
`dagster asset materialize -m dagster_project.definitions --select '*'`, once on DuckDB (the
reference) and once with CS_ENGINE=spark, each with its own Dagster instance, dbt target folder
and warehouse. Then:
- the Spark run records the same materializations and dbt-test asset checks as the DuckDB run;
- the published marts are Parquet tables under <CS_SPARK_WAREHOUSE_DIR>/marts.db (a link to the
  published version), equal to the DuckDB run's for the key marts and to the Spark run's own
  published DuckDB file (what Superset reads) for every mart;
- the gates ran on the Spark marts (quality.check_results of the run, published);
- a second run whose blocking gate fails (a stale extract) leaves both publications as they were.
Needs Java 17.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.sample_data.generator import generate_landing
from tests.spark.marts_compare import differences, duckdb_marts

# Passed on 2026-12-02 (6 passed in 777 s on 2 cores shared with another Spark session, load
# average 3-4, one dbt thread): the DuckDB reference run ~1 min, the Spark run ~11 min (dbt's three
# invocations 3.4 + 5.1 + 1.4 min), the stale rerun the rest. The Spark tests CI runs take ~18 of
# the 20 minutes CI allows its Spark part (docs/scaling.md, "Tests"), so this one runs only when
# asked (CS_SPARK_JOB_E2E=1).
pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(
        os.environ.get("CS_SPARK_JOB_E2E") != "1",
        reason="the Dagster job on Spark end to end runs with CS_SPARK_JOB_E2E=1 (docs/scaling.md)",
    ),
]

AS_OF = date(2026, 11, 20)
ACCOUNTS, MONTHS = 12, 6
BIN = Path(sys.executable).parent
MATERIALIZE = [str(BIN / "dagster"), "asset", "materialize", "-m", "dagster_project.definitions", "--select", "*"]
# the marts the issue names (revenue, health, renewals and their risk range, alerts); every other
# mart is compared with DuckDB's by tests/spark/test_spark_parity.py
KEY_MARTS = (
    "dim_accounts",
    "fct_mrr_monthly",
    "rpt_revenue_retention",
    "fct_account_health_daily",
    "fct_health_alerts",
    "fct_renewal_forecast",
    "rpt_renewal_risk_range",
)
DROPPED = ("CS_ENGINE", "CS_SPARK_WAREHOUSE_DIR", "CS_LANDING_DIR", "CS_WAREHOUSE_PATH", "CS_AS_OF_DATE")


def _environment(root: Path, landing: Path, as_of: date, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED}
    return env | {
        "CS_LANDING_DIR": str(landing),
        "CS_WAREHOUSE_PATH": str(root / "bi" / "warehouse.duckdb"),
        "CS_AS_OF_DATE": as_of.isoformat(),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "DBT_TARGET_PATH": str(root / "dbt_target"),
        **extra,
    }


def _materialize(env: dict[str, str]) -> subprocess.CompletedProcess:
    Path(env["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    return subprocess.run(MATERIALIZE, env=env, capture_output=True, text=True, timeout=3000)


def _recorded(home: Path) -> dict[str, set]:
    """The asset keys materialized and the asset checks evaluated by the instance's one run."""
    with dg.DagsterInstance.from_config(str(home)) as instance:
        (run,) = instance.get_runs()
        materialized = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        checked = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        return {
            "assets": {r.event_log_entry.dagster_event.asset_key for r in materialized.records},
            "checks": {
                (
                    r.event_log_entry.dagster_event.event_specific_data.asset_key,
                    r.event_log_entry.dagster_event.event_specific_data.check_name,
                )
                for r in checked.records
            },
            "failed_checks": {
                r.event_log_entry.dagster_event.event_specific_data.check_name
                for r in checked.records
                if not r.event_log_entry.dagster_event.event_specific_data.passed
            },
        }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, java) -> dict:
    root = tmp_path_factory.mktemp("job_on_spark")
    landing = root / "landing"
    generate_landing(landing, accounts=ACCOUNTS, months=MONTHS, end_date=AS_OF, seed=7)
    duck_env = _environment(root / "duckdb", landing, AS_OF)
    duck = _materialize(duck_env)
    assert duck.returncode == 0, duck.stderr[-4000:]
    spark_env = _environment(
        root / "spark_run", landing, AS_OF, CS_ENGINE="spark", CS_SPARK_WAREHOUSE_DIR=str(root / "spark")
    )
    spark = _materialize(spark_env)
    assert spark.returncode == 0, spark.stderr[-8000:]
    return {
        "root": root,
        "landing": landing,
        "spark_env": spark_env,
        "duckdb_published": Path(duck_env["CS_WAREHOUSE_PATH"]),
        "spark_published": Path(spark_env["CS_WAREHOUSE_PATH"]),
        "spark_warehouse": root / "spark",
        "duckdb_recorded": _recorded(Path(duck_env["DAGSTER_HOME"])),
        "spark_recorded": _recorded(Path(spark_env["DAGSTER_HOME"])),
    }


def test_the_spark_run_records_the_same_materializations_and_checks_as_the_duckdb_run(runs: dict) -> None:
    duck, spark = runs["duckdb_recorded"], runs["spark_recorded"]
    assert dg.AssetKey(["marts", "fct_account_health_daily"]) in spark["assets"]
    assert spark["assets"] == duck["assets"]
    assert len(spark["checks"]) > 200  # the dbt tests, as asset checks, and the gates
    assert spark["checks"] == duck["checks"]
    assert spark["failed_checks"] == duck["failed_checks"]  # warnings only: the run succeeded


def test_the_published_marts_are_parquet_tables_under_marts_db(runs: dict) -> None:
    link = runs["spark_warehouse"] / "marts.db"
    assert link.is_symlink()
    with duckdb.connect(str(runs["duckdb_published"].resolve()), read_only=True) as con:
        marts = duckdb_marts(con)
    for relation in marts:
        assert list((link / relation).rglob("*.parquet")), relation


def test_the_key_spark_marts_equal_the_duckdb_runs(runs: dict) -> None:
    with duckdb.connect(str(runs["duckdb_published"].resolve()), read_only=True) as con:
        marts = duckdb_marts(con)
        found = []
        for relation in KEY_MARTS:
            found += differences(con, relation, marts[relation], runs["spark_warehouse"])
    assert not found, "\n".join(found)


def test_the_spark_runs_published_duckdb_file_holds_the_spark_marts(runs: dict) -> None:
    # what Superset reads on Spark is what Spark built, mart by mart
    with duckdb.connect(str(runs["spark_published"].resolve()), read_only=True) as con:
        marts = duckdb_marts(con)
        assert len(marts) >= 17
        found = []
        for relation, columns in marts.items():
            found += differences(con, relation, columns, runs["spark_warehouse"])
    assert not found, "\n".join(found)


def test_the_gates_ran_on_the_spark_marts(runs: dict) -> None:
    with duckdb.connect(str(runs["spark_published"].resolve()), read_only=True) as con:
        results = con.execute("select check_name, asset_key, passed from quality.check_results order by all").fetchall()
    assert ("health_score_coverage", "marts/fct_account_health_daily", True) in results
    assert sum(1 for name, _, passed in results if name == "extract_freshness" and passed) == 3


def test_a_failed_blocking_gate_leaves_the_published_marts_as_they_were(runs: dict) -> None:
    link = runs["spark_warehouse"] / "marts.db"
    before = (os.readlink(link), os.readlink(runs["spark_published"]))
    files = sorted(p.relative_to(link) for p in link.rglob("*.parquet"))
    # five days later with no new extract: the freshness gates fail (SLA 24 h) and block dbt
    env = {**runs["spark_env"], "CS_AS_OF_DATE": (AS_OF + timedelta(days=5)).isoformat()}
    stale = subprocess.run(MATERIALIZE, env=env, capture_output=True, text=True, timeout=900)
    assert stale.returncode != 0
    assert "Blocking quality gate failed" in stale.stderr
    assert (os.readlink(link), os.readlink(runs["spark_published"])) == before
    assert sorted(p.relative_to(link) for p in link.rglob("*.parquet")) == files
