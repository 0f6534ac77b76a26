-- Warns (does not fail) when the history has outgrown the wide table: cohorts observed for more
-- than cohort_max_months() months have offsets that only the long table shows. Raise the var
-- `cohort_max_months` and list the extra m columns in rpt_cohort_retention_wide.yml.
{{ config(severity='warn') }}

with

cohort_retention as (
    select * from {{ ref('rpt_cohort_retention') }}
),

beyond_last_column as (
    select
        cohort_month,
        max(months_since_start) as last_offset
    from cohort_retention
    where segment = 'all'
        and months_since_start > {{ cohort_max_months() }}
    group by cohort_month
)

select * from beyond_last_column
