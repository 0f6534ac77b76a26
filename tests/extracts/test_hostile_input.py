"""Hostile input (issue 20): each case against the real loader and a real DuckDB.

Every test starts from the tiny valid landing directory (tests/fixtures/landing), breaks one
thing, and checks the error (naming batch, file, column) or the quarantined row with its
reason, and that every valid row is still loaded.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import zlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dagster_project.checks.extracts import latest_loaded_extract
from dagster_project.extracts.loader import load_source
from dagster_project.extracts.spec import CLOCK_SKEW_TOLERANCE
from tests.extracts.test_loader import ACCOUNTS_HEADER, BATCH, new_batch, quarantine, rows, write_csv

NOW = datetime(2026, 11, 22, 3, 0)  # the load's clock: a day after the example batch
EVENTS_HEADER = "event_id,occurred_at,account_id,user_id,event_name,feature\n"
ITEMS = "subscription_items.csv"
SECRET = "s3cret-personal-value"


def copy_snapshot(landing: Path, source: str, batch_id: str, extracted_at: str) -> Path:
    """A new full snapshot with the example batch's files."""
    batch = new_batch(landing, source, batch_id, extracted_at, "full")
    for path in sorted((landing / source / BATCH).glob("*.csv")):
        write_csv(batch, path.name, path.read_text())
    return batch


def set_manifest(batch: Path, **changes) -> None:
    manifest = json.loads((batch / "_manifest.json").read_text())
    manifest.update(changes)
    (batch / "_manifest.json").write_text(json.dumps(manifest))


def only(result):
    [batch] = result.batches
    return batch


# --------------------------------------------------------------------------- 1. future-dated batches


def test_a_future_dated_snapshot_is_held_and_never_takes_over(landing, con):
    load_source(con, landing, "crm", now=NOW)
    typo = copy_snapshot(landing, "crm", "typo", "2096-11-23T02:00:00Z")  # decades ahead
    write_csv(typo, "accounts.csv", ACCOUNTS_HEADER + "A-001,Typo Corp,SaaS,NA,,,2025-01-10T09:00:00Z,false\n")
    later = copy_snapshot(landing, "crm", "2026-11-23T02-00Z", "2026-11-23T02:00:00Z")
    write_csv(later, "accounts.csv", ACCOUNTS_HEADER + "A-001,Acme Next,SaaS,NA,,,2025-01-10T09:00:00Z,false\n")

    statuses = {b.batch_id: b for b in load_source(con, landing, "crm", now=NOW + timedelta(days=1)).batches}

    assert statuses["typo"].status == "held"
    assert "crm batch typo" in statuses["typo"].error and "extracted_at 2096-11-23T02:00:00" in statuses["typo"].error
    assert "clock-skew tolerance 1 h" in statuses["typo"].error
    assert statuses["2026-11-23T02-00Z"].status == "loaded"  # not superseded by the typo
    assert rows(con, "select account_name from raw.crm_accounts") == [("Acme Next",)]
    # never fresh: freshness reads the latest LOADED extract
    assert latest_loaded_extract(con, "crm") == datetime(2026, 11, 23, 2, 0)
    assert rows(con, "select status from raw.load_batches where batch_id = 'typo'") == [("held",)]
    # still held at the next run, and still not blocking a newer correct snapshot
    newer = copy_snapshot(landing, "crm", "2026-11-24T02-00Z", "2026-11-24T02:00:00Z")
    assert newer.exists()
    again = {b.batch_id: b.status for b in load_source(con, landing, "crm", now=NOW + timedelta(days=2)).batches}
    assert again == {BATCH: "skipped", "2026-11-23T02-00Z": "skipped", "2026-11-24T02-00Z": "loaded", "typo": "held"}


def test_a_batch_within_the_clock_skew_tolerance_loads(landing, con):
    ahead = NOW + CLOCK_SKEW_TOLERANCE - timedelta(minutes=1)
    copy_snapshot(landing, "crm", "skewed", ahead.isoformat() + "Z")
    statuses = {b.batch_id: b.status for b in load_source(con, landing, "crm", now=NOW).batches}
    assert statuses == {BATCH: "loaded", "skewed": "loaded"}


def test_a_held_batch_loads_once_the_clock_reaches_it(landing, con):
    batch = new_batch(landing, "usage", "early", "2026-11-22T09:00:00Z", "incremental")
    write_csv(batch, "events-x.csv", EVENTS_HEADER + "e-9,2026-11-22T08:00:00Z,A-001,u-1,login,\n")
    first = {b.batch_id: b.status for b in load_source(con, landing, "usage", now=NOW).batches}
    assert first == {BATCH: "loaded", "early": "held"}
    assert rows(con, "select count(*) from raw.usage_events") == [(3,)]
    second = {b.batch_id: b.status for b in load_source(con, landing, "usage", now=NOW + timedelta(hours=6)).batches}
    assert second == {BATCH: "skipped", "early": "loaded"}
    assert rows(con, "select count(*) from raw.usage_events") == [(4,)]


# --------------------------------------------------------------------------- 2. the manifest cannot override the contract


@pytest.mark.parametrize(("source", "mode"), [("usage", "full"), ("crm", "incremental"), ("billing", "append")])
def test_a_manifest_mode_contradicting_the_contract_rejects_the_batch(landing, con, source, mode):
    set_manifest(landing / source / BATCH, mode=mode)
    batch = only(load_source(con, landing, source, now=NOW))
    assert batch.status == "rejected"
    assert f"{source} batch {BATCH}, file _manifest.json" in batch.error
    assert f"mode '{mode}' contradicts the contract" in batch.error
    table = {"usage": "usage_events", "crm": "crm_accounts", "billing": "billing_customers"}[source]
    assert rows(con, f"select count(*) from raw.{table}") == [(0,)]


def test_a_manifest_without_mode_gets_the_contracts_mode(landing, con):
    manifest = landing / "crm" / BATCH / "_manifest.json"
    data = json.loads(manifest.read_text())
    del data["mode"]
    manifest.write_text(json.dumps(data))
    assert only(load_source(con, landing, "crm", now=NOW)).status == "loaded"
    assert rows(con, "select mode from raw.load_batches") == [("full",)]


@pytest.mark.parametrize("count", ["3", 3.0, True, -1, None])
def test_a_manifest_row_count_that_is_not_a_whole_number_rejects_the_batch(landing, con, count):
    batch_dir = landing / "usage" / BATCH
    data = json.loads((batch_dir / "_manifest.json").read_text())
    data["files"]["events-2026-11-20.csv.gz"] = {"rows": count}
    (batch_dir / "_manifest.json").write_text(json.dumps(data))
    batch = only(load_source(con, landing, "usage", now=NOW))
    assert batch.status == "rejected" and "events-2026-11-20.csv.gz" in batch.error and "whole number" in batch.error


def test_duplicate_keys_in_a_snapshot_are_quarantined_and_the_ledger_agrees(landing, con):
    write_csv(
        landing / "crm" / BATCH,
        "accounts.csv",
        ACCOUNTS_HEADER
        + "A-001,Acme,SaaS,NA,,,2025-01-10T09:00:00Z,false\n"
        + "A-001,Acme again,SaaS,NA,,,2025-01-10T09:00:00Z,false\n"
        + "A-002,Birch,Health,EMEA,,,2025-03-02T14:30:00Z,false\n",
    )
    batch = only(load_source(con, landing, "crm", now=NOW))
    assert (batch.rows_quarantined, batch.rows_loaded + batch.rows_quarantined) == (1, batch.rows_in_manifest)
    loaded_rows = (
        sum(
            rows(con, f"select count(*) from raw.crm_{e}")[0][0]
            for e in ("accounts", "contacts", "activities", "goals", "milestones", "opportunities", "tickets")
        )
        + rows(con, "select count(*) from raw.crm_nps_responses")[0][0]
    )
    assert loaded_rows == batch.rows_loaded
    assert [r for _, r, _ in quarantine(con)] == [2]


def test_snapshot_keys_compare_as_typed_values(landing, con):
    batch = landing / "billing" / BATCH
    write_csv(
        batch,
        "fx_rates.csv",
        "rate_month,currency,usd_per_unit\n2025-03-01,EUR,1.0812\n 2025-03-01,EUR,1.2\n2026-11-01,EUR,1.0644\n",
    )
    result = only(load_source(con, landing, "billing", now=NOW))
    assert result.status == "loaded" and result.rows_quarantined == 1
    [(file, row_number, reason)] = quarantine(con)
    assert (file, row_number) == ("fx_rates.csv", 2) and "duplicate rate_month/currency" in reason
    assert rows(con, "select usd_per_unit::varchar from raw.billing_fx_rates order by rate_month") == [
        ("1.0812",),
        ("1.0644",),
    ]


# --------------------------------------------------------------------------- 3. values that do not fit their type


def edit_item_line(landing: Path, old: str, new: str) -> None:
    batch = landing / "billing" / BATCH
    lines = (batch / ITEMS).read_text().splitlines()
    assert old in lines[1]
    lines[1] = lines[1].replace(old, new, 1)
    write_csv(batch, ITEMS, "\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (",10,", ",99999999999999999999,", "integer out of range (BIGINT) in quantity: '99999999999999999999'"),
        (",10,", ",0x10,", "unparseable integer in quantity: '0x10'"),
        (",10,", ",1_000,", "unparseable integer in quantity: '1_000'"),
        (",1,0,", ",99999999999999999999999,0,", "integer out of range (BIGINT) in billing_interval_months"),
        ("100.00", "0.00001", "more than 4 decimal places in unit_price (never rounded): '0.00001'"),
        ("100.00", "1.5e-6", "more than 4 decimal places in unit_price"),
        ("100.00", "1e20", "decimal out of range (DECIMAL(18,4)) in unit_price: '1e20'"),
        ("100.00", "NaN", "unparseable decimal in unit_price: 'NaN'"),
        ("100.00", "inf", "unparseable decimal in unit_price: 'inf'"),
        ("USD,1,0", "USD,1,12.34567", "more than 4 decimal places in discount_pct"),
    ],
)
def test_values_that_do_not_fit_their_type_are_quarantined(landing, con, old, new, reason):
    edit_item_line(landing, old, new)
    batch = only(load_source(con, landing, "billing", now=NOW))
    assert batch.status == "loaded" and batch.rows_quarantined == 1
    [(file, row_number, q_reason)] = quarantine(con)
    assert (file, row_number) == (ITEMS, 1) and reason in q_reason
    assert rows(con, "select item_id from raw.billing_subscription_items order by 1") == [("si_2",), ("si_3",)]
    assert rows(con, "select count(*) from raw.billing_subscription_items where quantity is null") == [(0,)]


@pytest.mark.parametrize(
    ("text", "stored"),
    [("100.00000000", "100.0000"), ("1.5e2", "150.0000"), ("0.0042", "0.0042"), ("1500e-2", "15.0000")],
)
def test_decimals_that_fit_exactly_load_unchanged(landing, con, text, stored):
    edit_item_line(landing, "100.00", text)
    assert only(load_source(con, landing, "billing", now=NOW)).rows_quarantined == 0
    assert rows(con, "select unit_price::varchar from raw.billing_subscription_items where item_id = 'si_1'") == [
        (stored,)
    ]


# --------------------------------------------------------------------------- 4. compressed files verified


def gzip_events(landing: Path, n: int = 300, level: int = 6) -> Path:
    batch = landing / "usage" / BATCH
    lines = [f"e-{i},2026-11-20T08:00:00Z,A-001,u-{i % 7},login,reports" for i in range(n)]
    write_csv(batch, "events-2026-11-20.csv.gz", EVENTS_HEADER + "\n".join(lines) + "\n")
    path = batch / "events-2026-11-20.csv.gz"
    if level != 6:
        path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes()), compresslevel=level))
    return path


def damage_crc(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-8] ^= 0xFF  # the CRC-32 of the trailer
    path.write_bytes(bytes(data))


def damage_stored_block(path: Path) -> None:
    data = bytearray(path.read_bytes())
    at = data.index(b"e-150,")
    data[at + 2 : at + 5] = b"999"  # a stored (level 0) block holds the text as it is: e-150 -> e-999
    path.write_bytes(bytes(data))


def drop_trailer(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-8])


@pytest.mark.parametrize(
    ("level", "damage", "problem"),
    [
        (6, damage_crc, "gzip stream corrupt (CRC or length check failed)"),
        (0, damage_stored_block, "gzip stream corrupt (CRC or length check failed)"),
        (6, drop_trailer, "gzip stream truncated"),
    ],
)
def test_a_damaged_gzip_file_rejects_the_batch(landing, con, level, damage, problem):
    path = gzip_events(landing, level=level)
    damage(path)
    batch = only(load_source(con, landing, "usage", now=NOW))
    assert batch.status == "rejected"
    assert f"usage batch {BATCH}, file events-2026-11-20.csv.gz: {problem}" in batch.error
    assert rows(con, "select count(*) from raw.usage_events") == [(0,)]


def test_a_multi_member_gzip_file_loads_every_member(landing, con):
    path = gzip_events(landing, n=10)
    text = gzip.decompress(path.read_bytes()).decode()
    header, *lines = text.splitlines(keepends=True)
    path.write_bytes(gzip.compress((header + "".join(lines[:4])).encode()) + gzip.compress("".join(lines[4:]).encode()))
    assert zlib.crc32(b"") == 0  # (zlib is what checks each member's CRC)
    batch = only(load_source(con, landing, "usage", now=NOW))
    assert (batch.status, batch.rows_loaded) == ("loaded", 10)


# --------------------------------------------------------------------------- 5. landing files are regular files inside the landing


def test_a_symlink_to_a_file_outside_the_landing_is_rejected(landing, con, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text(ACCOUNTS_HEADER + f"A-001,{SECRET},SaaS,NA,,,2025-01-10T09:00:00Z,false\n")
    accounts = landing / "crm" / BATCH / "accounts.csv"
    accounts.unlink()
    accounts.symlink_to(outside)
    batch = only(load_source(con, landing, "crm", now=NOW))
    assert batch.status == "rejected" and "file accounts.csv: is a symbolic link" in batch.error
    assert SECRET not in batch.error
    assert rows(con, "select count(*) from raw.crm_accounts") == [(0,)]


def test_a_symlink_inside_the_landing_is_rejected_too(landing, con):
    other = copy_snapshot(landing, "crm", "2026-11-22T02-00Z", "2026-11-22T02:00:00Z")
    (other / "tickets.csv").unlink()
    (other / "tickets.csv").symlink_to(landing / "crm" / BATCH / "tickets.csv")
    statuses = {b.batch_id: b for b in load_source(con, landing, "crm", now=NOW).batches}
    assert statuses["2026-11-22T02-00Z"].status == "rejected" and "tickets.csv" in statuses["2026-11-22T02-00Z"].error
    assert statuses[BATCH].status == "loaded"


def test_a_symlinked_manifest_or_batch_folder_is_rejected(landing, con, tmp_path):
    manifest = landing / "crm" / BATCH / "_manifest.json"
    copy = tmp_path / "manifest.json"
    shutil.copy(manifest, copy)
    manifest.unlink()
    manifest.symlink_to(copy)
    assert "_manifest.json: is a symbolic link" in only(load_source(con, landing, "crm", now=NOW)).error
    elsewhere = tmp_path / "elsewhere"
    shutil.move(landing / "billing" / BATCH, elsewhere)
    (landing / "billing" / BATCH).symlink_to(elsewhere, target_is_directory=True)
    billing = only(load_source(con, landing, "billing", now=NOW))
    assert billing.status == "rejected" and "symbolic link or outside the landing directory" in billing.error


def test_a_fifo_in_place_of_a_file_is_rejected_without_blocking(landing, con):
    tickets = landing / "crm" / BATCH / "tickets.csv"
    tickets.unlink()
    os.mkfifo(tickets)
    batch = only(load_source(con, landing, "crm", now=NOW))
    assert batch.status == "rejected" and "file tickets.csv: is not a regular file" in batch.error


def test_error_messages_quote_header_names_never_file_contents(landing, con):
    write_csv(
        landing / "crm" / BATCH,
        "accounts.csv",
        "account_id,account_name,created_at,is_deleted\n" + f"A-001,{SECRET},2025-01-10T09:00:00Z,false\n",
    )
    batch = only(load_source(con, landing, "crm", now=NOW))
    assert "required column csm_email missing" in batch.error and "'account_name'" in batch.error
    assert SECRET not in batch.error
    assert SECRET not in rows(con, "select error from raw.load_batches")[0][0]


def test_an_unreadable_parquet_file_names_the_file_not_its_bytes(landing, con):
    batch_dir = landing / "crm" / BATCH
    (batch_dir / "accounts.csv").unlink()
    (batch_dir / "accounts.parquet").write_bytes(b"PAR1" + SECRET.encode() * 10 + b"PAR1")
    data = json.loads((batch_dir / "_manifest.json").read_text())
    data["files"]["accounts.parquet"] = data["files"].pop("accounts.csv")
    (batch_dir / "_manifest.json").write_text(json.dumps(data))
    batch = only(load_source(con, landing, "crm", now=NOW))
    assert batch.status == "rejected" and "file accounts.parquet: file unreadable or corrupt" in batch.error
    assert SECRET not in batch.error


# --------------------------------------------------------------------------- 6. duplicate names


@pytest.mark.parametrize("second", ["account_name", "Account_Name", " account_name "])
def test_a_column_named_twice_in_a_header_rejects_the_batch(landing, con, second):
    header = ACCOUNTS_HEADER.strip() + f",{second}\n"
    write_csv(landing / "crm" / BATCH, "accounts.csv", header + "A-001,Acme,SaaS,NA,,,2025-01-10T09:00:00Z,false,X\n")
    batch = only(load_source(con, landing, "crm", now=NOW))
    assert batch.status == "rejected"
    assert f"crm batch {BATCH}, file accounts.csv: column {second!r} appears more than once" in batch.error
    assert rows(con, "select count(*) from raw.crm_accounts") == [(0,)]


def test_a_manifest_listing_a_file_twice_rejects_the_batch(landing, con):
    manifest = landing / "usage" / BATCH / "_manifest.json"
    text = manifest.read_text().replace('"files": {', '"files": {\n  "events-2026-11-20.csv.gz": {"rows": 99},', 1)
    manifest.write_text(text)
    batch = only(load_source(con, landing, "usage", now=NOW))
    assert batch.status == "rejected" and "_manifest.json" in batch.error
    assert "'events-2026-11-20.csv.gz' appears twice" in batch.error


def test_one_entity_delivered_in_two_files_of_a_snapshot_rejects_the_batch(landing, con):
    batch_dir = landing / "crm" / BATCH
    write_csv(batch_dir, "accounts.csv.gz", (batch_dir / "accounts.csv").read_text())
    batch = only(load_source(con, landing, "crm", now=NOW))
    assert batch.status == "rejected" and "accounts delivered twice in one snapshot" in batch.error


@pytest.mark.parametrize("name", ["../crm/x.csv", "sub/events.csv", ""])
def test_a_manifest_file_name_that_is_a_path_rejects_the_batch(landing, con, name):
    batch_dir = landing / "usage" / BATCH
    data = json.loads((batch_dir / "_manifest.json").read_text())
    data["files"][name] = {"rows": 0}
    (batch_dir / "_manifest.json").write_text(json.dumps(data))
    batch = only(load_source(con, landing, "usage", now=NOW))
    assert batch.status == "rejected" and "not a plain file name" in batch.error


# --------------------------------------------------------------------------- 7. the smaller ones


def test_a_batch_delivered_twice_in_one_run_is_applied_once(landing, con):
    shutil.copytree(landing / "usage" / BATCH, landing / "usage" / "zz-redelivery")
    statuses = [(b.batch_id, b.status) for b in load_source(con, landing, "usage", now=NOW).batches]
    assert statuses == [(BATCH, "loaded"), (BATCH, "skipped")]
    assert rows(con, "select count(*) from raw.load_batches") == [(1,)]
    assert rows(con, "select count(*) from raw.usage_events") == [(3,)]


def test_a_snapshot_delivered_twice_in_one_run_is_applied_once(landing, con):
    shutil.copytree(landing / "crm" / BATCH, landing / "crm" / "again")
    statuses = [b.status for b in load_source(con, landing, "crm", now=NOW).batches]
    assert statuses == ["loaded", "skipped"]
    assert rows(con, "select count(*) from raw.load_batches") == [(1,)]


def test_a_field_of_a_few_megabytes_loads(landing, con):
    note = "x" * (3 * 1024 * 1024)
    write_csv(
        landing / "crm" / BATCH,
        "accounts.csv",
        ACCOUNTS_HEADER.strip()
        + ",notes\n"
        + f'A-001,Acme,SaaS,NA,,,2025-01-10T09:00:00Z,false,"{note}"\n'
        + "A-002,Birch,Health,EMEA,,,2025-03-02T14:30:00Z,false,\n",
    )
    assert only(load_source(con, landing, "crm", now=NOW)).status == "loaded"
    assert rows(con, "select length(_extra->>'notes') from raw.crm_accounts where account_id = 'A-001'") == [
        (len(note),)
    ]


def test_a_line_beyond_the_maximum_line_size_says_why(landing, con):
    write_csv(
        landing / "crm" / BATCH,
        "accounts.csv",
        ACCOUNTS_HEADER + f"A-001,{SECRET * 500_000},SaaS,NA,,,2025-01-10T09:00:00Z,false\n",
    )
    batch = only(load_source(con, landing, "crm", now=NOW))
    assert batch.status == "rejected"
    assert "file accounts.csv: file unreadable or corrupt (a line is longer than the 8 MiB maximum" in batch.error
    assert SECRET not in batch.error


@pytest.mark.parametrize(
    "value",
    [
        "infinity",
        "-infinity",
        "epoch",
        "12345-01-10T09:00:00Z",
        "2026-1-10T09:00:00Z",
        "2026-01-5",
        "2026-01-10T9:00:00Z",
        "2026-01-10T09:00:00 UTC",
        "2026-01-10T09Z",
        "10/01/2026",
    ],
)
def test_non_iso_timestamps_are_quarantined(landing, con, value):
    write_csv(
        landing / "usage" / BATCH,
        "events-2026-11-20.csv.gz",
        EVENTS_HEADER + "e-1,2026-11-20T08:01:13Z,A-001,u-17,login,\n" + f"e-2,{value},A-001,u-17,login,\n",
    )
    batch = only(load_source(con, landing, "usage", now=NOW))
    assert (batch.status, batch.rows_loaded, batch.rows_quarantined) == ("loaded", 1, 1)
    [(_, row_number, reason)] = quarantine(con)
    assert row_number == 2 and f"unparseable timestamp in occurred_at: '{value}'" in reason


@pytest.mark.parametrize("value", ["infinity", "2027-1-05", "12027-01-05", "2027-01-05T00:00:00Z"])
def test_non_iso_dates_are_quarantined(landing, con, value):
    batch_dir = landing / "billing" / BATCH
    text = (batch_dir / "subscriptions.csv").read_text()
    header, first, *others = text.splitlines()
    fields = first.split(",")
    column = header.split(",").index("current_term_end")
    fields[column] = value
    write_csv(batch_dir, "subscriptions.csv", "\n".join([header, ",".join(fields), *others]) + "\n")
    batch = only(load_source(con, landing, "billing", now=NOW))
    assert batch.rows_quarantined == 1
    assert f"unparseable date in current_term_end: '{value}'" in quarantine(con)[0][2]
    assert rows(con, "select count(*) from raw.billing_subscriptions") == [(len(others),)]


@pytest.mark.parametrize(
    ("value", "utc"),
    [
        ("2026-01-10T09:00Z", "2026-01-10 09:00:00"),
        ("2026-01-10T09:00+02:00", "2026-01-10 07:00:00"),
        ("2026-01-10 09:00", "2026-01-10 09:00:00"),
        ("2026-01-10T09:00:00.5+0100", "2026-01-10 08:00:00.5"),
        ("2026-01-10", "2026-01-10 00:00:00"),
    ],
)
def test_iso_timestamps_without_seconds_are_accepted(landing, con, value, utc):
    write_csv(landing / "usage" / BATCH, "events-2026-11-20.csv.gz", EVENTS_HEADER + f"e-1,{value},A-001,u-17,login,\n")
    batch = only(load_source(con, landing, "usage", now=NOW))
    assert (batch.status, batch.rows_quarantined) == ("loaded", 0)
    assert rows(con, "select occurred_at::varchar from raw.usage_events") == [(utc,)]


@pytest.mark.parametrize("ending", ["\r\n\r\n", "\r\n\r\n\r\n", "\n\n", "\r\n \r\n"])
def test_a_file_ending_in_blank_lines_is_accepted(landing, con, ending):
    batch_dir = landing / "crm" / BATCH
    text = (batch_dir / "accounts.csv").read_text().strip().replace("\n", "\r\n")
    (batch_dir / "accounts.csv").write_text(text + ending, newline="")
    batch = only(load_source(con, landing, "crm", now=NOW))
    assert (batch.status, batch.rows_quarantined) == ("loaded", 0), batch.error
    assert rows(con, "select count(*) from raw.crm_accounts") == [(2,)]


@pytest.mark.parametrize("name", ["_reasons", "_record", "_typed__created_at"])
def test_a_header_using_the_loaders_own_column_names_is_rejected(landing, con, name):
    write_csv(
        landing / "crm" / BATCH,
        "accounts.csv",
        ACCOUNTS_HEADER.strip() + f",{name}\nA-001,Acme,SaaS,NA,,,2025-01-10T09:00:00Z,false,x\n",
    )
    batch = only(load_source(con, landing, "crm", now=NOW))
    assert batch.status == "rejected" and f"column name '{name}' is reserved by the loader" in batch.error


@pytest.mark.parametrize("content", [b"", b"\x00\x00\x00", b"\x1f\x8b\x08garbage"])
def test_an_empty_or_binary_csv_file_is_rejected_with_a_clear_error(landing, con, content):
    batch_dir = landing / "crm" / BATCH
    (batch_dir / "tickets.csv").write_bytes(content)
    batch = only(load_source(con, landing, "crm", now=NOW))
    assert batch.status == "rejected" and "file tickets.csv:" in batch.error
    assert rows(con, "select count(*) from raw.crm_accounts") == [(0,)]
