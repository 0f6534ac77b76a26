-- Component `support` per scored account and day, 0-100 (docs/health.md). Tickets count from
-- the day they were opened; a CSAT answer from the day the ticket was closed (when it is known).
--   volume: tickets opened in the recent period (default 30 days) vs the usual number per
--     period, i.e. the tickets of the baseline period before it (default 90 days) scaled to
--     the recent period's length, floored at the minimum baseline: at most usual 100, the zero
--     ratio (default 3x) or more 0, linear between;
--   escalations: 100 minus the escalation penalty per escalated ticket opened in the window
--     (default 90 days; the CRM flag carries no date, so it counts from the opening day);
--   csat: average CSAT (1-5) of tickets closed in the window, 1 = 0 and 5 = 100; missing without
--     an answer.
-- score = weighted mean of the present rules; NULL (missing) for an account that never opened
-- a ticket by the day. Also flags a ticket spike for the alerts.
{%- set lead_in = health_score_change_days() %}
{#- the first day this run computes (one query on an incremental run: health_range.sql) -#}
{%- set range_start = health_range_start(lead_in) %}
{#- the sub-scores and their weights: the score's weighted mean and the driver's shortfalls -#}
{%- set weighted_sub_scores = [
    ('volume_score', 'support_volume_weight'),
    ('escalation_score', 'support_escalation_weight'),
    ('csat_score', 'support_csat_weight'),
] %}
{#- the measures of ticket_facts, summed over trailing windows (health_trailing_sums) -#}
{%- set ticket_measures = ['tickets_ever', 'recent_tickets', 'baseline_tickets', 'escalations', 'csat_answers', 'csat_total'] %}

with

account_days as (
    select * from {{ ref('int_health_account_days') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
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

account_tickets as (
    select
        account_id,
        cast(opened_at as date) as opened_date,
        cast(closed_at as date) as closed_date,
        is_escalated,
        csat_score
    from tickets
    where account_id in (select account_id from target_days)
        and opened_at is not null
),

ticket_facts as (
    -- every ticket ever opened (the component has data)
    select
        account_id,
        opened_date as fact_date,
        cast(null as {{ dbt.type_int() }}) as window_days,
        {{ health_fact_measures(ticket_measures, {'tickets_ever': '1'}) }}
    from account_tickets

    union all

    -- opened in the recent period
    select
        account_tickets.account_id,
        account_tickets.opened_date,
        cast(parameters.support_recent_days as {{ dbt.type_int() }}),
        {{ health_fact_measures(ticket_measures, {'recent_tickets': '1'}) }}
    from account_tickets
    cross join parameters

    union all

    -- opened in the baseline period, which ends where the recent period starts
    select
        account_tickets.account_id,
        cast({{ dbt.dateadd('day', 'parameters.support_recent_days', 'account_tickets.opened_date') }} as date),
        cast(parameters.support_window_days as {{ dbt.type_int() }}),
        {{ health_fact_measures(ticket_measures, {'baseline_tickets': '1'}) }}
    from account_tickets
    cross join parameters

    union all

    -- escalated tickets opened in the window
    select
        account_tickets.account_id,
        account_tickets.opened_date,
        cast(parameters.support_window_days as {{ dbt.type_int() }}),
        {{ health_fact_measures(ticket_measures, {'escalations': '1'}) }}
    from account_tickets
    cross join parameters
    where account_tickets.is_escalated

    union all

    -- CSAT answers of tickets closed in the window
    select
        account_tickets.account_id,
        account_tickets.closed_date,
        cast(parameters.support_window_days as {{ dbt.type_int() }}),
        {{ health_fact_measures(ticket_measures, {'csat_answers': '1', 'csat_total': 'account_tickets.csat_score'}) }}
    from account_tickets
    cross join parameters
    where account_tickets.closed_date is not null
        and account_tickets.csat_score is not null
),

tickets_on_target_days as (
    {{ health_trailing_sums(
        'target_days',
        'ticket_facts',
        ticket_measures
    ) }}
),

measures as (
    select
        tickets_on_target_days.*,
        -- the usual number of tickets per recent period, floored
        greatest(
            cast(tickets_on_target_days.baseline_tickets as {{ health_type_double() }})
                * parameters.support_recent_days / parameters.support_window_days,
            parameters.support_volume_min_baseline
        ) as usual_recent_tickets,
        case
            when tickets_on_target_days.csat_answers > 0
                then cast(tickets_on_target_days.csat_total as {{ health_type_double() }}) / tickets_on_target_days.csat_answers
        end as average_csat
    from tickets_on_target_days
    cross join parameters
),

rules as (
    select
        measures.*,
        measures.recent_tickets / measures.usual_recent_tickets as volume_ratio,
        parameters.support_volume_zero_ratio,
        parameters.support_escalation_penalty_points,
        parameters.support_volume_weight,
        parameters.support_escalation_weight,
        parameters.support_csat_weight,
        parameters.support_recent_days,
        parameters.support_window_days,
        parameters.alert_ticket_spike_min_tickets,
        parameters.alert_ticket_spike_ratio
    from measures
    cross join parameters
),

sub_scores as (
    select
        *,
        case
            when tickets_ever > 0
                then {{ health_linear_score('volume_ratio', 'support_volume_zero_ratio', '1') }}
        end as volume_score,
        case
            when tickets_ever > 0
                then greatest(0.0, 100.0 - support_escalation_penalty_points * escalations)
        end as escalation_score,
        case
            when tickets_ever > 0 and average_csat is not null
                then 100.0 * (average_csat - 1) / 4
        end as csat_score
    from rules
),

{{ health_component_ctes('sub_scores', weighted_sub_scores, 'support_score') }},

final as (
    select
        as_of_date,
        account_id,
        support_score,
        {{ health_round_score('volume_score') }} as volume_score,
        {{ health_round_score('escalation_score') }} as escalation_score,
        {{ health_round_score('csat_score') }} as csat_score,
        tickets_ever,
        recent_tickets,
        baseline_tickets,
        usual_recent_tickets,
        escalations,
        csat_answers,
        average_csat,
        recent_tickets >= alert_ticket_spike_min_tickets
            and recent_tickets >= alert_ticket_spike_ratio * usual_recent_tickets as is_ticket_spike,
        case
            when support_score is null or worst_shortfall <= 0 then null
            when volume_shortfall = worst_shortfall
                then {{ health_count_text('recent_tickets', 'ticket', 'tickets') }} || ' in '
                    || {{ health_int_text('support_recent_days') }} || ' days, '
                    || cast(round(cast(volume_ratio as {{ dbt.type_numeric() }}), 1) as {{ dbt.type_string() }})
                    || 'x the usual'
            when escalation_shortfall = worst_shortfall
                then {{ health_count_text('escalations', 'escalated ticket', 'escalated tickets') }} || ' in '
                    || {{ health_int_text('support_window_days') }} || ' days'
            else 'CSAT ' || cast(round(cast(average_csat as {{ dbt.type_numeric() }}), 1) as {{ dbt.type_string() }})
                || ' of 5 in ' || {{ health_int_text('support_window_days') }} || ' days'
        end as support_driver
    from scored
)

select * from final
