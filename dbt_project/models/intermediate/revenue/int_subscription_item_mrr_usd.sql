-- One row per subscription item version that came into force on or before as_of_date, with
-- its MRR in the billing currency and in USD. The USD amount is converted at the rate of the
-- month the version came into force (not the month it is reported in), so exchange-rate noise
-- never shows up as expansion or contraction; it is rounded once, here, to 4 decimals so every
-- sum built on it reconciles exactly.

with

subscription_items as (
    select * from {{ ref('stg_billing__subscription_items') }}
),

subscriptions as (
    select * from {{ ref('stg_billing__subscriptions') }}
),

fx_rates as (
    select * from {{ ref('stg_billing__fx_rates') }}
),

-- point-in-time: a version that comes into force after the as-of day is not known yet
versions_known_as_of as (
    select
        subscription_items.item_id,
        subscription_items.subscription_id,
        subscriptions.customer_id,
        subscription_items.product,
        subscription_items.quantity,
        subscription_items.unit_price,
        subscription_items.currency,
        subscription_items.billing_interval_months,
        coalesce(subscription_items.discount_pct, 0) as discount_pct,
        subscription_items.valid_from,
        subscription_items.valid_to,
        cast({{ dbt.date_trunc('month', 'subscription_items.valid_from') }} as date) as valid_from_month
    from subscription_items
    -- left join: an item whose subscription is unknown keeps its revenue (reported as unmapped)
    left join subscriptions
        on subscription_items.subscription_id = subscriptions.subscription_id
    where subscription_items.valid_from < {{ dbt.dateadd('day', 1, as_of_date()) }}
),

-- every rate at or before the version's month; the latest one wins below. USD needs no rate.
candidate_rates as (
    select
        versions_known_as_of.item_id,
        fx_rates.rate_month,
        fx_rates.usd_per_unit,
        row_number() over (
            partition by versions_known_as_of.item_id
            order by fx_rates.rate_month desc
        ) as recency_rank
    from versions_known_as_of
    inner join fx_rates
        on versions_known_as_of.currency = fx_rates.currency
        and fx_rates.rate_month <= versions_known_as_of.valid_from_month
    where versions_known_as_of.currency <> 'USD'
),

versions_with_rate as (
    select
        versions_known_as_of.*,
        case
            when versions_known_as_of.currency = 'USD' then versions_known_as_of.valid_from_month
            else candidate_rates.rate_month
        end as fx_rate_month,
        case
            when versions_known_as_of.currency = 'USD' then cast(1 as decimal(18, 4))
            else candidate_rates.usd_per_unit
        end as usd_per_unit
    from versions_known_as_of
    left join candidate_rates
        on versions_known_as_of.item_id = candidate_rates.item_id
        and candidate_rates.recency_rank = 1
),

-- quantity x unit_price x (1 - discount/100) / interval, computed as
-- quantity x unit_price x (100 - discount) / (100 x interval) so the only division is the
-- final, exactly rounded one. usd_per_unit stays NULL when no rate exists: the test
-- assert_item_versions_have_fx_rate names such versions and fails the build.
final as (
    select
        item_id,
        subscription_id,
        customer_id,
        product,
        quantity,
        unit_price,
        currency,
        billing_interval_months,
        discount_pct,
        valid_from,
        valid_to,
        valid_from_month,
        fx_rate_month,
        usd_per_unit,
        {{ revenue_round_division(
            'quantity * unit_price * (100 - discount_pct)',
            '100 * billing_interval_months',
            numerator_scale=8
        ) }} as mrr_local,
        {{ revenue_round_division(
            'quantity * unit_price * (100 - discount_pct) * usd_per_unit',
            '100 * billing_interval_months',
            numerator_scale=12
        ) }} as mrr_usd
    from versions_with_rate
)

select * from final
