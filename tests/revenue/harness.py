"""Shared steps of the revenue end-to-end tests: generate extracts, load them, run dbt once,
compute the reference from the raw tables, and compare a mart with it."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import duckdb

from tests.dbt_runner import DBT_PROJECT_DIR, build_selection
from tests.fixtures import EXAMPLE_LANDING

from .reference import Reference, as_fraction, compute

THRESHOLDS_SEED = DBT_PROJECT_DIR / "seeds" / "revenue" / "cfg_segment_thresholds.csv"
LANDING_END_DATE = date(2026, 11, 21)  # the generated book's last day (and the example's)
HALF_CENT = Fraction(1, 200)  # amounts must agree to the cent
RATE_TOLERANCE = 1e-9

MONEY_COLUMNS = {
    "fct_mrr_monthly": ("mrr", "previous_mrr", "movement_mrr"),
    "rpt_revenue_retention": (
        "starting_mrr",
        "new_mrr",
        "reactivation_mrr",
        "expansion_mrr",
        "contraction_mrr",
        "churned_mrr",
        "ending_mrr",
    ),
}
RATE_COLUMNS = ("nrr_monthly", "grr_monthly", "nrr_t12m", "grr_t12m", "logo_retention_t12m")


def landing_dir(out_dir: Path) -> Path:
    """The realistic generated book (200 accounts, 24 months) when the generator exists, else
    the bundled tiny example landing."""
    try:
        from dagster_project.sample_data.generator import generate_landing
    except ImportError:
        return EXAMPLE_LANDING
    generate_landing(out_dir, accounts=200, months=24, end_date=LANDING_END_DATE, seed=42)
    return out_dir


def build_warehouse(root: Path, landing: Path, as_of: date) -> Path:
    """Load ``landing`` into a fresh warehouse and run `dbt build --select +marts.revenue` once."""
    return build_selection(root, landing, as_of, "+marts.revenue")


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def reference_from_raw(con: duckdb.DuckDBPyConnection, as_of: date) -> Reference:
    """The reference computed from the raw (loaded, not modelled) tables and the config seed."""
    with THRESHOLDS_SEED.open() as f:
        thresholds = {r["segment"]: r["min_arr_usd"] for r in csv.DictReader(f)}
    return compute(
        accounts=rows(con, "select account_id, segment_override, is_deleted, created_at from raw.crm_accounts"),
        customers=rows(con, "select customer_id, account_id from raw.billing_customers"),
        subscriptions=rows(con, "select subscription_id, customer_id from raw.billing_subscriptions"),
        items=rows(con, "select * from raw.billing_subscription_items"),
        fx_rates=rows(con, "select rate_month, currency, usd_per_unit from raw.billing_fx_rates"),
        thresholds=thresholds,
        as_of=as_of,
    )


def money_equal(actual: Any, expected: Fraction) -> bool:
    return actual is not None and abs(as_fraction(actual) - expected) <= HALF_CENT


def rate_equal(actual: Any, expected: float | None) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return abs(float(actual) - expected) <= RATE_TOLERANCE


def differences(
    actual: Mapping[tuple, Mapping[str, Any]],
    expected: Mapping[tuple, Mapping[str, Any]],
    *,
    money: Iterable[str] = (),
    rates: Iterable[str] = (),
    exact: Iterable[str] = (),
) -> list[tuple]:
    """Every (key, column, actual, expected) that disagrees; missing or extra keys first."""
    problems: list[tuple] = [(k, "missing row", None, None) for k in expected.keys() - actual.keys()]
    problems += [(k, "unexpected row", None, None) for k in actual.keys() - expected.keys()]
    for key in expected.keys() & actual.keys():
        got, want = actual[key], expected[key]
        problems += [(key, c, got[c], float(want[c])) for c in money if not money_equal(got[c], want[c])]
        problems += [(key, c, got[c], want[c]) for c in rates if not rate_equal(got[c], want[c])]
        problems += [(key, c, got[c], want[c]) for c in exact if got[c] != want[c]]
    return sorted(problems, key=str)
