with source as (

    select * from {{ source('raw', 'billing_fx_rates') }}

),

renamed as (

    select
        rate_month,
        currency,
        usd_per_unit,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from source

)

select * from renamed
