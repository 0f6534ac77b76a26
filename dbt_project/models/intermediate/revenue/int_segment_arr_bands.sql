-- The ARR band of each segment from the configuration seed: a segment covers
-- min_arr_usd <= ARR < next higher segment's min_arr_usd (open-ended for the top segment).

with

thresholds as (
    select * from {{ ref('cfg_segment_thresholds') }}
),

final as (
    select
        segment,
        cast(min_arr_usd as decimal(18, 4)) as min_arr_usd,
        cast(lead(min_arr_usd) over (order by min_arr_usd) as decimal(18, 4)) as max_arr_usd
    from thresholds
)

select * from final
