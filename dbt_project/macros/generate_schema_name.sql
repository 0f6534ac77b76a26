{#- Use the configured schema name as is (`marts`, not `main_marts`): the mart contract
    names the schema BI tools query. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
