"""The warn suites of the revenue and renewal marts, each against a deliberately broken fixture."""

from __future__ import annotations

import pytest

from dagster_project.checks.renewals import check_renewal_probabilities
from dagster_project.checks.revenue import (
    check_dim_accounts,
    check_mrr_monthly,
    check_reconciliation,
    check_unmapped_mrr,
)

AS_OF = "2026-11-20"


def table(con, name: str, columns: str, rows: list[tuple]) -> None:
    con.execute("create schema if not exists marts")
    con.execute(f"create or replace table marts.{name} ({columns})")
    if rows:
        con.executemany(f"insert into marts.{name} values ({', '.join('?' * len(rows[0]))})", rows)


def test_duplicate_account_in_dim_accounts_warns(con, make_inputs):
    table(con, "dim_accounts", "account_id varchar, current_mrr decimal(18,4)", [("A-1", 10), ("A-1", 12), ("A-2", 0)])
    outcome = check_dim_accounts(con, make_inputs(AS_OF))
    assert not outcome.passed and not outcome.blocking
    assert outcome.message == "marts.dim_accounts: 1 duplicate (account_id) row(s)"
    assert outcome.sample_rows == [{"problem": "duplicate key", "account_id": "A-1", "copies": 2}]


def test_null_and_duplicate_account_months_warn(con, make_inputs):
    table(
        con,
        "fct_mrr_monthly",
        "account_id varchar, month date, mrr decimal(18,4)",
        [("A-1", "2026-09-01", 10), ("A-1", "2026-10-01", 10), ("A-1", "2026-10-01", 11), (None, "2026-10-01", 5)],
    )
    outcome = check_mrr_monthly(con, make_inputs(AS_OF))
    assert not outcome.passed
    assert outcome.message == (
        "marts.fct_mrr_monthly: 1 row(s) with a null key (account_id, month); 1 duplicate (account_id, month) row(s)"
    )


def test_unique_keys_pass(con, make_inputs):
    table(con, "dim_accounts", "account_id varchar", [("A-1",), ("A-2",)])
    assert check_dim_accounts(con, make_inputs(AS_OF)).passed


RETENTION_COLUMNS = (
    "month date, segment varchar, starting_mrr decimal(18,4), new_mrr decimal(18,4), reactivation_mrr decimal(18,4), "
    "expansion_mrr decimal(18,4), contraction_mrr decimal(18,4), churned_mrr decimal(18,4), ending_mrr decimal(18,4)"
)


def test_a_month_that_does_not_reconcile_warns_naming_it(con, make_inputs):
    table(
        con,
        "rpt_revenue_retention",
        RETENTION_COLUMNS,
        [
            ("2026-09-01", "all", 1000, 100, 0, 150, 30, 50, 1170),  # reconciles
            ("2026-10-01", "all", 1170, 0, 20, 10, 0, 0, 1150),  # 1170 + 20 + 10 = 1200, not 1150
        ],
    )
    outcome = check_reconciliation(con, make_inputs(AS_OF))
    assert not outcome.passed
    assert outcome.message == (
        "1 month x segment row(s) where starting + new + reactivation + expansion - contraction - churned != ending: "
        "2026-10-01 all (off by 50)"
    )
    assert outcome.observed == "1 row(s) off, max difference 50 USD"


def test_reconciling_movements_pass(con, make_inputs):
    table(con, "rpt_revenue_retention", RETENTION_COLUMNS, [("2026-09-01", "all", 1000, 100, 0, 150, 30, 50, 1170)])
    assert check_reconciliation(con, make_inputs(AS_OF)).passed


UNMAPPED_COLUMNS = "month date, customer_id varchar, account_id varchar, unmapped_reason varchar, mrr decimal(18,4)"


def test_unmapped_mrr_warns_with_the_customers(con, make_inputs):
    table(
        con,
        "rpt_unmapped_mrr",
        UNMAPPED_COLUMNS,
        [
            ("2026-09-01", "cus_9", None, "no_account_id", 120),
            ("2026-10-01", "cus_9", None, "no_account_id", 150),
            ("2026-10-01", "cus_8", "A-404", "account_not_in_crm", 99.5),
        ],
    )
    outcome = check_unmapped_mrr(con, make_inputs(AS_OF))
    assert not outcome.passed
    assert outcome.message == (
        "unmapped MRR 249.50 USD in the latest month; 2 billing customer(s) with revenue reach no CRM account: "
        "cus_9 (no_account_id), cus_8 (account_not_in_crm)"
    )


def test_no_unmapped_mrr_passes(con, make_inputs):
    table(con, "rpt_unmapped_mrr", UNMAPPED_COLUMNS, [])
    assert check_unmapped_mrr(con, make_inputs(AS_OF)).passed


FORECAST_COLUMNS = "as_of_date date, account_id varchar, subscription_id varchar, renewal_probability double"


def test_a_probability_of_1_4_warns(con, make_inputs):
    table(
        con,
        "fct_renewal_forecast",
        FORECAST_COLUMNS,
        [(AS_OF, "A-1", "s1", 0.95), (AS_OF, "A-2", "s2", 1.4), (AS_OF, "A-3", "s3", None)],
    )
    outcome = check_renewal_probabilities(con, make_inputs(AS_OF))
    assert not outcome.passed
    assert outcome.message == (
        "marts.fct_renewal_forecast: renewal_probability max 1.4 outside 0-1 (1 row(s)); "
        "renewal_probability is null in 1 row(s)"
    )
    assert {"problem": "out of range", "renewal_probability": 1.4} in outcome.sample_rows


def test_valid_probabilities_pass(con, make_inputs):
    table(con, "fct_renewal_forecast", FORECAST_COLUMNS, [(AS_OF, "A-1", "s1", 0.95), (AS_OF, "A-2", "s2", 0.0)])
    assert check_renewal_probabilities(con, make_inputs(AS_OF)).passed


@pytest.mark.parametrize(
    ("check", "relation"),
    [
        (check_dim_accounts, "marts.dim_accounts"),
        (check_mrr_monthly, "marts.fct_mrr_monthly"),
        (check_reconciliation, "marts.rpt_revenue_retention"),
        (check_unmapped_mrr, "marts.rpt_unmapped_mrr"),
        (check_renewal_probabilities, "marts.fct_renewal_forecast"),
    ],
)
def test_warn_suites_pass_with_a_note_while_their_relation_is_not_built(con, make_inputs, check, relation):
    outcome = check(con, make_inputs(AS_OF))
    assert outcome.passed and not outcome.blocking
    assert outcome.message == f"skipped: relation not built ({relation})"
