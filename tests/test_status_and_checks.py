"""`cs-retention status` and `checks` read the latest run from the Dagster instance, so after
a failed run they say which run it was and why it failed (a failed run never publishes)."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest
from typer.testing import CliRunner

from dagster_project.cli import app
from tests.fixtures import EXAMPLE_LANDING

runner = CliRunner()


@pytest.fixture
def failed_run(tmp_path: Path, monkeypatch) -> str:
    landing = tmp_path / "landing"
    shutil.copytree(EXAMPLE_LANDING, landing)
    accounts = landing / "crm" / "2026-11-21T02-00Z" / "accounts.csv"
    header, *rows = accounts.read_text().splitlines()
    accounts.write_text("\n".join([header.replace("account_name", "name"), *rows]) + "\n")  # renamed column
    (tmp_path / "home").mkdir()
    for key, value in {
        "DAGSTER_HOME": str(tmp_path / "home"),
        "CS_LANDING_DIR": str(landing),
        "CS_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
        "CS_AS_OF_DATE": "2026-11-21",
    }.items():
        monkeypatch.setenv(key, value)
    from tests.pool_definitions import defs

    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("load_crm").execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    return result.run_id


def test_checks_after_a_failed_run_names_the_run_and_why_it_failed(failed_run):
    result = runner.invoke(app, ["checks"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Checks of the latest run {failed_run[:8]} (load_crm) failure, started ")
    assert lines[1].startswith("  run failed at raw_crm: crm batch 2026-11-21T02-00Z, file accounts.csv")
    assert lines[-1] == "0 checks, 0 failed (--all lists every one)"


def test_status_shows_the_latest_run_and_that_nothing_was_published(failed_run, tmp_path):
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Latest run {failed_run[:8]} (load_crm) failure, started ")
    assert lines[1].startswith("  failed at raw_crm: crm batch 2026-11-21T02-00Z")
    assert f"Published warehouse: none yet at {tmp_path / 'warehouse.duckdb'}" in lines
    assert lines[-1] == "Failed checks of that run: 0"


def test_checks_before_any_run_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "empty"))
    result = runner.invoke(app, ["checks"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "no run recorded yet in this Dagster instance: run `cs-retention run` first"
