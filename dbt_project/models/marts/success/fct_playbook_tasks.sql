-- Recovery playbooks as of as_of_date (docs/success.md, "Recovery playbooks"): one row per play
-- run and task. A play of cfg_playbook_plays runs when its trigger alert fires
-- (fct_health_alerts: a colour_drop into its trigger_color, or another alert type), with the
-- tasks of cfg_playbook_tasks due due_days after the trigger day. A task is done on the first
-- completed activity of its types (with its role attending) from opens_days after the trigger,
-- known by the end of the as-of day; until then open, overdue after its due day, and closed when
-- the play closed first: the account recovered (its health colour back at recovery_color or
-- better on a day after the trigger), or it is no longer a customer (not scored on the as-of day).

with

alerts as (
    select * from {{ ref('fct_health_alerts') }}
),

health_days {{ cte_not_materialized() }} (
    select * from {{ ref('fct_account_health_daily') }}
),

-- one rank per colour (cfg_health_colors maps each status to its colour, so a colour can repeat)
colors as (
    select distinct
        health_color,
        severity_rank
    from {{ ref('cfg_health_colors') }}
),

plays as (
    select * from {{ ref('cfg_playbook_plays') }}
),

tasks as (
    select * from {{ ref('cfg_playbook_tasks') }}
),

activities as (
    select * from {{ ref('stg_crm__activities') }}
),

-- the alerts that start a play, with the account's colour on the alert day
triggers as (
    select
        alerts.alert_id,
        alerts.alert_date as triggered_on,
        alerts.account_id,
        alerts.message as trigger_reason,
        plays.play,
        plays.description as play_description,
        recovery.severity_rank as recovery_rank
    from alerts
    inner join plays
        on alerts.alert_type = plays.trigger_alert_type
    left join health_days
        on alerts.account_id = health_days.account_id
        and alerts.alert_date = health_days.as_of_date
    left join colors as recovery
        on plays.recovery_color = recovery.health_color
    where alerts.alert_date <= {{ as_of_date() }}
        and (plays.trigger_color is null or health_days.health_color = plays.trigger_color)
),

-- the first day after the trigger the account's colour is back at the recovery colour or better
recoveries as (
    select
        triggers.alert_id,
        triggers.play,
        min(health_days.as_of_date) as closed_on
    from triggers
    inner join health_days
        on triggers.account_id = health_days.account_id
        and health_days.as_of_date > triggers.triggered_on
        and health_days.as_of_date <= {{ as_of_date() }}
    inner join colors
        on health_days.health_color = colors.health_color
    where colors.severity_rank <= triggers.recovery_rank
    group by triggers.alert_id, triggers.play
),

-- an account no longer scored on the as-of day (it stopped paying) closes its plays the day after
-- its last scored day
last_scored as (
    select
        health_days.account_id,
        max(health_days.as_of_date) as last_scored_on
    from health_days
    where health_days.as_of_date <= {{ as_of_date() }}
        and health_days.as_of_date >= (select min(triggered_on) from triggers)
        and health_days.account_id in (select account_id from triggers)
    group by health_days.account_id
),

closures as (
    select
        triggers.alert_id,
        triggers.play,
        case
            when recoveries.closed_on is not null then recoveries.closed_on
            when last_scored.last_scored_on < {{ as_of_date() }}
                then cast({{ dbt.dateadd('day', 1, 'last_scored.last_scored_on') }} as date)
        end as closed_on,
        case
            when recoveries.closed_on is not null then 'recovered'
            when last_scored.last_scored_on < {{ as_of_date() }} then 'no_longer_customer'
        end as closed_reason
    from triggers
    left join recoveries
        on triggers.alert_id = recoveries.alert_id
        and triggers.play = recoveries.play
    left join last_scored
        on triggers.account_id = last_scored.account_id
),

play_tasks as (
    select
        triggers.*,
        closures.closed_on,
        closures.closed_reason,
        tasks.task,
        tasks.task_order,
        tasks.description as task_description,
        tasks.activity_types,
        tasks.activity_role,
        cast({{ dbt.dateadd('day', 'tasks.opens_days', 'triggers.triggered_on') }} as date) as opens_on,
        cast({{ dbt.dateadd('day', 'tasks.due_days', 'triggers.triggered_on') }} as date) as due_on
    from triggers
    inner join tasks
        on triggers.play = tasks.play
    left join closures
        on triggers.alert_id = closures.alert_id
        and triggers.play = closures.play
),

completions as (
    select
        play_tasks.alert_id,
        play_tasks.play,
        play_tasks.task,
        min(cast(activities.occurred_at as date)) as completed_on
    from play_tasks
    inner join activities
        on play_tasks.account_id = activities.account_id
        and activities.status = 'completed'
        and cast(activities.occurred_at as date) >= play_tasks.opens_on
        and activities.occurred_at < {{ health_day_end(as_of_date()) }}
        and ';' || replace(play_tasks.activity_types, ' ', '') || ';' like '%;' || activities.activity_type || ';%'
        and (
            play_tasks.activity_role is null
            or ';' || replace(coalesce(activities.attendee_roles, ''), ' ', '') || ';'
                like '%;' || play_tasks.activity_role || ';%'
        )
    group by play_tasks.alert_id, play_tasks.play, play_tasks.task
),

states as (
    select
        play_tasks.*,
        -- an activity after the play closed does not complete it
        case
            when play_tasks.closed_on is null or completions.completed_on <= play_tasks.closed_on
                then completions.completed_on
        end as completed_on
    from play_tasks
    left join completions
        on play_tasks.alert_id = completions.alert_id
        and play_tasks.play = completions.play
        and play_tasks.task = completions.task
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        {{ dbt.hash("states.alert_id || '|' || states.play || '|' || states.task") }} as playbook_task_id,
        states.account_id,
        states.play,
        states.play_description,
        states.alert_id as trigger_alert_id,
        states.triggered_on,
        states.trigger_reason,
        case when states.closed_on is null then 'open' else 'closed' end as play_state,
        states.closed_on,
        states.closed_reason,
        states.task,
        cast(states.task_order as {{ dbt.type_int() }}) as task_order,
        states.task_description,
        states.due_on,
        case
            when states.completed_on is not null then 'done'
            when states.closed_on is not null then 'closed'
            when {{ as_of_date() }} > states.due_on then 'overdue'
            else 'open'
        end as task_state,
        states.completed_on,
        case when states.completed_on is not null then states.completed_on <= states.due_on end as is_done_on_time,
        case
            when states.completed_on is null and states.closed_on is null and {{ as_of_date() }} > states.due_on
                then cast({{ dbt.datediff('states.due_on', as_of_date(), 'day') }} as {{ dbt.type_int() }})
        end as days_overdue
    from states
)

select * from final
