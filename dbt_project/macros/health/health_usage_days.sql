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
        and {{ health_usage_days_to_fold('events', '(select max(extracted_at) from ' ~ this ~ ')') }}
    {%- endif %}
    group by account_id, {{ key }}, occurred_date
)

select * from new_days
{%- endmacro %}

{#- The events an incremental run of health_usage_days groups, given the watermark (SQL).
    DuckDB (delete+insert on account, key and day): the events of the new batches; a row of
    the same key and day is replaced, the others stay. Spark (insert_overwrite of the
    occurred_date partitions the new rows fall in): every event of the days the new batches
    touch, so a late event re-writes its whole day, not only its own key's row (a partition
    holding that row alone would drop the day's other rows). The same rows result: an
    existing row of such a day is grouped again from the same events (and extracted_at, the
    maximum, is the new batch's wherever the new batch has an event of that key and day). -#}
{% macro health_usage_days_to_fold(events, watermark) -%}
    {{ return(adapter.dispatch('health_usage_days_to_fold', 'customer_retention')(events, watermark)) }}
{%- endmacro %}

{% macro default__health_usage_days_to_fold(events, watermark) -%}
    extracted_at > {{ watermark }}
{%- endmacro %}

{% macro spark__health_usage_days_to_fold(events, watermark) -%}
    occurred_date in (select occurred_date from {{ events }} where extracted_at > {{ watermark }})
{%- endmacro %}
