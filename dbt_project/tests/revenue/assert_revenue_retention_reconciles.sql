-- Fails the build when, for any month and segment (including `all`), starting MRR plus the
-- movements does not give the ending MRR exactly:
-- starting + new + reactivation + expansion - contraction - churned = ending.
-- Amounts are DECIMAL(18,4), so the comparison is exact, with no tolerance.

with

retention as (
    select * from {{ ref('rpt_revenue_retention') }}
),

unreconciled as (
    select
        month,
        segment,
        starting_mrr,
        new_mrr,
        reactivation_mrr,
        expansion_mrr,
        contraction_mrr,
        churned_mrr,
        ending_mrr,
        starting_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr
            as reconstructed_ending_mrr
    from retention
    where starting_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr
        <> ending_mrr
)

select * from unreconciled
