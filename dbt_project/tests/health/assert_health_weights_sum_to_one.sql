-- The health weights (cfg_health_weights) of every segment sum to 1, are not negative, name
-- each component once, and cover every segment of cfg_segment_thresholds and every component
-- any segment uses. Returns the offending segments with what is wrong.

with

weights as (
    select * from {{ ref('cfg_health_weights') }}
),

segments as (
    select * from {{ ref('cfg_segment_thresholds') }}
),

components as (
    select count(distinct component) as component_count
    from weights
),

per_segment as (
    select
        segment,
        sum(weight) as total_weight,
        count(*) as weight_rows,
        count(distinct component) as components_weighted,
        min(weight) as lowest_weight
    from weights
    group by segment
),

problems as (
    select
        per_segment.segment,
        case
            when abs(per_segment.total_weight - 1) > 0.000001
                then 'weights sum to ' || cast(per_segment.total_weight as {{ dbt.type_string() }}) || ', not 1'
            when per_segment.lowest_weight < 0 then 'a negative weight'
            when per_segment.weight_rows <> per_segment.components_weighted then 'a component weighted twice'
            when per_segment.components_weighted <> components.component_count then 'a component without a weight'
        end as problem
    from per_segment
    cross join components

    union all

    select
        segments.segment,
        'segment has no weights' as problem
    from segments
    left join per_segment
        on segments.segment = per_segment.segment
    where per_segment.segment is null
)

select *
from problems
where problem is not null
