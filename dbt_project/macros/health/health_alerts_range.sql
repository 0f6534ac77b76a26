{#- The first alert day an incremental run of fct_health_alerts evaluates (again), as a date
    literal; none in a first build or a full refresh (every day is evaluated).

    It is the day after the latest alert already raised, or a backfill's first day if earlier,
    and never after the day after as_of_date. Every day up to the latest alert was evaluated by
    the run that raised it; an alert depends only on the health of its own day and the days
    before it, which a daily run never changes (a backfill does: from its first day on, alerts
    are evaluated again). A day evaluated before without an alert is simply evaluated again and
    raises none again. So a daily run evaluates about one day, whatever the length of the history.

    Read with a query while executing, once before the model's pre-hook deletes the days it
    re-evaluates, so the delete and the insert use the same day. -#}
{% macro health_alerts_evaluate_from() -%}
    {#- no relation in a dbt unit test: it evaluates its given rows whole -#}
    {%- if execute and health_incremental_run() -%}
        {%- set backfill_start = var('health_start_date', none) -%}
        {%- set query -%}
            select cast(least(
                coalesce({{ dbt.dateadd('day', 1, 'max(alert_date)') }}, cast('0001-01-01' as date)),
                {{ dbt.dateadd('day', 1, as_of_date()) }}
                {%- if backfill_start %},
                cast('{{ backfill_start }}' as date)
                {%- endif %}
            ) as date)
            from {{ this }}
        {%- endset -%}
        {{ return(run_query(query).columns[0].values()[0] | string) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#- pre_hook of fct_health_alerts: an incremental run replaces the alerts of the days it
    evaluates (an alert a backfill no longer raises must go). -#}
{% macro health_alerts_delete_reevaluated() -%}
    {%- set evaluate_from = health_alerts_evaluate_from() -%}
    {%- if evaluate_from -%}
        delete from {{ this }} where alert_date >= cast('{{ evaluate_from }}' as date)
    {%- endif -%}
{%- endmacro %}
