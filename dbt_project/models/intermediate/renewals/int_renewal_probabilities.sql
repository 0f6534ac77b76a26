-- Renewal probability per health status: the configured default (the health area's seed
-- cfg_renewal_probabilities), the calibrated estimate from closed renewals, and the one the
-- forecast uses, chosen by the var `renewal_probability_source` (configured | calibrated;
-- default configured).
--
-- calibrated = (renewed + k x p0) / (n + k): the observed renewal rate shrunk toward the
-- configured p0 by a Beta prior worth k closed renewals (calibration_prior_strength). With no
-- closed renewals it is p0; with many it approaches the observed rate.

{%- set probability_source = var('renewal_probability_source', 'configured') %}
{%- if probability_source not in ['configured', 'calibrated'] %}
    {{ exceptions.raise_compiler_error(
        "var renewal_probability_source must be 'configured' or 'calibrated', got '" ~ probability_source ~ "'"
    ) }}
{%- endif %}

with

configured as (
    select * from {{ ref('cfg_renewal_probabilities') }}
),

outcomes as (
    select * from {{ ref('int_renewal_calibration_outcomes') }}
),

settings as (
    select * from {{ ref('cfg_renewal_settings') }}
),

observed as (
    select
        health_status,
        count(*) as closed_renewals,
        sum(renewed) as renewed_renewals
    from outcomes
    group by health_status
),

estimated as (
    select
        configured.status as health_status,
        cast(configured.probability as {{ health_type_double() }}) as configured_probability,
        coalesce(observed.closed_renewals, 0) as closed_renewals,
        coalesce(observed.renewed_renewals, 0) as renewed_renewals,
        cast(settings.calibration_prior_strength as {{ health_type_double() }}) as prior_strength,
        settings.calibration_min_closed_renewals as min_closed_renewals
    from configured
    cross join settings
    left join observed
        on configured.status = observed.health_status
),

final as (
    select
        health_status,
        configured_probability,
        closed_renewals,
        renewed_renewals,
        {{ revenue_ratio('renewed_renewals', 'closed_renewals') }} as observed_renewal_rate,
        prior_strength,
        (renewed_renewals + prior_strength * configured_probability) / nullif(closed_renewals + prior_strength, 0)
            as calibrated_probability,
        closed_renewals >= min_closed_renewals as is_reliable,
        '{{ probability_source }}' as probability_source,
        {% if probability_source == 'calibrated' -%}
        coalesce(
            (renewed_renewals + prior_strength * configured_probability) / nullif(closed_renewals + prior_strength, 0),
            configured_probability
        )
        {%- else -%}
        configured_probability
        {%- endif %} as probability
    from estimated
)

select * from final
