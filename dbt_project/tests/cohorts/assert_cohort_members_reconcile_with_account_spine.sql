-- No account is lost or counted twice between the account spine and the cohort tables: each
-- cohort's `all` size is the number of accounts whose first paying month it is, and for every
-- complete month the `all` rows measuring it add up to every account's month-end MRR and
-- paying accounts (each account belongs to exactly one cohort).

with

cohort_retention as (
    select * from {{ ref('rpt_cohort_retention') }}
),

account_months as (
    select * from {{ ref('int_account_mrr_monthly') }}
),

cohort_sizes as (
    select
        first_mrr_month as cohort_month,
        count(distinct account_id) as accounts
    from account_months
    group by first_mrr_month
),

spine_totals as (
    select
        month,
        sum(mrr) as mrr,
        count(case when mrr > 0 then 1 end) as paying_accounts
    from account_months
    group by month
),

cohort_starts as (
    select cohort_month, cohort_accounts
    from cohort_retention
    where segment = 'all'
        and months_since_start = 0
),

cohort_totals as (
    select
        month,
        sum(retained_mrr) as mrr,
        sum(retained_accounts) as paying_accounts
    from cohort_retention
    where segment = 'all'
    group by month
),

problems as (
    select
        coalesce(cohort_sizes.cohort_month, cohort_starts.cohort_month) as month,
        'cohort size differs from the accounts first paying in the month' as problem
    from cohort_sizes
    full outer join cohort_starts
        on cohort_sizes.cohort_month = cohort_starts.cohort_month
    where cohort_starts.cohort_month is null
        or cohort_sizes.cohort_month is null
        or cohort_starts.cohort_accounts <> cohort_sizes.accounts

    union all

    select
        coalesce(spine_totals.month, cohort_totals.month) as month,
        'cohorts do not add up to the month-end MRR or paying accounts of the spine' as problem
    from spine_totals
    full outer join cohort_totals
        on spine_totals.month = cohort_totals.month
    where spine_totals.month is null
        or cohort_totals.month is null
        or spine_totals.mrr <> cohort_totals.mrr
        or spine_totals.paying_accounts <> cohort_totals.paying_accounts
)

select * from problems
