-- Month-end MRR of billing customers that reach no known CRM account (no account_id on the
-- customer, an account_id the CRM does not have, or an item whose subscription or customer is
-- missing). This revenue is not in the account marts; it is reported here so that it is fixed
-- at the source instead of silently dropped. Deleted CRM accounts are excluded on purpose and
-- do not appear here.

with

customer_months as (
    select * from {{ ref('int_customer_mrr_monthly') }}
),

final as (
    select
        month,
        customer_id,
        account_id,
        mapping_status as unmapped_reason,
        item_versions_in_force,
        mrr,
        cast(12 * mrr as decimal(18, 4)) as arr
    from customer_months
    where is_unmapped
)

select * from final
