"""One warehouse writer, however runs are launched: two runs queued at once on an instance set up
as `cs-retention prepare` sets it up run one after the other (the daemon holds the second in the
queue while the first holds the writer pool), and both succeed; a run `cs-retention` executes in
its own process holds the pool too, so "Materialize all" launched meanwhile waits for it; two
first uses of an empty DAGSTER_HOME at once leave it usable.

Order is judged on the runs' own events: a run holds the pool (run granularity) from the moment
the daemon dequeues it (PIPELINE_STARTING) until its end event, so the next run's dequeue comes
after the previous run's end, and the writing steps never overlap."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.pools import WAREHOUSE_WRITER_POOL
from tests.fixtures import EXAMPLE_LANDING, fresh_dagster_home

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def env(tmp_path: Path, monkeypatch) -> dict[str, str]:
    """A fresh DAGSTER_HOME with the project's dagster.yaml, its storage created as
    `cs-retention prepare` creates it (project_instance)."""
    from dagster_project.runner import project_instance

    home = fresh_dagster_home(tmp_path)
    shutil.copytree(EXAMPLE_LANDING, tmp_path / "landing")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with project_instance():
        pass
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "CS_LANDING_DIR": str(tmp_path / "landing"),
        "CS_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
        "CS_AS_OF_DATE": "2026-11-21",
    }


def _events(instance, run_id: str) -> dict[str, list[float]]:
    """When each event type of a run happened (event timestamps, s)."""
    times: dict[str, list[float]] = {}
    for entry in instance.all_logs(run_id):
        if entry.dagster_event is not None:
            times.setdefault(entry.dagster_event.event_type_value, []).append(entry.timestamp)
    return times


def assert_one_after_the_other(instance, first_run_id: str, second_run_id: str) -> None:
    """The second run was dequeued (took the pool) only after the first run had ended, and its
    writing step started after the first run's had finished."""
    first, second = _events(instance, first_run_id), _events(instance, second_run_id)
    first_end = max(first.get("PIPELINE_SUCCESS", []) + first.get("PIPELINE_FAILURE", []))
    assert min(second["PIPELINE_STARTING"]) >= first_end
    assert min(second["STEP_START"]) >= max(first["STEP_SUCCESS"])


def _launch(env: dict[str, str], job: str) -> None:
    """What "Materialize all" in the UI does: submit a run to the instance's run queue."""
    subprocess.run(
        [str(BIN / "dagster"), "job", "launch", "-m", "tests.pool_definitions", "-j", job],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )


def _daemon(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-m", "tests.pool_definitions"],
        env=env,
        cwd=ROOT,
        stdout=log.open("w"),  # the daemon's own log (dequeued, blocked) and its runs' output
        stderr=subprocess.STDOUT,
    )


def test_two_runs_queued_at_once_run_one_after_the_other(env, tmp_path):
    for _ in range(2):  # both queued before the daemon's first look at the queue
        _launch(env, "load_crm")
    with dg.DagsterInstance.get() as instance:
        queued = instance.get_runs()
        assert [run.status for run in queued] == [dg.DagsterRunStatus.QUEUED] * 2
        daemon = _daemon(env, tmp_path / "daemon.log")
        try:
            _wait(lambda: all(r.is_finished for r in instance.get_runs()), seconds=240)
        finally:
            daemon.terminate()
            daemon.wait(timeout=60)
        runs = sorted(instance.get_run_records(), key=lambda r: r.start_time or 0)
        assert [r.dagster_run.status for r in runs] == [dg.DagsterRunStatus.SUCCESS] * 2
        first, second = (r.dagster_run.run_id for r in runs)
        assert_one_after_the_other(instance, first, second)
    assert "blocked by global concurrency limits" in (tmp_path / "daemon.log").read_text()


def test_an_in_process_run_holds_the_writer_pool(env, monkeypatch, tmp_path):
    """`cs-retention` executes in process; its run record names the pool, so a queued run
    (the UI's "Materialize all") waits for it."""
    for key in ("DAGSTER_HOME", "CS_LANDING_DIR", "CS_WAREHOUSE_PATH", "CS_AS_OF_DATE"):
        monkeypatch.setenv(key, env[key])
    from tests.pool_definitions import defs

    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("load_crm").execute_in_process(instance=instance)
        run = instance.get_run_by_id(result.run_id)
    assert result.success
    assert WAREHOUSE_WRITER_POOL in run.run_op_concurrency.all_pools


def test_the_project_instance_knows_the_writer_pools_limit_before_any_run(env):
    """The daemon's first look at the queue must already see the pool's limit: Dagster would
    write it only during that pass, after deciding which runs to dequeue (all of them)."""
    with dg.DagsterInstance.get() as instance:
        limits = {pool.name: pool.limit for pool in instance.event_log_storage.get_pool_limits()}
        assert not instance.get_runs()
    assert limits == {WAREHOUSE_WRITER_POOL: 1}  # dagster.yaml's default_limit


def test_a_pool_limit_set_by_hand_is_kept(env):
    from dagster_project.runner import project_instance

    with dg.DagsterInstance.get() as instance:
        instance.event_log_storage.set_concurrency_slots(WAREHOUSE_WRITER_POOL, 2)
    with project_instance() as instance:
        [pool] = instance.event_log_storage.get_pool_limits()
    assert (pool.limit, pool.from_default) == (2, False)


def test_two_first_uses_of_an_empty_dagster_home_leave_it_usable(tmp_path):
    home = tmp_path / "empty_home"
    script = (
        "from dagster_project.runner import project_instance\n"
        "with project_instance() as instance:\n"
        "    instance.get_runs()\n"
    )
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    processes = [subprocess.Popen([sys.executable, "-c", script], env=env, cwd=ROOT) for _ in range(2)]
    assert [p.wait(timeout=120) for p in processes] == [0, 0]
    check = subprocess.run(
        [str(BIN / "dagster"), "instance", "migrate"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stderr[-2000:]
    assert "more than one head" not in check.stdout + check.stderr


def _wait(condition, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


CLI_RUN = """
from dagster_project.run_console import terminal_console
from dagster_project.runner import run_job
from dagster_project.settings import load_settings
from tests.pool_definitions import defs

outcome = run_job("hold_writer", load_settings(), terminal_console(), definitions=defs)
raise SystemExit(0 if outcome.success else 1)
"""


def test_materialize_all_while_a_cli_run_is_going_on_waits_for_it(env, tmp_path):
    """A run `cs-retention` executes in its own process (runner.run_job) holds the pool; a run
    queued meanwhile (as the UI's "Materialize all" is) stays queued until it has finished, and
    `cs-retention` itself waits for a run in progress that holds the pool. The daemon's own log
    says when it has looked at the queued run, so no sleep has to be long enough."""
    from rich.console import Console

    from dagster_project.runner import wait_for_other_writers

    release = tmp_path / "release"
    env = {**env, "CS_TEST_RELEASE": str(release)}
    daemon_log = tmp_path / "daemon.log"
    cli_run = subprocess.Popen([sys.executable, "-c", CLI_RUN], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    daemon = None
    try:
        with dg.DagsterInstance.get() as instance:
            _wait(lambda: any(r.status == dg.DagsterRunStatus.STARTED for r in instance.get_runs()))
            [held] = instance.get_runs()
            _launch(env, "load_crm")
            [queued] = [r for r in instance.get_runs() if r.job_name == "load_crm"]
            daemon = _daemon(env, daemon_log)
            blocked = f"Run {queued.run_id} is blocked by global concurrency limits"
            _wait(lambda: blocked in daemon_log.read_text())
            assert instance.get_run_by_id(queued.run_id).status == dg.DagsterRunStatus.QUEUED
            transcript = io.StringIO()
            release_later = subprocess.Popen(["sh", "-c", f"sleep 3; touch {release}"])
            wait_for_other_writers(instance, Console(file=transcript, width=200), poll_seconds=0.5)
            release_later.wait(timeout=30)
            assert f"waiting for run {held.run_id[:8]} (hold_writer) to finish" in transcript.getvalue()
            cli_output, _ = cli_run.communicate(timeout=120)
            assert cli_run.returncode == 0
            assert cli_output.splitlines()[0].startswith("ok   held_writer")  # the calm step line
            _wait(lambda: instance.get_run_by_id(queued.run_id).is_finished)
            assert instance.get_run_by_id(queued.run_id).status == dg.DagsterRunStatus.SUCCESS
            assert_one_after_the_other(instance, held.run_id, queued.run_id)
    finally:
        release.touch()
        cli_run.wait(timeout=120)
        if daemon is not None:
            daemon.terminate()
            daemon.wait(timeout=60)
