-- The renewal forecast as of as_of_date: one row per open renewal (a subscription's current term,
-- or a CRM renewal opportunity matching no term) whose renewal date is in the forecast window
-- (int_renewal_window), overdue ones included; closed renewals and subscriptions that churned
-- before their term end are not here.
--
-- Probability: a cancellation notice (billing cancel_at_term_end or the renewal opportunity
-- closed_lost) and an opportunity already closed_won take cfg_renewal_outcome_probabilities;
-- otherwise the probability of the account's health status on as_of_date
-- (int_renewal_probabilities: configured or calibrated by the var renewal_probability_source);
-- without a health row that day, the probability of cfg_renewal_settings.missing_health_status.
-- Tier, stage and escalation come from their seeds.

with

renewals as (
    select * from {{ ref('int_renewals') }}
),

forecast_window as (
    select * from {{ ref('int_renewal_window') }}
),

health_daily as (
    select * from {{ ref('fct_account_health_daily') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

probabilities as (
    select * from {{ ref('int_renewal_probabilities') }}
),

outcome_probabilities as (
    select * from {{ ref('cfg_renewal_outcome_probabilities') }}
),

tiers as (
    select * from {{ ref('cfg_renewal_confidence_tiers') }}
),

stages as (
    select * from {{ ref('cfg_renewal_stages') }}
),

escalation_rules as (
    select * from {{ ref('cfg_renewal_escalation_rules') }}
),

settings as (
    select * from {{ ref('cfg_renewal_settings') }}
),

health_on_as_of_date as (
    select *
    from health_daily
    where as_of_date = {{ as_of_date() }}
),

renewals_in_window as (
    select
        forecast_window.as_of_date,
        renewals.*,
        {{ dbt.datediff('forecast_window.as_of_date', 'renewals.renewal_date', 'day') }} as days_to_renewal,
        renewals.renewal_date between forecast_window.quarter_start and forecast_window.quarter_end
            as is_in_current_quarter
    from renewals
    cross join forecast_window
    where renewals.is_open
        and renewals.renewal_date between forecast_window.window_start and forecast_window.window_end
),

with_health as (
    select
        renewals_in_window.*,
        accounts.segment,
        cast(health_on_as_of_date.health_score as {{ health_type_double() }}) as health_score,
        health_on_as_of_date.health_status,
        coalesce(health_on_as_of_date.health_status, settings.missing_health_status) as probability_status
    from renewals_in_window
    cross join settings
    left join accounts
        on renewals_in_window.account_id = accounts.account_id
    left join health_on_as_of_date
        on renewals_in_window.account_id = health_on_as_of_date.account_id
),

with_probability as (
    select
        with_health.*,
        case
            when with_health.has_cancellation_notice then 'cancellation_notice'
            when with_health.opportunity_stage = 'closed_won' then 'closed_won'
            when with_health.health_status is null then 'health_status_missing'
            else 'health_status'
        end as probability_basis,
        probabilities.probability_source,
        cast(round(case
            when with_health.has_cancellation_notice then notice.probability
            when with_health.opportunity_stage = 'closed_won' then won.probability
            else probabilities.probability
        end, 6) as decimal(9, 6)) as renewal_probability
    from with_health
    left join probabilities
        on with_health.probability_status = probabilities.health_status
    left join outcome_probabilities as notice
        on notice.probability_basis = 'cancellation_notice'
    left join outcome_probabilities as won
        on won.probability_basis = 'closed_won'
),

-- the tier with the highest lower bound the probability reaches
tiered as (
    select
        with_probability.renewal_id,
        tiers.confidence_tier,
        row_number() over (partition by with_probability.renewal_id order by tiers.min_probability desc) as tier_rank
    from with_probability
    inner join tiers
        on with_probability.renewal_probability >= tiers.min_probability
),

-- the stage with the smallest upper bound the days do not exceed; beyond every bound, the last
staged as (
    select
        with_probability.renewal_id,
        stages.renewal_stage,
        row_number() over (
            partition by with_probability.renewal_id
            order by
                case when with_probability.days_to_renewal <= stages.max_days_to_renewal then 0 else 1 end,
                case
                    when with_probability.days_to_renewal <= stages.max_days_to_renewal
                        then stages.max_days_to_renewal
                    else -stages.max_days_to_renewal
                end
        ) as stage_rank
    from with_probability
    cross join stages
),

escalated as (
    select
        with_probability.renewal_id,
        escalation_rules.escalation_level,
        row_number() over (partition by with_probability.renewal_id order by escalation_rules.priority) as escalation_rank
    from with_probability
    inner join escalation_rules
        on (escalation_rules.on_cancellation_notice and with_probability.has_cancellation_notice)
        or (
            not escalation_rules.on_cancellation_notice
            and with_probability.health_score is not null
            and with_probability.days_to_renewal <= escalation_rules.max_days_to_renewal
            and (escalation_rules.min_health_score is null or with_probability.health_score >= escalation_rules.min_health_score)
            and (escalation_rules.max_health_score is null or with_probability.health_score < escalation_rules.max_health_score)
        )
),

final as (
    select
        with_probability.as_of_date,
        with_probability.renewal_id,
        with_probability.account_id,
        with_probability.subscription_id,
        with_probability.opportunity_id,
        with_probability.renewal_source,
        with_probability.renewal_date,
        with_probability.days_to_renewal,
        with_probability.is_in_current_quarter,
        with_probability.term_months,
        with_probability.segment,
        with_probability.renewal_arr,
        with_probability.health_score,
        with_probability.health_status,
        with_probability.has_cancellation_notice,
        with_probability.opportunity_stage,
        with_probability.probability_basis,
        with_probability.probability_source,
        with_probability.renewal_probability,
        cast(with_probability.renewal_arr * with_probability.renewal_probability as decimal(18, 4)) as expected_arr,
        tiered.confidence_tier,
        staged.renewal_stage,
        escalated.escalation_level
    from with_probability
    left join tiered
        on with_probability.renewal_id = tiered.renewal_id
        and tiered.tier_rank = 1
    left join staged
        on with_probability.renewal_id = staged.renewal_id
        and staged.stage_rank = 1
    left join escalated
        on with_probability.renewal_id = escalated.renewal_id
        and escalated.escalation_rank = 1
)

select * from final
