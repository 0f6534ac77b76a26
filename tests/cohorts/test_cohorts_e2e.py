"""End to end: the bundled sample extracts -> loader -> `dbt build --select +marts.cohorts` -> the
cohort marts, compared row by row and cell by cell with the independent reference
(tests/cohorts/reference.py on top of tests/revenue/reference.py's account-month MRR).

One dbt invocation for the whole module (module-scoped fixture); every test reads the built
warehouse read-only. Money must match to the cent, rates to 1e-9, counts exactly, for every
cohort x segment x month of both marts, `all` included, and the wide table's cells beyond the
complete months must be NULL.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import duckdb
import pytest

from dagster_project.report.data import read_report_data
from tests.dbt_runner import SAMPLE_LANDING, build_selection
from tests.revenue.harness import differences, money_equal, rate_equal, reference_from_raw, rows

from .reference import MEASURES, cohort_retention, cohort_retention_wide

AS_OF = date(2026, 11, 20)  # the bundled sample's last day: October 2026 is the last complete month
LAST_COMPLETE_MONTH = date(2026, 10, 1)
SEGMENTS = ("high_touch", "low_touch", "tech_touch", "all")
LONG_MONEY = ("cohort_starting_mrr", "retained_mrr", "gross_retained_mrr")
LONG_EXACT = ("month", "cohort_accounts", "retained_accounts")
WIDE_KEYS = ["cohort_month", "segment", "measure", "cohort_accounts", "cohort_starting_mrr"]


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("cohorts_e2e")
    warehouse = build_selection(root, SAMPLE_LANDING, AS_OF, "+marts.cohorts")
    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def expected_long(con) -> dict[tuple[date, str, int], dict[str, Any]]:
    revenue = reference_from_raw(con, AS_OF)
    return cohort_retention(revenue.mrr, revenue.segment, AS_OF)


@pytest.fixture(scope="module")
def wide_columns(con) -> list[str]:
    return [d[0] for d in con.execute("select * from marts.rpt_cohort_retention_wide limit 0").description]


@pytest.fixture(scope="module")
def max_months(wide_columns) -> int:
    return max(int(c[1:]) for c in wide_columns if re.fullmatch(r"m\d+", c))


# --------------------------------------------------------------------------- the sample means something


def test_sample_exercises_the_definitions(con, expected_long) -> None:
    """Guard: the bundled book has what the definitions are about, so the comparisons mean something."""
    revenue = reference_from_raw(con, AS_OF)
    reactivated = [
        a
        for a, by_month in revenue.mrr.items()
        if any(v == 0 and any(later > 0 for m, later in by_month.items() if m > month) for month, v in by_month.items())
    ]
    movers = [a for a, by_month in revenue.segment.items() if len(set(by_month.values())) > 1]
    assert reactivated, "no account churned and came back"
    assert movers, "no account changed segment after its cohort month"
    assert any(r["net_revenue_retention"] > 1 for r in expected_long.values()), "no cohort expanded past 100 %"
    assert any(r["gross_revenue_retention"] < r["net_revenue_retention"] for r in expected_long.values())
    assert {seg for _, seg, _ in expected_long} == set(SEGMENTS)


# --------------------------------------------------------------------------- the marts vs the reference


def test_long_table_matches_reference(con, expected_long) -> None:
    actual = {
        (r["cohort_month"], r["segment"], r["months_since_start"]): r
        for r in rows(con, "select * from marts.rpt_cohort_retention")
    }
    problems = differences(actual, expected_long, money=LONG_MONEY, rates=MEASURES, exact=LONG_EXACT)
    assert not problems, problems[:20]


def test_long_table_stops_at_the_last_complete_month(con) -> None:
    last_month, k0_not_one = con.execute(
        """
        select
            max(month),
            count(case when months_since_start = 0
                and (logo_retention <> 1 or net_revenue_retention <> 1 or gross_revenue_retention <> 1) then 1 end)
        from marts.rpt_cohort_retention
        """
    ).fetchone()
    assert last_month == LAST_COMPLETE_MONTH  # November 2026 has not ended on the 20th
    assert k0_not_one == 0


def test_wide_table_columns(wide_columns, max_months, expected_long) -> None:
    """The names the leadership report and the CSV exports rely on, then m0 ... mN without gaps,
    wide enough for the sample's oldest cohort."""
    assert wide_columns == [*WIDE_KEYS, *(f"m{k}" for k in range(max_months + 1)), "is_total"]
    assert max(k for _, _, k in expected_long) <= max_months


def test_wide_table_matches_reference(con, expected_long, max_months) -> None:
    expected = cohort_retention_wide(expected_long, max_months)
    actual = {
        (r["cohort_month"], r["segment"], r["measure"]): r
        for r in rows(con, "select * from marts.rpt_cohort_retention_wide")
    }
    problems: list[tuple] = [(k, "missing row") for k in expected.keys() - actual.keys()]
    problems += [(k, "unexpected row") for k in actual.keys() - expected.keys()]
    for key in expected.keys() & actual.keys():
        got, want = actual[key], expected[key]
        if got["cohort_accounts"] != want["cohort_accounts"]:
            problems.append((key, "cohort_accounts", got["cohort_accounts"], want["cohort_accounts"]))
        if not money_equal(got["cohort_starting_mrr"], want["cohort_starting_mrr"]):
            problems.append(
                (key, "cohort_starting_mrr", got["cohort_starting_mrr"], float(want["cohort_starting_mrr"]))
            )
        # rate_equal: NULL only where the reference has no value (a month not complete yet)
        problems += [
            (key, f"m{k}", got[f"m{k}"], want[f"m{k}"])
            for k in range(max_months + 1)
            if not rate_equal(got[f"m{k}"], want[f"m{k}"])
        ]
    assert not problems, sorted(problems, key=str)[:20]


def test_oldest_cohorts_are_complete_up_to_the_last_month(con, expected_long) -> None:
    """The oldest cohort's last filled cell is the last complete month; the next one is NULL."""
    oldest = min(c for c, _, _ in expected_long)
    last_k = (LAST_COMPLETE_MONTH.year - oldest.year) * 12 + LAST_COMPLETE_MONTH.month - oldest.month
    got = con.execute(
        f"select m{last_k}, m{last_k + 1} from marts.rpt_cohort_retention_wide "
        "where cohort_month = ? and segment = 'all' and measure = 'logo_retention'",
        [oldest],
    ).fetchone()
    assert rate_equal(got[0], expected_long[(oldest, "all", last_k)]["logo_retention"])
    assert got[1] is None


# --------------------------------------------------------------------------- the consumers


def test_leadership_report_reads_the_wide_table(con, expected_long) -> None:
    """The leadership report groups the wide table by segment and measure (the CSV exports) and
    reads the long one for its cohort tables: every segment and measure is there, and the oldest
    cohort's row runs from M0 to its last complete month, no further."""
    data = read_report_data(con, AS_OF.isoformat())
    assert set(data.cohorts) == {(seg, m) for seg in SEGMENTS for m in MEASURES}
    table = data.cohorts[("all", "logo_retention")]
    assert {"cohort_month", "cohort_accounts", "m0"} <= set(table.columns)
    assert table["m0"].eq(1.0).all()
    assert table["cohort_month"].is_monotonic_increasing

    last_k = max(k for _, _, k in expected_long)
    cells = data.cohort_views["monthly"].cells
    oldest = cells[(cells["segment"] == "all") & (cells["measure"] == "logo_retention")]
    oldest = oldest[oldest["cohort"] == table["cohort_month"].iloc[0]]
    assert sorted(oldest["period_offset"]) == list(range(last_k + 1))
