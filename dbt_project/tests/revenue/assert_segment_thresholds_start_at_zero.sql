-- The segment thresholds seed must give every ARR a segment: exactly one segment starts at 0
-- and none below it.

with

thresholds as (
    select * from {{ ref('cfg_segment_thresholds') }}
),

summary as (
    select
        count(case when min_arr_usd = 0 then 1 end) as segments_from_zero,
        count(case when min_arr_usd < 0 then 1 end) as negative_thresholds
    from thresholds
)

select *
from summary
where segments_from_zero <> 1 or negative_thresholds > 0
