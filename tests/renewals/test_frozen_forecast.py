"""Frozen renewal forecasts: a later run never rewrites an earlier date's forecast.

Builds the bundled sample (seeds/landing, last day 2026-11-20) as of 2026-11-10, then again as of
2026-11-20 in the same warehouse, and checks that the 2026-11-10 rows of
marts.fct_renewal_forecast_history are exactly what the first run wrote, that both dates are
present, and that re-running a date replaces only that date. The executive summary accumulates
the same way: one row per as-of date, earlier rows as they were reported.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.dbt_runner import SAMPLE_LANDING, load_landing, run_dbt

FIRST, SECOND = date(2026, 11, 10), date(2026, 11, 20)
HISTORY = "marts.fct_renewal_forecast_history"
SUMMARY = "marts.rpt_executive_summary"


def dbt_build(root: Path, warehouse: Path, as_of: date) -> None:
    """One `dbt build` of the renewal and summary marts and everything upstream of them.

    Unit tests do not touch the warehouse (and an incremental model's unit test needs its table to
    exist already): they run in tests/test_dbt_unit_tests.py, not in this history test.
    """
    selection = ("--select", "+marts.renewals", "+marts.summary", "--indirect-selection", "buildable")
    run_dbt(root, warehouse, as_of, "build", *selection, "--exclude", "test_type:unit")


def history_rows(warehouse: Path, as_of: date) -> list[tuple[Any, ...]]:
    """Every column of the history rows of one date, in a stable order."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select * from {HISTORY} where as_of_date = ? order by renewal_id", [as_of]).fetchall()
    finally:
        con.close()


def history_digest(warehouse: Path, as_of: date) -> str:
    """md5 over the text of every value of one date's rows: equal digests = identical bytes."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute(
            f"""
            select md5(string_agg(cast(columns_json as varchar), '\n' order by renewal_id))
            from (select renewal_id, to_json(h) as columns_json from {HISTORY} as h where as_of_date = ?)
            """,
            [as_of],
        ).fetchone()
        return row[0]
    finally:
        con.close()


def summary_rows(warehouse: Path) -> list[tuple[Any, ...]]:
    """Every row of the executive summary, oldest first."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select * from {SUMMARY} order by as_of_date").fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("frozen_forecast")
    warehouse = root / "warehouse.duckdb"
    load_landing(warehouse, SAMPLE_LANDING)
    dbt_build(root, warehouse, FIRST)
    first = {
        "rows": history_rows(warehouse, FIRST),
        "digest": history_digest(warehouse, FIRST),
        "summary": summary_rows(warehouse),
    }
    dbt_build(root, warehouse, SECOND)
    return {"root": root, "warehouse": warehouse, "first": first}


def test_earlier_date_is_unchanged_after_a_later_run(two_builds: dict[str, Any]) -> None:
    warehouse = two_builds["warehouse"]
    assert two_builds["first"]["rows"], "the first run froze no forecast rows"
    assert history_rows(warehouse, FIRST) == two_builds["first"]["rows"]
    assert history_digest(warehouse, FIRST) == two_builds["first"]["digest"]


def test_both_dates_are_in_the_history(two_builds: dict[str, Any]) -> None:
    con = duckdb.connect(str(two_builds["warehouse"]), read_only=True)
    try:
        dates = [r[0] for r in con.execute(f"select distinct as_of_date from {HISTORY} order by 1").fetchall()]
        current = con.execute("select count(*), max(as_of_date) from marts.fct_renewal_forecast").fetchone()
        latest = con.execute(f"select count(*) from {HISTORY} where as_of_date = ?", [SECOND]).fetchone()
    finally:
        con.close()
    assert dates == [FIRST, SECOND]
    # the current forecast is the second run's, and the history froze all of it
    assert current == (latest[0], SECOND)


def test_rerunning_the_later_date_replaces_only_that_date(two_builds: dict[str, Any]) -> None:
    root, warehouse = two_builds["root"], two_builds["warehouse"]
    second_before = history_rows(warehouse, SECOND)
    dbt_build(root, warehouse, SECOND)
    assert history_rows(warehouse, SECOND) == second_before
    assert history_rows(warehouse, FIRST) == two_builds["first"]["rows"]


def test_the_executive_summary_keeps_one_row_per_as_of_date(two_builds: dict[str, Any]) -> None:
    first_summary = two_builds["first"]["summary"]
    assert [row[0] for row in first_summary] == [FIRST]
    rows = summary_rows(two_builds["warehouse"])
    assert [row[0] for row in rows] == [FIRST, SECOND]
    # the earlier date's row is exactly what the first run reported, although the second run
    # loaded nothing new: its figures (as of a later day) differ
    assert rows[0] == first_summary[0]
    assert rows[1][1:] != rows[0][1:]
