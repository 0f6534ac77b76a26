"""What every quality gate shares: its inputs, its outcome, the warehouse helpers, persistence.

A gate is a plain function ``(connection, CheckInputs) -> CheckOutcome``: DuckDB computes a
small frame, Great Expectations validates it, and the function words the outcome for people
("billing extract is 98 h old; SLA 24 h"). Dagster only runs gates and reports their outcomes
(``asset_checks.py``), so tests can call a gate with a connection to a tiny warehouse.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Protocol

import duckdb
import pandas as pd

from ..warehouse_sql import quote_ident, quote_relation, relation_columns, relation_exists, split_relation
from .config import QualityConfig
from .gx_runner import Expect, GxValidation

__all__ = ["quote_ident", "quote_relation", "relation_columns", "relation_exists", "split_relation"]  # re-exported


class FrameValidator(Protocol):
    """What a gate needs from Great Expectations (a :class:`~.gx_runner.GxSession`)."""

    def validate(self, suite_name: str, frame: pd.DataFrame, expectations: Sequence[Expect]) -> GxValidation: ...


@dataclass(frozen=True)
class CheckInputs:
    as_of_date: date
    as_of_time: datetime  # naive UTC; see :func:`as_of_time`
    config: QualityConfig
    gx: FrameValidator


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one gate, in the words and numbers people and the warehouse see."""

    check_name: str
    asset_key: tuple[str, ...]
    passed: bool
    blocking: bool
    message: str
    observed: str | None = None
    threshold: str | None = None
    validation: GxValidation | None = None
    offending_rows: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return "error" if self.blocking else "warn"

    @property
    def asset_path(self) -> str:
        return "/".join(self.asset_key)

    def headline(self) -> str:
        """One line naming the check, its asset and what was observed (the run's failure message)."""
        return f"{self.check_name} on {self.asset_path}: {self.message}"


GateFunction = Callable[[duckdb.DuckDBPyConnection, CheckInputs], CheckOutcome]


# --------------------------------------------------------------------------- time and words


def as_of_time(as_of_date: date, now: datetime) -> datetime:
    """The instant freshness is measured at: the end of the as-of day, never later than now.

    A run as of a past day is judged at that day's end; a run as of today (or a day not yet
    over) at the moment it runs. ``now`` is naive UTC.
    """
    return min(datetime.combine(as_of_date, time.max), now)


def age_hours(latest: datetime | None, at: datetime) -> float | None:
    """Hours from ``latest`` to ``at``; negative when ``latest`` is after ``at`` (a backfill)."""
    if latest is None:
        return None
    return (at - latest).total_seconds() / 3600


def format_hours(hours: float) -> str:
    """98 h, 2.5 h: whole hours once the number is big enough for the decimals not to matter."""
    value = round(hours) if abs(hours) >= 10 else round(hours, 1)
    return f"{value:g} h"


def format_share(share: float) -> str:
    """A fraction as a percentage: 4%, 1.25%, 97.5% (messages give the counts beside it)."""
    return f"{share * 100:.4g}%"


def format_ids(ids: Sequence[Any], limit: int) -> str:
    shown = ", ".join(str(i) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


# --------------------------------------------------------------------------- warehouse helpers


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


Params = Sequence[Any] | Mapping[str, Any]


def fetch_rows(con: duckdb.DuckDBPyConnection, sql: str, params: Params = ()) -> list[dict[str, Any]]:
    """A few rows as JSON-safe dicts (the offending rows shown in metadata and messages)."""
    cursor = con.execute(sql, dict(params) if isinstance(params, Mapping) else list(params))
    names = [d[0] for d in cursor.description]
    return [{n: _json_value(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]


def fetch_metrics(con: duckdb.DuckDBPyConnection, sql: str, params: Params = ()) -> dict[str, Any]:
    """The one row of an aggregate query, as ``{metric: value}`` with plain numbers."""
    [row] = fetch_rows(con, sql, params)
    return row


def metrics_frame(metrics: Mapping[str, Any]) -> pd.DataFrame:
    """One row, one column per metric: the frame GX validates with one expectation per metric."""
    return pd.DataFrame([{k: (float(v) if v is not None else None) for k, v in metrics.items()}])


def skipped(check_name: str, asset_key: tuple[str, ...], blocking: bool, relation: str) -> CheckOutcome:
    """A warn gate whose relation is not built yet passes, saying so (the area is in progress)."""
    return CheckOutcome(
        check_name,
        asset_key,
        passed=True,
        blocking=blocking,
        message=f"skipped: relation not built ({relation})",
        details={"skipped": "relation not built", "relation": relation},
    )


def errored(check_name: str, asset_key: tuple[str, ...], blocking: bool, error: BaseException) -> CheckOutcome:
    """A gate that could not run fails (closed): a blocking gate that errors blocks publishing."""
    return CheckOutcome(
        check_name,
        asset_key,
        passed=False,
        blocking=blocking,
        message=f"check could not run: {type(error).__name__}: {error}",
        details={"error": repr(error)},
    )


# --------------------------------------------------------------------------- persistence

RESULTS_TABLE = "quality.check_results"
RESULTS_DDL = """
create table if not exists quality.check_results (
    run_id VARCHAR NOT NULL,
    check_name VARCHAR NOT NULL,
    asset_key VARCHAR NOT NULL,
    passed BOOLEAN NOT NULL,
    severity VARCHAR NOT NULL,
    observed VARCHAR,
    threshold VARCHAR,
    message VARCHAR NOT NULL,
    checked_at TIMESTAMP NOT NULL,
    as_of_date DATE,
    details JSON
)
"""


def persist_outcomes(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    outcomes: Sequence[CheckOutcome],
    checked_at: datetime,
    as_of_date: date | None = None,
) -> None:
    """Append outcomes to ``quality.check_results`` in the working warehouse (published with it)."""
    con.execute("create schema if not exists quality")
    con.execute(RESULTS_DDL)
    con.executemany(
        "insert into quality.check_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                run_id,
                o.check_name,
                o.asset_path,
                o.passed,
                o.severity,
                o.observed,
                o.threshold,
                o.message,
                checked_at,
                as_of_date,
                json.dumps({**o.details, "offending_rows": o.offending_rows}, default=str),
            ]
            for o in outcomes
        ],
    )
