-- After a build, the frozen history holds exactly the forecast of as_of_date (same renewals,
-- same expected ARR): the snapshot the accuracy report will later compare with.

with

forecast as (
    select * from {{ ref('fct_renewal_forecast') }}
),

history as (
    select * from {{ ref('fct_renewal_forecast_history') }}
    where as_of_date = {{ as_of_date() }}
),

missing as (
    select forecast.renewal_id, 'in forecast, not in history' as problem
    from forecast
    left join history
        on forecast.renewal_id = history.renewal_id
    where history.renewal_id is null
        or history.expected_arr <> forecast.expected_arr
),

extra as (
    select history.renewal_id, 'in history, not in forecast' as problem
    from history
    left join forecast
        on history.renewal_id = forecast.renewal_id
    where forecast.renewal_id is null
)

select * from missing
union all
select * from extra
