"""Point in time: the revenue marts built as of an earlier date, from extracts that already hold
later data (upgrades, churn, new customers after that date), must show exactly the figures the
full history gives for the months complete by then - later data never moves them - and the
"current" figures must be those of the earlier date.

One dbt invocation for the module (as of AS_OF); the full-history reference is computed from
the same raw tables as of the landing's last day.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from .harness import (
    LANDING_END_DATE,
    MONEY_COLUMNS,
    RATE_COLUMNS,
    build_warehouse,
    differences,
    landing_dir,
    reference_from_raw,
    rows,
)

AS_OF = date(2026, 6, 15)  # months through May 2026 are complete
LAST_COMPLETE_MONTH = date(2026, 5, 1)


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("revenue_pit")
    warehouse = build_warehouse(root, landing_dir(root / "landing"), AS_OF)
    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def later_data_exists(con) -> None:
    changed = con.execute(
        "select count(*) from raw.billing_subscription_items where valid_from >= ? or valid_to >= ?",
        [AS_OF, AS_OF],
    ).fetchone()[0]
    if not changed:
        pytest.skip("the landing has no billing changes after the as-of date")


def test_complete_months_do_not_move_with_later_data(con, later_data_exists) -> None:
    full = reference_from_raw(con, LANDING_END_DATE)
    expected = {k: v for k, v in full.fct.items() if k[1] <= LAST_COMPLETE_MONTH}
    actual = {(r["account_id"], r["month"]): r for r in rows(con, "select * from marts.fct_mrr_monthly")}
    problems = differences(actual, expected, money=MONEY_COLUMNS["fct_mrr_monthly"], exact=("movement", "segment"))
    assert not problems, problems[:20]

    expected = {k: v for k, v in full.retention.items() if k[0] <= LAST_COMPLETE_MONTH}
    actual = {(r["month"], r["segment"]): r for r in rows(con, "select * from marts.rpt_revenue_retention")}
    problems = differences(actual, expected, money=MONEY_COLUMNS["rpt_revenue_retention"], rates=RATE_COLUMNS)
    assert not problems, problems[:20]


def test_current_figures_are_those_of_the_as_of_date(con, later_data_exists) -> None:
    expected = reference_from_raw(con, AS_OF).accounts
    actual = {r["account_id"]: r for r in rows(con, "select * from marts.dim_accounts")}
    problems = differences(actual, expected, money=("current_mrr",), exact=("cohort_month", "is_active", "segment"))
    assert not problems, problems[:20]
