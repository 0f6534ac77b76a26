"""Point in time: data that arrives later never changes the health of earlier days.

Builds the health marts on the bundled sample (seeds/landing, last day 2026-11-20), then loads a
second batch of every source holding only LATER facts - usage events, a champion departing, new
tickets and an NPS detractor, a goal achieved, a milestone completed, a lost renewal, an override,
an invoice paid, a new invoice and a seat cut, all dated 2026-11-21..25 - and rebuilds three ways:

- incrementally with as_of advanced by one day: only that day is added, earlier rows untouched,
  and it equals the same day of a build from scratch;
- from scratch as of 2026-11-25: every day up to 2026-11-20 scores byte for byte as before;
- from scratch as of 2026-11-20: the whole mart and the alerts are identical to the first build.

Plus a backfill (health_start_date / health_end_date) that recomputes exactly its range, and a
backfill past the as-of date that is refused. One module-scoped fixture runs every build in order.
The incremental run also says how often each model asked its own table for its first day.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dagster_project.dbt_command import dbt_command
from dagster_project.extracts.loader import load_source

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = ROOT / "dbt_project"
SAMPLE_LANDING = ROOT / "seeds" / "landing"

FIRST_AS_OF = date(2026, 11, 20)  # the sample's last day
LATER_AS_OF = date(2026, 11, 25)
HISTORY_DAYS = 45  # var health_history_days: enough days to compare, quick to build
LATER_EXTRACT = "2026-11-25T23-00Z"
LATER_EXTRACTED_AT = "2026-11-25T23:00:00Z"
SELECT = ["+fct_account_health_daily", "fct_health_alerts", "account_health", "rpt_health_override_audit"]
DAILY = "marts.fct_account_health_daily"
ALERTS = "marts.fct_health_alerts"


# --------------------------------------------------------------------------- running dbt


def run_dbt(
    work: Path, warehouse: Path, command: str, variables: dict[str, Any], *args: str, check: bool = True, logs="logs"
):
    """One dbt command on the test's own warehouse, target and log paths (``work / logs``)."""
    completed = subprocess.run(
        dbt_command(command, *args, variables=variables, target_dir=work / "target", log_dir=work / logs),
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "CS_DBT_DUCKDB_PATH": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    if check:
        assert completed.returncode == 0, completed.stdout[-6000:]
    return completed


def build_health(work: Path, warehouse: Path, as_of: date, *args: str, logs="logs", **extra_vars: str) -> None:
    variables = {"as_of_date": as_of.isoformat(), "health_history_days": HISTORY_DAYS, **extra_vars}
    run_dbt(work, warehouse, "run", variables, "--select", *SELECT, *args, logs=logs)


# health_latest_day_after's query as dbt's debug log records it, with the node that ran it
LATEST_DAY_QUERY = re.compile(r"On (model\.[\w.]+): /\*[^\n]*\*/\s+select cast\(\s+\(max\(as_of_date\)")


def latest_day_queries(log: Path) -> Counter:
    """How many times each model read its own latest day during the run that wrote ``log``."""
    return Counter(LATEST_DAY_QUERY.findall(log.read_text(encoding="utf-8")))


def alerts_incremental_and_rebuilt(work: Path, warehouse: Path, as_of: date) -> tuple[list[tuple], list[tuple]]:
    """The alerts as the incremental runs left them, then as a full refresh evaluates them."""
    incremental = rows(warehouse, f"select * from {ALERTS} order by all")
    variables = {"as_of_date": as_of.isoformat(), "health_history_days": HISTORY_DAYS}
    run_dbt(work, warehouse, "run", variables, "--select", "fct_health_alerts", "--full-refresh")
    return incremental, rows(warehouse, f"select * from {ALERTS} order by all")


def rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def scalar(warehouse: Path, sql: str) -> Any:
    return rows(warehouse, sql)[0][0]


def daily_rows(warehouse: Path, last_day: date, first_day: date | None = None) -> list[tuple]:
    """Every column of the daily mart up to a day, in a stable order (for exact comparison)."""
    since = f"and as_of_date >= date '{first_day}'" if first_day else ""
    return rows(
        warehouse,
        f"select * from {DAILY} where as_of_date <= date '{last_day}' {since} order by as_of_date, account_id",
    )


def load(warehouse: Path, landing: Path) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        for source in ("crm", "billing", "usage"):
            result = load_source(con, landing, source)
            assert not result.rejected, [b.error for b in result.rejected]
    finally:
        con.close()


# --------------------------------------------------------------------------- later data


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], records: list[dict[str, str]]) -> int:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return len(records)


def write_manifest(batch: Path, source: str, mode: str, counts: dict[str, int]) -> None:
    manifest = {
        "source": source,
        "batch_id": batch.name,
        "extracted_at": LATER_EXTRACTED_AT,
        "mode": mode,
        "files": {name: {"rows": n} for name, n in counts.items()},
    }
    (batch / "_manifest.json").write_text(json.dumps(manifest, indent=1))


def paying_accounts(warehouse: Path, day: date) -> list[str]:
    return [
        r[0]
        for r in rows(warehouse, f"select account_id from {DAILY} where as_of_date = date '{day}' order by account_id")
    ]


def add_later_snapshots(landing: Path, paying: list[str]) -> dict[str, str]:
    """Second CRM / billing snapshots and a usage batch: the first snapshot plus facts after it."""
    first_crm = next((landing / "crm").iterdir())
    first_billing = next((landing / "billing").iterdir())
    touched: dict[str, str] = {}

    crm = landing / "crm" / LATER_EXTRACT
    crm.mkdir()
    counts: dict[str, int] = {}
    for path in sorted(first_crm.glob("*.csv")):
        header, records = read_csv(path)
        if path.name == "contacts.csv":  # a champion of a paying account leaves on 2026-11-23
            champion = next(
                r for r in records if r["role"] == "champion" and not r["departed_at"] and r["account_id"] in paying
            )
            champion["departed_at"] = "2026-11-23T09:00:00Z"
            touched["departed_champion"] = champion["account_id"]
        elif path.name == "tickets.csv":  # a spike of tickets, one escalated; an open ticket closes
            for n in range(4):
                records.append(
                    {
                        "ticket_id": f"T-LATER-{n}",
                        "account_id": paying[1],
                        "opened_at": f"2026-11-2{1 + n}T10:00:00Z",
                        "closed_at": "",
                        "priority": "high",
                        "is_escalated": "true" if n == 0 else "false",
                        "csat_score": "",
                    }
                )
            open_ticket = next(r for r in records if not r["closed_at"])
            open_ticket.update(closed_at="2026-11-22T12:00:00Z", csat_score="1")
            touched["ticket_spike"] = paying[1]
        elif path.name == "nps_responses.csv":
            records.append(
                {
                    "response_id": "N-LATER",
                    "account_id": paying[2],
                    "contact_id": "",
                    "responded_at": "2026-11-24T10:00:00Z",
                    "score": "2",
                }
            )
        elif path.name == "activities.csv":
            records.append(
                {
                    "activity_id": "AC-LATER",
                    "account_id": paying[3],
                    "activity_type": "qbr",
                    "occurred_at": "2026-11-22T15:00:00Z",
                    "status": "completed",
                    "attendee_roles": "champion;economic_buyer;exec_sponsor",
                }
            )
        elif path.name == "goals.csv":  # a goal achieved after the first snapshot
            goal = next(r for r in records if not r["achieved_at"] and r["account_id"] in paying)
            goal.update(status="achieved", achieved_at="2026-11-23T10:00:00Z", roi_documented="true")
        elif path.name == "milestones.csv":
            milestone = next(r for r in records if not r["completed_at"] and r["account_id"] in paying)
            milestone["completed_at"] = "2026-11-22T10:00:00Z"
        elif path.name == "opportunities.csv":
            records.append(
                {
                    "opportunity_id": "O-LATER",
                    "account_id": paying[4],
                    "opportunity_type": "renewal",
                    "stage": "closed_lost",
                    "close_date": "2026-11-24",
                    "amount_arr": "1000.00",
                    "currency": "USD",
                    "created_at": "2026-11-21T10:00:00Z",
                }
            )
        elif path.name == "health_overrides.csv":
            records.append(
                {
                    "account_id": paying[5],
                    "override_status": "emergency",
                    "reason": "Later escalation",
                    "set_by": "cs-ops@vendor.example",
                    "set_at": "2026-11-22T10:00:00Z",
                    "expires_at": "2026-12-22T10:00:00Z",
                }
            )
        counts[path.name] = write_csv(crm / path.name, header, records)
    write_manifest(crm, "crm", "full", counts)

    billing = landing / "billing" / LATER_EXTRACT
    billing.mkdir()
    counts = {}
    for path in sorted(first_billing.glob("*.csv")):
        header, records = read_csv(path)
        if path.name == "invoices.csv":
            unpaid = [r for r in records if not r["paid_at"] and r["status"] == "open"]
            if unpaid:  # an overdue invoice gets paid after the first snapshot
                unpaid[0].update(paid_at="2026-11-22T10:00:00Z", status="paid")
            template = dict(records[-1])
            template.update(
                invoice_id="in_later",
                issued_at="2026-11-21T00:00:00Z",
                due_at="2026-11-22T00:00:00Z",
                paid_at="",
                status="open",
            )
            records.append(template)
        elif path.name == "subscription_items.csv":  # a seat cut from 2026-11-23
            item = next(r for r in records if not r["valid_to"] and int(r["quantity"]) > 4)
            item["valid_to"] = "2026-11-23T00:00:00Z"
            records.append(
                {
                    **item,
                    "item_id": "si_later",
                    "quantity": str(int(item["quantity"]) // 2),
                    "valid_from": "2026-11-23T00:00:00Z",
                    "valid_to": "",
                }
            )
        counts[path.name] = write_csv(billing / path.name, header, records)
    write_manifest(billing, "billing", "full", counts)

    usage = landing / "usage" / LATER_EXTRACT
    usage.mkdir()
    source_events = sorted((landing / "usage").glob("2026-11-20*/events*.csv.gz"))[0]
    with gzip.open(source_events, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, events = list(reader.fieldnames or []), list(reader)
    later = []
    for event in events:  # the week 11-14..11-18 again, five to seven days later
        day = date.fromisoformat(event["occurred_at"][:10])
        if date(2026, 11, 14) <= day <= date(2026, 11, 18):
            shifted = day + timedelta(days=7)
            later.append(
                {
                    **event,
                    "event_id": "later-" + event["event_id"],
                    "occurred_at": shifted.isoformat() + event["occurred_at"][10:],
                }
            )
    with gzip.open(usage / "events-later.csv.gz", "wt", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(later)
    write_manifest(usage, "usage", "incremental", {"events-later.csv.gz": len(later)})
    return touched


# --------------------------------------------------------------------------- the builds


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("health_pit")
    landing = work / "landing"
    shutil.copytree(SAMPLE_LANDING, landing)
    warehouse = work / "warehouse.duckdb"
    load(warehouse, landing)
    seed_vars = {"as_of_date": FIRST_AS_OF.isoformat()}
    run_dbt(work, warehouse, "seed", seed_vars)
    out: dict[str, Any] = {"work": work, "warehouse": warehouse}

    # 1. the first build, as of the sample's last day
    build_health(work, warehouse, FIRST_AS_OF)
    out["first"] = daily_rows(warehouse, FIRST_AS_OF)
    out["first_alerts"] = rows(warehouse, f"select * from {ALERTS} order by alert_id")
    out["first_days"] = rows(warehouse, f"select min(as_of_date), max(as_of_date) from {DAILY}")[0]

    # 2. later facts arrive; an incremental run with as_of one day later
    out["touched"] = add_later_snapshots(landing, paying_accounts(warehouse, FIRST_AS_OF))
    load(warehouse, landing)
    next_day = FIRST_AS_OF + timedelta(days=1)
    build_health(work, warehouse, next_day, logs="logs-incremental")
    out["latest_day_queries"] = latest_day_queries(work / "logs-incremental" / "dbt.log")
    out["incremental"] = daily_rows(warehouse, FIRST_AS_OF)
    out["incremental_new_days"] = rows(
        warehouse, f"select distinct as_of_date from {DAILY} where as_of_date > date '{FIRST_AS_OF}'"
    )
    out["incremental_next_day"] = daily_rows(warehouse, next_day, next_day)
    out["incremental_new_rows"] = scalar(
        warehouse, f"select count(*) from {DAILY} where as_of_date = date '{next_day}'"
    )
    out["paying_next_day"] = scalar(
        warehouse, f"select count(*) from intermediate.int_health_account_days where as_of_date = date '{next_day}'"
    )
    out["next_day_alerts"] = alerts_incremental_and_rebuilt(work, warehouse, next_day)

    # 3. a backfill repairs exactly its range: spoil three days, add a stale row, recompute them
    spoiled = (FIRST_AS_OF - timedelta(days=10), FIRST_AS_OF - timedelta(days=8))
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(f"update {DAILY} set health_score = -1 where as_of_date between ? and ?", list(spoiled))
        con.execute(f"update {DAILY} set health_score = -2 where as_of_date = ?", [FIRST_AS_OF])
        con.execute(
            f"insert into {DAILY} select * replace ('STALE' as account_id) from {DAILY} where as_of_date = ? limit 1",
            [spoiled[0]],
        )
    finally:
        con.close()
    build_health(
        work, warehouse, next_day, health_start_date=spoiled[0].isoformat(), health_end_date=spoiled[1].isoformat()
    )
    out["backfill_range"] = daily_rows(warehouse, spoiled[1], spoiled[0])
    out["backfill_expected"] = [r for r in out["first"] if spoiled[0] <= r[0] <= spoiled[1]]
    out["outside_backfill"] = scalar(
        warehouse, f"select min(health_score) from {DAILY} where as_of_date = date '{FIRST_AS_OF}'"
    )
    out["backfill_alerts"] = alerts_incremental_and_rebuilt(work, warehouse, next_day)

    # 4. a backfill past the as-of date is refused
    out["refused"] = run_dbt(
        work,
        warehouse,
        "run",
        {
            "as_of_date": next_day.isoformat(),
            "health_start_date": next_day.isoformat(),
            "health_end_date": (next_day + timedelta(days=1)).isoformat(),
        },
        "--select",
        "int_health_account_days",
        check=False,
    )

    # 5. from scratch as of five days later: the days both builds cover must not move
    build_health(work, warehouse, LATER_AS_OF, "--full-refresh")
    out["later"] = daily_rows(warehouse, FIRST_AS_OF)
    out["later_next_day"] = daily_rows(warehouse, next_day, next_day)
    out["later_window_start"] = scalar(warehouse, f"select min(as_of_date) from {DAILY}")
    out["later_after_first"] = rows(
        warehouse,
        f"select as_of_date, account_id, health_status, is_overridden, key_contact_departures, recent_tickets, "
        f"has_cancellation_notice, active_users from {DAILY} where as_of_date > date '{FIRST_AS_OF}'",
    )

    # 6. from scratch as of the first day again, with the later data loaded
    build_health(work, warehouse, FIRST_AS_OF, "--full-refresh")
    out["rebuilt"] = daily_rows(warehouse, FIRST_AS_OF)
    out["rebuilt_alerts"] = rows(warehouse, f"select * from {ALERTS} order by alert_id")
    return out


# --------------------------------------------------------------------------- the checks


def test_first_build_covers_the_history_window(builds):
    first_day, last_day = builds["first_days"]
    assert last_day == FIRST_AS_OF
    assert first_day == FIRST_AS_OF - timedelta(days=HISTORY_DAYS)
    assert len(builds["first"]) > 1000


def test_incremental_run_adds_only_the_next_day(builds):
    assert builds["incremental_new_days"] == [(FIRST_AS_OF + timedelta(days=1),)]
    assert builds["incremental_new_rows"] == builds["paying_next_day"] > 0
    assert builds["incremental"] == builds["first"]


def test_each_daily_model_reads_its_first_day_once(builds):
    """An incremental run reads each daily model's first day from its own table while the model
    compiles (one query: on Spark each is a job); the model keeps it for every use."""
    queries = builds["latest_day_queries"]
    daily_models = {
        f"model.customer_retention.int_health_{name}"
        for name in (
            "account_days",
            "usage_daily",
            "value_daily",
            "support_daily",
            "sentiment_daily",
            "deployment_daily",
            "adoption_daily",
            "financial_daily",
            "stakeholder_daily",
        )
    } | {"model.customer_retention.fct_account_health_daily"}
    assert set(queries) == daily_models, queries
    assert set(queries.values()) == {1}, queries


def test_incremental_day_equals_the_same_day_of_a_full_build(builds):
    """A daily run computes its day from the window facts that can reach it (health_trailing_sums
    prunes the rest); a build from scratch computes the same day from all of them."""
    assert builds["incremental_next_day"] == builds["later_next_day"]
    assert len(builds["incremental_next_day"]) == builds["paying_next_day"]


def test_incremental_alerts_equal_a_full_evaluation_of_the_history(builds):
    """The alerts table evaluates only new days in a daily run and a backfill's days from its
    first on; either way it must hold exactly what evaluating the whole history gives."""
    incremental, rebuilt = builds["next_day_alerts"]
    assert incremental == rebuilt
    assert len(incremental) > len(builds["first_alerts"])  # the later facts raised new alerts
    after_backfill, rebuilt = builds["backfill_alerts"]  # it re-evaluated from 2026-11-10 on
    assert after_backfill == rebuilt


def test_backfill_recomputes_exactly_its_range(builds):
    assert builds["backfill_range"] == builds["backfill_expected"]  # repaired, stale row gone
    assert builds["outside_backfill"] == -2  # a day outside the range was not touched


def test_backfill_after_the_as_of_date_is_refused(builds):
    refused = builds["refused"]
    assert refused.returncode != 0
    assert "cannot be scored" in refused.stdout


def test_later_data_is_used_for_later_days(builds):
    """The later facts do reach the days after the first build (so the next checks can fail)."""
    later = {(r[0], r[1]): r for r in builds["later_after_first"]}
    touched = builds["touched"]
    assert any(r[4] > 0 for (day, account), r in later.items() if account == touched["departed_champion"])
    assert any(r[5] >= 4 for (day, account), r in later.items() if account == touched["ticket_spike"])
    assert any(r[3] for r in later.values())  # the override set on 2026-11-22
    assert any(r[6] for r in later.values())  # the renewal lost on 2026-11-24


def test_later_data_does_not_change_earlier_days(builds):
    window_start = builds["later_window_start"]
    assert window_start == LATER_AS_OF - timedelta(days=HISTORY_DAYS)
    before = [r for r in builds["first"] if r[0] >= window_start]
    assert len(before) > 1000
    assert builds["later"] == before


def test_rebuild_as_of_the_first_day_is_identical(builds):
    assert builds["rebuilt"] == builds["first"]
    assert builds["rebuilt_alerts"] == builds["first_alerts"]
