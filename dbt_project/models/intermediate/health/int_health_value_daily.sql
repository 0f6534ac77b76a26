-- Component `value_realization` ("Can leadership explain the value?") per scored account and
-- day, 0-100 (docs/health.md). A success-plan goal "resolves" on the earlier of its target date
-- and the day it was achieved (never before it was created); known by the end of the day.
--   goals: goals achieved / goals resolved in the goals window (default 365 days); missing
--     when no goal resolved in the window;
--   roi: 100 when a goal achieved in the window has ROI documented, else 0; missing like goals;
--   review: 100 when an executive role attended a completed business review (QBR/EBR,
--     cfg_health_activity_types) in the review window (default 180 days), else 0; missing when
--     no business review was held or planned in the program window (default 365 days).
-- score = weighted mean of the present rules; NULL when all three are missing.
{%- set lead_in = health_score_change_days() %}
{#- the first day this run computes (one query on an incremental run: health_range.sql) -#}
{%- set range_start = health_range_start(lead_in) %}
{#- the sub-scores and their weights: the score's weighted mean and the driver's shortfalls -#}
{%- set weighted_sub_scores = [
    ('goals_score', 'value_goals_weight'),
    ('roi_score', 'value_roi_weight'),
    ('review_score', 'value_review_weight'),
] %}
{#- the measures of value_facts, summed over trailing windows (health_trailing_sums) -#}
{%- set value_measures = ['goals_resolved', 'goals_achieved', 'roi_goals', 'reviews_held', 'executive_reviews'] %}

with

account_days as (
    select * from {{ ref('int_health_account_days') }}
),

goals as (
    select * from {{ ref('stg_crm__goals') }}
),

activities as (
    select * from {{ ref('stg_crm__activities') }}
),

activity_types as (
    select * from {{ ref('cfg_health_activity_types') }}
),

contact_roles as (
    select * from {{ ref('cfg_health_contact_roles') }}
),

parameters as (
    select * from {{ ref('int_health_parameters') }}
),

target_days as (
    select
        account_id,
        as_of_date
    from account_days
    where as_of_date between {{ range_start }} and {{ health_range_end() }}
),

goal_dates as (
    select
        account_id,
        roi_documented,
        cast(achieved_at as date) as achieved_date,
        -- due on the target date, or earlier when achieved earlier; never before creation
        greatest(
            cast(created_at as date),
            case
                when achieved_at is not null and cast(achieved_at as date) < target_date
                    then cast(achieved_at as date)
                else target_date
            end
        ) as resolved_date
    from goals
    where account_id in (select account_id from target_days)
        and target_date is not null
),

resolved_goals as (
    select
        *,
        -- an achievement counts from the day it happened, never before the goal resolved
        case when achieved_date is not null then greatest(achieved_date, resolved_date) end
            as counted_achieved_date
    from goal_dates
),

business_reviews as (
    select
        activities.account_id,
        cast(activities.occurred_at as date) as review_date,
        activities.status,
        activities.attendee_roles
    from activities
    inner join activity_types
        on activities.activity_type = activity_types.activity_type
    where activity_types.is_business_review
        and activities.account_id in (select account_id from target_days)
),

executive_review_days as (
    select distinct
        business_reviews.account_id,
        business_reviews.review_date
    from business_reviews
    inner join contact_roles
        on ';' || replace(business_reviews.attendee_roles, ' ', '') || ';' like '%;' || contact_roles.role || ';%'
    where business_reviews.status = 'completed'
        and contact_roles.is_executive
),

value_facts as (
    -- goals resolved in the window
    select
        resolved_goals.account_id,
        resolved_goals.resolved_date as fact_date,
        cast(parameters.value_goals_window_days as {{ dbt.type_int() }}) as window_days,
        {{ health_fact_measures(value_measures, {'goals_resolved': '1'}) }}
    from resolved_goals
    cross join parameters

    union all

    -- achieved (from the achievement day) while the goal is still in the window
    select
        resolved_goals.account_id,
        resolved_goals.counted_achieved_date,
        cast({{ health_days_between('resolved_goals.counted_achieved_date', 'resolved_goals.resolved_date') }}
            + parameters.value_goals_window_days as {{ dbt.type_int() }}),
        {{ health_fact_measures(value_measures, {'goals_achieved': '1', 'roi_goals': 'case when resolved_goals.roi_documented then 1 else 0 end'}) }}
    from resolved_goals
    cross join parameters
    where resolved_goals.counted_achieved_date is not null

    union all

    -- business reviews held or planned (any status) in the program window
    select
        business_reviews.account_id,
        business_reviews.review_date,
        cast(parameters.value_review_program_window_days as {{ dbt.type_int() }}),
        {{ health_fact_measures(value_measures, {'reviews_held': '1'}) }}
    from business_reviews
    cross join parameters

    union all

    -- business reviews an executive attended, in the review window
    select
        executive_review_days.account_id,
        executive_review_days.review_date,
        cast(parameters.value_review_window_days as {{ dbt.type_int() }}),
        {{ health_fact_measures(value_measures, {'executive_reviews': '1'}) }}
    from executive_review_days
    cross join parameters
),

value_on_target_days as (
    {{ health_trailing_sums(
        'target_days',
        'value_facts',
        value_measures
    ) }}
),

rules as (
    select
        value_on_target_days.*,
        case
            when goals_resolved > 0 then 100.0 * goals_achieved / goals_resolved
        end as goals_score,
        case
            when goals_resolved > 0 then case when roi_goals > 0 then 100.0 else 0.0 end
        end as roi_score,
        case
            when reviews_held > 0 then case when executive_reviews > 0 then 100.0 else 0.0 end
        end as review_score,
        parameters.value_goals_weight,
        parameters.value_roi_weight,
        parameters.value_review_weight,
        parameters.value_goals_window_days,
        parameters.value_review_window_days
    from value_on_target_days
    cross join parameters
),

{{ health_component_ctes('rules', weighted_sub_scores, 'value_realization_score') }},

final as (
    select
        as_of_date,
        account_id,
        value_realization_score,
        {{ health_round_score('goals_score') }} as goals_score,
        {{ health_round_score('roi_score') }} as roi_score,
        {{ health_round_score('review_score') }} as review_score,
        goals_resolved,
        goals_achieved,
        roi_goals,
        reviews_held,
        executive_reviews,
        case
            when value_realization_score is null or worst_shortfall <= 0 then null
            when goals_shortfall = worst_shortfall
                then {{ health_int_text('goals_achieved') }} || ' of '
                    || {{ health_count_text('goals_resolved', 'success-plan goal', 'success-plan goals') }}
                    || ' achieved (due in the last ' || {{ health_int_text('value_goals_window_days') }} || ' days)'
            when review_shortfall = worst_shortfall
                then 'no executive at a QBR/EBR in ' || {{ health_int_text('value_review_window_days') }} || ' days'
            else 'no ROI documented on a goal achieved in ' || {{ health_int_text('value_goals_window_days') }} || ' days'
        end as value_realization_driver
    from scored
)

select * from final
