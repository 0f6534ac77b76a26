-- Renewals that closed in the history, each with the account's computed health 90 days
-- (validation_days_before_renewal) before the renewal date: the evidence
-- rpt_health_score_validation and rpt_health_component_validation measure the composite against.
--
-- The closed renewals and their outcomes are int_health_closed_renewals (the one definition the
-- validation, the weight fit and the renewal calibration share); the score is the composite in
-- use that day (fct_account_health_daily: with the weights in force that day, fitted only from
-- renewals that closed before it, so for these renewals it is an out-of-sample prediction). A
-- renewal counts only when the account was scored on the day the score is read.

with

closed_renewals as (
    select * from {{ ref('int_health_closed_renewals') }}
),

health_days as (
    select * from {{ ref('fct_account_health_daily') }}
),

final as (
    select
        closed_renewals.renewal_id,
        closed_renewals.account_id,
        closed_renewals.renewal_date,
        closed_renewals.term_months,
        closed_renewals.scored_on,
        health_days.segment,
        health_days.health_score,
        health_days.computed_health_status as health_status,
        health_days.data_completeness,
        health_days.weights_source,
        closed_renewals.renewed = 1 as renewed
    from closed_renewals
    inner join health_days
        on closed_renewals.account_id = health_days.account_id
        and closed_renewals.scored_on = health_days.as_of_date
)

select * from final
