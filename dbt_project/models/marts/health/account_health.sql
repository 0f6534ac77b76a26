-- The current health of every paying account: the latest day of fct_account_health_daily on or
-- before as_of_date.

with

-- not materialized: read twice below, DuckDB would otherwise copy the whole daily history into a
-- temporary result before keeping one day of it (a large daily run: 1.8 -> 0.2 s)
health_days {{ cte_not_materialized() }} (
    select * from {{ ref('fct_account_health_daily') }}
),

latest_day as (
    select max(as_of_date) as as_of_date
    from health_days
    where as_of_date <= {{ as_of_date() }}
),

final as (
    select health_days.*
    from health_days
    inner join latest_day
        on health_days.as_of_date = latest_day.as_of_date
)

select * from final
