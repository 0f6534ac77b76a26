-- The population of the daily health score: one row per account and day on which the account
-- has MRR > 0 at the end of the day, i.e. item versions in force at the day's last instant
-- (valid_from < next day start <= valid_to, valid_to exclusive), reaching a non-deleted CRM
-- account through a mapped billing customer. Carries the day's MRR, ARR, licensed seats,
-- segment (CRM override, else the ARR band of cfg_segment_thresholds via int_segment_arr_bands)
-- and the MRR of the day the financial component compares it with.
{%- set lead_in = health_score_change_days() %}
{#- the first day this run computes (one query on an incremental run: health_range.sql) -#}
{%- set range_start = health_range_start(lead_in) %}

with

item_versions as (
    select * from {{ ref('int_subscription_item_mrr_usd') }}
),

customer_accounts as (
    select * from {{ ref('int_customer_account_map') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

segment_bands as (
    select * from {{ ref('int_segment_arr_bands') }}
),

seat_products as (
    select * from {{ ref('cfg_health_seat_products') }}
),

parameters as (
    select * from {{ ref('int_health_parameters') }}
),

-- the run's days; 40,000 days (over a century) bounds any range
day_offsets as (
    {{ dbt.generate_series(40000) }}
),

run_days as (
    select
        cast({{ dbt.dateadd('day', 'day_offsets.generated_number - 1', range_start) }} as date)
            as as_of_date
    from day_offsets
    where {{ dbt.dateadd('day', 'day_offsets.generated_number - 1', range_start) }}
        <= {{ health_range_end() }}
),

-- each day is read twice: at its own end, and at the end of the day its MRR is compared with
reference_days as (
    select
        as_of_date,
        as_of_date as reference_date,
        'current' as reference_kind
    from run_days

    union all

    select
        run_days.as_of_date,
        cast({{ dbt.dateadd(
            'day',
            '-1 * parameters.financial_contraction_window_days',
            'run_days.as_of_date'
        ) }} as date) as reference_date,
        'contraction_base' as reference_kind
    from run_days
    cross join parameters
),

mapped_versions as (
    select
        customer_accounts.account_id,
        item_versions.mrr_usd,
        item_versions.valid_from,
        -- an open version is in force at every later instant
        coalesce(item_versions.valid_to, cast('9999-12-31' as {{ dbt.type_timestamp() }})) as valid_to,
        case when seat_products.product is not null then item_versions.quantity end as seat_quantity
    from item_versions
    inner join customer_accounts
        on item_versions.customer_id = customer_accounts.customer_id
    left join seat_products
        on item_versions.product = seat_products.product
    where customer_accounts.mapping_status = 'mapped'
),

-- in force at the last instant of the reference day: valid_from before the next day starts and
-- valid_to (exclusive) not reached by then
versions_in_force as (
    select
        reference_days.as_of_date,
        reference_days.reference_kind,
        mapped_versions.account_id,
        mapped_versions.mrr_usd,
        mapped_versions.seat_quantity
    from reference_days
    inner join mapped_versions
        on mapped_versions.valid_from < {{ health_day_end('reference_days.reference_date') }}
        and mapped_versions.valid_to >= {{ health_day_end('reference_days.reference_date') }}
),

account_day_revenue as (
    select
        as_of_date,
        account_id,
        sum(case when reference_kind = 'current' then mrr_usd end) as mrr,
        sum(case when reference_kind = 'current' then seat_quantity end) as seats,
        sum(case when reference_kind = 'contraction_base' then mrr_usd end) as contraction_base_mrr
    from versions_in_force
    group by as_of_date, account_id
),

paying_account_days as (
    select
        account_day_revenue.*,
        accounts.segment_override
    from account_day_revenue
    inner join accounts
        on account_day_revenue.account_id = accounts.account_id
    where account_day_revenue.mrr > 0
        and not coalesce(accounts.is_deleted, false)
),

with_segment as (
    select
        paying_account_days.*,
        segment_bands.segment as arr_segment
    from paying_account_days
    left join segment_bands
        on 12 * paying_account_days.mrr >= segment_bands.min_arr_usd
        and (segment_bands.max_arr_usd is null or 12 * paying_account_days.mrr < segment_bands.max_arr_usd)
),

final as (
    select
        as_of_date,
        account_id,
        coalesce(segment_override, arr_segment) as segment,
        case when segment_override is not null then 'override' else 'arr' end as segment_source,
        cast(mrr as decimal(18, 4)) as mrr,
        cast(12 * mrr as decimal(18, 4)) as arr,
        cast(seats as {{ dbt.type_bigint() }}) as seats,
        cast(coalesce(contraction_base_mrr, 0) as decimal(18, 4)) as contraction_base_mrr
    from with_segment
)

select * from final
