{#- Trailing-window sums over a day spine, set-based (docs/health.md, "How windows are computed").

    target_days: a relation/CTE with (account_id, as_of_date), one row per account and day to
                 compute;
    facts:       a relation/CTE with (account_id, fact_date, window_days, <measures>): each row
                 adds its measures to the days fact_date <= day < fact_date + window_days
                 (window_days NULL: every day from fact_date on; window_days <= 0: no day);
    measures:    the measure column names (integer measures: counts, sums of integer answers).

    Returns a select of (account_id, as_of_date, <measures>) with one row per target day: the sum
    (bigint)
    of each measure over the facts in force at the end of that day.

    How: every fact becomes a +measure change on fact_date and a -measure change on the day its
    window ends; the changes are summed per account and day, and a running sum per account in
    day order (changes of a day before that day's target row) is read on the target days. So a
    "users active in the last 30 days" count costs one sort of the account x day changes, never a
    join of every day with every event; window lengths are data (cfg_health_parameters), not SQL
    literals. A distinct count works the same way when each key's fact lasts only until the key's
    next fact (see int_health_usage_daily).

    A run that computes few days (a daily run, a backfill: is_incremental()) first drops the facts
    that cannot reach them: a fact that starts after the last target day, or whose window closes
    by the first one (its + and - changes cancel before it), and a - change after the last target
    day. A daily run of the large benchmark's usage model keeps 0.36M of 4.8M changes (5.0 -> 2.7 s).
    A first build computes every day, keeps nearly every fact, and skips the filter: it costs
    there (a join with the range's two bounds on every fact) more than it saves. -#}

{% macro health_trailing_sums(target_days, facts, measures) -%}
    select
        account_id,
        as_of_date,
        {%- for measure in measures %}
        {{ measure }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            account_id,
            change_date as as_of_date,
            is_target_day,
            {%- for measure in measures %}
            cast(sum({{ measure }}) over (
                partition by account_id
                order by change_date, is_target_day
                rows between unbounded preceding and current row
            ) as {{ dbt.type_bigint() }}) as {{ measure }}{{ "," if not loop.last }}
            {%- endfor %}
        from (
            select
                account_id,
                change_date,
                is_target_day,
                {%- for measure in measures %}
                sum({{ measure }}) as {{ measure }}{{ "," if not loop.last }}
                {%- endfor %}
            from (
                -- each fact's two changes from one scan of the facts: a facts CTE read twice
                -- (a + branch and a - branch) is materialized in memory first, which is what ran
                -- a first build of the xl benchmark's usage model out of memory (44M facts)
                select
                    account_id,
                    case
                        when change_signs.change_sign = 1 then fact_date
                        else cast({{ dbt.dateadd('day', 'window_days', 'fact_date') }} as date)
                    end as change_date,
                    0 as is_target_day,
                    {%- for measure in measures %}
                    change_signs.change_sign * {{ measure }} as {{ measure }}{{ "," if not loop.last }}
                    {%- endfor %}
                from {{ facts }}
                cross join (
                    select 1 as change_sign
                    union all
                    select -1 as change_sign
                ) as change_signs
                {{ health_trailing_sums_reachable(target_days) }}
                where (
                    change_signs.change_sign = 1
                    and (window_days is null or window_days > 0)
                    {%- if health_incremental_run() %}
                    and fact_date <= target_range.last_day
                    and (window_days is null
                        or cast({{ dbt.dateadd('day', 'window_days', 'fact_date') }} as date) > target_range.first_day)
                    {%- endif %}
                ) or (
                    change_signs.change_sign = -1
                    and window_days > 0
                    {%- if health_incremental_run() %}
                    and cast({{ dbt.dateadd('day', 'window_days', 'fact_date') }} as date)
                        > target_range.first_day
                    and cast({{ dbt.dateadd('day', 'window_days', 'fact_date') }} as date)
                        <= target_range.last_day
                    {%- endif %}
                )

                union all

                select
                    account_id,
                    as_of_date as change_date,
                    1 as is_target_day,
                    {%- for measure in measures %}
                    0 as {{ measure }}{{ "," if not loop.last }}
                    {%- endfor %}
                from {{ target_days }}
            ) as changes
            group by account_id, change_date, is_target_day
        ) as daily_changes
    ) as running_sums
    where is_target_day = 1
{%- endmacro %}

{#- The first and last target day, joined to the facts when a run prunes them (see above). -#}
{% macro health_trailing_sums_reachable(target_days) -%}
    {%- if health_incremental_run() -%}
        cross join (
            select
                min(as_of_date) as first_day,
                max(as_of_date) as last_day
            from {{ target_days }}
        ) as target_range
    {%- endif -%}
{%- endmacro %}
