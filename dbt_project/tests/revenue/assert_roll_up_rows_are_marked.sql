-- Roll-up rows are marked, so a GROUP BY over segments cannot double count: is_total is true
-- exactly on the `all` rows, each month has one, and the segment rows (not is_total) add up to
-- it (ending MRR and accounts; a month's account is in exactly one segment at month end).

{{ config(meta={'dagster': {'ref': {'name': 'rpt_revenue_retention'}}}) }}

with

retention as (
    select * from {{ ref('rpt_revenue_retention') }}
),

by_month as (
    select
        month,
        count(case when is_total then 1 end) as total_rows,
        sum(case when is_total then ending_mrr end) as total_ending_mrr,
        sum(case when not is_total then ending_mrr end) as segments_ending_mrr,
        sum(case when is_total then ending_accounts end) as total_ending_accounts,
        sum(case when not is_total then ending_accounts end) as segments_ending_accounts
    from retention
    group by month
),

problems as (
    select month, segment || ': is_total disagrees with the segment' as problem
    from retention
    where is_total <> (segment = 'all')

    union all

    select month, 'not exactly one total row' as problem
    from by_month
    where total_rows <> 1

    union all

    select month, 'the segment rows do not add up to the total row' as problem
    from by_month
    where abs(total_ending_mrr - coalesce(segments_ending_mrr, 0)) > 0.01
        or total_ending_accounts <> coalesce(segments_ending_accounts, 0)
)

select * from problems
