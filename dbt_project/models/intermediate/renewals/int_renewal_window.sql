-- The forecast window of the run (one row): from the start of the current calendar quarter
-- (or as_of_date when the quarter is not included) through the later of as_of_date +
-- forecast_window_days and the end of the quarter.

with

settings as (
    select * from {{ ref('cfg_renewal_settings') }}
),

calendar as (
    select
        {{ as_of_date() }} as as_of_date,
        cast({{ dbt.date_trunc('quarter', as_of_date()) }} as date) as quarter_start,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, dbt.date_trunc('quarter', as_of_date()))) }} as date)
            as quarter_end,
        cast({{ dbt.dateadd('day', 'settings.forecast_window_days', as_of_date()) }} as date) as horizon_end,
        settings.forecast_window_days,
        settings.include_current_quarter
    from settings
),

final as (
    select
        as_of_date,
        quarter_start,
        quarter_end,
        forecast_window_days,
        include_current_quarter,
        case when include_current_quarter then quarter_start else as_of_date end as window_start,
        case
            when include_current_quarter and quarter_end > horizon_end then quarter_end
            else horizon_end
        end as window_end
    from calendar
)

select * from final
