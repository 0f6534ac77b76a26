-- Which signals foresee this company's renewals? For every renewal that closed in the history
-- (int_health_closed_renewals, shared with the weight fit and the renewal calibration), each
-- component's score 90 days before the renewal date against the outcome, plus the composite in
-- use that day (int_health_renewal_component_scores). One row per segment (and `all`) x component (and
-- `composite`) x band: the `all` band carries the AUC (rank-based Mann-Whitney among the renewals
-- where the component was present: the probability that a renewed one scored higher than a lost
-- one, ties half), the coverage (share of the renewals where the component was present) and
-- whether the component carries signal (cfg_health_weight_fit: AUC >= signal_min_auc on at least
-- signal_min_churned lost renewals); the band rows (cfg_health_bands applied to the component's
-- score) the renewal rate of the renewals whose component scored in the band.

with

component_scores as (
    select * from {{ ref('int_health_renewal_component_scores') }}
),

bands as (
    select * from {{ ref('cfg_health_bands') }}
),

settings as (
    select * from {{ ref('cfg_health_weight_fit') }}
),

with_all_segments as (
    select segment, component, renewed, renewal_date, score from component_scores
    union all
    select 'all' as segment, component, renewed, renewal_date, score from component_scores
),

-- ranks among the renewals where the component was present, tied scores sharing their mean rank
ranked as (
    select
        *,
        case when score is not null then
            rank() over (partition by segment, component, score is null order by score)
                + (count(*) over (partition by segment, component, score) - 1) / 2.0
        end as score_rank
    from with_all_segments
),

overall as (
    select
        segment,
        component,
        'all' as band,
        0 as band_rank,
        cast(null as {{ health_type_double() }}) as band_min_score,
        count(*) as renewals,
        count(score) as renewals_with_component,
        sum(renewed) as renewed,
        count(*) - sum(renewed) as churned,
        sum(case when score is not null then 1 - renewed else 0 end) as churned_with_component,
        avg(score) as mean_score,
        (sum(case when score is not null and renewed = 1 then score_rank else 0 end)
            - sum(case when score is not null then renewed else 0 end)
            * (sum(case when score is not null then renewed else 0 end) + 1) / 2.0)
            / nullif(
                cast(sum(case when score is not null then renewed else 0 end) as {{ health_type_double() }})
                * sum(case when score is not null then 1 - renewed else 0 end),
                0
            ) as auc,
        min(renewal_date) as first_renewal_date,
        max(renewal_date) as last_renewal_date
    from ranked
    group by segment, component
),

band_ranges as (
    select
        health_status,
        severity_rank,
        min_score,
        lead(min_score) over (order by min_score) as next_min_score
    from bands
),

-- every segment x component with every band, so an empty band shows 0 renewals
segment_components as (
    select distinct segment, component from with_all_segments
),

by_band as (
    select
        segment_components.segment,
        segment_components.component,
        band_ranges.health_status as band,
        band_ranges.severity_rank as band_rank,
        cast(band_ranges.min_score as {{ health_type_double() }}) as band_min_score,
        count(with_all_segments.renewed) as renewals,
        count(with_all_segments.renewed) as renewals_with_component,
        coalesce(sum(with_all_segments.renewed), 0) as renewed,
        count(with_all_segments.renewed) - coalesce(sum(with_all_segments.renewed), 0) as churned,
        count(with_all_segments.renewed) - coalesce(sum(with_all_segments.renewed), 0) as churned_with_component,
        avg(with_all_segments.score) as mean_score,
        cast(null as {{ health_type_double() }}) as auc,
        min(with_all_segments.renewal_date) as first_renewal_date,
        max(with_all_segments.renewal_date) as last_renewal_date
    from segment_components
    cross join band_ranges
    left join with_all_segments
        on segment_components.segment = with_all_segments.segment
        and segment_components.component = with_all_segments.component
        and with_all_segments.score >= band_ranges.min_score
        and (band_ranges.next_min_score is null or with_all_segments.score < band_ranges.next_min_score)
    group by
        segment_components.segment,
        segment_components.component,
        band_ranges.health_status,
        band_ranges.severity_rank,
        band_ranges.min_score
),

unioned as (
    select * from overall
    union all
    select * from by_band
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        unioned.segment,
        unioned.component,
        unioned.band,
        cast(unioned.band_rank as {{ dbt.type_int() }}) as band_rank,
        unioned.band_min_score,
        cast(unioned.renewals as {{ dbt.type_bigint() }}) as renewals,
        cast(unioned.renewals_with_component as {{ dbt.type_bigint() }}) as renewals_with_component,
        cast(unioned.renewed as {{ dbt.type_bigint() }}) as renewed,
        cast(unioned.churned as {{ dbt.type_bigint() }}) as churned,
        {{ health_round_rate('cast(unioned.renewed as ' ~ health_type_double() ~ ') / nullif(unioned.renewals, 0)') }}
            as renewal_rate,
        case when unioned.band = 'all' then
            {{ health_round_rate(
                'cast(unioned.renewals_with_component as ' ~ health_type_double() ~ ') / nullif(unioned.renewals, 0)'
            ) }}
        end as coverage,
        {{ health_round_rate('unioned.auc') }} as auc,
        case when unioned.band = 'all' then
            coalesce(unioned.auc >= settings.signal_min_auc
                and unioned.churned_with_component >= settings.signal_min_churned, false)
        end as carries_signal,
        {{ health_round_score('unioned.mean_score') }} as mean_score,
        unioned.first_renewal_date,
        unioned.last_renewal_date
    from unioned
    cross join settings
)

select * from final
