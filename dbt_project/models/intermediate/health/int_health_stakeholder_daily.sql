-- Component `stakeholder_coverage` ("Are you in enough rooms?") per scored account and day,
-- 0-100 (docs/health.md). Known by the end of the day: contacts created by then (departed if
-- departed_at is by then), completed activities that occurred by then.
--   roles: distinct customer roles that attended completed activities in the roles window
--     (default 90 days), 100 at the target number of roles (the CRM records roles, not people);
--   champion: 100 when a contact with a champion role is on record and has not departed, else 0;
--   executive: 100 when an executive role (cfg_health_contact_roles) attended a completed
--     activity in the executive window (default 180 days), else 0;
--   penalty: minus the departure penalty while a champion departure is within the departure
--     window (default 90 days).
-- score = max(0, weighted mean of the rules - penalty); NULL (missing) when the account has no
-- contact on record and no completed activity in the executive window.
{%- set lead_in = health_score_change_days() %}
{#- the first day this run computes (one query on an incremental run: health_range.sql) -#}
{%- set range_start = health_range_start(lead_in) %}
{#- the sub-scores and their weights: the score's weighted mean and the driver's shortfalls -#}
{%- set weighted_sub_scores = [
    ('roles_score', 'stakeholder_roles_weight'),
    ('champion_score', 'stakeholder_champion_weight'),
    ('executive_score', 'stakeholder_executive_weight'),
] %}
{#- the measures of stakeholder_facts, summed over trailing windows (health_trailing_sums) -#}
{%- set stakeholder_measures = ['contacts_on_record', 'champions_present', 'champion_departures', 'key_contact_departures', 'roles_engaged', 'executive_attendances', 'completed_activities'] %}

with

account_days as (
    select * from {{ ref('int_health_account_days') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

activities as (
    select * from {{ ref('stg_crm__activities') }}
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

-- completed activities before this cannot reach a target day: they only count within the roles
-- and executive windows (contacts count from their creation on and are all read). A daily run of
-- the large benchmark matched 0.65M attendances of the whole history with the role catalog
-- (0.64 -> 0.29 s standalone)
activity_lookback as (
    select
        {{ health_lookback_start(
            'greatest(stakeholder_roles_window_days, stakeholder_executive_window_days)', range_start
        ) }} as first_activity_date
    from parameters
),

account_contacts as (
    select
        contacts.account_id,
        contacts.role,
        cast(contacts.created_at as date) as created_date,
        cast(contacts.departed_at as date) as departed_date,
        coalesce(contact_roles.is_champion, false) as is_champion,
        coalesce(contact_roles.is_key_contact, false) as is_key_contact
    from contacts
    left join contact_roles
        on contacts.role = contact_roles.role
    where contacts.account_id in (select account_id from target_days)
),

-- one row per completed activity and customer role that attended it (attendee_roles is a
-- ';'-separated list; matched against the role catalog so no engine-specific split is needed)
attended_roles as (
    select
        activities.account_id,
        cast(activities.occurred_at as date) as activity_date,
        contact_roles.role,
        contact_roles.is_executive
    from activities
    cross join activity_lookback
    inner join contact_roles
        on ';' || replace(activities.attendee_roles, ' ', '') || ';' like '%;' || contact_roles.role || ';%'
    where activities.status = 'completed'
        and cast(activities.occurred_at as date) > activity_lookback.first_activity_date
        and activities.account_id in (select account_id from target_days)
),

role_days as (
    select
        account_id,
        role,
        activity_date,
        max(case when is_executive then 1 else 0 end) as is_executive
    from attended_roles
    group by account_id, role, activity_date
),

role_spans as (
    select
        account_id,
        activity_date,
        is_executive,
        {{ health_days_between(
            'activity_date',
            'lead(activity_date) over (partition by account_id, role order by activity_date)'
        ) }} as days_to_next_attendance
    from role_days
),

completed_activity_days as (
    select
        account_id,
        cast(occurred_at as date) as activity_date,
        count(*) as completed_activities
    from activities
    cross join activity_lookback
    where status = 'completed'
        and cast(occurred_at as date) > activity_lookback.first_activity_date
        and account_id in (select account_id from target_days)
    group by account_id, cast(occurred_at as date)
),

stakeholder_facts as (
    -- contacts on record from their creation on
    select
        account_id,
        created_date as fact_date,
        cast(null as {{ dbt.type_int() }}) as window_days,
        {{ health_fact_measures(stakeholder_measures, {'contacts_on_record': '1'}) }}
    from account_contacts

    union all

    -- champions present from creation until the day they depart
    select
        account_id,
        created_date,
        case
            when departed_date is not null
                then cast({{ health_days_between('created_date', 'departed_date') }} as {{ dbt.type_int() }})
        end,
        {{ health_fact_measures(stakeholder_measures, {'champions_present': '1'}) }}
    from account_contacts
    where is_champion

    union all

    -- a champion departure, for the departure window
    select
        account_contacts.account_id,
        account_contacts.departed_date,
        cast(parameters.stakeholder_departure_window_days as {{ dbt.type_int() }}),
        {{ health_fact_measures(stakeholder_measures, {'champion_departures': '1'}) }}
    from account_contacts
    cross join parameters
    where account_contacts.is_champion
        and account_contacts.departed_date is not null

    union all

    -- a key-contact departure, for the alert window
    select
        account_contacts.account_id,
        account_contacts.departed_date,
        cast(parameters.alert_departure_window_days as {{ dbt.type_int() }}),
        {{ health_fact_measures(stakeholder_measures, {'key_contact_departures': '1'}) }}
    from account_contacts
    cross join parameters
    where account_contacts.is_key_contact
        and account_contacts.departed_date is not null

    union all

    -- distinct roles engaged: each attendance counts until the role's next one or the window end
    select
        role_spans.account_id,
        role_spans.activity_date,
        cast(least(
            parameters.stakeholder_roles_window_days,
            coalesce(role_spans.days_to_next_attendance, parameters.stakeholder_roles_window_days)
        ) as {{ dbt.type_int() }}),
        {{ health_fact_measures(stakeholder_measures, {'roles_engaged': '1'}) }}
    from role_spans
    cross join parameters

    union all

    -- executive attendances in the executive window
    select
        role_spans.account_id,
        role_spans.activity_date,
        cast(parameters.stakeholder_executive_window_days as {{ dbt.type_int() }}),
        {{ health_fact_measures(stakeholder_measures, {'executive_attendances': 'role_spans.is_executive'}) }}
    from role_spans
    cross join parameters
    where role_spans.is_executive = 1

    union all

    -- any completed activity in the executive window (the component has data)
    select
        completed_activity_days.account_id,
        completed_activity_days.activity_date,
        cast(parameters.stakeholder_executive_window_days as {{ dbt.type_int() }}),
        {{ health_fact_measures(stakeholder_measures, {'completed_activities': 'completed_activity_days.completed_activities'}) }}
    from completed_activity_days
    cross join parameters
),

stakeholders_on_target_days as (
    {{ health_trailing_sums(
        'target_days',
        'stakeholder_facts',
        stakeholder_measures
    ) }}
),

-- the latest key-contact departure within the alert window, for the alert message (rare rows)
latest_key_departures as (
    select
        account_id,
        as_of_date,
        role as key_contact_departed_role,
        departed_date as key_contact_departed_on
    from (
        select
            target_days.account_id,
            target_days.as_of_date,
            account_contacts.role,
            account_contacts.departed_date,
            row_number() over (
                partition by target_days.account_id, target_days.as_of_date
                order by account_contacts.departed_date desc, account_contacts.role asc
            ) as recency
        from target_days
        cross join parameters
        inner join account_contacts
            on target_days.account_id = account_contacts.account_id
            and account_contacts.is_key_contact
            and account_contacts.departed_date <= target_days.as_of_date
            and account_contacts.departed_date > cast({{ dbt.dateadd(
                'day', '-1 * parameters.alert_departure_window_days', 'target_days.as_of_date'
            ) }} as date)
    ) as ranked
    where recency = 1
),

rules as (
    select
        stakeholders_on_target_days.*,
        case
            when stakeholders_on_target_days.contacts_on_record > 0
                or stakeholders_on_target_days.completed_activities > 0
                then true
            else false
        end as has_data,
        {{ health_share_score('stakeholders_on_target_days.roles_engaged', 'parameters.stakeholder_roles_target') }}
            as roles_score,
        case when stakeholders_on_target_days.champions_present > 0 then 100.0 else 0.0 end as champion_score,
        case when stakeholders_on_target_days.executive_attendances > 0 then 100.0 else 0.0 end as executive_score,
        case
            when stakeholders_on_target_days.champion_departures > 0
                then parameters.stakeholder_departure_penalty_points
            else 0
        end as departure_penalty,
        parameters.stakeholder_roles_weight,
        parameters.stakeholder_champion_weight,
        parameters.stakeholder_executive_weight,
        parameters.stakeholder_roles_window_days,
        parameters.stakeholder_executive_window_days,
        parameters.stakeholder_departure_window_days
    from stakeholders_on_target_days
    cross join parameters
),

{{ health_component_ctes('rules', weighted_sub_scores, 'stakeholder_coverage_score', penalty='departure_penalty', scored_when='has_data') }},

final as (
    select
        scored.as_of_date,
        scored.account_id,
        scored.stakeholder_coverage_score,
        {{ health_round_score('scored.roles_score') }} as roles_score,
        {{ health_round_score('scored.champion_score') }} as champion_score,
        {{ health_round_score('scored.executive_score') }} as executive_score,
        cast(scored.departure_penalty as {{ health_type_double() }}) as departure_penalty,
        scored.contacts_on_record,
        scored.champions_present,
        scored.roles_engaged,
        scored.executive_attendances,
        scored.champion_departures,
        scored.key_contact_departures,
        latest_key_departures.key_contact_departed_role,
        latest_key_departures.key_contact_departed_on,
        case
            when scored.stakeholder_coverage_score is null then null
            when scored.departure_penalty > 0
                then 'champion departed in the last '
                    || {{ health_int_text('scored.stakeholder_departure_window_days') }} || ' days'
            when scored.worst_shortfall <= 0 then null
            when scored.champion_shortfall = scored.worst_shortfall then 'no champion on record'
            when scored.executive_shortfall = scored.worst_shortfall
                then 'no executive sponsor or economic buyer engaged in '
                    || {{ health_int_text('scored.stakeholder_executive_window_days') }} || ' days'
            else 'only ' || {{ health_count_text('scored.roles_engaged', 'customer role', 'customer roles') }} || ' engaged in '
                || {{ health_int_text('scored.stakeholder_roles_window_days') }} || ' days'
        end as stakeholder_coverage_driver
    from scored
    left join latest_key_departures
        on scored.account_id = latest_key_departures.account_id
        and scored.as_of_date = latest_key_departures.as_of_date
)

select * from final
