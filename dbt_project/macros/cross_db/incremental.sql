{#- How an incremental model keyed by a day replaces the days it recomputes, on each engine:
    DuckDB deletes the rows of the unique key it inserts (delete+insert); Spark has no
    delete+insert on Parquet tables (merge needs Delta/Iceberg), so it overwrites the partitions of
    the day column the new rows fall in (insert_overwrite, dynamic partition overwrite). The same
    rows result when the model recomputes whole days, which every model using this does. -#}
{% macro day_incremental_strategy() -%}
    {{ return('insert_overwrite' if target.type == 'spark' else 'delete+insert') }}
{%- endmacro %}

{#- The partition column on Spark (none on DuckDB, which does not partition tables). -#}
{% macro day_partition_by(day_column) -%}
    {{ return(day_column if target.type == 'spark' else none) }}
{%- endmacro %}
