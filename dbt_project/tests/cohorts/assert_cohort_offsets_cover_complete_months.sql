-- Each cohort x segment has exactly the offsets k = 0 ... (last complete month - cohort month),
-- once each and without gaps, `month` is cohort month + k, and the cohort's size and base are
-- the same at every k. Nothing measures a month that is not complete; no complete month is
-- left out (a churned account's zero months count, they are not missing).

with

cohort_retention as (
    select * from {{ ref('rpt_cohort_retention') }}
),

complete_months as (
    select * from {{ ref('int_complete_months') }}
),

last_complete as (
    select max(month) as last_complete_month from complete_months
),

cohort_rows as (
    select
        cohort_retention.cohort_month,
        cohort_retention.segment,
        count(*) as offsets,
        count(distinct cohort_retention.months_since_start) as distinct_offsets,
        min(cohort_retention.months_since_start) as first_offset,
        max(cohort_retention.months_since_start) as last_offset,
        count(distinct cohort_retention.cohort_accounts) as cohort_sizes,
        count(distinct cohort_retention.cohort_starting_mrr) as cohort_bases,
        count(case
            when cohort_retention.month
                <> cast({{ dbt.dateadd('month', 'cohort_retention.months_since_start', 'cohort_retention.cohort_month') }} as date)
            then 1
        end) as misdated_rows,
        cast({{ dbt.datediff('cohort_retention.cohort_month', 'last_complete.last_complete_month', 'month') }} as integer)
            as expected_last_offset
    from cohort_retention
    cross join last_complete
    group by cohort_retention.cohort_month, cohort_retention.segment, last_complete.last_complete_month
),

problems as (
    select *
    from cohort_rows
    where first_offset <> 0
        or last_offset <> expected_last_offset
        or offsets <> last_offset + 1
        or distinct_offsets <> offsets
        or cohort_sizes <> 1
        or cohort_bases <> 1
        or misdated_rows > 0
)

select * from problems
