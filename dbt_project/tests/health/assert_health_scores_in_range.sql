-- Every component score and health_score of fct_account_health_daily is within 0-100,
-- health_score is never NULL, and data_completeness is within (0, 1]: a paying account always
-- has data (the financial component at least).

with

health_days as (
    select * from {{ ref('fct_account_health_daily') }}
),

problems as (
    select
        as_of_date,
        account_id,
        health_score,
        data_completeness
    from health_days
    where health_score is null
        or health_score < 0 or health_score > 100
        or data_completeness is null
        or data_completeness <= 0 or data_completeness > 1
        {%- for component, model in health_components() %}
        or {{ component }}_score < 0 or {{ component }}_score > 100
        {%- endfor %}
        or score_change_30d < -100 or score_change_30d > 100
)

select * from problems
