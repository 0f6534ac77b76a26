"""A deterministic, realistic book of business written in the landing layout.

``generate_landing`` writes one full CRM snapshot, one full billing snapshot and one
incremental usage batch per calendar month of history; ``add_usage_day`` later appends the
next day's usage batch of the same book (for benchmarks and incremental-load tests).

Same arguments, same bytes: every random draw comes from a generator seeded by the arguments
(see :func:`book.stream`), and the only clock read is the CLI's default end date.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from .billing import billing_tables
from .book import build_book
from .crm import crm_tables
from .landing import EventWriter, write_event_batch, write_snapshot
from .model import Book, Window
from .timeutil import add_months, day_number, next_month_start
from .usage import day_state, month_days, redeliveries, simulate_month

SNAPSHOT_TIME = timedelta(minutes=30)  # CRM/billing extracts run at 00:30Z on end_date
DELIVERY_TIME = timedelta(hours=2)  # a period's usage batch lands at 02:00Z the day after it
LATE_SHARE = 0.001  # events of a batch's last two days that only arrive with the next batch
DUPLICATE_SHARE = 0.0005  # events re-sent in the next batch
LATE_TAIL_SECONDS = 2 * 86400
MARKER = "_generator.json"  # the arguments of the book, so add_usage_day can continue it


@dataclass(frozen=True)
class GenerationSummary:
    """What was written: rows per file (``source/batch_id/file``), batch ids per source."""

    out_dir: Path
    end_date: date
    seed: int
    accounts: int
    batches: dict[str, tuple[str, ...]]
    rows: dict[str, int]
    seconds: float

    def rows_of(self, source: str, stem: str) -> int:
        """Rows of one entity summed over the source's batches, e.g. ``rows_of("usage", "events")``."""
        return sum(
            n for key, n in self.rows.items() if key.startswith(f"{source}/") and key.split("/")[-1].startswith(stem)
        )

    @property
    def usage_events(self) -> int:
        return self.rows_of("usage", "events")

    @property
    def batch_dirs(self) -> tuple[Path, ...]:
        return tuple(self.out_dir / source / b for source, ids in self.batches.items() for b in ids)

    def __str__(self) -> str:
        return (
            f"{self.accounts} accounts, {self.rows_of('crm', 'contacts')} contacts, "
            f"{self.rows_of('billing', 'subscriptions')} subscriptions, {self.rows_of('billing', 'invoices')} "
            f"invoices, {self.usage_events} usage events in {len(self.batches['usage'])} batches "
            f"through {self.end_date} -> {self.out_dir} ({self.seconds:.1f}s)"
        )


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def usage_schedule(window: Window) -> list[tuple[date, datetime]]:
    """(month, extracted_at) of each monthly usage batch, oldest first.

    A month's batch lands at 02:00Z on the next month's first day; the last (current) month's
    batch is extracted with the snapshots, so no batch is extracted after ``end_date`` began
    and the batches still sort in time order when ``end_date`` is a first of the month.
    """
    snapshot = _midnight(window.end_date) + SNAPSHOT_TIME
    out = []
    for i in range(window.months):
        month = add_months(window.history_start, i)
        if i == window.months - 1:
            out.append((month.date(), snapshot))
        else:
            out.append((month.date(), min(next_month_start(month) + DELIVERY_TIME, _midnight(window.end_date))))
    return out


def write_usage_history(out_dir: Path, book: Book, events_scale: float) -> dict[str, int]:
    """One incremental batch per month; a few events arrive late or twice in the next batch."""
    cutoff_ts = day_number(book.window.cutoff) * 86400
    schedule = usage_schedule(book.window)
    first_day = month_days(schedule[0][0])[0]
    last_first, last_n = month_days(schedule[-1][0])
    state = day_state(book, first_day, last_first + last_n - first_day)
    writer = EventWriter(book)
    rows: dict[str, int] = {}
    carried: list[pd.DataFrame] = []
    try:
        for i, (month, extracted_at) in enumerate(schedule):
            events = simulate_month(book, month, events_scale, state)
            events = events[events["ts"] < cutoff_ts]
            if i < len(schedule) - 1:
                key = month.year * 100 + month.month
                kept, late, duplicates = redeliveries(
                    events,
                    book.seed,
                    key,
                    late_share=LATE_SHARE,
                    duplicate_share=DUPLICATE_SHARE,
                    tail_seconds=LATE_TAIL_SECONDS,
                )
            else:
                kept, late, duplicates = events, events.iloc[0:0], events.iloc[0:0]
            batch = pd.concat([kept, *carried], ignore_index=True)
            rows |= write_event_batch(writer, out_dir, extracted_at, f"events-{month:%Y-%m}.csv.gz", batch)
            carried = [late, duplicates]
    finally:
        writer.close()
    return rows


def generate_landing(
    out_dir: Path,
    *,
    accounts: int = 200,
    months: int = 24,
    end_date: date,
    seed: int = 42,
    events_scale: float = 1.0,
) -> GenerationSummary:
    """Write a realistic book of ``accounts`` accounts with ``months`` months of history.

    Batches already in ``out_dir`` with the same batch ids are replaced; others are left alone.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    book = build_book(accounts, months, end_date, seed)
    snapshot_at = _midnight(end_date) + SNAPSHOT_TIME
    rows = write_snapshot(out_dir, "crm", snapshot_at, crm_tables(book))
    rows |= write_snapshot(out_dir, "billing", snapshot_at, billing_tables(book))
    rows |= write_usage_history(out_dir, book, events_scale)
    marker = {
        "accounts": accounts,
        "months": months,
        "end_date": end_date.isoformat(),
        "seed": seed,
        "events_scale": events_scale,
    }
    (out_dir / MARKER).write_text(json.dumps(marker, indent=1), encoding="utf-8")
    batches: dict[str, tuple[str, ...]] = {}
    for key in rows:
        source, batch_id, _ = key.split("/")
        if batch_id not in batches.setdefault(source, ()):
            batches[source] += (batch_id,)
    return GenerationSummary(out_dir, end_date, seed, accounts, batches, rows, time.perf_counter() - started)


def _book_arguments(out_dir: Path, day: date, given: dict[str, object]) -> dict[str, object]:
    """Arguments not given are those ``generate_landing`` recorded in ``out_dir`` (or defaults)."""
    marker = out_dir / MARKER
    recorded = json.loads(marker.read_text(encoding="utf-8")) if marker.is_file() else {}
    defaults = {
        "accounts": 200,
        "months": 24,
        "end_date": (day - timedelta(days=1)).isoformat(),
        "seed": 42,
        "events_scale": 1.0,
    }
    merged = {k: given[k] if given[k] is not None else recorded.get(k, defaults[k]) for k in defaults}
    if isinstance(merged["end_date"], str):
        merged["end_date"] = date.fromisoformat(merged["end_date"])
    return merged


def add_usage_day(
    out_dir: Path,
    day: date,
    *,
    accounts: int | None = None,
    months: int | None = None,
    end_date: date | None = None,
    seed: int | None = None,
    events_scale: float | None = None,
) -> Path:
    """Write one incremental usage batch with the events of ``day`` (the next day's usage lands).

    The book is the one ``generate_landing`` wrote into ``out_dir`` (its arguments are read from
    ``_generator.json``; pass them to override). The batch is ``<day+1>T02-00Z`` with
    ``events-<day>.csv.gz``; like a real connector it re-sends a few of the previous day's
    events. Returns the batch folder.
    """
    out_dir = Path(out_dir)
    args = _book_arguments(
        out_dir,
        day,
        {"accounts": accounts, "months": months, "end_date": end_date, "seed": seed, "events_scale": events_scale},
    )
    book = build_book(int(args["accounts"]), int(args["months"]), args["end_date"], int(args["seed"]))
    scale = float(args["events_scale"])
    today = _events_of_day(book, day, scale)
    yesterday = _events_of_day(book, day - timedelta(days=1), scale)
    _, _, resent = redeliveries(
        yesterday,
        book.seed,
        10**7 + day_number(day),
        late_share=0.0,
        duplicate_share=DUPLICATE_SHARE * 2,
        tail_seconds=86400,
    )
    extracted_at = _midnight(day + timedelta(days=1)) + DELIVERY_TIME
    writer = EventWriter(book)
    try:
        rows = write_event_batch(
            writer, out_dir, extracted_at, f"events-{day.isoformat()}.csv.gz", pd.concat([today, resent])
        )
    finally:
        writer.close()
    return out_dir / next(iter(rows)).rsplit("/", 1)[0]


def _events_of_day(book: Book, day: date, scale: float) -> pd.DataFrame:
    events = simulate_month(book, day, scale)
    start = day_number(day) * 86400
    return events[(events["ts"] >= start) & (events["ts"] < start + 86400)]
