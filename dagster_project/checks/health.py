"""The blocking health-score coverage gate.

Coverage is what makes the health numbers publishable: an account that pays but has no score
(or a score computed from no data) would silently drop out of the health distribution, the ARR
at risk and the renewal forecast. So every paying account at the end of the as-of day must have
a row for that day in ``marts.fct_account_health_daily`` with ``data_completeness`` > 0.

"A paying account at the end of the day" is defined once, by the dbt model
``int_health_account_days`` (the health spine; docs/contracts/metric-definitions.md): this gate
reads that population and never re-derives it. Coverage is checked here only (not also by a dbt
test): a failing dbt test would stop the run before this gate could say which accounts are
missing. The keys and ranges of the health mart are dbt tests (docs/checks.md).
"""

from __future__ import annotations

import duckdb

from .core import (
    CheckInputs,
    CheckOutcome,
    fetch_metrics,
    fetch_rows,
    format_ids,
    format_share,
    metrics_frame,
    relation_columns,
    relation_exists,
)
from .gx_runner import between

HEALTH_DAILY = "marts.fct_account_health_daily"
HEALTH_ASSET = ("marts", "fct_account_health_daily")
PAYING_ACCOUNT_DAYS = "intermediate.int_health_account_days"  # the one definition (dbt)
COVERAGE_CHECK = "health_score_coverage"


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


COVERAGE_SQL = f"""
    with paying as (
        select distinct account_id from {PAYING_ACCOUNT_DAYS} where as_of_date = $as_of_date
    ),
    scored as (
        select account_id, max(data_completeness) as data_completeness
        from {HEALTH_DAILY}
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


def spine_gap(con: duckdb.DuckDBPyConnection, inputs: CheckInputs) -> str | None:
    """Why the population cannot be trusted for the as-of day, if it cannot: a spine that holds
    days but not this one was not built for it (an empty population would pass vacuously)."""
    latest = con.execute(f"select max(as_of_date) from {PAYING_ACCOUNT_DAYS}").fetchone()[0]
    if latest is not None and latest < inputs.as_of_date:
        return f"{PAYING_ACCOUNT_DAYS} ends on {latest}: the health spine was not built for {inputs.as_of_date}"
    return None


def check_health_coverage(con: duckdb.DuckDBPyConnection, inputs: CheckInputs) -> CheckOutcome:
    """Blocking: every paying account at the end of the as-of day has a health score with data."""
    config = inputs.config
    threshold = (
        f"{format_share(config.min_coverage)} with data_completeness > {config.min_data_completeness_exclusive:g}"
    )

    def fail(message: str) -> CheckOutcome:
        return CheckOutcome(COVERAGE_CHECK, HEALTH_ASSET, False, True, message, threshold=threshold)

    for relation, needed in (
        (HEALTH_DAILY, ("as_of_date", "account_id", "data_completeness")),
        (PAYING_ACCOUNT_DAYS, ("as_of_date", "account_id")),
    ):
        if not relation_exists(con, relation):
            return fail(f"{relation} not built")
        missing_columns = [c for c in needed if c not in relation_columns(con, relation)]
        if missing_columns:
            return fail(f"{relation} has no column(s) {', '.join(missing_columns)}")
    gap = spine_gap(con, inputs)
    if gap:
        return fail(gap)
    params = {"as_of_date": inputs.as_of_date, "min_completeness": config.min_data_completeness_exclusive}
    metrics = fetch_metrics(
        con,
        COVERAGE_SQL
        + """
        select
            count(*) as paying_accounts,
            count(*) filter (where not covered) as uncovered_accounts,
            case when count(*) = 0 then 1.0 else count(*) filter (where covered) / count(*) end as coverage
        from joined
        """,
        params,
    )
    shown = config.offending_rows * 2
    uncovered = fetch_rows(
        con,
        COVERAGE_SQL + f"select account_id, reason from joined where not covered order by account_id limit {shown}",
        params,
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
        offending_rows=uncovered,
        details={**{k: float(v) for k, v in metrics.items()}, "paying_accounts_from": PAYING_ACCOUNT_DAYS},
    )
