with source as (

    select * from {{ source('raw', 'crm_health_overrides') }}

),

renamed as (

    select
        account_id,
        override_status,
        reason,
        set_by,
        set_at,
        expires_at,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from source

)

select * from renamed
