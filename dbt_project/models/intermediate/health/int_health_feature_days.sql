-- The days each feature was used in an account (events with a feature): what the core and
-- integration feature windows of int_health_usage_daily count (macro health_usage_days). Every
-- feature is kept, so changing cfg_health_features needs no rebuild of this table.
{{ config(
    materialized='incremental',
    incremental_strategy=day_incremental_strategy(),
    partition_by=day_partition_by('occurred_date'),
    unique_key=['account_id', 'feature', 'occurred_date'],
    on_schema_change='fail'
) }}

{{ health_usage_days(ref('stg_usage__events'), 'feature') }}
