-- The renewed-ARR range is ordered (P10 <= P50 <= P90), lies within 0 and what is due (up to the
-- bucket rounding, at most half a bucket per renewal), its distribution sums to 1, and the
-- expected value lies between 0 and what is due.

with

risk_range as (
    select * from {{ ref('rpt_renewal_risk_range') }}
)

select *
from risk_range
where p10_renewed_arr > p50_renewed_arr
    or p50_renewed_arr > p90_renewed_arr
    or p10_renewed_arr < 0
    or p90_renewed_arr > renewals_due_qtr_arr + renewals_due_qtr * bucket_usd / 2
    or expected_renewed_arr < 0
    or expected_renewed_arr > renewals_due_qtr_arr
    or abs(distribution_total_probability - 1) > 1e-9
