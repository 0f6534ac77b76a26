"""An independent, deliberately plain implementation of the cohort retention tables.

Written from docs/contracts/metric-definitions.md ("Cohort retention tables", "Segments"), not from
the dbt SQL. It starts from the account x month MRR of tests/revenue/reference.py (itself
computed with loops and exact fractions from the raw billing and CRM rows) and applies the
definitions literally:

- cohort = the account's first month with MRR > 0 at a month end;
- for k = 0, 1, ... while cohort month + k is complete (its last day <= as_of):
  retained logos = cohort accounts with MRR(cohort month + k) > 0, NRR = sum MRR(c + k) /
  sum MRR(c), GRR = sum min(MRR(c + k), MRR_a(c)) / sum MRR(c);
- segment rows hold accounts by their cohort-month segment; `all` holds every account.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from tests.revenue.reference import add_months, ratio

MEASURES = ("logo_retention", "net_revenue_retention", "gross_revenue_retention")


def is_complete(month: date, as_of: date) -> bool:
    """A month is complete when its last day is on or before ``as_of``."""
    return add_months(month, 1) - timedelta(days=1) <= as_of


def cohort_retention(
    mrr: Mapping[str, Mapping[date, Fraction]],
    segment: Mapping[str, Mapping[date, str]],
    as_of: date,
) -> dict[tuple[date, str, int], dict[str, Any]]:
    """The long table: (cohort month, segment, k) -> the row's figures (exact money, float rates)."""
    members: dict[tuple[date, str], list[str]] = defaultdict(list)
    for account, by_month in mrr.items():
        paying = sorted(m for m, value in by_month.items() if value > 0 and is_complete(m, as_of))
        if not paying:
            continue
        cohort = paying[0]
        members[(cohort, segment[account][cohort])].append(account)
        members[(cohort, "all")].append(account)

    table: dict[tuple[date, str, int], dict[str, Any]] = {}
    for (cohort, seg), accounts in members.items():
        base = {a: mrr[a][cohort] for a in accounts}
        starting = sum(base.values(), Fraction(0))
        k = 0
        while is_complete(month := add_months(cohort, k), as_of):
            now = {a: mrr[a].get(month, Fraction(0)) for a in accounts}
            retained = sum(1 for a in accounts if now[a] > 0)
            retained_mrr = sum(now.values(), Fraction(0))
            gross = sum((min(now[a], base[a]) for a in accounts), Fraction(0))
            table[(cohort, seg, k)] = {
                "month": month,
                "cohort_accounts": len(accounts),
                "retained_accounts": retained,
                "cohort_starting_mrr": starting,
                "retained_mrr": retained_mrr,
                "gross_retained_mrr": gross,
                "logo_retention": ratio(Fraction(retained), Fraction(len(accounts))),
                "net_revenue_retention": ratio(retained_mrr, starting),
                "gross_revenue_retention": ratio(gross, starting),
            }
            k += 1
    return table


def cohort_retention_wide(
    long: Mapping[tuple[date, str, int], Mapping[str, Any]], max_months: int
) -> dict[tuple[date, str, str], dict[str, Any]]:
    """The wide table: (cohort month, segment, measure) -> size, base and m0 ... m<max_months>,
    None where the long table has no row (a month not complete yet)."""
    wide: dict[tuple[date, str, str], dict[str, Any]] = {}
    for (cohort, seg, _k), row in long.items():
        for measure in MEASURES:
            wide.setdefault(
                (cohort, seg, measure),
                {
                    "cohort_accounts": row["cohort_accounts"],
                    "cohort_starting_mrr": row["cohort_starting_mrr"],
                    **{f"m{k}": None for k in range(max_months + 1)},
                },
            )
    for (cohort, seg, k), row in long.items():
        if k <= max_months:
            for measure in MEASURES:
                wide[(cohort, seg, measure)][f"m{k}"] = row[measure]
    return wide
