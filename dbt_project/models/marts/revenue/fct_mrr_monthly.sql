-- Account x complete month MRR with its movement against the month before
-- (docs/contracts/metric-definitions.md, "MRR movements"), and the segment the movement is counted in:
-- the start-of-period segment (month M-1's), except for new and reactivated MRR, which have
-- no start-of-period segment and count in the segment of the month they arrive.

with

account_months as (
    select * from {{ ref('int_account_mrr_monthly') }}
),

with_previous_segment as (
    select
        *,
        lag(segment) over (partition by account_id order by month) as previous_segment
    from account_months
),

classified as (
    select
        *,
        case
            when previous_mrr = 0 and mrr > 0 and not has_had_mrr_before then 'new'
            when previous_mrr = 0 and mrr > 0 then 'reactivation'
            when previous_mrr > 0 and mrr > previous_mrr then 'expansion'
            when previous_mrr > 0 and mrr > 0 and mrr < previous_mrr then 'contraction'
            when previous_mrr > 0 and mrr = 0 then 'churn'
            else 'flat'
        end as movement
    from with_previous_segment
),

final as (
    select
        account_id,
        month,
        mrr,
        previous_mrr,
        movement,
        cast(mrr - previous_mrr as decimal(18, 4)) as movement_mrr,
        case
            when movement in ('new', 'reactivation') then segment
            -- the first spine month is always new, so previous_segment exists here
            else previous_segment
        end as segment,
        segment as segment_at_month_end,
        arr,
        has_had_mrr_before,
        first_mrr_month as cohort_month
    from classified
)

select * from final
