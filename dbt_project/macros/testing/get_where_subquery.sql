{#- dbt's hook for a data test's `where` config (the override dbt documents for using macros
    there: docs.getdbt.com, resource config `where`, "custom logic"), with two placeholders. A
    plain `where: "{{ ... }}"` would not do: dbt renders it while parsing, before the run's
    as-of date (CS_AS_OF_DATE, read only while executing) is known; these are expanded when the
    test runs. Every YAML line that uses one says so in a comment. `__recently_extracted__` becomes "extracted in the last
    recent_test_days days" (for the usage events: the loader de-duplicates every new batch
    against all earlier events, the test re-checks the recent batches). `__days_written__`
    becomes the days a run can have written into the daily, incremental tables:
      - a backfill (vars health_start_date / health_end_date): its range;
      - otherwise the last recent_test_days (var, default 40) days up to as_of_date: a daily run
        writes only the newest day, and 40 covers the 30-day lead-in of the intermediate models.
    Tests with it check what the run wrote, not the whole history again: on the large benchmark
    book the whole-history key tests of the daily tables cost ~45 s of a ~3 min daily run.
    Earlier days were tested when they were written, and delete+insert on the table's key keeps
    them unique. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- if '__days_written__' in where -%}
            {%- set where = where | replace('__days_written__', days_written_condition()) -%}
        {%- endif -%}
        {%- if '__recently_extracted__' in where -%}
            {%- set where = where | replace('__recently_extracted__', recently_extracted_condition()) -%}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{% macro days_written_condition(column='as_of_date') -%}
    {%- set start_value = var('health_start_date', none) -%}
    {%- if start_value -%}
        {{ column }} between cast('{{ start_value }}' as date) and {{ health_range_end() }}
    {%- else -%}
        {{ column }} > cast({{ dbt.dateadd('day', -(var('recent_test_days', 40) | int), as_of_date()) }} as date)
            and {{ column }} <= {{ as_of_date() }}
    {%- endif -%}
{%- endmacro %}

{% macro recently_extracted_condition(column='extracted_at') -%}
    {{ column }} >= cast({{ dbt.dateadd('day', -(var('recent_test_days', 40) | int), as_of_date()) }} as timestamp)
{%- endmacro %}
