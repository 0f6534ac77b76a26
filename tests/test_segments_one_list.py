"""The coverage segments are listed once on each side: the dbt var ``segments`` (read by every
accepted_values test of a segment column) and the extract contract's ``SEGMENTS`` (the values
a CRM ``segment_override`` may take, and the report's segment order). They must agree."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import yaml

from dagster_project.extracts.spec import SEGMENTS
from dagster_project.report.data import SEGMENTS as REPORT_SEGMENTS
from tests.dbt_runner import dbt_process, run_dbt

DBT_PROJECT = Path(__file__).resolve().parent.parent / "dbt_project"
AS_OF = date(2026, 11, 20)


def test_the_dbt_segments_var_is_the_extract_contracts_list():
    variables = yaml.safe_load((DBT_PROJECT / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    assert tuple(variables["segments"]) == SEGMENTS
    assert ("all", *SEGMENTS) == REPORT_SEGMENTS


def test_no_segment_column_test_spells_the_segments_out():
    spelled = [
        str(path.relative_to(DBT_PROJECT))
        for path in DBT_PROJECT.rglob("*.yml")
        if "target" not in path.parts and "'tech_touch'" in path.read_text(encoding="utf-8")
    ]
    assert not spelled, f"accepted_values should read var('segments'): {spelled}"


def test_a_segment_outside_the_list_fails_the_accepted_values_test(tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    seed = "cfg_segment_thresholds"
    run_dbt(tmp_path, warehouse, AS_OF, "seed", "--select", seed)
    generic = f"{seed},test_type:generic"  # its column tests (singular tests read other seeds too)
    run_dbt(tmp_path, warehouse, AS_OF, "test", "--select", generic)  # the three segments pass
    with duckdb.connect(str(warehouse)) as con:
        (schema,) = con.execute(f"select schema_name from duckdb_tables() where table_name = '{seed}'").fetchone()
        con.execute(f"update {schema}.{seed} set segment = 'mid_touch' where segment = 'low_touch'")
    run = dbt_process(tmp_path, warehouse, AS_OF, "test", "--select", generic)
    assert run.returncode != 0
    assert f"accepted_values_{seed}_segment" in run.stdout and "Got 1 result" in run.stdout, run.stdout[-3000:]
