-- One row per renewal known on as_of_date, past and upcoming: every subscription term (with the
-- CRM renewal opportunity that is the same renewal, if any) plus every CRM renewal opportunity
-- that matches no subscription term. Never twice: a matched opportunity is folded into its term
-- (int_renewal_opportunity_matches says how), duplicates are dropped.
--
-- renewal_state: open (ahead), overdue (date passed, not closed), renewed, lost (closed), or
-- churned_before_term_end / no_recurring_revenue (not a renewal at all: the subscription ended
-- before its term end, or nothing paid was in force). Billing decides a subscription term's
-- outcome; a closed CRM opportunity closes a term that billing still shows overdue.

with

subscription_terms as (
    select * from {{ ref('int_renewal_subscription_terms') }}
),

opportunity_matches as (
    select * from {{ ref('int_renewal_opportunity_matches') }}
),

primary_opportunities as (
    select *
    from opportunity_matches
    where match_role = 'primary'
),

term_renewals as (
    select
        subscription_terms.subscription_id || '|' || cast(subscription_terms.term_end_date as {{ dbt.type_string() }})
            as renewal_id,
        case when primary_opportunities.opportunity_id is null then 'subscription' else 'subscription_and_opportunity' end
            as renewal_source,
        subscription_terms.account_id,
        subscription_terms.subscription_id,
        primary_opportunities.opportunity_id,
        subscription_terms.term_end_date as renewal_date,
        subscription_terms.term_months,
        subscription_terms.cancel_at_term_end,
        primary_opportunities.stage_as_of_date as opportunity_stage,
        subscription_terms.arr_as_of_date,
        case
            when subscription_terms.term_state in ('open', 'overdue') then subscription_terms.arr_as_of_date
            else subscription_terms.arr_before_term_end
        end as renewal_arr,
        case
            when subscription_terms.term_state = 'overdue' and primary_opportunities.stage_as_of_date = 'closed_won'
                then 'renewed'
            when subscription_terms.term_state = 'overdue' and primary_opportunities.stage_as_of_date = 'closed_lost'
                then 'lost'
            else subscription_terms.term_state
        end as renewal_state,
        subscription_terms.arr_after_term_end
    from subscription_terms
    left join primary_opportunities
        on subscription_terms.subscription_id = primary_opportunities.matched_subscription_id
        and subscription_terms.term_end_date = primary_opportunities.matched_term_end_date
),

term_renewals_with_outcome as (
    select
        renewal_id,
        renewal_source,
        account_id,
        subscription_id,
        opportunity_id,
        renewal_date,
        term_months,
        cancel_at_term_end,
        opportunity_stage,
        renewal_arr,
        renewal_state,
        case
            when renewal_state = 'renewed' then coalesce(arr_after_term_end, arr_as_of_date)
            when renewal_state = 'lost' then cast(0 as decimal(18, 4))
        end as actual_renewed_arr
    from term_renewals
),

opportunity_renewals as (
    select
        'opportunity|' || opportunity_id as renewal_id,
        'opportunity' as renewal_source,
        account_id,
        cast(null as {{ dbt.type_string() }}) as subscription_id,
        opportunity_id,
        close_date as renewal_date,
        cast(null as integer) as term_months,
        false as cancel_at_term_end,
        stage_as_of_date as opportunity_stage,
        amount_arr_usd as renewal_arr,
        case
            when stage_as_of_date = 'closed_won' then 'renewed'
            when stage_as_of_date = 'closed_lost' then 'lost'
            when close_date < {{ as_of_date() }} then 'overdue'
            else 'open'
        end as renewal_state,
        case
            when stage_as_of_date = 'closed_won' then amount_arr_usd
            when stage_as_of_date = 'closed_lost' then cast(0 as decimal(18, 4))
        end as actual_renewed_arr
    from opportunity_matches
    where match_role = 'unmatched'
),

unioned as (
    select * from term_renewals_with_outcome
    union all
    select * from opportunity_renewals
),

final as (
    select
        renewal_id,
        renewal_source,
        account_id,
        subscription_id,
        opportunity_id,
        renewal_date,
        term_months,
        cancel_at_term_end,
        opportunity_stage,
        -- a notice in billing, or the renewal opportunity already lost in the CRM
        (cancel_at_term_end or coalesce(opportunity_stage = 'closed_lost', false)) as has_cancellation_notice,
        cast(renewal_arr as decimal(18, 4)) as renewal_arr,
        renewal_state,
        renewal_state in ('open', 'overdue') as is_open,
        renewal_state in ('renewed', 'lost') as is_closed,
        cast(actual_renewed_arr as decimal(18, 4)) as actual_renewed_arr
    from unioned
)

select * from final
