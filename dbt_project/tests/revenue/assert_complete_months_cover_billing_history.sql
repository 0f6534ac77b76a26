-- int_complete_months generates a bounded run of months; fail if the billing history is older
-- than the months it generated (or if a complete month is missing or not complete).

{{ config(meta={'dagster': {'ref': {'name': 'int_complete_months'}}}) }}

with

complete_months as (
    select * from {{ ref('int_complete_months') }}
),

item_versions as (
    select * from {{ ref('int_subscription_item_mrr_usd') }}
),

expected as (
    select
        min(valid_from_month) as first_month,
        cast({{ dbt.dateadd(
            'month', -1,
            dbt.date_trunc('month', dbt.dateadd('day', 1, as_of_date()))
        ) }} as date) as last_complete_month
    from item_versions
),

actual as (
    select
        min(month) as first_month,
        max(month) as last_month,
        max(month_end_date) as last_month_end,
        count(*) as months
    from complete_months
),

problems as (
    select
        expected.first_month as expected_first_month,
        actual.first_month as actual_first_month,
        actual.months,
        actual.last_month_end
    from expected
    cross join actual
    where expected.first_month <= expected.last_complete_month
        and (
            actual.first_month is null
            or actual.first_month <> expected.first_month
            or actual.last_month <> expected.last_complete_month
            or actual.months <> {{ dbt.datediff('expected.first_month', 'expected.last_complete_month', 'month') }} + 1
            or actual.last_month_end > {{ as_of_date() }}
        )
)

select * from problems
