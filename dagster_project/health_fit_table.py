"""The table of fitted health weights (int_health_weight_fits), from frames: one home for both engines.

The dbt Python model `int_health_weight_fits.py` (DuckDB) and the Spark build
(dagster_project/spark/build.py: dbt-spark runs Python models only on Databricks) both call
:func:`fit_table` on the same inputs: the configured weights, the fit settings, the closed
renewals (int_health_closed_renewals, scored ones) and the scored days' range. For every fit
date - the first day of each month of the scored history, minus those already stored - and
every segment, the weights are fitted (health_fit) on the closed renewals dated BEFORE the fit
date and compared out of sample with the configured weights.
"""

from __future__ import annotations

import pandas as pd

from dagster_project import health_fit

# the table's columns and their SQL types (cast explicitly: an empty pandas frame has no types)
COLUMNS = {
    "fit_date": "date",
    "segment": "varchar",
    "component": "varchar",
    "configured_weight": "double",
    "fitted_weight": "double",
    "fit_intercept": "double",
    "fit_slope": "double",
    "renewals": "bigint",
    "churned": "bigint",
    "first_renewal_date": "date",
    "last_renewal_date": "date",
    "oos_renewals": "bigint",
    "oos_auc_fitted": "double",
    "oos_auc_configured": "double",
    "oos_brier_fitted": "double",
    "oos_brier_configured": "double",
}


def fit_dates(first_day, last_day, done):
    """Month starts from the first scored day's month through the last scored day, minus the done ones."""
    if pd.isna(first_day) or pd.isna(last_day):
        return []
    months = pd.date_range(pd.Timestamp(first_day).to_period("M").to_timestamp(), pd.Timestamp(last_day), freq="MS")
    return [month for month in months if month not in done]


def fit_rows(fit_date, segment, components, configured, renewals, settings):
    """The rows of one segment's fit on one date."""
    scores = renewals[[f"{component}_score" for component in components]].to_numpy(dtype=float)
    renewed = renewals["renewed"].to_numpy(dtype=float)
    fit = health_fit.fit_weights(scores, renewed, configured, settings["fit_shrinkage"])
    evaluation = health_fit.evaluate_out_of_sample(
        scores,
        renewed,
        renewals["renewal_date"].to_numpy(),
        configured,
        settings["fit_shrinkage"],
        int(settings["fit_cv_folds"]),
    )
    return [
        {
            "fit_date": fit_date,
            "segment": segment,
            "component": component,
            "configured_weight": float(configured[index]),
            "fitted_weight": round(float(fit.weights[index]), 6),
            "fit_intercept": round(fit.intercept, 6),
            "fit_slope": round(fit.slope, 6),
            "renewals": len(renewals),
            "churned": int(len(renewals) - renewed.sum()),
            "first_renewal_date": renewals["renewal_date"].min() if len(renewals) else pd.NaT,
            "last_renewal_date": renewals["renewal_date"].max() if len(renewals) else pd.NaT,
            "oos_renewals": evaluation.scored_renewals,
            "oos_auc_fitted": evaluation.auc_fitted,
            "oos_auc_configured": evaluation.auc_configured,
            "oos_brier_fitted": evaluation.brier_fitted,
            "oos_brier_configured": evaluation.brier_configured,
        }
        for index, component in enumerate(components)
    ]


def fit_table(weights, settings, read_closed, first_day, last_day, done) -> pd.DataFrame | None:
    """The new rows (None when no fit date is new): `weights` is cfg_health_weights, `settings`
    cfg_health_weight_fit's row, `read_closed()` returns the scored closed renewals (called only
    when there is something to fit: a daily run mid-month has not), `done` the stored fit dates."""
    new_fit_dates = fit_dates(first_day, last_day, done)
    if not new_fit_dates:
        return None
    closed = read_closed()
    closed["renewal_date"] = pd.to_datetime(closed["renewal_date"])
    closed = closed.sort_values(["renewal_date", "renewal_id"], kind="mergesort")

    rows = []
    weights = weights.sort_values(["segment", "component"])
    for fit_date in new_fit_dates:
        before = closed[closed["renewal_date"] < fit_date]
        for segment, segment_weights in weights.groupby("segment", sort=True):
            components = list(segment_weights["component"])
            configured = segment_weights["weight"].to_numpy(dtype=float)
            renewals = before[before["segment"] == segment]
            rows.extend(fit_rows(fit_date, segment, components, configured, renewals, settings))
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in ("fit_date", "first_renewal_date", "last_renewal_date"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("oos_auc_fitted", "oos_auc_configured", "oos_brier_fitted", "oos_brier_configured"):
        frame[column] = frame[column].astype("float64")  # None -> NaN -> NULL
    return frame
