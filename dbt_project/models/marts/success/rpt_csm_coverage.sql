-- Coverage and capacity (docs/success.md, "Coverage and capacity"): accounts and ARR per CSM and
-- segment against the coverage ratios of cfg_csm_coverage_ratios (high touch 1:10-25, low touch
-- 1:50-100, tech touch pooled at 1:500+). load = accounts / the most accounts one CSM covers
-- (max_accounts_per_csm; the pooled segment, which has no maximum, uses its minimum ratio):
-- a CSM whose loads sum above 1 is over capacity, one whose book would not fill a CSM even at the
-- richest ratio (accounts / min_accounts_per_csm summed below 1) is under capacity.
-- Rows: per CSM and segment and per CSM `all` (scope csm), the unassigned active accounts per
-- segment (scope unassigned), and the book per segment and `all` with the headcount it implies
-- (scope book).

with

accounts as (
    select * from {{ ref('dim_accounts') }}
),

ratios as (
    select * from {{ ref('cfg_csm_coverage_ratios') }}
),

active_accounts as (
    select
        accounts.account_id,
        accounts.csm_email,
        accounts.segment,
        accounts.current_arr,
        cast(1 as {{ health_type_double() }}) / coalesce(ratios.max_accounts_per_csm, ratios.min_accounts_per_csm) as load,
        cast(1 as {{ health_type_double() }}) / ratios.min_accounts_per_csm as load_at_min_ratio
    from accounts
    left join ratios
        on accounts.segment = ratios.segment
    where accounts.is_active
),

-- one aggregation for every scope (one home for the arithmetic): per CSM and segment, per CSM,
-- per segment and the whole book; grouping() tells a rolled-up column from a NULL one
grouped as (
    select
        csm_email,
        segment,
        grouping(csm_email) as csm_rolled_up,
        grouping(segment) as segment_rolled_up,
        count(*) as accounts,
        sum(current_arr) as arr,
        count(distinct csm_email) as csms,
        sum(load) as load,
        sum(load_at_min_ratio) as load_at_min_ratio
    from active_accounts
    group by grouping sets ((csm_email, segment), (csm_email), (segment), ())
),

unioned as (
    select
        case
            when csm_rolled_up = 1 then 'book'
            when csm_email is null then 'unassigned'
            else 'csm'
        end as coverage_scope,
        csm_email,
        case when segment_rolled_up = 1 then 'all' else segment end as segment,
        accounts,
        arr,
        csms,
        load,
        load_at_min_ratio
    from grouped
    -- the unassigned accounts have their rows per segment only (no CSM `all` row)
    where not (csm_rolled_up = 0 and segment_rolled_up = 1 and csm_email is null)
),

-- loads are sums of fractions (10 accounts at 1/10 may add up to 0.999...): round before comparing
rounded as (
    select
        unioned.coverage_scope,
        unioned.csm_email,
        unioned.segment,
        unioned.accounts,
        unioned.arr,
        unioned.csms,
        {{ health_round_rate('unioned.load') }} as load,
        {{ health_round_rate('unioned.load_at_min_ratio') }} as load_at_min_ratio
    from unioned
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        unioned.coverage_scope,
        unioned.csm_email,
        unioned.segment,
        ratios.coverage_model,
        cast(ratios.min_accounts_per_csm as {{ dbt.type_int() }}) as min_accounts_per_csm,
        cast(ratios.max_accounts_per_csm as {{ dbt.type_int() }}) as max_accounts_per_csm,
        cast(unioned.accounts as {{ dbt.type_bigint() }}) as accounts,
        cast(unioned.arr as decimal(18, 4)) as arr,
        cast(unioned.csms as {{ dbt.type_bigint() }}) as csms,
        unioned.load as capacity_load,
        case
            when unioned.coverage_scope <> 'csm' then null
            when unioned.load > 1 then 'over_capacity'
            when unioned.load_at_min_ratio < 1 then 'under_capacity'
            else 'within_capacity'
        end as capacity_status,
        -- the fewest CSMs who can cover these accounts at the ratios, and the most the ratios allow
        cast(ceil(unioned.load) as {{ dbt.type_int() }}) as headcount_needed,
        cast(ceil(unioned.load_at_min_ratio) as {{ dbt.type_int() }}) as headcount_at_min_ratio
    from rounded as unioned
    left join ratios
        on unioned.segment = ratios.segment
)

select * from final
