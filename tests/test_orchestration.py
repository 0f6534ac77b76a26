"""Schedule, sensor and run-queue settings, evaluated the way the Dagster daemon evaluates them."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.assets.publish import publish_atomically
from dagster_project.definitions_by_day import defs
from dagster_project.extracts.loader import init_raw_schema
from dagster_project.pools import WAREHOUSE_WRITER_POOL
from dagster_project.schedules import daily_retention_run
from dagster_project.sensors import new_batch_sensor
from tests.fixtures import EXAMPLE_LANDING

EXAMPLE = EXAMPLE_LANDING
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def landing(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.delenv("CS_AS_OF_DATE", raising=False)
    target = tmp_path / "landing"
    shutil.copytree(EXAMPLE, target)
    monkeypatch.setenv("CS_LANDING_DIR", str(target))
    monkeypatch.setenv("CS_WAREHOUSE_PATH", str(tmp_path / "warehouse.duckdb"))
    return target


def _evaluate(cursor: str | None = None) -> dg.SensorResult:
    return new_batch_sensor(dg.build_sensor_context(cursor=cursor))


def _publish_ledger(warehouse: Path, loaded: list[tuple[str, str]]) -> None:
    """A working file whose ledger holds ``loaded``, published as a run publishes it."""
    building = warehouse.with_name(warehouse.stem + ".building.duckdb")
    with duckdb.connect(str(building)) as con:
        init_raw_schema(con)
        for source, batch_id in loaded:
            con.execute(
                "insert into raw.load_batches (source, batch_id, status, processed_at) values (?, ?, 'loaded', now())",
                [source, batch_id],
            )
    publish_atomically(building, warehouse)


def test_definitions_include_the_daily_schedule_and_the_batch_sensor():
    assert defs.resolve_schedule_def("daily_retention_run").cron_schedule == "0 6 * * *"
    assert defs.resolve_sensor_def("new_batch_sensor").job_name == "retention_pipeline"
    assert defs.resolve_job_def("retention_pipeline").tags["cs/warehouse-writer"] == "true"


def test_the_schedule_runs_as_of_the_day_that_just_ended():
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 23, 6, 0))
    request = daily_retention_run(context)
    assert request.partition_key == "2026-11-22"  # the as-of date is the run's partition
    assert request.run_key == "daily-2026-11-22"


def test_new_batches_with_manifests_request_one_run(landing):
    result = _evaluate()
    [request] = result.run_requests
    assert request.run_key == "batches:billing/2026-11-21T02-00Z,crm/2026-11-21T02-00Z,usage/2026-11-21T02-00Z"
    assert request.partition_key == datetime.now(UTC).date().isoformat()  # as of today (no CS_AS_OF_DATE)
    assert json.loads(result.cursor) == sorted(
        ["billing/2026-11-21T02-00Z", "crm/2026-11-21T02-00Z", "usage/2026-11-21T02-00Z"]
    )


def test_a_batch_without_manifest_requests_nothing(landing, tmp_path):
    _publish_ledger(tmp_path / "warehouse.duckdb", [(s, "2026-11-21T02-00Z") for s in ("crm", "billing", "usage")])
    partial = landing / "usage" / "2026-11-22T02-00Z"
    partial.mkdir()
    (partial / "events-2026-11-21.csv.gz").write_bytes(b"")  # the connector is still writing
    result = _evaluate()
    assert not result.run_requests and result.skip_reason
    (partial / "_manifest.json").write_text(json.dumps({"batch_id": "2026-11-22T02-00Z", "files": {}}))
    [request] = _evaluate().run_requests
    assert request.run_key == "batches:usage/2026-11-22T02-00Z"


def test_already_loaded_or_already_requested_batches_request_nothing(landing, tmp_path):
    _publish_ledger(tmp_path / "warehouse.duckdb", [("crm", "2026-11-21T02-00Z"), ("billing", "2026-11-21T02-00Z")])
    first = _evaluate()
    [request] = first.run_requests
    assert request.run_key == "batches:usage/2026-11-21T02-00Z"
    second = _evaluate(cursor=first.cursor)
    assert not second.run_requests


def test_the_project_instance_lets_one_warehouse_writer_run_at_a_time(monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(ROOT / "dagster_home"))
    with dg.DagsterInstance.get() as instance:
        pools = instance.get_concurrency_config().pool_config
    assert pools.pool_granularity.value == "run" and pools.default_pool_limit == 1


def test_every_step_that_writes_the_warehouse_is_in_the_writer_pool():
    """However a run is launched (the UI's __ASSET_JOB, the schedule, the sensor, a backfill),
    the run holds the pool if it holds any of these steps."""
    steps = {node.name: node.pool for node in defs.resolve_implicit_global_asset_job_def().graph.node_defs}
    writers = {"raw_crm", "raw_billing", "raw_usage", "dbt_models", "published_warehouse", "dbt_docs_site"}
    writers |= {
        "delivered_alerts",
        "crm_extract_gates",
        "billing_extract_gates",
        "usage_extract_gates",
        "health_coverage_gate",
    }
    assert {name: steps[name] for name in writers} == dict.fromkeys(writers, WAREHOUSE_WRITER_POOL)
    assert steps["leadership_report"] is None  # reads the published file only


def test_the_contract_entry_point_has_no_partitioned_asset():
    """`dagster asset materialize -m dagster_project.definitions --select '*'` (the mart
    contract's command) names no partition: Dagster refuses it if any selected asset has one."""
    from dagster_project.definitions import defs as contract_defs

    graph = contract_defs.resolve_asset_graph()
    assert graph.get_all_asset_keys() == defs.resolve_asset_graph().get_all_asset_keys()
    assert all(graph.get(key).partitions_def is None for key in graph.get_all_asset_keys())


def test_the_dbt_models_are_partitioned_by_as_of_date_and_backfill_in_one_run():
    from dagster_project.assets.dbt import dbt_models
    from dagster_project.partitions import as_of_date_partitions

    health = dg.AssetKey(["marts", "fct_account_health_daily"])
    assert defs.resolve_assets_def(health).partitions_def == as_of_date_partitions
    assert dbt_models.backfill_policy == dg.BackfillPolicy.single_run()
    assert defs.resolve_job_def("retention_pipeline").partitions_def == as_of_date_partitions
    backfill = defs.resolve_job_def("health_history_backfill")
    selected = backfill.asset_layer.selected_asset_keys
    assert health in selected and dg.AssetKey(["intermediate", "int_health_account_days"]) in selected
    assert dg.AssetKey(["marts", "account_health"]) not in selected  # latest-day marts follow the daily run
