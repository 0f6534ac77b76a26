-- Fails the build for every item version whose currency has no FX rate at or before the month
-- it came into force (extract contract: "an amount with no rate at or before its month is an
-- error named in the run"). Each failing row names the item, currency and month; the rows are
-- kept in the warehouse (store_failures) for whoever fixes the rates.
{{ config(severity='error', store_failures=true) }}

with

item_versions as (
    select * from {{ ref('int_subscription_item_mrr_usd') }}
),

missing_rates as (
    select
        item_id,
        subscription_id,
        customer_id,
        currency,
        valid_from_month,
        'no fx rate for ' || currency || ' at or before '
            || cast(valid_from_month as {{ dbt.type_string() }})
            || ' (item version ' || item_id || ')' as problem
    from item_versions
    where usd_per_unit is null
)

select * from missing_rates
