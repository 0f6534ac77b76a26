"""No empty marts pass: a build whose marts come out empty fails its data tests (on either engine).

The not_empty test (dbt_project/macros/testing/test_not_empty.sql) is on the marts that are never
empty on a real book, and on today's rows of the daily health table. Here every model is built
with zero rows (`dbt build --empty`, as an engine that silently read no data would leave them):
each not_empty test must fail. (The pipeline tests show they pass on a real book.)
"""

from __future__ import annotations

import json
from datetime import date

from tests.dbt_runner import dbt_process, load_landing, run_dbt
from tests.revenue.harness import EXAMPLE_LANDING

AS_OF = date(2026, 11, 21)
EXPECTED = {
    "dim_accounts_not_empty",
    "fct_mrr_monthly_not_empty",
    "rpt_revenue_retention_not_empty",
    "fct_account_health_daily_not_empty",
    "rpt_cohort_retention_not_empty",
}


def test_every_not_empty_test_fails_on_an_empty_build(tmp_path) -> None:
    warehouse = load_landing(tmp_path / "warehouse.duckdb", EXAMPLE_LANDING)
    run_dbt(
        tmp_path,
        warehouse,
        AS_OF,
        "build",
        "--empty",
        "--exclude-resource-type",
        "unit_test",
        "--exclude-resource-type",
        "test",
    )
    run = dbt_process(tmp_path, warehouse, AS_OF, "test", "--select", "test_name:not_empty")
    assert run.returncode == 1, run.stdout[-5000:]
    results = json.loads((tmp_path / "dbt_target" / "run_results.json").read_text())["results"]
    failed = {result["unique_id"].split(".")[2] for result in results if result["status"] == "fail"}
    assert failed == EXPECTED, (sorted(failed), run.stdout[-3000:])
