"""Resources: where the run reads and writes. All I/O configuration lives here.

Settings are resolved when a run starts, not when the code location loads, so a long-lived
``dagster dev`` or a daily schedule always runs "as of" the right day: the run's partition
(partitions.py) when it has one, else CS_AS_OF_DATE or today (settings.py).
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import PrivateAttr

from .dbt_command import DBT_EXECUTABLE
from .partitions import AsOfDays, days_of_run
from .settings import DBT_PROJECT_DIR, Settings, engine, load_settings


class PipelineSettings(dg.ConfigurableResource):
    """The mart-contract settings (settings.py), as of the run's partition when it has one."""

    _run_days: AsOfDays | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run = context.dagster_run
        self._run_days = days_of_run(run.tags) if run is not None else None

    def resolve(self) -> Settings:
        engine()  # validated when the run starts (CS_ENGINE)
        settings = load_settings()
        if self._run_days is not None:
            settings = dataclasses.replace(settings, as_of_date=self._run_days.as_of_date)
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


@contextmanager
def dbt_subprocess_environment(settings: Settings, extra: Mapping[str, str] | None = None) -> Iterator[None]:
    """Give the dbt subprocess started inside this block the run's warehouse, memory limit and
    as-of date (``Settings.dbt_environment``: what profiles.yml and macros/as_of_date.sql read),
    and ``extra`` (on Spark, the warehouse dbt writes: spark/job.py).

    This is the one way the as-of date reaches dbt (docs/operations.md). dagster-dbt builds the
    subprocess's environment from ``os.environ`` and takes no other, so the variables are set for
    the block and put back after it: nothing else in the process reads them.
    """
    variables = {**settings.dbt_environment(), **(extra or {})}
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class InstalledDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource for the dbt-core installed beside this interpreter.

    Before each invocation dagster-dbt asks the executable for its version (`dbt --version`, to
    tell dbt Core from the Fusion engine): one more dbt start-up, 2 s of every daily run. Our
    executable is always the dbt-core package of this environment (DBT_EXECUTABLE), so the
    package's version is that answer (tests/test_dbt_resource.py compares the two).

    ``_cli_version`` is dagster-dbt's private attribute and has no public replacement; this class
    is the project's only reach-in to a dependency's private API, and tests/test_dbt_resource.py
    fails loudly when dagster-dbt stops defining or using it.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


def dbt_resource() -> DbtCliResource:
    # dbt beside this interpreter: works from cron or a BI host without an activated venv.
    return InstalledDbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=str(DBT_EXECUTABLE))
