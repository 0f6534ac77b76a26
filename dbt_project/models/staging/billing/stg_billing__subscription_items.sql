with subscription_items as (

    select * from {{ source('raw', 'billing_subscription_items') }}

),

final as (

    select
        item_id,
        subscription_id,
        trim(product) as product,
        quantity,
        unit_price,
        currency,
        billing_interval_months,
        coalesce(discount_pct, 0) as discount_pct,
        valid_from,
        valid_to,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from subscription_items

)

select * from final
