with nps_responses as (

    select * from {{ source('raw', 'crm_nps_responses') }}

),

final as (

    select
        response_id,
        account_id,
        contact_id,
        responded_at,
        score,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from nps_responses

)

select * from final
