-- Coverage: every account with MRR > 0 at the end of the as-of day - computed here from the
-- item versions and the customer map, independently of int_health_account_days - has a row in
-- fct_account_health_daily for that day with data_completeness > 0. Returns the accounts that
-- are not covered (the same rule as the Dagster coverage check, checks/health.py).

with

item_versions as (
    select * from {{ ref('int_subscription_item_mrr_usd') }}
),

customer_accounts as (
    select * from {{ ref('int_customer_account_map') }}
),

health_days as (
    select * from {{ ref('fct_account_health_daily') }}
),

paying_accounts as (
    select customer_accounts.account_id
    from item_versions
    inner join customer_accounts
        on item_versions.customer_id = customer_accounts.customer_id
    where customer_accounts.mapping_status = 'mapped'
        and item_versions.valid_from < {{ health_day_end(as_of_date()) }}
        and (item_versions.valid_to is null or item_versions.valid_to >= {{ health_day_end(as_of_date()) }})
    group by customer_accounts.account_id
    having sum(item_versions.mrr_usd) > 0
),

scored as (
    select
        account_id,
        data_completeness
    from health_days
    where as_of_date = {{ as_of_date() }}
)

select
    paying_accounts.account_id,
    scored.data_completeness
from paying_accounts
left join scored
    on paying_accounts.account_id = scored.account_id
where scored.account_id is null
    or not (scored.data_completeness > 0)
