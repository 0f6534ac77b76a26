-- The component weights fitted from the company's own closed renewals beside the configured
-- ones, per monthly fit date, segment and component (int_health_weight_fits), with the
-- out-of-sample AUC and Brier score of each set (time-ordered cross-validation on the renewals
-- dated before the fit date), the renewals behind the fit and which set is in force from the
-- fit date to the next one (int_health_weights_in_force). is_latest_fit marks the fit in force
-- on as_of_date.

with

fits as (
    select * from {{ ref('int_health_weight_fits') }}
),

in_force as (
    select * from {{ ref('int_health_weights_in_force') }}
    where fit_date is not null
),

latest as (
    select max(cast(fit_date as date)) as fit_date from fits
),

final as (
    select
        cast(fits.fit_date as date) as fit_date,
        fits.segment,
        fits.component,
        {{ health_round_rate('fits.configured_weight') }} as configured_weight,
        {{ health_round_rate('fits.fitted_weight') }} as fitted_weight,
        {{ health_round_rate('in_force.weight') }} as weight_in_use,
        in_force.weights_source,
        in_force.weights_version,
        cast(fits.renewals as {{ dbt.type_bigint() }}) as renewals,
        cast(fits.churned as {{ dbt.type_bigint() }}) as churned,
        cast(fits.first_renewal_date as date) as first_renewal_date,
        cast(fits.last_renewal_date as date) as last_renewal_date,
        cast(fits.oos_renewals as {{ dbt.type_bigint() }}) as oos_renewals,
        {{ health_round_rate('fits.oos_auc_fitted') }} as oos_auc_fitted,
        {{ health_round_rate('fits.oos_auc_configured') }} as oos_auc_configured,
        {{ health_round_rate('fits.oos_brier_fitted') }} as oos_brier_fitted,
        {{ health_round_rate('fits.oos_brier_configured') }} as oos_brier_configured,
        cast(fits.fit_date as date) = latest.fit_date as is_latest_fit,
        {{ as_of_date() }} as as_of_date
    from fits
    cross join latest
    left join in_force
        on cast(fits.fit_date as date) = in_force.fit_date
        and fits.segment = in_force.segment
        and fits.component = in_force.component
)

select * from final
