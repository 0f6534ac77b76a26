"""Small frames the report shows, read from the published warehouse. DuckDB does the work;
only already-aggregated rows (a few hundred at most) reach pandas."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

SEGMENTS = ("all", "high_touch", "low_touch", "tech_touch")
MEASURES = {
    "logo_retention": "Logo retention",
    "net_revenue_retention": "Net revenue retention",
    "gross_revenue_retention": "Gross revenue retention",
}


@dataclass
class ReportData:
    as_of_date: str
    summary: pd.DataFrame | None = None  # one row: the executive summary
    retention_trend: pd.DataFrame | None = None  # month × segment: nrr_t12m, grr_t12m, logo_retention_t12m
    movements: pd.DataFrame | None = None  # month: new, reactivation, expansion, contraction, churn (all segments)
    cohorts: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)  # (segment, measure) → wide table


def _exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    query = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    return con.execute(query, [schema, name]).fetchone()[0] > 0


def _frame(con: duckdb.DuckDBPyConnection, relation: str, sql: str, params: list | None = None) -> pd.DataFrame | None:
    return con.execute(sql, params or []).df() if _exists(con, relation) else None


def read_report_data(con: duckdb.DuckDBPyConnection, as_of_date: str) -> ReportData:
    data = ReportData(as_of_date)
    data.summary = _frame(
        con,
        "marts.rpt_executive_summary",
        "select * from marts.rpt_executive_summary where as_of_date <= ?::date order by as_of_date desc limit 1",
        [as_of_date],
    )
    data.retention_trend = _frame(
        con,
        "marts.rpt_revenue_retention",
        "select month, segment, nrr_t12m, grr_t12m, logo_retention_t12m, nrr_monthly, grr_monthly, ending_mrr "
        "from marts.rpt_revenue_retention order by month, segment",
    )
    data.movements = _frame(
        con,
        "marts.rpt_revenue_retention",
        "select month, new_mrr, reactivation_mrr, expansion_mrr, -contraction_mrr as contraction_mrr, "
        "-churned_mrr as churned_mrr from marts.rpt_revenue_retention where segment = 'all' order by month",
    )
    if _exists(con, "marts.rpt_cohort_retention_wide"):
        wide = con.execute("select * from marts.rpt_cohort_retention_wide order by cohort_month").df()
        for (segment, measure), table in wide.groupby(["segment", "measure"], sort=False):
            data.cohorts[(segment, measure)] = table.drop(columns=["segment", "measure"]).reset_index(drop=True)
    return data
