"""Warn gates on the revenue marts: keys, the MRR movement reconciliation, unmapped revenue.

dbt's own tests already fail the build on a broken reconciliation; these gates say the same
thing where the people reading check results look (Dagster's UI, ``quality.check_results``,
the Data Docs), with the months and customers involved.
"""

from __future__ import annotations

import duckdb

from .core import (
    CheckInputs,
    CheckOutcome,
    fetch_metrics,
    fetch_rows,
    format_ids,
    metrics_frame,
    relation_columns,
    relation_exists,
    skipped,
)
from .gx_runner import between
from .relation_suites import RelationSuite, check_relation_suite

DIM_ACCOUNTS_SUITE = RelationSuite(
    check_name="account_keys_valid",
    relation="marts.dim_accounts",
    keys=("account_id",),
    what="account_id unique and not null",
)
MRR_MONTHLY_SUITE = RelationSuite(
    check_name="account_month_keys_valid",
    relation="marts.fct_mrr_monthly",
    keys=("account_id", "month"),
    what="(account_id, month) unique and not null",
)

RETENTION = "marts.rpt_revenue_retention"
RETENTION_ASSET = ("marts", "rpt_revenue_retention")
RECONCILIATION_CHECK = "mrr_movements_reconcile"
MOVEMENT_COLUMNS = (
    "month",
    "segment",
    "starting_mrr",
    "new_mrr",
    "reactivation_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "ending_mrr",
)
IDENTITY = "starting_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr - ending_mrr"

UNMAPPED = "marts.rpt_unmapped_mrr"
UNMAPPED_ASSET = ("marts", "rpt_unmapped_mrr")
UNMAPPED_CHECK = "no_unmapped_mrr"


def check_dim_accounts(con: duckdb.DuckDBPyConnection, inputs: CheckInputs) -> CheckOutcome:
    """Warn: dim_accounts.account_id unique and not null."""
    return check_relation_suite(con, inputs, DIM_ACCOUNTS_SUITE)


def check_mrr_monthly(con: duckdb.DuckDBPyConnection, inputs: CheckInputs) -> CheckOutcome:
    """Warn: fct_mrr_monthly (account_id, month) unique and not null."""
    return check_relation_suite(con, inputs, MRR_MONTHLY_SUITE)


def check_reconciliation(con: duckdb.DuckDBPyConnection, inputs: CheckInputs) -> CheckOutcome:
    """Warn: starting + new + reactivation + expansion - contraction - churned = ending, every row."""
    if not relation_exists(con, RETENTION):
        return skipped(RECONCILIATION_CHECK, RETENTION_ASSET, False, RETENTION)
    missing = [c for c in MOVEMENT_COLUMNS if c not in relation_columns(con, RETENTION)]
    if missing:
        return CheckOutcome(
            RECONCILIATION_CHECK, RETENTION_ASSET, False, False, f"{RETENTION} has no column(s) {', '.join(missing)}"
        )
    tolerance = inputs.config.reconciliation_tolerance
    metrics = fetch_metrics(
        con,
        f"""
        select
            count(*) filter (where abs({IDENTITY}) > $tolerance) as rows_not_reconciling,
            coalesce(max(abs({IDENTITY})), 0) as max_abs_difference
        from {RETENTION}
        """,
        {"tolerance": tolerance},
    )
    validation = inputs.gx.validate(
        f"{RETENTION}.{RECONCILIATION_CHECK}",
        metrics_frame(metrics),
        [between("rows_not_reconciling", 0, 0), between("max_abs_difference", 0, tolerance)],
    )
    bad = int(metrics["rows_not_reconciling"])
    samples: list[dict[str, object]] = []
    if validation.success:
        message = f"every month x segment row reconciles (max difference {float(metrics['max_abs_difference']):g} USD)"
    else:
        samples = fetch_rows(
            con,
            f"select {', '.join(MOVEMENT_COLUMNS)}, {IDENTITY} as difference from {RETENTION} "
            f"where abs({IDENTITY}) > $tolerance order by abs({IDENTITY}) desc, month, segment "
            f"limit {inputs.config.sample_rows}",
            {"tolerance": tolerance},
        )
        rows = [f"{r['month']} {r['segment']} (off by {r['difference']:g})" for r in samples]
        message = (
            f"{bad} month x segment row(s) where starting + new + reactivation + expansion - contraction - "
            f"churned != ending: {format_ids(rows, inputs.config.sample_rows)}"
        )
    return CheckOutcome(
        RECONCILIATION_CHECK,
        RETENTION_ASSET,
        passed=validation.success,
        blocking=False,
        message=message,
        observed=f"{bad} row(s) off, max difference {float(metrics['max_abs_difference']):g} USD",
        threshold=f"0 rows off by more than {tolerance:g} USD",
        validation=validation,
        sample_rows=samples,
        details={k: float(v) for k, v in metrics.items()},
    )


def check_unmapped_mrr(con: duckdb.DuckDBPyConnection, inputs: CheckInputs) -> CheckOutcome:
    """Warn: no revenue reaches no CRM account (it is reported, not dropped, but must be fixed)."""
    if not relation_exists(con, UNMAPPED):
        return skipped(UNMAPPED_CHECK, UNMAPPED_ASSET, False, UNMAPPED)
    metrics = fetch_metrics(
        con,
        f"""
        select
            coalesce(sum(mrr) filter (where month = (select max(month) from {UNMAPPED})), 0)
                as unmapped_mrr_latest_month,
            count(distinct customer_id) filter (where mrr <> 0) as unmapped_customers,
            count(distinct month) filter (where mrr <> 0) as months_with_unmapped_mrr
        from {UNMAPPED}
        """,
    )
    validation = inputs.gx.validate(
        f"{UNMAPPED}.{UNMAPPED_CHECK}",
        metrics_frame(metrics),
        [between("unmapped_mrr_latest_month", 0, 0), between("unmapped_customers", 0, 0)],
    )
    samples: list[dict[str, object]] = []
    latest = float(metrics["unmapped_mrr_latest_month"])
    customers = int(metrics["unmapped_customers"])
    if validation.success:
        message = "no unmapped MRR: every billing customer with revenue reaches a CRM account"
    else:
        samples = fetch_rows(
            con,
            f"""
            select customer_id, any_value(account_id) as account_id, any_value(unmapped_reason) as unmapped_reason,
                   max(month) as latest_month, arg_max(mrr, month) as mrr
            from {UNMAPPED} where mrr <> 0
            group by customer_id order by latest_month desc, mrr desc, customer_id
            limit {inputs.config.sample_rows}
            """,
        )
        ids = [f"{r['customer_id']} ({r['unmapped_reason']})" for r in samples]
        message = (
            f"unmapped MRR {latest:,.2f} USD in the latest month; {customers} billing customer(s) with revenue "
            f"reach no CRM account: {format_ids(ids, inputs.config.sample_rows)}"
        )
    return CheckOutcome(
        UNMAPPED_CHECK,
        UNMAPPED_ASSET,
        passed=validation.success,
        blocking=False,
        message=message,
        observed=f"{latest:,.2f} USD in the latest month; {customers} customer(s)",
        threshold="0 USD",
        validation=validation,
        sample_rows=samples,
        details={k: float(v) for k, v in metrics.items()},
    )
