"""`cs-retention run` on the bundled sample, as a newcomer types it (a subprocess whose PATH has
no virtual environment on it): a calm output, every failed check in the summary, the full log
in a file, and a second run with nothing new in seconds."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures import first_run_environment

CLI = Path(sys.executable).parent / "cs-retention"
AS_OF = "2026-11-20"
ANSI = re.compile(r"\x1b\[")


def _without_venv_on_path() -> str:
    venv_bin = str(Path(sys.executable).parent)
    return os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != venv_bin)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli_run")
    env = first_run_environment(root, drop=("VIRTUAL_ENV",)) | {"PATH": _without_venv_on_path()}
    args = [str(CLI), "run", "--as-of", AS_OF, "--warehouse", str(root / "bi" / "warehouse.duckdb")]
    completed = subprocess.run(args, env=env, cwd="/", capture_output=True, text=True, timeout=900)
    return {"root": root, "env": env, "args": args, "completed": completed}


def test_a_run_prints_one_line_per_step_and_a_short_summary(first_run):
    completed = first_run["completed"]
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    lines = completed.stdout.splitlines()
    assert len(lines) < 40, completed.stdout
    assert completed.stderr == ""
    assert not ANSI.search(completed.stdout)  # not a terminal: no colour codes
    assert re.search(r"^ok +raw_crm +\d+\.\d s  \d+ assets built, [\d,]+ rows$", completed.stdout, re.M)
    assert re.search(r"^ok +dbt_models +\d+\.\d s  \d+ assets built, \d+ checks", completed.stdout, re.M)
    assert re.search(r"^Done in .* \(run [0-9a-f-]{36}\)$", completed.stdout, re.M)


def test_every_failed_warning_check_is_in_the_summary(first_run):
    stdout = first_run["completed"].stdout
    assert re.search(r"^Checks: \d+ failed \(0 blocking, \d+ warning\)$", stdout, re.M)
    # the bundled sample has billing revenue that reaches no CRM account, on purpose
    # (dbt's warn-level test: the one home of that rule, docs/checks.md)
    assert re.search(r"^  WARN +warn_unmapped_mrr_is_zero on marts/rpt_unmapped_mrr: \d+ failing row", stdout, re.M)


def test_the_full_log_is_in_the_file_the_summary_names(first_run):
    [path] = re.findall(r"^Full log: (.+)$", first_run["completed"].stdout, re.M)
    log = Path(path).read_text(encoding="utf-8")
    assert Path(path).parent == first_run["root"] / "bi" / "warehouse-outputs" / "logs"
    assert "STEP_SUCCESS" in log and "dbt_models" in log and len(log.splitlines()) > 200
    assert not ANSI.search(log)
    assert "instead of an `AssetCheckResult`" not in log  # every dbt test is an asset check


def test_a_second_run_with_nothing_new_starts_no_run_and_force_rebuilds(first_run):
    """How long it takes is the benchmark's figure (`nothing_new_s`, docs/benchmarks.md); here:
    that it stops before any run starts (no new run log) and says why."""
    logs = first_run["root"] / "bi" / "warehouse-outputs" / "logs"
    runs_before = sorted(logs.iterdir())
    started = time.monotonic()
    again = subprocess.run(
        first_run["args"], env=first_run["env"], cwd="/", capture_output=True, text=True, timeout=120
    )
    elapsed = time.monotonic() - started
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("nothing new since the last good run")
    assert sorted(logs.iterdir()) == runs_before, "a run with nothing new started a run"
    assert elapsed < 60, elapsed  # a hang guard, not a performance claim
    forced = subprocess.run(
        [*first_run["args"], "--force"], env=first_run["env"], cwd="/", capture_output=True, text=True, timeout=900
    )
    assert forced.returncode == 0, forced.stdout[-3000:]
    assert "dbt_models" in forced.stdout and "nothing new" not in forced.stdout
