"""dbt's parse state survives a new day: the as-of date reaches the SQL without re-parsing.

A daily run changes only the date. dbt throws its saved parse state away when ``--vars`` change,
and re-parses every file that read a changed environment variable while parsing, so the date is
passed by environment and read only while executing (macros/as_of_date.sql).
"""

from __future__ import annotations

import os
import subprocess

from dagster_project.dbt_command import dbt_command
from tests.dbt_runner import DBT_PROJECT_DIR


def _dbt(tmp_path, as_of: str, *arguments: str) -> str:
    command = dbt_command(*arguments, target_dir=tmp_path / "target", log_dir=tmp_path / "logs")
    env = {**os.environ, "CS_DBT_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"), "CS_AS_OF_DATE": as_of}
    run = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-5000:]
    return run.stdout


def test_a_new_as_of_date_reuses_the_parse_state_and_reaches_the_sql(tmp_path):
    _dbt(tmp_path, "2026-11-20", "parse")
    compiled = _dbt(tmp_path, "2026-11-21", "compile", "--inline", "select {{ as_of_date() }} as as_of")
    assert "select cast('2026-11-21' as date) as as_of" in compiled
    log = (tmp_path / "logs" / "dbt.log").read_text(encoding="utf-8")
    second_run = log[log.rindex("Running with dbt") :]
    assert "Partial parsing enabled, no changes found, skipping parsing" in second_run
    assert "full parse" not in second_run
