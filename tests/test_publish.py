"""Publishing copies the working warehouse around the page cache: same bytes, whatever the file."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import duckdb
import pytest

from dagster_project.assets import publish
from dagster_project.assets.publish import COPY_CHUNK_BYTES, copy_around_page_cache, publish_atomically


def _file_of(path: Path, size: int) -> str:
    """A file of ``size`` pseudo-random bytes; returns its digest."""
    data = hashlib.shake_256(str(size).encode()).digest(size)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# whole blocks over chunk boundaries; a tail that is not whole blocks; smaller than a block; empty
SIZES = [2 * COPY_CHUNK_BYTES + 8 * 4096, COPY_CHUNK_BYTES + 4096 + 123, 1000, 0]


@pytest.mark.parametrize("size", SIZES)
def test_the_copy_has_the_same_bytes(tmp_path, size):
    source, target = tmp_path / "source.bin", tmp_path / "target.bin"
    expected = _file_of(source, size)
    copy_around_page_cache(source, target)
    assert target.stat().st_size == size
    assert _digest(target) == expected


def test_a_copy_replaces_what_the_target_held(tmp_path):
    source, target = tmp_path / "source.bin", tmp_path / "target.bin"
    expected = _file_of(source, 3 * 4096)
    target.write_bytes(b"x" * (5 * 4096))  # a longer, older file
    copy_around_page_cache(source, target)
    assert _digest(target) == expected


def test_without_o_direct_the_copy_goes_through_the_cache(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "O_DIRECT", raising=False)  # e.g. macOS
    source, target = tmp_path / "source.bin", tmp_path / "target.bin"
    expected = _file_of(source, COPY_CHUNK_BYTES + 77)
    copy_around_page_cache(source, target)
    assert _digest(target) == expected


@pytest.mark.skipif(not hasattr(os, "O_DIRECT"), reason="O_DIRECT is Linux's")
def test_a_file_system_that_refuses_direct_writes_gets_the_rest_through_the_cache(tmp_path, monkeypatch):
    import fcntl

    real_write = os.write
    direct_writes = []

    def refusing_write(fd, data):
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT:
            direct_writes.append(len(data))
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_write(fd, data)

    monkeypatch.setattr(publish.os, "write", refusing_write)
    source, target = tmp_path / "source.bin", tmp_path / "target.bin"
    expected = _file_of(source, 2 * COPY_CHUNK_BYTES + 4096)
    copy_around_page_cache(source, target)
    assert direct_writes == [COPY_CHUNK_BYTES]  # tried once, then the flag was dropped
    assert _digest(target) == expected


def test_publishing_replaces_the_published_warehouse_with_the_working_one(tmp_path):
    building, published = tmp_path / "w.building.duckdb", tmp_path / "w.duckdb"
    with duckdb.connect(str(building)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t as select range as n from range(300000)")
    with duckdb.connect(str(published)) as con:
        con.execute("create table old as select 1 as n")
    publish_atomically(building, published)
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*), sum(n) from marts.t").fetchone() == (300000, 44999850000)
        assert con.execute("select count(*) from duckdb_tables() where table_name = 'old'").fetchone() == (0,)
    assert not list(tmp_path.glob(".*publishing"))  # the staging copy was renamed, not left behind
