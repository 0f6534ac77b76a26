"""Every dbt unit test (the hand-checked metric examples) runs and passes on Spark too.

The same inputs as tests/test_dbt_unit_tests.py on DuckDB: the worked-example landing loaded
by the project's loader, its raw tables registered on a local Spark session, seeds and models
built `--empty`, then `dbt test --select test_type:unit` (dagster_project/spark/build.py,
`unit_tests`). Three of them failed with a ClassCastException in UnionExec.children until
pyspark 4.3's whole-stage code generation for unions was turned off (session.py). Needs Java 17.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from dagster_project.spark import build, raw_layer, session
from tests.dbt_runner import load_landing
from tests.revenue.harness import EXAMPLE_LANDING

pytestmark = pytest.mark.spark

AS_OF = date(2026, 11, 21)  # as tests/test_dbt_unit_tests.py


@pytest.fixture(scope="module")
def spark_unit_test_results(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module, java) -> dict:
    root = tmp_path_factory.mktemp("dbt_unit_tests_on_spark")
    warehouse = root / "spark"
    monkeypatch_module.setenv("CS_AS_OF_DATE", AS_OF.isoformat())
    monkeypatch_module.setenv("CS_SPARK_WAREHOUSE_DIR", str(warehouse.resolve()))
    monkeypatch_module.delenv("CS_DBT_SPARK_WAREHOUSE_DIR", raising=False)
    loaded = load_landing(root / "warehouse.duckdb", EXAMPLE_LANDING)
    spark = session.start_session(warehouse)
    try:
        raw_layer.raw_layer_from_duckdb(spark, loaded, warehouse)
        result = build.unit_tests(spark, (root / "dbt_target").resolve())
    finally:
        spark.stop()
    manifest = json.loads((root / "dbt_target" / "manifest.json").read_text())
    return {"results": result.results, "defined": set(manifest["unit_tests"])}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_every_unit_test_ran_and_passed_on_spark(spark_unit_test_results: dict) -> None:
    ran = {r.node.unique_id: str(r.status) for r in spark_unit_test_results["results"]}
    assert len(spark_unit_test_results["defined"]) >= 50
    assert set(ran) == spark_unit_test_results["defined"]
    failed = {
        r.node.unique_id: (r.message or "")[:300] for r in spark_unit_test_results["results"] if str(r.status) != "pass"
    }
    assert not failed, failed
