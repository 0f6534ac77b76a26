-- The T-90 renewal motion as of as_of_date (docs/success.md, "The renewal motion"): one row per
-- renewal of fct_renewal_forecast and checkpoint of cfg_renewal_motion_checkpoints, so every
-- renewal in the forecast has all of them. A checkpoint is done on the first day its evidence is
-- known by the end of the as-of day (a stakeholder map holding the named roles on a scored day,
-- a completed activity of the named types with the named role attending, or the renewal's CRM
-- opportunity created / closed_won), counted from the day the checkpoint opens. Not done: due
-- until its deadline, overdue after it, missed once missed_days_before_renewal has passed too.
-- An overdue or missed checkpoint raises the renewal's escalation to at least the checkpoint's
-- overdue_escalation_level (priorities of cfg_renewal_escalation_rules: lower = more urgent).

with

forecast as (
    select * from {{ ref('fct_renewal_forecast') }}
),

checkpoints as (
    select * from {{ ref('cfg_renewal_motion_checkpoints') }}
),

escalation_rules as (
    select * from {{ ref('cfg_renewal_escalation_rules') }}
),

activities as (
    select * from {{ ref('stg_crm__activities') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

health_daily as (
    select * from {{ ref('fct_account_health_daily') }}
),

renewal_checkpoints as (
    select
        forecast.as_of_date,
        forecast.renewal_id,
        forecast.account_id,
        forecast.subscription_id,
        forecast.opportunity_id,
        forecast.opportunity_stage,
        forecast.renewal_date,
        forecast.days_to_renewal,
        forecast.term_months,
        forecast.renewal_arr,
        forecast.escalation_level as forecast_escalation_level,
        checkpoints.checkpoint,
        checkpoints.checkpoint_order,
        checkpoints.description as checkpoint_description,
        checkpoints.contact_roles,
        checkpoints.activity_types,
        checkpoints.activity_role,
        checkpoints.opportunity_evidence,
        checkpoints.overdue_escalation_level,
        cast({{ dbt.dateadd('day', '-checkpoints.opens_days_before_renewal', 'forecast.renewal_date') }} as date) as opens_on,
        cast({{ dbt.dateadd('day', '-checkpoints.due_days_before_renewal', 'forecast.renewal_date') }} as date) as due_on,
        cast({{ dbt.dateadd('day', '-checkpoints.missed_days_before_renewal', 'forecast.renewal_date') }} as date)
            as missed_after,
        coalesce(forecast.term_months >= checkpoints.min_term_months, true) as is_required
    from forecast
    cross join checkpoints
),

-- a completed activity of the checkpoint's types, with its role attending, since it opened
activity_evidence as (
    select
        renewal_checkpoints.renewal_id,
        renewal_checkpoints.checkpoint,
        cast(activities.occurred_at as date) as evidence_on,
        activities.activity_type || coalesce(' with the ' || replace(renewal_checkpoints.activity_role, '_', ' '), '')
            || ' on ' || cast(cast(activities.occurred_at as date) as {{ dbt.type_string() }}) as evidence
    from renewal_checkpoints
    inner join activities
        on renewal_checkpoints.account_id = activities.account_id
        and activities.status = 'completed'
        and activities.occurred_at < {{ health_day_end('renewal_checkpoints.as_of_date') }}
        and cast(activities.occurred_at as date) >= renewal_checkpoints.opens_on
        and ';' || replace(renewal_checkpoints.activity_types, ' ', '') || ';' like '%;' || activities.activity_type || ';%'
        and (
            renewal_checkpoints.activity_role is null
            or ';' || replace(coalesce(activities.attendee_roles, ''), ' ', '') || ';'
                like '%;' || renewal_checkpoints.activity_role || ';%'
        )
    where renewal_checkpoints.activity_types is not null
),

-- the renewal's CRM opportunity: created (the commercial conversation exists) or closed_won
-- (signed) by the as-of day; fct_renewal_forecast's stage is already as of that day
opportunity_evidence as (
    select
        renewal_checkpoints.renewal_id,
        renewal_checkpoints.checkpoint,
        case renewal_checkpoints.opportunity_evidence
            when 'created' then cast(opportunities.created_at as date)
            else opportunities.close_date
        end as evidence_on,
        'renewal opportunity ' || opportunities.opportunity_id
            || case renewal_checkpoints.opportunity_evidence when 'created' then ' created on ' else ' signed on ' end
            || cast(case renewal_checkpoints.opportunity_evidence
                when 'created' then cast(opportunities.created_at as date)
                else opportunities.close_date
            end as {{ dbt.type_string() }}) as evidence
    from renewal_checkpoints
    inner join opportunities
        on renewal_checkpoints.opportunity_id = opportunities.opportunity_id
        and opportunities.created_at < {{ health_day_end('renewal_checkpoints.as_of_date') }}
    where renewal_checkpoints.opportunity_evidence = 'created'
        or (renewal_checkpoints.opportunity_evidence = 'closed_won' and renewal_checkpoints.opportunity_stage = 'closed_won')
),

-- the scored days the stakeholder checkpoints can read (not the whole daily history)
scored_days as (
    select
        health_daily.as_of_date,
        health_daily.account_id
    from health_daily
    where health_daily.as_of_date <= {{ as_of_date() }}
        and health_daily.as_of_date >= (select min(opens_on) from renewal_checkpoints where contact_roles is not null)
),

-- days the account is scored and every named role is on the stakeholder map at the end of the day
stakeholder_days as (
    select
        renewal_checkpoints.renewal_id,
        renewal_checkpoints.checkpoint,
        health_daily.as_of_date as evidence_on,
        max(
            length(renewal_checkpoints.contact_roles) - length(replace(renewal_checkpoints.contact_roles, ';', '')) + 1
        ) as roles_required,
        count(distinct contacts.role) as roles_present
    from renewal_checkpoints
    inner join scored_days as health_daily
        on renewal_checkpoints.account_id = health_daily.account_id
        and health_daily.as_of_date between renewal_checkpoints.opens_on and renewal_checkpoints.as_of_date
    inner join contacts
        on renewal_checkpoints.account_id = contacts.account_id
        and ';' || replace(renewal_checkpoints.contact_roles, ' ', '') || ';' like '%;' || contacts.role || ';%'
        and contacts.created_at < {{ health_day_end('health_daily.as_of_date') }}
        and (contacts.departed_at is null or contacts.departed_at >= {{ health_day_end('health_daily.as_of_date') }})
    where renewal_checkpoints.contact_roles is not null
    group by renewal_checkpoints.renewal_id, renewal_checkpoints.checkpoint, health_daily.as_of_date
),

stakeholder_evidence as (
    select
        renewal_id,
        checkpoint,
        evidence_on,
        'health scored and stakeholder map complete on ' || cast(evidence_on as {{ dbt.type_string() }}) as evidence
    from stakeholder_days
    where roles_present = roles_required
),

evidence as (
    select * from activity_evidence
    union all
    select * from opportunity_evidence
    union all
    select * from stakeholder_evidence
),

first_evidence as (
    select
        renewal_id,
        checkpoint,
        evidence_on,
        evidence
    from (
        select
            evidence.*,
            row_number() over (
                partition by evidence.renewal_id, evidence.checkpoint
                order by evidence.evidence_on, evidence.evidence
            ) as evidence_rank
        from evidence
    ) as ranked
    where evidence_rank = 1
),

states as (
    select
        renewal_checkpoints.*,
        first_evidence.evidence_on,
        first_evidence.evidence,
        case
            when not renewal_checkpoints.is_required then 'not_required'
            when first_evidence.evidence_on is not null then 'done'
            when renewal_checkpoints.as_of_date <= renewal_checkpoints.due_on then 'due'
            when renewal_checkpoints.as_of_date <= renewal_checkpoints.missed_after then 'overdue'
            else 'missed'
        end as checkpoint_state
    from renewal_checkpoints
    left join first_evidence
        on renewal_checkpoints.renewal_id = first_evidence.renewal_id
        and renewal_checkpoints.checkpoint = first_evidence.checkpoint
),

-- the renewal's escalation: the most urgent of the forecast's and its late checkpoints'
renewal_escalation as (
    select
        states.renewal_id,
        min(case when states.checkpoint_state in ('overdue', 'missed') then motion_rule.priority end) as motion_priority,
        min(forecast_rule.priority) as forecast_priority,
        count(case when states.checkpoint_state in ('overdue', 'missed') then 1 end) as late_checkpoints
    from states
    left join escalation_rules as motion_rule
        on states.overdue_escalation_level = motion_rule.escalation_level
    left join escalation_rules as forecast_rule
        on states.forecast_escalation_level = forecast_rule.escalation_level
    group by states.renewal_id
),

escalation_levels as (
    select
        renewal_escalation.renewal_id,
        renewal_escalation.late_checkpoints,
        motion_level.escalation_level as motion_escalation_level,
        combined_level.escalation_level as combined_escalation_level
    from renewal_escalation
    left join escalation_rules as motion_level
        on renewal_escalation.motion_priority = motion_level.priority
    left join escalation_rules as combined_level
        -- least() skips NULLs: either side alone decides when the other has no level
        on least(renewal_escalation.motion_priority, renewal_escalation.forecast_priority) = combined_level.priority
),

final as (
    select
        states.as_of_date,
        states.renewal_id,
        states.checkpoint,
        cast(states.checkpoint_order as {{ dbt.type_int() }}) as checkpoint_order,
        states.checkpoint_description,
        states.account_id,
        states.subscription_id,
        states.opportunity_id,
        states.renewal_date,
        states.days_to_renewal,
        states.renewal_arr,
        states.opens_on,
        states.due_on,
        states.missed_after,
        states.checkpoint_state,
        states.evidence_on as completed_on,
        case when states.checkpoint_state = 'done' then states.evidence_on <= states.due_on end as is_done_on_time,
        states.evidence,
        case
            when states.checkpoint_state in ('overdue', 'missed')
                then cast({{ dbt.datediff('states.due_on', 'states.as_of_date', 'day') }} as {{ dbt.type_int() }})
        end as days_overdue,
        case when states.checkpoint_state in ('overdue', 'missed') then states.overdue_escalation_level end
            as checkpoint_escalation_level,
        cast(escalation_levels.late_checkpoints as {{ dbt.type_int() }}) as late_checkpoints,
        escalation_levels.late_checkpoints = 0 as is_motion_on_track,
        states.forecast_escalation_level,
        escalation_levels.motion_escalation_level,
        escalation_levels.combined_escalation_level as escalation_level
    from states
    inner join escalation_levels
        on states.renewal_id = escalation_levels.renewal_id
)

select * from final
