with customers as (

    select * from {{ source('raw', 'billing_customers') }}

),

final as (

    select
        customer_id,
        -- billing systems pad or blank the CRM reference: blank means unmapped (NULL)
        nullif(trim(account_id), '') as account_id,
        created_at,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from customers

)

select * from final
