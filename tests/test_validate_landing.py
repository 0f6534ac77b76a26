"""`cs-retention validate LANDING`: the loader's verdict per batch, without building and
without touching the warehouse; exit 1 when a batch would be rejected."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from dagster_project.cli import app
from dagster_project.extracts.loader import init_raw_schema
from tests.fixtures import EXAMPLE_LANDING

runner = CliRunner()


def _landing(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    shutil.copytree(EXAMPLE_LANDING, landing)
    return landing


def test_a_valid_landing_says_what_would_load(tmp_path):
    result = runner.invoke(app, ["validate", str(_landing(tmp_path)), "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "crm 2026-11-21T02-00Z: would load 13 rows",
        "billing 2026-11-21T02-00Z: would load 11 rows",
        "usage 2026-11-21T02-00Z: would load 3 rows",
        "3 batches: 0 would be rejected",
    ]
    assert not (tmp_path / "w.duckdb").exists()


def test_bad_rows_are_reported_with_their_reasons_and_a_broken_batch_as_rejected(tmp_path):
    landing = _landing(tmp_path)
    accounts = landing / "crm" / "2026-11-21T02-00Z" / "accounts.csv"
    accounts.write_text(accounts.read_text().replace("2025-01-10T09:00:00Z", "not-a-time"))
    invoices = landing / "billing" / "2026-11-21T02-00Z" / "invoices.csv"
    header, *rows = invoices.read_text().splitlines()
    invoices.write_text(
        "\n".join([",".join(header.split(",")[1:]), *(",".join(r.split(",")[1:]) for r in rows)]) + "\n"
    )

    result = runner.invoke(app, ["validate", str(landing), "--warehouse", str(tmp_path / "w.duckdb")])

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("crm 2026-11-21T02-00Z: would load 12 rows, quarantine 1 (1 × ")
    assert "created_at" in lines[0]
    assert lines[1].startswith(
        "billing 2026-11-21T02-00Z: would be REJECTED: billing batch 2026-11-21T02-00Z, file invoices.csv"
    )
    assert lines[-1] == "3 batches: 1 would be rejected"


def test_batches_the_ledger_holds_are_already_loaded_and_the_warehouse_is_untouched(tmp_path):
    published = tmp_path / "w.duckdb"
    working = tmp_path / "w.building.duckdb"  # the working file keeps the load ledger
    with duckdb.connect(str(working)) as con:
        init_raw_schema(con)
        con.execute(
            "insert into raw.load_batches (source, batch_id, status, processed_at) "
            "values ('crm', '2026-11-21T02-00Z', 'loaded', now())"
        )
    before = hashlib.sha256(working.read_bytes()).hexdigest()
    result = runner.invoke(app, ["validate", str(_landing(tmp_path)), "--warehouse", str(published)])
    assert result.exit_code == 0
    assert "crm 2026-11-21T02-00Z: already loaded (a run skips it)" in result.stdout
    assert hashlib.sha256(working.read_bytes()).hexdigest() == before
    assert not published.exists()


def test_a_landing_that_does_not_exist_is_one_line_and_exit_code_2(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"error: LANDING '{tmp_path / 'nope'}' is not a directory: expected an existing landing folder (crm/, billing/, usage/)"
    )
