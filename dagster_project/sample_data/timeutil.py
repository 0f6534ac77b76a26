"""Calendar arithmetic and the text formats of the extract contract.

All times in the generator are naive ``datetime`` values meaning UTC; they only become text
(ISO-8601 with ``Z``) when a file is written, so nothing depends on the machine's time zone.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

EPOCH = datetime(1970, 1, 1)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day-of-month and time ``months`` later, clipped to the month's last day.

    Billing anniversaries work this way (a subscription started on Jan 31 renews on Feb 28).
    """
    month_index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def month_start(moment: date | datetime) -> datetime:
    return datetime(moment.year, moment.month, 1)


def next_month_start(moment: date | datetime) -> datetime:
    return add_months(month_start(moment), 1)


def plus_days(moment: datetime, days: float) -> datetime:
    """``moment`` shifted by a (fractional) number of days, rounded to whole seconds."""
    return moment + timedelta(seconds=round(float(days) * 86400))


def day_number(moment: date | datetime) -> int:
    """Days since 1970-01-01 (the integer day axis of the usage simulation)."""
    return (date(moment.year, moment.month, moment.day) - EPOCH.date()).days


def fractional_day(moment: datetime) -> float:
    """Days since 1970-01-01 including the time of day."""
    return (moment - EPOCH).total_seconds() / 86400


def from_day_number(day: int) -> date:
    return EPOCH.date() + timedelta(days=int(day))


def iso_ts(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(moment: date | datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%d")


def batch_id_for(extracted_at: datetime) -> str:
    """A batch folder name from its extraction time, e.g. ``2026-11-20T00-30Z``."""
    return extracted_at.strftime("%Y-%m-%dT%H-%MZ")
