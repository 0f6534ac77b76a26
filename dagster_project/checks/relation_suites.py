"""The generic warn suite of a mart: keys unique and not null, values within their range.

DuckDB reduces the relation (a daily one: the days a run can have written) to a one-row frame
of metrics (null-key rows, duplicate-key rows, min and max of each ranged column), so no mart is
ever pulled into pandas; GX validates that frame with one expectation per metric, and a few
offending rows are fetched only when it fails.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from .config import QualityConfig
from .core import (
    CheckInputs,
    CheckOutcome,
    fetch_metrics,
    fetch_rows,
    metrics_frame,
    quote_ident,
    quote_relation,
    relation_columns,
    relation_exists,
    skipped,
)
from .gx_runner import Expect, between

Ranges = dict[str, tuple[float, float]]


# --------------------------------------------------------------------------- metrics (SQL)


def key_metrics(con: duckdb.DuckDBPyConnection, rel: str, keys: Sequence[str]) -> dict[str, float]:
    """Rows with a NULL key part, and rows beyond the first of each (non-null) key (``rel``: the
    relation's SQL, see :meth:`RelationSuite.source`)."""
    if not keys:
        return {}
    cols = ", ".join(quote_ident(k) for k in keys)
    any_null = " or ".join(f"{quote_ident(k)} is null" for k in keys)
    return fetch_metrics(
        con,
        f"""
        select
            (select count(*) from {rel} where {any_null}) as null_key_rows,
            (select coalesce(sum(n - 1), 0) from (
                select count(*) as n from {rel} where not ({any_null}) group by {cols} having count(*) > 1
            )) as duplicate_key_rows
        """,
    )


def range_metrics(con: duckdb.DuckDBPyConnection, rel: str, ranges: Mapping[str, tuple[float, float]]) -> dict:
    """min, max and out-of-range row count of each ranged column (NULLs are not out of range)."""
    if not ranges:
        return {}
    parts = []
    for column, (low, high) in ranges.items():
        col = quote_ident(column)
        parts += [
            f"min({col}) as {quote_ident(column + '__min')}",
            f"max({col}) as {quote_ident(column + '__max')}",
            f"count(*) filter (where {col} < {low} or {col} > {high}) as {quote_ident(column + '__out_of_range_rows')}",
        ]
    return fetch_metrics(con, f"select {', '.join(parts)} from {rel}")


def null_metrics(con: duckdb.DuckDBPyConnection, rel: str, columns: Sequence[str]) -> dict[str, float]:
    if not columns:
        return {}
    parts = [f"count(*) filter (where {quote_ident(c)} is null) as {quote_ident(c + '__null_rows')}" for c in columns]
    return fetch_metrics(con, f"select {', '.join(parts)} from {rel}")


# --------------------------------------------------------------------------- expectations and words (pure)


def key_expectations(keys: Sequence[str]) -> list[Expect]:
    return [between("null_key_rows", 0, 0), between("duplicate_key_rows", 0, 0)] if keys else []


def range_expectations(ranges: Mapping[str, tuple[float, float]]) -> list[Expect]:
    return [between(f"{c}__{end}", low, high) for c, (low, high) in ranges.items() for end in ("min", "max")]


def null_expectations(columns: Sequence[str]) -> list[Expect]:
    return [between(f"{c}__null_rows", 0, 0) for c in columns]


def _n(value: object) -> str:
    return f"{float(value):g}"


def describe_problems(
    metrics: Mapping[str, object],
    keys: Sequence[str],
    ranges: Mapping[str, tuple[float, float]],
    not_null: Sequence[str] = (),
) -> list[str]:
    """What is wrong, in words: '1 duplicate (account_id, month) row', 'health_score max 120 outside 0-100'."""
    problems = []
    key_text = f"({', '.join(keys)})"
    if metrics.get("null_key_rows"):
        problems.append(f"{_n(metrics['null_key_rows'])} row(s) with a null key {key_text}")
    if metrics.get("duplicate_key_rows"):
        problems.append(f"{_n(metrics['duplicate_key_rows'])} duplicate {key_text} row(s)")
    for column, (low, high) in ranges.items():
        bad = metrics.get(f"{column}__out_of_range_rows")
        if bad:
            lo, hi = metrics.get(f"{column}__min"), metrics.get(f"{column}__max")
            worst = []
            if lo is not None and float(lo) < low:
                worst.append(f"min {_n(lo)}")
            if hi is not None and float(hi) > high:
                worst.append(f"max {_n(hi)}")
            problems.append(f"{column} {' and '.join(worst)} outside {_n(low)}-{_n(high)} ({_n(bad)} row(s))")
    for column in not_null:
        nulls = metrics.get(f"{column}__null_rows")
        if nulls:
            problems.append(f"{column} is null in {_n(nulls)} row(s)")
    return problems


# --------------------------------------------------------------------------- the suite


@dataclass(frozen=True)
class RelationSuite:
    """Keys and ranges of one mart; ``ranges`` may depend on its columns and the configuration."""

    check_name: str
    relation: str
    keys: tuple[str, ...] = ()
    ranges: Callable[[list[str], QualityConfig], Ranges] = field(default=lambda columns, config: {})
    not_null: tuple[str, ...] = ()
    what: str = ""  # one line for the check's description
    # A daily relation (one more day per run): only the days a run can have written are
    # validated, the last ``daily_history.recent_days`` up to the as-of date (config.yaml).
    day_column: str | None = None

    @property
    def asset_key(self) -> tuple[str, ...]:
        return tuple(self.relation.split("."))

    def window_days(self, config: QualityConfig) -> int | None:
        """How many recent days of the relation the suite reads; None: all of it."""
        return config.daily_recent_days if self.day_column else None

    def source(self, as_of_date: date, window_days: int | None) -> str:
        """The SQL the suite reads: the relation, or its last ``window_days`` days."""
        rel = quote_relation(self.relation)
        if window_days is None:
            return rel
        day, first = quote_ident(self.day_column), as_of_date - timedelta(days=window_days)
        return f"(select * from {rel} where {day} > date '{first}' and {day} <= date '{as_of_date}')"


def offending_rows(
    con: duckdb.DuckDBPyConnection,
    suite: RelationSuite,
    rel: str,
    metrics: Mapping[str, object],
    ranges: Ranges,
    limit: int,
) -> list[dict[str, object]]:
    """A few rows behind each failed metric: duplicate keys with their count, out-of-range rows."""
    rows: list[dict[str, object]] = []
    keys = [quote_ident(k) for k in suite.keys]
    if metrics.get("duplicate_key_rows"):
        rows += [
            {"problem": "duplicate key", **r}
            for r in fetch_rows(
                con,
                f"select {', '.join(keys)}, count(*) as copies from {rel} "
                f"where not ({' or '.join(f'{k} is null' for k in keys)}) "
                f"group by all having count(*) > 1 order by copies desc limit {limit}",
            )
        ]
    if metrics.get("null_key_rows"):
        rows += [
            {"problem": "null key", **r}
            for r in fetch_rows(
                con,
                f"select {', '.join(keys)} from {rel} where {' or '.join(f'{k} is null' for k in keys)} limit {limit}",
            )
        ]
    bad_ranges = {c: r for c, r in ranges.items() if metrics.get(f"{c}__out_of_range_rows")}
    if bad_ranges:
        condition = " or ".join(
            f"{quote_ident(c)} < {lo} or {quote_ident(c)} > {hi}" for c, (lo, hi) in bad_ranges.items()
        )
        selected = ", ".join([*keys, *(quote_ident(c) for c in bad_ranges)])
        rows += [
            {"problem": "out of range", **r}
            for r in fetch_rows(con, f"select {selected} from {rel} where {condition} limit {limit}")
        ]
    nulls = [c for c in suite.not_null if metrics.get(f"{c}__null_rows")]
    if nulls:
        selected = ", ".join([*keys, *(quote_ident(c) for c in nulls)])
        condition = " or ".join(f"{quote_ident(c)} is null" for c in nulls)
        rows += [
            {"problem": "null value", **r}
            for r in fetch_rows(con, f"select {selected} from {rel} where {condition} limit {limit}")
        ]
    return rows


def check_relation_suite(con: duckdb.DuckDBPyConnection, inputs: CheckInputs, suite: RelationSuite) -> CheckOutcome:
    """Warn: run a :class:`RelationSuite`; a relation that is not built yet is skipped."""
    if not relation_exists(con, suite.relation):
        return skipped(suite.check_name, suite.asset_key, False, suite.relation)
    columns = relation_columns(con, suite.relation)
    missing = [c for c in (*suite.keys, *suite.not_null) if c not in columns]
    if missing:
        return CheckOutcome(
            suite.check_name,
            suite.asset_key,
            passed=False,
            blocking=False,
            message=f"{suite.relation} has no column(s) {', '.join(missing)}",
        )
    ranges = suite.ranges(columns, inputs.config)
    window_days = suite.window_days(inputs.config)
    rel = suite.source(inputs.as_of_date, window_days)
    metrics = {
        **key_metrics(con, rel, suite.keys),
        **range_metrics(con, rel, ranges),
        **null_metrics(con, rel, suite.not_null),
    }
    expectations = [*key_expectations(suite.keys), *range_expectations(ranges), *null_expectations(suite.not_null)]
    validation = inputs.gx.validate(f"{suite.relation}.{suite.check_name}", metrics_frame(metrics), expectations)
    problems = describe_problems(metrics, suite.keys, ranges, suite.not_null)
    if validation.success:
        message = f"{suite.relation}: {suite.what or 'valid'}"
        samples: list[dict[str, object]] = []
    else:
        failed = ", ".join(validation.failed_columns())
        message = f"{suite.relation}: " + ("; ".join(problems) if problems else f"expectations failed on {failed}")
        samples = offending_rows(con, suite, rel, metrics, ranges, inputs.config.sample_rows)
    threshold = "; ".join(
        [
            *(["keys unique and not null"] if suite.keys else []),
            *(f"{c} in {_n(lo)}-{_n(hi)}" for c, (lo, hi) in ranges.items()),
            *(f"{c} not null" for c in suite.not_null),
        ]
    )
    if window_days is not None:
        threshold += f" (rows of the last {window_days} days by {suite.day_column})"
    observed = "; ".join(problems) or "no violations"
    return CheckOutcome(
        suite.check_name,
        suite.asset_key,
        passed=validation.success,
        blocking=False,
        message=message,
        observed=observed,
        threshold=threshold,
        validation=validation,
        sample_rows=samples,
        details={"metrics": {k: (None if v is None else float(v)) for k, v in metrics.items()}},
    )
