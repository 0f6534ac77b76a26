-- The `all` rows must chain and add up: each month's starting MRR is the previous month's
-- ending MRR, and each month's ending MRR is the total month-end MRR of every mapped billing
-- customer (so no account revenue is lost between the billing items and the report).

{{ config(meta={'dagster': {'ref': {'name': 'rpt_revenue_retention'}}}) }}

with

retention as (
    select * from {{ ref('rpt_revenue_retention') }}
),

customer_months as (
    select * from {{ ref('int_customer_mrr_monthly') }}
),

all_rows as (
    select
        month,
        starting_mrr,
        ending_mrr,
        lag(ending_mrr) over (order by month) as previous_ending_mrr,
        row_number() over (order by month) as month_number
    from retention
    where segment = 'all'
),

mapped_totals as (
    select
        month,
        sum(mrr) as mapped_mrr
    from customer_months
    where mapping_status = 'mapped'
    group by month
),

problems as (
    select
        all_rows.month,
        'starting_mrr differs from the previous month''s ending_mrr' as problem
    from all_rows
    where all_rows.month_number > 1
        and all_rows.starting_mrr <> all_rows.previous_ending_mrr

    union all

    select
        all_rows.month,
        'ending_mrr differs from the mapped customers'' month-end MRR' as problem
    from all_rows
    left join mapped_totals
        on all_rows.month = mapped_totals.month
    where all_rows.ending_mrr <> coalesce(mapped_totals.mapped_mrr, 0)
)

select * from problems
