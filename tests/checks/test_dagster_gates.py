"""The gates as Dagster asset checks: a failed blocking gate fails the run with a message that
names the check, the source and the observed value, publishing is skipped and the published
file stays byte-for-byte the same; outcomes land in quality.check_results; Data Docs are built.

The raw assets are the real ones (on the tiny example landing); dbt and publishing are
stand-ins with the same keys and lineage, because the dbt manifest is a build product.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.assets.raw import raw_assets
from dagster_project.checks import quality_checks
from dagster_project.extracts.loader import init_raw_schema
from dagster_project.extracts.spec import SOURCES
from dagster_project.partitions import as_of_date_partitions
from dagster_project.resources import PipelineSettings
from tests.fixtures import EXAMPLE_LANDING

from .helpers import assert_blocked_by_gate, file_digest, stale_as_of_date

EXAMPLE = EXAMPLE_LANDING
RAW_KEYS = [dg.AssetKey(["raw", e.table]) for s in SOURCES.values() for e in s.entities]
HEALTH = dg.AssetKey(["marts", "fct_account_health_daily"])


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch) -> Path:
    """The example landing, a previously published warehouse file, and the env pointing at both."""
    landing = tmp_path / "landing"
    shutil.copytree(EXAMPLE, landing)
    published = tmp_path / "bi" / "warehouse.duckdb"
    published.parent.mkdir()
    with duckdb.connect(str(published)) as con:
        con.execute("create table previous_run as select 42 as answer")
    monkeypatch.setenv("CS_LANDING_DIR", str(landing))
    monkeypatch.setenv("CS_WAREHOUSE_PATH", str(published))
    monkeypatch.delenv("CS_AS_OF_DATE", raising=False)
    return published


def extracted_earlier(landing: Path, extracted_at: str) -> None:
    """Rewrite every manifest's extraction time (the data, events included, stays as it is)."""
    for manifest_path in landing.glob("*/*/_manifest.json"):
        manifest = json.loads(manifest_path.read_text())
        manifest["extracted_at"] = extracted_at
        manifest_path.write_text(json.dumps(manifest))


def stand_in_dbt(unscored: set[str]) -> dg.AssetsDefinition:
    """The health spine (paying accounts of the day: an item in force at its end, reaching an
    account) and a health table scoring every paying account but ``unscored``."""

    @dg.multi_asset(
        specs=[dg.AssetSpec(HEALTH, deps=RAW_KEYS)], name="stand_in_dbt", partitions_def=as_of_date_partitions
    )
    def _dbt(pipeline: PipelineSettings):
        day = pipeline.resolve().as_of_date
        with pipeline.connect() as con:
            con.execute("create schema if not exists intermediate")
            con.execute(
                """
                create or replace table intermediate.int_health_account_days as
                select distinct cast($day as date) as as_of_date, customers.account_id
                from raw.billing_subscription_items as items
                inner join raw.billing_subscriptions as subscriptions using (subscription_id)
                inner join raw.billing_customers as customers using (customer_id)
                where customers.account_id is not null
                    and items.valid_from < cast($day as date) + 1
                    and (items.valid_to is null or items.valid_to >= cast($day as date) + 1)
                """,
                {"day": day},
            )
            con.execute("create schema if not exists marts")
            con.execute(
                "create or replace table marts.fct_account_health_daily as "
                "select as_of_date, account_id, 70.0 as health_score, 1.0 as data_completeness "
                "from intermediate.int_health_account_days where not list_contains($unscored, account_id)",
                {"unscored": sorted(unscored) or [""]},
            )
        yield dg.MaterializeResult(asset_key=HEALTH)

    return _dbt


@dg.asset(deps=[HEALTH], name="published_warehouse")
def stand_in_publish(pipeline: PipelineSettings) -> None:
    settings = pipeline.resolve()
    shutil.copyfile(settings.building_path, settings.warehouse_path)


def run(as_of: str, unscored: set[str] = frozenset()) -> dg.ExecuteInProcessResult:
    """The whole graph as definitions.py assembles it: assets, ``quality_checks``, one process;
    as of the day's partition, as the schedule runs it."""
    defs = dg.Definitions(
        assets=[*raw_assets, stand_in_dbt(set(unscored)), stand_in_publish],
        asset_checks=quality_checks,
        resources={"pipeline": PipelineSettings()},
        executor=dg.in_process_executor,
    )
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(partition_key=as_of, raise_on_error=False)


def check_results(warehouse: Path) -> list[tuple]:
    building = warehouse.with_name("warehouse.building.duckdb")
    with duckdb.connect(str(building), read_only=True) as con:
        return con.execute(
            "select check_name, asset_key, passed, severity, observed, threshold, message "
            "from quality.check_results order by asset_key, check_name"
        ).fetchall()


def test_a_stale_extract_fails_the_run_and_leaves_the_published_warehouse_unchanged(warehouse, tmp_path):
    extracted_earlier(tmp_path / "landing", "2026-11-16T22:00:00Z")  # 98 h before the end of 2026-11-20
    before = file_digest(warehouse)
    result = run("2026-11-20")

    message = assert_blocked_by_gate(result, "extract_freshness", "billing extract is 98 h old; SLA 24 h")
    assert "extract_freshness on raw/crm_accounts: crm extract is 98 h old; SLA 24 h" in message
    assert file_digest(warehouse) == before
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert HEALTH not in materialized  # dbt is downstream of the raw assets, so it was skipped too
    rows = {(r[0], r[1]): r for r in check_results(warehouse)}
    assert rows[("extract_freshness", "raw/billing_subscriptions")][2:6] == (
        False,
        "error",
        "extract 98 h old",
        "extract 24 h",
    )
    # usage's events (2026-11-20T10:22Z) are recent, its extract is not
    assert rows[("extract_freshness", "raw/usage_events")][4] == "extract 98 h old; latest event 14 h old"
    assert rows[("quarantine_volume", "raw/crm_accounts")][2:4] == (True, "warn")
    assert not any(name == "health_score_coverage" for name, _ in rows)


def test_a_stale_as_of_date_can_be_derived_from_the_ledger(tmp_path):
    building = tmp_path / "warehouse.building.duckdb"
    with duckdb.connect(str(building)) as con:
        init_raw_schema(con)
        con.execute(
            "insert into raw.load_batches (source, batch_id, extracted_at, status, processed_at) values "
            "('crm', 'a', '2026-11-21 02:00', 'loaded', now()), ('usage', 'b', '2026-11-22 02:00', 'rejected', now())"
        )
    assert stale_as_of_date(building, hours=98) == "2026-11-25"  # 2026-11-21T02:00 + 98 h = 2026-11-25T04:00


def test_a_paying_account_without_a_health_score_blocks_publishing(warehouse):
    before = file_digest(warehouse)
    result = run("2026-11-20", unscored={"A-002"})

    assert_blocked_by_gate(result, "health_score_coverage", "marts/fct_account_health_daily", "A-002", "50% (1 of 2")
    assert file_digest(warehouse) == before
    checks = {(e.check_name, e.passed) for e in result.get_asset_check_evaluations()}
    assert ("extract_freshness", True) in checks and ("health_score_coverage", False) in checks


def test_a_good_run_publishes_with_its_check_results_and_data_docs(warehouse):
    result = run("2026-11-20")

    assert result.success
    evaluations = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    assert len(evaluations) == 7 and all(e.passed for e in evaluations.values())  # 3 x 2 extract gates, coverage
    coverage = evaluations[("marts/fct_account_health_daily", "health_score_coverage")]
    assert coverage.metadata["gx_success"].value is True
    assert coverage.metadata["gx_validation"].value["results"][0]["expectation"] == "expect_column_values_to_be_between"
    with duckdb.connect(str(warehouse), read_only=True) as con:  # the published file carries them
        published = con.execute("select count(*), count(distinct run_id) from quality.check_results").fetchone()
    assert published == (7, 1)
    docs = Path(coverage.metadata["data_docs"].value)
    assert docs == warehouse.parent / "warehouse-outputs" / "data_docs" / "index.html" and docs.is_file()
    assert "health_score_coverage" in docs.read_text()
