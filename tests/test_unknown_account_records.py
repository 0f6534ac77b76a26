"""int_records_with_unknown_account lists the same rows as the anti-join of every record with the
CRM accounts (the model's query before usage events went through int_usage_event_account_ids).

A copy of the bundled sample book, plus a usage batch with events of two ids no CRM account has
(A-9998, A-9999), is loaded and built; then a daily increment arrives: a CRM snapshot in which
A-9998 has become an account and a known account with events (the first one with events, X)
is gone, and a usage batch with events of A-9999, of X and of a third unknown id A-9997. After
each build the model must equal the old query, row for row, and the expected ids must be (or no
longer be) listed. The increment is built incrementally (the kept account ids append the new
batch only), as a daily run builds it.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.dbt_runner import SAMPLE_LANDING, load_landing, run_dbt

FIRST_AS_OF = date(2026, 11, 20)
NEXT_AS_OF = date(2026, 11, 21)
FIRST_EXTRA_BATCH = "2026-11-20T01-00Z"
NEXT_BATCH = "2026-11-21T00-30Z"
SELECTION = "+int_records_with_unknown_account"

# The model's query before this change: every record with an account id, anti-joined with the
# accounts (the account references as the model lists them; usage events among them).
OLD_QUERY = """
with accounts as (select account_id from staging.stg_crm__accounts),
referencing_records as (
    {unions}
)
select referencing_records.*
from referencing_records
left join accounts on referencing_records.account_id = accounts.account_id
where accounts.account_id is null
"""
ACCOUNT_REFERENCES = [
    ("crm", "contacts", "contact_id"),
    ("crm", "activities", "activity_id"),
    ("crm", "goals", "goal_id"),
    ("crm", "milestones", "milestone_id"),
    ("crm", "opportunities", "opportunity_id"),
    ("crm", "tickets", "ticket_id"),
    ("crm", "nps_responses", "response_id"),
    ("crm", "health_overrides", "account_id || '@' || cast(set_at as varchar)"),
    ("billing", "customers", "customer_id"),
    ("usage", "events", "event_id"),
]
MODEL = "intermediate.int_records_with_unknown_account"
ACCOUNT_IDS = "intermediate.int_usage_event_account_ids"


def old_query() -> str:
    unions = "\n    union all\n    ".join(
        f"select '{source}' as source, '{entity}' as entity, {record_id} as record_id, account_id, batch_id "
        f"from staging.stg_{source}__{entity} where account_id is not null"
        for source, entity, record_id in ACCOUNT_REFERENCES
    )
    return OLD_QUERY.format(unions=unions)


def rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def model_and_old_query(warehouse: Path) -> tuple[list[tuple], list[tuple]]:
    columns = "source, entity, record_id, account_id, batch_id"
    model = rows(warehouse, f"select {columns} from {MODEL} order by all")
    old = rows(warehouse, f"select {columns} from ({old_query()}) order by all")
    return model, old


def unknown_event_ids(warehouse: Path) -> set[str]:
    return {r[0] for r in rows(warehouse, f"select distinct account_id from {MODEL} where entity = 'events'")}


def write_usage_batch(landing: Path, batch_id: str, extracted_at: str, events: list[tuple[str, str, str]]) -> None:
    """A usage batch of ``events`` (event_id, occurred_at, account_id), one user per account."""
    batch = landing / "usage" / batch_id
    batch.mkdir()
    name = "events-extra.csv.gz"
    with gzip.open(batch / name, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["event_id", "occurred_at", "account_id", "user_id", "event_name", "feature"])
        for event_id, occurred_at, account_id in events:
            writer.writerow([event_id, occurred_at, account_id, f"u-{account_id}", "login", ""])
    manifest = {
        "source": "usage",
        "batch_id": batch_id,
        "extracted_at": extracted_at,
        "mode": "incremental",
        "files": {name: {"rows": len(events)}},
    }
    (batch / "_manifest.json").write_text(json.dumps(manifest, indent=1))


def write_crm_snapshot(landing: Path, batch_id: str, extracted_at: str, add_account: str, drop_account: str) -> None:
    """The first CRM snapshot again, later, with ``add_account`` added and ``drop_account`` gone."""
    first = next((landing / "crm").iterdir())
    batch = landing / "crm" / batch_id
    shutil.copytree(first, batch)
    accounts = batch / "accounts.csv"
    with accounts.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, records = list(reader.fieldnames or []), list(reader)
    template = dict(records[0])
    records = [r for r in records if r["account_id"] != drop_account]
    records.append({**template, "account_id": add_account, "account_name": "Later Known, Inc."})
    with accounts.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    manifest = json.loads((batch / "_manifest.json").read_text())
    manifest.update(batch_id=batch_id, extracted_at=extracted_at)
    manifest["files"]["accounts.csv"]["rows"] = len(records)
    (batch / "_manifest.json").write_text(json.dumps(manifest, indent=1))


def write_first_batches(landing: Path) -> None:
    """The sample book's extra usage batch: events of two ids no CRM account has."""
    write_usage_batch(
        landing,
        FIRST_EXTRA_BATCH,
        "2026-11-20T01:00:00Z",
        [
            ("ev-extra-1", "2026-11-19T10:00:00Z", "A-9998"),
            ("ev-extra-2", "2026-11-19T11:00:00Z", "A-9998"),
            ("ev-extra-3", "2026-11-19T12:00:00Z", "A-9999"),
        ],
    )


def write_next_batches(landing: Path, dropped: str) -> None:
    """The daily increment: a CRM snapshot where A-9998 is an account and ``dropped`` is gone, and
    a usage batch of four ids (still unknown, dropped, new unknown, known)."""
    write_crm_snapshot(landing, NEXT_BATCH, "2026-11-21T00:30:00Z", add_account="A-9998", drop_account=dropped)
    write_usage_batch(
        landing,
        NEXT_BATCH,
        "2026-11-21T00:30:00Z",
        [
            ("ev-next-1", "2026-11-20T09:00:00Z", "A-9999"),
            ("ev-next-2", "2026-11-20T09:30:00Z", dropped),
            ("ev-next-3", "2026-11-20T10:00:00Z", "A-9997"),
            ("ev-next-4", "2026-11-20T10:30:00Z", "A-0150"),
        ],
    )


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """The two builds: (warehouse, the known account that disappears, rows after each build)."""
    root = tmp_path_factory.mktemp("unknown_accounts")
    landing = root / "landing"
    shutil.copytree(SAMPLE_LANDING, landing)
    write_first_batches(landing)
    warehouse = load_landing(root / "warehouse.duckdb", landing)
    run_dbt(root, warehouse, FIRST_AS_OF, "run", "--select", SELECTION)
    first = model_and_old_query(warehouse)
    first_unknown = unknown_event_ids(warehouse)
    first_id_rows = rows(warehouse, f"select count(*) from {ACCOUNT_IDS}")[0][0]

    # the first account with events, known in the first snapshot, gone from the next one
    dropped = rows(warehouse, "select min(account_id) from staging.stg_usage__events")[0][0]
    assert dropped.startswith("A-") and dropped not in first_unknown
    write_next_batches(landing, dropped)
    load_landing(warehouse, landing)
    run_dbt(root, warehouse, NEXT_AS_OF, "run", "--select", SELECTION)
    return {
        "warehouse": warehouse,
        "dropped": dropped,
        "first": first,
        "first_unknown": first_unknown,
        "first_id_rows": first_id_rows,
        "next": model_and_old_query(warehouse),
        "next_unknown": unknown_event_ids(warehouse),
    }


def test_first_build_lists_the_rows_of_the_old_query(book):
    model, old = book["first"]
    assert model == old
    assert {"A-9998", "A-9999"} <= book["first_unknown"]
    assert any(r[1] == "customers" for r in model)  # the sample's billing orphans are there too


def test_daily_increment_lists_the_rows_of_the_old_query(book):
    model, old = book["next"]
    assert model == old
    # A-9998 became an account: its events are no orphans any more; the dropped account's events
    # (old and new) are; a new unknown id and a still unknown one are listed
    assert "A-9998" not in book["next_unknown"]
    assert {"A-9999", "A-9997", book["dropped"]} <= book["next_unknown"]
    dropped_events = [r for r in model if r[1] == "events" and r[3] == book["dropped"]]
    assert any(r[4] == NEXT_BATCH for r in dropped_events)
    assert any(r[4] != NEXT_BATCH for r in dropped_events)


def test_the_increment_appends_only_the_new_batch_ids(book):
    warehouse = book["warehouse"]
    by_batch = rows(warehouse, f"select batch_id, count(*) from {ACCOUNT_IDS} group by all")
    assert dict(by_batch)[NEXT_BATCH] == 4
    assert sum(n for _, n in by_batch) == book["first_id_rows"] + 4
    assert (
        rows(warehouse, f"select count(*) from (select distinct batch_id, account_id from {ACCOUNT_IDS})")[0][0]
        == book["first_id_rows"] + 4
    )
