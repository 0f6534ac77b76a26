with goals as (

    select * from {{ source('raw', 'crm_goals') }}

),

final as (

    select
        goal_id,
        account_id,
        status,
        coalesce(roi_documented, false) as roi_documented,
        target_date,
        achieved_at,
        created_at,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from goals

)

select * from final
