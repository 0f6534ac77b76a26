"""Health-score coverage (blocking), against the population of int_health_account_days."""

from __future__ import annotations

from dagster_project.checks.health import check_health_coverage, coverage_message

AS_OF = "2026-11-20"


def build_spine(con, rows: list[tuple[str, str]]) -> None:
    """The dbt model that defines the paying accounts of each day (as_of_date, account_id, mrr)."""
    con.execute("create schema if not exists intermediate")
    con.execute(
        "create or replace table intermediate.int_health_account_days "
        "(as_of_date date, account_id varchar, mrr decimal(18, 4))"
    )
    if rows:
        con.executemany("insert into intermediate.int_health_account_days values (?, ?, 10)", rows)


def build_health(con, rows: list[tuple]) -> None:
    con.execute("create schema if not exists marts")
    con.execute(
        "create or replace table marts.fct_account_health_daily (as_of_date date, account_id varchar, "
        "adoption_score double, health_score double, data_completeness double, score_change_30d double)"
    )
    if rows:
        con.executemany("insert into marts.fct_account_health_daily values (?, ?, ?, ?, ?, ?)", rows)


PAYING = [(AS_OF, "A-1"), (AS_OF, "A-2"), ("2026-11-19", "A-3")]  # A-3 paid the day before only


def test_every_paying_account_scored_passes(con, make_inputs):
    build_spine(con, PAYING)
    build_health(con, [(AS_OF, "A-1", 80, 80, 1.0, 0), (AS_OF, "A-2", 50, 55, 0.4, -3)])
    outcome = check_health_coverage(con, make_inputs(AS_OF))
    assert outcome.passed, outcome.message
    assert outcome.message == "health-score coverage 100%: all 2 accounts with MRR at the end of 2026-11-20 are scored"
    assert outcome.details["paying_accounts_from"] == "intermediate.int_health_account_days"


def test_a_paying_account_without_a_score_fails_coverage_naming_it(con, make_inputs):
    build_spine(con, PAYING)
    build_health(con, [(AS_OF, "A-1", 80, 80, 1.0, 0), ("2026-11-19", "A-2", 50, 55, 0.4, 0)])
    outcome = check_health_coverage(con, make_inputs(AS_OF))
    assert not outcome.passed and outcome.blocking
    assert outcome.message == (
        "health-score coverage 50% (1 of 2 accounts with MRR at the end of 2026-11-20); "
        "1 without a score with data: A-2"
    )
    assert outcome.offending_rows == [{"account_id": "A-2", "reason": "no health row for the day"}]
    assert outcome.observed == "50% (1 of 2)"


def test_a_score_computed_from_no_data_does_not_cover(con, make_inputs):
    build_spine(con, PAYING)
    build_health(con, [(AS_OF, "A-1", 80, 80, 1.0, 0), (AS_OF, "A-2", None, None, 0.0, None)])
    outcome = check_health_coverage(con, make_inputs(AS_OF))
    assert not outcome.passed
    assert outcome.offending_rows == [{"account_id": "A-2", "reason": "data_completeness is 0.0"}]


def test_coverage_fails_clearly_when_the_health_mart_is_not_built(con, make_inputs):
    build_spine(con, PAYING)
    outcome = check_health_coverage(con, make_inputs(AS_OF))
    assert not outcome.passed
    assert outcome.message == "marts.fct_account_health_daily not built"


def test_coverage_fails_clearly_when_the_paying_accounts_model_is_not_built(con, make_inputs):
    build_health(con, [])
    outcome = check_health_coverage(con, make_inputs(AS_OF))
    assert not outcome.passed
    assert outcome.message == "intermediate.int_health_account_days not built"


def test_a_spine_not_built_for_the_as_of_day_fails_instead_of_covering_nobody(con, make_inputs):
    build_spine(con, [("2026-11-19", "A-1")])
    build_health(con, [("2026-11-19", "A-1", 80, 80, 1.0, 0)])
    outcome = check_health_coverage(con, make_inputs(AS_OF))
    assert not outcome.passed
    assert outcome.message == (
        "intermediate.int_health_account_days ends on 2026-11-19: the health spine was not built for 2026-11-20"
    )


def test_coverage_message_is_pure_and_lists_a_bounded_number_of_accounts():
    message = coverage_message(40, [f"A-{i}" for i in range(12)], 12, AS_OF, limit=3)
    assert message.endswith("12 without a score with data: A-0, A-1, A-2 and 9 more")
    assert coverage_message(0, [], 0, AS_OF, 3) == "no account has MRR at the end of 2026-11-20; nothing to cover"
