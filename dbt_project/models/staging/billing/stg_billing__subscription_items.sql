with source as (

    select * from {{ source('raw', 'billing_subscription_items') }}

),

renamed as (

    select
        item_id,
        subscription_id,
        product,
        quantity,
        unit_price,
        currency,
        billing_interval_months,
        coalesce(discount_pct, 0) as discount_pct,
        valid_from,
        valid_to,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from source

)

select * from renamed
