with tickets as (

    select * from {{ source('raw', 'crm_tickets') }}

),

final as (

    select
        ticket_id,
        account_id,
        opened_at,
        closed_at,
        priority,
        coalesce(is_escalated, false) as is_escalated,
        csat_score,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from tickets

)

select * from final
