"""Small frames the report shows, read from the published warehouse. DuckDB does the work;
only already-aggregated rows (a few thousand at most) reach pandas.

Colours, statuses, tiers and escalation levels are read from the marts as they are, never derived
again here from thresholds: a change of vocabulary in the marts flows into the page.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import pandas as pd

from ..extracts.spec import SEGMENTS as CONTRACT_SEGMENTS
from ..warehouse_sql import quote_relation, relation_exists, relation_names

SEGMENTS = ("all", *CONTRACT_SEGMENTS)  # the book, then each segment, as the report shows them
MEASURES = {
    "logo_retention": "Logo retention",
    "net_revenue_retention": "Net revenue retention",
    "gross_revenue_retention": "Gross revenue retention",
}
# what a cohort's rate is a share of: its size in the size-weighted averages and quarterly cohorts
MEASURE_BASE = {
    "logo_retention": "cohort_accounts",
    "net_revenue_retention": "cohort_starting_mrr",
    "gross_revenue_retention": "cohort_starting_mrr",
}
# months per cohort period and per column of each cohort view
GRANULARITIES = {"monthly": 1, "quarterly": 3}
RECENT_COHORTS = 24  # the cohort tables show the last 24 cohorts unless "all" is chosen


@dataclass(frozen=True)
class Kpi:
    """One headline card. Adding a KPI is one entry in KPIS: a column of rpt_executive_summary.

    window names the period the figure covers ({retention_month}, {quarter}, {forecast_window}
    and {as_of_date} are filled in); definition is the id of its entry in the page's
    definitions section. Its values a month and a year earlier come from the summary rows of
    those dates, or, with ``history``, from the point-in-time query of that name (HISTORY), which
    also answers for dates no run reported on.
    """

    column: str
    label: str
    unit: str  # pct | usd | count | hours
    window: str
    definition: str
    higher_is_better: bool | None = True  # None: a change is neither good nor bad
    history: str | None = None
    compare: bool = True


RETENTION_WINDOW = "trailing 12 months to {retention_month}"
KPIS: list[Kpi] = [
    Kpi("nrr_t12m", "Net revenue retention", "pct", RETENTION_WINDOW, "def-nrr", history="retention"),
    Kpi("grr_t12m", "Gross revenue retention", "pct", RETENTION_WINDOW, "def-grr", history="retention"),
    Kpi("logo_retention_t12m", "Logo retention", "pct", RETENTION_WINDOW, "def-logo-retention", history="retention"),
    Kpi(
        "renewals_due_qtr_arr",
        "Renewals due",
        "usd",
        "renewal dates in {quarter}",
        "def-renewals-due",
        higher_is_better=None,
    ),
    Kpi("forecast_qtr_arr", "Forecast renewed ARR", "usd", "expected value, renewals due in {quarter}", "def-forecast"),
    Kpi("forecast_qtr_pct", "Forecast renewal rate", "pct", "forecast / due, {quarter}", "def-forecast"),
    Kpi(
        "arr_at_risk",
        "ARR at risk",
        "usd",
        "at-risk renewals in {forecast_window}",
        "def-arr-at-risk",
        higher_is_better=False,
    ),
    Kpi(
        "accounts_at_risk",
        "Accounts at risk",
        "count",
        "accounts with an at-risk renewal in {forecast_window}",
        "def-arr-at-risk",
        higher_is_better=False,
    ),
    Kpi(
        "accounts_red",
        "Accounts in red",
        "count",
        "health colour on {as_of_date}",
        "def-health",
        higher_is_better=False,
        history="health",
    ),
    Kpi(
        "arr_red",
        "ARR in red",
        "usd",
        "current ARR of red accounts on {as_of_date}",
        "def-health",
        higher_is_better=False,
        history="health",
    ),
    Kpi("health_coverage", "Health-score coverage", "pct", "paying accounts scored on {as_of_date}", "def-coverage"),
    Kpi(
        "renewal_coverage",
        "Renewal coverage",
        "pct",
        "renewal ARR in {forecast_window} whose motion is on track",
        "def-renewal-motion",
    ),
    Kpi(
        "expansion_ready_arr",
        "Expansion-ready ARR",
        "usd",
        "accounts ready to expand on {as_of_date}",
        "def-expansion",
        higher_is_better=None,
    ),
    Kpi(
        "overdue_playbook_tasks",
        "Overdue playbook tasks",
        "count",
        "recovery tasks past their due date on {as_of_date}",
        "def-playbooks",
        higher_is_better=False,
    ),
    Kpi("nps_t90d", "NPS", "count", "responses in the 90 days to {as_of_date}", "def-nps"),
    Kpi(
        "stalest_extract_age_hours",
        "Stalest extract",
        "hours",
        "age of the oldest source's latest extract at the end of {as_of_date}",
        "def-freshness",
        compare=False,
    ),
]

# Point-in-time queries for the KPIs' past values: one row per date of the list parameter
# ($dates), the date in as_of_date and the KPI columns named as in rpt_executive_summary. Each
# follows the summary's own rule for its figures, so on the as-of date it gives the summary's numbers.
HISTORY = {
    # the last complete month as of each date (its month end on or before the date)
    "retention": (
        "marts.rpt_revenue_retention",
        """
        select dates.as_of_date, retention.nrr_t12m, retention.grr_t12m, retention.logo_retention_t12m
        from (select unnest($dates::date[]) as as_of_date) as dates
        left join marts.rpt_revenue_retention as retention
            on retention.segment = 'all'
            and retention.month = (
                select max(month) from marts.rpt_revenue_retention
                where segment = 'all' and month + interval 1 month <= dates.as_of_date + interval 1 day
            )
        """,
    ),
    # the health colours scored on each date, with the ARR in force at the end of that day
    "health": (
        "marts.fct_account_health_daily",
        """
        select
            dates.as_of_date,
            count(health.account_id) filter (where health.health_color = 'green') as accounts_green,
            count(health.account_id) filter (where health.health_color = 'yellow') as accounts_yellow,
            count(health.account_id) filter (where health.health_color = 'red') as accounts_red,
            coalesce(sum(health.arr) filter (where health.health_color = 'green'), 0) as arr_green,
            coalesce(sum(health.arr) filter (where health.health_color = 'yellow'), 0) as arr_yellow,
            coalesce(sum(health.arr) filter (where health.health_color = 'red'), 0) as arr_red,
            count(health.account_id) > 0 as is_scored
        from (select unnest($dates::date[]) as as_of_date) as dates
        left join marts.fct_account_health_daily as health
            on health.as_of_date = dates.as_of_date
        group by dates.as_of_date
        """,
    ),
}

# the summary row each date reported (the latest run on or before it, if at most a week before)
SUMMARY_MAX_AGE_DAYS = 7
SUMMARY_ON_DATES = """
    select dates.as_of_date as compared_date, summary.*
    from (select unnest($dates::date[]) as as_of_date) as dates
    asof left join marts.rpt_executive_summary as summary
        on summary.as_of_date <= dates.as_of_date
"""

# The renewals the "at risk" card counts (confidence tier at_risk in the forecast window), who
# owns each, and why its account's health is low.
AT_RISK_RENEWALS = """
    select
        forecast.renewal_id,
        forecast.account_id,
        accounts.account_name,
        accounts.csm_email,
        forecast.renewal_arr,
        forecast.expected_arr,
        forecast.renewal_probability,
        forecast.renewal_date,
        forecast.days_to_renewal,
        forecast.renewal_stage,
        forecast.has_cancellation_notice,
        forecast.health_score,
        forecast.health_status,
        health.health_color,
        health.drivers,
        forecast.escalation_level
    from marts.fct_renewal_forecast as forecast
    left join marts.dim_accounts as accounts
        on forecast.account_id = accounts.account_id
    left join marts.fct_account_health_daily as health
        on forecast.account_id = health.account_id
        and health.as_of_date = forecast.as_of_date
    where forecast.confidence_tier = 'at_risk'
    order by forecast.renewal_date, forecast.renewal_arr desc, forecast.renewal_id
"""

# Accounts red on the as-of date that were not red at the end of last month (or not scored then),
# with the day they last turned red.
TURNED_RED = """
    with days as (
        select
            account_id, as_of_date, health_color, health_score, health_status, drivers, arr,
            lag(health_color) over (partition by account_id order by as_of_date) as previous_color
        from marts.fct_account_health_daily
        where as_of_date between $month_start - interval 1 day and $as_of_date
    ),
    month_before as (
        select account_id, health_color as color_before
        from days
        where as_of_date = $month_start - interval 1 day
    ),
    turned as (
        select account_id, max(as_of_date) as turned_red_on
        from days
        where as_of_date >= $month_start
            and health_color = 'red'
            and previous_color is distinct from 'red'
        group by account_id
    )
    select
        today.account_id,
        accounts.account_name,
        accounts.csm_email,
        today.arr,
        today.health_score,
        today.health_status,
        today.health_color,
        month_before.color_before,
        turned.turned_red_on,
        today.drivers
    from days as today
    inner join turned
        on today.account_id = turned.account_id
    left join month_before
        on today.account_id = month_before.account_id
    left join marts.dim_accounts as accounts
        on today.account_id = accounts.account_id
    where today.as_of_date = $as_of_date
        and today.health_color = 'red'
        and month_before.color_before is distinct from 'red'
    order by today.arr desc, today.account_id
"""

# accounts and ARR per health colour at each month end of the last 12 months (the as-of day for
# the current month)
HEALTH_MIX = """
    select as_of_date, health_color, health_status, count(*) as accounts, sum(arr) as arr
    from marts.fct_account_health_daily
    where as_of_date in (select unnest($dates::date[]))
    group by all
    order by as_of_date, health_color, health_status
"""

RENEWAL_RANGE = "select * from marts.rpt_renewal_risk_range"
RENEWALS_BY_TIER = """
    select confidence_tier, count(*) as renewals, sum(renewal_arr) as renewal_arr, sum(expected_arr) as expected_arr
    from marts.fct_renewal_forecast
    where is_in_current_quarter
    group by confidence_tier
    order by min(renewal_probability) desc
"""

# What foresees renewals: each health component's (and the composite's) AUC at T-90 and coverage
# over the whole book, then the weights in use per segment with how each set did out of sample.
COMPONENT_SIGNAL = """
    select component, auc, coverage, carries_signal, renewals, churned
    from marts.rpt_health_component_validation
    where band = 'all' and segment = 'all'
    order by component = 'composite', auc desc nulls last, component
"""
WEIGHTS_IN_USE = """
    select fit_date, segment, component, weight_in_use, weights_source, oos_auc_fitted, oos_auc_configured, renewals
    from marts.rpt_health_weight_fit
    where is_latest_fit
    order by segment, weight_in_use desc, component
"""


def _cohort_queries(step: int) -> tuple[str, str]:
    """Cohort cells and size-weighted averages for periods of ``step`` months, from the long mart.

    A period's cohort is the monthly cohorts that start in it; its rate at offset k (periods) is
    the size-weighted average of theirs at 3k months for quarters (each from its own start
    month), shown only when every one of them has reached it and only for periods whose last
    month is complete. With step 1 this is the mart's own monthly table. The averages row is the
    same size-weighted average over the cohorts shown (the last RECENT_COHORTS, or all).
    """
    period = "cohort_month" if step == 1 else "date_trunc('quarter', cohort_month)::date"
    measures = ", ".join(MEASURES)
    base_by_measure = " ".join(f"when '{measure}' then {base}" for measure, base in MEASURE_BASE.items())
    cells = f"""
        with long as (
            unpivot (
                select cohort_month, segment, months_since_start, cohort_accounts, cohort_starting_mrr, {measures}
                from marts.rpt_cohort_retention
            ) on {measures}
            into name measure value measure_value
        ),
        weighted as (
            select *, {period} as cohort,
                case measure {base_by_measure} end as base
            from long
            where months_since_start % {step} = 0
        ),
        members as (
            select cohort, segment, measure, count(*) as member_cohorts,
                   sum(cohort_accounts) as cohort_accounts, sum(cohort_starting_mrr) as cohort_starting_mrr
            from weighted
            where months_since_start = 0
            group by all
        ),
        complete_periods as (
            select members.*,
                row_number() over (partition by segment, measure order by cohort desc) as recency
            from members
            where cohort + interval {step - 1} month <= (select max(month) from marts.rpt_cohort_retention)
        ),
        cells as (
            select weighted.cohort, weighted.segment, weighted.measure,
                   weighted.months_since_start // {step} as period_offset,
                   sum(weighted.measure_value * weighted.base) as weighted_value,
                   sum(weighted.base) as base,
                   count(*) as member_cohorts
            from weighted
            group by all
        )
        select complete_periods.cohort, complete_periods.segment, complete_periods.measure,
               complete_periods.cohort_accounts, complete_periods.cohort_starting_mrr, complete_periods.recency,
               cells.period_offset, cells.weighted_value, cells.base,
               cells.weighted_value / cells.base as value
        from cells
        inner join complete_periods
            on cells.cohort = complete_periods.cohort
            and cells.segment = complete_periods.segment
            and cells.measure = complete_periods.measure
            and cells.member_cohorts = complete_periods.member_cohorts
    """
    averages = f"""
        with cells as ({cells})
        select segment, measure, 'recent' as scope, period_offset,
               sum(weighted_value) / sum(base) as value, count(*) as cohorts
        from cells where recency <= {RECENT_COHORTS} group by all
        union all
        select segment, measure, 'all' as scope, period_offset,
               sum(weighted_value) / sum(base) as value, count(*) as cohorts
        from cells group by all
        order by segment, measure, scope, period_offset
    """
    listing = f"""
        with cells as ({cells})
        select cohort, segment, measure, cohort_accounts, cohort_starting_mrr, recency, period_offset, value
        from cells
        order by segment, measure, cohort, period_offset
    """
    return listing, averages


@dataclass
class CohortView:
    """One granularity of the cohort tables: cells long (cohort × segment × measure × offset) and
    the size-weighted averages (scope recent: the last RECENT_COHORTS cohorts; all)."""

    cells: pd.DataFrame
    averages: pd.DataFrame


@dataclass
class ReportData:
    as_of_date: str
    summary: pd.DataFrame | None = None  # one row: the executive summary
    kpi_history: dict[str, pd.DataFrame] = field(default_factory=dict)  # label (month_ago, year_ago) → one row
    at_risk_renewals: pd.DataFrame | None = None
    turned_red: pd.DataFrame | None = None
    health_mix: pd.DataFrame | None = None  # month end × colour: accounts, arr
    renewal_range: pd.DataFrame | None = None  # one row: P10 / P50 / P90 of this quarter's renewed ARR
    renewals_by_tier: pd.DataFrame | None = None
    component_signal: pd.DataFrame | None = None  # component (and composite): auc, coverage, carries_signal
    weights_in_use: pd.DataFrame | None = None  # segment × component of the latest fit: weight, source, AUCs
    forecast_window_days: int | None = None
    retention_trend: pd.DataFrame | None = None  # month × segment: nrr_t12m, grr_t12m, logo_retention_t12m
    movements: pd.DataFrame | None = None  # month: new, reactivation, expansion, contraction, churn (all segments)
    cohorts: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)  # (segment, measure) → wide table
    cohort_views: dict[str, CohortView] = field(default_factory=dict)  # granularity → its cells and averages


def _frame(con: duckdb.DuckDBPyConnection, relations: str | list[str], sql: str, params=None) -> pd.DataFrame | None:
    needed = [relations] if isinstance(relations, str) else relations
    if not all(relation_exists(con, relation) for relation in needed):
        return None
    return con.execute(sql, params or {}).df()


def month_ends(as_of: date, months: int = 12) -> list[date]:
    """The as-of day and the last day of each of the ``months - 1`` months before it, oldest first."""
    days = [as_of]
    day = as_of.replace(day=1) - timedelta(days=1)
    while len(days) < months:
        days.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return sorted(days)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (that month's last day when it is shorter)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last_day))


def comparison_dates(as_of: date) -> dict[str, date]:
    return {"month_ago": months_before(as_of, 1), "year_ago": months_before(as_of, 12)}


def _reported_near(reported: object, day: date) -> bool:
    return pd.notna(reported) and (day - pd.Timestamp(reported).date()).days <= SUMMARY_MAX_AGE_DAYS


def history_on(con: duckdb.DuckDBPyConnection, dates: list[date]) -> dict[str, pd.DataFrame | None]:
    """The point-in-time queries the KPIs name (HISTORY), for ``dates``; None where a mart is missing."""
    used = {kpi.history for kpi in KPIS if kpi.history}
    return {
        name: _frame(con, relation, sql, {"dates": dates}) for name, (relation, sql) in HISTORY.items() if name in used
    }


def read_kpi_history(con: duckdb.DuckDBPyConnection, as_of: date) -> dict[str, pd.DataFrame]:
    """Each KPI's value a month and a year before ``as_of``: one row per comparison, KPI columns."""
    compared = comparison_dates(as_of)
    dates = list(compared.values())
    rows = {label: {"compared_date": day} for label, day in compared.items()}
    summary = _frame(con, "marts.rpt_executive_summary", SUMMARY_ON_DATES, {"dates": dates})
    sources = history_on(con, dates)
    for kpi in KPIS:
        if not kpi.compare:
            continue
        source = summary if kpi.history is None else sources[kpi.history]
        if source is None:
            continue
        if kpi.column not in source.columns:
            if kpi.history is None:
                continue  # a column older summary rows do not have yet
            raise ValueError(f"KPI {kpi.column}: the history query {kpi.history!r} has no column {kpi.column}")
        key = "compared_date" if kpi.history is None else "as_of_date"
        for label, day in compared.items():
            match = source[pd.to_datetime(source[key]).dt.date == day]
            if match.empty or ("is_scored" in match.columns and not bool(match["is_scored"].iloc[0])):
                continue  # nothing scored that day: no figure, not zero
            if kpi.history is None and not _reported_near(match["as_of_date"].iloc[0], day):
                continue  # no run reported close enough to that day
            rows[label][kpi.column] = match[kpi.column].iloc[0]
    return {label: pd.DataFrame([row]) for label, row in rows.items()}


def read_cohort_views(con: duckdb.DuckDBPyConnection) -> dict[str, CohortView]:
    if not relation_exists(con, "marts.rpt_cohort_retention"):
        return {}
    views = {}
    for granularity, step in GRANULARITIES.items():
        listing, averages = _cohort_queries(step)
        views[granularity] = CohortView(con.execute(listing).df(), con.execute(averages).df())
    return views


def _forecast_window_days(con: duckdb.DuckDBPyConnection) -> int | None:
    """The configured forecast window (cfg_renewal_settings), where the warehouse holds the seed."""
    found = [r for r in relation_names(con) if r.endswith(".cfg_renewal_settings")]
    if not found:
        return None
    return int(con.execute(f"select forecast_window_days from {quote_relation(found[0])}").fetchone()[0])


def read_report_data(con: duckdb.DuckDBPyConnection, as_of_date: str) -> ReportData:
    as_of = date.fromisoformat(as_of_date)
    data = ReportData(as_of_date)
    data.summary = _frame(
        con,
        "marts.rpt_executive_summary",
        "select * from marts.rpt_executive_summary where as_of_date <= $as_of::date order by as_of_date desc limit 1",
        {"as_of": as_of_date},
    )
    data.kpi_history = read_kpi_history(con, as_of)
    needs = ["marts.fct_renewal_forecast", "marts.dim_accounts", "marts.fct_account_health_daily"]
    data.at_risk_renewals = _frame(con, needs, AT_RISK_RENEWALS)
    data.turned_red = _frame(
        con,
        ["marts.fct_account_health_daily", "marts.dim_accounts"],
        TURNED_RED,
        {"as_of_date": as_of, "month_start": as_of.replace(day=1)},
    )
    data.health_mix = _frame(con, "marts.fct_account_health_daily", HEALTH_MIX, {"dates": month_ends(as_of)})
    data.renewal_range = _frame(con, "marts.rpt_renewal_risk_range", RENEWAL_RANGE)
    data.renewals_by_tier = _frame(con, "marts.fct_renewal_forecast", RENEWALS_BY_TIER)
    data.forecast_window_days = _forecast_window_days(con)
    data.component_signal = _frame(con, "marts.rpt_health_component_validation", COMPONENT_SIGNAL)
    data.weights_in_use = _frame(con, "marts.rpt_health_weight_fit", WEIGHTS_IN_USE)
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
    if relation_exists(con, "marts.rpt_cohort_retention_wide"):
        wide = con.execute("select * from marts.rpt_cohort_retention_wide order by cohort_month").df()
        for (segment, measure), table in wide.groupby(["segment", "measure"], sort=False):
            data.cohorts[(segment, measure)] = table.drop(columns=["segment", "measure"]).reset_index(drop=True)
    data.cohort_views = read_cohort_views(con)
    return data
