"""An independent, deliberately plain implementation of the revenue metrics.

Written from docs/contracts/metric-definitions.md ("Recurring revenue", "MRR movements",
"Retention", "Segments"), not from the dbt SQL: loops over the raw billing and CRM rows and
exact rational arithmetic (``fractions.Fraction``), so that the end-to-end test can compare
every row of ``marts.fct_mrr_monthly`` and ``marts.rpt_revenue_retention`` with it.

Choices the definitions leave to the project, implemented the way the marts document them:

- item-version MRR in USD is rounded half-up to 4 decimals (then summed exactly);
- a month with MRR 0 keeps the segment of the account's latest month with MRR > 0;
- dim_accounts: an account without a paying complete month is segmented by its current ARR.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from math import floor
from typing import Any

SEGMENTS = ("high_touch", "low_touch", "tech_touch")
Row = Mapping[str, Any]


class MissingFxRate(ValueError):
    """An amount in a currency with no rate at or before its month."""


# --------------------------------------------------------------------------- calendar helpers


def month_start(value: date | datetime) -> date:
    return date(value.year, value.month, 1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def complete_months(first: date, as_of: date) -> list[date]:
    """Months from ``first`` whose last day is on or before ``as_of``."""
    months, month = [], month_start(first)
    while add_months(month, 1) - timedelta(days=1) <= as_of:
        months.append(month)
        month = add_months(month, 1)
    return months


def at_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def in_force_at(version: ItemVersion, instant: datetime) -> bool:
    """In force just before ``instant`` (the last instant of the period ending there): valid_to is exclusive."""
    return version.valid_from < instant and (version.valid_to is None or version.valid_to >= instant)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class ItemVersion:
    item_id: str
    customer_id: str | None
    quantity: int
    unit_price: Fraction
    currency: str
    billing_interval_months: int
    discount_pct: Fraction
    valid_from: datetime
    valid_to: datetime | None


def _fraction(value: Any) -> Fraction:
    return Fraction(str(value)) if value is not None else Fraction(0)


def round_half_up_4(value: Fraction) -> Fraction:
    return Fraction(floor(value * 10_000 + Fraction(1, 2)), 10_000)


def fx_rate(currency: str, month: date, fx: Mapping[str, Mapping[date, Fraction]]) -> Fraction:
    """USD per unit at ``month``: that month's rate, else the latest earlier month's; USD is 1."""
    if currency == "USD":
        return Fraction(1)
    earlier = [m for m in fx.get(currency, {}) if m <= month]
    if not earlier:
        raise MissingFxRate(f"no fx rate for {currency} at or before {month}")
    return fx[currency][max(earlier)]


def version_mrr_usd(version: ItemVersion, fx: Mapping[str, Mapping[date, Fraction]]) -> Fraction:
    """quantity x unit_price x (1 - discount/100) / interval, in USD at the valid_from month's rate."""
    local = version.quantity * version.unit_price * (1 - version.discount_pct / 100) / version.billing_interval_months
    return round_half_up_4(local * fx_rate(version.currency, month_start(version.valid_from), fx))


def segment_for_arr(arr: Fraction, thresholds: Mapping[str, Fraction]) -> str:
    """The segment with the highest lower bound that ``arr`` reaches (bounds inclusive)."""
    reached = [(low, name) for name, low in thresholds.items() if arr >= low]
    return max(reached)[1]


# --------------------------------------------------------------------------- outputs


@dataclass
class Reference:
    as_of: date
    months: list[date]
    mrr: dict[str, dict[date, Fraction]]  # account -> complete month -> MRR (spine only)
    segment: dict[str, dict[date, str]]
    fct: dict[tuple[str, date], dict[str, Any]] = field(default_factory=dict)
    retention: dict[tuple[date, str], dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    unmapped: dict[tuple[date, str | None], Fraction] = field(default_factory=dict)


def movement(previous: Fraction, current: Fraction, paid_before: bool) -> str:
    if previous == 0 and current > 0:
        return "reactivation" if paid_before else "new"
    if previous > 0 and current > previous:
        return "expansion"
    if previous > 0 and 0 < current < previous:
        return "contraction"
    if previous > 0 and current == 0:
        return "churn"
    return "flat"


def ratio(numerator: Fraction, denominator: Fraction) -> float | None:
    return None if denominator == 0 else float(Fraction(numerator) / denominator)


def compute(
    *,
    accounts: Iterable[Row],
    customers: Iterable[Row],
    subscriptions: Iterable[Row],
    items: Iterable[Row],
    fx_rates: Iterable[Row],
    thresholds: Mapping[str, Any],
    as_of: date,
) -> Reference:
    """All revenue figures as of ``as_of`` from raw rows (dicts keyed by extract-contract column names)."""
    thresholds = {name: _fraction(low) for name, low in thresholds.items()}
    fx: dict[str, dict[date, Fraction]] = defaultdict(dict)
    for r in fx_rates:
        fx[r["currency"]][r["rate_month"]] = _fraction(r["usd_per_unit"])

    crm = {r["account_id"]: r for r in accounts}
    live = {a: r for a, r in crm.items() if not r.get("is_deleted")}
    # an empty or blank account_id names no account
    customer_account = {r["customer_id"]: (r["account_id"] or "").strip() or None for r in customers}
    subscription_customer = {r["subscription_id"]: r["customer_id"] for r in subscriptions}

    day_after = at_midnight(as_of + timedelta(days=1))
    versions = [
        ItemVersion(
            item_id=r["item_id"],
            customer_id=subscription_customer.get(r["subscription_id"]),
            quantity=int(r["quantity"]),
            unit_price=_fraction(r["unit_price"]),
            currency=r["currency"],
            billing_interval_months=int(r["billing_interval_months"]),
            discount_pct=_fraction(r["discount_pct"]),
            valid_from=r["valid_from"],
            valid_to=r["valid_to"],
        )
        for r in items
        if r["valid_from"] < day_after  # not known yet on the as-of day
    ]
    mrr_of = {v.item_id: version_mrr_usd(v, fx) for v in versions}

    def account_of(version: ItemVersion) -> str | None:
        account = customer_account.get(version.customer_id) if version.customer_id is not None else None
        return account if account in live else None

    def is_unmapped(version: ItemVersion) -> bool:
        if version.customer_id is None or version.customer_id not in customer_account:
            return True
        account = customer_account[version.customer_id]
        return account is None or account not in crm  # a deleted account is known, just excluded

    months = complete_months(min(v.valid_from for v in versions), as_of) if versions else []

    # MRR at each month end, per account and unmapped per customer
    at_month_end: dict[str, dict[date, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    unmapped: dict[tuple[date, str | None], Fraction] = defaultdict(Fraction)
    for month in months:
        end = at_midnight(add_months(month, 1))
        for v in versions:
            if not in_force_at(v, end):
                continue
            if is_unmapped(v):
                unmapped[(month, v.customer_id)] += mrr_of[v.item_id]
            elif (account := account_of(v)) is not None:
                at_month_end[account][month] += mrr_of[v.item_id]

    # the spine: from the first month with MRR > 0, every complete month, zeros kept
    mrr: dict[str, dict[date, Fraction]] = {}
    for account, by_month in at_month_end.items():
        paying = [m for m, value in by_month.items() if value > 0]
        if paying:
            mrr[account] = {m: by_month.get(m, Fraction(0)) for m in months if m >= min(paying)}

    segment: dict[str, dict[date, str]] = {}
    for account, by_month in mrr.items():
        override = crm[account].get("segment_override")
        segment[account], last_paying = {}, None
        for month, value in by_month.items():
            if value > 0:
                last_paying = segment_for_arr(12 * value, thresholds)
            segment[account][month] = override or last_paying

    ref = Reference(as_of, months, mrr, segment, unmapped=dict(unmapped))

    # fct_mrr_monthly
    for account, by_month in mrr.items():
        previous, paid_before = Fraction(0), False
        for month, value in by_month.items():
            kind = movement(previous, value, paid_before)
            counted_in = (
                segment[account][month] if kind in ("new", "reactivation") else segment[account][add_months(month, -1)]
            )
            ref.fct[(account, month)] = {
                "mrr": value,
                "previous_mrr": previous,
                "movement": kind,
                "movement_mrr": value - previous,
                "segment": counted_in,
            }
            paid_before = paid_before or value > 0
            previous = value

    # rpt_revenue_retention: every month from the first paying month, every segment and `all`
    report_months = sorted({m for _, m in ref.fct})
    for month in report_months:
        for seg in (*SEGMENTS, "all"):
            row = {
                k: Fraction(0)
                for k in (
                    "starting_mrr",
                    "new_mrr",
                    "reactivation_mrr",
                    "expansion_mrr",
                    "contraction_mrr",
                    "churned_mrr",
                    "ending_mrr",
                )
            }
            for (_account, m), f in ref.fct.items():
                if m != month or (seg != "all" and f["segment"] != seg):
                    continue
                row["starting_mrr"] += f["previous_mrr"]
                row["ending_mrr"] += f["mrr"]
                change = f["mrr"] - f["previous_mrr"]
                if f["movement"] == "new":
                    row["new_mrr"] += change
                elif f["movement"] == "reactivation":
                    row["reactivation_mrr"] += change
                elif f["movement"] == "expansion":
                    row["expansion_mrr"] += change
                elif f["movement"] == "contraction":
                    row["contraction_mrr"] -= change
                elif f["movement"] == "churn":
                    row["churned_mrr"] += f["previous_mrr"]
            start = row["starting_mrr"]
            row["nrr_monthly"] = ratio(
                start + row["expansion_mrr"] - row["contraction_mrr"] - row["churned_mrr"], start
            )
            row["grr_monthly"] = ratio(start - row["contraction_mrr"] - row["churned_mrr"], start)

            base_month = add_months(month, -12)
            base = [
                a
                for a, by_month in mrr.items()
                if by_month.get(base_month, 0) > 0 and (seg == "all" or segment[a][base_month] == seg)
            ]
            base_mrr = sum((mrr[a][base_month] for a in base), Fraction(0))
            row["nrr_t12m"] = ratio(sum((mrr[a][month] for a in base), Fraction(0)), base_mrr)
            row["grr_t12m"] = ratio(sum((min(mrr[a][month], mrr[a][base_month]) for a in base), Fraction(0)), base_mrr)
            row["logo_retention_t12m"] = ratio(Fraction(sum(1 for a in base if mrr[a][month] > 0)), Fraction(len(base)))
            ref.retention[(month, seg)] = row

    # dim_accounts: the accounts that exist as of the as-of day (created by then, or already billed)
    for account, r in live.items():
        current = sum(
            (mrr_of[v.item_id] for v in versions if account_of(v) == account and in_force_at(v, day_after)),
            Fraction(0),
        )
        by_month = mrr.get(account, {})
        created_at = r.get("created_at")
        if not by_month and current == 0 and (created_at is None or created_at >= day_after):
            continue
        last_month = max(by_month) if by_month else None
        ref.accounts[account] = {
            "cohort_month": min(by_month) if by_month else None,
            "current_mrr": current,
            "is_active": current > 0,
            "segment": r.get("segment_override")
            or (segment[account][last_month] if last_month else segment_for_arr(12 * current, thresholds)),
        }
    return ref


def as_fraction(value: Any) -> Fraction:
    """A warehouse number (Decimal/float/int) as an exact fraction, for comparisons."""
    if isinstance(value, Decimal):
        return Fraction(value)
    return Fraction(str(value))
