"""The delivery ledger ``ops.alert_deliveries``: one row per alert that has been sent.

It lives in the *working* warehouse, which survives between runs (publishing copies it, never
replaces it), so a re-run or a retry of the asset sends only what is not in it yet. An alert is
"sent" once whatever the channel: rotating the webhook or switching from the outbox to a
webhook does not re-send history. Only successful deliveries are recorded; an alert that
failed stays absent and is tried again on the next run. Deleting a row re-sends that alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb

from .sources import PUBLISHED, Alert, candidate_alerts_sql

LEDGER = "ops.alert_deliveries"


@dataclass(frozen=True)
class Receipt:
    """What a channel reports for one delivered alert (response_code is None for the outbox)."""

    response_code: int | None
    attempts: int


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ledger if missing; the primary key makes "once each" hold in storage too."""
    con.execute("create schema if not exists ops")
    con.execute(
        f"""
        create table if not exists {LEDGER} (
            alert_id varchar primary key,
            channel varchar not null,      -- 'webhook' or 'outbox'
            delivered_at timestamp not null,  -- UTC
            status varchar not null,       -- 'delivered'
            attempts integer not null,     -- HTTP requests it took, retries included
            response_code integer          -- the endpoint's final status; null for the outbox
        )
        """
    )


def undelivered_alerts(
    con: duckdb.DuckDBPyConnection, catalog: str = PUBLISHED, since: date | None = None
) -> tuple[list[Alert], list[str]]:
    """The candidate alerts that have no ledger row (an anti-join), oldest first, plus notes.

    ``since``: only alerts raised on or after that day. Older ones are history (the marts keep
    them), not news: a first run over 400 days of history must not post thousands of them.
    The ledger must exist (``ensure_ledger``) and the source catalog must be attached.
    """
    candidates, notes = candidate_alerts_sql(con, catalog)
    if candidates is None:
        return [], notes
    rows = con.execute(
        f"""
        with candidates as ({candidates})
        select alert_id, alert_date, account_id, alert_type, severity, message, account_name, csm_email
        from candidates
        where not exists (select 1 from {LEDGER} as sent where sent.alert_id = candidates.alert_id)
            and (cast(? as date) is null or alert_date >= cast(? as date))
        order by alert_date, alert_id
        """,
        [since, since],
    ).fetchall()
    return [Alert(*row) for row in rows], notes


def record_delivery(
    con: duckdb.DuckDBPyConnection,
    alert_id: str,
    channel: str,
    receipt: Receipt,
    delivered_at: datetime | None = None,
) -> None:
    """Record one delivery right after it happened, so a failure later in the run does not lose
    it and the next run does not send it again (``dispatch`` commits these in small groups)."""
    when = (delivered_at or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    con.execute(
        f"insert into {LEDGER} values (?, ?, ?, 'delivered', ?, ?)",
        [alert_id, channel, when, receipt.attempts, receipt.response_code],
    )


def delivered_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many alerts the ledger holds (all channels)."""
    row = con.execute(f"select count(*) from {LEDGER}").fetchone()
    return int(row[0]) if row else 0
