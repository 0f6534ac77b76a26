-- k = 0 is the cohort month itself: every account pays, and every rate is exactly 1 by
-- construction. A row here means the cohort month or its base is not what the rates divide by.

with

cohort_retention as (
    select * from {{ ref('rpt_cohort_retention') }}
),

problems as (
    select
        cohort_month,
        segment,
        logo_retention,
        net_revenue_retention,
        gross_revenue_retention
    from cohort_retention
    where months_since_start = 0
        and (
            month <> cohort_month
            or retained_accounts <> cohort_accounts
            or retained_mrr <> cohort_starting_mrr
            or gross_retained_mrr <> cohort_starting_mrr
            or logo_retention <> 1
            or net_revenue_retention <> 1
            or gross_revenue_retention <> 1
        )
)

select * from problems
