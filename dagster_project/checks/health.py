"""Gates on the health marts: score coverage (blocking) and keys and ranges (warn).

Coverage is what makes the health numbers publishable: an account that pays but has no score
(or a score computed from no data) would silently drop out of the health distribution, the ARR
at risk and the renewal forecast. So every account with MRR at the end of the as-of day must
have a row for that day in ``marts.fct_account_health_daily`` with ``data_completeness`` > 0.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import duckdb

from .config import QualityConfig
from .core import (
    CheckInputs,
    CheckOutcome,
    fetch_metrics,
    fetch_rows,
    format_ids,
    format_share,
    metrics_frame,
    quote_ident,
    quote_relation,
    relation_columns,
    relation_exists,
)
from .gx_runner import between
from .relation_suites import Ranges, RelationSuite, check_relation_suite

HEALTH_DAILY = "marts.fct_account_health_daily"
HEALTH_ASSET = ("marts", "fct_account_health_daily")
HEALTH_KEYS = ("as_of_date", "account_id")
COVERAGE_CHECK = "health_score_coverage"
HEALTH_VALUES_CHECK = "health_keys_and_scores_valid"

STAGING_RELATIONS = (
    "staging.stg_billing__subscription_items",
    "staging.stg_billing__subscriptions",
    "staging.stg_billing__customers",
    "staging.stg_crm__accounts",
)


# --------------------------------------------------------------------------- paying accounts


def paying_accounts_from_staging_sql() -> str:
    """Accounts with MRR at the last instant of the as-of day (parameter: the next day's start).

    The rule of metric-definitions.md: item versions in force at the end of the day
    (valid_from before the next day starts, valid_to exclusive and not reached), MRR > 0
    (quantity x unit price x (1 - discount), so a 100 % discount is not revenue), reaching a
    CRM account that is not deleted through its billing customer. Currency does not matter for
    "more than zero", so no exchange rate is needed.
    """
    return """
        select distinct accounts.account_id
        from staging.stg_billing__subscription_items as items
        inner join staging.stg_billing__subscriptions as subscriptions
            on items.subscription_id = subscriptions.subscription_id
        inner join staging.stg_billing__customers as customers
            on subscriptions.customer_id = customers.customer_id
        inner join staging.stg_crm__accounts as accounts
            on customers.account_id = accounts.account_id
        where not coalesce(accounts.is_deleted, false)
            and items.valid_from < $next_day
            and (items.valid_to is null or items.valid_to >= $next_day)
            and items.quantity * items.unit_price * (100 - coalesce(items.discount_pct, 0)) > 0
    """


def paying_accounts_from_model_sql(relation: str, date_column: str, mrr_column: str) -> str:
    """The same population from the health area's daily model, when it is configured."""
    return f"""
        select distinct account_id
        from {quote_relation(relation)}
        where {quote_ident(date_column)} = $as_of_date and {quote_ident(mrr_column)} > 0
    """


def paying_accounts_source(con: duckdb.DuckDBPyConnection, inputs: CheckInputs) -> tuple[str, str] | str:
    """(SQL, where it comes from), or the reason it cannot be computed."""
    config = inputs.config
    if config.paying_accounts_relation and relation_exists(con, config.paying_accounts_relation):
        sql = paying_accounts_from_model_sql(
            config.paying_accounts_relation, config.paying_accounts_date_column, config.paying_accounts_mrr_column
        )
        return sql, config.paying_accounts_relation
    missing = [r for r in STAGING_RELATIONS if not relation_exists(con, r)]
    if missing:
        return f"cannot determine the accounts with MRR: {', '.join(missing)} not built"
    return paying_accounts_from_staging_sql(), "staging (billing items in force at the end of the day)"


# --------------------------------------------------------------------------- coverage


def coverage_message(paying: int, missing_ids: list[str], missing_total: int, day: str, limit: int) -> str:
    """Pure: the coverage sentence, naming the accounts that are missing."""
    if paying == 0:
        return f"no account has MRR at the end of {day}; nothing to cover"
    covered = paying - missing_total
    share = format_share(covered / paying)
    if missing_total == 0:
        return f"health-score coverage {share}: all {paying} accounts with MRR at the end of {day} are scored"
    return (
        f"health-score coverage {share} ({covered} of {paying} accounts with MRR at the end of {day}); "
        f"{missing_total} without a score with data: {format_ids(missing_ids, limit)}"
    )


def coverage_sql(population_sql: str) -> str:
    """CTEs ending in ``joined``: each paying account, whether it is covered, and if not, why."""
    return f"""
        with paying as ({population_sql}),
        scored as (
            select account_id, max(data_completeness) as data_completeness
            from {quote_relation(HEALTH_DAILY)}
            where as_of_date = $as_of_date
            group by account_id
        ),
        joined as (
            select
                paying.account_id,
                case
                    when scored.account_id is null then 'no health row for the day'
                    when scored.data_completeness is null then 'data_completeness is null'
                    else 'data_completeness is ' || scored.data_completeness
                end as reason,
                coalesce(scored.data_completeness > $min_completeness, false) as covered
            from paying
            left join scored on paying.account_id = scored.account_id
        )
    """


def check_health_coverage(con: duckdb.DuckDBPyConnection, inputs: CheckInputs) -> CheckOutcome:
    """Blocking: every account with MRR at the end of the as-of day has a health score with data."""
    config = inputs.config
    threshold = (
        f"{format_share(config.min_coverage)} with data_completeness > {config.min_data_completeness_exclusive:g}"
    )

    def fail(message: str) -> CheckOutcome:
        return CheckOutcome(COVERAGE_CHECK, HEALTH_ASSET, False, True, message, threshold=threshold)

    if not relation_exists(con, HEALTH_DAILY):
        return fail(f"{HEALTH_DAILY} not built")
    columns = relation_columns(con, HEALTH_DAILY)
    missing_columns = [c for c in ("as_of_date", "account_id", "data_completeness") if c not in columns]
    if missing_columns:
        return fail(f"{HEALTH_DAILY} has no column(s) {', '.join(missing_columns)}")
    population = paying_accounts_source(con, inputs)
    if isinstance(population, str):
        return fail(population)
    population_sql, population_source = population
    sql = coverage_sql(population_sql)
    params = {
        "as_of_date": inputs.as_of_date,
        "next_day": _next_day_start(inputs),
        "min_completeness": config.min_data_completeness_exclusive,
    }
    params = {k: v for k, v in params.items() if f"${k}" in sql}  # DuckDB refuses unused parameters
    metrics = fetch_metrics(
        con,
        sql
        + """
        select
            count(*) as paying_accounts,
            count(*) filter (where not covered) as uncovered_accounts,
            case when count(*) = 0 then 1.0 else count(*) filter (where covered) / count(*) end as coverage
        from joined
        """,
        params,
    )
    shown = config.sample_rows * 2
    uncovered = fetch_rows(
        con, sql + f"select account_id, reason from joined where not covered order by account_id limit {shown}", params
    )
    validation = inputs.gx.validate(
        f"{HEALTH_DAILY}.{COVERAGE_CHECK}", metrics_frame(metrics), [between("coverage", config.min_coverage, 1.0)]
    )
    paying, missing = int(metrics["paying_accounts"]), int(metrics["uncovered_accounts"])
    day = inputs.as_of_date.isoformat()
    return CheckOutcome(
        COVERAGE_CHECK,
        HEALTH_ASSET,
        passed=validation.success,
        blocking=True,
        message=coverage_message(paying, [r["account_id"] for r in uncovered], missing, day, shown),
        observed=f"{format_share(float(metrics['coverage']))} ({paying - missing} of {paying})",
        threshold=threshold,
        validation=validation,
        sample_rows=uncovered,
        details={**{k: float(v) for k, v in metrics.items()}, "paying_accounts_from": population_source},
    )


def _next_day_start(inputs: CheckInputs) -> datetime:
    """valid_to is exclusive: a version in force at the day's last instant has valid_to >= this."""
    return datetime.combine(inputs.as_of_date + timedelta(days=1), time.min)


# --------------------------------------------------------------------------- keys and ranges


def health_ranges(columns: list[str], config: QualityConfig) -> Ranges:
    """Every ``<component>_score`` and ``health_score`` in 0-100; data_completeness in 0-1."""
    ranges: Ranges = {c: config.score_range for c in columns if c.endswith("_score")}
    if "data_completeness" in columns:
        ranges["data_completeness"] = config.data_completeness_range
    return ranges


HEALTH_VALUES_SUITE = RelationSuite(
    check_name=HEALTH_VALUES_CHECK,
    relation=HEALTH_DAILY,
    keys=HEALTH_KEYS,
    ranges=health_ranges,
    what="(as_of_date, account_id) unique and not null; component scores and health_score in 0-100, "
    "over the days a run can have written",
    day_column="as_of_date",
)


def check_health_values(con: duckdb.DuckDBPyConnection, inputs: CheckInputs) -> CheckOutcome:
    """Warn: keys unique and not null, scores within 0-100, completeness within 0-1."""
    return check_relation_suite(con, inputs, HEALTH_VALUES_SUITE)
