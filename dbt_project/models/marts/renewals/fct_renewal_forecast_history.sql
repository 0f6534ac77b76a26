{{
    config(
        materialized='incremental',
        incremental_strategy=day_incremental_strategy(),
        partition_by=day_partition_by('as_of_date'),
        unique_key='as_of_date',
        on_schema_change='append_new_columns',
        full_refresh=false
    )
}}

-- Frozen forecasts: every run appends the forecast of its as_of_date. delete+insert on
-- as_of_date, so re-running a date replaces exactly that date and no other date's rows are
-- ever rewritten; full_refresh=false keeps `dbt build --full-refresh` from wiping the history.

with

forecast as (
    select * from {{ ref('fct_renewal_forecast') }}
),

final as (
    select *
    from forecast
    where as_of_date = {{ as_of_date() }}
)

select * from final
