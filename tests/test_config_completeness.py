"""The one-row configuration relations: every setting must have a value.

`no_null_columns` (macros/testing/test_no_null_columns.sql) replaces a not_null test per
parameter; this checks it fails on exactly the settings that are missing, by name.
"""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import duckdb

from dagster_project.dbt_command import dbt_command
from tests.dbt_runner import DBT_PROJECT_DIR, run_dbt

AS_OF = date(2026, 11, 20)
SELECTION = ["int_health_parameters", "cfg_renewal_settings"]
SEEDS = ["cfg_health_parameters", "cfg_renewal_settings"]


def test_a_missing_setting_fails_naming_it(tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    run_dbt(tmp_path, warehouse, AS_OF, "seed", "--select", *SEEDS)
    run_dbt(tmp_path, warehouse, AS_OF, "build", "--select", *SELECTION, "--indirect-selection", "buildable")
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(
            "update intermediate.int_health_parameters set adoption_window_days = null, support_window_days = null"
        )
        con.execute("update config.cfg_renewal_settings set risk_range_low_quantile = null")
    finally:
        con.close()

    command = dbt_command(
        "test",
        "--select",
        *SELECTION,
        "--store-failures",
        target_dir=tmp_path / "dbt_target",
        log_dir=tmp_path / "dbt_logs",
    )
    env = {**os.environ, "CS_DBT_DUCKDB_PATH": str(warehouse), "CS_AS_OF_DATE": AS_OF.isoformat()}
    run = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)

    assert run.returncode != 0
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        failures = {
            table: sorted(row[0] for row in con.execute(f'select null_column from "{schema}"."{table}"').fetchall())
            for schema, table in con.execute(
                "select schema_name, table_name from duckdb_tables() where table_name like 'no_null_columns%'"
            ).fetchall()
        }
    finally:
        con.close()
    assert sorted(failures.values()) == [["adoption_window_days", "support_window_days"], ["risk_range_low_quantile"]]
