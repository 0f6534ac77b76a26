with source as (

    select * from {{ source('raw', 'crm_contacts') }}

),

renamed as (

    select
        contact_id,
        account_id,
        md5(lower(trim(email))) as email_hash,
        title,
        role,
        created_at,
        departed_at,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from source

)

select * from renamed
