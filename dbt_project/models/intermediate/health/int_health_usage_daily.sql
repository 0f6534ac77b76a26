-- Product usage per scored account and day, from the events that happened by the end of that day
-- (occurred_date <= day): active users in the adoption window (default 30 days) and in the window
-- before it, users ever activated (any event so far), average daily active users, core and
-- integration features used (cfg_health_features), and whether the account has any usage
-- history at all (no history = usage components missing, not 0).
--
-- Set-based: from the days each user was active and each feature used (int_health_user_days,
-- int_health_feature_days, kept incrementally), a distinct count over a trailing window is a
-- running sum in which each active day of a user counts until that user's next active day or the
-- window's end, whichever is first (health_trailing_sums).
{%- set lead_in = health_score_change_days() %}
{#- the first day this run computes (one query on an incremental run: health_range.sql) -#}
{%- set range_start = health_range_start(lead_in) %}
{#- the measures of usage_facts, summed over trailing windows (health_trailing_sums) -#}
{%- set usage_measures = ['active_users', 'previous_active_users', 'activated_users', 'user_days', 'core_features_used', 'integration_features_used', 'usage_history'] %}
{#- the usage days (`usage_days`) a target day's windows can reach: after the lookback CTE's first
    event date, up to the range end -#}
{%- set reachable_usage_days -%}
    usage_days.occurred_date > lookback.first_event_date
        and usage_days.occurred_date <= {{ health_range_end() }}
        {%- set scan_start = health_usage_scan_start(range_start) %}
        {%- if scan_start %}
        -- the same bound as a literal, so the scan skips older row groups (health_range.sql)
        and usage_days.occurred_date >= cast('{{ scan_start }}' as date)
        {%- endif %}
{%- endset %}

with

account_days as (
    select * from {{ ref('int_health_account_days') }}
),

all_user_days as (
    select * from {{ ref('int_health_user_days') }}
),

all_feature_days as (
    select * from {{ ref('int_health_feature_days') }}
),

user_first_use as (
    select * from {{ ref('int_health_user_first_use') }}
),

features as (
    select * from {{ ref('cfg_health_features') }}
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

scored_accounts as (
    select distinct account_id
    from target_days
),

-- usage days before this cannot reach a target day's windows
lookback as (
    select {{ health_lookback_start('2 * adoption_window_days', range_start) }} as first_event_date
    from parameters
),

-- the active days of every account, scored or not: the few of unscored accounts only add facts no
-- target day reads, while filtering on the scored accounts made DuckDB build its hash table on the
-- usage (it misjudges the account list as tiny): 11 s of a 54 s first build on the large benchmark
user_days as (
    select
        usage_days.account_id,
        usage_days.user_id,
        usage_days.occurred_date
    from all_user_days as usage_days
    cross join lookback
    where {{ reachable_usage_days }}
),

user_spans as (
    select
        account_id,
        occurred_date,
        {{ health_days_between(
            'occurred_date',
            'lead(occurred_date) over (partition by account_id, user_id order by occurred_date)'
        ) }} as days_to_next_use
    from user_days
),

feature_days as (
    select
        usage_days.account_id,
        usage_days.feature,
        usage_days.occurred_date,
        case when features.is_core then 1 else 0 end as is_core,
        case when features.is_integration then 1 else 0 end as is_integration
    from all_feature_days as usage_days
    cross join lookback
    inner join features
        on usage_days.feature = features.feature
    where (features.is_core or features.is_integration)
        and {{ reachable_usage_days }}
),

feature_spans as (
    select
        account_id,
        occurred_date,
        is_core,
        is_integration,
        {{ health_days_between(
            'occurred_date',
            'lead(occurred_date) over (partition by account_id, feature order by occurred_date)'
        ) }} as days_to_next_use
    from feature_days
),

daily_active_users as (
    select
        account_id,
        occurred_date,
        count(*) as user_days
    from user_days
    group by account_id, occurred_date
),

-- activation and usage history are about all time: the first day of each user of the scored
-- accounts (int_health_user_first_use, kept incrementally); a first day after the range end
-- never reaches a target day (facts count from their fact_date on)
first_user_use as (
    select
        account_id,
        user_id,
        first_use_date
    from user_first_use
    where first_use_date <= {{ health_range_end() }}
        and account_id in (select account_id from scored_accounts)
),

first_usage as (
    select
        account_id,
        min(first_use_date) as first_usage_date
    from first_user_use
    group by account_id
),

usage_facts as (
    -- a user is active in the window from each active day until the next one (or window end)
    select
        user_spans.account_id,
        user_spans.occurred_date as fact_date,
        cast(least(parameters.adoption_window_days, coalesce(user_spans.days_to_next_use, parameters.adoption_window_days)) as {{ dbt.type_int() }}) as window_days,
        {{ health_fact_measures(usage_measures, {'active_users': '1'}) }}
    from user_spans
    cross join parameters

    union all

    -- the same, one window later: the active users of the window before
    select
        user_spans.account_id,
        cast({{ dbt.dateadd('day', 'parameters.adoption_window_days', 'user_spans.occurred_date') }} as date),
        cast(least(parameters.adoption_window_days, coalesce(user_spans.days_to_next_use, parameters.adoption_window_days)) as {{ dbt.type_int() }}),
        {{ health_fact_measures(usage_measures, {'previous_active_users': '1'}) }}
    from user_spans
    cross join parameters

    union all

    -- activated users: every user from the first day they were active on
    select
        account_id,
        first_use_date,
        cast(null as {{ dbt.type_int() }}),
        {{ health_fact_measures(usage_measures, {'activated_users': '1'}) }}
    from first_user_use

    union all

    -- daily active users summed over the window (average DAU = this / window days)
    select
        daily_active_users.account_id,
        daily_active_users.occurred_date,
        cast(parameters.adoption_window_days as {{ dbt.type_int() }}),
        {{ health_fact_measures(usage_measures, {'user_days': 'daily_active_users.user_days'}) }}
    from daily_active_users
    cross join parameters

    union all

    -- distinct core / integration features used in the window
    select
        feature_spans.account_id,
        feature_spans.occurred_date,
        cast(least(parameters.adoption_window_days, coalesce(feature_spans.days_to_next_use, parameters.adoption_window_days)) as {{ dbt.type_int() }}),
        {{ health_fact_measures(usage_measures, {'core_features_used': 'feature_spans.is_core', 'integration_features_used': 'feature_spans.is_integration'}) }}
    from feature_spans
    cross join parameters

    union all

    select
        account_id,
        first_usage_date,
        cast(null as {{ dbt.type_int() }}),
        {{ health_fact_measures(usage_measures, {'usage_history': '1'}) }}
    from first_usage
),

usage_on_target_days as (
    {{ health_trailing_sums(
        'target_days',
        'usage_facts',
        usage_measures
    ) }}
),

core_catalog as (
    select count(*) as core_features_available
    from features
    where is_core
),

final as (
    select
        usage_on_target_days.as_of_date,
        usage_on_target_days.account_id,
        usage_on_target_days.usage_history > 0 as has_usage_history,
        usage_on_target_days.active_users,
        usage_on_target_days.previous_active_users,
        usage_on_target_days.activated_users,
        cast(usage_on_target_days.user_days as {{ health_type_double() }})
            / parameters.adoption_window_days as avg_daily_active_users,
        usage_on_target_days.core_features_used,
        core_catalog.core_features_available,
        usage_on_target_days.integration_features_used
    from usage_on_target_days
    cross join parameters
    cross join core_catalog
)

select * from final
