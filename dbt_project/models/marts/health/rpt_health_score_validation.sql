-- Does the health score foresee renewals? For every renewal that closed in the history
-- (int_health_renewal_outcomes), the computed score and status 90 days before the renewal date
-- against the outcome: renewal rate per status, the Brier score of the status-based
-- probabilities (cfg_renewal_probabilities) and the AUC of the score (the probability that a
-- renewed account scored higher than a churned one; ties count half), one row per status plus
-- an `all` row.

with

outcomes as (
    select * from {{ ref('int_health_renewal_outcomes') }}
),

probabilities as (
    select * from {{ ref('cfg_renewal_probabilities') }}
),

bands as (
    select * from {{ ref('cfg_health_bands') }}
),

parameters as (
    select * from {{ ref('int_health_parameters') }}
),

scored_outcomes as (
    select
        outcomes.*,
        case when outcomes.renewed then 1 else 0 end as renewed_flag,
        probabilities.probability
    from outcomes
    left join probabilities
        on outcomes.health_status = probabilities.status
),

-- rank-based AUC (Mann-Whitney): average ranks of the scores, ties sharing their mean rank
ranked as (
    select
        *,
        rank() over (order by health_score)
            + (count(*) over (partition by health_score) - 1) / 2.0 as score_rank
    from scored_outcomes
),

overall as (
    select
        'all' as health_status,
        0 as severity_rank,
        count(*) as renewals,
        sum(renewed_flag) as renewed,
        count(*) - sum(renewed_flag) as churned,
        avg(health_score) as mean_health_score,
        avg(probability) as mean_probability,
        avg((probability - renewed_flag) * (probability - renewed_flag)) as brier_score,
        (sum(case when renewed_flag = 1 then score_rank else 0 end)
            - sum(renewed_flag) * (sum(renewed_flag) + 1) / 2.0)
            / nullif(cast(sum(renewed_flag) as {{ health_type_double() }}) * (count(*) - sum(renewed_flag)), 0) as auc,
        min(renewal_date) as first_renewal_date,
        max(renewal_date) as last_renewal_date
    from ranked
),

by_status as (
    select
        bands.health_status,
        bands.severity_rank,
        count(scored_outcomes.renewal_date) as renewals,
        coalesce(sum(scored_outcomes.renewed_flag), 0) as renewed,
        count(scored_outcomes.renewal_date) - coalesce(sum(scored_outcomes.renewed_flag), 0) as churned,
        avg(scored_outcomes.health_score) as mean_health_score,
        max(probabilities.probability) as mean_probability,
        avg((scored_outcomes.probability - scored_outcomes.renewed_flag)
            * (scored_outcomes.probability - scored_outcomes.renewed_flag)) as brier_score,
        cast(null as {{ health_type_double() }}) as auc,
        min(scored_outcomes.renewal_date) as first_renewal_date,
        max(scored_outcomes.renewal_date) as last_renewal_date
    from bands
    left join probabilities
        on bands.health_status = probabilities.status
    left join scored_outcomes
        on bands.health_status = scored_outcomes.health_status
    group by bands.health_status, bands.severity_rank
),

unioned as (
    select * from overall
    union all
    select * from by_status
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        unioned.health_status,
        unioned.severity_rank,
        cast(parameters.validation_days_before_renewal as {{ dbt.type_int() }}) as days_before_renewal,
        cast(unioned.renewals as {{ dbt.type_bigint() }}) as renewals,
        cast(unioned.renewed as {{ dbt.type_bigint() }}) as renewed,
        cast(unioned.churned as {{ dbt.type_bigint() }}) as churned,
        {{ health_round_rate('cast(unioned.renewed as ' ~ health_type_double() ~ ') / nullif(unioned.renewals, 0)') }} as renewal_rate,
        {{ health_round_rate('unioned.mean_probability') }} as predicted_renewal_rate,
        {{ health_round_rate('unioned.brier_score') }} as brier_score,
        {{ health_round_rate('unioned.auc') }} as auc,
        {{ health_round_score('unioned.mean_health_score') }} as mean_health_score,
        unioned.first_renewal_date,
        unioned.last_renewal_date
    from unioned
    cross join parameters
)

select * from final
