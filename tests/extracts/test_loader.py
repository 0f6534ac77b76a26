"""The extract contract's bad-input cases, each against the real loader and a real DuckDB.

Every test starts from the tiny valid landing directory in tests/fixtures/landing, breaks
one thing, and checks both the error (or quarantined row) and that nothing valid was lost.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.extracts.loader import load_source
from tests.fixtures import EXAMPLE_LANDING

EXAMPLE = EXAMPLE_LANDING
BATCH = "2026-11-21T02-00Z"


def write_csv(batch_dir: Path, name: str, text: str, *, rows: int | None = None) -> None:
    """Write a data file and keep the manifest's row count in step (unless told otherwise)."""
    path = batch_dir / name
    data = text.encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    manifest = json.loads((batch_dir / "_manifest.json").read_text())
    data_rows = max(len(text.strip().splitlines()) - 1, 0)
    manifest["files"][name] = {"rows": data_rows if rows is None else rows}
    (batch_dir / "_manifest.json").write_text(json.dumps(manifest))


def new_batch(landing: Path, source: str, batch_id: str, extracted_at: str, mode: str) -> Path:
    batch_dir = landing / source / batch_id
    batch_dir.mkdir(parents=True)
    manifest = {"source": source, "batch_id": batch_id, "extracted_at": extracted_at, "mode": mode, "files": {}}
    (batch_dir / "_manifest.json").write_text(json.dumps(manifest))
    return batch_dir


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def quarantine(con) -> list[tuple]:
    return rows(con, "select file, row_number, reason from raw.quarantine order by file, row_number")


ACCOUNTS_HEADER = "account_id,account_name,industry,region,csm_email,segment_override,created_at,is_deleted\n"


# --------------------------------------------------------------------------- valid input


def test_example_landing_loads_completely(landing, con):
    for source in ("crm", "billing", "usage"):
        result = load_source(con, landing, source)
        assert [b.status for b in result.batches] == ["loaded"]
    assert rows(con, "select account_id from raw.crm_accounts order by 1") == [("A-001",), ("A-002",)]
    assert rows(con, "select count(*) from raw.crm_contacts") == [(3,)]
    assert rows(con, "select count(*) from raw.billing_subscription_items") == [(3,)]
    assert rows(con, "select count(*) from raw.usage_events") == [(3,)]
    ledger = rows(
        con, "select source, rows_in_manifest, rows_loaded, rows_quarantined from raw.load_batches order by 1"
    )
    assert ledger == [("billing", 11, 11, 0), ("crm", 13, 13, 0), ("usage", 3, 3, 0)]
    assert quarantine(con) == []


def test_values_are_typed_and_timestamps_are_utc(landing, con):
    batch = landing / "crm" / BATCH
    write_csv(
        batch,
        "accounts.csv",
        ACCOUNTS_HEADER
        + "A-001,Acme,SaaS,NA,dana@vendor.example,,2025-01-10T09:00:00+02:00,false\n"
        + "A-002,Birch,Health,EMEA,,high_touch,2025-03-02 14:30:00,TRUE\n",
    )
    load_source(con, landing, "crm")
    got = rows(
        con, "select account_id, created_at::varchar, is_deleted, segment_override from raw.crm_accounts order by 1"
    )
    assert got == [("A-001", "2025-01-10 07:00:00", False, None), ("A-002", "2025-03-02 14:30:00", True, "high_touch")]
    assert rows(con, "select typeof(quantity), typeof(unit_price) from raw.billing_subscription_items limit 1") == []
    load_source(con, landing, "billing")
    assert rows(con, "select typeof(quantity), typeof(unit_price) from raw.billing_subscription_items limit 1") == [
        ("BIGINT", "DECIMAL(18,4)")
    ]


def test_extra_columns_are_kept(landing, con):
    write_csv(
        landing / "crm" / BATCH,
        "accounts.csv",
        ACCOUNTS_HEADER.strip() + ",tier\nA-001,Acme,SaaS,NA,,,2025-01-10T09:00:00Z,false,gold\n",
    )
    load_source(con, landing, "crm")
    assert rows(con, "select _extra->>'tier' from raw.crm_accounts") == [("gold",)]


def test_parquet_files_are_accepted(landing, con, tmp_path):
    batch = landing / "crm" / BATCH
    csv_path = batch / "accounts.csv"
    duckdb.execute(
        f"copy (select * from read_csv('{csv_path}', all_varchar=true)) to '{batch / 'accounts.parquet'}' (format parquet)"
    )
    csv_path.unlink()
    manifest = json.loads((batch / "_manifest.json").read_text())
    manifest["files"]["accounts.parquet"] = manifest["files"].pop("accounts.csv")
    (batch / "_manifest.json").write_text(json.dumps(manifest))
    result = load_source(con, landing, "crm")
    assert result.batches[0].status == "loaded"
    assert rows(con, "select count(*) from raw.crm_accounts") == [(2,)]


def test_optional_columns_may_be_absent(landing, con):
    write_csv(
        landing / "crm" / BATCH,
        "accounts.csv",
        "account_id,account_name,csm_email,created_at,is_deleted\nA-001,Acme,,2025-01-10T09:00:00Z,false\n",
    )
    assert load_source(con, landing, "crm").batches[0].status == "loaded"
    assert rows(con, "select industry, segment_override from raw.crm_accounts") == [(None, None)]


# --------------------------------------------------------------------------- batch rejected whole


@pytest.mark.parametrize("header_change", ["drop", "rename"])
def test_missing_or_renamed_required_column_rejects_the_batch(landing, con, header_change):
    replacement = "" if header_change == "drop" else "csm_owner_email,"
    header = ACCOUNTS_HEADER.replace("csm_email,", replacement)
    line = (
        "A-001,Acme,SaaS,NA," + ("" if header_change == "drop" else "dana@x.example,") + ",2025-01-10T09:00:00Z,false\n"
    )
    write_csv(landing / "crm" / BATCH, "accounts.csv", header + line)
    result = load_source(con, landing, "crm")
    [batch] = result.batches
    assert batch.status == "rejected"
    assert "crm batch 2026-11-21T02-00Z" in batch.error
    assert "accounts.csv" in batch.error and "csm_email" in batch.error
    # nothing of the rejected batch was written, not even its valid files
    assert rows(con, "select count(*) from raw.crm_contacts") == [(0,)]
    # other sources are unaffected
    assert load_source(con, landing, "billing").batches[0].status == "loaded"


def test_truncated_file_rejects_the_batch(landing, con):
    batch = landing / "crm" / BATCH
    text = (batch / "contacts.csv").read_text()
    write_csv(batch, "contacts.csv", text, rows=5)  # manifest promises more rows than delivered
    [result] = load_source(con, landing, "crm").batches
    assert result.status == "rejected"
    assert "contacts.csv" in result.error and "truncated: 3 data rows, manifest says 5" in result.error


def test_corrupt_gzip_rejects_the_batch(landing, con):
    batch = landing / "usage" / BATCH
    path = batch / "events-2026-11-20.csv.gz"
    data = bytearray(path.read_bytes())
    data[12:40] = bytes(28)  # wreck the deflate stream
    path.write_bytes(bytes(data))
    [result] = load_source(con, landing, "usage").batches
    assert result.status == "rejected"
    assert "events-2026-11-20.csv.gz" in result.error
    assert rows(con, "select count(*) from raw.usage_events") == [(0,)]


def test_truncated_gzip_rejects_the_batch(landing, con):
    batch = landing / "usage" / BATCH
    lines = ["event_id,occurred_at,account_id,user_id,event_name,feature"]
    lines += [f"e-{i},2026-11-20T08:00:00Z,A-001,u-{i % 7},login,reports" for i in range(5000)]
    write_csv(batch, "events-2026-11-20.csv.gz", "\n".join(lines) + "\n")
    path = batch / "events-2026-11-20.csv.gz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    [result] = load_source(con, landing, "usage").batches
    assert result.status == "rejected"
    assert "events-2026-11-20.csv.gz" in result.error


def test_more_rows_than_manifest_rejects_the_batch(landing, con):
    batch = landing / "crm" / BATCH
    write_csv(batch, "tickets.csv", (batch / "tickets.csv").read_text(), rows=0)
    [result] = load_source(con, landing, "crm").batches
    assert (
        result.status == "rejected" and "tickets.csv" in result.error and "more rows than the manifest" in result.error
    )


@pytest.mark.parametrize("damage", ["missing", "unreadable"])
def test_missing_or_unreadable_manifest_rejects_the_batch(landing, con, damage):
    manifest = landing / "billing" / BATCH / "_manifest.json"
    if damage == "missing":
        manifest.unlink()
    else:
        manifest.write_text('{"source": "billing", "files": ')
    [result] = load_source(con, landing, "billing").batches
    assert result.status == "rejected"
    assert "billing batch 2026-11-21T02-00Z" in result.error and "_manifest.json" in result.error
    assert rows(con, "select status from raw.load_batches") == [("rejected",)]


def test_files_not_matching_the_manifest_reject_the_batch(landing, con):
    batch = landing / "billing" / BATCH
    (batch / "refunds.csv").write_text("refund_id\nr1\n")
    [result] = load_source(con, landing, "billing").batches
    assert (
        result.status == "rejected" and "refunds.csv" in result.error and "not listed in the manifest" in result.error
    )
    (batch / "refunds.csv").unlink()
    (batch / "invoices.csv").unlink()
    [result] = load_source(con, landing, "billing").batches
    assert result.status == "rejected" and "invoices.csv" in result.error and "not delivered" in result.error


def test_required_file_missing_from_snapshot_rejects_the_batch(landing, con):
    batch = landing / "crm" / BATCH
    (batch / "goals.csv").unlink()
    manifest = json.loads((batch / "_manifest.json").read_text())
    del manifest["files"]["goals.csv"]
    (batch / "_manifest.json").write_text(json.dumps(manifest))
    [result] = load_source(con, landing, "crm").batches
    assert result.status == "rejected" and "goals.csv" in result.error and "required file missing" in result.error


def test_a_rejected_batch_loads_once_it_is_fixed(landing, con):
    batch = landing / "crm" / BATCH
    good = (batch / "accounts.csv").read_text()
    write_csv(batch, "accounts.csv", good.replace("account_name", "name"))
    assert load_source(con, landing, "crm").batches[0].status == "rejected"
    write_csv(batch, "accounts.csv", good)
    assert load_source(con, landing, "crm").batches[0].status == "loaded"
    assert rows(con, "select count(*) from raw.crm_accounts") == [(2,)]


# --------------------------------------------------------------------------- rows quarantined


@pytest.mark.parametrize(
    ("file", "header", "bad_line", "reason"),
    [
        (
            "accounts.csv",
            ACCOUNTS_HEADER,
            "A-003,Bad,SaaS,NA,,,yesterday,false",
            "unparseable timestamp in created_at: 'yesterday'",
        ),
        (
            "nps_responses.csv",
            "response_id,account_id,contact_id,responded_at,score\n",
            "N-2,A-001,,2026-10-05T12:00:00Z,11",
            "out of range score: 11",
        ),
        (
            "tickets.csv",
            "ticket_id,account_id,opened_at,closed_at,priority,is_escalated,csat_score\n",
            "T-2,A-001,2026-11-02T08:00:00Z,,high,false,6",
            "out of range csat_score: 6",
        ),
        (
            "nps_responses.csv",
            "response_id,account_id,contact_id,responded_at,score\n",
            "N-2,A-001,,2026-10-05T12:00:00Z,9.5",
            "unparseable integer in score: '9.5'",
        ),
        (
            "opportunities.csv",
            "opportunity_id,account_id,opportunity_type,stage,close_date,amount_arr,currency,created_at\n",
            "O-2,A-001,renewal,open,2027-13-45,100,USD,2026-10-01T00:00:00Z",
            "unparseable date in close_date: '2027-13-45'",
        ),
        (
            "contacts.csv",
            "contact_id,account_id,email,title,role,created_at,departed_at\n",
            "C-9,A-001,x@y.example,,wizard,2025-01-10T09:00:00Z,",
            "role 'wizard' is not one of",
        ),
    ],
)
def test_bad_crm_values_are_quarantined_and_valid_rows_kept(landing, con, file, header, bad_line, reason):
    batch = landing / "crm" / BATCH
    original = (batch / file).read_text()
    valid_count = len(original.strip().splitlines()) - 1
    write_csv(batch, file, original.rstrip("\n") + "\n" + bad_line + "\n")
    [result] = load_source(con, landing, "crm").batches
    assert result.status == "loaded"
    assert result.rows_quarantined == 1 and result.rows_loaded + 1 == result.rows_in_manifest
    [(q_file, q_row, q_reason)] = quarantine(con)
    assert (q_file, q_row) == (file, valid_count + 1)
    assert reason in q_reason
    table = "crm_" + file.removesuffix(".csv")
    assert rows(con, f"select count(*) from raw.{table}") == [(valid_count,)]
    raw_row = rows(con, "select raw_row from raw.quarantine")[0][0]
    assert json.loads(raw_row)[header.split(",")[0]] == bad_line.split(",")[0]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("10", "-10"), "negative quantity: -10"),
        (("100.00", "-1.00"), "negative unit_price: -1.00"),
        (("100.00", "1OO.00"), "unparseable decimal in unit_price: '1OO.00'"),
        (("USD,1,0", "USD,1,150"), "out of range discount_pct: 150"),
    ],
)
def test_bad_billing_numbers_are_quarantined(landing, con, change, reason):
    batch = landing / "billing" / BATCH
    lines = (batch / "subscription_items.csv").read_text().splitlines()
    lines[1] = lines[1].replace(*change, 1)
    write_csv(batch, "subscription_items.csv", "\n".join(lines) + "\n")
    [result] = load_source(con, landing, "billing").batches
    assert result.status == "loaded" and result.rows_quarantined == 1
    [(_, row_number, q_reason)] = quarantine(con)
    assert row_number == 1 and reason in q_reason
    assert rows(con, "select item_id from raw.billing_subscription_items order by 1") == [("si_2",), ("si_3",)]


def test_duplicate_primary_key_keeps_the_first_and_quarantines_the_rest(landing, con):
    write_csv(
        landing / "crm" / BATCH,
        "accounts.csv",
        ACCOUNTS_HEADER
        + "A-001,Acme first,SaaS,NA,,,2025-01-10T09:00:00Z,false\n"
        + "A-002,Birch,Health,EMEA,,,2025-03-02T14:30:00Z,false\n"
        + "A-001,Acme second,SaaS,NA,,,2025-01-10T09:00:00Z,false\n"
        + "A-001,Acme third,SaaS,NA,,,2025-01-10T09:00:00Z,false\n",
    )
    [result] = load_source(con, landing, "crm").batches
    assert result.rows_quarantined == 2
    assert rows(con, "select account_id, account_name from raw.crm_accounts order by 1") == [
        ("A-001", "Acme first"),
        ("A-002", "Birch"),
    ]
    assert [(r, reason) for _, r, reason in quarantine(con)] == [
        (3, "duplicate account_id 'A-001' in snapshot (kept row 1)"),
        (4, "duplicate account_id 'A-001' in snapshot (kept row 1)"),
    ]


def test_an_invalid_first_copy_does_not_hide_a_valid_duplicate(landing, con):
    write_csv(
        landing / "crm" / BATCH,
        "accounts.csv",
        ACCOUNTS_HEADER
        + "A-001,Acme broken,SaaS,NA,,,not-a-date,false\n"
        + "A-001,Acme good,SaaS,NA,,,2025-01-10T09:00:00Z,false\n",
    )
    load_source(con, landing, "crm")
    assert rows(con, "select account_name from raw.crm_accounts") == [("Acme good",)]
    assert [r for _, r, _ in quarantine(con)] == [1]


def test_malformed_csv_line_is_quarantined_with_its_position(landing, con):
    write_csv(
        landing / "crm" / BATCH,
        "accounts.csv",
        ACCOUNTS_HEADER
        + "A-001,Acme,SaaS,NA,,,2025-01-10T09:00:00Z,false\n"
        + "A-009,too,few,fields\n"
        + 'A-002,"Birch, Inc.",Health,EMEA,,,2025-03-02T14:30:00Z,false\n',
    )
    [result] = load_source(con, landing, "crm").batches
    assert result.status == "loaded" and result.rows_quarantined == 1
    [(_, row_number, reason)] = quarantine(con)
    assert row_number == 2 and reason.startswith("malformed CSV line")
    assert rows(con, "select account_id, account_name, _row_number from raw.crm_accounts order by 1") == [
        ("A-001", "Acme", 1),
        ("A-002", "Birch, Inc.", 3),
    ]


def test_unknown_account_is_kept_not_dropped(landing, con):
    batch = landing / "crm" / BATCH
    write_csv(
        batch, "tickets.csv", (batch / "tickets.csv").read_text() + "T-9,A-404,2026-11-03T08:00:00Z,,low,false,\n"
    )
    load_source(con, landing, "crm")
    assert rows(con, "select account_id from raw.crm_tickets order by 1") == [("A-002",), ("A-404",)]
    assert quarantine(con) == []


# --------------------------------------------------------------------------- idempotence and history


def test_the_same_batch_delivered_twice_loads_once(landing, con):
    first = load_source(con, landing, "usage")
    # re-delivered under another folder name, same manifest batch id
    shutil.copytree(landing / "usage" / BATCH, landing / "usage" / "redelivery")
    second = load_source(con, landing, "usage")
    assert [b.status for b in first.batches] == ["loaded"]
    assert [b.status for b in second.batches] == ["skipped", "skipped"]
    assert rows(con, "select count(*) from raw.usage_events") == [(3,)]
    assert rows(con, "select count(*) from raw.load_batches where status = 'loaded'") == [(1,)]


def test_usage_batches_append_and_deduplicate_on_event_id(landing, con):
    load_source(con, landing, "usage")
    batch = new_batch(landing, "usage", "2026-11-22T02-00Z", "2026-11-22T02:00:00Z", "incremental")
    write_csv(
        batch,
        "events-2026-11-21.csv",
        "event_id,occurred_at,account_id,user_id,event_name,feature\n"
        "e-2,2026-11-20T08:03:40Z,A-001,u-17,report_viewed,reports\n"  # re-sent from the last batch
        "e-4,2026-11-19T23:59:00Z,A-002,u-03,login,\n"  # a late event
        "e-5,2026-11-21T09:00:00Z,A-001,u-17,login,\n"
        "e-5,2026-11-21T09:00:00Z,A-001,u-17,login,\n",  # sent twice in the same batch
    )
    [skipped, loaded] = load_source(con, landing, "usage").batches
    assert skipped.status == "skipped"
    assert (loaded.status, loaded.rows_loaded, loaded.rows_new, loaded.rows_quarantined) == ("loaded", 4, 2, 0)
    assert rows(con, "select event_id from raw.usage_events order by 1") == [
        ("e-1",),
        ("e-2",),
        ("e-3",),
        ("e-4",),
        ("e-5",),
    ]


def test_row_numbers_follow_the_file_in_a_file_read_in_parallel(landing, con):
    """Row numbers (in raw tables and in quarantine reasons) are positions in the file; a file
    big enough for DuckDB to read in parallel chunks must keep them (the loader numbers rows by
    their position in the staged table)."""
    con.execute("set threads = 4")
    rows_in_file, bad_row = 300_000, 287_654
    lines = ["event_id,occurred_at,account_id,user_id,event_name,feature"]
    for n in range(1, rows_in_file + 1):
        occurred_at = "not-a-time" if n == bad_row else f"2026-11-21T{n % 24:02d}:{n % 60:02d}:00Z"
        lines.append(f"r-{n},{occurred_at},A-00{1 + n % 2},u-{n % 97},login,")
    batch = new_batch(landing, "usage", "2026-11-22T02-00Z", "2026-11-22T02:00:00Z", "incremental")
    write_csv(batch, "events-big.csv", "\n".join(lines) + "\n")

    [loaded] = load_source(con, landing, "usage").batches[-1:]

    assert (loaded.status, loaded.rows_new, loaded.rows_quarantined) == ("loaded", rows_in_file - 1, 1)
    misnumbered = rows(
        con,
        "select count(*) from raw.usage_events where _source_file = 'events-big.csv' "
        "and 'r-' || _row_number <> event_id",
    )
    assert misnumbered == [(0,)]
    [(file, row_number, reason)] = quarantine(con)
    assert (file, row_number) == ("events-big.csv", bad_row) and "not-a-time" in reason


def test_a_new_snapshot_replaces_the_previous_one(landing, con):
    load_source(con, landing, "crm")
    batch = new_batch(landing, "crm", "2026-11-22T02-00Z", "2026-11-22T02:00:00Z", "full")
    for path in sorted((landing / "crm" / BATCH).glob("*.csv")):
        write_csv(batch, path.name, path.read_text())
    write_csv(batch, "accounts.csv", ACCOUNTS_HEADER + "A-001,Acme renamed,SaaS,NA,,,2025-01-10T09:00:00Z,false\n")
    [skipped, loaded] = load_source(con, landing, "crm").batches
    assert (skipped.status, loaded.status) == ("skipped", "loaded")
    assert rows(con, "select account_name, _batch_id from raw.crm_accounts") == [("Acme renamed", "2026-11-22T02-00Z")]


def test_an_older_snapshot_arriving_late_does_not_overwrite_a_newer_one(landing, con):
    load_source(con, landing, "crm")
    batch = new_batch(landing, "crm", "2026-11-01T02-00Z", "2026-11-01T02:00:00Z", "full")
    for path in sorted((landing / "crm" / BATCH).glob("*.csv")):
        write_csv(batch, path.name, path.read_text())
    write_csv(batch, "accounts.csv", ACCOUNTS_HEADER + "A-001,Stale name,SaaS,NA,,,2025-01-10T09:00:00Z,false\n")
    statuses = {b.batch_id: b.status for b in load_source(con, landing, "crm").batches}
    assert statuses == {"2026-11-01T02-00Z": "superseded", BATCH: "skipped"}
    assert rows(con, "select count(*) from raw.crm_accounts") == [(2,)]


def test_an_empty_batch_is_valid_and_loads_nothing(landing, con):
    load_source(con, landing, "usage")
    batch = new_batch(landing, "usage", "2026-11-22T02-00Z", "2026-11-22T02:00:00Z", "incremental")
    write_csv(batch, "events-2026-11-21.csv", "event_id,occurred_at,account_id,user_id,event_name,feature\n")
    [_, empty] = load_source(con, landing, "usage").batches
    assert (empty.status, empty.rows_in_manifest, empty.rows_loaded) == ("loaded", 0, 0)
    assert rows(con, "select count(*) from raw.usage_events") == [(3,)]
    assert rows(con, "select count(*) from raw.load_batches where batch_id = '2026-11-22T02-00Z'") == [(1,)]


def test_a_header_only_snapshot_file_empties_only_that_entity(landing, con):
    batch = landing / "crm" / BATCH
    write_csv(batch, "tickets.csv", "ticket_id,account_id,opened_at,closed_at,priority,is_escalated,csat_score\n")
    [result] = load_source(con, landing, "crm").batches
    assert result.status == "loaded"
    assert rows(con, "select count(*) from raw.crm_tickets") == [(0,)]
    assert rows(con, "select count(*) from raw.crm_accounts") == [(2,)]
