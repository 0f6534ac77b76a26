{#- Every record whose account_id is not a CRM account. The loader keeps such rows (the contract:
    "kept and flagged, never silently joined away"); marts join on accounts, so this model is
    where they stay visible. Billing customers with no account at all are "unmapped" revenue,
    reported by the revenue marts instead.

    Usage events, the one history-sized entity, are not anti-joined one by one: the unknown ids
    are found among the distinct account ids of the events (int_usage_event_account_ids, kept
    as batches arrive), and only the events of those ids are read. The same rows result: an
    event is an orphan exactly when its account id is one of them. A CRM snapshot that adds or
    drops an account changes the unknown ids, and so the events listed, on the next run. -#}
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

unknown_records as (

    select referencing_records.*
    from referencing_records
    left join accounts on referencing_records.account_id = accounts.account_id
    where accounts.account_id is null

),

event_account_ids as (

    select distinct account_id from {{ ref('int_usage_event_account_ids') }}

),

unknown_event_account_ids as (

    select event_account_ids.account_id
    from event_account_ids
    left join accounts on event_account_ids.account_id = accounts.account_id
    where accounts.account_id is null

),

unknown_events as (

    select
        'usage' as source,
        'events' as entity,
        event_id as record_id,
        account_id,
        batch_id
    from {{ ref('stg_usage__events') }}
    where account_id in (select account_id from unknown_event_account_ids)

),

final as (

    select * from unknown_records
    union all
    select * from unknown_events

)

select * from final
