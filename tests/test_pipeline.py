"""End to end: the mart contract's command builds a warehouse from a generated landing directory.

Runs the real thing: `dagster asset materialize` in a subprocess (as users type it), then the
same job in process for re-runs and failures.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.mart_contract import contract_problems
from dagster_project.sample_data.generator import generate_landing

AS_OF = date(2026, 11, 20)
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A landing directory, the env that points the pipeline at it, and one full run."""
    root = tmp_path_factory.mktemp("pipeline")
    landing = root / "landing"
    generate_landing(landing, accounts=40, months=14, end_date=AS_OF, seed=7)
    env = {
        **os.environ,
        "CS_LANDING_DIR": str(landing),
        "CS_WAREHOUSE_PATH": str(root / "bi" / "warehouse.duckdb"),
        "CS_AS_OF_DATE": AS_OF.isoformat(),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "DBT_TARGET_PATH": str(root / "dbt_target"),  # dbt's artefacts and parse state, per run
    }
    Path(env["DAGSTER_HOME"]).mkdir()
    completed = subprocess.run(
        # exactly the mart contract's command (docs/contracts/mart-contract.md): no --partition,
        # the as-of date is CS_AS_OF_DATE
        [str(BIN / "dagster"), "asset", "materialize", "-m", "dagster_project.definitions", "--select", "*"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    return {
        "root": root,
        "landing": landing,
        "env": env,
        "warehouse": Path(env["CS_WAREHOUSE_PATH"]),
        "first_build_log": _dbt_build_log(Path(env["DBT_TARGET_PATH"])),
    }


def _manifest_rows(landing: Path) -> dict[str, int]:
    totals: dict[str, int] = {}
    for manifest in landing.glob("*/*/_manifest.json"):
        data = json.loads(manifest.read_text())
        totals[data["source"]] = totals.get(data["source"], 0) + sum(f["rows"] for f in data["files"].values())
    return totals


def _run_in_process(env: dict[str, str], monkeypatch) -> dg.ExecuteInProcessResult:
    for key in ("CS_LANDING_DIR", "CS_WAREHOUSE_PATH", "CS_AS_OF_DATE", "DBT_TARGET_PATH"):
        monkeypatch.setenv(key, env[key])
    from dagster_project.definitions_by_day import defs

    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(partition_key=env["CS_AS_OF_DATE"], raise_on_error=False)  # the day's partition


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _working_file(built) -> str:
    """The working warehouse: it keeps raw, staging and intermediate (the published file does not)."""
    return str(built["warehouse"].with_name("warehouse.building.duckdb"))


def test_every_manifest_row_is_loaded_or_quarantined(built):
    with duckdb.connect(_working_file(built), read_only=True) as con:
        ledger = dict(
            con.execute(
                "select source, sum(rows_loaded + rows_quarantined) from raw.load_batches "
                "where status = 'loaded' group by 1"
            ).fetchall()
        )
        batches = con.execute(
            "select count(*), count(*) filter (where status = 'loaded') from raw.load_batches"
        ).fetchone()
        events = con.execute("select count(*), count(distinct event_id) from raw.usage_events").fetchone()
    assert ledger == _manifest_rows(built["landing"])
    assert batches[0] == batches[1] > 3
    assert events[0] == events[1] > 1000  # de-duplicated across batches


def test_the_working_file_has_raw_staging_and_marts(built):
    with duckdb.connect(_working_file(built), read_only=True) as con:
        schemas = {r[0] for r in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
        accounts_raw = con.execute("select count(*) from raw.crm_accounts").fetchone()[0]
        accounts_stg = con.execute("select count(*) from staging.stg_crm__accounts").fetchone()[0]
    assert {"raw", "staging", "marts"} <= schemas
    assert accounts_raw == accounts_stg > 0


def test_the_published_warehouse_holds_only_the_described_marts_and_the_quality_results(built):
    """What BI tools read: schemas marts and quality; every mart and mart column carries its dbt
    description (persist_docs); no customer contact's email; readable by owner and group only."""
    with duckdb.connect(_working_file(built), read_only=True) as con:
        contact_emails = {
            r[0].lower() for r in con.execute("select email from raw.crm_contacts where email like '%@%'").fetchall()
        }
    with duckdb.connect(str(built["warehouse"]), read_only=True) as con:
        schemas = {r[0] for r in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
        uncommented_tables = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' and coalesce(comment, '') = ''"
        ).fetchall()
        uncommented_columns = con.execute(
            "select table_name || '.' || column_name from duckdb_columns() "
            "where schema_name = 'marts' and coalesce(comment, '') = ''"
        ).fetchall()
        marts = con.execute("select count(*) from duckdb_tables() where schema_name = 'marts'").fetchone()[0]
        text_columns = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() where data_type = 'VARCHAR'"
        ).fetchall()
        published_values = set()
        for schema, table, column in text_columns:
            published_values |= {
                r[0].lower()
                for r in con.execute(
                    f'select distinct "{column}" from {schema}.{table} where "{column}" like \'%@%\''
                ).fetchall()
            }
    assert schemas == {"marts", "quality"}
    assert marts >= 17 and uncommented_tables == [] and uncommented_columns == []
    assert contact_emails and not contact_emails & published_values
    assert oct(built["warehouse"].resolve().stat().st_mode & 0o777) == "0o640"


def test_the_report_and_the_dbt_docs_land_beside_the_warehouse(built):
    outputs = built["warehouse"].with_name("warehouse-outputs")
    report = (outputs / "leadership_report.html").read_text()
    assert "Customer retention — leadership report" in report and "As of 2026-11-20" in report
    docs = (outputs / "dbt_docs" / "index.html").read_text()
    assert "stg_crm__accounts" in docs
    # lineage runs on to the consumers: the report and the BI dashboard are dbt exposures
    assert "exposure.customer_retention.leadership_report" in docs
    assert "exposure.customer_retention.cs_bi_dashboard" in docs


def test_the_published_warehouse_meets_the_mart_contract(built):
    assert contract_problems(built["warehouse"]) == []


def test_every_paying_account_has_a_health_score_on_the_as_of_day(built):
    with duckdb.connect(str(built["warehouse"]), read_only=True) as con:
        paying = {r[0] for r in con.execute("select account_id from marts.dim_accounts where is_active").fetchall()}
        scored = {
            r[0]
            for r in con.execute(
                "select account_id from marts.fct_account_health_daily where as_of_date = ? and data_completeness > 0",
                [AS_OF],
            ).fetchall()
        }
        results = con.execute("select check_name, passed from quality.check_results").fetchall()
    assert paying and paying <= scored
    assert ("health_score_coverage", True) in results and ("extract_freshness", True) in results


def test_a_health_backfill_recomputes_exactly_the_same_history(built, monkeypatch, tmp_path):
    """Delete three past days, backfill them through Dagster, and get the same rows back."""
    building = tmp_path / "warehouse.building.duckdb"
    shutil.copyfile(built["warehouse"].with_name("warehouse.building.duckdb"), building)
    env = dict(built["env"], CS_WAREHOUSE_PATH=str(tmp_path / "warehouse.duckdb"))
    days = "as_of_date between date '2026-10-01' and date '2026-10-03'"
    query = f"select * exclude (config_version) from marts.fct_account_health_daily where {days} order by all"
    with duckdb.connect(str(building)) as con:
        before = con.execute(query).fetchall()
        con.execute(f"delete from marts.fct_account_health_daily where {days}")
    for key in ("CS_LANDING_DIR", "CS_AS_OF_DATE"):
        monkeypatch.setenv(key, env[key])
    monkeypatch.setenv("CS_WAREHOUSE_PATH", env["CS_WAREHOUSE_PATH"])
    from dagster_project.definitions_by_day import defs
    from dagster_project.partitions import AsOfDays

    job = defs.resolve_job_def("health_history_backfill")
    days = AsOfDays(date(2026, 10, 1), date(2026, 10, 3))
    result = job.execute_in_process(tags=days.run_tags(), raise_on_error=False)  # one run of the range
    assert result.success
    with duckdb.connect(str(building), read_only=True) as con:
        after = con.execute(query).fetchall()
    assert len(before) > 30 and after == before


def test_the_building_file_is_separate_from_the_published_one(built):
    building = built["warehouse"].with_name("warehouse.building.duckdb")
    assert building.is_file() and built["warehouse"].is_file()


def _dbt_build_log(target: Path) -> str:
    """The log of the latest dbt build dagster-dbt ran with this base target folder."""
    logs = sorted(target.glob("dbt_models-*/dbt.log*"), key=lambda log: log.stat().st_mtime)
    return "".join(log.read_text(encoding="utf-8") for log in logs if log.parent == logs[-1].parent)


def test_a_second_run_loads_nothing_again_skips_dbt_parsing_and_republishes(built, monkeypatch):
    result = _run_in_process(built["env"], monkeypatch)
    assert result.success
    # the first run left dbt's parse state where the second run's dbt starts from
    # (tests/test_dbt_parse_state.py: a new as-of date does not invalidate it either)
    assert (Path(built["env"]["DBT_TARGET_PATH"]) / "partial_parse.msgpack").is_file()
    log = _dbt_build_log(Path(built["env"]["DBT_TARGET_PATH"]))
    assert "Partial parsing enabled, no changes found, skipping parsing" in log
    assert "Starting full parse" not in log
    # the first build ran one model at a time; a daily run runs two (assets/dbt.py, thread_args)
    assert "Concurrency: 1 threads" in built["first_build_log"]
    assert "Concurrency: 2 threads" in log
    # new data, same models and relations: the docs site is kept, not generated again
    docs = result.asset_materializations_for_node("dbt_docs_site")
    assert [m.metadata["regenerated"].value for m in docs] == [False]
    with duckdb.connect(_working_file(built), read_only=True) as con:
        statuses = con.execute("select status, count(*) from raw.load_batches group by 1").fetchall()
        duplicates = con.execute("select count(*) - count(distinct event_id) from raw.usage_events").fetchone()[0]
    loaded = dict(statuses)["loaded"]
    assert dict(statuses) == {"loaded": loaded}  # the re-run recorded nothing new
    assert duplicates == 0


def test_a_bi_tool_polling_during_a_full_run_never_sees_an_error_or_an_empty_read(built, monkeypatch, tmp_path):
    stop, stats_file = tmp_path / "stop", tmp_path / "stats.json"
    poller = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).parent / "poll_warehouse.py"),
            str(built["warehouse"]),
            str(stop),
            str(stats_file),
        ]
    )
    try:
        # a full run from an empty working file: load everything, rebuild every model, publish
        built["warehouse"].with_name("warehouse.building.duckdb").unlink()
        result = _run_in_process(built["env"], monkeypatch)
    finally:
        stop.touch()
        poller.wait(timeout=60)
    stats = json.loads(stats_file.read_text())
    assert result.success
    assert stats["queries"] > 20, stats
    assert (stats["errors"], stats["empty_reads"]) == (0, 0), stats


def test_a_rejected_batch_fails_the_run_and_leaves_the_published_warehouse_untouched(built, monkeypatch, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(built["landing"], landing)
    env = dict(built["env"], CS_LANDING_DIR=str(landing))
    shutil.copyfile(built["warehouse"].with_name("warehouse.building.duckdb"), tmp_path / "warehouse.building.duckdb")
    shutil.copyfile(built["warehouse"], tmp_path / "warehouse.duckdb")
    env["CS_WAREHOUSE_PATH"] = str(tmp_path / "warehouse.duckdb")
    before = _digest(tmp_path / "warehouse.duckdb")
    batch = landing / "usage" / "2099-01-01T00-00Z"
    batch.mkdir()
    (batch / "events-x.csv").write_text(
        "event_id,occurred_at,account_id,user_id,feature\ne1,2026-11-20T00:00:00Z,A,u,f\n"
    )
    manifest = {
        "source": "usage",
        "batch_id": batch.name,
        "extracted_at": "2026-11-20T03:00:00Z",
        "mode": "incremental",
        "files": {"events-x.csv": {"rows": 1}},
    }
    (batch / "_manifest.json").write_text(json.dumps(manifest))

    result = _run_in_process(env, monkeypatch)

    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    message = failure.event_specific_data.error.message
    assert "usage batch 2099-01-01T00-00Z" in message and "events-x.csv" in message and "event_name" in message
    assert _digest(tmp_path / "warehouse.duckdb") == before


def test_definitions_validate():
    completed = subprocess.run(
        [str(BIN / "dagster"), "definitions", "validate", "-m", "dagster_project.definitions"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]


def test_lineage_runs_from_raw_assets_through_dbt_to_publishing():
    from dagster_project.assets.dbt import dbt_models
    from dagster_project.definitions_by_day import defs

    graph = defs.resolve_asset_graph()
    staging = dg.AssetKey(["staging", "stg_crm__accounts"])
    assert dg.AssetKey(["raw", "crm_accounts"]) in graph.get(staging).parent_keys
    publish_parents = graph.get(dg.AssetKey("published_warehouse")).parent_keys
    assert set(dbt_models.keys) <= publish_parents
