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


# The uniform alert shape: its columns and their types, applied to every source's expressions here.
ALERT_TYPES = {
    "alert_id": "varchar",
    "alert_date": "date",
    "account_id": "varchar",
    "alert_type": "varchar",
    "severity": "varchar",
    "message": "varchar",
}
ALERT_COLUMNS = tuple(ALERT_TYPES)


@dataclass(frozen=True)
class AlertSource:
    """A mart relation, an SQL expression over its columns for each of ALERT_COLUMNS, and which
    of its rows are alerts."""

    schema: str
    table: str
    columns: dict[str, str]  # alert column -> SQL expression over the mart's columns
    where: str = "true"

    def __post_init__(self) -> None:
        if tuple(self.columns) != ALERT_COLUMNS:
            raise ValueError(f"{self.name}: the columns must be {ALERT_COLUMNS}, got {tuple(self.columns)}")

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    def select_sql(self, relation: str) -> str:
        """The source's alerts in the alert shape, read from ``relation`` (catalog.schema.table)."""
        columns = ",\n        ".join(
            f"cast({expression} as {ALERT_TYPES[column]}) as {column}" for column, expression in self.columns.items()
        )
        return f"select\n        {columns}\n    from {relation}\n    where {self.where}"


# The renewal, as the renewal marts name it: the subscription term, or the CRM opportunity when no
# term matches it; and its date.
RENEWAL_NAME = "coalesce(cast(subscription_id as varchar), 'opportunity ' || cast(opportunity_id as varchar))"
RENEWAL_DATE = "strftime(cast(renewal_date as date), '%Y-%m-%d')"

HEALTH_ALERTS = AlertSource(
    "marts",
    "fct_health_alerts",
    {column: column for column in ALERT_COLUMNS},  # already in the alert shape
)

# A renewal escalation is identified by the renewal (renewal_id: the subscription term, or the
# CRM opportunity when no term matches it) and the level it reached, so an
# escalation from `elevated` to `critical` is a new alert while the daily re-statement of the
# same level is not.
RENEWAL_ESCALATIONS = AlertSource(
    "marts",
    "fct_renewal_forecast",
    {
        "alert_id": "'renewal-' || cast(renewal_id as varchar) || '-' || cast(escalation_level as varchar)",
        "alert_date": "as_of_date",
        "account_id": "account_id",
        "alert_type": "'renewal_escalation'",
        "severity": "escalation_level",
        "message": f"""format(
            'Renewal of {{}} on {{}} ({{}}), ${{:,.0f}} ARR: escalation {{}}',
            {RENEWAL_NAME},
            {RENEWAL_DATE},
            case
                when days_to_renewal < 0 then 'overdue by ' || cast(-days_to_renewal as varchar) || ' days'
                else 'in ' || cast(days_to_renewal as varchar) || ' days'
            end,
            coalesce(cast(renewal_arr as double), 0),
            cast(escalation_level as varchar)
        )""",
    },
    where="escalation_level is not null",
)

# A late checkpoint of the T-90 renewal motion (docs/success.md) is identified by the renewal and
# the checkpoint: it is sent once, on the first run that finds it overdue (a checkpoint that goes
# on to be missed is the same alert).
RENEWAL_MOTION_OVERDUE = AlertSource(
    "marts",
    "fct_renewal_motion",
    {
        "alert_id": "'motion-' || cast(renewal_id as varchar) || '-' || cast(checkpoint as varchar)",
        "alert_date": "as_of_date",
        "account_id": "account_id",
        "alert_type": "'renewal_motion_overdue'",
        "severity": "checkpoint_escalation_level",
        "message": f"""format(
            'Renewal of {{}} on {{}}, ${{:,.0f}} ARR: {{}} was due {{}} ({{}} days late)',
            {RENEWAL_NAME},
            {RENEWAL_DATE},
            coalesce(cast(renewal_arr as double), 0),
            cast(checkpoint_description as varchar),
            strftime(cast(due_on as date), '%Y-%m-%d'),
            cast(days_overdue as varchar)
        )""",
    },
    where="checkpoint_state in ('overdue', 'missed')",
)

# An account turning expansion-ready (docs/success.md) is alerted once per readiness episode: the
# day the episode starts identifies it.
EXPANSION_READY = AlertSource(
    "marts",
    "fct_expansion_signals",
    {
        "alert_id": "'expansion-' || cast(account_id as varchar) || '-' "
        "|| strftime(cast(as_of_date as date), '%Y-%m-%d')",
        "alert_date": "as_of_date",
        "account_id": "account_id",
        "alert_type": "'expansion_ready'",
        "severity": "'info'",
        "message": """format(
            'Ready to expand (score {:.0f}, ${:,.0f} ARR): {}',
            cast(expansion_score as double),
            coalesce(cast(arr as double), 0),
            coalesce(cast(expansion_signals as varchar), 'no signal in words')
        )""",
    },
    where="starts_ready_episode",
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
            selects.append(source.select_sql(f"{catalog}.{source.name}"))
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
