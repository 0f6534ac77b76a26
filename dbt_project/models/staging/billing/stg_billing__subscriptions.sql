with subscriptions as (

    select * from {{ source('raw', 'billing_subscriptions') }}

),

final as (

    select
        subscription_id,
        customer_id,
        status,
        started_at,
        current_term_end,
        coalesce(cancel_at_term_end, false) as cancel_at_term_end,
        canceled_at,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from subscriptions

)

select * from final
