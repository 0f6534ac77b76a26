-- The closed renewals the probabilities are calibrated on: the closed renewals the health score
-- is validated and its weights fitted on (int_health_closed_renewals: renewed or lost, ARR up for
-- renewal > 0, the same outcomes), with the account's health status `calibration_horizon_days`
-- (T-90) before its date, from fct_account_health_daily. A renewal whose account had no health
-- row that day cannot say anything about the status and is left out; terms shorter than
-- calibration_min_term_months are left out too.

with

renewals as (
    select * from {{ ref('int_health_closed_renewals') }}
),

health_daily as (
    select * from {{ ref('fct_account_health_daily') }}
),

settings as (
    select * from {{ ref('cfg_renewal_settings') }}
),

closed_renewals as (
    select
        renewals.renewal_id,
        renewals.account_id,
        renewals.renewal_date,
        renewals.renewal_arr,
        renewals.actual_renewed_arr,
        renewals.renewed,
        cast({{ dbt.dateadd('day', '-settings.calibration_horizon_days', 'renewals.renewal_date') }} as date)
            as health_date
    from renewals
    cross join settings
    where coalesce(renewals.term_months, settings.calibration_min_term_months) >= settings.calibration_min_term_months
),

final as (
    select
        closed_renewals.renewal_id,
        closed_renewals.account_id,
        closed_renewals.renewal_date,
        closed_renewals.health_date,
        health_daily.health_score,
        health_daily.health_status,
        closed_renewals.renewal_arr,
        closed_renewals.actual_renewed_arr,
        closed_renewals.renewed
    from closed_renewals
    inner join health_daily
        on closed_renewals.account_id = health_daily.account_id
        and closed_renewals.health_date = health_daily.as_of_date
    where health_daily.health_status is not null
        and closed_renewals.health_date <= {{ as_of_date() }}
)

select * from final
