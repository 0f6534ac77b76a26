-- Component `deployment` ("Are they set up?") per scored account and day, 0-100 (docs/health.md):
--   milestones: onboarding milestones due by the day (due_date <= day): 100 x (completed by the
--     due date + late credit x completed later, by the day) / due; missing when none is due yet;
--   activation: users ever active (any event by the day) / licensed seats, 100 at the target
--     share (how far the licence was rolled out); missing without a seat count or usage history.
-- score = weighted mean of the present rules (cfg_health_parameters); NULL when both are missing.
{%- set lead_in = health_score_change_days() %}
{#- the first day this run computes (one query on an incremental run: health_range.sql) -#}
{%- set range_start = health_range_start(lead_in) %}
{#- the sub-scores and their weights: the score's weighted mean and the driver's shortfalls -#}
{%- set weighted_sub_scores = [
    ('milestones_score', 'deployment_milestones_weight'),
    ('activation_score', 'deployment_activation_weight'),
] %}

with

account_days as (
    select * from {{ ref('int_health_account_days') }}
),

usage as (
    select * from {{ ref('int_health_usage_daily') }}
),

milestones as (
    select * from {{ ref('stg_crm__milestones') }}
),

parameters as (
    select * from {{ ref('int_health_parameters') }}
),

target_days as (
    select
        account_id,
        as_of_date,
        seats
    from account_days
    where as_of_date between {{ range_start }} and {{ health_range_end() }}
),

-- a milestone is due from its due date on; completed on time when completed_at falls before the
-- end of the due date; a late completion counts from the day it happened
milestone_facts as (
    select
        account_id,
        due_date as fact_date,
        cast(null as {{ dbt.type_int() }}) as window_days,
        1 as milestones_due,
        case when completed_at < {{ health_day_end('due_date') }} then 1 else 0 end as milestones_on_time,
        0 as milestones_late
    from milestones
    where account_id in (select account_id from target_days)

    union all

    select
        account_id,
        cast(completed_at as date) as fact_date,
        cast(null as {{ dbt.type_int() }}) as window_days,
        0 as milestones_due,
        0 as milestones_on_time,
        1 as milestones_late
    from milestones
    where completed_at >= {{ health_day_end('due_date') }}
        and account_id in (select account_id from target_days)
),

milestones_on_target_days as (
    {{ health_trailing_sums(
        'target_days',
        'milestone_facts',
        ['milestones_due', 'milestones_on_time', 'milestones_late']
    ) }}
),

rules as (
    select
        target_days.as_of_date,
        target_days.account_id,
        target_days.seats,
        milestones_on_target_days.milestones_due,
        milestones_on_target_days.milestones_on_time,
        milestones_on_target_days.milestones_late,
        usage.activated_users,
        case
            when milestones_on_target_days.milestones_due > 0
                then 100.0 * (
                    milestones_on_target_days.milestones_on_time
                    + parameters.deployment_late_milestone_credit * milestones_on_target_days.milestones_late
                ) / milestones_on_target_days.milestones_due
        end as milestones_score,
        case
            when target_days.seats > 0 and usage.has_usage_history
                then {{ health_share_score(
                    'usage.activated_users',
                    'target_days.seats * parameters.deployment_activation_target_share'
                ) }}
        end as activation_score,
        parameters.deployment_milestones_weight,
        parameters.deployment_activation_weight
    from target_days
    cross join parameters
    left join milestones_on_target_days
        on target_days.account_id = milestones_on_target_days.account_id
        and target_days.as_of_date = milestones_on_target_days.as_of_date
    left join usage
        on target_days.account_id = usage.account_id
        and target_days.as_of_date = usage.as_of_date
),

{{ health_component_ctes('rules', weighted_sub_scores, 'deployment_score') }},

final as (
    select
        as_of_date,
        account_id,
        deployment_score,
        {{ health_round_score('milestones_score') }} as milestones_score,
        {{ health_round_score('activation_score') }} as activation_score,
        milestones_due,
        milestones_on_time,
        milestones_late,
        activated_users,
        seats,
        case
            when deployment_score is null or worst_shortfall <= 0 then null
            when milestones_shortfall = worst_shortfall
                then {{ health_int_text('milestones_on_time') }} || ' of '
                    || {{ health_int_text('milestones_due') }} || ' onboarding milestones done on time'
            else 'only ' || {{ health_int_text('activated_users') }} || ' of '
                || {{ health_count_text('seats', 'licensed seat', 'licensed seats') }} || ' ever activated'
        end as deployment_driver
    from scored
)

select * from final
