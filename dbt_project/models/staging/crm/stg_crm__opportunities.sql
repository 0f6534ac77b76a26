with opportunities as (

    select * from {{ source('raw', 'crm_opportunities') }}

),

final as (

    select
        opportunity_id,
        account_id,
        opportunity_type,
        stage,
        close_date,
        amount_arr,
        currency,
        created_at,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from opportunities

)

select * from final
