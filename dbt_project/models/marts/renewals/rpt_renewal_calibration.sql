-- Renewal probabilities per health status, configured beside calibrated, with how many closed
-- renewals back each estimate and the Brier score of both on those renewals (mean squared
-- difference between the probability and the outcome 1 = renewed / 0 = lost; lower is better).
-- One row per status plus an `all` row (Brier over every closed renewal). The calibrated Brier
-- is in-sample (the same renewals estimate and score it), so it flatters the calibrated side a
-- little; the shrinkage toward the configured default keeps that small for small counts.

with

probabilities as (
    select * from {{ ref('int_renewal_probabilities') }}
),

outcomes as (
    select * from {{ ref('int_renewal_calibration_outcomes') }}
),

-- The squared errors are averaged as exact decimals: a sum of doubles depends on the order
-- rows arrive in (parallel joins vary it), and identical inputs must give identical marts.
scored as (
    select
        outcomes.health_status,
        outcomes.renewed,
        cast((probabilities.configured_probability - outcomes.renewed)
            * (probabilities.configured_probability - outcomes.renewed) as decimal(38, 18)) as configured_squared_error,
        cast((probabilities.calibrated_probability - outcomes.renewed)
            * (probabilities.calibrated_probability - outcomes.renewed) as decimal(38, 18)) as calibrated_squared_error
    from outcomes
    inner join probabilities
        on outcomes.health_status = probabilities.health_status
),

brier_per_status as (
    select
        health_status,
        cast(avg(configured_squared_error) as {{ health_type_double() }}) as brier_configured,
        cast(avg(calibrated_squared_error) as {{ health_type_double() }}) as brier_calibrated
    from scored
    group by health_status
),

status_rows as (
    select
        probabilities.health_status,
        probabilities.configured_probability,
        probabilities.calibrated_probability,
        probabilities.observed_renewal_rate,
        probabilities.closed_renewals,
        probabilities.renewed_renewals,
        probabilities.prior_strength,
        probabilities.is_reliable,
        probabilities.probability_source,
        probabilities.probability as probability_in_use,
        brier_per_status.brier_configured,
        brier_per_status.brier_calibrated
    from probabilities
    left join brier_per_status
        on probabilities.health_status = brier_per_status.health_status
),

all_row as (
    select
        'all' as health_status,
        cast(null as {{ health_type_double() }}) as configured_probability,
        cast(null as {{ health_type_double() }}) as calibrated_probability,
        {{ revenue_ratio('(select sum(renewed) from scored)', '(select count(*) from scored)') }} as observed_renewal_rate,
        (select count(*) from scored) as closed_renewals,
        (select coalesce(sum(renewed), 0) from scored) as renewed_renewals,
        max(prior_strength) as prior_strength,
        -- the switch rule: every status has enough closed renewals
        min(case when is_reliable then 1 else 0 end) = 1 as is_reliable,
        max(probability_source) as probability_source,
        cast(null as {{ health_type_double() }}) as probability_in_use,
        (select cast(avg(configured_squared_error) as {{ health_type_double() }}) from scored) as brier_configured,
        (select cast(avg(calibrated_squared_error) as {{ health_type_double() }}) from scored) as brier_calibrated
    from probabilities
),

unioned as (
    select * from status_rows
    union all
    select * from all_row
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        health_status,
        configured_probability,
        calibrated_probability,
        observed_renewal_rate,
        cast(closed_renewals as bigint) as closed_renewals,
        cast(renewed_renewals as bigint) as renewed_renewals,
        prior_strength,
        is_reliable,
        probability_source,
        probability_in_use,
        brier_configured,
        brier_calibrated
    from unioned
)

select * from final
