"""The lines `cs-retention status` prints from the published warehouse's marts: which health
components foresee renewals, the health weights in use per segment, and the CS team's numbers.

One function per line, each taking a DuckDB connection and returning the line, or None when the
warehouse lacks what it reads (an older or half-built warehouse): status then prints nothing for
it rather than failing. The figures are read from the marts as they are, never recomputed here.
"""

from __future__ import annotations

import duckdb

from .warehouse_sql import relation_columns

COMPONENT_VALIDATION = "rpt_health_component_validation"
WEIGHT_FIT = "rpt_health_weight_fit"
EXECUTIVE_SUMMARY = "rpt_executive_summary"
RENEWAL_HORIZONS = (30, 60, 90)  # days; rpt_executive_summary has renewals_due_{N}d and _{N}d_arr for each


def _has_columns(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> bool:
    """Whether marts.<table> exists with every one of ``columns``."""
    return set(columns) <= set(relation_columns(con, f"marts.{table}"))


def _auc(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _pct(value: float | None, decimals: int = 0) -> str:
    return "n/a" if value is None else f"{100 * value:.{decimals}f}%"


def _count(value: int | None) -> str:
    return "n/a" if value is None else f"{value:,}"


def _usd(value: float | None) -> str:
    return "n/a" if value is None else f"${float(value):,.0f}"


def component_signal_line(con: duckdb.DuckDBPyConnection) -> str | None:
    """Which health components carry signal for renewals (the whole book), best AUC first."""
    columns = ["component", "auc", "coverage", "carries_signal", "band", "segment"]
    if not _has_columns(con, COMPONENT_VALIDATION, columns):
        return None
    rows = con.execute(
        f"select component, auc, coverage, carries_signal from marts.{COMPONENT_VALIDATION} "
        "where band = 'all' and segment = 'all' order by auc desc nulls last, component"
    ).fetchall()
    if not rows:
        return None
    parts = {True: [], False: []}
    composite = None
    for component, auc, coverage, carries_signal in rows:
        if component == "composite":
            composite = _auc(auc)
        else:
            parts[bool(carries_signal)].append(f"{component} {_auc(auc)} ({_pct(coverage)})")
    line = "Health components that foresee renewals (AUC at T-90, coverage): " + (", ".join(parts[True]) or "none")
    if parts[False]:
        line += "; no signal: " + ", ".join(parts[False])
    return line + (f"; composite {composite}" if composite is not None else "")


def weights_line(con: duckdb.DuckDBPyConnection) -> str | None:
    """The health weights in use per segment: configured or fitted, and how each set did out of sample."""
    columns = ["fit_date", "segment", "weights_source", "oos_auc_fitted", "oos_auc_configured", "renewals"]
    if not _has_columns(con, WEIGHT_FIT, [*columns, "is_latest_fit"]):
        return None
    # one row per segment and component: the segment's figures repeat on each component row
    rows = con.execute(
        f"select max(fit_date), segment, any_value(weights_source), any_value(oos_auc_fitted), "
        f"any_value(oos_auc_configured), any_value(renewals) from marts.{WEIGHT_FIT} "
        "where is_latest_fit group by segment order by segment"
    ).fetchall()
    if not rows:
        return None
    segments = ", ".join(
        f"{segment} {source} ({_auc(fitted)} vs {_auc(configured)}, {_count(renewals)} renewals)"
        for _, segment, source, fitted, configured, renewals in rows
    )
    fit_date = max(row[0] for row in rows)
    return f"Health weights in use (fit of {fit_date:%Y-%m-%d}; out-of-sample AUC fitted vs configured): {segments}"


def _latest_summary(con: duckdb.DuckDBPyConnection, columns: list[str]) -> tuple | None:
    """``columns`` of the latest rpt_executive_summary row; None without the columns or a row."""
    if not _has_columns(con, EXECUTIVE_SUMMARY, ["as_of_date", *columns]):
        return None
    return con.execute(
        f"select {', '.join(columns)} from marts.{EXECUTIVE_SUMMARY} order by as_of_date desc limit 1"
    ).fetchone()


def cs_team_line(con: duckdb.DuckDBPyConnection) -> str | None:
    """Expansion-ready ARR, renewal coverage and overdue playbook tasks of the latest summary row."""
    columns = ["as_of_date", "expansion_ready_arr", "expansion_ready_accounts", "renewal_coverage"]
    row = _latest_summary(con, [*columns, "overdue_playbook_tasks"])
    if row is None:
        return None
    as_of, arr, accounts, coverage, overdue = row
    return (
        f"CS team on {as_of:%Y-%m-%d}: expansion-ready {_usd(arr)} ARR ({_count(accounts)} accounts), "
        f"renewal coverage {_pct(coverage, 1)}, {_count(overdue)} overdue playbook tasks"
    )


def renewals_due_line(con: duckdb.DuckDBPyConnection) -> str | None:
    """The renewals due in the next 30, 60 and 90 days (count and ARR) of the latest summary row."""
    row = _latest_summary(con, [f"renewals_due_{days}d{end}" for days in RENEWAL_HORIZONS for end in ("", "_arr")])
    if row is None:
        return None
    horizons = "; ".join(
        f"{days} days: {_count(row[2 * i])} ({_usd(row[2 * i + 1])} ARR)" for i, days in enumerate(RENEWAL_HORIZONS)
    )
    return f"Renewals due within {horizons}"


LINES = (component_signal_line, weights_line, cs_team_line, renewals_due_line)


def status_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every line the warehouse can answer, in the order status prints them."""
    return [line for line in (read(con) for read in LINES) if line is not None]
