with fx_rates as (

    select * from {{ source('raw', 'billing_fx_rates') }}

),

final as (

    select
        rate_month,
        currency,
        usd_per_unit,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from fx_rates

)

select * from final
