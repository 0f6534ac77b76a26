"""The project's generic dbt tests (dbt_project/macros/testing/), on real relations.

`no_null_columns` takes the place of a not_null test per column: it fails on exactly the columns
that hold NULLs, by name and count, and only on the columns it lists when it lists some. The
one-row configuration relations list none: every setting must have a value.

`unique_combination_of_columns` (a composite key, grouped on the columns) fails on exactly the
repeated keys, with how many rows have each.
"""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import duckdb

from tests.dbt_runner import SAMPLE_LANDING, dbt_process, load_landing, run_dbt

AS_OF = date(2026, 11, 20)
SELECTION = ["int_health_parameters", "cfg_renewal_settings"]
SEEDS = ["cfg_health_parameters", "cfg_renewal_settings"]


def _dbt_test(tmp_path: Path, warehouse: Path, *selection: str) -> subprocess.CompletedProcess:
    """`dbt test --store-failures` of ``selection``: each failing test leaves a table of its rows."""
    return dbt_process(tmp_path, warehouse, AS_OF, "test", "--select", *selection, "--store-failures", timeout=600)


def test_a_missing_setting_fails_naming_it(tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    run_dbt(tmp_path, warehouse, AS_OF, "seed", "--select", *SEEDS)
    run_dbt(tmp_path, warehouse, AS_OF, "build", "--select", *SELECTION, "--indirect-selection", "buildable")
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(
            "update intermediate.int_health_parameters set adoption_window_days = null, support_window_days = null"
        )
        con.execute("update config.cfg_renewal_settings set risk_range_low_quantile = null")
    finally:
        con.close()

    run = _dbt_test(tmp_path, warehouse, *SELECTION)

    assert run.returncode != 0
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        failures = {
            table: sorted(row[0] for row in con.execute(f'select null_column from "{schema}"."{table}"').fetchall())
            for schema, table in con.execute(
                "select schema_name, table_name from duckdb_tables() where table_name like 'no_null_columns%'"
            ).fetchall()
        }
    finally:
        con.close()
    assert sorted(failures.values()) == [["adoption_window_days", "support_window_days"], ["risk_range_low_quantile"]]


def _update(warehouse: Path, *statements: str) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()


def test_listed_columns_fail_with_their_null_count_and_others_are_not_checked(tmp_path: Path):
    """cfg_health_parameters lists parameter and value (a description may be missing)."""
    warehouse = tmp_path / "warehouse.duckdb"
    selection = "test_name:no_null_columns,cfg_health_parameters"
    run_dbt(tmp_path, warehouse, AS_OF, "seed", "--select", "cfg_health_parameters")
    _update(warehouse, "update config.cfg_health_parameters set description = null")
    assert _dbt_test(tmp_path, warehouse, selection).returncode == 0

    _update(
        warehouse,
        "update config.cfg_health_parameters set value = null "
        "where parameter in ('adoption_window_days', 'support_window_days', 'alert_nps_window_days')",
    )
    assert _dbt_test(tmp_path, warehouse, selection).returncode != 0

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (schema,) = con.execute(
            "select schema_name from duckdb_tables() where table_name = 'cfg_health_parameters_not_null'"
        ).fetchone()
        failures = con.execute(f'select null_column, null_rows from "{schema}"."cfg_health_parameters_not_null"')
        assert failures.fetchall() == [("value", 3)]
    finally:
        con.close()


def test_a_repeated_composite_key_fails_with_its_row_count(tmp_path: Path):
    """stg_billing__fx_rates is unique on (rate_month, currency): one rate per currency and month."""
    warehouse = load_landing(tmp_path / "warehouse.duckdb", SAMPLE_LANDING)
    selection = "stg_billing__fx_rates_month_currency_unique"
    run_dbt(tmp_path, warehouse, AS_OF, "run", "--select", "stg_billing__fx_rates")
    assert _dbt_test(tmp_path, warehouse, selection).returncode == 0

    # the same month and currency again, and the same month in a currency it lacks: only the
    # first repeats a key
    con = duckdb.connect(str(warehouse))
    try:
        month, currency = con.execute("select min(rate_month), min(currency) from raw.billing_fx_rates").fetchone()
        con.execute(
            "insert into raw.billing_fx_rates select * replace ('XTS' as currency) from raw.billing_fx_rates "
            "where rate_month = ? and currency = ?",
            [month, currency],
        )
        con.execute(
            "insert into raw.billing_fx_rates select * from raw.billing_fx_rates where rate_month = ? and currency = ?",
            [month, currency],
        )
    finally:
        con.close()
    assert _dbt_test(tmp_path, warehouse, selection).returncode != 0

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (schema,) = con.execute(f"select schema_name from duckdb_tables() where table_name = '{selection}'").fetchone()
        failures = con.execute(f'select rate_month, currency, rows_with_key from "{schema}"."{selection}"').fetchall()
    finally:
        con.close()
    assert failures == [(month, currency, 2)]
