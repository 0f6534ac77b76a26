"""`cs-retention`'s answers to values a user can mistype: one line naming the value and what
was expected, exit code 2, no traceback; and the version."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dagster_project.cli import app

runner = CliRunner()


def _invoke(args: list[str], env: dict[str, str] | None = None):
    return runner.invoke(app, args, env=env)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["run", "--as-of", "2026-13-01"], {}, "error: --as-of '2026-13-01' is not a date: expected YYYY-MM-DD"),
        (
            ["backfill", "--start", "11/01/2026", "--end", "2026-11-02"],
            {},
            "error: --start '11/01/2026' is not a date: expected YYYY-MM-DD",
        ),
        (
            ["backfill", "--start", "2026-11-05", "--end", "2026-11-01", "--as-of", "2026-11-20"],
            {},
            "error: --end 2026-11-01 is before --start 2026-11-05: expected a range whose end is on or after its start",
        ),
        (
            ["backfill", "--start", "2026-11-01", "--end", "2026-11-30", "--as-of", "2026-11-20"],
            {},
            "error: --end 2026-11-30 is after the as-of date 2026-11-20",
        ),
        (["run", "--landing", "/no/such/landing"], {}, "error: --landing '/no/such/landing' is not a directory"),
        (
            ["run"],
            {"CS_LANDING_DIR": "/no/such/landing"},
            "error: CS_LANDING_DIR='/no/such/landing' is not a directory",
        ),
        (["run"], {"CS_DUCKDB_MEMORY_LIMIT": "lots"}, "error: CS_DUCKDB_MEMORY_LIMIT='lots' is not a size"),
        (["run"], {"CS_AS_OF_DATE": "31/03/2026"}, "error: CS_AS_OF_DATE='31/03/2026' is not a date"),
        (["run"], {"CS_DAILY_CRON": "every day"}, "error: CS_DAILY_CRON='every day' is not a cron schedule"),
        (
            ["run"],
            {"CS_ALERT_WEBHOOK_URL": "hooks.slack.com/x"},
            "error: CS_ALERT_WEBHOOK_URL is set but is not an http(s) URL",
        ),
        (["checks"], {"CS_WAREHOUSE_PATH": "/"}, "error: CS_WAREHOUSE_PATH='/' is a directory"),
        (["run"], {"CS_ENGINE": "sparkk"}, "error: CS_ENGINE='sparkk' is not an engine: expected one of duckdb, spark"),
        (["contract", "/no/such/warehouse.duckdb"], {}, "error: '/no/such/warehouse.duckdb' is not a file"),
        (["sample", "--out", "/tmp/x", "--end-date", "2026-02-30"], {}, "error: --end-date '2026-02-30' is not a date"),
    ],
)
def test_a_bad_value_is_one_line_and_exit_code_2(args, env, message):
    result = _invoke(args, env)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [result.stderr.strip()]  # one line
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.output and result.stdout == ""


def test_a_warehouse_flag_that_is_a_directory_is_refused(tmp_path: Path):
    result = _invoke(["checks", "--warehouse", str(tmp_path)])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"error: --warehouse {str(tmp_path)!r} is a directory: expected the path of a .duckdb file"
    )


def test_version_names_the_project_and_its_engines():
    result = _invoke(["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("cs-retention 0.1.0 (dagster 1.13.") and "dbt-core 1.11." in result.stdout
