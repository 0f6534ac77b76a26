-- The version of the health configuration: a hash of every row of every seed the score is
-- computed from (weights, bands, colours, rule parameters, feature / role / activity-type /
-- seat-product catalogs, and the segment thresholds). Every row of fct_account_health_daily
-- records it, so a score can always be traced to the configuration that produced it; any
-- change to a seed gives a new version.

with

weights as (
    select * from {{ ref('cfg_health_weights') }}
),

bands as (
    select * from {{ ref('cfg_health_bands') }}
),

colors as (
    select * from {{ ref('cfg_health_colors') }}
),

parameters as (
    select * from {{ ref('cfg_health_parameters') }}
),

features as (
    select * from {{ ref('cfg_health_features') }}
),

contact_roles as (
    select * from {{ ref('cfg_health_contact_roles') }}
),

activity_types as (
    select * from {{ ref('cfg_health_activity_types') }}
),

seat_products as (
    select * from {{ ref('cfg_health_seat_products') }}
),

segment_thresholds as (
    select * from {{ ref('cfg_segment_thresholds') }}
),

config_rows as (
    select 'weights|' || segment || '|' || component || '|' || cast(weight as {{ dbt.type_string() }}) as config_row
    from weights
    union all
    select 'bands|' || health_status || '|' || cast(min_score as {{ dbt.type_string() }}) || '|' || cast(severity_rank as {{ dbt.type_string() }}) from bands
    union all
    select 'colors|' || health_status || '|' || health_color || '|' || cast(severity_rank as {{ dbt.type_string() }}) from colors
    union all
    select 'parameters|' || parameter || '|' || cast(value as {{ dbt.type_string() }}) from parameters
    union all
    select 'features|' || feature || '|' || cast(is_core as {{ dbt.type_string() }}) || '|' || cast(is_integration as {{ dbt.type_string() }}) from features
    union all
    select 'roles|' || role || '|' || cast(is_champion as {{ dbt.type_string() }}) || '|' || cast(is_executive as {{ dbt.type_string() }}) || '|' || cast(is_key_contact as {{ dbt.type_string() }}) from contact_roles
    union all
    select 'activity_types|' || activity_type || '|' || cast(is_business_review as {{ dbt.type_string() }}) from activity_types
    union all
    select 'seat_products|' || product from seat_products
    union all
    select 'segments|' || segment || '|' || cast(min_arr_usd as {{ dbt.type_string() }}) from segment_thresholds
),

final as (
    select
        {{ dbt.hash(ordered_listagg('config_row', "'\n'", 'config_row')) }} as config_version,
        count(*) as config_rows
    from config_rows
)

select * from final
