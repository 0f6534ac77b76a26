-- Does the expansion signal foresee expansions? For every renewal that closed in the history (a
-- subscription term whose end passed, renewed or lost: int_health_renewal_outcomes, the set
-- rpt_health_score_validation reads), the account's expansion_score and is_expansion_ready
-- validation_days_before_renewal (90, int_health_parameters) days before the renewal date, against what happened:
-- expanded = the account's ARR at the end of the renewal day (fct_account_health_daily) is above
-- its ARR on the day the signal was read (a churned account has no row that day: not expanded).
-- Per segment and `all`: expansion rate flagged vs not, lift (rate when flagged / overall rate),
-- precision, recall, and the AUC of expansion_score (rank-based, ties half), as
-- rpt_health_score_validation does for churn.

with

-- the closed renewals and the day 90 days before each: the health validation's own set
-- (int_health_renewal_outcomes), so both validations read the same renewals on the same days
outcomes as (
    select * from {{ ref('int_health_renewal_outcomes') }}
),

signal_days as (
    select * from {{ ref('fct_expansion_signals') }}
),

health_days as (
    select * from {{ ref('fct_account_health_daily') }}
),

parameters as (
    select * from {{ ref('int_health_parameters') }}
),

observations as (
    select
        outcomes.renewal_date,
        signal_days.segment,
        signal_days.expansion_score,
        case when signal_days.is_expansion_ready then 1 else 0 end as flagged,
        case when after_renewal.arr > signal_days.arr then 1 else 0 end as expanded
    from outcomes
    inner join signal_days
        on outcomes.account_id = signal_days.account_id
        and outcomes.scored_on = signal_days.as_of_date
    left join health_days as after_renewal
        on outcomes.account_id = after_renewal.account_id
        and outcomes.renewal_date = after_renewal.as_of_date
),

grouped as (
    select segment, renewal_date, expansion_score, flagged, expanded from observations
    union all
    select 'all', renewal_date, expansion_score, flagged, expanded from observations
),

-- rank-based AUC (Mann-Whitney) within each group: tied scores share their mean rank
ranked as (
    select
        grouped.*,
        rank() over (partition by segment order by expansion_score)
            + (count(*) over (partition by segment, expansion_score) - 1) / 2.0 as score_rank
    from grouped
),

summed as (
    select
        segment,
        count(*) as renewals,
        sum(expanded) as expanded,
        sum(flagged) as flagged,
        sum(flagged * expanded) as flagged_expanded,
        avg(expansion_score) as mean_expansion_score,
        (sum(case when expanded = 1 then score_rank else 0 end) - sum(expanded) * (sum(expanded) + 1) / 2.0)
            / nullif(cast(sum(expanded) as {{ health_type_double() }}) * (count(*) - sum(expanded)), 0) as auc,
        min(renewal_date) as first_renewal_date,
        max(renewal_date) as last_renewal_date
    from ranked
    group by segment
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        summed.segment,
        cast(parameters.validation_days_before_renewal as {{ dbt.type_int() }}) as days_before_renewal,
        cast(summed.renewals as {{ dbt.type_bigint() }}) as renewals,
        cast(summed.expanded as {{ dbt.type_bigint() }}) as expanded,
        cast(summed.flagged as {{ dbt.type_bigint() }}) as flagged,
        cast(summed.flagged_expanded as {{ dbt.type_bigint() }}) as flagged_expanded,
        {{ health_round_rate('cast(summed.expanded as ' ~ health_type_double() ~ ') / nullif(summed.renewals, 0)') }}
            as expansion_rate,
        {{ health_round_rate('cast(summed.flagged_expanded as ' ~ health_type_double() ~ ') / nullif(summed.flagged, 0)') }}
            as expansion_rate_flagged,
        {{ health_round_rate('cast(summed.expanded - summed.flagged_expanded as ' ~ health_type_double() ~ ') / nullif(summed.renewals - summed.flagged, 0)') }}
            as expansion_rate_not_flagged,
        {{ health_round_rate(
            '(cast(summed.flagged_expanded as ' ~ health_type_double() ~ ') / nullif(summed.flagged, 0))'
            ~ ' / nullif(cast(summed.expanded as ' ~ health_type_double() ~ ') / nullif(summed.renewals, 0), 0)'
        ) }} as lift,
        {{ health_round_rate('cast(summed.flagged_expanded as ' ~ health_type_double() ~ ') / nullif(summed.flagged, 0)') }}
            as flag_precision,
        {{ health_round_rate('cast(summed.flagged_expanded as ' ~ health_type_double() ~ ') / nullif(summed.expanded, 0)') }}
            as flag_recall,
        {{ health_round_rate('summed.auc') }} as auc,
        {{ health_round_score('summed.mean_expansion_score') }} as mean_expansion_score,
        summed.first_renewal_date,
        summed.last_renewal_date
    from summed
    cross join parameters
)

select * from final
