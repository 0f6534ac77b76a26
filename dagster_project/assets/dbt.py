"""The dbt project as Dagster assets: staging → intermediate → marts, tests as asset checks."""

import json
import os
import shutil
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from ..dbt_command import PARTIAL_PARSE_FILE, installed_dbt_preparer
from ..pools import WAREHOUSE_WRITER_POOL
from ..resources import PipelineSettings
from ..settings import DBT_PROJECT_DIR, dbt_target_dir

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# only under `dagster dev`, with the dbt beside this interpreter; setup/CI run `dbt parse` explicitly
installed_dbt_preparer().prepare_if_dev(dbt_project)


class RetentionDbtTranslator(DagsterDbtTranslator):
    """Models keyed by schema (``marts/dim_accounts``) and grouped by area folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["config"]["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "config"
        if len(fqn) >= 3 and fqn[1] in ("intermediate", "marts"):
            return fqn[2]  # the area: revenue, health, cohorts, renewals …
        return fqn[1] if len(fqn) > 1 else None


class HealthHistoryRange(dg.Config):
    """A backfill of the daily health history: recompute exactly these days (YYYY-MM-DD, inclusive).

    Empty (the default, as in every scheduled run): the incremental model adds the days after
    the latest one it holds, up to the as-of date.
    """

    health_start_date: str | None = None
    health_end_date: str | None = None

    def as_vars(self) -> dict[str, str]:
        days = {"health_start_date": self.health_start_date, "health_end_date": self.health_end_date}
        if any(days.values()) and not all(days.values()):
            raise dg.Failure("a health backfill needs both health_start_date and health_end_date")
        return {key: date.fromisoformat(value).isoformat() for key, value in days.items() if value}

    def as_cli_args(self) -> list[str]:
        """``--vars`` for a backfill; nothing for a scheduled run, so dbt's parse state is reused."""
        variables = self.as_vars()
        return ["--vars", json.dumps(variables)] if variables else []


# The table whose absence means this run builds the whole history (a first build).
HISTORY_TABLE = ("marts", "fct_account_health_daily")


def builds_history(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this dbt build computes the whole history: the daily health table is not there yet."""
    schema, table = HISTORY_TABLE
    query = "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?"
    return con.execute(query, [schema, table]).fetchone()[0] == 0


def thread_args(history: bool) -> list[str]:
    """dbt's threads for this build (the profile says 2).

    A first build runs one model at a time: its heavy models scan the whole history, DuckDB
    already runs each on every core, and two at once share the memory limit and spill (large
    benchmark: dbt 168 -> 155 s). A daily run keeps two: its ~400 nodes are small and mostly
    dbt's own per-node work, which a second thread overlaps (large: 25.6 -> 22.9 s).
    """
    return ["--threads", "1"] if history else []


def parse_state_file() -> Path:
    """Where the next dbt invocation's parse state is taken from: dagster-dbt's base target folder
    (DBT_TARGET_PATH, relative to the project unless absolute, else the project's target/)."""
    return dbt_target_dir() / PARTIAL_PARSE_FILE


def keep_parse_state(invocation_target: Path) -> None:
    """Leave dbt's parse state where the next run's dbt starts from.

    dagster-dbt gives every invocation its own target folder and seeds it with the
    ``partial_parse.msgpack`` of the base target folder (DBT_TARGET_PATH or the project's
    target/), but never writes the new one back; without this, every run parses all ~470 nodes
    again (about 4 s). dbt checks the state it loads (file hashes, profile, vars) and parses
    again whatever changed, so a stale copy costs time, never correctness.
    """
    state = invocation_target / PARTIAL_PARSE_FILE
    if state.is_file():
        kept = parse_state_file()
        kept.parent.mkdir(parents=True, exist_ok=True)
        partial = kept.with_suffix(".tmp")
        shutil.copyfile(state, partial)
        partial.replace(kept)  # atomic: a run starting meanwhile reads the old or the new file


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    pool=WAREHOUSE_WRITER_POOL,
    dagster_dbt_translator=RetentionDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, pipeline: PipelineSettings, config: HealthHistoryRange
):
    settings = pipeline.resolve()
    # profiles.yml and the as-of date macro read the environment of the dbt subprocess
    os.environ.update(settings.dbt_environment())
    # Data tests guard every run; unit tests check the SQL, not the data, so they run in CI
    # (tests/test_dbt_unit_tests.py) and not in production runs, as dbt recommends.
    with pipeline.connect() as con:
        history = builds_history(con)
    build = ["build", "--exclude-resource-type", "unit_test", *thread_args(history), *config.as_cli_args()]
    invocation = dbt.cli(build, context=context)
    yield from invocation.stream()
    keep_parse_state(invocation.target_path)
