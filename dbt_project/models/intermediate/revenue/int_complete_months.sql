-- The complete months of the billing history: from the month the first item version came into
-- force through the last month whose last day is on or before as_of_date. The month containing
-- as_of_date is not complete unless as_of_date is its last day, and is never included.

with

item_versions as (
    select * from {{ ref('int_subscription_item_mrr_usd') }}
),

bounds as (
    select
        min(valid_from_month) as first_month,
        -- month M is complete when its last day <= as_of_date, i.e. when the first day of
        -- M+1 <= as_of_date + 1 day
        cast({{ dbt.dateadd(
            'month', -1,
            dbt.date_trunc('month', dbt.dateadd('day', 1, as_of_date()))
        ) }} as date) as last_complete_month
    from item_versions
),

-- counting back from the last complete month; 1,200 months (100 years) is far more history
-- than any billing system holds (assert_complete_months_cover_billing_history checks it)
month_offsets as (
    {{ dbt.generate_series(1200) }}
),

months as (
    select
        cast({{ dbt.dateadd('month', '-(month_offsets.generated_number - 1)', 'bounds.last_complete_month') }} as date)
            as month
    from bounds
    cross join month_offsets
),

final as (
    select
        months.month,
        cast({{ dbt.dateadd('month', 1, 'months.month') }} as date) as next_month_start,
        cast({{ dbt.last_day('months.month', 'month') }} as date) as month_end_date
    from months
    cross join bounds
    where months.month >= bounds.first_month
)

select * from final
