-- Health alerts: one row per account, alert type and episode (docs/health.md, "Alerts"), read
-- from the daily history so an alert is raised on the first day of its episode and never again
-- while the condition lasts. An episode is a run of days on which the condition holds, gaps of at
-- most alert_episode_gap_days (default 7) included: a new episode starts on a day the condition
-- holds when it last held more than that many days before, or never. The first day of the history
-- starts none (what came before it is unknown). A colour drop is an event - a day the colour is
-- worse than the day before - alerting unless the account dropped into the same colour within the
-- quiet period (default 30 days).
-- alert_id = hash(account, type, episode start): the same episode keeps its id on every rebuild.
-- Incremental: a run evaluates the days from health_alerts_evaluate_from() on (about one day in a
-- daily run), reading the health days before them that the windows below look back on; a full
-- refresh evaluates the whole history (needed after changing the alert parameters).
{#- On Spark a table evaluated whole on every run: the pre-hook's DELETE fails on Parquet tables
    (merge needs Delta), and a partition overwrite by alert day would keep the alerts of a day a
    backfill no longer raises any on. A whole evaluation raises the same alerts as the
    incremental runs (tests/health/test_point_in_time.py compares the two on DuckDB). -#}

{%- set episode_alerts = ['score_drop', 'usage_decline', 'key_contact_departed', 'ticket_spike', 'nps_detractor', 'invoice_overdue'] %}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ health_alerts_delete_reevaluated() }}"
) }}
{%- set evaluate_from = health_alerts_evaluate_from() %}

with

-- not materialized: read twice below, DuckDB would otherwise copy the whole daily history into a
-- temporary result first (a large daily run: 0.4 -> 0.23 s standalone)
health_days {{ cte_not_materialized() }} (
    select * from {{ ref('fct_account_health_daily') }}
),

-- a colour's rank (cfg_health_colors has one row per status, the same rank for each of a colour's)
colors as (
    select distinct health_color, severity_rank
    from {{ ref('cfg_health_colors') }}
),

parameters as (
    select * from {{ ref('int_health_parameters') }}
),

-- a rebuild as of an earlier date ignores days scored after it
known_days as (
    select *
    from health_days
    where as_of_date <= {{ as_of_date() }}
    {%- if evaluate_from %}
        -- what the windows below look back on: the day before (colour drops), the episode gap
        -- and the colour-drop quiet period
        and as_of_date >= cast('{{ evaluate_from }}' as date) - (
            select cast(greatest(alert_episode_gap_days, alert_colour_drop_quiet_days) as {{ dbt.type_int() }}) + 1
            from parameters
        )
    {%- endif %}
),

history_start as (
    select min(as_of_date) as first_day
    from health_days
    where as_of_date <= {{ as_of_date() }}
),

conditions as (
    select
        health_days.as_of_date,
        health_days.account_id,
        health_days.health_score,
        health_days.health_color,
        colors.severity_rank as color_rank,
        health_days.score_change_30d,
        health_days.active_users,
        health_days.previous_active_users,
        health_days.active_users_change,
        health_days.key_contact_departed_role,
        health_days.key_contact_departed_on,
        health_days.recent_tickets,
        health_days.usual_recent_tickets,
        health_days.escalations,
        health_days.recent_detractors,
        health_days.overdue_invoices,
        health_days.days_overdue,
        coalesce(health_days.score_change_30d <= -parameters.alert_score_drop_points, false) as is_score_drop,
        coalesce(
            health_days.active_users_change < -parameters.alert_usage_decline_share
            and health_days.previous_active_users >= parameters.alert_usage_decline_min_previous_users,
            false
        ) as is_usage_decline,
        coalesce(health_days.key_contact_departures > 0, false) as is_key_contact_departed,
        coalesce(health_days.is_ticket_spike, false) as is_ticket_spike,
        coalesce(health_days.recent_detractors > 0, false) as is_nps_detractor,
        coalesce(health_days.days_overdue >= parameters.alert_invoice_overdue_days, false) as is_invoice_overdue
    from known_days as health_days
    cross join parameters
    left join colors
        on health_days.health_color = colors.health_color
),

with_previous_day as (
    select
        conditions.*,
        -- the account's previous scored day counts only when it is the day before
        coalesce(
            lag(conditions.as_of_date) over (
                partition by conditions.account_id order by conditions.as_of_date
            )
                = cast({{ dbt.dateadd('day', -1, 'conditions.as_of_date') }} as date),
            false
        ) as scored_day_before,
        lag(conditions.health_color) over (
            partition by conditions.account_id order by conditions.as_of_date
        ) as previous_color,
        lag(conditions.color_rank) over (
            partition by conditions.account_id order by conditions.as_of_date
        ) as previous_color_rank,
        {%- for alert_type in episode_alerts %}
        -- the last earlier day the condition held
        max(case when conditions.is_{{ alert_type }} then conditions.as_of_date end) over (
            partition by conditions.account_id order by conditions.as_of_date
            rows between unbounded preceding and 1 preceding
        ) as last_{{ alert_type }}_day{{ "," if not loop.last }}
        {%- endfor %}
    from conditions
),

episode_days as (
    select
        with_previous_day.*,
        with_previous_day.as_of_date > history_start.first_day as can_start,
        with_previous_day.scored_day_before
            and with_previous_day.color_rank > with_previous_day.previous_color_rank as is_colour_drop,
        {%- for alert_type in episode_alerts %}
        with_previous_day.is_{{ alert_type }} and (
            with_previous_day.last_{{ alert_type }}_day is null
            or {{ health_days_between('with_previous_day.last_' ~ alert_type ~ '_day', 'with_previous_day.as_of_date') }}
                > parameters.alert_episode_gap_days
        ) as starts_{{ alert_type }}{{ "," if not loop.last }}
        {%- endfor %}
    from with_previous_day
    cross join history_start
    cross join parameters
),

-- a colour drop alerts unless the account already dropped into the same colour within the
-- quiet period (a score hovering at a boundary would otherwise alert on every flip)
colour_drops as (
    select
        episode_days.*,
        lag(episode_days.as_of_date) over (
            partition by episode_days.account_id, episode_days.health_color
            order by episode_days.as_of_date
        ) as previous_drop_date
    from episode_days
    where episode_days.is_colour_drop
),

alert_candidates as (
    select
        as_of_date,
        account_id,
        'colour_drop' as alert_type,
        case when health_color = 'red' then 'high' else 'medium' end as severity,
        'Health colour dropped from ' || previous_color || ' to ' || health_color
            || ' (score ' || cast(health_score as {{ dbt.type_string() }}) || ')' as message
    from colour_drops
    cross join parameters
    where can_start
        and (
            previous_drop_date is null
            or {{ health_days_between('previous_drop_date', 'as_of_date') }} > parameters.alert_colour_drop_quiet_days
        )

    union all

    select
        as_of_date,
        account_id,
        'score_drop',
        case when score_change_30d <= -parameters.alert_score_drop_high_points then 'high' else 'medium' end,
        'Health score fell ' || cast(-score_change_30d as {{ dbt.type_string() }}) || ' points in 30 days, to '
            || cast(health_score as {{ dbt.type_string() }})
    from episode_days
    cross join parameters
    where can_start
        and starts_score_drop

    union all

    select
        as_of_date,
        account_id,
        'usage_decline',
        case when active_users_change <= -parameters.alert_usage_decline_high_share then 'high' else 'medium' end,
        'Active users fell ' || {{ health_int_text('-100 * active_users_change') }} || '% month over month ('
            || {{ health_int_text('previous_active_users') }} || ' to ' || {{ health_int_text('active_users') }} || ')'
    from episode_days
    cross join parameters
    where can_start
        and starts_usage_decline

    union all

    select
        as_of_date,
        account_id,
        'key_contact_departed',
        'high',
        'Key contact departed: ' || replace(key_contact_departed_role, '_', ' ') || ' left on '
            || cast(key_contact_departed_on as {{ dbt.type_string() }})
    from episode_days
    where can_start
        and starts_key_contact_departed

    union all

    select
        as_of_date,
        account_id,
        'ticket_spike',
        case when escalations > 0 then 'high' else 'medium' end,
        'Support ticket spike: ' || {{ health_count_text('recent_tickets', 'ticket', 'tickets') }} || ' in '
            || {{ health_int_text('parameters.support_recent_days') }} || ' days, '
            || cast(round(cast(recent_tickets / usual_recent_tickets as {{ dbt.type_numeric() }}), 1) as {{ dbt.type_string() }})
            || 'x the usual'
    from episode_days
    cross join parameters
    where can_start
        and starts_ticket_spike

    union all

    select
        as_of_date,
        account_id,
        'nps_detractor',
        'medium',
        'NPS detractor: ' || {{ health_count_text('recent_detractors', 'detractor response', 'detractor responses') }}
            || ' in ' || {{ health_int_text('parameters.alert_nps_window_days') }} || ' days'
    from episode_days
    cross join parameters
    where can_start
        and starts_nps_detractor

    union all

    select
        as_of_date,
        account_id,
        'invoice_overdue',
        case when days_overdue >= parameters.alert_invoice_overdue_high_days then 'high' else 'medium' end,
        'Invoice ' || {{ health_count_text('days_overdue', 'day', 'days') }} || ' overdue ('
            || {{ health_count_text('overdue_invoices', 'unpaid invoice', 'unpaid invoices') }} || ' past due)'
    from episode_days
    cross join parameters
    where can_start
        and starts_invoice_overdue
),

final as (
    select
        {{ dbt.hash("account_id || '|' || alert_type || '|' || cast(as_of_date as " ~ dbt.type_string() ~ ")") }}
            as alert_id,
        as_of_date as alert_date,
        account_id,
        alert_type,
        severity,
        message
    from alert_candidates
    {%- if evaluate_from %}
    where as_of_date >= cast('{{ evaluate_from }}' as date)
    {%- endif %}
)

select * from final
