-- Roll-up rows are marked in both cohort marts: is_total is true exactly on the `all` rows
-- (that the `all` row is the segments' union is assert_cohort_all_segment_is_the_union).

{{ config(meta={'dagster': {'ref': {'name': 'rpt_cohort_retention'}}}) }}

select 'rpt_cohort_retention' as relation, cohort_month, segment
from {{ ref('rpt_cohort_retention') }}
where is_total <> (segment = 'all')

union all

select 'rpt_cohort_retention_wide', cohort_month, segment
from {{ ref('rpt_cohort_retention_wide') }}
where is_total <> (segment = 'all')
