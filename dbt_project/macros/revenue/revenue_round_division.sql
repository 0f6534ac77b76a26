{#- Divide an exact, non-negative decimal by a positive integer and round half up to `scale`
    decimals, without ever going through floating point. Item-version MRR is rounded here
    once, so every sum above it (account, segment, month) reconciles exactly.

    numerator: an expression whose value is a decimal with at most `numerator_scale` decimals
    divisor:   a positive integer expression
    Returns decimal(18, scale). -#}
{% macro revenue_round_division(numerator, divisor, numerator_scale, scale=4) -%}
    {{ return(adapter.dispatch('revenue_round_division', 'customer_retention')(numerator, divisor, numerator_scale, scale)) }}
{%- endmacro %}

{#- Engines whose decimal division stays decimal (Snowflake, Spark, Postgres …). -#}
{% macro default__revenue_round_division(numerator, divisor, numerator_scale, scale=4) -%}
    cast(round(({{ numerator }}) / ({{ divisor }}), {{ scale }}) as decimal(18, {{ scale }}))
{%- endmacro %}

{#- DuckDB divides decimals in double precision, which can tip a half-way value the wrong way.
    So: scale the numerator to an exact integer, do the half-up rounding in 128-bit integer
    arithmetic (floor((2n + d) / 2d) for n >= 0), and scale back by an exact decimal product. -#}
{% macro duckdb__revenue_round_division(numerator, divisor, numerator_scale, scale=4) -%}
    {%- set shift = numerator_scale - scale -%}
    {%- if shift < 0 -%}
        {{ exceptions.raise_compiler_error("revenue_round_division: numerator_scale must be >= scale") }}
    {%- endif -%}
    cast(
        cast(
            (cast(({{ numerator }}) * {{ 10 ** numerator_scale }} as hugeint) * 2
                + cast({{ divisor }} as hugeint) * {{ 10 ** shift }})
            // (cast({{ divisor }} as hugeint) * {{ 2 * 10 ** shift }})
            as decimal(38, 0)
        ) * cast({{ '%.*f' | format(scale, 10 ** (-scale)) }} as decimal(18, {{ scale }}))
        as decimal(18, {{ scale }})
    )
{%- endmacro %}
