"""The run's offline page of check results: every check of the run, and nothing that needs a
network (no http(s) URL, no script or stylesheet to fetch)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import dagster as dg

from dagster_project.assets.check_page import render_check_page
from dagster_project.assets.raw import raw_assets
from dagster_project.checks.asset_checks import extract_gate_checks
from dagster_project.definitions_by_day import defs
from dagster_project.resources import PipelineSettings
from dagster_project.run_history import run_summary
from tests.fixtures import EXAMPLE_LANDING


def test_the_page_lists_the_runs_checks_and_references_no_url(tmp_path: Path, monkeypatch):
    shutil.copytree(EXAMPLE_LANDING, tmp_path / "landing")
    monkeypatch.setenv("CS_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("CS_WAREHOUSE_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("CS_AS_OF_DATE", "2026-11-21")
    raw_crm = next(a for a in raw_assets if a.node_def.name == "raw_crm")
    crm_gates = next(c for c in extract_gate_checks if c.node_def.name == "crm_extract_gates")
    with dg.instance_for_test() as instance:
        result = dg.materialize([raw_crm, crm_gates], resources={"pipeline": PipelineSettings()}, instance=instance)
        [record] = instance.get_run_records(dg.RunsFilter(run_ids=[result.run_id]))
        page = render_check_page(run_summary(instance, record), "2026-11-21")
    assert result.success
    assert "extract_freshness" in page and "quarantine_volume" in page and "raw/crm_accounts" in page
    assert "2 checks, 0 failed" in page
    assert not re.search(r"https?://", page)
    assert "<script" not in page and "<link" not in page and "@import" not in page


def test_the_page_is_written_after_publishing_when_every_check_has_run():
    graph = defs.resolve_asset_graph()
    assert dg.AssetKey("published_warehouse") in graph.get(dg.AssetKey("check_results_page")).parent_keys
