"""Identical inputs give identical marts, bit for bit (issue 20).

Runs the whole job (load, checks, dbt, publish) twice, each from an empty working file, on the
same generated landing directory and as-of date, then compares every relation of schema
``marts`` row for row with ``except all`` both ways: DOUBLE values compare exactly there, so a
last-bit difference (parallel float aggregation summing in another order) fails the test.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.sample_data.generator import generate_landing
from dagster_project.warehouse_sql import relation_names

AS_OF = date(2026, 11, 20)


def _run(landing: Path, root: Path, monkeypatch) -> Path:
    warehouse = root / "bi" / "warehouse.duckdb"
    monkeypatch.setenv("CS_LANDING_DIR", str(landing))
    monkeypatch.setenv("CS_WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setenv("CS_AS_OF_DATE", AS_OF.isoformat())
    monkeypatch.setenv("DBT_TARGET_PATH", str(root / "dbt_target"))
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    (root / "dagster_home").mkdir(parents=True, exist_ok=True)
    from dagster_project.definitions import defs

    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(raise_on_error=False)
    assert result.success, [e.message for e in result.all_events if e.is_step_failure]
    return warehouse


def mart_differences(first: Path, second: Path) -> dict[str, tuple[int, int]]:
    """Per mart relation: rows only in the first, rows only in the second (exact comparison)."""
    differences: dict[str, tuple[int, int]] = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{first}' as a (read_only)")
        con.execute(f"attach '{second}' as b (read_only)")
        names = relation_names(con, "marts", "a")
        assert names, "no marts were published"
        for name in names:
            only_a = con.execute(
                f'select count(*) from (select * from a.marts."{name}" except all select * from b.marts."{name}")'
            ).fetchone()[0]
            only_b = con.execute(
                f'select count(*) from (select * from b.marts."{name}" except all select * from a.marts."{name}")'
            ).fetchone()[0]
            if only_a or only_b:
                differences[name] = (only_a, only_b)
    return differences


@pytest.mark.skipif(os.cpu_count() == 1, reason="parallel aggregation order needs more than one thread")
def test_two_runs_on_identical_inputs_publish_identical_marts(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    generate_landing(landing, accounts=40, months=14, end_date=AS_OF, seed=11)
    first = _run(landing, tmp_path / "first", monkeypatch)
    second = _run(landing, tmp_path / "second", monkeypatch)
    assert mart_differences(first, second) == {}
