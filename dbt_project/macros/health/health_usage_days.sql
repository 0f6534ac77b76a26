{#- The days an account's `key` (a user, a feature) had a usage event, one row per account, key
    and day, kept incrementally like int_health_user_first_use: a run folds in only the events of
    batches extracted after the newest one already in the table (extracted_at, the watermark), so
    a daily run reads one batch, not the history. A late event adds (or re-writes, delete+insert
    on the key) the row of its own day, whichever day that is.

    int_health_usage_daily reads its windows from these rows instead of the events: on the large
    benchmark a daily run grouped ~6M events of its 60-day look-back into user- and feature-days
    on every run (2.7 -> 1.6 s standalone). -#}
{% macro health_usage_days(events, key) -%}
with

events as (
    select * from {{ events }}
),

new_days as (
    select
        account_id,
        {{ key }},
        occurred_date,
        max(extracted_at) as extracted_at
    from events
    where {{ key }} is not null
    {%- if health_incremental_run() %}
        and extracted_at > (select max(extracted_at) from {{ this }})
    {%- endif %}
    group by account_id, {{ key }}, occurred_date
)

select * from new_days
{%- endmacro %}
