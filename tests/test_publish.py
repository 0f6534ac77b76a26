"""Publishing: only marts and quality, with their constraints and comments, atomically, 0640, and a
new version per publish that long-lived readers see on their next connection."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.assets import publish
from dagster_project.assets.publish import (
    MAX_FREE_SHARE,
    current_version,
    loaded_batches_path,
    publish_atomically,
)
from dagster_project.published_relations import PUBLISHED_SCHEMAS
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


# --- carrying the previous version over: only what changed is written, the result is the same ---


def _state(path: Path) -> dict:
    """Everything a reader of ``path`` can see: each relation's kind, DDL, comment, column comments and rows."""
    with duckdb.connect(str(path), read_only=True) as con:
        relations = con.execute(
            "select schema_name, table_name, 'table', sql, comment from duckdb_tables() where not internal "
            "union all select schema_name, view_name, 'view', sql, comment from duckdb_views() where not internal"
        ).fetchall()
        state = {}
        for schema, name, kind, ddl, comment in relations:
            columns = con.execute(
                f"select column_name, comment from duckdb_columns() where schema_name = '{schema}' "
                f"and table_name = '{name}' order by column_index"
            ).fetchall()
            rows = con.execute(f'select * from "{schema}"."{name}" order by all').fetchall()
            state[(schema, name)] = (kind, ddl, comment, columns, rows)
        return state


def _daily_working_file(path: Path, days: dict, extra: str = "") -> Path:
    """A working file whose marts.fct_daily holds ``days`` ({as_of_date or None: [values]})."""
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        for schema in ("raw", "marts", "quality"):
            con.execute(f"create schema {schema}")
        con.execute("create table marts.fct_daily (as_of_date date, account_id varchar not null, score double)")
        rows = [(day, f"A-{i}", value) for day, values in days.items() for i, value in enumerate(values)]
        if rows:
            con.executemany("insert into marts.fct_daily values (?, ?, ?)", rows)
        con.execute("comment on table marts.fct_daily is 'One row per account and day.'")
        con.execute("comment on column marts.fct_daily.score is 'The score.'")
        con.execute("create table marts.rpt_summary as select count(*) as n from marts.fct_daily")
        con.execute("create table quality.check_results as select 'freshness' as check_name, true as passed")
        con.execute(
            "create view marts.latest as select * from marts.fct_daily where as_of_date = (select max(as_of_date) from marts.fct_daily)"
        )
        if extra:
            con.execute(extra)
    return path


D1, D2, D3, D4 = (f"2026-11-{day}" for day in (17, 18, 19, 20))
# Days that stay as they were, so that the changes above are a minority and go partition by partition
STABLE = {f"2026-10-{day:02}": [0.5] * 4 for day in range(1, 13)}


def _publish_logged(building: Path, published: Path) -> str:
    said = []
    publish_atomically(building, published, log=said.append)
    return " ".join(said)


def test_a_carried_over_version_equals_one_written_from_empty(tmp_path):
    """Day by day (a changed day, a new day, a day gone, a NULL day), a table gone, a new table, a
    changed DDL and changed comments: the carried-over version shows readers exactly what a version
    written from empty shows, and what the working file holds."""
    building, published = tmp_path / "w.building.duckdb", tmp_path / "bi" / "w.duckdb"
    _daily_working_file(building, {**STABLE, D1: [1.0, 2.0], D2: [3.0], D3: [4.0, 5.0], None: [6.0]})
    assert _publish_logged(building, published) == "written from empty"
    _daily_working_file(
        building,
        {**STABLE, D1: [1.0, 2.0], D2: [3.5], D4: [7.0, 8.0, 9.0], None: [6.0, 6.5]},
        extra="create table marts.dim_new (id integer primary key); insert into marts.dim_new values (1);"
        "drop table quality.check_results;"
        "create table quality.check_results (check_name varchar, passed boolean, detail varchar);"
        "comment on table marts.fct_daily is 'Changed.'; comment on column marts.fct_daily.score is null;"
        "comment on column marts.fct_daily.account_id is 'The account.'",
    )
    said = _publish_logged(building, published)
    assert said.startswith("carried over w.v1.duckdb") and "4 partitions rewritten" in said, said
    fresh = tmp_path / "fresh" / "w.duckdb"
    assert _publish_logged(building, fresh) == "written from empty"
    assert _state(current_version(published)) == _state(current_version(fresh))
    carried = _state(current_version(published))
    assert carried[("marts", "fct_daily")][2] == "Changed."
    assert len(carried[("marts", "fct_daily")][4]) == 48 + 8
    with duckdb.connect(str(building), read_only=True) as con:  # and the working file agrees
        assert (
            con.execute("select * from marts.fct_daily order by all").fetchall() == carried[("marts", "fct_daily")][4]
        )


def test_only_the_changed_days_are_written(tmp_path, monkeypatch):
    monkeypatch.setattr(publish, "MAX_FREE_SHARE", 1.0)  # a file this small is mostly free blocks after a day
    building, published = tmp_path / "w.building.duckdb", tmp_path / "bi" / "w.duckdb"
    days = {f"2026-10-{day:02}": [float(day)] * 50 for day in range(1, 31)}
    keyed = (  # a primary key: day 15 is deleted and inserted again in one transaction
        "create table marts.fct_keyed (as_of_date date, id integer, v integer, primary key (as_of_date, id));"
        "insert into marts.fct_keyed select date '2026-10-01' + (range % 30)::integer, range, {} * (range % 30 = 14)::integer"
        " from range(300)"
    )
    _daily_working_file(building, days, extra=keyed.format(0))
    publish_atomically(building, published)
    _daily_working_file(building, {**days, "2026-10-31": [31.0] * 50}, extra=keyed.format(1))
    said = _publish_logged(building, published)
    # the new day's 50 rows, day 15's 10 keyed rows, and rpt_summary's one row (no as_of_date: replaced
    # whole); the checks did not change
    assert "1 tables unchanged, 1 replaced, 2 partitions rewritten" in said and "61 rows written" in said, said
    assert _state(current_version(published)) == _state(building)  # its raw schema is empty
    assert _publish_logged(building, published).endswith("0 rows written")  # nothing new: nothing written


def test_a_relation_dropped_from_the_working_file_leaves_the_published_one(tmp_path):
    building, published = tmp_path / "w.building.duckdb", tmp_path / "bi" / "w.duckdb"
    _daily_working_file(building, {D1: [1.0]}, extra="create table marts.rpt_old as select 1 as n")
    publish_atomically(building, published)
    _daily_working_file(building, {D1: [1.0]})
    assert "1 relations dropped" in _publish_logged(building, published)
    assert ("marts", "rpt_old") not in _state(current_version(published))


def test_a_version_mostly_free_blocks_is_written_from_empty(tmp_path):
    """Each carry-over frees the blocks of what it replaced; DuckDB reuses them but never shrinks
    the file. Once they pass MAX_FREE_SHARE the next version starts from empty, and is smaller."""
    building, published = tmp_path / "w.building.duckdb", tmp_path / "bi" / "w.duckdb"
    big = "create table marts.rpt_big as select range as n, md5(range::varchar) as h from range({})"
    _daily_working_file(building, {D1: [1.0]}, extra=big.format(400_000))
    publish_atomically(building, published)
    _daily_working_file(building, {D1: [1.0]}, extra=big.format(10))  # the big table shrinks to nothing
    assert _publish_logged(building, published).startswith("carried over")
    bloated = current_version(published)
    with duckdb.connect(str(bloated), read_only=True) as con:
        free, total = con.execute("select free_blocks, total_blocks from pragma_database_size()").fetchone()
    assert free / total > MAX_FREE_SHARE
    assert _publish_logged(building, published) == "written from empty"
    assert current_version(published).stat().st_size < bloated.stat().st_size / 2
    assert _state(current_version(published)) == _state(bloated)


_day_values = st.lists(st.sampled_from([0.0, 1.0, 2.5, -1.0]), min_size=0, max_size=3)
_days = st.dictionaries(st.sampled_from([D1, D2, D3, D4, None]), _day_values, max_size=5)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=_days, after=_days)
def test_any_change_of_days_carries_over_to_the_working_files_rows(tmp_path, before, after):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    building, published = folder / "w.building.duckdb", folder / "bi" / "w.duckdb"
    _daily_working_file(building, {**STABLE, **before})
    publish_atomically(building, published)
    _daily_working_file(building, {**STABLE, **after})
    publish_atomically(building, published)
    with duckdb.connect(str(building), read_only=True) as con:
        expected = con.execute("select * from marts.fct_daily order by all").fetchall()
    assert _state(current_version(published))[("marts", "fct_daily")][4] == expected


def test_without_the_link_the_next_version_is_written_from_empty(paths):
    """The documented way to have a carried-over file's free blocks gone (docs/bi.md)."""
    building, published = paths
    publish_atomically(building, published)
    assert _publish_logged(building, published).startswith("carried over")
    published.unlink()
    assert _publish_logged(building, published) == "written from empty"
    assert published.is_symlink() and os.readlink(published) == "w.v3.duckdb"
