"""Running gates outside Dagster: fail closed, persist every outcome, one GX context per run."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import duckdb

from dagster_project.checks.asset_checks import Gate, blocking_failure, evaluate_gates, run_gates
from dagster_project.checks.core import CheckOutcome
from dagster_project.checks.gx_runner import gx_session
from dagster_project.settings import Settings


def broken_gate(con, inputs) -> CheckOutcome:
    con.execute("select * from marts.no_such_relation")
    raise AssertionError("unreachable")


def passing_gate(con, inputs) -> CheckOutcome:
    return CheckOutcome("always_fine", ("marts", "dim_accounts"), True, False, "fine", observed="1", threshold="1")


def test_a_gate_that_errors_fails_closed_and_a_blocking_one_blocks(con, make_inputs):
    gates = [
        Gate("crashes", ("marts", "fct_account_health_daily"), True, "", broken_gate),
        Gate("always_fine", ("marts", "dim_accounts"), False, "", passing_gate),
    ]
    crashed, fine = evaluate_gates(con, gates, make_inputs("2026-11-20"))
    assert not crashed.passed and crashed.blocking
    assert crashed.message.startswith("check could not run: CatalogException")
    assert fine.passed
    failure = blocking_failure([crashed, fine])
    assert failure is not None
    assert failure.description.startswith(
        "Blocking quality gate failed, publishing skipped: crashes on marts/fct_account_health_daily: check could not run"
    )
    assert blocking_failure([fine]) is None


def test_outcomes_are_appended_to_quality_check_results_run_after_run(tmp_path: Path):
    settings = Settings(tmp_path, tmp_path / "warehouse.duckdb", date(2026, 11, 20), landing_is_sample=False)

    @contextmanager
    def connect():
        connection = duckdb.connect(str(settings.building_path))
        try:
            yield connection
        finally:
            connection.close()

    gate = Gate("always_fine", ("marts", "dim_accounts"), False, "", passing_gate)
    for run_id in ("run-1", "run-2"):
        outcomes, docs = run_gates(settings, connect, [gate], run_id, now=datetime(2026, 11, 21, 6))
        assert [o.passed for o in outcomes] == [True]
    with duckdb.connect(str(settings.building_path), read_only=True) as con:
        rows = con.execute(
            "select run_id, check_name, asset_key, passed, severity, observed, threshold, message, checked_at, as_of_date "
            "from quality.check_results order by run_id"
        ).fetchall()
    assert rows == [
        (
            r,
            "always_fine",
            "marts/dim_accounts",
            True,
            "warn",
            "1",
            "1",
            "fine",
            datetime(2026, 11, 21, 6),
            date(2026, 11, 20),
        )
        for r in ("run-1", "run-2")
    ]
    assert docs == settings.output_dir / "data_docs" / "index.html"


def test_one_gx_context_per_run(tmp_path: Path):
    first = gx_session("run-a", tmp_path / "docs")
    assert gx_session("run-a", tmp_path / "docs") is first
    assert gx_session("run-b", tmp_path / "docs") is not first
