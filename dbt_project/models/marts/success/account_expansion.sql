-- Every scored account's expansion signals on the latest day of fct_expansion_signals on or
-- before as_of_date (the CSM's "who is ready to expand today").

with

-- not materialized: read twice below, never copied whole (as account_health)
signal_days {{ cte_not_materialized() }} (
    select * from {{ ref('fct_expansion_signals') }}
),

latest_day as (
    select max(as_of_date) as as_of_date
    from signal_days
    where as_of_date <= {{ as_of_date() }}
),

final as (
    select signal_days.*
    from signal_days
    inner join latest_day
        on signal_days.as_of_date = latest_day.as_of_date
)

select * from final
