"""Publishing the Spark marts (dagster_project/spark/publish.py): atomic for readers, and a build
that is not published (a blocking gate failed) leaves what readers see as it was.

No JVM: dbt-spark's output is stood in for by Parquet folders DuckDB writes in Spark's layout
(<warehouse>/_building/marts.db/<relation>/, day partitions as `as_of_date=<day>/` folders), and
every read is DuckDB's read_parquet, as a BI tool reads the published marts.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import duckdb
import pytest

from dagster_project.spark import publish as spark_publish
from dagster_project.spark.publish import (
    VERSIONS_KEPT,
    PublishError,
    building_dir,
    publish_marts,
    published_marts,
    versions,
)

RELATIONS = ["fct_a", "fct_daily"]


def write_build(warehouse: Path, generation: int) -> None:
    """What a dbt build on Spark leaves: each relation's folder replaced, rows tagged `generation`
    (fct_a: 10 * generation rows in several files; fct_daily: 3 day partitions)."""
    marts = building_dir(warehouse) / "marts.db"
    marts.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        for relation in RELATIONS:
            folder = marts / relation
            if folder.exists():
                shutil.rmtree(folder)  # as Spark's `create or replace`: the old files are deleted
        rows = f"select {generation} as generation, i from range({10 * generation}) as t(i)"
        con.execute(f"copy ({rows}) to '{marts / 'fct_a'}' (format parquet, per_thread_output true)")
        days = f"select {generation} as generation, date '2026-11-18' + d::int as as_of_date from range(3) as t(d)"
        con.execute(f"copy ({days}) to '{marts / 'fct_daily'}' (format parquet, partition_by (as_of_date))")


def read_published(warehouse: Path) -> dict[str, list[tuple]]:
    """What a reader sees: it resolves the published link once, then reads from that version."""
    version = Path(os.path.realpath(published_marts(warehouse)))
    seen = {}
    with duckdb.connect() as con:
        for relation in RELATIONS:
            scan = f"read_parquet('{version / relation}/**/*.parquet', hive_partitioning = true)"
            seen[relation] = con.execute(f"select generation, count(*) from {scan} group by all").fetchall()
    return seen


def test_publishing_makes_marts_db_a_link_to_a_version_of_hard_linked_files(tmp_path: Path) -> None:
    write_build(tmp_path, 1)
    folder = publish_marts(tmp_path, RELATIONS)
    link = published_marts(tmp_path)
    assert link.is_symlink() and link.resolve() == folder.resolve()
    assert read_published(tmp_path) == {"fct_a": [(1, 10)], "fct_daily": [(1, 3)]}
    built = sorted((building_dir(tmp_path) / "marts.db" / "fct_a").glob("*.parquet"))
    published = sorted((link / "fct_a").glob("*.parquet"))
    assert [p.name for p in built] == [p.name for p in published] and built
    assert all(b.stat().st_ino == p.stat().st_ino for b, p in zip(built, published, strict=True))  # no copy
    assert sorted(p.name for p in (link / "fct_daily").iterdir()) == [
        "as_of_date=2026-11-18",
        "as_of_date=2026-11-19",
        "as_of_date=2026-11-20",
    ]


def test_a_build_that_is_not_published_leaves_the_published_marts_as_they_were(tmp_path: Path) -> None:
    # a blocking gate failed: dbt rewrote its folders, publishing did not run
    write_build(tmp_path, 1)
    publish_marts(tmp_path, RELATIONS)
    before = os.readlink(published_marts(tmp_path))
    write_build(tmp_path, 2)
    assert os.readlink(published_marts(tmp_path)) == before
    assert read_published(tmp_path) == {"fct_a": [(1, 10)], "fct_daily": [(1, 3)]}


def test_a_reader_during_publishing_never_sees_a_partial_or_mixed_set_of_marts(tmp_path: Path, monkeypatch) -> None:
    # versions are published here far faster than a reader reads; keeping them all leaves the
    # swing alone under test (a reader two publications behind loses its version: next test)
    monkeypatch.setattr(spark_publish, "VERSIONS_KEPT", 1000)
    write_build(tmp_path, 1)
    publish_marts(tmp_path, RELATIONS)
    generations = 25
    done = threading.Event()
    errors: list[BaseException] = []

    def publish_many() -> None:
        try:
            for generation in range(2, generations + 1):
                write_build(tmp_path, generation)
                publish_marts(tmp_path, RELATIONS)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            done.set()

    writer = threading.Thread(target=publish_many)
    writer.start()
    reads = []
    while not done.is_set():
        seen = read_published(tmp_path)
        ((generation, rows),) = seen["fct_a"]
        assert rows == 10 * generation, seen  # every file of the mart, none of another version
        assert seen["fct_daily"] == [(generation, 3)], seen  # the other mart of the same version
        reads.append(generation)
    writer.join()
    assert not errors, errors
    assert read_published(tmp_path) == {"fct_a": [(generations, 10 * generations)], "fct_daily": [(generations, 3)]}
    assert len(set(reads)) > 1, reads  # the reader did read while versions changed


def test_only_the_newest_versions_are_kept_and_a_reader_of_a_deleted_one_gets_an_error(tmp_path: Path) -> None:
    write_build(tmp_path, 1)
    first = publish_marts(tmp_path, RELATIONS)
    for generation in range(2, 5):
        write_build(tmp_path, generation)
        publish_marts(tmp_path, RELATIONS)
    assert sorted(versions(tmp_path)) == [4 - VERSIONS_KEPT + 1 + k for k in range(VERSIONS_KEPT)]
    assert not first.exists() and not list((tmp_path / "_published").glob(".*"))
    with duckdb.connect() as con, pytest.raises(duckdb.IOException, match="No files found"):
        con.execute(f"select count(*) from read_parquet('{first / 'fct_a'}/**/*.parquet')")


def test_a_missing_mart_fails_publishing_and_leaves_the_link(tmp_path: Path) -> None:
    write_build(tmp_path, 1)
    publish_marts(tmp_path, RELATIONS)
    before = os.readlink(published_marts(tmp_path))
    with pytest.raises(PublishError, match="Spark marts missing under .*: fct_b"):
        publish_marts(tmp_path, [*RELATIONS, "fct_b"])
    assert os.readlink(published_marts(tmp_path)) == before


def test_a_plain_spark_warehouse_folder_is_not_overwritten(tmp_path: Path) -> None:
    write_build(tmp_path, 1)
    (tmp_path / "marts.db" / "fct_a").mkdir(parents=True)  # `python -m dagster_project.spark`'s layout
    with pytest.raises(PublishError, match="is a folder, not the published link"):
        publish_marts(tmp_path, RELATIONS)
    assert (tmp_path / "marts.db" / "fct_a").is_dir() and not published_marts(tmp_path).is_symlink()
