-- cfg_renewal_settings is a single row of settings: none or several would silently change (or
-- multiply) every renewal figure.

with

settings as (
    select * from {{ ref('cfg_renewal_settings') }}
),

summary as (
    select count(*) as setting_rows
    from settings
)

select *
from summary
where setting_rows <> 1
