-- The account x month MRR spine: for every (non-deleted) CRM account that had MRR > 0 at some
-- complete month end, one row per complete month from that first month through the last
-- complete month, zeros included (churn and reactivation are read from them). MRR sums the
-- account's mapped billing customers.
--
-- Segment of a month: the CRM segment_override when set; otherwise the ARR band of the month's
-- MRR (cfg_segment_thresholds); a month without MRR keeps the segment of the account's latest
-- paying month, so a churned account stays in the segment it churned from.

with

customer_months as (
    select * from {{ ref('int_customer_mrr_monthly') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

complete_months as (
    select * from {{ ref('int_complete_months') }}
),

segment_bands as (
    select * from {{ ref('int_segment_arr_bands') }}
),

-- several billing customers can map to one account; unmapped and deleted ones never get here
account_months_in_force as (
    select
        account_id,
        month,
        count(distinct customer_id) as billing_customers,
        sum(mrr) as mrr
    from customer_months
    where mapping_status = 'mapped'
    group by account_id, month
),

first_paying_months as (
    select
        account_id,
        min(month) as first_mrr_month
    from account_months_in_force
    where mrr > 0
    group by account_id
),

account_month_spine as (
    select
        first_paying_months.account_id,
        first_paying_months.first_mrr_month,
        complete_months.month
    from first_paying_months
    inner join complete_months
        on complete_months.month >= first_paying_months.first_mrr_month
),

monthly_mrr as (
    select
        account_month_spine.account_id,
        account_month_spine.month,
        account_month_spine.first_mrr_month,
        coalesce(account_months_in_force.billing_customers, 0) as billing_customers,
        cast(coalesce(account_months_in_force.mrr, 0) as decimal(18, 4)) as mrr
    from account_month_spine
    left join account_months_in_force
        on account_month_spine.account_id = account_months_in_force.account_id
        and account_month_spine.month = account_months_in_force.month
),

with_history as (
    select
        *,
        -- the spine starts at the first paying month, so the month before it had no MRR
        cast(coalesce(
            lag(mrr) over (partition by account_id order by month), 0
        ) as decimal(18, 4)) as previous_mrr,
        month > first_mrr_month as has_had_mrr_before,
        -- numbers each paying month; the zero months after it share its number
        count(case when mrr > 0 then 1 end) over (
            partition by account_id order by month rows between unbounded preceding and current row
        ) as paying_run
    from monthly_mrr
),

with_arr_segment as (
    select
        with_history.*,
        cast(12 * with_history.mrr as decimal(18, 4)) as arr,
        segment_bands.segment as arr_segment
    from with_history
    left join segment_bands
        on with_history.mrr > 0
        and 12 * with_history.mrr >= segment_bands.min_arr_usd
        and (segment_bands.max_arr_usd is null or 12 * with_history.mrr < segment_bands.max_arr_usd)
),

with_paying_segment as (
    select
        *,
        -- one paying month per run, so max() is that month's ARR segment
        max(arr_segment) over (partition by account_id, paying_run) as last_paying_segment
    from with_arr_segment
),

final as (
    select
        with_paying_segment.account_id,
        with_paying_segment.month,
        with_paying_segment.mrr,
        with_paying_segment.previous_mrr,
        with_paying_segment.arr,
        with_paying_segment.billing_customers,
        with_paying_segment.first_mrr_month,
        with_paying_segment.has_had_mrr_before,
        with_paying_segment.arr_segment,
        coalesce(accounts.segment_override, with_paying_segment.last_paying_segment) as segment,
        case
            when accounts.segment_override is not null then 'override'
            when with_paying_segment.mrr > 0 then 'arr'
            else 'last_paying_month'
        end as segment_source
    from with_paying_segment
    inner join accounts
        on with_paying_segment.account_id = accounts.account_id
)

select * from final
