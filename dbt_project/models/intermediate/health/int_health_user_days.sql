-- The days each user of an account was active (any usage event): what the active-user and
-- average-DAU windows of int_health_usage_daily count (macro health_usage_days).
{{ config(
    materialized='incremental',
    incremental_strategy=day_incremental_strategy(),
    partition_by=day_partition_by('occurred_date'),
    unique_key=['account_id', 'user_id', 'occurred_date'],
    on_schema_change='fail'
) }}

{{ health_usage_days(ref('stg_usage__events'), 'user_id') }}
