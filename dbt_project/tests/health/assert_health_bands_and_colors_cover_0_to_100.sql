-- Every score from 0 to 100 has exactly one status and one colour: the bands start exactly once
-- at 0 and stay within 0-100, every status has a colour (whose rank is the colour's); every status has a renewal probability
-- (cfg_renewal_probabilities) in 0-1.

with

bands as (
    select * from {{ ref('cfg_health_bands') }}
),

colors as (
    select * from {{ ref('cfg_health_colors') }}
),

probabilities as (
    select * from {{ ref('cfg_renewal_probabilities') }}
),

problems as (
    select 'cfg_health_bands' as seed, 'no band starts at 0' as problem
    from bands
    having count(case when min_score = 0 then 1 end) <> 1

    union all

    select 'cfg_health_bands', 'band ' || health_status || ' outside 0-100'
    from bands
    where min_score < 0 or min_score > 100

    union all

    select 'cfg_health_colors', 'status ' || bands.health_status || ' has no colour'
    from bands
    left join colors
        on bands.health_status = colors.health_status
    where colors.health_status is null

    union all

    select 'cfg_health_colors', 'colour ' || health_color || ' has more than one severity_rank'
    from colors
    group by health_color
    having count(distinct severity_rank) > 1

    union all

    select 'cfg_renewal_probabilities', 'status ' || bands.health_status || ' has no probability in 0-1'
    from bands
    left join probabilities
        on bands.health_status = probabilities.status
    where probabilities.probability is null
        or probabilities.probability < 0
        or probabilities.probability > 1
)

select * from problems
