-- Every row of cfg_health_parameters is read by a column of int_health_parameters (a misspelt
-- parameter would otherwise be ignored silently; a missing one fails no_null_columns there).
-- depends_on: {{ ref('int_health_parameters') }}
{%- set known = [] %}
{%- if execute %}
    {%- for column in adapter.get_columns_in_relation(ref('int_health_parameters')) %}
        {%- do known.append(column.name | lower) %}
    {%- endfor %}
{%- endif %}

with

parameters as (
    select * from {{ ref('cfg_health_parameters') }}
)

select parameter
from parameters
where lower(parameter) not in (
    {%- for name in known %}'{{ name }}'{{ ", " if not loop.last }}{% endfor %}
    {%- if not known %}''{% endif %}
)
