-- MRR of every billing customer at the end of every complete month in which at least one of
-- its item versions is in force. "In force at the end of month M" means in force at its last
-- instant: valid_from < first day of M+1 and (valid_to is open or valid_to >= first day of M+1),
-- valid_to being exclusive. A version that starts and ends inside one month never counts.
-- Every customer is kept, mapped or not: int_account_mrr_monthly takes the mapped ones and
-- rpt_unmapped_mrr reports the rest.

with

item_versions as (
    select * from {{ ref('int_subscription_item_mrr_usd') }}
),

customer_accounts as (
    select * from {{ ref('int_customer_account_map') }}
),

complete_months as (
    select * from {{ ref('int_complete_months') }}
),

versions_in_force_at_month_end as (
    select
        complete_months.month,
        item_versions.customer_id,
        item_versions.item_id,
        item_versions.mrr_usd
    from item_versions
    inner join complete_months
        on item_versions.valid_from < cast(complete_months.next_month_start as {{ dbt.type_timestamp() }})
        and (
            item_versions.valid_to is null
            or item_versions.valid_to >= cast(complete_months.next_month_start as {{ dbt.type_timestamp() }})
        )
),

customer_months as (
    select
        month,
        customer_id,
        count(*) as item_versions_in_force,
        cast(sum(mrr_usd) as decimal(18, 4)) as mrr
    from versions_in_force_at_month_end
    group by month, customer_id
),

final as (
    select
        customer_months.month,
        customer_months.customer_id,
        customer_accounts.account_id,
        case
            when customer_months.customer_id is null then 'subscription_not_found'
            when customer_accounts.customer_id is null then 'customer_not_found'
            else customer_accounts.mapping_status
        end as mapping_status,
        coalesce(customer_accounts.is_unmapped, true) as is_unmapped,
        customer_months.item_versions_in_force,
        customer_months.mrr
    from customer_months
    left join customer_accounts
        on customer_months.customer_id = customer_accounts.customer_id
)

select * from final
