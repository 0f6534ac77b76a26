"""A run with nothing new: `cs-retention run` once more after a good run, as a user or a cron
line would, when no batch has landed and no model changed (issue 23's target: under 10 s at every
preset).

The benchmark's runs go through the job itself (benchmarks.job_run), which does not keep the
CLI's record of the last good run; so the record is written here for the kept daily run, with
the CLI's own functions (dagster_project.run_fingerprint), and then the real CLI is timed in a
fresh process. A run that rebuilt instead of saying "nothing new" fails the benchmark: it would
measure something else.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from .pipeline import PROJECT_ROOT, PipelineRunFailed, RunLayout, run_environment

CLI = Path(sys.executable).parent / "cs-retention"
NOTHING_NEW = "nothing new since the last good run"
TIMEOUT_S = 600


def record_good_run(env: dict[str, str]) -> None:
    """What `cs-retention run` records after a good run, for the run the harness made (a child
    process: the fingerprint reads the settings from the run's environment)."""
    script = (
        "from dagster_project.settings import load_settings\n"
        "from dagster_project.run_fingerprint import fingerprint, remember_good_run\n"
        "settings = load_settings()\n"
        "remember_good_run(settings, 'benchmark', fingerprint(settings))\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, check=True, timeout=TIMEOUT_S)


def measure_nothing_new(
    layout: RunLayout, landing: Path, as_of: date, dagster_home: Path, repetitions: int
) -> list[float]:
    """Wall seconds of `repetitions` runs of `cs-retention run` with nothing new in `layout`."""
    env = run_environment(layout, landing, as_of, dagster_home)
    record_good_run(env)
    seconds = []
    for _ in range(repetitions):
        started = time.perf_counter()
        done = subprocess.run(
            [str(CLI), "run"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
        )
        seconds.append(time.perf_counter() - started)
        if done.returncode != 0 or not done.stdout.startswith(NOTHING_NEW):
            raise PipelineRunFailed(
                f"`cs-retention run` with nothing new in {layout.folder} did not stop early "
                f"(exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            )
    return seconds
