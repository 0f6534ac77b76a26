"""Freshness (blocking) and quarantine volume (warn) on ledgers written with the loader's DDL."""

from __future__ import annotations

from datetime import datetime

import pytest

from dagster_project.checks.config import parse_config
from dagster_project.checks.extracts import check_freshness, check_quarantine


def add_batch(
    con,
    source: str,
    batch_id: str,
    extracted_at: str,
    *,
    status: str = "loaded",
    manifest: int = 100,
    quarantined: int = 0,
    processed_at: str = "2026-11-21 03:00:00",
) -> None:
    con.execute(
        "insert into raw.load_batches values (?, ?, ?, 'full', ?, ?, ?, ?, ?, null, ?)",
        [
            source,
            batch_id,
            extracted_at,
            status,
            manifest,
            manifest - quarantined,
            quarantined,
            manifest - quarantined,
            processed_at,
        ],
    )


def add_event(con, occurred_at: str) -> None:
    con.execute(
        "insert into raw.usage_events (event_id, occurred_at, account_id, user_id, event_name, _batch_id, "
        "_extracted_at, _source_file, _row_number) values ('e1', ?, 'A-1', 'u', 'login', 'b', ?, 'f', 1)",
        [occurred_at, occurred_at],
    )


def test_a_stale_extract_fails_naming_the_source_and_its_age(con, make_inputs):
    add_batch(con, "billing", "2026-11-20T22-00Z", "2026-11-20 22:00:00")
    outcome = check_freshness(con, make_inputs("2026-11-24"), "billing")  # 4 days later, judged at day end
    assert not outcome.passed and outcome.blocking
    assert outcome.message == "billing extract is 98 h old; SLA 24 h"
    assert outcome.headline() == "extract_freshness on raw/billing_subscriptions: billing extract is 98 h old; SLA 24 h"
    assert (outcome.observed, outcome.threshold) == ("extract 98 h old", "extract 24 h")
    assert outcome.validation is not None and not outcome.validation.success


def test_a_fresh_extract_passes_and_only_loaded_batches_count(con, make_inputs):
    add_batch(con, "crm", "old", "2026-11-19 02:00:00")
    add_batch(con, "crm", "new", "2026-11-20 02:00:00")
    add_batch(con, "crm", "rejected", "2026-11-21 02:00:00", status="rejected")
    outcome = check_freshness(con, make_inputs("2026-11-20"), "crm")
    assert outcome.passed, outcome.message
    assert outcome.message == "crm extract is 22 h old; SLA 24 h"


def test_a_backfill_extract_newer_than_the_as_of_date_is_fresh(con, make_inputs):
    add_batch(con, "crm", "b", "2026-11-21 02:00:00")
    outcome = check_freshness(con, make_inputs("2026-10-01"), "crm")
    assert outcome.passed
    assert "newer than the as-of time (a backfill)" in outcome.message


def test_as_of_today_is_judged_now_not_at_the_end_of_the_day(con, make_inputs):
    add_batch(con, "crm", "b", "2026-11-20 02:00:00")
    # as of 2026-11-21 at the end of the day the extract would be 46 h old; at 01:00 it is 23 h old
    outcome = check_freshness(con, make_inputs("2026-11-21", now=datetime(2026, 11, 21, 1, 0)), "crm")
    assert outcome.passed, outcome.message


def test_a_source_without_a_loaded_batch_fails_saying_so(con, make_inputs):
    add_batch(con, "usage", "x", "2026-11-20 02:00:00", status="rejected")
    outcome = check_freshness(con, make_inputs("2026-11-20"), "usage")
    assert not outcome.passed
    assert "usage has no loaded batch" in outcome.message


def test_usage_checks_its_latest_event_with_its_own_sla(con, make_inputs):
    add_batch(con, "usage", "b", "2026-11-20 02:00:00")
    add_event(con, "2026-11-18 12:00:00")  # 60 h before the end of 2026-11-20
    outcome = check_freshness(con, make_inputs("2026-11-20"), "usage")
    assert not outcome.passed
    assert outcome.message == "usage latest event is 60 h old; SLA 36 h"
    assert outcome.threshold == "extract 24 h; latest event 36 h"


def test_per_source_sla_overrides_come_from_the_configuration(con, make_inputs):
    add_batch(con, "billing", "b", "2026-11-18 00:00:00")
    config = parse_config({"freshness": {"default_sla_hours": 24, "sources": {"billing": {"extract_sla_hours": 96}}}})
    outcome = check_freshness(con, make_inputs("2026-11-20", config=config), "billing")
    assert outcome.passed, outcome.message
    assert outcome.message == "billing extract is 72 h old; SLA 96 h"


def test_heavy_quarantine_in_the_latest_load_warns_with_the_batch_and_reasons(con, make_inputs):
    add_batch(con, "crm", "old", "2026-11-19 02:00:00", quarantined=50, processed_at="2026-11-19 03:00:00")
    add_batch(con, "crm", "2026-11-20T02-00Z", "2026-11-20 02:00:00", manifest=300, quarantined=12)
    con.execute(
        "insert into raw.quarantine select 'crm', '2026-11-20T02-00Z', 'accounts.csv', 'accounts', range, "
        "'unparseable timestamp in created_at', '{}', now() from range(12)"
    )
    outcome = check_quarantine(con, make_inputs("2026-11-20"), "crm")
    assert not outcome.passed and not outcome.blocking
    assert outcome.message == "crm: batch 2026-11-20T02-00Z quarantined 12 of 300 rows (4%); threshold 1%"
    assert outcome.offending_rows == [
        {
            "batch_id": "2026-11-20T02-00Z",
            "entity": "accounts",
            "reason": "unparseable timestamp in created_at",
            "quarantined_rows": 12,
        }
    ]


@pytest.mark.parametrize("quarantined", [0, 1])
def test_light_quarantine_passes(con, make_inputs, quarantined):
    add_batch(con, "billing", "b", "2026-11-20 02:00:00", manifest=100, quarantined=quarantined)
    outcome = check_quarantine(con, make_inputs("2026-11-20"), "billing")
    assert outcome.passed, outcome.message
