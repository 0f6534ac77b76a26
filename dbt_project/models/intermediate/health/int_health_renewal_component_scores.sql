-- Every closed renewal's score 90 days before it, per component and for the composite in use
-- that day, in one long frame (segment, component, outcome, score; score NULL = the component
-- was missing): what rpt_health_component_validation measures. Components from
-- int_health_closed_renewals, the composite from int_health_renewal_outcomes; only the renewals
-- fct_account_health_daily scored on their T-90 day, so every row compares the same renewals.
{%- set components = health_components() %}

with

composite_outcomes as (
    select * from {{ ref('int_health_renewal_outcomes') }}
),

-- the same renewals for every component and the composite: those the daily mart scored
closed_renewals as (
    select closed.*
    from {{ ref('int_health_closed_renewals') }} as closed
    inner join composite_outcomes
        on closed.renewal_id = composite_outcomes.renewal_id
),

final as (
    {%- for component, model in components %}
    select
        renewal_id,
        segment,
        '{{ component }}' as component,
        renewed,
        renewal_date,
        {{ component }}_score as score
    from closed_renewals
    union all
    {%- endfor %}
    select
        renewal_id,
        segment,
        'composite' as component,
        case when renewed then 1 else 0 end as renewed,
        renewal_date,
        health_score as score
    from composite_outcomes
)

select * from final
