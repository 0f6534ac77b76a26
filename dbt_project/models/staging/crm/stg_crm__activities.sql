with activities as (

    select * from {{ source('raw', 'crm_activities') }}

),

final as (

    select
        activity_id,
        account_id,
        activity_type,
        occurred_at,
        status,
        attendee_roles,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from activities

)

select * from final
