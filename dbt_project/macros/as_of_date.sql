{#- The run's as-of date as a SQL date literal. Order: --vars as_of_date, then the
    CS_AS_OF_DATE environment variable, then today (UTC). Every point-in-time filter uses it. -#}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', none) or env_var('CS_AS_OF_DATE', '') -%}
    {%- if value -%}cast('{{ value }}' as date){%- else -%}cast({{ dbt.current_timestamp() }} as date){%- endif -%}
{%- endmacro %}
