-- Monthly cohort retention, wide (for people): one row per cohort month x segment x measure,
-- the measure's value at each months-since-start offset in the columns m0 ... mN.
--
-- A pure reshape of rpt_cohort_retention, so the two tables cannot disagree. The column set
-- is fixed, N = cohort_max_months() (var `cohort_max_months`, default 60), because the model
-- contract needs it at parse time; an offset whose month is not complete yet has no long row,
-- so its cell is NULL (never 0), as is every column past the row's last complete month.

{%- set max_offset = cohort_max_months() %}

with

cohort_retention as (
    select * from {{ ref('rpt_cohort_retention') }}
),

-- one row per cohort cell and measure
measure_values as (
    select
        cohort_month, segment, 'logo_retention' as measure,
        cohort_accounts, cohort_starting_mrr, months_since_start,
        logo_retention as measure_value
    from cohort_retention

    union all

    select
        cohort_month, segment, 'net_revenue_retention' as measure,
        cohort_accounts, cohort_starting_mrr, months_since_start,
        net_revenue_retention as measure_value
    from cohort_retention

    union all

    select
        cohort_month, segment, 'gross_revenue_retention' as measure,
        cohort_accounts, cohort_starting_mrr, months_since_start,
        gross_revenue_retention as measure_value
    from cohort_retention
),

final as (
    select
        cohort_month,
        segment,
        measure,
        -- the same at every offset of a cohort row, so grouping by them keeps one row
        cohort_accounts,
        cohort_starting_mrr,
        {{ cohort_offset_columns('months_since_start', 'measure_value', max_offset) }},
        -- the roll-up row, so a GROUP BY over segments can leave it out
        segment = 'all' as is_total
    from measure_values
    group by cohort_month, segment, measure, cohort_accounts, cohort_starting_mrr
)

select * from final
