-- The component weights in force per segment and period: the configuration version every daily
-- health row records (fct_account_health_daily.weights_version). One row per period, segment and
-- component; a period runs from a monthly fit date (int_health_weight_fits) to the next one
-- (valid_to exclusive; open-ended when NULL), plus the configured weights before the first fit.
--
-- Which set is in force (docs/health.md "Fitted weights"): the mode is the var
-- health_weights_mode, else cfg_health_weight_fit.weights_mode:
--   configured - always cfg_health_weights;
--   fitted     - the fit whenever it saw both outcomes;
--   auto       - the fit only for a segment whose fit had at least fit_min_renewals closed
--                renewals, fit_min_churned of them lost, and an out-of-sample AUC at least
--                fit_min_auc_gain above the configured weights' on the same renewals.
-- The configured weights are always today's cfg_health_weights (a change applies to the days
-- computed after it, like every seed); a fit's weights are the ones stored with its fit date.
{%- set mode_var = var('health_weights_mode', none) %}
{%- if mode_var is not none and mode_var not in ['configured', 'fitted', 'auto'] %}
    {{ exceptions.raise_compiler_error(
        "var health_weights_mode must be configured, fitted or auto; got '" ~ mode_var ~ "'"
    ) }}
{%- endif %}

with

configured as (
    select * from {{ ref('cfg_health_weights') }}
),

fits as (
    select * from {{ ref('int_health_weight_fits') }}
),

settings as (
    select
        {% if mode_var is not none -%}
        '{{ mode_var }}'
        {%- else -%}
        weights_mode
        {%- endif %} as weights_mode,
        fit_min_renewals,
        fit_min_churned,
        fit_min_auc_gain
    from {{ ref('cfg_health_weight_fit') }}
),

fit_periods as (
    select
        fit_date,
        lead(fit_date) over (order by fit_date) as next_fit_date
    from (select distinct cast(fit_date as date) as fit_date from fits) as fit_dates
),

segment_fits as (
    select
        cast(fits.fit_date as date) as fit_date,
        fits.segment,
        max(fits.renewals) as renewals,
        max(fits.churned) as churned,
        max(fits.oos_auc_fitted) as oos_auc_fitted,
        max(fits.oos_auc_configured) as oos_auc_configured
    from fits
    group by cast(fits.fit_date as date), fits.segment
),

decisions as (
    select
        fit_periods.fit_date,
        fit_periods.next_fit_date,
        segment_fits.segment,
        case settings.weights_mode
            when 'configured' then false
            when 'fitted' then segment_fits.churned > 0 and segment_fits.churned < segment_fits.renewals
            else segment_fits.renewals >= settings.fit_min_renewals
                and segment_fits.churned >= settings.fit_min_churned
                and coalesce(segment_fits.oos_auc_fitted >= segment_fits.oos_auc_configured + settings.fit_min_auc_gain, false)
        end as use_fitted
    from fit_periods
    inner join segment_fits
        on fit_periods.fit_date = segment_fits.fit_date
    cross join settings
),

fitted_periods as (
    select
        decisions.fit_date as valid_from,
        decisions.next_fit_date as valid_to,
        decisions.fit_date,
        configured.segment,
        configured.component,
        case when decisions.use_fitted then coalesce(fits.fitted_weight, 0) else configured.weight end as weight,
        configured.weight as configured_weight,
        case when decisions.use_fitted then 'fitted' else 'configured' end as weights_source
    from decisions
    inner join configured
        on decisions.segment = configured.segment
    left join fits
        on decisions.fit_date = cast(fits.fit_date as date)
        and configured.segment = fits.segment
        and configured.component = fits.component
),

-- before the first fit (or when there is none): the configured weights
before_first_fit as (
    select
        cast(null as date) as valid_from,
        (select min(fit_date) from fit_periods) as valid_to,
        cast(null as date) as fit_date,
        configured.segment,
        configured.component,
        configured.weight,
        configured.weight as configured_weight,
        'configured' as weights_source
    from configured
),

unioned as (
    select * from before_first_fit
    union all
    select * from fitted_periods
),

versions as (
    select
        valid_from,
        segment,
        weights_source || ':' || {{ dbt.hash(ordered_listagg(
            "component || '=' || cast(weight as " ~ dbt.type_string() ~ ")", "'|'", 'component'
        )) }} as weights_version
    from unioned
    group by valid_from, segment, weights_source
),

final as (
    select
        unioned.valid_from,
        unioned.valid_to,
        unioned.fit_date,
        unioned.segment,
        unioned.component,
        unioned.weight,
        unioned.configured_weight,
        unioned.weights_source,
        versions.weights_version
    from unioned
    inner join versions
        on unioned.segment = versions.segment
        and unioned.valid_from is not distinct from versions.valid_from
)

select * from final
