-- The wide table is the long one reshaped: every cell mk of a (cohort, segment, measure) row
-- equals that measure at k in the long table, and a cell is NULL exactly when the long table
-- has no row (a month not complete yet) - never 0 in its place. Offsets beyond the wide
-- table's last column are warn_cohort_wide_table_truncated's concern, not this test's.

{%- set max_offset = cohort_max_months() %}

with

cohort_retention as (
    select * from {{ ref('rpt_cohort_retention') }}
),

cohort_retention_wide as (
    select * from {{ ref('rpt_cohort_retention_wide') }}
),

long_cells as (
    select cohort_month, segment, 'logo_retention' as measure, months_since_start,
        cohort_accounts, cohort_starting_mrr, logo_retention as measure_value
    from cohort_retention
    union all
    select cohort_month, segment, 'net_revenue_retention' as measure, months_since_start,
        cohort_accounts, cohort_starting_mrr, net_revenue_retention as measure_value
    from cohort_retention
    union all
    select cohort_month, segment, 'gross_revenue_retention' as measure, months_since_start,
        cohort_accounts, cohort_starting_mrr, gross_revenue_retention as measure_value
    from cohort_retention
),

-- every cell of the wide table, NULL ones included
wide_cells as (
    {%- for offset in range(max_offset + 1) %}
    select cohort_month, segment, measure, {{ offset }} as months_since_start,
        cohort_accounts, cohort_starting_mrr, m{{ offset }} as measure_value
    from cohort_retention_wide
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

problems as (
    select
        coalesce(wide_cells.cohort_month, long_cells.cohort_month) as cohort_month,
        coalesce(wide_cells.segment, long_cells.segment) as segment,
        coalesce(wide_cells.measure, long_cells.measure) as measure,
        coalesce(wide_cells.months_since_start, long_cells.months_since_start) as months_since_start,
        wide_cells.measure_value as wide_value,
        long_cells.measure_value as long_value
    from wide_cells
    full outer join long_cells
        on wide_cells.cohort_month = long_cells.cohort_month
        and wide_cells.segment = long_cells.segment
        and wide_cells.measure = long_cells.measure
        and wide_cells.months_since_start = long_cells.months_since_start
    where (wide_cells.cohort_month is null and long_cells.months_since_start <= {{ max_offset }})
        or (long_cells.cohort_month is null and wide_cells.measure_value is not null)
        or (long_cells.cohort_month is not null and wide_cells.cohort_month is not null and (
            wide_cells.measure_value is null
            or wide_cells.measure_value <> long_cells.measure_value
            or wide_cells.cohort_accounts <> long_cells.cohort_accounts
            or wide_cells.cohort_starting_mrr <> long_cells.cohort_starting_mrr
        ))
)

select * from problems
