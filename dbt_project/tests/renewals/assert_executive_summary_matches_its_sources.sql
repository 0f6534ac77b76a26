-- The executive summary repeats the owning marts' numbers, never its own: retention equals the
-- `all` row of rpt_revenue_retention for its last month, the quarter's renewal figures equal
-- fct_renewal_forecast and rpt_renewal_risk_range, and the table has exactly one row for as_of_date
-- (earlier dates' rows are the history of earlier runs and are not compared).

with

summary as (
    select * from {{ ref('rpt_executive_summary') }}
    where as_of_date = {{ as_of_date() }}
),

retention as (
    select * from {{ ref('rpt_revenue_retention') }}
),

forecast as (
    select * from {{ ref('fct_renewal_forecast') }}
),

risk_range as (
    select * from {{ ref('rpt_renewal_risk_range') }}
),

last_all_row as (
    select *
    from retention
    where segment = 'all'
        and month = (select max(month) from retention where segment = 'all')
),

quarter_forecast as (
    select
        coalesce(sum(renewal_arr), 0) as due_arr,
        coalesce(sum(expected_arr), 0) as expected_arr
    from forecast
    where is_in_current_quarter
),

problems as (
    select 'not exactly one row for as_of_date' as problem
    from summary
    having count(*) <> 1
    union all
    select 'retention differs from rpt_revenue_retention' as problem
    from summary
    inner join last_all_row
        on true
    where summary.retention_month <> last_all_row.month
        or coalesce(summary.nrr_t12m, -1) <> coalesce(last_all_row.nrr_t12m, -1)
        or coalesce(summary.grr_t12m, -1) <> coalesce(last_all_row.grr_t12m, -1)
        or coalesce(summary.logo_retention_t12m, -1) <> coalesce(last_all_row.logo_retention_t12m, -1)
    union all
    select 'quarter renewals differ from fct_renewal_forecast / rpt_renewal_risk_range' as problem
    from summary
    cross join quarter_forecast
    cross join risk_range
    where summary.renewals_due_qtr_arr <> quarter_forecast.due_arr
        or summary.forecast_qtr_arr <> quarter_forecast.expected_arr
        or summary.renewals_due_qtr_arr <> risk_range.renewals_due_qtr_arr
        or summary.forecast_qtr_arr <> risk_range.expected_renewed_arr
)

select * from problems
