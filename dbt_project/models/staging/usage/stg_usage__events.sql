with source as (

    select * from {{ source('raw', 'usage_events') }}

),

renamed as (

    select
        event_id,
        occurred_at,
        account_id,
        user_id,
        event_name,
        feature,
        cast(occurred_at as date) as occurred_date,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from source

)

select * from renamed
