{#- Every record whose account_id is not a CRM account. The loader keeps such rows (the contract:
    "kept and flagged, never silently joined away"); marts join on accounts, so this model is
    where they stay visible. Billing customers with no account at all are "unmapped" revenue,
    reported by the revenue marts instead. -#}
{%- set account_references = [
    ('crm', 'contacts', 'contact_id'),
    ('crm', 'activities', 'activity_id'),
    ('crm', 'goals', 'goal_id'),
    ('crm', 'milestones', 'milestone_id'),
    ('crm', 'opportunities', 'opportunity_id'),
    ('crm', 'tickets', 'ticket_id'),
    ('crm', 'nps_responses', 'response_id'),
    ('crm', 'health_overrides', "account_id || '@' || cast(set_at as " ~ dbt.type_string() ~ ")"),
    ('billing', 'customers', 'customer_id'),
    ('usage', 'events', 'event_id'),
] -%}

with accounts as (

    select account_id from {{ ref('stg_crm__accounts') }}

),

{% for source, entity, record_id in account_references %}
{{ entity }} as (

    select
        '{{ source }}' as source,
        '{{ entity }}' as entity,
        {{ record_id }} as record_id,
        account_id,
        batch_id
    from {{ ref('stg_' ~ source ~ '__' ~ entity) }}
    where account_id is not null

),

{% endfor %}
referencing_records as (

    {% for _, entity, _ in account_references %}
    select * from {{ entity }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select referencing_records.*
    from referencing_records
    left join accounts on referencing_records.account_id = accounts.account_id
    where accounts.account_id is null

)

select * from final
