"""Every dbt unit test of the project (the hand-checked metric examples) runs and passes.

The pipeline's production `dbt build` leaves unit tests out (they test the SQL, not the data, and
cost about 20 s per run); this is where they run, the way dbt recommends for CI: seeds and
models built `--empty` (zero rows, real column types) on a warehouse with the raw tables, then
`dbt test --select test_type:unit`. The test also checks that dbt ran every unit test the
project defines, so a unit test that stops being selected cannot silently stop running.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.dbt_runner import load_landing, run_dbt
from tests.revenue.harness import EXAMPLE_LANDING

AS_OF = date(2026, 11, 21)


@pytest.fixture(scope="module")
def unit_test_results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("dbt_unit_tests")
    warehouse = load_landing(root / "warehouse.duckdb", EXAMPLE_LANDING)
    # seeds and every model with zero rows: the unit tests' inputs need their relations' columns
    empty = ("--empty", "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test")
    run_dbt(root, warehouse, AS_OF, "build", *empty)
    run_dbt(root, warehouse, AS_OF, "test", "--select", "test_type:unit")
    target = root / "dbt_target"
    return {
        "results": json.loads((target / "run_results.json").read_text())["results"],
        "manifest": json.loads((target / "manifest.json").read_text()),
    }


def test_every_unit_test_ran_and_passed(unit_test_results: dict) -> None:
    defined = set(unit_test_results["manifest"]["unit_tests"])
    ran = {result["unique_id"]: result["status"] for result in unit_test_results["results"]}
    assert len(defined) >= 50, f"only {len(defined)} unit tests defined: did the project stop parsing them?"
    assert set(ran) == defined
    failed = {uid: status for uid, status in ran.items() if status != "pass"}
    assert not failed, failed


@pytest.mark.parametrize("area", ["revenue", "cohorts", "health", "renewals", "summary", "success"])
def test_each_metric_area_has_unit_tests(unit_test_results: dict, area: str) -> None:
    paths = [Path(test["original_file_path"]) for test in unit_test_results["manifest"]["unit_tests"].values()]
    assert any(area in path.parts for path in paths), f"no dbt unit test under models/*/{area}"
