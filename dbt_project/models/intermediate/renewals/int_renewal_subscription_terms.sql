-- Every term end of every subscription known on as_of_date, from the first term end after the
-- start through the current term (the first term end on or after as_of_date), with what
-- happened at each passed one.
--
-- The billing extract is a full snapshot that only shows the current term end
-- (current_term_end). Earlier term ends are reconstructed by stepping back whole terms from it:
-- term end k = current_term_end - k x term_months, while it is after the subscription's start;
-- the term length is the longest billing interval among the subscription's item versions
-- (contracts renew at billing-period boundaries). A term end k > 0 was followed by another term,
-- so it renewed (at the ARR in force at the end of that day); the latest one (k = 0) renewed,
-- was lost, or is still open/overdue. This is what makes backfilled forecasts for past dates
-- and the calibration from past outcomes possible from one snapshot.
--
-- Point in time: subscriptions started after as_of_date are unknown; a cancellation after it
-- has not happened yet; ARR at a date uses item versions known by as_of_date only (and ARR
-- after a term end only for term ends already passed).

with

subscriptions as (
    select * from {{ ref('stg_billing__subscriptions') }}
),

item_versions as (
    select * from {{ ref('int_subscription_item_mrr_usd') }}
),

customer_accounts as (
    select * from {{ ref('int_customer_account_map') }}
),

term_offsets as (
    {{ dbt.generate_series(1200) }}
),

-- only subscriptions of live CRM accounts: an unmapped customer's revenue is reported by
-- rpt_unmapped_mrr, a deleted account is out of the marts
known_subscriptions as (
    select
        subscriptions.subscription_id,
        subscriptions.customer_id,
        customer_accounts.account_id,
        subscriptions.started_at,
        subscriptions.current_term_end,
        subscriptions.cancel_at_term_end,
        case
            when subscriptions.canceled_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
                then subscriptions.canceled_at
        end as canceled_at
    from subscriptions
    inner join customer_accounts
        on subscriptions.customer_id = customer_accounts.customer_id
        and customer_accounts.mapping_status = 'mapped'
    where subscriptions.started_at < {{ dbt.dateadd('day', 1, as_of_date()) }}
        and subscriptions.current_term_end is not null
),

term_lengths as (
    select
        subscription_id,
        max(billing_interval_months) as term_months
    from item_versions
    group by subscription_id
),

arr_as_of_date as (
    select
        subscription_id,
        cast(12 * sum(mrr_usd) as decimal(18, 4)) as arr_as_of_date
    from item_versions
    where valid_from < {{ dbt.dateadd('day', 1, as_of_date()) }}
        and (valid_to is null or valid_to >= {{ dbt.dateadd('day', 1, as_of_date()) }})
    group by subscription_id
),

term_ends as (
    select
        known_subscriptions.*,
        term_lengths.term_months,
        term_offsets.generated_number - 1 as term_index,
        cast({{ dbt.dateadd(
            'month',
            '-(term_offsets.generated_number - 1) * term_lengths.term_months',
            'known_subscriptions.current_term_end'
        ) }} as date) as term_end_date
    from known_subscriptions
    inner join term_lengths
        on known_subscriptions.subscription_id = term_lengths.subscription_id
    -- only the steps that can stay after the start (k x term_months within the months from the
    -- start to the current term end; terms_after_start keeps the exact ones): a few per
    -- subscription instead of all 1200
    inner join term_offsets
        on (term_offsets.generated_number - 1) * term_lengths.term_months
            <= {{ dbt.datediff('known_subscriptions.started_at', 'known_subscriptions.current_term_end', 'month') }}
),

terms_after_start as (
    select *
    from term_ends
    where term_end_date > cast(started_at as date)
),

-- the current term as of as_of_date: the earliest term end on or after it; when even the
-- latest one has passed (billing has not rolled it yet), that latest one
current_terms as (
    select
        subscription_id,
        coalesce(max(case when term_end_date >= {{ as_of_date() }} then term_index end), 0) as current_term_index
    from terms_after_start
    group by subscription_id
),

terms_known as (
    select terms_after_start.*
    from terms_after_start
    inner join current_terms
        on terms_after_start.subscription_id = current_terms.subscription_id
        and terms_after_start.term_index >= current_terms.current_term_index
),

-- ARR in force at the last instant before the term end date, and at the end of it
term_arr as (
    select
        terms_known.subscription_id,
        terms_known.term_end_date,
        cast(12 * coalesce(sum(case
            when item_versions.valid_from < cast(terms_known.term_end_date as {{ dbt.type_timestamp() }})
                and (
                    item_versions.valid_to is null
                    or item_versions.valid_to >= cast(terms_known.term_end_date as {{ dbt.type_timestamp() }})
                )
                then item_versions.mrr_usd
        end), 0) as decimal(18, 4)) as arr_before_term_end,
        case when terms_known.term_end_date < {{ as_of_date() }} then
            cast(12 * coalesce(sum(case
                when item_versions.valid_from < {{ dbt.dateadd('day', 1, 'terms_known.term_end_date') }}
                    and (
                        item_versions.valid_to is null
                        or item_versions.valid_to >= {{ dbt.dateadd('day', 1, 'terms_known.term_end_date') }}
                    )
                    then item_versions.mrr_usd
            end), 0) as decimal(18, 4))
        end as arr_after_term_end
    from terms_known
    left join item_versions
        on terms_known.subscription_id = item_versions.subscription_id
    group by terms_known.subscription_id, terms_known.term_end_date
),

with_arr as (
    select
        terms_known.*,
        cast(coalesce(arr_as_of_date.arr_as_of_date, 0) as decimal(18, 4)) as arr_as_of_date,
        term_arr.arr_before_term_end,
        term_arr.arr_after_term_end
    from terms_known
    inner join term_arr
        on terms_known.subscription_id = term_arr.subscription_id
        and terms_known.term_end_date = term_arr.term_end_date
    left join arr_as_of_date
        on terms_known.subscription_id = arr_as_of_date.subscription_id
),

classified as (
    select
        *,
        case
            -- the current term, still ahead (or ending today)
            when term_end_date >= {{ as_of_date() }} then
                case
                    when canceled_at is not null and cast(canceled_at as date) >= term_end_date then 'lost'
                    when canceled_at is not null or arr_as_of_date = 0 then 'churned_before_term_end'
                    else 'open'
                end
            -- the latest term end per billing has passed
            when term_index = 0 and canceled_at is not null then
                case
                    when cast(canceled_at as date) >= term_end_date and arr_before_term_end > 0 then 'lost'
                    else 'churned_before_term_end'
                end
            when arr_before_term_end = 0 then 'no_recurring_revenue'
            when term_index = 0 and arr_as_of_date > 0 then 'overdue'
            when arr_after_term_end > 0 then 'renewed'
            else 'lost'
        end as term_state
    from with_arr
),

final as (
    select
        subscription_id,
        customer_id,
        account_id,
        term_end_date,
        term_index,
        term_months,
        started_at,
        canceled_at,
        -- the notice is about the latest term only
        (term_index = 0 and coalesce(cancel_at_term_end, false)) as cancel_at_term_end,
        arr_as_of_date,
        arr_before_term_end,
        arr_after_term_end,
        term_state
    from classified
)

select * from final
