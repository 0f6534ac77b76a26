"""The second floor's loading (benchmarks/bare_load.py) at a tiny size: DuckDB's CSV reader alone
gives the compiled SQL the raw tables the pipeline's loader gives it (same rows, same types,
usage events de-duplicated on event_id the loader's way). That the floor then builds the
pipeline's marts from them is the benchmark smoke test's (test_benchmark_smoke.py)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from benchmarks.bare_load import landed_batches, load_landing
from dagster_project.extracts.loader import load_source
from dagster_project.extracts.spec import SOURCES
from dagster_project.sample_data.generator import generate_landing
from dagster_project.warehouse_sql import quote_ident, quote_literal

END = date(2026, 11, 20)
LEDGER = "source, batch_id, extracted_at, mode, status, rows_in_manifest, rows_loaded, rows_quarantined, rows_new"


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bare-load") / "landing"
    generate_landing(out, accounts=15, months=3, end_date=END)
    return out


@pytest.fixture(scope="module")
def both(landing: Path, tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """One connection with the loader's raw tables attached as ``loader`` and the floor's as ``floor``."""
    folder = tmp_path_factory.mktemp("bare-load-warehouses")
    with duckdb.connect(str(folder / "loader.duckdb")) as con:
        for source in SOURCES:
            load_source(con, landing, source)
    with duckdb.connect(str(folder / "floor.duckdb")) as con:
        con.execute("set TimeZone = 'UTC'")
        load_landing(con, landing)
    con = duckdb.connect()
    for name in ("loader", "floor"):
        con.execute(f"attach {quote_literal(str(folder / f'{name}.duckdb'))} as {name} (read_only)")
    yield con
    con.close()


def _difference(con: duckdb.DuckDBPyConnection, table: str, columns: str) -> tuple[int, int]:
    one, other = (f"select {columns} from {catalog}.raw.{table}" for catalog in ("loader", "floor"))
    only_loader = con.execute(f"select count(*) from ({one} except all {other})").fetchone()[0]
    only_floor = con.execute(f"select count(*) from ({other} except all {one})").fetchone()[0]
    return only_loader, only_floor


@pytest.mark.parametrize("entity", [e for s in SOURCES.values() for e in s.entities], ids=lambda e: e.table)
def test_every_raw_table_has_the_loaders_rows_and_types(both, entity):
    columns = ", ".join(quote_ident(c.name) for c in entity.columns) + ", _batch_id, _extracted_at, _source_file"
    assert _difference(both, entity.table, columns) == (0, 0)
    types = (
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = 'raw' and table_name = ? and column_name not like '\\_%' escape '\\'"
    )
    loader_types = both.execute(types, ["loader", entity.table]).fetchall()
    assert loader_types and sorted(loader_types) == sorted(both.execute(types, ["floor", entity.table]).fetchall())


def test_usage_events_are_deduplicated_on_event_id_as_the_loader_does(both, landing):
    delivered = sum(sum(batch.files.values()) for batch in landed_batches(landing, "usage"))
    kept = both.execute("select count(*), count(distinct event_id) from floor.raw.usage_events").fetchone()
    assert kept[0] == kept[1], "an event_id is there twice"
    assert delivered > kept[0], "the generated book re-sends events: nothing was de-duplicated"
    assert kept[0] == both.execute("select count(*) from loader.raw.usage_events").fetchone()[0]


def test_the_ledger_has_one_loaded_row_per_batch_as_the_loader_records_it(both):
    assert both.execute("select count(*) from floor.raw.load_batches").fetchone()[0] > 3
    assert _difference(both, "load_batches", LEDGER) == (0, 0)


def test_only_the_latest_snapshot_is_the_state(landing, tmp_path):
    copy = tmp_path / "landing"
    shutil.copytree(landing, copy)
    (older,) = [b for b in landed_batches(copy, "crm")]
    earlier = copy / "crm" / "0000-earlier"
    shutil.copytree(older.folder, earlier)
    manifest = json.loads((earlier / "_manifest.json").read_text())
    manifest |= {"batch_id": "0000-earlier", "extracted_at": "2026-01-01T00:00:00Z"}
    (earlier / "_manifest.json").write_text(json.dumps(manifest))
    (earlier / "accounts.csv").write_text((earlier / "accounts.csv").read_text().splitlines()[0] + "\n")
    manifest["files"]["accounts.csv"]["rows"] = 0
    (earlier / "_manifest.json").write_text(json.dumps(manifest))
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        counts = load_landing(con, copy)
        batches = con.execute("select batch_id from raw.load_batches where source = 'crm' order by 1").fetchall()
    assert counts["crm_accounts"] == 15, "the older, emptier snapshot replaced the latest"
    assert batches == [("0000-earlier",), (older.batch_id,)]


def test_a_parquet_file_is_refused_with_the_batch_named(landing, tmp_path):
    copy = tmp_path / "landing"
    shutil.copytree(landing, copy)
    (batch,) = landed_batches(copy, "billing")
    manifest = json.loads((batch.folder / "_manifest.json").read_text())
    manifest["files"]["fx_rates.parquet"] = manifest["files"].pop("fx_rates.csv")
    (batch.folder / "_manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match=r"CSV files only, not \['fx_rates.parquet'\]"):
        landed_batches(copy, "billing")
