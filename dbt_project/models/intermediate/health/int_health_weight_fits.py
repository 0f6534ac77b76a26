"""Fitted health component weights, one fit per segment per month (docs/health.md "Fitted weights").

A dbt Python model (dbt-duckdb runs it in the dbt process; refs arrive as DuckDB relations):
for every fit date - the first day of each month of the scored history - and every segment, the
weights are fitted (dagster_project.health_fit) on the closed renewals dated BEFORE the fit date
(int_health_closed_renewals: their component scores 90 days before, and the outcome), and
compared out of sample with the configured weights by time-ordered cross-validation on the same
renewals. The weights of a day are therefore fitted only from renewals that closed before it.

Incremental by fit date: a run fits only the fit dates not in the table yet (a daily run inside a
month fits nothing; the first run of a month fits that month), so a stored fit - and the scores
computed with it - never moves; `--full-refresh` refits the whole history.

The fitting is dagster_project.health_fit_table (shared with the Spark build, where dbt-spark has
no Python models: docs/scaling.md).
"""

import pandas as pd

from dagster_project.health_fit_table import COLUMNS, fit_table


def model(dbt, session):
    dbt.config(materialized="incremental")
    weights = dbt.ref("cfg_health_weights").df()
    settings = dbt.ref("cfg_health_weight_fit").df().iloc[0]
    first_day, last_day = dbt.ref("int_health_account_days").aggregate("min(as_of_date), max(as_of_date)").fetchone()
    done = set()
    if dbt.is_incremental:
        done = {pd.Timestamp(row[0]) for row in session.sql(f"select distinct fit_date from {dbt.this}").fetchall()}

    def read_closed():
        return dbt.ref("int_health_closed_renewals").filter("is_scored").df()

    frame = fit_table(weights, settings, read_closed, first_day, last_day, done)
    if frame is None:  # nothing new to fit: no rows, with the table's types
        return session.sql(
            "select " + ", ".join(f"cast(null as {kind}) as {c}" for c, kind in COLUMNS.items()) + " limit 0"
        )
    return session.from_df(frame).project(", ".join(f"cast({c} as {kind}) as {c}" for c, kind in COLUMNS.items()))
