"""Gates on the raw extracts: freshness (blocking) and quarantine volume (warn), per source.

Freshness is measured on the ledger's ``extracted_at`` of the latest LOADED batch (the extract
contract says so): a batch that was rejected or superseded does not make a source fresh.
Usage also has its latest event time checked, because a connector can keep delivering empty
or lagging batches on time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from .core import (
    CheckInputs,
    CheckOutcome,
    age_hours,
    fetch_rows,
    format_hours,
    format_ids,
    format_share,
    relation_exists,
)
from .gx_runner import at_least, between, not_null

# The raw asset each source's gates hang off. Dagster skips everything downstream of it (dbt,
# publishing) when its blocking gate fails.
SOURCE_ASSETS: dict[str, tuple[str, ...]] = {
    "crm": ("raw", "crm_accounts"),
    "billing": ("raw", "billing_subscriptions"),
    "usage": ("raw", "usage_events"),
}
FRESHNESS_CHECK = "extract_freshness"
QUARANTINE_CHECK = "quarantine_volume"

MEASURE_LABELS = {"extract": "extract", "latest_event": "latest event"}


# --------------------------------------------------------------------------- freshness


@dataclass(frozen=True)
class Measurement:
    measure: str  # extract | latest_event
    latest_at: datetime | None
    sla_hours: float


def latest_loaded_extract(con: duckdb.DuckDBPyConnection, source: str) -> datetime | None:
    if not relation_exists(con, "raw.load_batches"):
        return None
    return con.execute(
        "select max(extracted_at) from raw.load_batches where source = ? and status = 'loaded'", [source]
    ).fetchone()[0]


def latest_usage_event(con: duckdb.DuckDBPyConnection) -> datetime | None:
    if not relation_exists(con, "raw.usage_events"):
        return None
    return con.execute("select max(occurred_at) from raw.usage_events").fetchone()[0]


def freshness_frame(source: str, measurements: list[Measurement], at: datetime) -> pd.DataFrame:
    """One row per measure: when it last happened, its age at the as-of time, and its SLA."""
    return pd.DataFrame(
        {
            "source": [source] * len(measurements),
            "measure": [m.measure for m in measurements],
            "latest_at": pd.Series([m.latest_at for m in measurements], dtype="datetime64[us]"),
            "age_hours": pd.Series([age_hours(m.latest_at, at) for m in measurements], dtype="float64"),
            "sla_hours": pd.Series([m.sla_hours for m in measurements], dtype="float64"),
        }
    )


FRESHNESS_EXPECTATIONS = (not_null("latest_at"), at_least("sla_hours", "age_hours"))


def describe_freshness(source: str, measure: str, age: float | None, sla_hours: float) -> str:
    """'billing extract is 98 h old; SLA 24 h', in the words of the run's failure message."""
    label = MEASURE_LABELS[measure]
    if age is None or age != age:  # None or NaN: nothing was ever loaded
        if measure == "extract":
            return f"{source} has no loaded batch (raw.load_batches); SLA {format_hours(sla_hours)}"
        return f"{source} has no events (raw.usage_events); SLA {format_hours(sla_hours)}"
    if age < 0:
        return f"{source} {label} is {format_hours(-age)} newer than the as-of time (a backfill); fresh"
    return f"{source} {label} is {format_hours(age)} old; SLA {format_hours(sla_hours)}"


def check_freshness(con: duckdb.DuckDBPyConnection, inputs: CheckInputs, source: str) -> CheckOutcome:
    """Blocking: the source's latest loaded extract (and usage's latest event) is within its SLA."""
    sla = inputs.config.freshness(source)
    measurements = [Measurement("extract", latest_loaded_extract(con, source), sla.extract_sla_hours)]
    if source == "usage" and sla.event_sla_hours is not None:
        measurements.append(Measurement("latest_event", latest_usage_event(con), sla.event_sla_hours))
    frame = freshness_frame(source, measurements, inputs.as_of_time)
    validation = inputs.gx.validate(f"raw_{source}.{FRESHNESS_CHECK}", frame, FRESHNESS_EXPECTATIONS)
    failing = set(validation.unexpected_rows())
    rows = list(frame.itertuples(index=False))
    parts = [describe_freshness(source, r.measure, r.age_hours, r.sla_hours) for r in rows]
    shown = [p for i, p in enumerate(parts) if i in failing] if not validation.success else parts
    observed = "; ".join(
        f"{MEASURE_LABELS[r.measure]} "
        + ("none loaded" if r.age_hours != r.age_hours else format_hours(r.age_hours) + " old")
        for r in rows
    )
    threshold = "; ".join(f"{MEASURE_LABELS[r.measure]} {format_hours(r.sla_hours)}" for r in rows)
    return CheckOutcome(
        FRESHNESS_CHECK,
        SOURCE_ASSETS[source],
        passed=validation.success,
        blocking=True,
        message=" | ".join(shown or parts),
        observed=observed,
        threshold=threshold,
        validation=validation,
        offending_rows=[
            {
                "measure": r.measure,
                "latest_at": None if pd.isna(r.latest_at) else r.latest_at.isoformat(),
                "age_hours": None if r.age_hours != r.age_hours else round(r.age_hours, 2),
                "sla_hours": r.sla_hours,
            }
            for r in rows
        ],
        details={"as_of_time": inputs.as_of_time.isoformat(), "source": source},
    )


# --------------------------------------------------------------------------- quarantine


def latest_load_batches(con: duckdb.DuckDBPyConnection, source: str) -> pd.DataFrame:
    """The batches of the source's latest load (one ``processed_at`` per load), with shares."""
    columns = ["batch_id", "extracted_at", "rows_in_manifest", "rows_quarantined", "quarantined_share"]
    if not relation_exists(con, "raw.load_batches"):
        return pd.DataFrame(columns=columns)
    return con.execute(
        """
        with batches as (
            select * from raw.load_batches where source = ? and status = 'loaded'
        )
        select
            batch_id,
            extracted_at,
            rows_in_manifest,
            rows_quarantined,
            case when rows_in_manifest > 0 then rows_quarantined / rows_in_manifest else 0 end
                as quarantined_share
        from batches
        where processed_at = (select max(processed_at) from batches)
        order by extracted_at, batch_id
        """,
        [source],
    ).df()


def top_quarantine_reasons(
    con: duckdb.DuckDBPyConnection, source: str, batch_ids: list[str], limit: int
) -> list[dict[str, object]]:
    if not batch_ids or not relation_exists(con, "raw.quarantine"):
        return []
    return fetch_rows(
        con,
        "select batch_id, entity, reason, count(*) as quarantined_rows from raw.quarantine "
        "where source = ? and list_contains(?, batch_id) group by all order by quarantined_rows desc, reason "
        f"limit {int(limit)}",
        [source, batch_ids],
    )


def check_quarantine(con: duckdb.DuckDBPyConnection, inputs: CheckInputs, source: str) -> CheckOutcome:
    """Warn: no batch of the latest load quarantined more than the configured share of its rows."""
    limit = inputs.config.quarantine_max_share
    frame = latest_load_batches(con, source)
    threshold = f"{format_share(limit)} of manifest rows per batch"
    if frame.empty:
        return CheckOutcome(
            QUARANTINE_CHECK,
            SOURCE_ASSETS[source],
            passed=True,
            blocking=False,
            message=f"{source}: no loaded batch to assess",
            threshold=threshold,
        )
    frame["quarantined_share"] = frame["quarantined_share"].astype("float64")
    validation = inputs.gx.validate(f"raw_{source}.{QUARANTINE_CHECK}", frame, [between("quarantined_share", 0, limit)])
    failing = frame.iloc[validation.unexpected_rows()]
    worst = frame.loc[frame["quarantined_share"].idxmax()]
    observed = f"max {format_share(worst['quarantined_share'])} (batch {worst['batch_id']})"
    if validation.success:
        message = (
            f"{source}: {len(frame)} batch(es) of the latest load, at most {format_share(worst['quarantined_share'])} "
            f"of rows quarantined; threshold {format_share(limit)}"
        )
        offending: list[dict[str, object]] = []
    else:
        described = [
            f"batch {r.batch_id} quarantined {r.rows_quarantined} of {r.rows_in_manifest} rows "
            f"({format_share(r.quarantined_share)})"
            for r in failing.itertuples(index=False)
        ]
        message = f"{source}: " + format_ids(described, 3) + f"; threshold {format_share(limit)}"
        offending = top_quarantine_reasons(con, source, failing["batch_id"].tolist(), inputs.config.offending_rows)
    return CheckOutcome(
        QUARANTINE_CHECK,
        SOURCE_ASSETS[source],
        passed=validation.success,
        blocking=False,
        message=message,
        observed=observed,
        threshold=threshold,
        validation=validation,
        offending_rows=offending,
        details={
            "batches": [
                {"batch_id": r.batch_id, "quarantined": int(r.rows_quarantined), "manifest": int(r.rows_in_manifest)}
                for r in failing.itertuples(index=False)
            ]
        },
    )
