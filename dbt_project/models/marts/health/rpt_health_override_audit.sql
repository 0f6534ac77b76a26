-- The audit trail of CSM health overrides: one row per override set by as_of_date (the CRM's
-- health_overrides file), with who set it, why, when it applies and expires, and what the
-- computed health said while it was displayed instead - so every overridden status can be
-- traced and reviewed. The day-by-day detail is in fct_account_health_daily (is_overridden,
-- override_* columns, computed_health_status beside health_status).

with

overrides as (
    select * from {{ ref('stg_crm__health_overrides') }}
),

health_days as (
    select * from {{ ref('fct_account_health_daily') }}
),

known_overrides as (
    select
        account_id,
        override_status,
        reason,
        set_by,
        set_at,
        expires_at
    from overrides
    where set_at < {{ health_day_end(as_of_date()) }}
),

-- the days the override was the displayed status (a later override can supersede it)
displayed_days as (
    select
        known_overrides.account_id,
        known_overrides.set_at,
        known_overrides.expires_at,
        health_days.as_of_date,
        health_days.health_score,
        health_days.computed_health_status,
        row_number() over (
            partition by known_overrides.account_id, known_overrides.set_at, known_overrides.expires_at
            order by health_days.as_of_date
        ) as day_number,
        row_number() over (
            partition by known_overrides.account_id, known_overrides.set_at, known_overrides.expires_at
            order by health_days.as_of_date desc
        ) as day_number_from_last
    from known_overrides
    inner join health_days
        on known_overrides.account_id = health_days.account_id
        and health_days.as_of_date <= {{ as_of_date() }}
        and known_overrides.set_at = health_days.override_set_at
        and known_overrides.expires_at = health_days.override_expires_at
        and known_overrides.override_status = health_days.override_status
),

displayed_summary as (
    select
        account_id,
        set_at,
        expires_at,
        count(*) as days_displayed,
        min(as_of_date) as first_day_displayed,
        max(as_of_date) as last_day_displayed,
        max(case when day_number = 1 then computed_health_status end) as computed_status_at_start,
        max(case when day_number = 1 then health_score end) as computed_score_at_start,
        max(case when day_number_from_last = 1 then computed_health_status end) as computed_status_at_end,
        max(case when day_number_from_last = 1 then health_score end) as computed_score_at_end
    from displayed_days
    group by account_id, set_at, expires_at
),

final as (
    select
        {{ dbt.hash(
            "known_overrides.account_id || '|' || cast(known_overrides.set_at as " ~ dbt.type_string()
            ~ ") || '|' || known_overrides.override_status"
        ) }} as override_id,
        known_overrides.account_id,
        known_overrides.override_status,
        known_overrides.reason,
        known_overrides.set_by,
        known_overrides.set_at,
        known_overrides.expires_at,
        case
            when known_overrides.expires_at >= {{ health_day_end(as_of_date()) }} then 'in_force'
            else 'expired'
        end as override_state,
        cast(coalesce(displayed_summary.days_displayed, 0) as {{ dbt.type_bigint() }}) as days_displayed,
        displayed_summary.first_day_displayed,
        displayed_summary.last_day_displayed,
        displayed_summary.computed_status_at_start,
        displayed_summary.computed_score_at_start,
        displayed_summary.computed_status_at_end,
        displayed_summary.computed_score_at_end,
        {{ as_of_date() }} as as_of_date
    from known_overrides
    left join displayed_summary
        on known_overrides.account_id = displayed_summary.account_id
        and known_overrides.set_at = displayed_summary.set_at
        and known_overrides.expires_at = displayed_summary.expires_at
)

select * from final
