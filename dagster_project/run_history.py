"""What the Dagster instance remembers of the latest run: `cs-retention status` and `checks`.

Read from the instance (DAGSTER_HOME), not from the warehouse: a run that failed never
published, so only the instance knows why it failed and what its checks said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .run_console import FailedCheck, error_text


@dataclass(frozen=True)
class CheckRecord:
    check: FailedCheck  # name, asset, severity, message (of a failed or a passed check)
    passed: bool


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    job_name: str
    status: str
    started: datetime | None
    ended: datetime | None
    failures: list[tuple[str, str]]  # step, message
    checks: list[CheckRecord]

    def headline(self) -> str:
        when = self.started.strftime("%Y-%m-%d %H:%M UTC") if self.started else "not started"
        took = f", {self.ended - self.started}".split(".")[0] if self.started and self.ended else ""
        return f"run {self.run_id[:8]} ({self.job_name}) {self.status.lower()}, started {when}{took}"


def _time(timestamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else None


def latest_run(instance: Any) -> RunSummary | None:
    records = instance.get_run_records(limit=1)
    return run_summary(instance, records[0]) if records else None


def run_summary(instance: Any, record: Any) -> RunSummary:
    """A run record's steps that failed and every check it evaluated (from its event log)."""
    import dagster as dg

    run = record.dagster_run
    failures, checks = [], []
    types = {dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.ASSET_CHECK_EVALUATION}
    cursor = None
    while True:
        connection = instance.get_records_for_run(run.run_id, cursor=cursor, of_type=types, limit=1000)
        for event_record in connection.records:
            event = event_record.event_log_entry.dagster_event
            if event.event_type == dg.DagsterEventType.STEP_FAILURE:
                failures.append((event.step_key, error_text(event.event_specific_data.error)))
            else:
                evaluation = event.event_specific_data
                checks.append(CheckRecord(FailedCheck.of(evaluation), evaluation.passed))
        cursor = connection.cursor
        if not connection.has_more:
            break
    return RunSummary(
        run.run_id, run.job_name, run.status.value, _time(record.start_time), _time(record.end_time), failures, checks
    )
