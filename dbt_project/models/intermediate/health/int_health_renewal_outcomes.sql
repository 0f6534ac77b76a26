-- Renewals that closed in the history, each with the account's computed health 90 days
-- (validation_days_before_renewal) before the renewal date: the evidence
-- rpt_health_score_validation measures the score against.
--
-- A renewal is a subscription term whose end date has passed (int_renewal_subscription_terms,
-- the renewal area's term reconstruction, one row per subscription term): terms that renewed or
-- were lost at their end. Outcome: renewed when the account still had MRR > 0 at the end of the
-- term-end day (it is then in int_health_account_days), churned otherwise. A renewal counts only
-- when the account was scored on the day the score is read.

with

subscription_terms as (
    select * from {{ ref('int_renewal_subscription_terms') }}
),

account_days as (
    select * from {{ ref('int_health_account_days') }}
),

health_days as (
    select * from {{ ref('fct_account_health_daily') }}
),

parameters as (
    select * from {{ ref('int_health_parameters') }}
),

closed_renewals as (
    select
        subscription_terms.subscription_id,
        subscription_terms.account_id,
        subscription_terms.term_end_date as renewal_date,
        subscription_terms.term_months,
        cast({{ dbt.dateadd(
            'day', '-1 * parameters.validation_days_before_renewal', 'subscription_terms.term_end_date'
        ) }} as date) as scored_on
    from subscription_terms
    cross join parameters
    where subscription_terms.term_state in ('renewed', 'lost')
        and subscription_terms.term_end_date < {{ as_of_date() }}
),

final as (
    select
        closed_renewals.subscription_id,
        closed_renewals.account_id,
        closed_renewals.renewal_date,
        closed_renewals.term_months,
        closed_renewals.scored_on,
        health_days.segment,
        health_days.health_score,
        health_days.computed_health_status as health_status,
        health_days.data_completeness,
        account_days.account_id is not null as renewed
    from closed_renewals
    inner join health_days
        on closed_renewals.account_id = health_days.account_id
        and closed_renewals.scored_on = health_days.as_of_date
    left join account_days
        on closed_renewals.account_id = account_days.account_id
        and closed_renewals.renewal_date = account_days.as_of_date
)

select * from final
