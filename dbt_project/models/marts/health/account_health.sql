-- The current health of every paying account: the latest day of fct_account_health_daily on or
-- before as_of_date.

with

health_days as (
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
