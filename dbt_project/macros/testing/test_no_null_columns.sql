{#- Generic test: the listed columns (all columns when `column_names` is not given) hold no NULL.
    Each failing row names a column that has NULLs and how many rows have one.

    It takes the place of a not_null test per column: one scan of the relation and one dbt node
    instead of one per column. Every dbt test is a node of every run, with ~40 ms of dbt's own
    work and a Dagster check result each; the ~160 per-column not_null tests were half of the
    ~320 tests of a daily run. Without `column_names` (the one-row configuration relations
    int_health_parameters and cfg_renewal_settings) the columns are read from the built relation,
    so a parameter added to the model is covered without editing this. -#}
{% test no_null_columns(model, column_names=none) %}
    {%- if column_names is none -%}
        {%- set column_names = adapter.get_columns_in_relation(model) | map(attribute='name') | list if execute else [] -%}
    {%- endif %}
    {%- if column_names %}
    with null_counts as (
        select
            {%- for column in column_names %}
            sum(case when {{ adapter.quote(column) }} is null then 1 else 0 end) as null_rows_{{ loop.index }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ model }}
    ),

    per_column as (
        select
            checked.null_column,
            case checked.null_column
                {%- for column in column_names %}
                when '{{ column }}' then null_counts.null_rows_{{ loop.index }}
                {%- endfor %}
            end as null_rows
        from null_counts
        cross join (
            {%- for column in column_names %}
            select '{{ column }}' as null_column{{ ' union all' if not loop.last }}
            {%- endfor %}
        ) as checked
    )

    select null_column, null_rows
    from per_column
    where null_rows > 0
    {%- else %}
    select cast(null as {{ dbt.type_string() }}) as null_column, 0 as null_rows
    where 1 = 0
    {%- endif %}
{% endtest %}
