-- The expansion score is 0-100: the points of cfg_expansion_signals sum to 100.
select sum(points) as total_points
from {{ ref('cfg_expansion_signals') }}
having sum(points) <> 100
