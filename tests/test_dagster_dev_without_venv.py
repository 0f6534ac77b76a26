"""`dagster dev` as the README says, with the virtual environment not activated: the code
location loads (dagster-dbt's dev-time `dbt parse` runs the dbt beside the interpreter) and the
dbt resource runs a dbt command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def _env() -> dict[str, str]:
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != str(VENV_BIN))
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return env | {"PATH": path, "DAGSTER_IS_DEV_CLI": "1"}  # what `dagster dev` sets for its code server


def test_the_path_has_no_dbt():
    assert subprocess.run(["sh", "-c", "command -v dbt"], env=_env(), capture_output=True).returncode != 0


def test_the_code_location_loads_under_dagster_dev_without_the_venv_on_path():
    completed = subprocess.run(
        [str(VENV_BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-3000:]
    assert "not found on PATH" not in completed.stderr


def test_the_dbt_resource_runs_dbt_without_the_venv_on_path(tmp_path):
    script = (
        "from pathlib import Path\n"
        "from dagster_project.resources import dbt_resource\n"
        "invocation = dbt_resource().cli(['ls', '--select', 'dim_accounts', '--output', 'name'],"
        f" target_path=Path({str(tmp_path)!r}))\n"
        "invocation.wait()\n"
        "print('exit', invocation.process.returncode)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd="/", env=_env(), capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "exit 0" in completed.stdout
