-- One row per CRM account that is not deleted and exists as of as_of_date, paying or not, with
-- its current revenue.
-- current_mrr is the MRR in force at the last instant of as_of_date (the month to date), so it
-- can differ from the last complete month's MRR; segment and cohort come from complete months.

with

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

account_months as (
    select * from {{ ref('int_account_mrr_monthly') }}
),

item_versions as (
    select * from {{ ref('int_subscription_item_mrr_usd') }}
),

customer_accounts as (
    select * from {{ ref('int_customer_account_map') }}
),

segment_bands as (
    select * from {{ ref('int_segment_arr_bands') }}
),

live_accounts as (
    select *
    from accounts
    where not coalesce(is_deleted, false)
),

-- in force at the last instant of as_of_date: valid_from before the next day starts, and
-- valid_to (exclusive) not yet reached then
current_mrr_by_account as (
    select
        customer_accounts.account_id,
        sum(item_versions.mrr_usd) as current_mrr
    from item_versions
    inner join customer_accounts
        on item_versions.customer_id = customer_accounts.customer_id
    where customer_accounts.mapping_status = 'mapped'
        and item_versions.valid_from < {{ dbt.dateadd('day', 1, as_of_date()) }}
        and (
            item_versions.valid_to is null
            or item_versions.valid_to >= {{ dbt.dateadd('day', 1, as_of_date()) }}
        )
    group by customer_accounts.account_id
),

account_history as (
    select
        account_id,
        min(first_mrr_month) as cohort_month,
        max(month) as last_complete_month
    from account_months
    group by account_id
),

last_complete_month as (
    select
        account_months.account_id,
        account_months.mrr as last_complete_month_mrr,
        account_months.segment as last_complete_month_segment
    from account_months
    inner join account_history
        on account_months.account_id = account_history.account_id
        and account_months.month = account_history.last_complete_month
),

joined as (
    select
        live_accounts.account_id,
        live_accounts.account_name,
        live_accounts.industry,
        live_accounts.region,
        live_accounts.csm_email,
        live_accounts.segment_override,
        live_accounts.created_at,
        account_history.cohort_month,
        last_complete_month.last_complete_month_mrr,
        last_complete_month.last_complete_month_segment,
        cast(coalesce(current_mrr_by_account.current_mrr, 0) as decimal(18, 4)) as current_mrr
    from live_accounts
    left join account_history
        on live_accounts.account_id = account_history.account_id
    left join last_complete_month
        on live_accounts.account_id = last_complete_month.account_id
    left join current_mrr_by_account
        on live_accounts.account_id = current_mrr_by_account.account_id
),

-- an account with no paying complete month yet still gets a segment (for health weights and
-- coverage): the ARR band of its current MRR
with_current_band as (
    select
        joined.*,
        segment_bands.segment as current_arr_segment
    from joined
    left join segment_bands
        on 12 * joined.current_mrr >= segment_bands.min_arr_usd
        and (segment_bands.max_arr_usd is null or 12 * joined.current_mrr < segment_bands.max_arr_usd)
),

-- point-in-time: an account the CRM created after as_of_date did not exist yet, unless billing
-- already knew it (revenue is never hidden from the dimension)
existing_as_of as (
    select *
    from with_current_band
    where created_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
        or cohort_month is not null
        or current_mrr > 0
),

final as (
    select
        account_id,
        account_name,
        coalesce(segment_override, last_complete_month_segment, current_arr_segment) as segment,
        case
            when segment_override is not null then 'override'
            when last_complete_month_segment is not null then 'last_complete_month'
            else 'current_arr'
        end as segment_source,
        csm_email,
        cohort_month,
        current_mrr,
        cast(12 * current_mrr as decimal(18, 4)) as current_arr,
        current_mrr > 0 as is_active,
        cast(last_complete_month_mrr as decimal(18, 4)) as last_complete_month_mrr,
        segment_override,
        industry,
        region,
        created_at
    from existing_as_of
)

select * from final
