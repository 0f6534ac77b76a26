"""The plan of a first build of the daily history in ranges of days (dagster_project/history_ranges.py).

That a first build in ranges publishes the same marts as one in one piece is checked end to end
in tests/test_determinism.py.
"""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dagster_project.assets.dbt import thread_args
from dagster_project.history_ranges import MIN_RANGE_DAYS, history_days, plan_first_build, range_days
from dagster_project.settings import SettingsError, memory_limit_gb

AS_OF = date(2026, 11, 20)


def first_day(as_of: date) -> date:
    history, lead_in = history_days()
    return as_of - timedelta(days=history + lead_in)


def test_the_history_days_come_from_the_dbt_project() -> None:
    assert history_days() == (400, 30)


@pytest.mark.parametrize(
    ("limit", "gb"), [("2GB", 2.0), ("512MB", 0.512), ("1GiB", 2**30 / 1e9), ("1.5 gb", 1.5), ("4TB", 4000.0)]
)
def test_memory_limits_read_as_gb(limit: str, gb: float) -> None:
    assert memory_limit_gb(limit) == pytest.approx(gb)
    with pytest.raises(SettingsError, match="CS_DUCKDB_MEMORY_LIMIT='lots' is not a size"):
        memory_limit_gb("lots")


def test_the_range_follows_the_accounts_and_the_memory_limit() -> None:
    # the benchmark's large book stays in one piece at the default limit; xl gets 100-day ranges
    assert range_days(10_000, "2GB") == 500
    assert plan_first_build(AS_OF, range_days(10_000, "2GB")).range_ends == ()
    assert range_days(50_000, "2GB") == 100
    assert range_days(50_000, "4GB") == 200
    assert range_days(10_000_000, "2GB") == MIN_RANGE_DAYS  # never a range of a few days
    assert range_days(0, "2GB") > 431  # an empty CRM extract: one piece
    assert range_days(50_000, "2GB", override=30) == 30  # CS_HISTORY_RANGE_DAYS wins


def test_a_plan_of_100_day_ranges() -> None:
    start = first_day(AS_OF)
    plan = plan_first_build(AS_OF, 100)
    assert plan.range_ends == tuple(start + timedelta(days=n * 100 - 1) for n in (1, 2, 3, 4))
    # the build's own range: 431 days in all, 4 x 100 before it
    assert (AS_OF - plan.range_ends[-1]).days == 31
    invocations = plan.invocations(thread_args(history=True))
    # the first creates what the daily models read, seeds included; the build runs the tests
    assert invocations[0][:3] == ["build", "--select", "+tag:daily_history"]
    assert {"test", "unit_test"} == {
        invocations[0][n + 1] for n, a in enumerate(invocations[0]) if a == "--exclude-resource-type"
    }
    assert all(args[:3] == ["run", "--select", "tag:daily_history"] for args in invocations[1:])
    assert [json.loads(args[args.index("--vars") + 1]) for args in invocations] == [
        {"health_end_date": end.isoformat()} for end in plan.range_ends
    ]
    assert all(args[args.index("--threads") + 1] == "1" for args in invocations)


@given(
    as_of=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=1, max_value=600),
)
def test_ranges_cover_the_history_once_each_within_its_length(as_of: date, days: int) -> None:
    plan = plan_first_build(as_of, days)
    starts = [first_day(as_of), *(end + timedelta(days=1) for end in plan.range_ends)]
    ends = [*plan.range_ends, as_of]  # the last range is the build's
    lengths = [(end - start).days + 1 for start, end in zip(starts, ends, strict=True)]
    assert all(1 <= length <= days for length in lengths)  # contiguous, none empty, none too long
    assert sum(lengths) == (as_of - first_day(as_of)).days + 1
    assert len(plan.range_ends) == math.ceil(sum(lengths) / days) - 1
