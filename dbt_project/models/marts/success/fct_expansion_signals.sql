-- Expansion signals per scored account and day (docs/success.md, "Expansion signals"): the same
-- days as fct_account_health_daily, computed from what was known by the end of each day. Each
-- signal of cfg_expansion_signals that holds adds its points to expansion_score (0-100);
-- is_expansion_ready = score >= ready_min_score and every required signal holds. A readiness
-- episode starts on a ready day with no ready day in the episode_gap_days before it (and a
-- scored day there: the first day of the history starts none); the expansion_ready alert fires
-- on it. Incremental like the health history (health_range macros): a run computes its days
-- plus the episode gap before them, reading the health days the signal windows look back on.
{%- set signals = ['seat_utilization', 'usage_growth', 'feature_breadth', 'sustained_health', 'no_risk_alert'] %}
{{ config(
    materialized='incremental',
    incremental_strategy=day_incremental_strategy(),
    partition_by=day_partition_by('as_of_date'),
    unique_key=['as_of_date', 'account_id'],
    on_schema_change='fail',
    pre_hook="{{ health_delete_backfill_range() }}"
) }}
{#- the first day this run computes (one query on an incremental run: health_range.sql) -#}
{%- set range_start = health_range_start() %}

with

-- not materialized: filtered to the run's look-back below, never copied whole
health_days {{ cte_not_materialized() }} (
    select * from {{ ref('fct_account_health_daily') }}
),

adoption_days {{ cte_not_materialized() }} (
    select * from {{ ref('int_health_adoption_daily') }}
),

alerts as (
    select * from {{ ref('fct_health_alerts') }}
),

signal_config as (
    select * from {{ ref('cfg_expansion_signals') }}
),

settings as (
    select * from {{ ref('cfg_expansion_settings') }}
),

-- the signals' configuration as one row
rules as (
    select
        {%- for signal in signals %}
        coalesce(max(case when signal = '{{ signal }}' then points end), 0) as {{ signal }}_points,
        max(case when signal = '{{ signal }}' then threshold end) as {{ signal }}_threshold,
        cast(max(case when signal = '{{ signal }}' then window_days end) as {{ dbt.type_int() }}) as {{ signal }}_days,
        coalesce(bool_or(signal = '{{ signal }}' and is_required), false) as {{ signal }}_required,
        {%- endfor %}
        cast(coalesce(max(window_days), 0) as {{ dbt.type_int() }}) as longest_window_days
    from signal_config
),

-- the days evaluated (the run's days and the episode gap before them) and the first day read
bounds as (
    select
        cast({{ dbt.dateadd('day', '-settings.episode_gap_days', range_start) }} as date) as first_day,
        cast({{ dbt.dateadd('day', '-(settings.episode_gap_days + rules.longest_window_days)', range_start) }} as date)
            as lookback_day,
        {{ health_range_end() }} as last_day
    from settings
    cross join rules
),

history as (
    select
        health_days.as_of_date,
        health_days.account_id,
        health_days.segment,
        health_days.arr,
        health_days.seats,
        health_days.active_users,
        health_days.health_color,
        adoption_days.core_features_used
    from health_days
    cross join bounds
    left join adoption_days
        on health_days.account_id = adoption_days.account_id
        and health_days.as_of_date = adoption_days.as_of_date
        and adoption_days.as_of_date between bounds.lookback_day and bounds.last_day
    where health_days.as_of_date between bounds.lookback_day and bounds.last_day
        and health_days.as_of_date <= {{ as_of_date() }}
),

-- green streak: a day that is not green, or follows a day without a score, breaks it
streaks as (
    select
        history.*,
        max(case
            when history.health_color is distinct from 'green' then history.as_of_date
            when previous_day is distinct from cast({{ dbt.dateadd('day', -1, 'history.as_of_date') }} as date)
                then cast({{ dbt.dateadd('day', -1, 'history.as_of_date') }} as date)
        end) over (
            partition by history.account_id order by history.as_of_date
            rows between unbounded preceding and current row
        ) as last_break_day
    from (
        select
            history.*,
            lag(history.as_of_date) over (partition by history.account_id order by history.as_of_date) as previous_day
        from history
    ) as history
),

evaluated as (
    select
        streaks.as_of_date,
        streaks.account_id,
        streaks.segment,
        streaks.arr,
        streaks.seats,
        streaks.active_users,
        streaks.core_features_used,
        growth_base.active_users as growth_baseline_active_users,
        breadth_base.core_features_used as breadth_baseline_core_features,
        -- capped at the window, so a value never depends on how far back a run read
        cast(least(
            {{ dbt.datediff('streaks.last_break_day', 'streaks.as_of_date', 'day') }},
            coalesce(rules.sustained_health_days, 0)
        ) as {{ dbt.type_int() }}) as green_days
    from streaks
    cross join bounds
    cross join rules
    left join history as growth_base
        on streaks.account_id = growth_base.account_id
        and growth_base.as_of_date = cast({{ dbt.dateadd('day', '-rules.usage_growth_days', 'streaks.as_of_date') }} as date)
    left join history as breadth_base
        on streaks.account_id = breadth_base.account_id
        and breadth_base.as_of_date = cast({{ dbt.dateadd('day', '-rules.feature_breadth_days', 'streaks.as_of_date') }} as date)
    where streaks.as_of_date >= bounds.first_day
),

recent_alerts as (
    select
        evaluated.account_id,
        evaluated.as_of_date,
        count(*) as recent_risk_alerts
    from evaluated
    cross join rules
    inner join alerts
        on evaluated.account_id = alerts.account_id
        and alerts.alert_date <= evaluated.as_of_date
        and alerts.alert_date > cast({{ dbt.dateadd('day', '-rules.no_risk_alert_days', 'evaluated.as_of_date') }} as date)
    group by evaluated.account_id, evaluated.as_of_date
),

measured as (
    select
        evaluated.*,
        -- rounded as published before comparing, so +20 % (10 -> 12 users) is +20 %, not 0.1999...
        {{ health_round_rate('cast(evaluated.active_users as ' ~ health_type_double() ~ ') / nullif(evaluated.seats, 0)') }}
            as seat_utilization,
        {{ health_round_rate('cast(evaluated.active_users as ' ~ health_type_double() ~ ') / nullif(evaluated.growth_baseline_active_users, 0) - 1') }}
            as active_users_growth,
        coalesce(recent_alerts.recent_risk_alerts, 0) as recent_risk_alerts
    from evaluated
    left join recent_alerts
        on evaluated.account_id = recent_alerts.account_id
        and evaluated.as_of_date = recent_alerts.as_of_date
),

flagged as (
    select
        measured.*,
        coalesce(measured.seat_utilization >= rules.seat_utilization_threshold, false) as has_seat_utilization,
        coalesce(
            measured.growth_baseline_active_users >= settings.min_baseline_active_users
            and measured.active_users_growth >= rules.usage_growth_threshold,
            false
        ) as has_usage_growth,
        coalesce(
            measured.core_features_used - measured.breadth_baseline_core_features >= rules.feature_breadth_threshold,
            false
        ) as has_feature_breadth,
        coalesce(measured.green_days >= rules.sustained_health_days, false) as has_sustained_health,
        -- a signal without its configuration row never holds
        measured.recent_risk_alerts = 0 and rules.no_risk_alert_days is not null as has_no_risk_alert
    from measured
    cross join rules
    cross join settings
),

scored as (
    select
        flagged.*,
        {% for signal in signals -%}
        case when flagged.has_{{ signal }} then rules.{{ signal }}_points else 0 end
        {{- " +" if not loop.last }}
        {% endfor -%} as points,
        {% for signal in signals -%}
        (flagged.has_{{ signal }} or not rules.{{ signal }}_required)
        {{- " and" if not loop.last }}
        {% endfor -%} as has_required_signals
    from flagged
    cross join rules
),

ready as (
    select
        scored.*,
        scored.points >= settings.ready_min_score and scored.has_required_signals as is_expansion_ready
    from scored
    cross join settings
),

episodes as (
    select
        ready.*,
        lag(ready.as_of_date) over (partition by ready.account_id order by ready.as_of_date) as previous_scored_day,
        max(case when ready.is_expansion_ready then ready.as_of_date end) over (
            partition by ready.account_id order by ready.as_of_date
            rows between unbounded preceding and 1 preceding
        ) as previous_ready_day
    from ready
),

final as (
    select
        episodes.as_of_date,
        episodes.account_id,
        episodes.segment,
        cast(episodes.arr as decimal(18, 4)) as arr,
        episodes.seats,
        episodes.active_users,
        episodes.seat_utilization,
        episodes.growth_baseline_active_users,
        episodes.active_users_growth,
        episodes.core_features_used,
        episodes.breadth_baseline_core_features,
        episodes.green_days,
        cast(episodes.recent_risk_alerts as {{ dbt.type_int() }}) as recent_risk_alerts,
        episodes.has_seat_utilization,
        episodes.has_usage_growth,
        episodes.has_feature_breadth,
        episodes.has_sustained_health,
        episodes.has_no_risk_alert,
        {{ health_round_score('episodes.points') }} as expansion_score,
        episodes.is_expansion_ready,
        coalesce(
            episodes.is_expansion_ready
            and episodes.previous_scored_day >= cast({{ dbt.dateadd('day', '-settings.episode_gap_days', 'episodes.as_of_date') }} as date)
            and (
                episodes.previous_ready_day is null
                or episodes.previous_ready_day < cast({{ dbt.dateadd('day', '-settings.episode_gap_days', 'episodes.as_of_date') }} as date)
            ),
            false
        ) as starts_ready_episode,
        nullif(substring(
            case when episodes.has_seat_utilization then '; Seats ' || {{ health_int_text('100 * episodes.seat_utilization') }}
                || '% used (' || {{ health_int_text('episodes.active_users') }} || ' of ' || {{ health_int_text('episodes.seats') }} || ')' else '' end
            || case when episodes.has_usage_growth then '; Active users up ' || {{ health_int_text('100 * episodes.active_users_growth') }}
                || '% in ' || {{ health_int_text('rules.usage_growth_days') }} || ' days ('
                || {{ health_int_text('episodes.growth_baseline_active_users') }} || ' to ' || {{ health_int_text('episodes.active_users') }} || ')' else '' end
            || case when episodes.has_feature_breadth then '; ' || {{ health_int_text('episodes.core_features_used - episodes.breadth_baseline_core_features') }}
                || ' more core features in ' || {{ health_int_text('rules.feature_breadth_days') }} || ' days ('
                || {{ health_int_text('episodes.breadth_baseline_core_features') }} || ' to ' || {{ health_int_text('episodes.core_features_used') }} || ')' else '' end
            || case when episodes.has_sustained_health then '; Green for ' || {{ health_int_text('rules.sustained_health_days') }} || '+ days' else '' end
            || case when episodes.has_no_risk_alert then '; No risk alert in ' || {{ health_int_text('rules.no_risk_alert_days') }} || ' days' else '' end,
            3
        ), '') as expansion_signals
    from episodes
    cross join rules
    cross join settings
    where episodes.as_of_date between {{ range_start }} and {{ health_range_end() }}
)

select * from final
