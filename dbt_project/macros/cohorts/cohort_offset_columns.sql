{#- One column per months-since-start offset, m0 ... m<max_offset>: the value of the row's
    (grouped) cohort at that offset, NULL when there is none (a month not yet complete).

    Plain conditional aggregation rather than DuckDB's PIVOT: it runs unchanged on every
    engine, and the column set must be fixed anyway (the model contract), so PIVOT's
    data-driven columns would buy nothing. Use inside a `group by` of the row's keys.

    offset_column: the integer months-since-start expression
    value_column:  the value to spread
    max_offset:    the last offset to emit (cohort_max_months()) -#}
{% macro cohort_offset_columns(offset_column, value_column, max_offset) -%}
    {%- for offset in range(max_offset + 1) %}
        max(case when {{ offset_column }} = {{ offset }} then {{ value_column }} end) as m{{ offset }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
