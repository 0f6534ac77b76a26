"""The benchmark's landing directories: the preset's book, and the next day's deliveries.

The generated book is reused between invocations only when ``--keep`` asked for it and the
marker written after a complete generation records the same preset.

The next day's landing does not copy the book: it links every batch of the book and adds
what arrives the next morning: one day of usage (``add_usage_day``) and the daily CRM and
billing snapshots. The snapshots are the book's own, re-delivered under the next day's
extraction time: without them the run would fail the blocking 24 h freshness gate on CRM
and billing (as a real day without snapshots should) and measure nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from .presets import END_DATE, Preset

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_MARKER = "_benchmark.json"  # written last: the landing is complete for this preset
GENERATOR_MARKER = "_generator.json"  # the generator's own record of the book's arguments
SNAPSHOT_SOURCES = ("crm", "billing")
SNAPSHOT_DELAY = timedelta(minutes=30)  # snapshots are extracted at 00:30Z (as the generator does)


@dataclass(frozen=True)
class Landing:
    """A generated landing directory and how long generating it took (0 when reused)."""

    path: Path
    generated_s: float
    reused: bool


def _marker(preset: Preset) -> dict[str, object]:
    return {**preset.as_dict(), "end_date": END_DATE.isoformat()}


def is_complete(path: Path, preset: Preset) -> bool:
    """Whether ``path`` holds a finished generation of exactly this preset."""
    marker = path / BENCH_MARKER
    return marker.is_file() and json.loads(marker.read_text(encoding="utf-8")) == _marker(preset)


def generate(path: Path, preset: Preset, reuse: bool) -> Landing:
    """Generate the preset's book into ``path`` (or reuse a complete one when ``reuse``)."""
    if reuse and is_complete(path, preset):
        return Landing(path, 0.0, reused=True)
    from dagster_project.sample_data.generator import generate_landing

    shutil.rmtree(path, ignore_errors=True)
    started = time.perf_counter()
    generate_landing(path, **preset.generator_arguments())
    elapsed = time.perf_counter() - started
    (path / BENCH_MARKER).write_text(json.dumps(_marker(preset)), encoding="utf-8")
    return Landing(path, elapsed, reused=False)


def _hard_link(source: Path, target: Path) -> None:
    """``target`` as a hard link of ``source`` (a regular file, as the extract contract requires
    of landing files: symbolic links are rejected), or a copy across file systems."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _link_batches(book: Path, out: Path) -> None:
    """Every batch folder of the book, its files hard-linked (not copied) into ``out``."""
    for source_dir in sorted(p for p in book.iterdir() if p.is_dir()):
        (out / source_dir.name).mkdir(parents=True, exist_ok=True)
        for batch in sorted(p for p in source_dir.iterdir() if p.is_dir()):
            linked = out / source_dir.name / batch.name
            linked.mkdir()
            for file in sorted(batch.iterdir()):
                _hard_link(file, linked / file.name)


def _latest_batch(source_dir: Path) -> Path:
    return max((p for p in source_dir.iterdir() if p.is_dir()), key=lambda p: p.name)


def redeliver_snapshot(out: Path, source: str, extracted_at: datetime) -> Path:
    """The source's latest snapshot again, as a new batch extracted at ``extracted_at``."""
    from dagster_project.sample_data.timeutil import batch_id_for, iso_ts

    previous = _latest_batch(out / source).resolve()
    batch = out / source / batch_id_for(extracted_at)
    batch.mkdir()
    manifest = json.loads((previous / "_manifest.json").read_text(encoding="utf-8"))
    for name in manifest["files"]:
        _hard_link(previous / name, batch / name)
    manifest |= {"batch_id": batch.name, "extracted_at": iso_ts(extracted_at)}
    (batch / "_manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return batch


def next_day_landing(book: Path, out: Path, day: date) -> Path:
    """A landing directory holding the book plus the deliveries of the morning of ``day``.

    ``day`` is the new as-of date: its usage lands (``add_usage_day``) and the CRM and billing
    snapshots are re-delivered as extracted at 00:30Z that day.
    """
    from dagster_project.sample_data.generator import add_usage_day

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    _link_batches(book, out)
    shutil.copyfile(book / GENERATOR_MARKER, out / GENERATOR_MARKER)
    add_usage_day(out, day)
    for source in SNAPSHOT_SOURCES:
        redeliver_snapshot(out, source, datetime.combine(day, datetime.min.time()) + SNAPSHOT_DELAY)
    return out


# --------------------------------------------------------------------------- in a child process
# The generator is NumPy/pandas-heavy; running it in a child keeps the harness's own memory
# (part of the measured process tree) as small as before.


def run_in_child(*arguments: str) -> dict[str, object]:
    """Run this module's command line in a child process; returns the JSON it prints."""
    command = [sys.executable, "-m", "benchmarks.landing", *arguments]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=4 * 3600)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def generate_in_child(path: Path, preset: Preset, reuse: bool) -> Landing:
    arguments = ["book", "--preset", preset.name, "--out", str(path)]
    arguments += ["--accounts", str(preset.accounts), "--events-scale", repr(preset.events_scale)]
    arguments += ["--reuse"] if reuse else []
    outcome = run_in_child(*arguments)
    return Landing(path, float(outcome["generated_s"]), bool(outcome["reused"]))


def next_day_landing_in_child(book: Path, out: Path, day: date) -> Path:
    run_in_child("next-day", "--book", str(book), "--out", str(out), "--day", day.isoformat())
    return out


def main() -> None:
    from .presets import PRESETS, with_overrides

    parser = argparse.ArgumentParser(description="Write the benchmark's landing directories.")
    commands = parser.add_subparsers(dest="command", required=True)
    book = commands.add_parser("book", help="generate the preset's book of business")
    book.add_argument("--preset", choices=sorted(PRESETS), required=True)
    book.add_argument("--out", type=Path, required=True)
    book.add_argument("--accounts", type=int, help="override the preset's accounts")
    book.add_argument("--events-scale", type=float, help="override the preset's events_scale")
    book.add_argument("--reuse", action="store_true", help="keep a complete book of the same preset")
    nxt = commands.add_parser("next-day", help="the book plus the next morning's deliveries")
    nxt.add_argument("--book", type=Path, required=True)
    nxt.add_argument("--out", type=Path, required=True)
    nxt.add_argument("--day", type=date.fromisoformat, required=True)
    args = parser.parse_args()
    if args.command == "book":
        preset = with_overrides(PRESETS[args.preset], args.accounts, args.events_scale)
        landing = generate(args.out, preset, args.reuse)
        print(json.dumps({"generated_s": landing.generated_s, "reused": landing.reused}))
    else:
        print(json.dumps({"path": str(next_day_landing(args.book, args.out, args.day))}))


if __name__ == "__main__":
    main()
