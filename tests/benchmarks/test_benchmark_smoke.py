"""CI smoke test of the benchmark harness: the whole thing, end to end, at the small preset.

Runs ``python -m benchmarks --preset small --repetitions 1`` as a user would (about three
minutes: 200 accounts and a million usage events, mostly process and dbt start-up) and checks the JSON it writes, and that the bare
DuckDB floors (with and without loading) built the same marts as the real pipeline. No timing
assertions: CI machines vary.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from benchmarks.harness import POSITIVE_FIELDS
from benchmarks.job_run import PHASES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def benchmark(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One small benchmark run; its work folder is kept so the test can open the warehouses."""
    root = tmp_path_factory.mktemp("benchmark")
    out, workdir = root / "small.json", root / "work"
    command = [sys.executable, "-m", "benchmarks", "--preset", "small", "--repetitions", "1"]
    command += ["--workdir", str(workdir), "--keep", "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-6000:]
    return {"result": json.loads(out.read_text()), "stdout": done.stdout, "runs": workdir / "runs-small"}


def _mart_tables(manifest: Path) -> list[tuple[str, str]]:
    """(schema, name) of every table model in the marts schema, from the floor's compiled manifest."""
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return sorted(
        (node["schema"], node["alias"])
        for node in nodes
        if node["resource_type"] == "model" and node["schema"] == "marts" and node["config"]["materialized"] == "table"
    )


def _count(database: Path, schema: str, table: str) -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]


def test_every_headline_figure_is_there_and_positive(benchmark):
    result = benchmark["result"]
    for field in POSITIVE_FIELDS:
        assert isinstance(result[field], int | float) and result[field] > 0, field
    assert result["preset"] == "small" and result["repetitions"] == 1
    assert all(result["versions"][package] for package in ("duckdb", "dbt-core", "dagster"))


def test_the_full_build_is_split_into_phases(benchmark):
    phases = benchmark["result"]["full_build"]["phases_s"]
    assert set(PHASES) <= set(phases)
    assert all(phases[name] > 0 for name in ("load", "dbt", "checks", "publish"))
    assert benchmark["result"]["slowest_models"], "run_results.json was not found or had no models"


def test_the_incremental_run_loaded_the_next_day(benchmark):
    landed = benchmark["result"]["incremental"]["landed"]
    assert landed["new_usage_events"] > 0
    assert landed["new_batches_loaded"] == 3  # one usage day + the CRM and billing snapshots


def test_the_bare_floor_built_the_same_marts_as_the_pipeline(benchmark):
    runs = benchmark["runs"]
    marts = _mart_tables(runs / "bare" / "dbt_target" / "manifest.json")
    assert marts, "the compiled manifest has no mart tables"
    for schema, table in marts:
        dbt_rows = _count(runs / "full-0" / "warehouse.duckdb", schema, table)
        bare_rows = _count(runs / "bare" / "rep-0" / "bare.duckdb", schema, table)
        assert bare_rows == dbt_rows, f"{schema}.{table}: bare {bare_rows} rows, dbt {dbt_rows}"
    assert benchmark["result"]["bare_duckdb"]["check"]["row_counts_equal"]


def test_the_floor_with_load_read_the_landing_and_built_the_same_marts(benchmark):
    result, runs = benchmark["result"], benchmark["runs"]
    with_load = result["bare_duckdb_with_load"]
    assert with_load["check"]["row_counts_equal"], with_load["check"]["mismatches"]
    assert with_load["raw_rows"]["usage_events"] == result["usage_events"]  # de-duplicated as the loader does
    assert 0 < with_load["load_s"][0] < with_load["runs_s"][0]
    for schema, table in _mart_tables(runs / "bare" / "dbt_target" / "manifest.json"):
        dbt_rows = _count(runs / "full-0" / "warehouse.duckdb", schema, table)
        assert _count(runs / "bare" / "with-load-0" / "bare.duckdb", schema, table) == dbt_rows, table
    ratios = result["ratios"]
    assert ratios["full_over_bare_duckdb_with_load"] == round(
        result["full_build_s"] / result["bare_duckdb_with_load_s"], 2
    )


def test_it_prints_a_one_line_summary(benchmark):
    lines = benchmark["stdout"].strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("small: 200 accounts")
