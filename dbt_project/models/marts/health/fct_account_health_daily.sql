-- The daily point-in-time customer health score: one row per account with MRR > 0 at the end of
-- the day, per day (docs/health.md). Each component (0-100, NULL when the account has no data
-- for it) comes from its int_health_<component>_daily model, computed from what was known by
-- the end of that day. The score is the weighted mean of the present components with the
-- segment's weights in force that day (int_health_weights_in_force: configured, or fitted from
-- renewals that closed before the day) renormalized over them; data_completeness is the share
-- of the weight present. Status comes from cfg_health_bands, its colour from cfg_health_colors; a
-- CSM override in force that day replaces the displayed status (and so its colour), the computed
-- one is kept beside it. Incremental: a run adds the days after the latest one in the table up to as_of_date, or
-- recomputes exactly health_start_date..health_end_date (health_range macros).
{%- set lead_in = health_score_change_days() %}
{#- the first day this run computes (one query on an incremental run: health_range.sql) -#}
{%- set range_start = health_range_start() %}
{%- set components = health_components() %}
{#- the run's days plus the days score_change_30d compares them with -#}
{%- set scoring_days -%}
    as_of_date between
        cast({{ dbt.dateadd('day', -lead_in, range_start) }} as date)
        and {{ health_range_end() }}
{%- endset %}

with

account_days as (
    select * from {{ ref('int_health_account_days') }}
),

-- each component over the scoring days only: they are left-joined to scoring_days, and DuckDB
-- would otherwise build its hash tables on every day of their history (the large benchmark's
-- daily run: 1.5 -> 0.8 s standalone)
{% for component, model in components %}
{{ component }} as (
    select * from {{ ref(model) }}
    where {{ scoring_days }}
),

{% endfor %}
-- the weights in force per segment and period: configured or fitted from earlier renewals
-- (int_health_weights_in_force); each period's set is a version every row records
weights as (
    select * from {{ ref('int_health_weights_in_force') }}
),

bands as (
    select * from {{ ref('cfg_health_bands') }}
),

colors as (
    select * from {{ ref('cfg_health_colors') }}
),

parameters as (
    select * from {{ ref('int_health_parameters') }}
),

overrides as (
    select * from {{ ref('stg_crm__health_overrides') }}
),

config_version as (
    select * from {{ ref('int_health_config_version') }}
),

scoring_days as (
    select *
    from account_days
    where {{ scoring_days }}
),

segment_weights as (
    select
        segment,
        valid_from,
        valid_to,
        weights_version,
        weights_source,
        {%- for component, model in components %}
        sum(case when component = '{{ component }}' then weight else 0 end) as {{ component }}_weight,
        {%- endfor %}
        sum(weight) as total_weight
    from weights
    group by segment, valid_from, valid_to, weights_version, weights_source
),

component_scores as (
    select
        scoring_days.as_of_date,
        scoring_days.account_id,
        scoring_days.segment,
        scoring_days.mrr,
        scoring_days.arr,
        scoring_days.seats,
        {%- for component, model in components %}
        {{ component }}.{{ component }}_score,
        {{ component }}.{{ component }}_driver,
        {%- endfor %}
        adoption.active_users,
        adoption.previous_active_users,
        adoption.active_users_change,
        stakeholder_coverage.key_contact_departures,
        stakeholder_coverage.key_contact_departed_role,
        stakeholder_coverage.key_contact_departed_on,
        support.recent_tickets,
        support.usual_recent_tickets,
        support.is_ticket_spike,
        support.escalations,
        sentiment.recent_detractors,
        financial.overdue_invoices,
        financial.days_overdue,
        financial.has_cancellation_notice
    from scoring_days
    {%- for component, model in components %}
    left join {{ component }}
        on scoring_days.account_id = {{ component }}.account_id
        and scoring_days.as_of_date = {{ component }}.as_of_date
    {%- endfor %}
),

weighted as (
    select
        component_scores.*,
        segment_weights.total_weight,
        segment_weights.weights_version,
        segment_weights.weights_source,
        {%- for component, model in components %}
        segment_weights.{{ component }}_weight,
        {%- endfor %}
        {% for component, model in components -%}
        case when component_scores.{{ component }}_score is not null then segment_weights.{{ component }}_weight else 0 end
        {{- " +" if not loop.last }}
        {% endfor -%} as present_weight,
        {% for component, model in components -%}
        coalesce(component_scores.{{ component }}_score * segment_weights.{{ component }}_weight, 0)
        {{- " +" if not loop.last }}
        {% endfor -%} as weighted_points
    from component_scores
    left join segment_weights
        on component_scores.segment = segment_weights.segment
        and (segment_weights.valid_from is null or component_scores.as_of_date >= segment_weights.valid_from)
        and (segment_weights.valid_to is null or component_scores.as_of_date < segment_weights.valid_to)
),

scored as (
    select
        *,
        {{ health_round_score('weighted_points / nullif(present_weight, 0)') }} as health_score,
        cast(round(cast(present_weight / nullif(total_weight, 0) as {{ dbt.type_numeric() }}), 4) as {{ health_type_double() }})
            as data_completeness
    from weighted
),

with_change as (
    select
        scored.*,
        {{ health_round_score('scored.health_score - score_before.health_score') }} as score_change_30d
    from scored
    left join scored as score_before
        on scored.account_id = score_before.account_id
        and score_before.as_of_date = cast({{ dbt.dateadd('day', -lead_in, 'scored.as_of_date') }} as date)
    where scored.as_of_date between {{ range_start }} and {{ health_range_end() }}
),

band_ranges as (
    select
        health_status,
        min_score,
        lead(min_score) over (order by min_score) as next_min_score
    from bands
),

banded as (
    select
        with_change.*,
        band_ranges.health_status as computed_health_status
    from with_change
    left join band_ranges
        on with_change.health_score >= band_ranges.min_score
        and (band_ranges.next_min_score is null or with_change.health_score < band_ranges.next_min_score)
),

-- drivers: the components below the driver threshold, ordered by the points they cost the score
-- (100 - component score) x the component's share of the present weight
driver_candidates as (
    {%- for component, model in components %}
    select
        banded.as_of_date,
        banded.account_id,
        '{{ component }}' as component,
        (100 - banded.{{ component }}_score) * banded.{{ component }}_weight / banded.present_weight as points_lost,
        banded.{{ component }}_driver as driver_text
    from banded
    cross join parameters
    where banded.{{ component }}_score < parameters.drivers_max_component_score
        and banded.{{ component }}_weight > 0
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

ranked_drivers as (
    select
        driver_candidates.*,
        row_number() over (
            partition by account_id, as_of_date
            order by points_lost desc, component asc
        ) as driver_rank
    from driver_candidates
),

drivers as (
    select
        ranked_drivers.account_id,
        ranked_drivers.as_of_date,
        {{ ordered_listagg('ranked_drivers.driver_text', "'; '", 'ranked_drivers.driver_rank') }} as drivers,
        max(case when ranked_drivers.driver_rank = 1 then ranked_drivers.component end) as top_driver
    from ranked_drivers
    cross join parameters
    where ranked_drivers.driver_rank <= parameters.drivers_max_count
    group by ranked_drivers.account_id, ranked_drivers.as_of_date
),

-- a CSM override is in force on a day when it was set by the end of the day and expires only
-- after it (expires_at exclusive, like valid_to); the latest one set wins
overrides_in_force as (
    select
        account_id,
        as_of_date,
        override_status,
        reason as override_reason,
        set_by as override_set_by,
        set_at as override_set_at,
        expires_at as override_expires_at
    from (
        select
            banded.account_id,
            banded.as_of_date,
            overrides.override_status,
            overrides.reason,
            overrides.set_by,
            overrides.set_at,
            overrides.expires_at,
            row_number() over (
                partition by banded.account_id, banded.as_of_date
                order by overrides.set_at desc, overrides.expires_at desc, overrides.override_status asc
            ) as recency
        from banded
        inner join overrides
            on banded.account_id = overrides.account_id
            and overrides.set_at < {{ health_day_end('banded.as_of_date') }}
            and overrides.expires_at >= {{ health_day_end('banded.as_of_date') }}
    ) as candidates
    where recency = 1
),

final as (
    select
        banded.as_of_date,
        banded.account_id,
        banded.segment,
        {%- for component, model in components %}
        banded.{{ component }}_score,
        {%- endfor %}
        banded.health_score,
        banded.data_completeness,
        coalesce(overrides_in_force.override_status, banded.computed_health_status) as health_status,
        colors.health_color,
        banded.score_change_30d,
        drivers.drivers,
        drivers.top_driver,
        banded.computed_health_status,
        overrides_in_force.override_status is not null as is_overridden,
        overrides_in_force.override_status,
        overrides_in_force.override_reason,
        overrides_in_force.override_set_by,
        overrides_in_force.override_set_at,
        overrides_in_force.override_expires_at,
        banded.mrr,
        banded.arr,
        banded.seats,
        banded.active_users,
        banded.previous_active_users,
        banded.active_users_change,
        banded.key_contact_departures,
        banded.key_contact_departed_role,
        banded.key_contact_departed_on,
        banded.recent_tickets,
        banded.usual_recent_tickets,
        banded.is_ticket_spike,
        banded.escalations,
        banded.recent_detractors,
        banded.overdue_invoices,
        banded.days_overdue,
        banded.has_cancellation_notice,
        config_version.config_version,
        banded.weights_version,
        banded.weights_source
    from banded
    cross join config_version
    left join drivers
        on banded.account_id = drivers.account_id
        and banded.as_of_date = drivers.as_of_date
    left join overrides_in_force
        on banded.account_id = overrides_in_force.account_id
        and banded.as_of_date = overrides_in_force.as_of_date
    -- the colour is the displayed status's (one vocabulary: cfg_health_colors maps status -> colour)
    left join colors
        on coalesce(overrides_in_force.override_status, banded.computed_health_status) = colors.health_status
)

select * from final
