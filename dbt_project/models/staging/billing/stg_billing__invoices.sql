with invoices as (

    select * from {{ source('raw', 'billing_invoices') }}

),

final as (

    select
        invoice_id,
        customer_id,
        subscription_id,
        issued_at,
        due_at,
        paid_at,
        status,
        total,
        currency,
        _batch_id as batch_id,
        _extracted_at as extracted_at
    from invoices

)

select * from final
