"""``python -m benchmarks --preset small|medium|large|xl --out FILE``: run the benchmark, write JSON.

``--engine spark`` measures the pipeline's runs on Spark (CS_ENGINE=spark; docs/scaling.md).
Prints progress to stderr and a one-line summary to stdout. ``--workdir`` holds the generated
book and the runs (default: a temporary directory, removed afterwards); ``--keep`` keeps them
and reuses a book already generated there for the same preset.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from dagster_project.settings import ENGINES

from .harness import Workspace, run_benchmark, summary_line
from .presets import PRESETS, PUBLIC_PRESETS, with_overrides


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--preset", choices=sorted(PRESETS), metavar="|".join(PUBLIC_PRESETS), required=True, help="the scale"
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="duckdb",
        help="CS_ENGINE of the measured runs (the bare floors are DuckDB's either way)",
    )
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON result")
    parser.add_argument("--repetitions", type=int, default=3, help="runs of each measurement (median reported)")
    parser.add_argument("--workdir", type=Path, help="folder for the data and runs (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the data and runs; reuse a book already there")
    scaling = parser.add_argument_group("scaling studies (override the preset)")
    scaling.add_argument("--accounts", type=int, help="accounts in the book")
    scaling.add_argument("--events-scale", type=float, help="the generator's events_scale (events per active user)")
    args = parser.parse_args(argv)
    if args.repetitions < 1:
        parser.error("--repetitions must be at least 1")
    return args


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _clean_up(ws: Workspace, temporary: bool) -> None:
    """Remove what this invocation wrote (the whole folder when it was a temporary one)."""
    if temporary:
        shutil.rmtree(ws.root, ignore_errors=True)
        return
    for folder in (ws.book, ws.next_day, ws.runs):
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    temporary = args.workdir is None
    root = Path(tempfile.mkdtemp(prefix="cs-benchmark-")) if temporary else args.workdir.resolve()
    root.mkdir(parents=True, exist_ok=True)
    ws = Workspace(root, with_overrides(PRESETS[args.preset], args.accounts, args.events_scale), args.engine)
    try:
        result = run_benchmark(ws, args.repetitions, args.keep, progress)
    finally:
        if not args.keep:
            _clean_up(ws, temporary)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(summary_line(result))


if __name__ == "__main__":
    main()
