{#- Small building blocks shared by the health component models (docs/health.md). -#}

{#- 0-100 for reaching `target` (value / target, capped at 100); NULL when value or target is NULL
    or the target is 0. (least/greatest skip NULLs on most engines, hence the explicit case.) -#}
{% macro health_share_score(value, target) -%}
    case
        when ({{ value }}) is not null and ({{ target }}) <> 0
            then least(100.0, 100.0 * cast({{ value }} as {{ health_type_double() }}) / cast({{ target }} as {{ health_type_double() }}))
    end
{%- endmacro %}

{#- 100 at `full_at`, 0 at `zero_at`, linear between and capped beyond both. full_at may be below
    zero_at: then the score falls as the value rises (e.g. a ticket-volume ratio). -#}
{% macro health_linear_score(value, zero_at, full_at) -%}
    case
        when ({{ value }}) is not null and ({{ full_at }}) <> ({{ zero_at }})
            then greatest(0.0, least(100.0,
                100.0 * (cast({{ value }} as {{ health_type_double() }}) - ({{ zero_at }}))
                / cast(({{ full_at }}) - ({{ zero_at }}) as {{ health_type_double() }})
            ))
    end
{%- endmacro %}

{#- Weighted mean of the sub-scores that are present: pairs = [(score, weight), ...]. A missing
    (NULL) sub-score is left out and the weights of the others renormalized; NULL when every
    sub-score is missing. -#}
{% macro health_weighted_mean(pairs) -%}
    (
        ({%- for score, weight in pairs %}
            coalesce(({{ score }}) * ({{ weight }}), 0){{ " +" if not loop.last }}
        {%- endfor %})
        / nullif(
            {%- for score, weight in pairs %}
            case when ({{ score }}) is not null then ({{ weight }}) else 0 end{{ " +" if not loop.last }}
            {%- endfor %}
        , 0)
    )
{%- endmacro %}

{#- The driver rule, one home for every component: a component's driver is its sub-score with the
    largest weighted shortfall, (100 - sub-score) x its weight. `pairs` = [(score, weight), ...],
    the component's sub-scores as health_weighted_mean takes them; `trend_score` gets the column
    `trend_shortfall`. A missing (NULL) sub-score gets -1: it is never the driver, and a component
    whose every shortfall is 0 or less has none (driver NULL). -#}
{% macro health_shortfall_name(score) -%}
    {{ (score[:-6] if score.endswith('_score') else score) ~ '_shortfall' }}
{%- endmacro %}

{% macro health_shortfalls(pairs) -%}
    {%- for score, weight in pairs %}
        coalesce((100 - {{ score }}) * {{ weight }}, -1) as {{ health_shortfall_name(score) }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro health_worst_shortfall(pairs) -%}
    greatest(
        {%- for score, _ in pairs %}{{ health_shortfall_name(score) }}{{ ", " if not loop.last }}{% endfor -%}
    )
{%- endmacro %}

{#- The two CTEs that end every component model, after the CTE `source` holding its sub-scores:
    `shortfalls` (each sub-score's weighted shortfall from 100, health_shortfalls) and `scored`
    (`score_name`: the weighted mean of the present sub-scores, less `penalty` (SQL, never below
    0) when there is one, NULL unless `scored_when` (SQL) holds when given; and worst_shortfall,
    which names the driver). One home for how a component is scored from its rules. -#}
{% macro health_component_ctes(source, pairs, score_name, penalty=none, scored_when=none) -%}
{%- set mean = health_weighted_mean(pairs) -%}
{%- set score = 'greatest(0.0, ' ~ mean ~ ' - ' ~ penalty ~ ')' if penalty else mean -%}
shortfalls as (
    select
        *,
        {{ health_shortfalls(pairs) }}
    from {{ source }}
),

scored as (
    select
        *,
        {%- if scored_when %}
        case when {{ scored_when }} then {{ health_round_score(score) }} end as {{ score_name }},
        {%- else %}
        {{ health_round_score(score) }} as {{ score_name }},
        {%- endif %}
        {{ health_worst_shortfall(pairs) }} as worst_shortfall
    from shortfalls
)
{%- endmacro %}

{#- A published score: rounded to one decimal. -#}
{% macro health_round_score(expression) -%}
    cast(round(cast({{ expression }} as {{ dbt.type_numeric() }}), 1) as {{ health_type_double() }})
{%- endmacro %}

{#- A published rate or probability: rounded to six decimals. -#}
{% macro health_round_rate(expression) -%}
    cast(round(cast({{ expression }} as {{ dbt.type_numeric() }}), 6) as {{ health_type_double() }})
{%- endmacro %}

{#- A number as text for driver and alert wording, rounded to a whole number. -#}
{% macro health_int_text(expression) -%}
    cast(cast(round({{ expression }}) as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
{%- endmacro %}

{#- The day after `day` as a timestamp: "known by the end of day" means "before this instant". -#}
{% macro health_day_end(day) -%}
    cast({{ dbt.dateadd('day', 1, day) }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Whole days from `start_day` to `end_day` (dates). -#}
{% macro health_days_between(start_day, end_day) -%}
    {{ dbt.datediff(start_day, end_day, 'day') }}
{%- endmacro %}

{#- "1 seat" / "3 seats": a count and the right noun for driver and alert wording. -#}
{% macro health_count_text(expression, singular, plural) -%}
    {{ health_int_text(expression) }} || case when round({{ expression }}) = 1 then ' {{ singular }}' else ' {{ plural }}' end
{%- endmacro %}

{#- An 8-byte floating-point type. Not health_type_double(): that renders FLOAT, which is 4 bytes on
    DuckDB and Spark and would round scores and shares. -#}
{% macro health_type_double() -%}
    {{ return(adapter.dispatch('health_type_double', 'customer_retention')()) }}
{%- endmacro %}

{% macro default__health_type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__health_type_double() -%}
    double
{%- endmacro %}

{% macro spark__health_type_double() -%}
    double
{%- endmacro %}

{#- The health components and the daily model scoring each, in column order (var
    health_components, dbt_project.yml): [(component, model), ...]. -#}
{% macro health_components() -%}
    {{ return(var('health_components').items() | list) }}
{%- endmacro %}
