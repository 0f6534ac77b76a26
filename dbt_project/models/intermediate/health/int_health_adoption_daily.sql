-- Component `adoption` ("How deep is the usage?") per scored account and day, 0-100
-- (docs/health.md), from int_health_usage_daily (events by the end of the day). Window = the
-- adoption window (default 30 days).
--   seats: active users / licensed seats, 100 at the target share; missing without a seat count;
--   stickiness: average daily active users / active users (DAU/MAU), 100 at the target;
--   breadth: core features used / core features in the catalog, 100 at the target share;
--   integrations: 100 when an integration feature was used, else 0;
--   trend: active users vs the window before: no decline 100, the zero-change decline (default
--     -50 %) or worse 0, linear between; missing when the window before had no active user.
-- score = weighted mean of the present rules; NULL (missing) when the account has no usage
-- history at all (telemetry not connected); an account whose usage stopped scores low, not NULL.
{%- set lead_in = health_score_change_days() %}
{#- the first day this run computes (one query on an incremental run: health_range.sql) -#}
{%- set range_start = health_range_start(lead_in) %}
{#- the sub-scores and their weights: the score's weighted mean and the driver's shortfalls -#}
{%- set weighted_sub_scores = [
    ('seat_score', 'adoption_seat_weight'),
    ('stickiness_score', 'adoption_stickiness_weight'),
    ('breadth_score', 'adoption_breadth_weight'),
    ('integration_score', 'adoption_integration_weight'),
    ('trend_score', 'adoption_trend_weight'),
] %}

with

account_days as (
    select * from {{ ref('int_health_account_days') }}
),

usage as (
    select * from {{ ref('int_health_usage_daily') }}
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

measures as (
    select
        target_days.as_of_date,
        target_days.account_id,
        target_days.seats,
        coalesce(usage.has_usage_history, false) as has_usage_history,
        usage.active_users,
        usage.previous_active_users,
        usage.avg_daily_active_users,
        usage.core_features_used,
        usage.core_features_available,
        usage.integration_features_used,
        case
            when usage.previous_active_users > 0
                then cast(usage.active_users as {{ health_type_double() }}) / usage.previous_active_users - 1
        end as active_users_change
    from target_days
    left join usage
        on target_days.account_id = usage.account_id
        and target_days.as_of_date = usage.as_of_date
),

rules as (
    select
        measures.*,
        case
            when has_usage_history and seats > 0
                then {{ health_share_score('active_users', 'seats * parameters.adoption_seat_target_share') }}
        end as seat_score,
        case
            when has_usage_history
                then coalesce({{ health_share_score(
                    'avg_daily_active_users / nullif(active_users, 0)', 'parameters.adoption_stickiness_target'
                ) }}, 0.0)
        end as stickiness_score,
        case
            when has_usage_history
                then {{ health_share_score(
                    'core_features_used', 'core_features_available * parameters.adoption_breadth_target_share'
                ) }}
        end as breadth_score,
        case
            when has_usage_history
                then case when integration_features_used > 0 then 100.0 else 0.0 end
        end as integration_score,
        case
            when has_usage_history and active_users_change is not null
                then {{ health_linear_score('active_users_change', 'parameters.adoption_trend_zero_change', '0') }}
        end as trend_score,
        parameters.adoption_seat_weight,
        parameters.adoption_stickiness_weight,
        parameters.adoption_breadth_weight,
        parameters.adoption_integration_weight,
        parameters.adoption_trend_weight,
        parameters.adoption_window_days
    from measures
    cross join parameters
),

{{ health_component_ctes('rules', weighted_sub_scores, 'adoption_score') }},

final as (
    select
        as_of_date,
        account_id,
        adoption_score,
        {{ health_round_score('seat_score') }} as seat_score,
        {{ health_round_score('stickiness_score') }} as stickiness_score,
        {{ health_round_score('breadth_score') }} as breadth_score,
        {{ health_round_score('integration_score') }} as integration_score,
        {{ health_round_score('trend_score') }} as trend_score,
        has_usage_history,
        active_users,
        previous_active_users,
        active_users_change,
        avg_daily_active_users,
        core_features_used,
        core_features_available,
        integration_features_used,
        seats,
        case
            when adoption_score is null or worst_shortfall <= 0 then null
            when trend_shortfall = worst_shortfall and active_users_change < 0
                then 'active users fell ' || {{ health_int_text('-100 * active_users_change') }} || '% in '
                    || {{ health_int_text('adoption_window_days') }} || ' days ('
                    || {{ health_int_text('previous_active_users') }} || ' to '
                    || {{ health_int_text('active_users') }} || ')'
            when seat_shortfall = worst_shortfall
                then 'only ' || {{ health_int_text('active_users') }} || ' of '
                    || {{ health_count_text('seats', 'licensed seat', 'licensed seats') }} || ' active in '
                    || {{ health_int_text('adoption_window_days') }} || ' days'
            when breadth_shortfall = worst_shortfall
                then {{ health_int_text('core_features_used') }} || ' of '
                    || {{ health_int_text('core_features_available') }} || ' core features used in '
                    || {{ health_int_text('adoption_window_days') }} || ' days'
            when integration_shortfall = worst_shortfall
                then 'no integration used in ' || {{ health_int_text('adoption_window_days') }} || ' days'
            else 'low daily use (DAU/MAU '
                || {{ health_int_text('100 * coalesce(avg_daily_active_users / nullif(active_users, 0), 0)') }} || '%)'
        end as adoption_driver
    from scored
)

select * from final
