{#- The measure columns of one branch of a model's `<x>_facts` union, by name: every measure of
    `measures` (the list the model also passes to health_trailing_sums), 0 unless `values` gives
    it a SQL expression. A branch names only what it counts, so a value cannot land in the wrong
    measure's slot, and a measure added to the list is 0 in every branch that does not count it. -#}
{% macro health_fact_measures(measures, values={}) -%}
    {%- for name in values if name not in measures -%}
        {{ exceptions.raise_compiler_error("health_fact_measures: '" ~ name ~ "' is not one of " ~ measures | join(', ')) }}
    {%- endfor -%}
    {%- for measure in measures %}
        {{ values.get(measure, 0) }} as {{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
