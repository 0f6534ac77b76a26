-- Component `financial` per scored account and day, 0-100 (docs/health.md). Invoices reach the
-- account through mapped billing customers; void invoices are left out. Known by the end of the
-- day: an invoice is overdue on the days from its due date until the day it is paid.
--   payment: the oldest overdue invoice: 0 days overdue 100, the zero-days limit (default 60)
--     or more 0, linear between; 100 when nothing is overdue;
--   late payments: 100 minus the late penalty per invoice paid after its due date in the late
--     window (default 180 days);
--   revenue: MRR vs the MRR the contraction window (default 90 days) earlier: no contraction
--     100, the zero share (default 50 %) contraction or more 0, linear between; missing when the
--     account had no MRR then;
--   notice: minus the notice penalty while a renewal opportunity closed lost in the notice window
--     (default 365 days) - the CRM's dated record of a cancellation notice. (Billing's
--     cancel_at_term_end carries no date, so the point-in-time history cannot use it; the
--     renewal forecast applies it on the as-of date.)
-- score = max(0, weighted mean of the present rules - notice penalty). Always present for a
-- paying account, so every scored account has data_completeness > 0.
{%- set lead_in = health_score_change_days() %}
{#- the first day this run computes (one query on an incremental run: health_range.sql) -#}
{%- set range_start = health_range_start(lead_in) %}
{#- the sub-scores and their weights: the score's weighted mean and the driver's shortfalls -#}
{%- set weighted_sub_scores = [
    ('payment_score', 'financial_payment_weight'),
    ('late_payment_score', 'financial_late_weight'),
    ('revenue_score', 'financial_revenue_weight'),
] %}

with

account_days as (
    select * from {{ ref('int_health_account_days') }}
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

customer_accounts as (
    select * from {{ ref('int_customer_account_map') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

parameters as (
    select * from {{ ref('int_health_parameters') }}
),

target_days as (
    select
        account_id,
        as_of_date,
        mrr,
        contraction_base_mrr
    from account_days
    where as_of_date between {{ range_start }} and {{ health_range_end() }}
),

account_invoices as (
    select
        customer_accounts.account_id,
        cast(invoices.due_at as date) as due_date,
        cast(invoices.paid_at as date) as paid_date
    from invoices
    inner join customer_accounts
        on invoices.customer_id = customer_accounts.customer_id
    where customer_accounts.mapping_status = 'mapped'
        and invoices.status <> 'void'
        and invoices.due_at is not null
        and customer_accounts.account_id in (select account_id from target_days)
),

-- the days an invoice is overdue: from its due date to the day before it is paid (rare rows)
overdue_invoice_days as (
    select
        target_days.account_id,
        target_days.as_of_date,
        max({{ health_days_between('account_invoices.due_date', 'target_days.as_of_date') }}) as days_overdue,
        count(*) as overdue_invoices
    from target_days
    inner join account_invoices
        on target_days.account_id = account_invoices.account_id
        and account_invoices.due_date <= target_days.as_of_date
        and (account_invoices.paid_date is null or account_invoices.paid_date > target_days.as_of_date)
    group by target_days.account_id, target_days.as_of_date
),

financial_facts as (
    -- invoices paid after their due date, in the late window
    select
        account_invoices.account_id,
        account_invoices.paid_date as fact_date,
        cast(parameters.financial_late_window_days as {{ dbt.type_int() }}) as window_days,
        1 as late_payments,
        0 as lost_renewals
    from account_invoices
    cross join parameters
    where account_invoices.paid_date > account_invoices.due_date

    union all

    -- renewal opportunities closed lost (known from the close date, never before created)
    select
        opportunities.account_id,
        greatest(opportunities.close_date, cast(opportunities.created_at as date)),
        cast(parameters.financial_notice_window_days as {{ dbt.type_int() }}),
        0,
        1
    from opportunities
    cross join parameters
    where opportunities.opportunity_type = 'renewal'
        and opportunities.stage = 'closed_lost'
        and opportunities.close_date is not null
        and opportunities.account_id in (select account_id from target_days)
),

financial_on_target_days as (
    {{ health_trailing_sums('target_days', 'financial_facts', ['late_payments', 'lost_renewals']) }}
),

rules as (
    select
        target_days.as_of_date,
        target_days.account_id,
        target_days.mrr,
        target_days.contraction_base_mrr,
        coalesce(overdue_invoice_days.overdue_invoices, 0) as overdue_invoices,
        overdue_invoice_days.days_overdue,
        financial_on_target_days.late_payments,
        financial_on_target_days.lost_renewals,
        case
            when target_days.contraction_base_mrr > 0
                then cast(target_days.mrr as {{ health_type_double() }}) / target_days.contraction_base_mrr - 1
        end as mrr_change,
        case
            when overdue_invoice_days.days_overdue is null then 100.0
            else {{ health_linear_score('overdue_invoice_days.days_overdue', 'parameters.financial_overdue_zero_days', '0') }}
        end as payment_score,
        greatest(0.0, 100.0 - parameters.financial_late_penalty_points * financial_on_target_days.late_payments)
            as late_payment_score,
        case
            when financial_on_target_days.lost_renewals > 0 then parameters.financial_notice_penalty_points
            else 0
        end as notice_penalty,
        parameters.financial_payment_weight,
        parameters.financial_late_weight,
        parameters.financial_revenue_weight,
        parameters.financial_contraction_zero_share,
        parameters.financial_late_window_days,
        parameters.financial_contraction_window_days
    from target_days
    cross join parameters
    left join overdue_invoice_days
        on target_days.account_id = overdue_invoice_days.account_id
        and target_days.as_of_date = overdue_invoice_days.as_of_date
    left join financial_on_target_days
        on target_days.account_id = financial_on_target_days.account_id
        and target_days.as_of_date = financial_on_target_days.as_of_date
),

sub_scores as (
    select
        *,
        case
            when mrr_change is not null
                then {{ health_linear_score('mrr_change', '-1 * financial_contraction_zero_share', '0') }}
        end as revenue_score
    from rules
),

{{ health_component_ctes('sub_scores', weighted_sub_scores, 'financial_score', penalty='notice_penalty') }},

final as (
    select
        as_of_date,
        account_id,
        financial_score,
        {{ health_round_score('payment_score') }} as payment_score,
        {{ health_round_score('late_payment_score') }} as late_payment_score,
        {{ health_round_score('revenue_score') }} as revenue_score,
        cast(notice_penalty as {{ health_type_double() }}) as notice_penalty,
        overdue_invoices,
        days_overdue,
        late_payments,
        lost_renewals,
        mrr_change,
        lost_renewals > 0 as has_cancellation_notice,
        case
            when notice_penalty > 0 then 'cancellation notice: renewal marked lost in the CRM'
            when worst_shortfall <= 0 then null
            when payment_shortfall = worst_shortfall
                then 'invoice ' || {{ health_count_text('days_overdue', 'day', 'days') }} || ' overdue'
            when late_payment_shortfall = worst_shortfall
                then {{ health_count_text('late_payments', 'invoice', 'invoices') }} || ' paid late in '
                    || {{ health_int_text('financial_late_window_days') }} || ' days'
            else 'MRR down ' || {{ health_int_text('-100 * mrr_change') }} || '% vs '
                || {{ health_int_text('financial_contraction_window_days') }} || ' days ago'
        end as financial_driver
    from scored
)

select * from final
