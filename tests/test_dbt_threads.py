"""A first build runs dbt one model at a time; later runs use the profile's two threads."""

from __future__ import annotations

import duckdb

from dagster_project.assets.dbt import latest_history_day, thread_args


def test_a_warehouse_without_the_daily_health_table_builds_the_history():
    con = duckdb.connect()  # the dbt asset's rule: no history table yet, a first build
    assert latest_history_day(con) is None
    assert thread_args(latest_history_day(con) is None) == ["--threads", "1"]

    con.execute("create schema marts")
    con.execute("create table marts.fct_account_health_daily (as_of_date date)")
    con.execute("insert into marts.fct_account_health_daily values ('2026-11-20')")
    assert latest_history_day(con) is not None
    assert thread_args(latest_history_day(con) is None) == []
