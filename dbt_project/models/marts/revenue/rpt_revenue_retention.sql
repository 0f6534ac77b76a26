-- Revenue retention per complete month and segment, with an `all` row
-- (docs/contracts/metric-definitions.md, "MRR movements" and "Retention").
--
-- Monthly figures count each account in its start-of-period segment (fct_mrr_monthly.segment:
-- month M-1's, or the arrival month's for new and reactivated MRR). A segment row's ending_mrr
-- is the month-M MRR of exactly the accounts that row counts, so
-- starting + new + reactivation + expansion - contraction - churned = ending holds for every row
-- even when accounts move between segments.
--
-- Trailing-12-month figures are cohort-based: the base S is the accounts with MRR(M-12) > 0,
-- in the segment they had in M-12; an account that churned and came back counts at its
-- month-M MRR.

with

mrr_months as (
    select * from {{ ref('fct_mrr_monthly') }}
),

segment_bands as (
    select * from {{ ref('int_segment_arr_bands') }}
),

report_months as (
    select distinct month from mrr_months
),

-- every segment gets a row every month, even when it holds no account
report_segments as (
    select segment from segment_bands
    union
    select segment from mrr_months
    union
    select 'all' as segment
),

-- each account-month counts once in its segment row and once in the `all` row
monthly_counted as (
    select month, segment, account_id, mrr, previous_mrr, movement, movement_mrr
    from mrr_months
    union all
    select month, 'all' as segment, account_id, mrr, previous_mrr, movement, movement_mrr
    from mrr_months
),

monthly_movements as (
    select
        month,
        segment,
        -- previous_mrr is 0 for every account without MRR(M-1), so this is the MRR of the
        -- accounts with MRR(M-1) > 0
        sum(previous_mrr) as starting_mrr,
        sum(case when movement = 'new' then movement_mrr else 0 end) as new_mrr,
        sum(case when movement = 'reactivation' then movement_mrr else 0 end) as reactivation_mrr,
        sum(case when movement = 'expansion' then movement_mrr else 0 end) as expansion_mrr,
        sum(case when movement = 'contraction' then -movement_mrr else 0 end) as contraction_mrr,
        sum(case when movement = 'churn' then previous_mrr else 0 end) as churned_mrr,
        sum(mrr) as ending_mrr,
        count(case when previous_mrr > 0 then 1 end) as starting_accounts,
        count(case when movement = 'new' then 1 end) as new_accounts,
        count(case when movement = 'reactivation' then 1 end) as reactivated_accounts,
        count(case when movement = 'churn' then 1 end) as churned_accounts,
        count(case when mrr > 0 then 1 end) as ending_accounts
    from monthly_counted
    group by month, segment
),

trailing_base as (
    select
        month_now.month,
        base_month.segment_at_month_end as segment,
        base_month.account_id,
        base_month.mrr as base_mrr,
        month_now.mrr as current_mrr
    from mrr_months as base_month
    inner join mrr_months as month_now
        on base_month.account_id = month_now.account_id
        and month_now.month = cast({{ dbt.dateadd('month', 12, 'base_month.month') }} as date)
    where base_month.mrr > 0
),

trailing_counted as (
    select month, segment, account_id, base_mrr, current_mrr from trailing_base
    union all
    select month, 'all' as segment, account_id, base_mrr, current_mrr from trailing_base
),

trailing_retention as (
    select
        month,
        segment,
        count(*) as t12m_base_accounts,
        count(case when current_mrr > 0 then 1 end) as t12m_retained_accounts,
        sum(base_mrr) as t12m_base_mrr,
        sum(current_mrr) as t12m_current_mrr,
        -- each account's growth is capped at its own base for gross retention
        sum(case when current_mrr < base_mrr then current_mrr else base_mrr end) as t12m_gross_retained_mrr
    from trailing_counted
    group by month, segment
),

grid as (
    select
        report_months.month,
        report_segments.segment
    from report_months
    cross join report_segments
),

joined as (
    select
        grid.month,
        grid.segment,
        cast(coalesce(monthly_movements.starting_mrr, 0) as decimal(18, 4)) as starting_mrr,
        cast(coalesce(monthly_movements.new_mrr, 0) as decimal(18, 4)) as new_mrr,
        cast(coalesce(monthly_movements.reactivation_mrr, 0) as decimal(18, 4)) as reactivation_mrr,
        cast(coalesce(monthly_movements.expansion_mrr, 0) as decimal(18, 4)) as expansion_mrr,
        cast(coalesce(monthly_movements.contraction_mrr, 0) as decimal(18, 4)) as contraction_mrr,
        cast(coalesce(monthly_movements.churned_mrr, 0) as decimal(18, 4)) as churned_mrr,
        cast(coalesce(monthly_movements.ending_mrr, 0) as decimal(18, 4)) as ending_mrr,
        coalesce(monthly_movements.starting_accounts, 0) as starting_accounts,
        coalesce(monthly_movements.new_accounts, 0) as new_accounts,
        coalesce(monthly_movements.reactivated_accounts, 0) as reactivated_accounts,
        coalesce(monthly_movements.churned_accounts, 0) as churned_accounts,
        coalesce(monthly_movements.ending_accounts, 0) as ending_accounts,
        coalesce(trailing_retention.t12m_base_accounts, 0) as t12m_base_accounts,
        coalesce(trailing_retention.t12m_retained_accounts, 0) as t12m_retained_accounts,
        cast(coalesce(trailing_retention.t12m_base_mrr, 0) as decimal(18, 4)) as t12m_base_mrr,
        cast(coalesce(trailing_retention.t12m_current_mrr, 0) as decimal(18, 4)) as t12m_current_mrr,
        cast(coalesce(trailing_retention.t12m_gross_retained_mrr, 0) as decimal(18, 4))
            as t12m_gross_retained_mrr
    from grid
    left join monthly_movements
        on grid.month = monthly_movements.month
        and grid.segment = monthly_movements.segment
    left join trailing_retention
        on grid.month = trailing_retention.month
        and grid.segment = trailing_retention.segment
),

final as (
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
        {{ revenue_ratio('starting_mrr + expansion_mrr - contraction_mrr - churned_mrr', 'starting_mrr') }}
            as nrr_monthly,
        {{ revenue_ratio('starting_mrr - contraction_mrr - churned_mrr', 'starting_mrr') }}
            as grr_monthly,
        {{ revenue_ratio('t12m_current_mrr', 't12m_base_mrr') }} as nrr_t12m,
        {{ revenue_ratio('t12m_gross_retained_mrr', 't12m_base_mrr') }} as grr_t12m,
        {{ revenue_ratio('t12m_retained_accounts', 't12m_base_accounts') }} as logo_retention_t12m,
        starting_accounts,
        new_accounts,
        reactivated_accounts,
        churned_accounts,
        ending_accounts,
        t12m_base_accounts,
        t12m_retained_accounts,
        t12m_base_mrr,
        t12m_current_mrr,
        t12m_gross_retained_mrr,
        -- the roll-up row, so a GROUP BY over segments can leave it out
        segment = 'all' as is_total
    from joined
)

select * from final
