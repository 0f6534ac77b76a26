"""Publishing: only marts and quality, with their constraints and comments, atomically, 0640, and a
new version per publish that long-lived readers see on their next connection."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import duckdb
import pytest

from dagster_project.assets.publish import (
    PUBLISHED_SCHEMAS,
    current_version,
    loaded_batches_path,
    publish_atomically,
)
from dagster_project.settings import SettingsError, load_settings


def _working_file(path: Path, marker: int = 1) -> Path:
    """A small working warehouse with every schema a run writes; ``marker`` tells versions apart."""
    with duckdb.connect(str(path)) as con:
        for schema in ("raw", "staging", "intermediate", "marts", "quality", "config", "ops"):
            con.execute(f"create schema if not exists {schema}")
        con.execute("create or replace table raw.crm_contacts as select 'pat@customer.example' as email")
        con.execute(
            "create or replace table raw.load_batches as "
            "select * from (values ('crm', 'b1', 'loaded'), ('usage', 'b2', 'superseded'), ('billing', 'b3', 'rejected')) "
            "as t(source, batch_id, status)"
        )
        con.execute("create or replace view staging.stg_contacts as select * from raw.crm_contacts")
        con.execute("create or replace table intermediate.int_x as select 1 as n")
        con.execute("drop table if exists marts.fct_numbers")
        con.execute("create table marts.fct_numbers (n integer not null, label varchar)")
        con.execute(f"insert into marts.fct_numbers select range + {marker}, 'row ' || range from range(300000)")
        con.execute("comment on table marts.fct_numbers is 'Numbers, one per row.'")
        con.execute("comment on column marts.fct_numbers.n is 'The number; it''s never NULL.'")
        con.execute("comment on column marts.fct_numbers.label is 'Its label.'")
        con.execute("create or replace table quality.check_results as select 'freshness' as check_name, true as passed")
    return path


@pytest.fixture
def paths(tmp_path):
    return _working_file(tmp_path / "w.building.duckdb"), tmp_path / "bi" / "w.duckdb"


def test_only_the_marts_and_quality_results_are_published(paths):
    building, published = paths
    publish_atomically(building, published)
    with duckdb.connect(str(published), read_only=True) as con:
        schemas = {
            r[0]
            for r in con.execute(
                "select schema_name from duckdb_tables() union select schema_name from duckdb_views() where not internal"
            ).fetchall()
        }
        assert schemas == set(PUBLISHED_SCHEMAS)
        assert con.execute("select count(*), sum(n) from marts.fct_numbers").fetchone() == (300000, 45000150000)
        assert con.execute("select check_name, passed from quality.check_results").fetchall() == [("freshness", True)]
    assert b"pat@customer.example" not in current_version(published).read_bytes()  # the contact stays behind


def test_constraints_and_comments_survive_publishing(paths):
    building, published = paths
    publish_atomically(building, published)
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select comment from duckdb_tables() where table_name = 'fct_numbers'").fetchone() == (
            "Numbers, one per row.",
        )
        columns = con.execute(
            "select column_name, comment, is_nullable from duckdb_columns() where table_name = 'fct_numbers' order by column_index"
        ).fetchall()
        assert columns == [("n", "The number; it's never NULL.", False), ("label", "Its label.", True)]
        with pytest.raises(duckdb.Error):  # read-only anyway; the NOT NULL is in the published DDL
            con.execute("insert into marts.fct_numbers values (null, 'x')")


def test_the_published_files_are_readable_by_owner_and_group_only(paths):
    building, published = paths
    version = publish_atomically(building, published)
    for path in (version, loaded_batches_path(published)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    publish_atomically(building, published, mode=0o600)
    assert stat.S_IMODE(current_version(published).stat().st_mode) == 0o600


def test_the_mode_is_a_setting(monkeypatch):
    assert load_settings({}).warehouse_mode == 0o640
    assert load_settings({"CS_WAREHOUSE_MODE": "0644"}).warehouse_mode == 0o644
    for bad in ("rw-r-----", "1777", "0040"):
        with pytest.raises(SettingsError, match="CS_WAREHOUSE_MODE"):
            load_settings({"CS_WAREHOUSE_MODE": bad})


def test_each_publish_is_a_new_version_behind_one_link(paths):
    building, published = paths
    for number in (1, 2, 3):
        _working_file(building, marker=number)
        assert publish_atomically(building, published) == published.with_name(f"w.v{number}.duckdb")
    assert published.is_symlink() and os.readlink(published) == "w.v3.duckdb"  # relative: the folder may move
    assert sorted(p.name for p in published.parent.glob("w.v*.duckdb")) == ["w.v2.duckdb", "w.v3.duckdb"]
    assert not list(published.parent.glob(".*"))  # no staging copy or link left behind


def test_a_plain_file_from_before_is_replaced_by_the_link(paths):
    building, published = paths
    published.parent.mkdir(parents=True)
    with duckdb.connect(str(published)) as con:
        con.execute("create table old as select 1 as n")
    publish_atomically(building, published)
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from duckdb_tables() where table_name = 'old'").fetchone() == (0,)


def test_the_ledger_summary_lists_the_loaded_batches(paths):
    building, published = paths
    publish_atomically(building, published)
    assert json.loads(loaded_batches_path(published).read_text()) == ["crm/b1", "usage/b2"]


def _total(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select min(n) from marts.fct_numbers").fetchone()[0]


def test_a_reader_holding_connections_sees_each_publish_on_its_next_connection(paths):
    """A BI server's pool: connections stay open across two publishes. Each connection opened
    after a publish (on the link's target, as the documented reader does) reads that publish;
    the older ones keep reading the version they opened, unchanged, even once it is unlinked."""
    building, published = paths
    publish_atomically(building, published)
    pool = [duckdb.connect(str(current_version(published)), read_only=True)]
    assert _total(pool[0]) == 1
    for marker in (2, 3):
        _working_file(building, marker=marker)
        publish_atomically(building, published)
        pool.append(duckdb.connect(str(current_version(published)), read_only=True))
        assert [_total(con) for con in pool] == list(range(1, marker + 1))
    assert not current_version(published).with_name("w.v1.duckdb").exists()  # pruned, still read by pool[0]
    for con in pool:
        con.close()
