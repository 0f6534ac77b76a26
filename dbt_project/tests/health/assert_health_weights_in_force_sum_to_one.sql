-- The weights in force (configured or fitted, int_health_weights_in_force) are a valid set for
-- every period and segment: non-negative, summing to 1, one version per set. Returns the offending
-- periods.

select
    valid_from,
    segment,
    sum(weight) as total_weight,
    min(weight) as min_weight,
    count(distinct weights_version) as versions
from {{ ref('int_health_weights_in_force') }}
group by valid_from, segment
having abs(sum(weight) - 1) > 0.00001  -- fitted weights are stored to six decimals
    or min(weight) < 0
    or count(distinct weights_version) <> 1
