"""``python -m benchmarks.table FILE...``: the Markdown table of docs/benchmarks.md from result JSONs.

One row per result file (in the order given), with the headline figures, their ratios and the
split of the full build into phases, so the doc is regenerated, never retyped.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

HEADER = (
    "| preset | accounts | usage events | reps | full build s | incremental s | nothing new s | bare DuckDB s | "
    "bare DuckDB with load s | full / bare | full / bare with load | dbt phase / bare | incremental / full | "
    "peak RSS MB | full build phases s |"
)
NOT_MEASURED = "—"  # a result written before the figure existed (second floor, nothing-new run)


def _phases(result: dict[str, Any]) -> str:
    phases = result["full_build"]["phases_s"]
    return ", ".join(f"{name} {seconds:.0f}" for name, seconds in phases.items() if seconds >= 0.5)


def _optional(value: float | None, form: str) -> str:
    return NOT_MEASURED if value is None else format(value, form)


def preset_label(result: dict[str, Any]) -> str:
    """The preset, and the engine when it is not the default (results before --engine are DuckDB's)."""
    engine = result.get("engine", "duckdb")
    return result["preset"] if engine == "duckdb" else f"{result['preset']} ({engine})"


def row(result: dict[str, Any]) -> str:
    ratios = result["ratios"]
    cells = [
        preset_label(result),
        f"{result['accounts']:,}",
        f"{result['usage_events']:,}",
        str(result["repetitions"]),
        f"{result['full_build_s']:.1f}",
        f"{result['incremental_s']:.1f}",
        _optional(result.get("nothing_new_s"), ".1f"),
        _optional(result.get("bare_duckdb_s"), ".1f"),
        _optional(result.get("bare_duckdb_with_load_s"), ".1f"),
        _optional(ratios.get("full_over_bare_duckdb"), ".2f"),
        _optional(ratios.get("full_over_bare_duckdb_with_load"), ".2f"),
        _optional(ratios.get("dbt_phase_over_bare_duckdb"), ".2f"),
        f"{ratios['incremental_over_full']:.0%}",
        f"{result['peak_rss_mb']:,.0f}",
        _phases(result),
    ]
    return "| " + " | ".join(cells) + " |"


def table(results: list[dict[str, Any]]) -> str:
    separator = "|" + "---|" * HEADER.count(" | ") + "---|"
    return "\n".join([HEADER, separator, *(row(result) for result in results)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.table", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="result JSON files written by python -m benchmarks")
    args = parser.parse_args(argv)
    print(table([json.loads(path.read_text(encoding="utf-8")) for path in args.files]))


if __name__ == "__main__":
    main()
