with events as (

    select * from {{ source('raw', 'usage_events') }}

),

final as (

    select
        event_id,
        occurred_at,
        account_id,
        user_id,
        trim(event_name) as event_name,
        -- optional: a blank feature is no feature (the event still counts as activity)
        nullif(trim(feature), '') as feature,
        cast(occurred_at as date) as occurred_date,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from events

)

select * from final
