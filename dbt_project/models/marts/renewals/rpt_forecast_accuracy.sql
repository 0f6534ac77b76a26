-- Forecast accuracy per renewal month and horizon: the actual renewed ARR of the renewals that
-- closed (known on as_of_date) against what the frozen forecasts said N days before each
-- renewal (cfg_renewal_accuracy_horizons: 90, 60, 30).
--
-- The forecast "N days before" a renewal is its expected_arr in the latest snapshot of
-- fct_renewal_forecast_history on or before renewal_date - N and at most
-- accuracy_snapshot_tolerance_days older than that (0 when that snapshot did not foresee it).
-- When some closed renewal of the month has no such snapshot, the month's forecast is NULL:
-- the history does not reach that far back, and a partial sum would look like a miss.

with

renewals as (
    select * from {{ ref('int_renewals') }}
),

history as (
    select * from {{ ref('fct_renewal_forecast_history') }}
),

horizons as (
    select * from {{ ref('cfg_renewal_accuracy_horizons') }}
),

settings as (
    select * from {{ ref('cfg_renewal_settings') }}
),

closed_renewals as (
    select
        renewal_id,
        renewal_date,
        cast({{ dbt.date_trunc('month', 'renewal_date') }} as date) as renewal_month,
        renewal_arr,
        actual_renewed_arr,
        renewal_state
    from renewals
    where is_closed
        and renewal_date <= {{ as_of_date() }}
),

snapshot_dates as (
    select distinct as_of_date as snapshot_date
    from history
    where as_of_date <= {{ as_of_date() }}
),

renewal_horizons as (
    select
        closed_renewals.*,
        horizons.horizon_days,
        cast({{ dbt.dateadd('day', '-horizons.horizon_days', 'closed_renewals.renewal_date') }} as date) as target_date,
        settings.accuracy_snapshot_tolerance_days
    from closed_renewals
    cross join horizons
    cross join settings
),

snapshot_per_renewal as (
    select
        renewal_horizons.renewal_id,
        renewal_horizons.horizon_days,
        max(snapshot_dates.snapshot_date) as snapshot_date
    from renewal_horizons
    inner join snapshot_dates
        on snapshot_dates.snapshot_date <= renewal_horizons.target_date
        and snapshot_dates.snapshot_date >= cast({{ dbt.dateadd(
            'day', '-renewal_horizons.accuracy_snapshot_tolerance_days', 'renewal_horizons.target_date'
        ) }} as date)
    group by renewal_horizons.renewal_id, renewal_horizons.horizon_days
),

renewal_forecasts as (
    select
        renewal_horizons.renewal_month,
        renewal_horizons.horizon_days,
        renewal_horizons.renewal_id,
        renewal_horizons.renewal_arr,
        renewal_horizons.actual_renewed_arr,
        renewal_horizons.renewal_state,
        snapshot_per_renewal.snapshot_date,
        case
            when snapshot_per_renewal.snapshot_date is not null then coalesce(history.expected_arr, 0)
        end as forecast_arr,
        history.renewal_id is not null as was_forecast
    from renewal_horizons
    left join snapshot_per_renewal
        on renewal_horizons.renewal_id = snapshot_per_renewal.renewal_id
        and renewal_horizons.horizon_days = snapshot_per_renewal.horizon_days
    left join history
        on snapshot_per_renewal.snapshot_date = history.as_of_date
        and renewal_horizons.renewal_id = history.renewal_id
),

monthly as (
    select
        renewal_month,
        horizon_days,
        count(*) as closed_renewals,
        cast(sum(case when renewal_state = 'renewed' then 1 else 0 end) as bigint) as renewed_renewals,
        count(snapshot_date) as renewals_with_snapshot,
        cast(sum(case when was_forecast then 1 else 0 end) as bigint) as renewals_forecast,
        cast(sum(renewal_arr) as decimal(18, 4)) as renewal_arr_due,
        cast(sum(actual_renewed_arr) as decimal(18, 4)) as actual_renewed_arr,
        case
            when count(snapshot_date) = count(*) then cast(sum(forecast_arr) as decimal(18, 4))
        end as forecast_arr,
        min(snapshot_date) as earliest_snapshot_date,
        max(snapshot_date) as latest_snapshot_date
    from renewal_forecasts
    group by renewal_month, horizon_days
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        renewal_month,
        horizon_days,
        closed_renewals,
        renewed_renewals,
        renewals_with_snapshot,
        renewals_forecast,
        renewal_arr_due,
        actual_renewed_arr,
        forecast_arr,
        {{ revenue_ratio('actual_renewed_arr', 'forecast_arr') }} as accuracy_ratio,
        cast(actual_renewed_arr - forecast_arr as decimal(18, 4)) as forecast_error_arr,
        earliest_snapshot_date,
        latest_snapshot_date
    from monthly
)

select * from final
