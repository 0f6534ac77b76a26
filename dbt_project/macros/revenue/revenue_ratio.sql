{#- numerator / denominator as a fraction (1.07, not 107), NULL when the denominator is 0 or
    NULL: a retention rate over an empty base is unknown, not 0 and not 100 %. -#}
{% macro revenue_ratio(numerator, denominator) -%}
    cast({{ numerator }} as {{ health_type_double() }}) / nullif(cast({{ denominator }} as {{ health_type_double() }}), 0)
{%- endmacro %}
