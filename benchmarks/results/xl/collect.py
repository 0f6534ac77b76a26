"""The xl figures of 2026-12-04, collected from the benchmark's kept run folders.

`python -m benchmarks --preset xl --repetitions 1 --keep --workdir /work/bench` measured the
full build, the daily run, the nothing-new run and the peak, then stopped: the first floor (the
compiled SQL of a first build in one piece) ran out of memory at 2 GB, so the harness wrote no
JSON. This reads what the runs left (Dagster's step times in job_stats.json, dbt's
run_results.json of every invocation) and the figures the harness logged, into xl-2026-12-04.json.

    .venv/bin/python benchmarks/results/xl/collect.py /work/bench/runs-xl /work/bench/xl.log
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from benchmarks import environment
from benchmarks.harness import PROJECT_ROOT

RAN_AT_COMMIT = "197a7fb"  # the benchmark's code (this script and its docs came after)


def phases(run: Path) -> dict[str, float]:
    stats = json.loads((run / "job_stats.json").read_text())
    totals: dict[str, float] = {}
    for step in stats["steps"]:
        totals[step["phase"]] = round(totals.get(step["phase"], 0.0) + step["seconds"], 1)
    return totals


def invocations(run: Path) -> list[dict]:
    found = []
    for results in sorted((run / "dbt_target").glob("*/run_results.json")):
        data = json.loads(results.read_text())
        slowest = sorted(data["results"], key=lambda r: -r["execution_time"])[:6]
        found.append(
            {
                "folder": results.parent.name,
                "vars": data["args"].get("vars"),
                "elapsed_s": round(data["elapsed_time"], 1),
                "nodes": len(data["results"]),
                "slowest": {r["unique_id"].split(".")[-1]: round(r["execution_time"], 1) for r in slowest},
            }
        )
    return found


def logged(log: str, pattern: str) -> float:
    return float(re.search(pattern, log).group(1).replace(",", ""))


def main(runs: Path, log_path: Path) -> None:
    log = log_path.read_text()
    book = json.loads((runs.parent / "landing-xl" / "_benchmark.json").read_text())
    result = {
        "preset": "xl",
        **book,
        "repetitions": 1,
        "full_build_s": logged(log, r"full run 1/1: ([\d.]+) s"),
        "incremental_s": logged(log, r"incremental run 1/1: ([\d.]+) s"),
        "nothing_new_s": logged(log, r"nothing-new run 1/1: ([\d.]+) s"),
        "peak_rss_mb": logged(log, r"peak RSS of the pipeline's runs: ([\d,]+) MB"),
        "full_build": {"phases_s": phases(runs / "full-0"), "dbt_invocations": invocations(runs / "full-0")},
        "incremental": {
            "phases_s": phases(runs / "incremental-0"),
            "dbt_invocations": invocations(runs / "incremental-0"),
        },
        "bare_duckdb": {
            "error": "Out of Memory Error at memory_limit 2GB in int_health_value_daily "
            "(the compiled SQL of a first build in one piece; int_health_usage_daily built)"
        },
        "bare_duckdb_with_load": {"error": "not run: the harness stops at the first floor's failure"},
        "versions": environment.versions(),
        "machine": environment.machine(),
        "code": {"commit": environment.code_version(PROJECT_ROOT)["commit"], "ran_at": RAN_AT_COMMIT},
        "measured_at": "2026-12-04",
    }
    out = Path(__file__).with_name("xl-2026-12-04.json")
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
