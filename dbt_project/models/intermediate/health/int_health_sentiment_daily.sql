-- Component `sentiment` per scored account and day, 0-100 (docs/health.md): the NPS of the
-- account's responses in the sentiment window (default 180 days, responded by the end of the
-- day): NPS = share of promoters (>= 9) - share of detractors (<= 6), in -1..1, scored
-- 50 + 50 x NPS (all promoters 100, all detractors 0, all passives 50). NULL (missing) without a
-- response in the window. Also counts detractor responses in the alert window.
{%- set lead_in = health_score_change_days() %}
{#- the first day this run computes (one query on an incremental run: health_range.sql) -#}
{%- set range_start = health_range_start(lead_in) %}

with

account_days as (
    select * from {{ ref('int_health_account_days') }}
),

nps_responses as (
    select * from {{ ref('stg_crm__nps_responses') }}
),

parameters as (
    select * from {{ ref('int_health_parameters') }}
),

target_days as (
    select
        account_id,
        as_of_date
    from account_days
    where as_of_date between {{ range_start }} and {{ health_range_end() }}
),

classified_responses as (
    select
        nps_responses.account_id,
        cast(nps_responses.responded_at as date) as responded_date,
        nps_responses.score,
        case when nps_responses.score >= parameters.sentiment_promoter_min_score then 1 else 0 end as is_promoter,
        case when nps_responses.score <= parameters.sentiment_detractor_max_score then 1 else 0 end as is_detractor
    from nps_responses
    cross join parameters
    where nps_responses.account_id in (select account_id from target_days)
        and nps_responses.responded_at is not null
        and nps_responses.score is not null
),

nps_facts as (
    select
        classified_responses.account_id,
        classified_responses.responded_date as fact_date,
        cast(parameters.sentiment_window_days as {{ dbt.type_int() }}) as window_days,
        1 as responses,
        classified_responses.is_promoter as promoters,
        classified_responses.is_detractor as detractors,
        0 as recent_detractors
    from classified_responses
    cross join parameters

    union all

    select
        classified_responses.account_id,
        classified_responses.responded_date,
        cast(parameters.alert_nps_window_days as {{ dbt.type_int() }}),
        0, 0, 0, classified_responses.is_detractor
    from classified_responses
    cross join parameters
    where classified_responses.is_detractor = 1
),

nps_on_target_days as (
    {{ health_trailing_sums(
        'target_days',
        'nps_facts',
        ['responses', 'promoters', 'detractors', 'recent_detractors']
    ) }}
),

scored as (
    select
        nps_on_target_days.*,
        case
            when responses > 0
                then cast(promoters - detractors as {{ health_type_double() }}) / responses
        end as nps,
        parameters.sentiment_window_days
    from nps_on_target_days
    cross join parameters
),

final as (
    select
        as_of_date,
        account_id,
        {{ health_round_score('50 + 50 * nps') }} as sentiment_score,
        nps,
        responses,
        promoters,
        detractors,
        recent_detractors,
        case
            when nps is not null
                then 'NPS ' || {{ health_int_text('100 * nps') }} || ' from '
                    || {{ health_count_text('responses', 'response', 'responses') }} || ' in '
                    || {{ health_int_text('sentiment_window_days') }} || ' days'
        end as sentiment_driver
    from scored
)

select * from final
