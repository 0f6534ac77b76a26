{#- Seed rows on Spark with their empty cells as NULL. dbt-spark's own load_csv_rows binds every
    cell as a quoted literal, None included: an empty cell of a string column became the text
    'None' (numeric and date columns still came out NULL: casting 'None' fails to NULL without
    ANSI mode). So on Spark cfg_playbook_plays.trigger_color = 'None' matched no colour (the
    champion_replacement play never ran) and cfg_playbook_tasks.activity_role = 'None' required
    an attendee role 'None' (fct_playbook_tasks: 31 rows, not 33, and other task states). Here an
    empty cell is a typed NULL and every other cell is bound as before. This overrides
    dbt-spark's macro of the same name (the root project is searched first). -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set column_types = [] -%}
    {%- for column_name in agate_table.column_names -%}
        {%- do column_types.append(column_override.get(column_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set bindings = [] -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- if value is none -%}
                        cast(null as {{ column_types[loop.index0] }})
                    {%- else -%}
                        {%- do bindings.append(value) -%}
                        cast({{ get_binding_char() }} as {{ column_types[loop.index0] }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, bindings=bindings, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- the SQL of the first batch, for the compiled files (as dbt-spark's) -#}
    {{ return(statements[0]) }}
{% endmacro %}
