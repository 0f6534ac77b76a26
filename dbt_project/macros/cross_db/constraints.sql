{#- Contract constraints on Spark: dbt-spark adds NOT NULL / CHECK constraints with
    `ALTER TABLE ... CHANGE COLUMN ... SET NOT NULL`, which Spark supports on Delta tables only; the
    marts are Parquet tables (readable by DuckDB, Trino, Superset), so the constraints cannot be
    stored there. The same rules are still checked on every build: each contract NOT NULL column
    also has a not_null data test, and the mart gates run on both engines (docs/scaling.md).
    These override dbt-spark's macros of the same name (the root project is searched first). -#}
{% macro spark__alter_column_set_constraints(relation, column_dict) -%}
    {%- do log("contract NOT NULL constraints are not stored on Parquet tables (" ~ relation ~ "); the data tests check them", info=false) -%}
{%- endmacro %}

{% macro spark__alter_table_add_constraints(relation, constraints) -%}
    {%- do log("contract constraints are not stored on Parquet tables (" ~ relation ~ ")", info=false) -%}
{%- endmacro %}
