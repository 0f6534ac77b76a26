"""The mart contract's environment variables: defaults, overrides and errors that name the variable."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dagster_project.settings import (
    DEFAULT_LANDING_DIR,
    DEFAULT_WAREHOUSE_PATH,
    SettingsError,
    load_settings,
)


def test_defaults_are_the_bundled_sample_the_data_folder_and_today() -> None:
    settings = load_settings({})
    assert settings.landing_dir == DEFAULT_LANDING_DIR and settings.landing_is_sample
    assert settings.warehouse_path == DEFAULT_WAREHOUSE_PATH
    assert settings.as_of_date == datetime.now(UTC).date()
    assert settings.duckdb_memory_limit == "2GB"
    assert settings.history_range_days is None  # sized from the accounts and the memory limit


def test_every_variable_overrides_its_default(tmp_path: Path) -> None:
    env = {
        "CS_LANDING_DIR": str(tmp_path),
        "CS_WAREHOUSE_PATH": str(tmp_path / "bi" / "cs.duckdb"),
        "CS_AS_OF_DATE": " 2026-03-31 ",
        "CS_DUCKDB_MEMORY_LIMIT": "512MB",
        "CS_HISTORY_RANGE_DAYS": "90",
    }
    settings = load_settings(env)
    assert settings.history_range_days == 90
    assert settings.landing_dir == tmp_path and not settings.landing_is_sample
    assert settings.as_of_date == date(2026, 3, 31)
    # the working file and the outputs sit beside the published warehouse
    assert settings.building_path == tmp_path / "bi" / "cs.building.duckdb"
    assert settings.output_dir == tmp_path / "bi" / "cs-outputs"
    assert settings.dbt_environment() == {
        "CS_DBT_DUCKDB_PATH": str(tmp_path / "bi" / "cs.building.duckdb"),
        "CS_DUCKDB_MEMORY_LIMIT": "512MB",
        "CS_AS_OF_DATE": "2026-03-31",
    }


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CS_AS_OF_DATE", "31/03/2026", "CS_AS_OF_DATE='31/03/2026' is not a date"),
        ("CS_LANDING_DIR", "/no/such/landing", "CS_LANDING_DIR='/no/such/landing' is not a directory"),
        ("CS_DUCKDB_MEMORY_LIMIT", "lots", "CS_DUCKDB_MEMORY_LIMIT='lots' is not a size"),
        ("CS_HISTORY_RANGE_DAYS", "0", "CS_HISTORY_RANGE_DAYS='0' is not a whole number of days, 1 or more"),
        ("CS_HISTORY_RANGE_DAYS", "30d", "CS_HISTORY_RANGE_DAYS='30d' is not a whole number of days"),
    ],
)
def test_a_bad_value_names_the_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings({variable: value})


def test_a_warehouse_path_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="CS_WAREHOUSE_PATH=.* is a directory"):
        load_settings({"CS_WAREHOUSE_PATH": str(tmp_path)})


def test_the_operational_settings_have_defaults_and_overrides(tmp_path: Path) -> None:
    from dagster_project.settings import (
        DBT_PROJECT_DIR,
        DEFAULT_DAGSTER_HOME,
        dagster_home,
        daily_cron,
        dbt_target_dir,
        webhook_url_from_env,
    )

    assert daily_cron({}) == "0 6 * * *" and daily_cron({"CS_DAILY_CRON": " 15 7 * * 1-5 "}) == "15 7 * * 1-5"
    assert webhook_url_from_env({}) is None
    assert (
        webhook_url_from_env({"CS_ALERT_WEBHOOK_URL": "https://hooks.example/T/B/x"}) == "https://hooks.example/T/B/x"
    )
    assert dbt_target_dir({}) == DBT_PROJECT_DIR / "target"
    assert dbt_target_dir({"DBT_TARGET_PATH": "elsewhere"}) == DBT_PROJECT_DIR / "elsewhere"
    assert dbt_target_dir({"DBT_TARGET_PATH": str(tmp_path)}) == tmp_path
    assert dagster_home({}) == DEFAULT_DAGSTER_HOME and dagster_home({"DAGSTER_HOME": str(tmp_path)}) == tmp_path


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CS_DAILY_CRON", "61 6 * * *", "CS_DAILY_CRON='61 6 \\* \\* \\*' is not a cron schedule"),
        ("CS_ALERT_WEBHOOK_URL", "ftp://x", "CS_ALERT_WEBHOOK_URL is set but is not an http\\(s\\) URL"),
        ("DBT_TARGET_PATH", __file__, "DBT_TARGET_PATH=.* is a file"),
        ("DAGSTER_HOME", __file__, "DAGSTER_HOME=.* is not a directory"),
    ],
)
def test_a_bad_operational_setting_names_the_variable(variable: str, value: str, message: str) -> None:
    from dagster_project.settings import validate_environment

    with pytest.raises(SettingsError, match=message):
        validate_environment({variable: value})
