"""The as-of date as a Dagster daily partition: partition key = the day a run is "as of".

Every dbt model is computed as of a day, so the dbt assets carry these partitions (one
``@dbt_assets``: a daily run stays one dbt invocation). The raw loading, publishing, report,
docs and alerts assets are not partitioned: they hold the latest state, not a day
(docs/operations.md, "Partitions"). A run of one partition is as of that day; a run of a range
(a backfill, launched from the UI or by ``cs-retention backfill``) recomputes the daily history
of every day in it in ONE run and one dbt invocation (``BackfillPolicy.single_run()``), as of its
last day.

The partition reaches every asset of a run, partitioned or not, through the run's tags, which
Dagster sets for a partitioned run; :func:`days_of_run` is the one reader of those tags.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import dagster as dg

# The first day a run can be as of. The history of a run reaches further back (dbt var
# health_history_days); this only bounds the days the UI offers as partitions.
FIRST_AS_OF_DATE = "2020-01-01"

as_of_date_partitions = dg.DailyPartitionsDefinition(
    start_date=FIRST_AS_OF_DATE,
    timezone="UTC",
    end_offset=1,  # today is a partition: a run by hand is as of today, judged at the time it runs
)
single_run_backfill = dg.BackfillPolicy.single_run()

# The tags Dagster gives a run of one partition and a run of a partition range
# (tests/test_partitions.py fails if a Dagster release renames them).
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


@dataclass(frozen=True)
class AsOfDays:
    """The days a run is as of: one partition (first == last) or a range; ``last`` is its as-of date."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError(f"the range starts {self.first}, after its end {self.last}")

    @property
    def as_of_date(self) -> date:
        return self.last

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def run_tags(self) -> dict[str, str]:
        """The tags that launch a run of these days (what the UI sets for a single-run backfill)."""
        if self.first == self.last:
            return {PARTITION_TAG: self.first.isoformat()}
        return {RANGE_START_TAG: self.first.isoformat(), RANGE_END_TAG: self.last.isoformat()}


def days_of_run(tags: Mapping[str, str]) -> AsOfDays | None:
    """The days of a run from its tags; None for a run that names no partition."""
    if tags.get(RANGE_START_TAG) and tags.get(RANGE_END_TAG):
        return AsOfDays(date.fromisoformat(tags[RANGE_START_TAG]), date.fromisoformat(tags[RANGE_END_TAG]))
    if tags.get(PARTITION_TAG):
        day = date.fromisoformat(tags[PARTITION_TAG])
        return AsOfDays(day, day)
    return None


def days_of_partitions(context: dg.AssetExecutionContext) -> AsOfDays | None:
    """The days a partitioned asset's step materializes (its partition time window)."""
    if not (context.has_partition_key or context.has_partition_key_range):
        return None
    window = context.partition_time_window
    return AsOfDays(window.start.date(), (window.end - timedelta(days=1)).date())
