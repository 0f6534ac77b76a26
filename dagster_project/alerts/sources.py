"""Where alerts come from: the published marts, read as one uniform alert shape.

Alerts are read from the *published* warehouse (attached read-only), not the working one:
what BI users see is what has passed the blocking checks, so an alert can never be sent for
data that failed them, even when someone materializes the alerts asset on its own after a
failed run. Each source is optional: a relation that is not built yet contributes nothing and
a note, so the asset can say what it skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from .. import warehouse_sql

PUBLISHED = "published"  # the catalog name the published warehouse is attached under

ALERT_COLUMNS = ("alert_id", "alert_date", "account_id", "alert_type", "severity", "message")


@dataclass(frozen=True)
class Alert:
    """One alert, whatever mart it came from; account_name/csm_email when dim_accounts exists."""

    alert_id: str
    alert_date: date
    account_id: str
    alert_type: str
    severity: str
    message: str
    account_name: str | None = None
    csm_email: str | None = None


@dataclass(frozen=True)
class AlertSource:
    """A mart relation and the select that maps its rows onto ALERT_COLUMNS."""

    schema: str
    table: str
    select_sql: str  # ``{relation}`` is replaced (str.replace: the SQL has its own braces)

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"


HEALTH_ALERTS = AlertSource(
    "marts",
    "fct_health_alerts",
    """
    select
        cast(alert_id as varchar) as alert_id,
        cast(alert_date as date) as alert_date,
        cast(account_id as varchar) as account_id,
        cast(alert_type as varchar) as alert_type,
        cast(severity as varchar) as severity,
        cast(message as varchar) as message
    from {relation}
    """,
)

# A renewal escalation is identified by the renewal (renewal_id: the subscription term, or the
# CRM opportunity when no term matches it) and the level it reached, so an
# escalation from `elevated` to `critical` is a new alert while the daily re-statement of the
# same level is not.
RENEWAL_ESCALATIONS = AlertSource(
    "marts",
    "fct_renewal_forecast",
    """
    select
        'renewal-' || cast(renewal_id as varchar) || '-' || cast(escalation_level as varchar) as alert_id,
        cast(as_of_date as date) as alert_date,
        cast(account_id as varchar) as account_id,
        'renewal_escalation' as alert_type,
        cast(escalation_level as varchar) as severity,
        format(
            'Renewal of {} on {} ({}), ${:,.0f} ARR: escalation {}',
            coalesce(cast(subscription_id as varchar), 'opportunity ' || cast(opportunity_id as varchar)),
            strftime(cast(renewal_date as date), '%Y-%m-%d'),
            case
                when days_to_renewal < 0 then 'overdue by ' || cast(-days_to_renewal as varchar) || ' days'
                else 'in ' || cast(days_to_renewal as varchar) || ' days'
            end,
            coalesce(cast(renewal_arr as double), 0),
            cast(escalation_level as varchar)
        ) as message
    from {relation}
    where escalation_level is not null
    """,
)

# A late checkpoint of the T-90 renewal motion (docs/success.md) is identified by the renewal and
# the checkpoint: it is sent once, on the first run that finds it overdue (a checkpoint that goes
# on to be missed is the same alert).
RENEWAL_MOTION_OVERDUE = AlertSource(
    "marts",
    "fct_renewal_motion",
    """
    select
        'motion-' || cast(renewal_id as varchar) || '-' || cast(checkpoint as varchar) as alert_id,
        cast(as_of_date as date) as alert_date,
        cast(account_id as varchar) as account_id,
        'renewal_motion_overdue' as alert_type,
        cast(checkpoint_escalation_level as varchar) as severity,
        format(
            'Renewal of {} on {}, ${:,.0f} ARR: {} was due {} ({} days late)',
            coalesce(cast(subscription_id as varchar), 'opportunity ' || cast(opportunity_id as varchar)),
            strftime(cast(renewal_date as date), '%Y-%m-%d'),
            coalesce(cast(renewal_arr as double), 0),
            cast(checkpoint_description as varchar),
            strftime(cast(due_on as date), '%Y-%m-%d'),
            cast(days_overdue as varchar)
        ) as message
    from {relation}
    where checkpoint_state in ('overdue', 'missed')
    """,
)

# An account turning expansion-ready (docs/success.md) is alerted once per readiness episode: the
# day the episode starts identifies it.
EXPANSION_READY = AlertSource(
    "marts",
    "fct_expansion_signals",
    """
    select
        'expansion-' || cast(account_id as varchar) || '-' || strftime(cast(as_of_date as date), '%Y-%m-%d')
            as alert_id,
        cast(as_of_date as date) as alert_date,
        cast(account_id as varchar) as account_id,
        'expansion_ready' as alert_type,
        'info' as severity,
        format(
            'Ready to expand (score {:.0f}, ${:,.0f} ARR): {}',
            cast(expansion_score as double),
            coalesce(cast(arr as double), 0),
            coalesce(cast(expansion_signals as varchar), 'no signal in words')
        ) as message
    from {relation}
    where starts_ready_episode
    """,
)

SOURCES: tuple[AlertSource, ...] = (HEALTH_ALERTS, RENEWAL_ESCALATIONS, RENEWAL_MOTION_OVERDUE, EXPANSION_READY)
ACCOUNTS = ("marts", "dim_accounts")


@contextmanager
def attached_read_only(con: duckdb.DuckDBPyConnection, path: Path, alias: str = PUBLISHED) -> Iterator[bool]:
    """Attach a warehouse file read-only for the block; yields False when the file is absent.

    Read-only, because BI tools read the published file at the same time and nothing but
    publishing may ever write it.
    """
    if not path.is_file():
        yield False
        return
    con.execute(f"attach {warehouse_sql.quote_literal(str(path))} as {alias} (read_only)")
    try:
        yield True
    finally:
        con.execute(f"detach {alias}")


def relation_exists(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, name: str) -> bool:
    """Whether a table or view exists: the marts are built by others and may not exist yet."""
    return warehouse_sql.relation_exists(con, f"{schema}.{name}", catalog)


def candidate_alerts_sql(con: duckdb.DuckDBPyConnection, catalog: str = PUBLISHED) -> tuple[str | None, list[str]]:
    """The union of every available source as SQL (None when there is none), and notes on each.

    A duplicated alert id keeps its latest row, so the ledger's one-row-per-alert holds even if
    a mart repeats an alert.
    """
    selects, notes = [], []
    for source in SOURCES:
        if relation_exists(con, catalog, source.schema, source.table):
            selects.append(source.select_sql.replace("{relation}", f"{catalog}.{source.name}"))
            notes.append(f"{source.name}: read")
        else:
            notes.append(f"{source.name}: not built yet, skipped")
    if not selects:
        return None, notes
    union = "\nunion all\n".join(selects)
    accounts = f"{catalog}.{ACCOUNTS[0]}.{ACCOUNTS[1]}"
    if relation_exists(con, catalog, *ACCOUNTS):
        enrich = f"""
            select candidates.*, accounts.account_name, accounts.csm_email
            from candidates left join {accounts} as accounts
                on cast(accounts.account_id as varchar) = candidates.account_id"""
    else:
        enrich = "select candidates.*, null as account_name, null as csm_email from candidates"
    sql = f"""
        with unioned as ({union}),
        candidates as (
            select * from unioned
            qualify row_number() over (partition by alert_id order by alert_date desc) = 1
        )
        {enrich}
    """
    return sql, notes
