"""Fixtures of the extract-contract tests: a fresh copy of the example landing, an in-memory DuckDB."""

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.fixtures import EXAMPLE_LANDING


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    target = tmp_path / "landing"
    shutil.copytree(EXAMPLE_LANDING, target)
    return target


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()
