-- Warns (does not fail) when billing revenue reaches no known CRM account: such MRR is missing
-- from every account mart and retention figure until the mapping is fixed at the source.
-- One row per month and reason, with the amount, so the warning says how much is at stake.
{{ config(severity='warn') }}

with

unmapped as (
    select * from {{ ref('rpt_unmapped_mrr') }}
),

unmapped_by_month as (
    select
        month,
        unmapped_reason,
        count(*) as customers,
        sum(mrr) as unmapped_mrr
    from unmapped
    group by month, unmapped_reason
    having sum(mrr) <> 0
)

select * from unmapped_by_month
