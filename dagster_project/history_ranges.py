"""A first build of the daily health history in ranges of days, when one piece would not fit.

A first build computes every daily health model over the whole history (dbt_project.yml's
health_history_days plus health_score_change_days of lead-in: 430 days) in one query per model.
Those queries hold one row per account and day in memory: at 50,000 accounts (the benchmark's xl
book, 21.5M account-days) int_health_usage_daily ran out of memory at a 6 GB limit, and
int_health_stakeholder_daily at 2 GB (docs/benchmarks.md, "xl").

So a first build whose account-days exceed what the memory limit holds is split. The asset
(assets/dbt.py) runs, before its one ``dbt build``:

1. ``dbt build --select +tag:daily_history --vars {health_end_date: <first range's last day>}``
   without tests: the daily models and what they read (seeds included) are created, the daily
   models holding the first range of days only (the history's first day does not depend on
   health_end_date: macros/health/health_range.sql);
2. ``dbt run --select tag:daily_history --vars {health_end_date: <next range's last day>}`` per
   later range: each is an incremental run adding the days after the latest one written, the
   path a daily run takes;
3. then the run's ``dbt build`` as for any first build: it adds the last range up to the as-of
   date, builds every other model and runs every data test. Only its events reach Dagster, so
   each model is materialized once per run.

tests/test_determinism.py checks that a first build in ranges publishes the same marts as one in
one piece.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, timedelta

from .dbt_command import project_vars
from .settings import memory_limit_gb

# dbt tag of the models that hold one row per account and day of the daily history (set in
# dbt_project.yml): the ranges' selection, and the health-history backfill job's (jobs.py).
DAILY_HISTORY_TAG = "daily_history"

NO_TESTS = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]

# The account-days one range may hold per GB of CS_DUCKDB_MEMORY_LIMIT. Measured: the large book
# (10,000 accounts x 431 days = 4.3M) builds in one piece at 2 GB; xl (50,000 accounts, 21.5M)
# does not (2026-12-04: the compiled SQL in one piece runs out of memory in
# int_health_value_daily) and builds at 2 GB in 100-day ranges (3.5 GB peak of the process tree).
# 2.5M keeps large in one piece at the default 2 GB and gives xl those 100-day ranges.
ACCOUNT_DAYS_PER_GB = 2_500_000
MIN_RANGE_DAYS = 7  # below this, dbt's per-invocation costs (a full parse: ~5 s) would dominate


def history_days() -> tuple[int, int]:
    """dbt_project.yml's (health_history_days, health_score_change_days): the mart's days and the
    intermediate models' lead-in before them."""
    variables = project_vars()
    return int(variables["health_history_days"]), int(variables["health_score_change_days"])


def range_days(accounts: int, memory_limit: str, override: int | None = None) -> int:
    """How many days one range of a first build computes: the override (CS_HISTORY_RANGE_DAYS)
    if set, else the days of ``accounts`` that ACCOUNT_DAYS_PER_GB allows, at least MIN_RANGE_DAYS."""
    if override is not None:
        return override
    budget = ACCOUNT_DAYS_PER_GB * memory_limit_gb(memory_limit)
    return max(MIN_RANGE_DAYS, math.floor(budget / max(accounts, 1)))


@dataclass(frozen=True)
class RangePlan:
    """The last day of each range a first build computes before its ``dbt build`` (which adds the
    days after the last of them up to the as-of date); empty when the history fits in one piece."""

    range_days: int
    range_ends: tuple[date, ...]

    def invocations(self, threads: list[str]) -> list[list[str]]:
        """The dbt invocation of each range (module doc), with the first build's ``threads``
        arguments: the first creates the daily models and what they read (seeds included:
        ``build`` without tests, which the run's ``dbt build`` runs), each later one adds its days
        incrementally."""
        first = ["build", "--select", f"+tag:{DAILY_HISTORY_TAG}", *NO_TESTS]
        later = ["run", "--select", f"tag:{DAILY_HISTORY_TAG}"]
        return [
            [*(first if number == 0 else later), *threads, "--vars", json.dumps({"health_end_date": end.isoformat()})]
            for number, end in enumerate(self.range_ends)
        ]


def plan_first_build(as_of: date, days_per_range: int) -> RangePlan:
    """The ranges of a first build as of ``as_of``: consecutive ranges of ``days_per_range`` days
    from the intermediate models' first day (lead-in included), the last of which, ending on the
    as-of date, is left to the run's ``dbt build``."""
    history, lead_in = history_days()
    first_day = as_of - timedelta(days=history + lead_in)
    total_days = history + lead_in + 1
    ranges = math.ceil(total_days / days_per_range)
    ends = tuple(first_day + timedelta(days=days_per_range * number - 1) for number in range(1, ranges))
    return RangePlan(days_per_range, ends)
