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

-- The executive summary: one row per as_of_date with the numbers leadership reads
-- (docs/contracts/metric-definitions.md, "Executive summary"). Every figure is taken from the mart that owns
-- it, never recomputed: retention from the `all` row of rpt_revenue_retention for the last
-- complete month, health from account_health / fct_account_health_daily on the as-of day with
-- ARR from dim_accounts, renewals from fct_renewal_forecast and rpt_renewal_risk_range, and
-- freshness from the load ledger raw.load_batches.
-- Each run adds (or, re-run for the same date, replaces) the row of its as_of_date and leaves
-- earlier rows as they were reported, so the table is the summary's history; full_refresh=false
-- keeps `dbt build --full-refresh` from erasing what leadership has already been told.
{%- set renewal_horizons = [30, 60, 90] %}  {#- days; each has its three columns in the YAML #}

with

retention as (
    select * from {{ ref('rpt_revenue_retention') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

account_health as (
    select * from {{ ref('account_health') }}
),

health_daily as (
    select * from {{ ref('fct_account_health_daily') }}
),

forecast as (
    select * from {{ ref('fct_renewal_forecast') }}
),

risk_range as (
    select * from {{ ref('rpt_renewal_risk_range') }}
),

load_batches as (
    select * from {{ source('raw', 'load_batches') }}
),

nps_responses as (
    select * from {{ ref('stg_crm__nps_responses') }}
),

health_parameters as (
    select * from {{ ref('int_health_parameters') }}
),

renewal_motion as (
    select * from {{ ref('fct_renewal_motion') }}
),

account_expansion as (
    select * from {{ ref('account_expansion') }}
),

playbook_tasks as (
    select * from {{ ref('fct_playbook_tasks') }}
),

last_complete_retention as (
    select
        month as retention_month,
        nrr_t12m,
        grr_t12m,
        logo_retention_t12m
    from retention
    where segment = 'all'
        and month = (select max(month) from retention where segment = 'all')
),

health_today as (
    select
        account_health.account_id,
        account_health.health_color,
        accounts.current_arr
    from account_health
    inner join accounts
        on account_health.account_id = accounts.account_id
    where account_health.as_of_date = {{ as_of_date() }}
),

health_distribution as (
    select
        count(case when health_color = 'green' then 1 end) as accounts_green,
        count(case when health_color = 'yellow' then 1 end) as accounts_yellow,
        count(case when health_color = 'red' then 1 end) as accounts_red,
        cast(coalesce(sum(case when health_color = 'green' then current_arr end), 0) as decimal(18, 4)) as arr_green,
        cast(coalesce(sum(case when health_color = 'yellow' then current_arr end), 0) as decimal(18, 4)) as arr_yellow,
        cast(coalesce(sum(case when health_color = 'red' then current_arr end), 0) as decimal(18, 4)) as arr_red
    from health_today
),

-- accounts with MRR at the end of the as-of day, and whether each has a health row that day
coverage as (
    select
        count(*) as paying_accounts,
        count(scored.account_id) as scored_paying_accounts
    from accounts
    left join (
        select distinct account_id
        from health_daily
        where as_of_date = {{ as_of_date() }}
    ) as scored
        on accounts.account_id = scored.account_id
    where accounts.current_mrr > 0
),

renewals as (
    select
        cast(coalesce(sum(case when is_in_current_quarter then renewal_arr end), 0) as decimal(18, 4))
            as renewals_due_qtr_arr,
        cast(coalesce(sum(case when is_in_current_quarter then expected_arr end), 0) as decimal(18, 4))
            as forecast_qtr_arr,
        count(case when is_in_current_quarter then 1 end) as renewals_due_qtr,
        cast(coalesce(sum(case when confidence_tier = 'at_risk' then renewal_arr end), 0) as decimal(18, 4))
            as arr_at_risk,
        count(distinct case when confidence_tier = 'at_risk' then account_id end) as accounts_at_risk,
        cast(coalesce(sum(renewal_arr), 0) as decimal(18, 4)) as renewals_due_window_arr,
        cast(coalesce(sum(expected_arr), 0) as decimal(18, 4)) as forecast_window_arr,
        -- the renewals due from the as-of day through N days later (the forecast window covers them)
        {%- for days in renewal_horizons %}
        count(case when days_to_renewal between 0 and {{ days }} then 1 end) as renewals_due_{{ days }}d,
        cast(coalesce(sum(case when days_to_renewal between 0 and {{ days }} then renewal_arr end), 0) as decimal(18, 4))
            as renewals_due_{{ days }}d_arr,
        cast(coalesce(sum(case when days_to_renewal between 0 and {{ days }} then expected_arr end), 0) as decimal(18, 4))
            as forecast_{{ days }}d_arr{{ "," if not loop.last }}
        {%- endfor %}
    from forecast
),

-- hours between each source's latest loaded extract (extracted by the end of the as-of day)
-- and the end of the as-of day
extract_ages as (
    select
        source,
        {{ dbt.datediff('max(extracted_at)', dbt.dateadd('day', 1, as_of_date()), 'second') }} / 3600.0 as age_hours
    from load_batches
    where status = 'loaded'
        and extracted_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
    group by source
),

freshness as (
    select
        min(age_hours) as freshest_extract_age_hours,
        max(age_hours) as stalest_extract_age_hours,
        count(*) as sources_loaded
    from extract_ages
),

-- NPS of the responses of live accounts in the 90 days up to the end of the as-of day: % promoters
-- minus % detractors (-100..100), with the health area's promoter / detractor thresholds
nps as (
    select
        count(*) as nps_responses_t90d,
        100.0 * (
            count(case when nps_responses.score >= health_parameters.sentiment_promoter_min_score then 1 end)
            - count(case when nps_responses.score <= health_parameters.sentiment_detractor_max_score then 1 end)
        ) / nullif(count(*), 0) as nps_t90d
    from nps_responses
    cross join health_parameters
    inner join accounts
        on nps_responses.account_id = accounts.account_id
    where nps_responses.responded_at < {{ health_day_end(as_of_date()) }}
        and nps_responses.responded_at >= {{ health_day_end(dbt.dateadd('day', -90, as_of_date())) }}
),

-- renewal ARR of the forecast window whose T-90 motion is on track (no checkpoint overdue or missed)
motion_coverage as (
    select
        cast(coalesce(sum(case when is_motion_on_track then renewal_arr end), 0) as decimal(18, 4))
            as renewal_arr_on_track,
        sum(renewal_arr) as renewal_arr_in_motion
    from renewal_motion
    where checkpoint_order = 1
),

expansion_today as (
    select
        count(*) as expansion_ready_accounts,
        cast(coalesce(sum(arr), 0) as decimal(18, 4)) as expansion_ready_arr
    from account_expansion
    where as_of_date = {{ as_of_date() }}
        and is_expansion_ready
),

task_counts as (
    select count(*) as overdue_playbook_tasks
    from playbook_tasks
    where task_state = 'overdue'
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        last_complete_retention.retention_month,
        last_complete_retention.nrr_t12m,
        last_complete_retention.grr_t12m,
        last_complete_retention.logo_retention_t12m,
        health_distribution.accounts_green,
        health_distribution.accounts_yellow,
        health_distribution.accounts_red,
        health_distribution.arr_green,
        health_distribution.arr_yellow,
        health_distribution.arr_red,
        renewals.renewals_due_qtr,
        renewals.renewals_due_qtr_arr,
        renewals.forecast_qtr_arr,
        round({{ revenue_ratio('renewals.forecast_qtr_arr', 'renewals.renewals_due_qtr_arr') }}, 4) as forecast_qtr_pct,
        risk_range.p10_renewed_arr as p10_renewed_qtr_arr,
        risk_range.p90_renewed_arr as p90_renewed_qtr_arr,
        renewals.renewals_due_window_arr,
        renewals.forecast_window_arr,
        renewals.arr_at_risk,
        renewals.accounts_at_risk,
        {{ revenue_ratio('coverage.scored_paying_accounts', 'coverage.paying_accounts') }} as health_coverage,
        cast(freshness.freshest_extract_age_hours as {{ health_type_double() }}) as freshest_extract_age_hours,
        cast(freshness.stalest_extract_age_hours as {{ health_type_double() }}) as stalest_extract_age_hours,
        cast(round(cast(nps.nps_t90d as {{ dbt.type_numeric() }}), 1) as {{ health_type_double() }}) as nps_t90d,
        cast(nps.nps_responses_t90d as {{ dbt.type_bigint() }}) as nps_responses_t90d,
        round({{ revenue_ratio('motion_coverage.renewal_arr_on_track', 'motion_coverage.renewal_arr_in_motion') }}, 4)
            as renewal_coverage,
        motion_coverage.renewal_arr_on_track,
        cast(expansion_today.expansion_ready_accounts as {{ dbt.type_bigint() }}) as expansion_ready_accounts,
        expansion_today.expansion_ready_arr,
        cast(task_counts.overdue_playbook_tasks as {{ dbt.type_bigint() }}) as overdue_playbook_tasks,
        {%- for days in renewal_horizons %}
        renewals.renewals_due_{{ days }}d,
        renewals.renewals_due_{{ days }}d_arr,
        renewals.forecast_{{ days }}d_arr{{ "," if not loop.last }}
        {%- endfor %}
    from health_distribution
    cross join renewals
    cross join coverage
    cross join freshness
    cross join nps
    cross join motion_coverage
    cross join expansion_today
    cross join task_counts
    left join last_complete_retention
        on true
    left join risk_range
        on true
)

select * from final
