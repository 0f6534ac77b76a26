"""The small pure functions the gates word their outcomes with."""

from __future__ import annotations

from datetime import date, datetime

from dagster_project.checks.core import age_hours, as_of_time, format_hours, format_share
from dagster_project.checks.extracts import describe_freshness


def test_as_of_time_is_the_end_of_the_day_or_now_if_earlier():
    assert as_of_time(date(2026, 11, 20), datetime(2026, 11, 25, 6)) == datetime(2026, 11, 20, 23, 59, 59, 999999)
    assert as_of_time(date(2026, 11, 25), datetime(2026, 11, 25, 6)) == datetime(2026, 11, 25, 6)


def test_ages_and_their_words():
    assert age_hours(datetime(2026, 11, 20, 22), datetime(2026, 11, 24, 23, 59, 59)) > 97.99
    assert age_hours(None, datetime(2026, 11, 20)) is None
    assert [format_hours(h) for h in (97.9999, 2.25, 0.04, 36)] == ["98 h", "2.2 h", "0 h", "36 h"]
    assert [format_share(s) for s in (0.04, 0.0125, 1.0, 0.975)] == ["4%", "1.25%", "100%", "97.5%"]


def test_freshness_sentences():
    assert describe_freshness("billing", "extract", 98.0, 24) == "billing extract is 98 h old; SLA 24 h"
    assert describe_freshness("usage", "latest_event", 40.0, 36) == "usage latest event is 40 h old; SLA 36 h"
    assert describe_freshness("crm", "extract", None, 24) == "crm has no loaded batch (raw.load_batches); SLA 24 h"
    assert (
        describe_freshness("crm", "extract", -5.0, 24)
        == "crm extract is 5 h newer than the as-of time (a backfill); fresh"
    )
