"""Fixtures for the quality-gate tests: a tiny warehouse in tmp and one GX session per test run.

Great Expectations is imported once (the session-scoped ``gx`` fixture); each gate test builds
only the few rows it needs with the loader's own DDL (``init_raw_schema``) or small mart tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project.checks.config import default_config
from dagster_project.checks.core import CheckInputs, as_of_time
from dagster_project.checks.gx_runner import GxSession
from dagster_project.extracts.loader import init_raw_schema


@pytest.fixture(scope="session")
def gx() -> GxSession:
    """One ephemeral GX context for every direct gate test (no Data Docs)."""
    return GxSession("pytest", docs_dir=None)


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A warehouse file with the raw schema (empty tables, ledger, quarantine) in UTC."""
    connection = duckdb.connect(str(tmp_path / "warehouse.building.duckdb"))
    connection.execute("set TimeZone = 'UTC'")
    init_raw_schema(connection)
    yield connection
    connection.close()


@pytest.fixture
def make_inputs(gx: GxSession):
    """CheckInputs as of a day (judged at that day's end unless ``now`` is earlier)."""

    def make(as_of: str, now: datetime = datetime(2100, 1, 1), config=None) -> CheckInputs:
        day = date.fromisoformat(as_of)
        return CheckInputs(day, as_of_time(day, now), config or default_config(), gx)

    return make
