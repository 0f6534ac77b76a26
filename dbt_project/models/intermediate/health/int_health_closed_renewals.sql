-- The closed renewals the health score is measured and fitted against, ONE model shared by the
-- component validation (rpt_health_component_validation), the weight fit (int_health_weight_fits),
-- the composite's validation (int_health_renewal_outcomes) and the renewal calibration
-- (int_renewal_calibration_outcomes), so all four judge the score by the same outcomes.
--
-- A closed renewal is one of the renewal area's (int_renewals: a subscription term or unmatched
-- CRM renewal opportunity that renewed or was lost, as known on as_of_date) with ARR up for
-- renewal; renewed = 1 when it renewed, 0 when it was lost. Each carries the account's segment
-- and every component score on scored_on = renewal_date - validation_days_before_renewal (T-90),
-- read from the component models, not from the composite: the fit chooses the composite's weights
-- from these, so they cannot depend on it. is_scored is false when the account had no health row
-- that day (nothing to validate or fit; the calibration reads its own horizon).
{%- set components = health_components() %}

with

renewals as (
    select * from {{ ref('int_renewals') }}
),

account_days as (
    select * from {{ ref('int_health_account_days') }}
),

{% for component, model in components %}
{{ component }} as (
    select * from {{ ref(model) }}
),

{% endfor %}
parameters as (
    select * from {{ ref('int_health_parameters') }}
),

closed_renewals as (
    select
        renewals.renewal_id,
        renewals.account_id,
        renewals.renewal_date,
        renewals.term_months,
        renewals.renewal_arr,
        renewals.actual_renewed_arr,
        renewals.renewal_state,
        case when renewals.renewal_state = 'renewed' then 1 else 0 end as renewed,
        cast({{ dbt.dateadd('day', '-1 * parameters.validation_days_before_renewal', 'renewals.renewal_date') }} as date)
            as scored_on
    from renewals
    cross join parameters
    where renewals.is_closed
        and renewals.renewal_arr > 0
),

final as (
    select
        closed_renewals.renewal_id,
        closed_renewals.account_id,
        closed_renewals.renewal_date,
        closed_renewals.term_months,
        closed_renewals.renewal_arr,
        closed_renewals.actual_renewed_arr,
        closed_renewals.renewal_state,
        closed_renewals.renewed,
        closed_renewals.scored_on,
        account_days.account_id is not null as is_scored,
        account_days.segment,
        {%- for component, model in components %}
        {{ component }}.{{ component }}_score{{ "," if not loop.last }}
        {%- endfor %}
    from closed_renewals
    left join account_days
        on closed_renewals.account_id = account_days.account_id
        and closed_renewals.scored_on = account_days.as_of_date
    {%- for component, model in components %}
    left join {{ component }}
        on account_days.account_id = {{ component }}.account_id
        and account_days.as_of_date = {{ component }}.as_of_date
    {%- endfor %}
)

select * from final
