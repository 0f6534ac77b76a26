{#- The last months_since_start column of marts.rpt_cohort_retention_wide (m0 ... mN).

    A model contract needs its column list when the project is parsed, before any data is
    read, so the wide table cannot grow a column per month of history at run time. Its width
    is fixed here instead: the var `cohort_max_months` (default 60: five years of
    cohorts, enough for the bundled sample's 47 months of history).
    The long table, marts.rpt_cohort_retention, keeps every month whatever this is.

    Changing it means listing the same m0 ... mN in rpt_cohort_retention_wide.yml (the
    contract fails the build until both agree); warn_cohort_wide_table_truncated warns when
    the history has outgrown it. -#}
{% macro cohort_max_months() -%}
    {%- set value = var('cohort_max_months', 60) | int -%}
    {%- if value < 0 -%}
        {{ exceptions.raise_compiler_error("cohort_max_months must be >= 0, got " ~ value) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
