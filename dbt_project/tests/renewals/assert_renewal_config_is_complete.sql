-- The renewal configuration must give every renewal a tier and a probability: one confidence
-- tier starts at 0 and none below; the quantiles are ordered fractions; missing_health_status is a
-- status of cfg_renewal_probabilities; both outcome probabilities exist and are fractions.

with

tiers as (
    select * from {{ ref('cfg_renewal_confidence_tiers') }}
),

settings as (
    select * from {{ ref('cfg_renewal_settings') }}
),

probabilities as (
    select * from {{ ref('cfg_renewal_probabilities') }}
),

outcome_probabilities as (
    select * from {{ ref('cfg_renewal_outcome_probabilities') }}
),

problems as (
    select 'no confidence tier starts at 0' as problem
    from tiers
    having count(case when min_probability = 0 then 1 end) <> 1
    union all
    select 'a confidence tier starts below 0 or above 1' as problem
    from tiers
    where min_probability < 0 or min_probability > 1
    union all
    select 'missing_health_status has no probability' as problem
    from settings
    where missing_health_status not in (select status from probabilities)
    union all
    select 'risk range quantiles are not 0 < low < 0.5 < high < 1' as problem
    from settings
    where not (risk_range_low_quantile > 0 and risk_range_low_quantile < 0.5
        and risk_range_high_quantile > 0.5 and risk_range_high_quantile < 1)
    union all
    select 'bucket, windows or prior not positive' as problem
    from settings
    where risk_range_bucket_usd <= 0 or forecast_window_days <= 0 or opportunity_match_days < 0
        or calibration_prior_strength < 0 or accuracy_snapshot_tolerance_days < 0
    union all
    select 'an outcome probability is missing' as problem
    from outcome_probabilities
    having count(*) <> 2
    union all
    select 'a probability is not a fraction' as problem
    from outcome_probabilities
    where probability < 0 or probability > 1
    union all
    select 'a configured status probability is not a fraction' as problem
    from probabilities
    where probability < 0 or probability > 1
)

select * from problems
