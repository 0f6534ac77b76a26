{#- The days a health model computes in this run (docs/health.md, "Daily history").

    Every daily health model is incremental (delete+insert on as_of_date, account_id) and
    computes the days [health_range_start(), health_range_end()]:
      - vars health_start_date / health_end_date given (a backfill, e.g. a Dagster daily
        partition): exactly that range (health_end_date defaults to as_of_date);
      - otherwise, incremental run: the days after the latest day already in the table, up to
        health_end_date if given (a range of a first build in ranges), else as_of_date;
      - otherwise (first build, --full-refresh): from health_history_days (var, 400) days back
        from as_of_date, plus `lead_in_days` more for the intermediate models, so that the
        mart can read the score 30 days before its first day (score_change_30d), up to
        health_end_date if given (the first range of a first build in ranges), else as_of_date.
    Both bounds are date literals. An incremental run reads its first day from the model's own
    table with a query while the model compiles (health_latest_day_after, below), as
    health_alerts_evaluate_from does: a subquery on the table, repeated in every CTE that bounds
    a component, made Spark's plan of fct_account_health_daily so large that its next-day run
    ran out of driver memory after 280 s (docs/scaling.md), and a literal lets either engine
    prune partitions and row groups. health_usage_scan_start reads one more bound the same way.
    Each model calls health_range_start once and keeps it (`range_start`), so that query runs
    once per model and run, not once per use. -#}

{#- Both from dbt_project.yml's vars (the one home dagster_project/history_ranges.py reads too). -#}
{% macro health_score_change_days() -%}
    {#- score_change_30d compares with the score this many days earlier (fixed by the mart contract) -#}
    {{ return(var('health_score_change_days') | int) }}
{%- endmacro %}

{% macro health_history_days() -%}
    {{ return(var('health_history_days') | int) }}
{%- endmacro %}

{% macro health_range_end() -%}
    {%- set end_value = var('health_end_date', none) -%}
    {%- if end_value -%}
        {%- do health_validate_range() -%}
        cast('{{ end_value }}' as date)
    {%- else -%}
        {{ as_of_date() }}
    {%- endif -%}
{%- endmacro %}

{% macro health_range_start(lead_in_days=0) -%}
    {%- set start_value = var('health_start_date', none) -%}
    {#- counted from the as-of date, not from health_end_date: a first build in ranges of days
        (dagster_project/history_ranges.py) starts its first range, which ends early, on the
        same first day as a first build in one piece -#}
    {%- set default_start -%}
        cast({{ dbt.dateadd('day', -(health_history_days() + lead_in_days), as_of_date()) }} as date)
    {%- endset -%}
    {%- if start_value -%}
        {%- do health_validate_range() -%}
        cast('{{ start_value }}' as date)
    {%- elif is_incremental() -%}
        {%- set latest_day_after = health_latest_day_after() -%}
        {%- if latest_day_after -%}
            cast('{{ latest_day_after }}' as date)
        {%- else -%}
            {#- an empty table (or parsing, which runs no query) -#}
            {{ default_start }}
        {%- endif -%}
    {%- else -%}
        {{ default_start }}
    {%- endif -%}
{%- endmacro %}

{#- The day after the latest as_of_date in the model's own table ('YYYY-MM-DD'), read while the
    model compiles (execute); none when the table is empty, and while parsing. -#}
{% macro health_latest_day_after() -%}
    {%- if execute -%}
        {%- set query -%}
            select cast({{ dbt.dateadd('day', 1, 'max(as_of_date)') }} as date) from {{ this }}
        {%- endset -%}
        {%- set latest_day_after = run_query(query).columns[0].values()[0] -%}
        {%- if latest_day_after is not none -%}
            {{ return(latest_day_after | string) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#- The day before which a fact lasting at most `window_days` (SQL: a number of days, e.g. a
    parameter column) cannot reach the run's first day `range_start` (the model's
    health_range_start(lead_in_days)): the look-back bound of a model that reads history only
    through windows. -#}
{% macro health_lookback_start(window_days, range_start) -%}
    cast({{ dbt.dateadd('day', '-(' ~ window_days ~ ')', range_start) }} as date)
{%- endmacro %}

{#- A backfill names real dates, the start not after the end, and never a day after as_of_date
    (nothing may be scored from data that has not happened yet). -#}
{% macro health_validate_range() -%}
    {%- set start_value = var('health_start_date', none) -%}
    {%- set end_value = var('health_end_date', none) -%}
    {%- set as_of_value = as_of_date_value() -%}
    {%- set parsed = {} -%}
    {%- for name, value in [('health_start_date', start_value), ('health_end_date', end_value), ('as_of_date', as_of_value)] -%}
        {%- if value -%}
            {%- set text = value | string -%}
            {%- if not modules.re.match('^\d{4}-\d{2}-\d{2}$', text) -%}
                {{ exceptions.raise_compiler_error(name ~ " must be YYYY-MM-DD, got '" ~ text ~ "'") }}
            {%- endif -%}
            {%- do parsed.update({name: modules.datetime.date.fromisoformat(text)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if 'health_start_date' in parsed and 'health_end_date' in parsed
        and parsed['health_start_date'] > parsed['health_end_date'] -%}
        {{ exceptions.raise_compiler_error("health_start_date " ~ start_value ~ " is after health_end_date " ~ end_value) }}
    {%- endif -%}
    {%- if 'as_of_date' in parsed -%}
        {%- for name in ['health_start_date', 'health_end_date'] -%}
            {%- if name in parsed and parsed[name] > parsed['as_of_date'] -%}
                {{ exceptions.raise_compiler_error(name ~ " " ~ parsed[name] ~ " is after as_of_date " ~ as_of_value ~ ": days after the as-of date cannot be scored") }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- pre_hook of the daily health models: a backfill first deletes its whole range, so a row that
    no longer qualifies (e.g. an account whose billing was corrected) does not survive it.
    delete+insert alone would only replace the keys the recomputation produces again. -#}
{#- Not on Spark: its insert_overwrite replaces the range's day partitions instead (and DELETE
    fails on Parquet tables; macros/cross_db/incremental.sql). -#}
{% macro health_delete_backfill_range(lead_in_days=0) -%}
    {%- if var('health_start_date', none) and is_incremental() and target.type != 'spark' -%}
        delete from {{ this }}
        where as_of_date between {{ health_range_start(lead_in_days) }} and {{ health_range_end() }}
    {%- endif -%}
{%- endmacro %}

{#- A constant lower bound on the usage days a scheduled (incremental) run of the daily usage
    model can need: the first day it computes minus two adoption windows (the `lookback` CTE
    there, from the model's `range_start`). It repeats a filter the SQL already applies
    exactly, as a literal: the exact bound comes from the parameters table, on which DuckDB
    cannot skip row groups; a literal on the stored day lets it skip the row groups before the
    window (the days a daily run appends are stored together). None (no extra filter) in a first build, which
    reads all the history anyway, and in a backfill, whose range is literal already. -#}
{% macro health_usage_scan_start(range_start) -%}
    {%- if execute and not var('health_start_date', none) and health_incremental_run() -%}
        {%- set query -%}
            select min({{ health_lookback_start('2 * adoption_window_days', range_start) }})
            from {{ ref('int_health_parameters') }}
        {%- endset -%}
        {{ return(run_query(query).columns[0].values()[0]) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#- Whether the model is being built incrementally (a daily run or a backfill into an existing
    table). False in a dbt unit test, which has no `this` (is_incremental() would fail on it). -#}
{% macro health_incremental_run() -%}
    {{ return(this is not none and is_incremental()) }}
{%- endmacro %}
