with source as (

    select * from {{ source('raw', 'crm_accounts') }}

),

renamed as (

    select
        account_id,
        account_name,
        industry,
        region,
        csm_email,
        segment_override,
        created_at,
        coalesce(is_deleted, false) as is_deleted,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from source

)

select * from renamed
