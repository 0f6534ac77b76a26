-- How each billing customer reaches a CRM account. Several customers may map to one account.
-- Nothing is dropped: a customer whose account is missing, unknown to the CRM or deleted keeps
-- a row with the reason, so its revenue can be reported instead of silently joined away.

with

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

customers_with_account as (
    select
        customers.customer_id,
        customers.account_id,
        customers.created_at as customer_created_at,
        accounts.account_id is not null as account_in_crm,
        coalesce(accounts.is_deleted, false) as account_is_deleted
    from customers
    left join accounts
        on customers.account_id = accounts.account_id
),

final as (
    select
        customer_id,
        account_id,
        customer_created_at,
        case
            when account_id is null then 'no_account_id'
            when not account_in_crm then 'account_not_in_crm'
            when account_is_deleted then 'account_deleted'
            else 'mapped'
        end as mapping_status,
        -- deleted accounts are known (left out of the marts on purpose), so not "unmapped"
        (account_id is null or not account_in_crm) as is_unmapped
    from customers_with_account
)

select * from final
