-- The `all` row of a cohort cell is the union of its segment rows: every account sits in
-- exactly one segment (its cohort-month one), so counts and MRR add up exactly, and a cohort
-- has an `all` row wherever it has a segment row (and the other way round).

with

cohort_retention as (
    select * from {{ ref('rpt_cohort_retention') }}
),

all_rows as (
    select * from cohort_retention
    where segment = 'all'
),

segment_totals as (
    select
        cohort_month,
        months_since_start,
        sum(cohort_accounts) as cohort_accounts,
        sum(retained_accounts) as retained_accounts,
        sum(cohort_starting_mrr) as cohort_starting_mrr,
        sum(retained_mrr) as retained_mrr,
        sum(gross_retained_mrr) as gross_retained_mrr
    from cohort_retention
    where segment <> 'all'
    group by cohort_month, months_since_start
),

problems as (
    select
        coalesce(all_rows.cohort_month, segment_totals.cohort_month) as cohort_month,
        coalesce(all_rows.months_since_start, segment_totals.months_since_start) as months_since_start,
        all_rows.cohort_accounts as all_cohort_accounts,
        segment_totals.cohort_accounts as segments_cohort_accounts,
        all_rows.retained_mrr as all_retained_mrr,
        segment_totals.retained_mrr as segments_retained_mrr
    from all_rows
    full outer join segment_totals
        on all_rows.cohort_month = segment_totals.cohort_month
        and all_rows.months_since_start = segment_totals.months_since_start
    where all_rows.cohort_month is null
        or segment_totals.cohort_month is null
        or all_rows.cohort_accounts <> segment_totals.cohort_accounts
        or all_rows.retained_accounts <> segment_totals.retained_accounts
        or all_rows.cohort_starting_mrr <> segment_totals.cohort_starting_mrr
        or all_rows.retained_mrr <> segment_totals.retained_mrr
        or all_rows.gross_retained_mrr <> segment_totals.gross_retained_mrr
)

select * from problems
