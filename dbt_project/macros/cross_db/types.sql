{#- Engine-portable SQL pieces (docs/scaling.md): each dispatches to its DuckDB and its Spark
    implementation, side by side; the DuckDB one is what the models said before, so DuckDB output
    is unchanged. (The 8-byte float is health_type_double(), macros/health/health_scoring.sql.) -#}

{#- The `as` of a CTE that must be inlined where it is read, never copied whole (DuckDB's
    `as not materialized`); Spark always inlines a CTE that is not cached. -#}
{% macro cte_not_materialized() -%}
    {{ return(adapter.dispatch('cte_not_materialized', 'customer_retention')()) }}
{%- endmacro %}

{% macro default__cte_not_materialized() -%}as not materialized{%- endmacro %}

{% macro spark__cte_not_materialized() -%}as{%- endmacro %}

{#- string_agg of `measure` in the order of `order_by` (an expression, no `order by` keyword):
    dbt-spark's listagg ignores the order (collect_list's order is not defined on Spark), so the
    Spark one sorts (order_by, measure) pairs before joining. -#}
{% macro ordered_listagg(measure, delimiter_text, order_by) -%}
    {{ return(adapter.dispatch('ordered_listagg', 'customer_retention')(measure, delimiter_text, order_by)) }}
{%- endmacro %}

{% macro default__ordered_listagg(measure, delimiter_text, order_by) -%}
    {{ dbt.listagg(measure, delimiter_text, 'order by ' ~ order_by) }}
{%- endmacro %}

{% macro spark__ordered_listagg(measure, delimiter_text, order_by) -%}
    array_join(
        transform(
            array_sort(collect_list(named_struct('sort_key', {{ order_by }}, 'measure', {{ measure }}))),
            pair -> pair.measure
        ),
        {{ delimiter_text }}
    )
{%- endmacro %}

{#- dbt.datediff returns BIGINT on DuckDB and INT on Spark; the contracts say bigint (a day count
    that DuckDB has always produced), so on Spark it is widened once here. This overrides
    dbt-spark's macro of the same name (the root project is searched first) and calls it. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    cast({{ dbt.spark__datediff(first_date, second_date, datepart) }} as bigint)
{%- endmacro %}
