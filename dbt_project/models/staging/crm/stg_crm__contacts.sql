with contacts as (

    select * from {{ source('raw', 'crm_contacts') }}

),

final as (

    select
        contact_id,
        account_id,
        -- personal data: only a hash of the normalized address leaves raw
        {{ dbt.hash("nullif(lower(trim(email)), '')") }} as email_hash,
        nullif(trim(title), '') as title,
        role,
        created_at,
        departed_at,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from contacts

)

select * from final
