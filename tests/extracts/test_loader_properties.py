"""Property-based tests of the loader (hypothesis): random valid rows mixed with random
corruptions, written as real CSV files (LF or CRLF, quoted or not, plain or gzip) and loaded by
the real loader into a real DuckDB.

Invariants, for every generated batch:
- rows loaded + rows quarantined = rows delivered (the manifest's count), and the ledger agrees;
- every quarantined row has a reason, and the quarantined rows are exactly the corrupted ones;
- every valid row is loaded, unaltered (typed values equal what was written).

Bounded for CI: a fixed number of examples per property, no per-example deadline.
"""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.extracts.loader import load_source
from tests.fixtures import EXAMPLE_LANDING

BATCH = "2026-11-21T02-00Z"
NOW = datetime(2026, 11, 22, 3, 0)
PROFILE = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

# text that CSV must carry intact: separators, quotes, newlines, non-ASCII
TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ019-_.@") + [",", '"', "\n", "é", "数", "'", ";"]), min_size=1, max_size=12
).filter(lambda s: s.strip() == s and s.strip())


@dataclass(frozen=True)
class Row:
    cells: list[str] | None  # None: a malformed line (written as too few fields)
    expected: tuple | None  # typed values the raw table must hold; None when the row is bad


def _timestamp_text(moment: datetime, style: int, offset_minutes: int) -> tuple[str, datetime]:
    """An ISO-8601 text for ``moment`` (UTC) in one of the accepted forms, and its UTC value."""
    local = moment.astimezone(timezone(timedelta(minutes=offset_minutes)))
    suffix = "Z" if offset_minutes == 0 else local.strftime("%z")
    suffix = suffix if style % 2 else (suffix if suffix == "Z" else suffix[:3] + ":" + suffix[3:])
    if style < 2:  # seconds
        text = local.strftime("%Y-%m-%dT%H:%M:%S") + suffix
        value = moment.replace(microsecond=0)
    elif style < 4:  # no seconds (2026-01-10T09:00Z)
        text = local.strftime("%Y-%m-%dT%H:%M") + suffix
        value = moment.replace(second=0, microsecond=0)
    else:  # space separator, microseconds, no offset (= UTC)
        text = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
        value = moment
    if style >= 4:
        return text, value.replace(tzinfo=None)
    return text, value.astimezone(UTC).replace(tzinfo=None)


MOMENTS = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)
BAD_TIMESTAMPS = st.sampled_from(
    [
        "infinity",
        "epoch",
        "yesterday",
        "12345-01-10T09:00:00Z",
        "2026-1-10T09:00:00Z",
        "2026-02-30T00:00:00Z",
        "2026-01-10T25:00:00Z",
        "2026-01-10T09:00:00 UTC",
        "10/01/2026",
        "2026-01-10T09Z",
    ]
)


@st.composite
def event_rows(draw) -> list[Row]:
    count = draw(st.integers(min_value=0, max_value=40))
    rows: list[Row] = []
    for index in range(count):
        event_id = f"e-{index}"
        moment = draw(MOMENTS)
        text, value = _timestamp_text(moment, draw(st.integers(0, 4)), draw(st.sampled_from([0, 60, -300, 330])))
        account, user, name = draw(TEXT), draw(TEXT), draw(TEXT)
        feature = draw(st.one_of(st.none(), TEXT))
        cells = [event_id, text, account, user, name, feature or ""]
        corruption = draw(st.sampled_from(["none"] * 4 + ["timestamp", "missing", "malformed"]))
        if corruption == "none":
            expected = (event_id, value, account, user, name, feature)
            rows.append(Row(cells, expected))
        elif corruption == "timestamp":
            rows.append(Row([*cells[:1], draw(BAD_TIMESTAMPS), *cells[2:]], None))
        elif corruption == "missing":
            column = draw(st.sampled_from([0, 1, 2, 3, 4]))
            rows.append(Row([c if i != column else "" for i, c in enumerate(cells)], None))
        else:
            rows.append(Row(None, None))
    return rows


def _field(cell: str, quote_all: bool) -> str:
    """RFC 4180: quote when needed (or always); an empty cell stays empty: a missing value."""
    if cell == "":
        return ""
    if quote_all or any(c in cell for c in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _write(path: Path, header: list[str], rows: list[Row], crlf: bool, quote_all: bool, gz: bool) -> None:
    end = "\r\n" if crlf else "\n"
    lines = [",".join(header)]
    for row in rows:
        lines.append("broken,line" if row.cells is None else ",".join(_field(c, quote_all) for c in row.cells))
    data = (end.join(lines) + end).encode()
    path.write_bytes(gzip.compress(data) if gz else data)


def _usage_landing(root: Path, rows: list[Row], crlf: bool, quote_all: bool, gz: bool) -> Path:
    landing = root / "landing"
    batch = landing / "usage" / BATCH
    batch.mkdir(parents=True)
    name = "events-h.csv.gz" if gz else "events-h.csv"
    _write(
        batch / name,
        ["event_id", "occurred_at", "account_id", "user_id", "event_name", "feature"],
        rows,
        crlf,
        quote_all,
        gz,
    )
    manifest = {
        "source": "usage",
        "batch_id": BATCH,
        "extracted_at": "2026-11-21T02:00:00Z",
        "files": {name: {"rows": len(rows)}},
    }
    (batch / "_manifest.json").write_text(json.dumps(manifest))
    return landing


def _check_invariants(con, result, rows: list[Row], table: str, select: str) -> None:
    [batch] = result.batches
    assert batch.status == "loaded", batch.error
    assert batch.rows_loaded + batch.rows_quarantined == batch.rows_in_manifest == len(rows)
    ledger = con.execute("select rows_loaded, rows_quarantined from raw.load_batches").fetchone()
    assert ledger == (batch.rows_loaded, batch.rows_quarantined)
    quarantined = con.execute("select row_number, reason from raw.quarantine order by row_number").fetchall()
    assert all(reason and reason.strip() for _, reason in quarantined)
    expected_bad = [i + 1 for i, r in enumerate(rows) if r.expected is None]
    assert [n for n, _ in quarantined] == expected_bad
    loaded = con.execute(f"select {select} from raw.{table} order by _row_number").fetchall()
    assert loaded == [r.expected for r in rows if r.expected is not None]


@PROFILE
@given(rows=event_rows(), crlf=st.booleans(), quote_all=st.booleans(), gz=st.booleans())
def test_usage_batches_keep_every_valid_row_and_quarantine_every_bad_one(rows, crlf, quote_all, gz):
    with tempfile.TemporaryDirectory() as tmp, duckdb.connect() as con:
        landing = _usage_landing(Path(tmp), rows, crlf, quote_all, gz)
        result = load_source(con, landing, "usage", now=NOW)
        _check_invariants(
            con, result, rows, "usage_events", "event_id, occurred_at, account_id, user_id, event_name, feature"
        )


# --------------------------------------------------------------------------- a snapshot with keys and numbers

ITEM_HEADER = [
    "item_id",
    "subscription_id",
    "product",
    "quantity",
    "unit_price",
    "currency",
    "billing_interval_months",
    "discount_pct",
    "valid_from",
    "valid_to",
]
PRICES = st.decimals(min_value=0, max_value=Decimal("99999999999999"), places=4, allow_nan=False, allow_infinity=False)
BAD_NUMBERS = st.sampled_from(
    [
        ("quantity", "99999999999999999999"),
        ("quantity", "-3"),
        ("quantity", "1.5"),
        ("quantity", "0x10"),
        ("unit_price", "0.00001"),
        ("unit_price", "12.34567"),
        ("unit_price", "1e20"),
        ("unit_price", "-1"),
        ("unit_price", "NaN"),
        ("unit_price", "1,000.00"),
        ("billing_interval_months", "0"),
        ("discount_pct", "150"),
        ("valid_from", "2026-13-01T00:00:00Z"),
    ]
)


@st.composite
def item_rows(draw) -> list[Row]:
    count = draw(st.integers(min_value=0, max_value=30))
    keys = [f"si_{draw(st.integers(0, max(count - 1, 0)))}" for _ in range(count)]  # repeats on purpose
    rows: list[Row] = []
    seen: set[str] = set()
    for key in keys:
        quantity = draw(st.integers(0, 10**12))
        price = draw(PRICES)
        interval = draw(st.sampled_from([1, 3, 12, 24]))
        discount = draw(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False))
        moment = draw(MOMENTS)
        valid_from, valid_value = _timestamp_text(moment, draw(st.integers(0, 4)), 0)
        price_text = draw(st.sampled_from(["plain", "zeros", "exp"]))
        price_written = {"plain": f"{price}", "zeros": f"{price}000", "exp": f"{price.normalize():E}"}[price_text]
        cells = [
            key,
            "sub_1",
            draw(TEXT),
            str(quantity),
            price_written,
            "USD",
            str(interval),
            str(discount),
            valid_from,
            "",
        ]
        if draw(st.integers(0, 4)) == 0:
            column, bad = draw(BAD_NUMBERS)
            cells[ITEM_HEADER.index(column)] = bad
            rows.append(Row(cells, None))
        elif key in seen:  # a duplicate key in the snapshot: quarantined, the first valid row kept
            rows.append(Row(cells, None))
        else:
            seen.add(key)
            rows.append(Row(cells, (key, quantity, price, discount, valid_value)))
    return rows


@PROFILE
@given(rows=item_rows(), crlf=st.booleans(), quote_all=st.booleans())
def test_snapshot_files_keep_every_valid_row_and_quarantine_bad_values_and_duplicate_keys(rows, crlf, quote_all):
    with tempfile.TemporaryDirectory() as tmp, duckdb.connect() as con:
        landing = Path(tmp) / "landing"
        shutil.copytree(EXAMPLE_LANDING / "billing", landing / "billing")
        batch = landing / "billing" / BATCH
        _write(batch / "subscription_items.csv", ITEM_HEADER, rows, crlf, quote_all, gz=False)
        manifest = json.loads((batch / "_manifest.json").read_text())
        manifest["files"]["subscription_items.csv"] = {"rows": len(rows)}
        (batch / "_manifest.json").write_text(json.dumps(manifest))
        result = load_source(con, landing, "billing", now=NOW)
        [batch_result] = result.batches
        assert batch_result.status == "loaded", batch_result.error
        others = batch_result.rows_in_manifest - len(rows)  # the example's other billing files, all valid
        assert batch_result.rows_loaded + batch_result.rows_quarantined == batch_result.rows_in_manifest
        quarantined = con.execute(
            "select row_number, reason from raw.quarantine where file = 'subscription_items.csv' order by 1"
        ).fetchall()
        assert all(reason for _, reason in quarantined)
        assert [n for n, _ in quarantined] == [i + 1 for i, r in enumerate(rows) if r.expected is None]
        assert batch_result.rows_quarantined == len(quarantined)
        assert batch_result.rows_loaded == others + sum(r.expected is not None for r in rows)
        loaded = con.execute(
            "select item_id, quantity, unit_price, discount_pct, valid_from from raw.billing_subscription_items "
            "order by _row_number"
        ).fetchall()
        assert loaded == [r.expected for r in rows if r.expected is not None]
