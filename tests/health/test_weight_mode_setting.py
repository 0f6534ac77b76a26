"""The weights mode setting refuses an unknown value with a clear error (and builds nothing)."""

from __future__ import annotations

from tests.health.test_point_in_time import run_dbt


def test_an_unknown_weights_mode_fails_compilation_naming_the_choices(tmp_path):
    completed = run_dbt(
        tmp_path,
        tmp_path / "warehouse.duckdb",
        "compile",
        {"as_of_date": "2026-11-20", "health_weights_mode": "learned"},
        "--select",
        "int_health_weights_in_force",
        check=False,
    )
    assert completed.returncode != 0
    assert "var health_weights_mode must be configured, fitted or auto; got 'learned'" in completed.stdout
