with source as (

    select * from {{ source('raw', 'billing_customers') }}

),

renamed as (

    select
        customer_id,
        nullif(trim(account_id), '') as account_id,
        created_at,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from source

)

select * from renamed
