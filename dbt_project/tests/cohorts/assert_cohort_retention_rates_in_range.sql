-- Every cohort cell is internally consistent: retained accounts never exceed the cohort, logo
-- and gross retention are fractions between 0 and 1 (gross caps each account at its own base),
-- net retention is not negative, and each rate is its numerator over its denominator.
-- One row per broken cell and problem.

with

cohort_retention as (
    select * from {{ ref('rpt_cohort_retention') }}
),

problems as (
    select cohort_month, segment, months_since_start, 'logo_retention outside 0-1' as problem
    from cohort_retention
    where logo_retention < 0 or logo_retention > 1

    union all

    select cohort_month, segment, months_since_start, 'gross_revenue_retention outside 0-1' as problem
    from cohort_retention
    where gross_revenue_retention < 0 or gross_revenue_retention > 1

    union all

    select cohort_month, segment, months_since_start, 'net_revenue_retention negative' as problem
    from cohort_retention
    where net_revenue_retention < 0

    union all

    select cohort_month, segment, months_since_start, 'retained_accounts outside 0-cohort_accounts' as problem
    from cohort_retention
    where retained_accounts < 0 or retained_accounts > cohort_accounts or cohort_accounts < 1

    union all

    -- a member paid at its cohort month end, so the base is never 0
    select cohort_month, segment, months_since_start, 'cohort_starting_mrr not positive' as problem
    from cohort_retention
    where cohort_starting_mrr <= 0

    union all

    select cohort_month, segment, months_since_start, 'gross_retained_mrr above retained or starting MRR' as problem
    from cohort_retention
    where gross_retained_mrr > retained_mrr or gross_retained_mrr > cohort_starting_mrr

    union all

    select cohort_month, segment, months_since_start, 'a rate is not its numerator over its denominator' as problem
    from cohort_retention
    where abs(logo_retention * cohort_accounts - retained_accounts) > 1e-6
        or abs(net_revenue_retention * cohort_starting_mrr - retained_mrr) > 1e-4
        or abs(gross_revenue_retention * cohort_starting_mrr - gross_retained_mrr) > 1e-4
)

select * from problems
