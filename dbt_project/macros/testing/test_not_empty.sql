{#- Generic test: the relation has rows (with `where`: rows matching it, e.g. the as-of day of a
    daily table). One failing row when it has none.

    Why: on Spark, raw timestamps read as TIMESTAMP_NTZ once made every mart come out empty while
    every other data test passed (a test over zero rows finds nothing wrong). A mart that must
    never be empty on a real book carries this test, so an empty build fails the run on either
    engine (docs/scaling.md). -#}
{% test not_empty(model, where_sql=none) %}
    select '{{ "no rows matching the condition" if where_sql else "no rows" }}' as problem
    from (select count(*) as row_count from {{ model }}{{ " where " ~ where_sql if where_sql }}) as counted
    where row_count = 0
{% endtest %}
