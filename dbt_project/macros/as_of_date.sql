{#- The run's as-of date as a SQL date literal. Order: --vars as_of_date, then the
    CS_AS_OF_DATE environment variable (what the pipeline sets), then today (UTC). Every
    point-in-time filter uses it. -#}
{% macro as_of_date() -%}
    {%- set value = as_of_date_value() -%}
    {%- if value -%}cast('{{ value }}' as date){%- else -%}cast({{ dbt.current_timestamp() }} as date){%- endif -%}
{%- endmacro %}

{#- The as-of date as text ('' when none is set). The environment variable is read only while
    executing: dbt records every env var a file reads while parsing and re-parses those files
    when its value changes, so a new day would re-parse 33 files before every daily run (and
    --vars, which change the whole parse state, would re-parse all of them). Parsing only looks
    for refs and configs, which never depend on the date. -#}
{% macro as_of_date_value() -%}
    {{ return(var('as_of_date', none) or (env_var('CS_AS_OF_DATE', '') if execute else '')) }}
{%- endmacro %}
