-- Renewed ARR this quarter as a range: the renewals of fct_renewal_forecast whose renewal date is
-- in the current calendar quarter, each renewing at its renewal_probability independently of the
-- others. Besides the expected value, the P10 / P50 / P90 of the renewed ARR, computed EXACTLY
-- from the distribution of a sum of independent Bernoulli x ARR (a dynamic-programming
-- convolution, macro renewal_bernoulli_sum_distribution) with each renewal's ARR rounded to
-- whole buckets of risk_range_bucket_usd (default $1,000; larger when the due ARR would span more
-- than risk_range_max_buckets buckets): the quantiles are multiples of the bucket, exact for the bucketed ARRs, and off from the unrounded ones by at most the summed
-- rounding (half a bucket per renewal in the worst case; about bucket x sqrt(n / 12) typically).
-- Pq = the smallest bucketed renewed ARR whose cumulative probability reaches q.

with

forecast as (
    select * from {{ ref('fct_renewal_forecast') }}
),

forecast_window as (
    select * from {{ ref('int_renewal_window') }}
),

settings as (
    select * from {{ ref('cfg_renewal_settings') }}
),

quarter_renewals as (
    select *
    from forecast
    where is_in_current_quarter
),

-- the configured bucket, or the smallest multiple of it that keeps the due ARR within
-- risk_range_max_buckets buckets
bucket as (
    select
        cast(settings.risk_range_bucket_usd * case
            when coalesce(sum(quarter_renewals.renewal_arr), 0)
                <= settings.risk_range_bucket_usd * settings.risk_range_max_buckets
                then 1
            else ceiling(
                sum(quarter_renewals.renewal_arr)
                / (settings.risk_range_bucket_usd * settings.risk_range_max_buckets)
            )
        end as decimal(18, 4)) as bucket_usd
    from settings
    left join quarter_renewals
        on true
    group by settings.risk_range_bucket_usd, settings.risk_range_max_buckets
),

draws as (
    select
        row_number() over (order by quarter_renewals.renewal_id) as draw_number,
        cast(round(quarter_renewals.renewal_arr / bucket.bucket_usd, 0) as bigint) as amount_buckets,
        cast(quarter_renewals.renewal_probability as {{ health_type_double() }}) as probability
    from quarter_renewals
    cross join bucket
),

distribution as (
    {{ renewal_bernoulli_sum_distribution('draws') }}
),

cumulative as (
    select
        bucket_sum,
        probability,
        sum(probability) over (order by bucket_sum rows between unbounded preceding and current row)
            as cumulative_probability
    from distribution
),

-- a hair of tolerance so that a cumulative probability that is exactly q in exact arithmetic
-- but a rounding error short of it in floating point still reaches q
quantiles as (
    select
        min(case when cumulative.cumulative_probability >= settings.risk_range_low_quantile - 1e-12
            then cumulative.bucket_sum end) as low_buckets,
        min(case when cumulative.cumulative_probability >= 0.5 - 1e-12
            then cumulative.bucket_sum end) as median_buckets,
        min(case when cumulative.cumulative_probability >= settings.risk_range_high_quantile - 1e-12
            then cumulative.bucket_sum end) as high_buckets,
        sum(cumulative.probability) as total_probability
    from cumulative
    cross join settings
),

totals as (
    select
        count(*) as renewals_due_qtr,
        cast(coalesce(sum(renewal_arr), 0) as decimal(18, 4)) as renewals_due_qtr_arr,
        cast(coalesce(sum(expected_arr), 0) as decimal(18, 4)) as expected_renewed_arr
    from quarter_renewals
),

final as (
    select
        forecast_window.as_of_date,
        forecast_window.quarter_start,
        forecast_window.quarter_end,
        totals.renewals_due_qtr,
        totals.renewals_due_qtr_arr,
        totals.expected_renewed_arr,
        cast(quantiles.low_buckets * bucket.bucket_usd as decimal(18, 4)) as p10_renewed_arr,
        cast(quantiles.median_buckets * bucket.bucket_usd as decimal(18, 4)) as p50_renewed_arr,
        cast(quantiles.high_buckets * bucket.bucket_usd as decimal(18, 4)) as p90_renewed_arr,
        settings.risk_range_low_quantile as low_quantile,
        settings.risk_range_high_quantile as high_quantile,
        bucket.bucket_usd,
        quantiles.total_probability as distribution_total_probability
    from forecast_window
    cross join totals
    cross join quantiles
    cross join bucket
    cross join settings
)

select * from final
