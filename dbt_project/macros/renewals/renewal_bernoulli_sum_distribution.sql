{#- The exact distribution of the sum of independent Bernoulli x amount draws, by a
    dynamic-programming convolution over the draws.

    draws_relation: a relation/CTE name with one row per draw and the columns
        draw_number (1..n, consecutive), amount_buckets (a non-negative integer: the amount in
        buckets) and probability (0..1).
    Returns a select of (bucket_sum, probability): P(sum of amount_buckets over the draws that
    happen = bucket_sum), for every reachable bucket_sum (all of them when n = 0: bucket_sum 0
    with probability 1).

    Step k adds draw k to the distribution of the first k-1 draws:
        P_k(s) = P_{k-1}(s) x (1 - p_k) + P_{k-1}(s - a_k) x p_k
    which a recursive CTE does one draw per iteration, grouping the two branches per sum. It
    is exact for the bucketed amounts (double precision probabilities); the only approximation
    is rounding each amount to whole buckets, done by the caller. -#}
{% macro renewal_bernoulli_sum_distribution(draws_relation) -%}
    {{ return(adapter.dispatch('renewal_bernoulli_sum_distribution', 'customer_retention')(draws_relation)) }}
{%- endmacro %}

{#- Engines without aggregation inside a recursive CTE (Postgres, Snowflake, Spark …) need their
    own implementation (e.g. a stored procedure or a Python model): fail loudly, never guess. -#}
{% macro default__renewal_bernoulli_sum_distribution(draws_relation) -%}
    {{ exceptions.raise_compiler_error(
        "renewal_bernoulli_sum_distribution has no implementation for adapter " ~ adapter.type()
        ~ ": add " ~ adapter.type() ~ "__renewal_bernoulli_sum_distribution in macros/renewals/"
    ) }}
{%- endmacro %}

{#- DuckDB allows the aggregation in the recursive term, so each iteration merges the two
    branches per sum and the working set stays one row per reachable sum. -#}
{% macro duckdb__renewal_bernoulli_sum_distribution(draws_relation) -%}
    with recursive convolution(draw_number, bucket_sum, probability) as (
        select
            0 as draw_number,
            cast(0 as bigint) as bucket_sum,
            cast(1 as double) as probability
        union all
        select
            convolution.draw_number + 1 as draw_number,
            convolution.bucket_sum + case when branch.happens then draws.amount_buckets else 0 end as bucket_sum,
            sum(
                convolution.probability
                * case when branch.happens then draws.probability else 1 - draws.probability end
            ) as probability
        from convolution
        inner join {{ draws_relation }} as draws
            on draws.draw_number = convolution.draw_number + 1
        cross join (select true as happens union all select false as happens) as branch
        group by
            convolution.draw_number + 1,
            convolution.bucket_sum + case when branch.happens then draws.amount_buckets else 0 end
    )
    select
        bucket_sum,
        probability
    from convolution
    where draw_number = (select count(*) from {{ draws_relation }})
{%- endmacro %}
