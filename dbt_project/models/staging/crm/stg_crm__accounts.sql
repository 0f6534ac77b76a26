with accounts as (

    select * from {{ source('raw', 'crm_accounts') }}

),

final as (

    select
        account_id,
        trim(account_name) as account_name,
        nullif(trim(industry), '') as industry,
        nullif(trim(region), '') as region,
        -- a blank owner is an unassigned account
        nullif(trim(csm_email), '') as csm_email,
        segment_override,
        created_at,
        coalesce(is_deleted, false) as is_deleted,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from accounts

)

select * from final
