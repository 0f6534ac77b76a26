-- Monthly cohort retention, long: one row per cohort month x segment x months since start
-- (docs/contracts/metric-definitions.md, "Cohort retention tables").
--
-- Cohort = the account's first month with MRR > 0 at a month end, which is where the account
-- spine (int_account_mrr_monthly) starts: first_mrr_month. The spine keeps the zero months
-- after a churn, so every cohort account has a row at every offset k and a reactivated account
-- counts as retained exactly in the months it pays. Segment rows use the segment the account
-- had in its cohort month (later moves do not move it between rows); the `all` row counts every
-- account once.

with

account_months as (
    select * from {{ ref('int_account_mrr_monthly') }}
),

-- the cohort month's own row: its MRR is the account's base, its segment the account's row
cohort_members as (
    select
        account_id,
        month as cohort_month,
        segment as cohort_segment,
        mrr as cohort_mrr
    from account_months
    where month = first_mrr_month
),

member_months as (
    select
        cohort_members.account_id,
        cohort_members.cohort_month,
        cohort_members.cohort_segment,
        cast({{ dbt.datediff('cohort_members.cohort_month', 'account_months.month', 'month') }} as integer)
            as months_since_start,
        account_months.month,
        cohort_members.cohort_mrr,
        account_months.mrr,
        -- gross retention caps each account at its own cohort-month MRR, so one account's
        -- expansion cannot hide another's contraction
        case
            when account_months.mrr < cohort_members.cohort_mrr then account_months.mrr
            else cohort_members.cohort_mrr
        end as gross_retained_mrr
    from cohort_members
    inner join account_months
        on cohort_members.account_id = account_months.account_id
        -- offsets count from the cohort month, never before it
        and account_months.month >= cohort_members.cohort_month
    -- the spine holds complete months only; the cohort tables promise it on their own too, so a
    -- month is kept only when its last day is on or before as_of_date
    where cast({{ dbt.dateadd('month', 1, 'account_months.month') }} as date)
        <= cast({{ dbt.dateadd('day', 1, as_of_date()) }} as date)
),

-- each account counts once in its cohort-month segment row and once in the `all` row
counted as (
    select
        cohort_month, cohort_segment as segment, months_since_start, month,
        account_id, cohort_mrr, mrr, gross_retained_mrr
    from member_months

    union all

    select
        cohort_month, 'all' as segment, months_since_start, month,
        account_id, cohort_mrr, mrr, gross_retained_mrr
    from member_months
),

cohort_cells as (
    select
        cohort_month,
        segment,
        months_since_start,
        month,
        -- every member has a row at every complete offset, so this is the cohort size
        count(*) as cohort_accounts,
        count(case when mrr > 0 then 1 end) as retained_accounts,
        sum(cohort_mrr) as cohort_starting_mrr,
        sum(mrr) as retained_mrr,
        sum(gross_retained_mrr) as gross_retained_mrr
    from counted
    group by cohort_month, segment, months_since_start, month
),

final as (
    select
        cohort_month,
        segment,
        months_since_start,
        month,
        cohort_accounts,
        retained_accounts,
        {{ revenue_ratio('retained_accounts', 'cohort_accounts') }} as logo_retention,
        cast(cohort_starting_mrr as decimal(18, 4)) as cohort_starting_mrr,
        cast(retained_mrr as decimal(18, 4)) as retained_mrr,
        cast(gross_retained_mrr as decimal(18, 4)) as gross_retained_mrr,
        {{ revenue_ratio('retained_mrr', 'cohort_starting_mrr') }} as net_revenue_retention,
        {{ revenue_ratio('gross_retained_mrr', 'cohort_starting_mrr') }} as gross_revenue_retention,
        -- the roll-up row, so a GROUP BY over segments can leave it out
        segment = 'all' as is_total
    from cohort_cells
)

select * from final
