with milestones as (

    select * from {{ source('raw', 'crm_milestones') }}

),

final as (

    select
        milestone_id,
        account_id,
        milestone,
        due_date,
        completed_at,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from milestones

)

select * from final
