-- Every CRM renewal opportunity known on as_of_date, in USD, with its stage on that day and the
-- subscription term it is the same renewal as.
--
-- Matching rule: an opportunity matches a term of a subscription of the same account whose term
-- end is at most `opportunity_match_days` (cfg_renewal_settings) before or after the
-- opportunity's close_date, or, for an opportunity closed on as_of_date (won early, or lost when
-- the customer gave notice), up to `opportunity_early_close_days` after it; of several, the
-- nearest term end wins (then the ARR closest to amount_arr, then the
-- subscription id). A term matched by several opportunities keeps the nearest as `primary`
-- (then the latest created); the others are `duplicate` and never counted. An opportunity
-- matching no term is `unmatched` and counts as a renewal of its own.
--
-- Point in time: opportunities created after as_of_date are unknown; a closed stage counts only
-- once its close_date is on or before as_of_date (before that the deal was open). Amounts are
-- converted at the latest fx rate at or before as_of_date's month.

with

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

fx_rates as (
    select * from {{ ref('stg_billing__fx_rates') }}
),

subscription_terms as (
    select * from {{ ref('int_renewal_subscription_terms') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

settings as (
    select * from {{ ref('cfg_renewal_settings') }}
),

renewal_opportunities as (
    select
        opportunity_id,
        account_id,
        close_date,
        amount_arr,
        currency,
        created_at,
        case
            when stage in ('closed_won', 'closed_lost') and close_date <= {{ as_of_date() }} then stage
            else 'open'
        end as stage_as_of_date
    from opportunities
    -- deleted accounts are left out of the marts
    where opportunity_type = 'renewal'
        and account_id in (select account_id from accounts where not coalesce(is_deleted, false))
        and created_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
),

latest_rates as (
    select
        currency,
        usd_per_unit,
        row_number() over (partition by currency order by rate_month desc) as recency_rank
    from fx_rates
    where rate_month <= cast({{ dbt.date_trunc('month', as_of_date()) }} as date)
),

in_usd as (
    select
        renewal_opportunities.*,
        cast(case
            when renewal_opportunities.currency = 'USD' then renewal_opportunities.amount_arr
            else renewal_opportunities.amount_arr * latest_rates.usd_per_unit
        end as decimal(18, 4)) as amount_arr_usd
    from renewal_opportunities
    left join latest_rates
        on renewal_opportunities.currency = latest_rates.currency
        and latest_rates.recency_rank = 1
),

candidates as (
    select
        in_usd.opportunity_id,
        subscription_terms.subscription_id,
        subscription_terms.term_end_date,
        row_number() over (
            partition by in_usd.opportunity_id
            order by
                abs({{ dbt.datediff('in_usd.close_date', 'subscription_terms.term_end_date', 'day') }}),
                abs(coalesce(in_usd.amount_arr_usd, 0) - subscription_terms.arr_before_term_end),
                subscription_terms.subscription_id
        ) as term_rank,
        abs({{ dbt.datediff('in_usd.close_date', 'subscription_terms.term_end_date', 'day') }}) as days_apart
    from in_usd
    inner join subscription_terms
        on in_usd.account_id = subscription_terms.account_id
    cross join settings
    where {{ dbt.datediff('in_usd.close_date', 'subscription_terms.term_end_date', 'day') }}
            >= -settings.opportunity_match_days
        and {{ dbt.datediff('in_usd.close_date', 'subscription_terms.term_end_date', 'day') }}
            <= case
                when in_usd.stage_as_of_date = 'open' then settings.opportunity_match_days
                else settings.opportunity_early_close_days
            end
),

matched as (
    select
        candidates.opportunity_id,
        candidates.subscription_id,
        candidates.term_end_date,
        candidates.days_apart,
        row_number() over (
            partition by candidates.subscription_id, candidates.term_end_date
            order by candidates.days_apart asc, in_usd.created_at desc, candidates.opportunity_id asc
        ) as opportunity_rank
    from candidates
    inner join in_usd
        on candidates.opportunity_id = in_usd.opportunity_id
    where candidates.term_rank = 1
),

final as (
    select
        in_usd.opportunity_id,
        in_usd.account_id,
        in_usd.close_date,
        in_usd.stage_as_of_date,
        in_usd.amount_arr,
        in_usd.currency,
        in_usd.amount_arr_usd,
        in_usd.created_at,
        matched.subscription_id as matched_subscription_id,
        matched.term_end_date as matched_term_end_date,
        matched.days_apart as days_from_term_end,
        case
            when matched.opportunity_id is null then 'unmatched'
            when matched.opportunity_rank = 1 then 'primary'
            else 'duplicate'
        end as match_role
    from in_usd
    left join matched
        on in_usd.opportunity_id = matched.opportunity_id
)

select * from final
