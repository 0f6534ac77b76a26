"""A backfill never changes what BI tools and readers see unless it publishes: a run tagged
cs/publish=false leaves the published warehouse and the published Data Docs as they were."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.assets.publish import published_warehouse
from dagster_project.assets.raw import raw_assets
from dagster_project.checks.asset_checks import extract_gate_checks
from dagster_project.definitions_by_day import defs
from dagster_project.publishing import NO_PUBLISH_TAGS, PUBLISH_TAG
from dagster_project.resources import PipelineSettings
from tests.fixtures import EXAMPLE_LANDING


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch) -> Path:
    shutil.copytree(EXAMPLE_LANDING, tmp_path / "landing")
    monkeypatch.setenv("CS_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("CS_WAREHOUSE_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("CS_AS_OF_DATE", "2026-11-21")
    return tmp_path / "warehouse.duckdb"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_backfill_run_is_tagged_not_to_publish():
    assert defs.resolve_job_def("health_history_backfill").tags[PUBLISH_TAG] == "false"


def test_a_run_tagged_not_to_publish_leaves_the_published_warehouse_alone(warehouse):
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table published_before as select 1 as x")
    with duckdb.connect(str(warehouse.with_name("warehouse.building.duckdb"))) as con:
        # a mart (the published file holds the marts and the quality results only)
        con.execute("create schema if not exists marts")
        con.execute("create table marts.backfilled as select 2 as x")
    before = _digest(warehouse)
    result = dg.materialize([published_warehouse], resources={"pipeline": PipelineSettings()}, tags=NO_PUBLISH_TAGS)
    assert result.success
    [materialization] = result.asset_materializations_for_node("published_warehouse")
    assert materialization.metadata["published"].value is False
    assert _digest(warehouse) == before
    # without the tag, the same asset publishes
    assert dg.materialize([published_warehouse], resources={"pipeline": PipelineSettings()}).success
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select x from marts.backfilled").fetchone() == (2,)


def test_a_run_tagged_not_to_publish_writes_its_data_docs_beside_the_published_ones(warehouse):
    outputs = warehouse.with_name("warehouse-outputs")
    published_docs = outputs / "data_docs" / "index.html"
    published_docs.parent.mkdir(parents=True)
    published_docs.write_text("the published run's Data Docs")
    raw_crm = next(a for a in raw_assets if a.node_def.name == "raw_crm")
    crm_gates = next(c for c in extract_gate_checks if c.node_def.name == "crm_extract_gates")
    result = dg.materialize([raw_crm, crm_gates], resources={"pipeline": PipelineSettings()}, tags=NO_PUBLISH_TAGS)
    assert result.success
    assert published_docs.read_text() == "the published run's Data Docs"
    assert (outputs / "unpublished" / "data_docs" / "index.html").is_file()
