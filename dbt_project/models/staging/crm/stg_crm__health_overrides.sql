with health_overrides as (

    select * from {{ source('raw', 'crm_health_overrides') }}

),

final as (

    select
        account_id,
        override_status,
        trim(reason) as reason,
        trim(set_by) as set_by,
        set_at,
        expires_at,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from health_overrides

)

select * from final
