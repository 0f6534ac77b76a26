"""Fault tests: the run is killed (SIGKILL) while loading, while checking and while
publishing. Each time the published warehouse stays byte-identical, and the next run publishes
the same marts and ledger as a run that was never interrupted.

Slow (a dbt build per run): one small generated landing, one base run, one reference run, and
per stage one killed run and one re-run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.sample_data.generator import generate_landing
from tests.test_determinism import mart_differences

AS_OF = date(2026, 11, 20)
ROOT = Path(__file__).resolve().parents[2]


def _env(landing: Path, root: Path) -> dict[str, str]:
    (root / "dagster_home").mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "CS_LANDING_DIR": str(landing),
        "CS_WAREHOUSE_PATH": str(root / "bi" / "warehouse.duckdb"),
        "CS_AS_OF_DATE": AS_OF.isoformat(),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "DBT_TARGET_PATH": str(root / "dbt_target"),
    }


def _run(landing: Path, root: Path, stage: str = "none") -> int:
    completed = subprocess.run(
        [sys.executable, "-m", "tests.faults.fault_runner", stage],
        env=_env(landing, root),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if stage == "none":
        assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.returncode


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ledger(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select source, batch_id, status, rows_in_manifest, rows_loaded, rows_quarantined, rows_new "
            "from raw.load_batches order by all"
        ).fetchall()


def _add_usage_batch(landing: Path) -> None:
    batch = landing / "usage" / "fault-test-batch"
    batch.mkdir()
    (batch / "events-fault.csv").write_text(
        "event_id,occurred_at,account_id,user_id,event_name,feature\n"
        "fault-1,2026-11-20T09:00:00Z,A-0001,u-1,login,\n"
        "fault-2,2026-11-20T10:00:00Z,A-0001,u-1,login,\n"
    )
    manifest = {
        "source": "usage",
        "batch_id": "fault-test-batch",
        "extracted_at": "2026-11-20T12:00:00Z",
        "files": {"events-fault.csv": {"rows": 2}},
    }
    (batch / "_manifest.json").write_text(json.dumps(manifest))


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """The state after one good run (base), the next day's landing, and the reference: the
    next run from base, never interrupted."""
    root = tmp_path_factory.mktemp("faults")
    landing = root / "landing"
    generate_landing(landing, accounts=20, months=8, end_date=AS_OF, seed=5)
    _run(landing, root / "base")
    _add_usage_batch(landing)
    shutil.copytree(root / "base" / "bi", root / "reference" / "bi")
    _run(landing, root / "reference")
    return root, landing


@pytest.mark.parametrize("stage", ["load", "checks", "publish"])
def test_a_run_killed_midway_leaves_the_published_warehouse_and_the_next_run_intact(states, stage):
    root, landing = states
    case = root / stage
    shutil.copytree(root / "base" / "bi", case / "bi")
    published = case / "bi" / "warehouse.duckdb"
    before = _digest(published)

    assert _run(landing, case, stage) == -9  # killed, not failed
    assert _digest(published) == before

    _run(landing, case)
    reference = root / "reference" / "bi" / "warehouse.duckdb"
    assert mart_differences(published, reference) == {}
    # the load ledger lives in the working file beside the published one
    assert _ledger(published.with_name("warehouse.building.duckdb")) == _ledger(
        reference.with_name("warehouse.building.duckdb")
    )
