"""The docs site is regenerated only when what it shows can have changed."""

from __future__ import annotations

import json

import duckdb

from dagster_project.assets.dbt_docs import site_fingerprint


def _warehouse(path, extra_column: bool = False):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        columns = "account_id varchar, health_score integer" + (", note varchar" if extra_column else "")
        con.execute(f"create or replace table marts.account_health ({columns})")
        con.execute("create or replace view marts.v as select account_id from marts.account_health")
    return path


def test_new_rows_keep_the_fingerprint_and_a_schema_or_project_change_moves_it(tmp_path):
    manifest = tmp_path / "manifest.json"
    nodes = {"model.x": {"resource_type": "model", "schema": "marts"}}
    manifest.write_text(json.dumps({"metadata": {"dbt_version": "1.11"}, "nodes": nodes}))
    warehouse = _warehouse(tmp_path / "warehouse.duckdb")
    before = site_fingerprint(warehouse, manifest)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into marts.account_health values ('A-1', 80), ('A-2', 40)")
    assert site_fingerprint(warehouse, manifest) == before  # the catalog holds no row counts

    _warehouse(warehouse, extra_column=True)
    with_column = site_fingerprint(warehouse, manifest)
    assert with_column != before

    with duckdb.connect(str(warehouse)) as con:
        con.execute("comment on table marts.account_health is 'one row per account'")
    assert site_fingerprint(warehouse, manifest) != with_column

    commented = site_fingerprint(warehouse, manifest)
    with duckdb.connect(str(warehouse)) as con:  # what other steps write is not documented
        con.execute("create schema ops")
        con.execute("create table ops.alert_deliveries (alert_id varchar)")
    assert site_fingerprint(warehouse, manifest) == commented

    manifest.write_text(json.dumps({"metadata": {"dbt_version": "1.12"}, "nodes": nodes}))
    assert site_fingerprint(warehouse, manifest) not in (before, with_column, commented)
