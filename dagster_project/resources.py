"""Resources: where the run reads and writes. All I/O configuration lives here.

Settings are resolved when a run starts, not when the code location loads, so a long-lived
``dagster dev`` or a daily schedule always runs "as of" the right day.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import cached_property

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging import version

from .dbt_command import DBT_EXECUTABLE
from .settings import DBT_PROJECT_DIR, Settings, load_settings


class PipelineSettings(dg.ConfigurableResource):
    """The mart-contract settings, from the environment unless a run overrides them."""

    as_of_date: str | None = None  # YYYY-MM-DD; schedules and backfills set it per run

    def resolve(self) -> Settings:
        settings = load_settings()
        if self.as_of_date:
            settings = dataclasses.replace(settings, as_of_date=date.fromisoformat(self.as_of_date))
        return settings

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to the working warehouse (one writer at a time)."""
        settings = self.resolve()
        path = settings.building_path
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path))
        try:
            con.execute("set TimeZone = 'UTC'")
            con.execute(f"set memory_limit = '{settings.duckdb_memory_limit}'")
            yield con
        finally:
            con.close()


class InstalledDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource for the dbt-core installed beside this interpreter.

    Before each invocation dagster-dbt asks the executable for its version (`dbt --version`, to
    tell dbt Core from the Fusion engine): one more dbt start-up, 2 s of every daily run. Our
    executable is always the dbt-core package of this environment (DBT_EXECUTABLE), so the
    package's version is that answer (tests/test_dbt_resource.py compares the two).
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


def dbt_resource() -> DbtCliResource:
    # dbt beside this interpreter: works from cron or a BI host without an activated venv.
    return InstalledDbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=str(DBT_EXECUTABLE))
