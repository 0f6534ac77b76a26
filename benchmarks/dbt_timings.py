"""Where dbt's time goes: per-node timings from ``run_results.json``."""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from pathlib import Path


def node_seconds(run_results: Path) -> dict[str, float]:
    """unique_id -> execution seconds of every node a dbt invocation ran."""
    data = json.loads(run_results.read_text(encoding="utf-8"))
    return {result["unique_id"]: float(result.get("execution_time") or 0.0) for result in data["results"]}


def elapsed_seconds(run_results: Path) -> float:
    """Wall seconds of the whole dbt invocation (parsing, connecting, running every node)."""
    return float(json.loads(run_results.read_text(encoding="utf-8")).get("elapsed_time") or 0.0)


def merge_runs(runs: Iterable[dict[str, float]]) -> dict[str, float]:
    """The median seconds of each node over several runs (a node missing from a run is skipped)."""
    samples: dict[str, list[float]] = {}
    for run in runs:
        for node, seconds in run.items():
            samples.setdefault(node, []).append(seconds)
    return {node: statistics.median(values) for node, values in samples.items()}


def seconds_by_type(nodes: dict[str, float]) -> dict[str, float]:
    """Summed execution seconds per resource type (model, test, seed, …).

    dbt runs ``threads`` nodes at a time, so these sums can exceed the step's wall time.
    """
    totals: dict[str, float] = {}
    for node, seconds in nodes.items():
        kind = node.split(".", 1)[0]
        totals[kind] = totals.get(kind, 0.0) + seconds
    return totals


def slowest_models(
    dbt_seconds: dict[str, float], bare_seconds: dict[str, float], limit: int = 10
) -> list[dict[str, object]]:
    """The models dbt spent longest on, with the same model's time on the bare DuckDB floor."""
    models = {node: s for node, s in dbt_seconds.items() if node.startswith("model.")}
    ranked = sorted(models.items(), key=lambda item: item[1], reverse=True)[:limit]
    return [
        {
            "model": node.rsplit(".", 1)[-1],
            "dbt_s": round(seconds, 3),
            "bare_duckdb_s": round(bare_seconds[node], 3) if node in bare_seconds else None,
        }
        for node, seconds in ranked
    ]
