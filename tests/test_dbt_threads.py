"""A first build runs dbt one model at a time; later runs use the profile's two threads."""

from __future__ import annotations

import duckdb

from dagster_project.assets.dbt import builds_history, thread_args


def test_a_warehouse_without_the_daily_health_table_builds_the_history():
    con = duckdb.connect()
    assert builds_history(con)
    assert thread_args(builds_history(con)) == ["--threads", "1"]

    con.execute("create schema marts")
    con.execute("create table marts.fct_account_health_daily (as_of_date date)")
    assert not builds_history(con)
    assert thread_args(builds_history(con)) == []
