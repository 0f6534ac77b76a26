-- Every forecast row has a probability in 0-1, a non-negative ARR, expected ARR <= renewal ARR,
-- a tier and a stage, and a renewal date inside the window.

with

forecast as (
    select * from {{ ref('fct_renewal_forecast') }}
),

forecast_window as (
    select * from {{ ref('int_renewal_window') }}
)

select forecast.*
from forecast
cross join forecast_window
where forecast.renewal_probability < 0
    or forecast.renewal_probability > 1
    or forecast.renewal_arr < 0
    or forecast.expected_arr > forecast.renewal_arr
    or forecast.confidence_tier is null
    or forecast.renewal_stage is null
    or forecast.renewal_date < forecast_window.window_start
    or forecast.renewal_date > forecast_window.window_end
    or forecast.as_of_date <> forecast_window.as_of_date
