"""Health-score coverage (blocking) and the health table's keys and ranges (warn)."""

from __future__ import annotations

from dagster_project.checks.config import parse_config
from dagster_project.checks.health import check_health_coverage, check_health_values, coverage_message

AS_OF = "2026-11-20"


def build_staging(con) -> None:
    """Four accounts: A-1 and A-2 pay at the end of the day, A-3's item ended at midnight before it
    ended, A-4 is deleted, A-5 has a 100 % discount; A-6's item starts the next day."""
    con.execute("create schema staging")
    con.execute(
        "create table staging.stg_crm__accounts as select * from (values "
        "('A-1', false), ('A-2', false), ('A-3', false), ('A-4', true), ('A-5', false), ('A-6', false)) "
        "t(account_id, is_deleted)"
    )
    con.execute(
        "create table staging.stg_billing__customers as select * from (values "
        "('c1', 'A-1'), ('c2', 'A-2'), ('c3', 'A-3'), ('c4', 'A-4'), ('c5', 'A-5'), ('c6', 'A-6'), ('c7', null)) "
        "t(customer_id, account_id)"
    )
    con.execute(
        "create table staging.stg_billing__subscriptions as select 's' || substr(customer_id, 2) as "
        "subscription_id, customer_id from staging.stg_billing__customers"
    )
    con.execute("""
        create table staging.stg_billing__subscription_items as select * from (values
            ('i1', 's1', 10, 100.0, 0.0, timestamp '2025-01-01', null),
            ('i2', 's2', 1, 50.0, 10.0, timestamp '2026-11-20 23:00', timestamp '2026-11-21 00:00'),
            ('i3', 's3', 5, 10.0, 0.0, timestamp '2025-01-01', timestamp '2026-11-20 12:00'),
            ('i4', 's4', 5, 10.0, 0.0, timestamp '2025-01-01', null),
            ('i5', 's5', 5, 10.0, 100.0, timestamp '2025-01-01', null),
            ('i6', 's6', 5, 10.0, 0.0, timestamp '2026-11-21 00:00', null),
            ('i7', 's7', 5, 10.0, 0.0, timestamp '2025-01-01', null)
        ) t(item_id, subscription_id, quantity, unit_price, discount_pct, valid_from, valid_to)
    """)


def build_health(con, rows: list[tuple]) -> None:
    con.execute("create schema if not exists marts")
    con.execute(
        "create or replace table marts.fct_account_health_daily (as_of_date date, account_id varchar, "
        "adoption_score double, health_score double, data_completeness double, score_change_30d double)"
    )
    if rows:
        con.executemany("insert into marts.fct_account_health_daily values (?, ?, ?, ?, ?, ?)", rows)


def test_every_paying_account_scored_passes(con, make_inputs):
    build_staging(con)
    build_health(con, [(AS_OF, "A-1", 80, 80, 1.0, 0), (AS_OF, "A-2", 50, 55, 0.4, -3)])
    outcome = check_health_coverage(con, make_inputs(AS_OF))
    assert outcome.passed, outcome.message
    assert outcome.message == "health-score coverage 100%: all 2 accounts with MRR at the end of 2026-11-20 are scored"


def test_a_paying_account_without_a_score_fails_coverage_naming_it(con, make_inputs):
    build_staging(con)
    build_health(con, [(AS_OF, "A-1", 80, 80, 1.0, 0), ("2026-11-19", "A-2", 50, 55, 0.4, 0)])
    outcome = check_health_coverage(con, make_inputs(AS_OF))
    assert not outcome.passed and outcome.blocking
    assert outcome.message == (
        "health-score coverage 50% (1 of 2 accounts with MRR at the end of 2026-11-20); "
        "1 without a score with data: A-2"
    )
    assert outcome.sample_rows == [{"account_id": "A-2", "reason": "no health row for the day"}]
    assert outcome.observed == "50% (1 of 2)"


def test_a_score_computed_from_no_data_does_not_cover(con, make_inputs):
    build_staging(con)
    build_health(con, [(AS_OF, "A-1", 80, 80, 1.0, 0), (AS_OF, "A-2", None, None, 0.0, None)])
    outcome = check_health_coverage(con, make_inputs(AS_OF))
    assert not outcome.passed
    assert outcome.sample_rows == [{"account_id": "A-2", "reason": "data_completeness is 0.0"}]


def test_coverage_fails_clearly_when_the_health_mart_is_not_built(con, make_inputs):
    build_staging(con)
    outcome = check_health_coverage(con, make_inputs(AS_OF))
    assert not outcome.passed
    assert outcome.message == "marts.fct_account_health_daily not built"


def test_coverage_fails_clearly_when_paying_accounts_cannot_be_computed(con, make_inputs):
    build_health(con, [])
    outcome = check_health_coverage(con, make_inputs(AS_OF))
    assert not outcome.passed
    assert outcome.message.startswith("cannot determine the accounts with MRR: staging.stg_billing__subscription_items")


def test_coverage_uses_the_health_areas_daily_model_when_configured(con, make_inputs):
    build_staging(con)  # says; the model says
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_account_mrr_daily as select * from (values "
        "(date '2026-11-20', 'A-1', 10.0), (date '2026-11-20', 'A-9', 5.0), (date '2026-11-20', 'A-2', 0.0)) "
        "t(as_of_date, account_id, mrr)"
    )
    build_health(con, [(AS_OF, "A-1", 80, 80, 1.0, 0)])
    config = parse_config({"health_coverage": {"paying_accounts_relation": "intermediate.int_account_mrr_daily"}})
    outcome = check_health_coverage(con, make_inputs(AS_OF, config=config))
    assert not outcome.passed
    assert [r["account_id"] for r in outcome.sample_rows] == ["A-9"]
    assert outcome.details["paying_accounts_from"] == "intermediate.int_account_mrr_daily"


def test_coverage_message_is_pure_and_lists_a_bounded_number_of_accounts():
    message = coverage_message(40, [f"A-{i}" for i in range(12)], 12, AS_OF, limit=3)
    assert message.endswith("12 without a score with data: A-0, A-1, A-2 and 9 more")
    assert coverage_message(0, [], 0, AS_OF, 3) == "no account has MRR at the end of 2026-11-20; nothing to cover"


def test_health_values_catch_a_score_of_120_and_a_duplicate_key(con, make_inputs):
    build_health(
        con, [(AS_OF, "A-1", 120, 80, 1.0, -40), (AS_OF, "A-2", 50, 55, 0.4, 0), (AS_OF, "A-2", 50, 55, 0.4, 0)]
    )
    outcome = check_health_values(con, make_inputs(AS_OF))
    assert not outcome.passed and not outcome.blocking
    assert outcome.message == (
        "marts.fct_account_health_daily: 1 duplicate (as_of_date, account_id) row(s); "
        "adoption_score max 120 outside 0-100 (1 row(s))"
    )
    problems = {r["problem"] for r in outcome.sample_rows}
    assert problems == {"duplicate key", "out of range"}
    failed = {e.column for e in outcome.validation.failed}
    assert failed == {"duplicate_key_rows", "adoption_score__max"}


def test_health_values_pass_on_a_valid_table_and_ignore_score_change(con, make_inputs):
    build_health(con, [(AS_OF, "A-1", 100, 0, 1.0, -40), (AS_OF, "A-2", None, 55, 0.4, 12)])
    outcome = check_health_values(con, make_inputs(AS_OF))
    assert outcome.passed, outcome.message
    assert "score_change_30d" not in outcome.threshold


def test_health_values_skip_while_the_mart_is_not_built(con, make_inputs):
    outcome = check_health_values(con, make_inputs(AS_OF))
    assert outcome.passed
    assert outcome.details == {"skipped": "relation not built", "relation": "marts.fct_account_health_daily"}


def test_health_values_check_the_days_a_run_can_have_written(con, make_inputs):
    """A daily run validates the last daily_history.recent_days days (earlier ones were validated
    when written); with recent_days null the whole history again, every run."""
    old_day, recent_day = "2026-09-01", "2026-11-01"  # 80 and 19 days before AS_OF
    build_health(
        con,
        [
            (old_day, "A-1", 120, 80, 1.0, 0),  # out of range, outside the 40 days
            (old_day, "A-2", 50, 55, 0.4, 0),
            (old_day, "A-2", 50, 55, 0.4, 0),  # duplicate, outside the 40 days
            (recent_day, "A-1", 90, 80, 1.0, 0),
            ("2026-11-21", "A-1", -5, 80, 1.0, 0),  # after the as-of date: not a day this run wrote
        ],
    )
    recent = check_health_values(con, make_inputs(AS_OF))
    assert recent.passed, recent.message
    assert recent.threshold.endswith("(rows of the last 40 days by as_of_date)")
    assert recent.details["metrics"]["adoption_score__max"] == 90  # only the recent day was read

    con.execute("insert into marts.fct_account_health_daily values ('2026-11-10', 'A-2', 101, 50, 1.0, 0)")
    caught = check_health_values(con, make_inputs(AS_OF))
    assert not caught.passed
    assert caught.message == "marts.fct_account_health_daily: adoption_score max 101 outside 0-100 (1 row(s))"

    everything = parse_config({"daily_history": {"recent_days": None}})
    whole = check_health_values(con, make_inputs(AS_OF, config=everything))
    assert whole.message == (
        "marts.fct_account_health_daily: 1 duplicate (as_of_date, account_id) row(s); "
        "adoption_score min -5 and max 120 outside 0-100 (3 row(s))"
    )
    assert "last" not in whole.threshold
