"""End to end: generated extracts -> loader -> `dbt build --select +marts.revenue` -> the revenue
marts, compared row by row with the independent reference implementation (reference.py).

One dbt invocation for the whole module (module-scoped fixture); every test reads the built
warehouse read-only. Money must match to the cent and rates to 1e-9, for every account-month
and every month x segment, `all` included.
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

import duckdb
import pytest

from .harness import (
    LANDING_END_DATE,
    MONEY_COLUMNS,
    RATE_COLUMNS,
    build_warehouse,
    differences,
    landing_dir,
    money_equal,
    reference_from_raw,
    rows,
)
from .reference import SEGMENTS, Reference, compute, movement, ratio, round_half_up_4

AS_OF = LANDING_END_DATE


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("revenue_e2e")
    warehouse = build_warehouse(root, landing_dir(root / "landing"), AS_OF)
    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def reference(con) -> Reference:
    return reference_from_raw(con, AS_OF)


# --------------------------------------------------------------------------- the marts vs the reference


def test_sample_exercises_every_movement(reference: Reference) -> None:
    """Guard: the generated book has every movement type, so the comparisons mean something."""
    if not any(f["movement"] == "churn" for f in reference.fct.values()):
        pytest.skip("tiny fallback example data: not every movement occurs")
    kinds = {f["movement"] for f in reference.fct.values()}
    assert kinds == {"new", "reactivation", "expansion", "contraction", "churn", "flat"}


def test_fct_mrr_monthly_matches_reference(con, reference: Reference) -> None:
    actual = {(r["account_id"], r["month"]): r for r in rows(con, "select * from marts.fct_mrr_monthly")}
    problems = differences(actual, reference.fct, money=MONEY_COLUMNS["fct_mrr_monthly"], exact=("movement", "segment"))
    assert not problems, problems[:20]


def test_rpt_revenue_retention_matches_reference(con, reference: Reference) -> None:
    actual = {(r["month"], r["segment"]): r for r in rows(con, "select * from marts.rpt_revenue_retention")}
    problems = differences(
        actual, reference.retention, money=MONEY_COLUMNS["rpt_revenue_retention"], rates=RATE_COLUMNS
    )
    assert not problems, problems[:20]
    if len(reference.months) > 12:  # the headline number exists once a year of history does
        assert actual[(reference.months[-1], "all")]["nrr_t12m"] is not None


def test_dim_accounts_matches_reference(con, reference: Reference) -> None:
    actual = {r["account_id"]: r for r in rows(con, "select * from marts.dim_accounts")}
    problems = differences(
        actual, reference.accounts, money=("current_mrr",), exact=("cohort_month", "is_active", "segment")
    )
    problems += [(a, "current_arr") for a, r in actual.items() if r["current_arr"] != 12 * r["current_mrr"]]
    assert not problems, problems[:20]


def test_unmapped_mrr_matches_reference(con, reference: Reference) -> None:
    actual = {(r["month"], r["customer_id"]): r["mrr"] for r in rows(con, "select * from marts.rpt_unmapped_mrr")}
    assert set(actual) == set(reference.unmapped)
    assert all(money_equal(actual[k], v) for k, v in reference.unmapped.items())


def test_only_complete_months(con) -> None:
    last = con.execute("select max(month) from marts.fct_mrr_monthly").fetchone()[0]
    assert last is None or last < date(AS_OF.year, AS_OF.month, 1)


# --------------------------------------------------------------------------- the reference itself (no warehouse)


def test_reference_seed_example() -> None:
    """The seed formula through the reference's own arithmetic: NRR 1.07, GRR 0.92."""
    start, expansion, contraction, churn = Fraction(1_000_000), Fraction(150_000), Fraction(30_000), Fraction(50_000)
    assert ratio(start + expansion - contraction - churn, start) == pytest.approx(1.07, abs=1e-12)
    assert ratio(start - contraction - churn, start) == pytest.approx(0.92, abs=1e-12)
    assert ratio(Fraction(5), Fraction(0)) is None


def test_reference_movements_and_rounding() -> None:
    assert movement(Fraction(0), Fraction(5), False) == "new"
    assert movement(Fraction(0), Fraction(5), True) == "reactivation"
    assert movement(Fraction(5), Fraction(6), True) == "expansion"
    assert movement(Fraction(5), Fraction(4), True) == "contraction"
    assert movement(Fraction(5), Fraction(0), True) == "churn"
    assert movement(Fraction(0), Fraction(0), True) == "flat"
    assert round_half_up_4(Fraction(3, 20_000)) == Fraction(2, 10_000)  # 0.00015 -> 0.0002
    assert round_half_up_4(Fraction(200, 3)) == Fraction(666_667, 10_000)


def test_reference_small_book() -> None:
    """A hand-checked book: two customers on one account, a churn and a return, FX fallback, an
    unmapped customer and a deleted account; as of 2026-04-10 (April incomplete)."""
    ref = compute(
        accounts=[
            {"account_id": "A", "segment_override": None, "is_deleted": False},
            {"account_id": "D", "segment_override": None, "is_deleted": True},
        ],
        customers=[
            {"customer_id": "c1", "account_id": "A"},
            {"customer_id": "c2", "account_id": "A"},
            {"customer_id": "c3", "account_id": None},
            {"customer_id": "c4", "account_id": "D"},
        ],
        subscriptions=[{"subscription_id": f"s{i}", "customer_id": f"c{i}"} for i in range(1, 5)],
        items=[
            _item("i1", "s1", 100, "USD", "2025-12-05", "2026-02-01"),  # in force at the end of Dec and Jan
            _item("i2", "s2", 50, "EUR", "2026-01-20", "2026-02-10"),  # Jan only, EUR at Dec's rate 1.1
            _item("i3", "s1", 80, "USD", "2026-03-01", None),  # back in March
            _item("i4", "s3", 10, "USD", "2026-01-01", None),  # unmapped
            _item("i5", "s4", 999, "USD", "2026-01-01", None),  # deleted account
        ],
        fx_rates=[{"rate_month": date(2025, 12, 1), "currency": "EUR", "usd_per_unit": "1.1"}],
        thresholds={"high_touch": 100_000, "low_touch": 15_000, "tech_touch": 0},
        as_of=date(2026, 4, 10),
    )
    assert ref.months == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert {m: float(v) for m, v in ref.mrr["A"].items()} == {
        date(2025, 12, 1): 100,
        date(2026, 1, 1): 155,
        date(2026, 2, 1): 0,
        date(2026, 3, 1): 80,
    }
    assert [ref.fct[("A", m)]["movement"] for m in ref.months] == ["new", "expansion", "churn", "reactivation"]
    assert ref.unmapped[(date(2026, 1, 1), "c3")] == 10
    assert set(ref.accounts) == {"A"} and ref.accounts["A"]["current_mrr"] == 80
    for month in ref.months:
        for seg in (*SEGMENTS, "all"):
            r = ref.retention[(month, seg)]
            assert (
                r["starting_mrr"]
                + r["new_mrr"]
                + r["reactivation_mrr"]
                + r["expansion_mrr"]
                - r["contraction_mrr"]
                - r["churned_mrr"]
            ) == r["ending_mrr"]


def _item(item_id: str, subscription_id: str, price: float, currency: str, start: str, end: str | None) -> dict:
    return {
        "item_id": item_id,
        "subscription_id": subscription_id,
        "quantity": 1,
        "unit_price": str(price),
        "currency": currency,
        "billing_interval_months": 1,
        "discount_pct": "0",
        "valid_from": datetime.fromisoformat(start),
        "valid_to": datetime.fromisoformat(end) if end else None,
    }
