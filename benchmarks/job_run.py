"""Runs the pipeline's job once, in this process, and writes its step timings as JSON.

The harness starts it as ``python -m benchmarks.job_run --job retention_pipeline --out FILE``
with the CS_* environment variables set, so every repetition is a fresh process, exactly as
a scheduled run or ``cs-retention run`` would be: Python start-up, loading the definitions
and the run itself are all in the measured time.

Steps are grouped into phases by what they produce: only asset checks → ``checks``; raw
assets → ``load``; the published warehouse → ``publish``; other serving assets (report, docs,
alerts) → ``serving``; everything else (the dbt models and their tests) → ``dbt``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from dagster_project.process import skip_final_garbage_collection

START = time.perf_counter()

PHASES = ("load", "dbt", "checks", "publish", "serving")


def phase_of(keys: list[str], groups: set[str], has_checks: bool) -> str:
    """The phase of a step from the asset keys and groups it materializes."""
    if not keys and has_checks:
        return "checks"
    if groups == {"raw"}:
        return "load"
    if any("publish" in key for key in keys):
        return "publish"
    if "serving" in groups:
        return "serving"
    return "dbt"


def step_phases(defs: Any) -> dict[str, str]:
    """Op name -> phase for every executable asset (or check) definition."""
    phases: dict[str, str] = {}
    for assets_def in defs.resolve_asset_graph().assets_defs:
        if not assets_def.is_executable:
            continue
        keys = [key.to_user_string() for key in assets_def.keys]
        groups = {group for group in assets_def.group_names_by_key.values() if group}
        phases[assets_def.node_def.name] = phase_of(keys, groups, bool(assets_def.check_keys))
    return phases


def _error_chain(error: Any) -> str:
    """An error's message followed by its causes' (Dagster wraps the user's error in its own)."""
    parts = []
    while error is not None:
        parts.append(error.message.strip())
        error = error.cause
    return " <- ".join(parts)


def failure_messages(result: Any) -> list[str]:
    """The messages of failed steps, with their causes (what a user needs to act)."""
    messages = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.step_failure_data.error
            text = _error_chain(error) if error else event.message
            messages.append(f"{event.step_key}: {text[:3000]}")
    return messages


def run(job_name: str) -> dict[str, Any]:
    """Execute the job with an ephemeral instance; return success, timings and step stats."""
    import dagster as dg

    from dagster_project.definitions_by_day import defs
    from dagster_project.settings import load_settings

    loaded = time.perf_counter()
    instance = dg.DagsterInstance.ephemeral()
    # the dbt assets are partitioned by as-of date: run the partition of CS_AS_OF_DATE (or today)
    as_of = load_settings().as_of_date.isoformat()
    result = defs.resolve_job_def(job_name).execute_in_process(
        instance=instance, partition_key=as_of, raise_on_error=False
    )
    finished = time.perf_counter()
    phases = step_phases(defs)
    steps = [
        {
            "step": stat.step_key,
            "phase": phases.get(stat.step_key, "other"),
            "status": stat.status.value if stat.status else None,
            "seconds": (stat.end_time or 0) - (stat.start_time or 0) if stat.start_time else 0.0,
            "start": stat.start_time,
            "end": stat.end_time,
        }
        for stat in instance.get_run_step_stats(result.run_id)
    ]
    return {
        "job": job_name,
        "run_id": result.run_id,
        "success": result.success,
        "startup_s": loaded - START,
        "execute_s": finished - loaded,
        "steps": steps,
        "failures": failure_messages(result),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--job", default="retention_pipeline")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    outcome = run(args.job)
    skip_final_garbage_collection()  # as `cs-retention run` does once its job is over
    args.out.write_text(json.dumps(outcome, indent=1), encoding="utf-8")
    raise SystemExit(0 if outcome["success"] else 1)


if __name__ == "__main__":
    main()
