"""The dbt project as Dagster assets: staging → intermediate → marts, tests as asset checks."""

import json
import shutil
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from ..dbt_command import PARTIAL_PARSE_FILE, installed_dbt_preparer
from ..history_ranges import RangePlan, plan_first_build, range_days
from ..partitions import AsOfDays, as_of_date_partitions, days_of_partitions, single_run_backfill
from ..pools import WAREHOUSE_WRITER_POOL
from ..resources import PipelineSettings, dbt_subprocess_environment
from ..settings import DBT_PROJECT_DIR, Settings, dbt_target_dir, engine
from ..spark import job as spark_job
from ..spark import serving as spark_serving
from ..warehouse_sql import relation_exists

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def load_manifest() -> dict[str, Any]:
    """The dbt manifest Dagster's asset graph was made from (target/manifest.json)."""
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


# only under `dagster dev`, with the dbt beside this interpreter; setup/CI run `dbt parse` explicitly
installed_dbt_preparer().prepare_if_dev(dbt_project)


class RetentionDbtTranslator(DagsterDbtTranslator):
    """Models keyed by schema (``marts/dim_accounts``) and grouped by their dbt group (the area)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["config"]["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """The model's dbt group (its area, assigned by folder in dbt_project.yml; owners in
        models/_groups.yml), so the docs site and Dagster group models the same way."""
        if dbt_resource_props["resource_type"] == "seed":
            return "config"
        return dbt_resource_props.get("group") or super().get_group_name(dbt_resource_props)


dbt_translator = RetentionDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def dbt_vars(days: AsOfDays | None) -> dict[str, str]:
    """The dbt --vars of a run: the range to recompute (health_start_date / health_end_date) when
    the run recomputes days already written, nothing otherwise.

    The as-of date itself reaches dbt as CS_AS_OF_DATE (resources.dbt_subprocess_environment),
    not as a var: dbt keeps its parse state between runs only while the --vars stay the same, so a
    daily run, which passes none, skips the full parse of the project (~4 s).
    """
    if days is None:
        return {}
    return {"health_start_date": days.first.isoformat(), "health_end_date": days.last.isoformat()}


def days_to_recompute(days: AsOfDays | None, latest_written: date | None) -> AsOfDays | None:
    """The run's days that replace days already in the daily history (a backfill), or None.

    A run for days after the latest written day - the daily run, a first build - leaves the range
    to the incremental models, which add every day after the latest one up to the as-of date (so
    a day the schedule missed is added too); so does a second run of the latest day (the sensor's
    run after a late batch), which keeps that day as written, and its dbt parse state. A run that
    reaches further into the written days recomputes exactly its range, deleting it first
    (macros/health/health_range.sql).
    """
    if days is None or latest_written is None or days.first > latest_written:
        return None
    if days.first == days.last == latest_written:
        return None
    return days


def dbt_build_args(history: bool, recompute: AsOfDays | None) -> list[str]:
    """``dbt build`` of a run. Data tests guard every run; unit tests check the SQL, not the data,
    so they run in CI (tests/test_dbt_unit_tests.py) and not in production runs, as dbt recommends."""
    variables = dbt_vars(recompute)
    return [
        "build",
        "--exclude-resource-type",
        "unit_test",
        *thread_args(history),
        *(["--vars", json.dumps(variables)] if variables else []),
    ]


# The table whose absence means this run builds the whole history (a first build).
HISTORY_TABLE = ("marts", "fct_account_health_daily")


def latest_history_day(con: duckdb.DuckDBPyConnection) -> date | None:
    """The latest day in the daily health table; None when it is not built yet (a first build)."""
    if not relation_exists(con, ".".join(HISTORY_TABLE)):
        return None
    return con.execute(f"select max(as_of_date) from {'.'.join(HISTORY_TABLE)}").fetchone()[0]


def first_build_ranges(con: duckdb.DuckDBPyConnection, settings: Settings) -> RangePlan:
    """The ranges of days a first build computes before its ``dbt build`` (history_ranges.py),
    sized by the accounts the CRM extract holds."""
    accounts = con.execute("select count(*) from raw.crm_accounts").fetchone()[0]
    days = range_days(accounts, settings.duckdb_memory_limit, settings.history_range_days)
    return plan_first_build(settings.as_of_date, days)


def build_history_in_ranges(context: dg.AssetExecutionContext, dbt: DbtCliResource, plan: RangePlan) -> None:
    """The dbt invocation of each range of a first build (history_ranges.py), logged; a failed
    one fails the asset with dbt's error. Made without the context: only the run's ``dbt build``
    reports materializations and checks to Dagster. Only when the run builds the daily history
    (a first build that selects fct_account_health_daily: a selection of other models alone
    builds what it names)."""
    if not plan.range_ends:
        return
    context.log.info(
        f"first build of the daily history in {len(plan.range_ends) + 1} ranges of up to {plan.range_days} days "
        f"(the last by dbt build), ending {', '.join(end.isoformat() for end in plan.range_ends)}"
    )
    manifest = load_manifest()
    for number, args in enumerate(plan.invocations(thread_args(history=True)), start=1):
        started = time.monotonic()
        target = dbt_target_dir() / f"{RANGES_TARGET_PREFIX}{number}"
        dbt.cli(args, manifest=manifest, dagster_dbt_translator=dbt_translator, target_path=target).wait()
        context.log.info(f"dbt {' '.join(args)}: {time.monotonic() - started:.1f} s")


# under dbt's base target folder, one per range (its run_results.json: the benchmark reads them)
RANGES_TARGET_PREFIX = "history-range-"


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


def build_dbt_models(partitions_def: dg.PartitionsDefinition | None) -> dg.AssetsDefinition:
    """The dbt project as one multi-asset (a daily run is one dbt invocation), partitioned by
    as-of day or not (definitions.py says which entry point uses which)."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        pool=WAREHOUSE_WRITER_POOL,
        dagster_dbt_translator=dbt_translator,
        partitions_def=partitions_def,
        backfill_policy=single_run_backfill if partitions_def is not None else None,
        name="dbt_models",
    )
    def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, pipeline: PipelineSettings):
        """One dbt build as of the run's partition (range), else CS_AS_OF_DATE: see :func:`days_to_recompute`."""
        settings = pipeline.resolve()  # as of the partition's (range's last) day
        on_spark = engine() == "spark"
        if on_spark:  # the history Spark built (the DuckDB file's copy may be older: spark/serving.py)
            warehouse = spark_job.building_warehouse()
            latest = spark_serving.latest_history_day(warehouse)
        else:
            with pipeline.connect() as con:
                latest = latest_history_day(con)
                builds_daily_history = (
                    latest is None and dg.AssetKey(list(HISTORY_TABLE)) in context.selected_asset_keys
                )
                ranges = first_build_ranges(con, settings) if builds_daily_history else RangePlan(0, ())
        recompute = days_to_recompute(days_of_partitions(context), latest)
        build_args = dbt_build_args(latest is None, recompute)
        if on_spark:  # build.py's plan of dbt invocations through dagster-dbt (spark/job.py)
            manifest = load_manifest()
            with dbt_subprocess_environment(settings, spark_job.spark_environment(warehouse)):
                yield from spark_job.build_on_spark(
                    context, dbt, pipeline, warehouse, build_args, manifest, dbt_translator
                )
            return
        with dbt_subprocess_environment(settings):
            build_history_in_ranges(context, dbt, ranges)
            invocation = dbt.cli(build_args, context=context)
        yield from invocation.stream()
        keep_parse_state(invocation.target_path)

    return dbt_models


# By as-of day: what `dagster dev`, the schedule, the sensor and `cs-retention` run.
dbt_models = build_dbt_models(as_of_date_partitions)
# Not partitioned, as of CS_AS_OF_DATE: what the mart contract's command runs
# (`dagster asset materialize -m dagster_project.definitions --select '*'`, which Dagster refuses
# for partitioned assets unless it names a partition).
dbt_models_as_of_setting = build_dbt_models(None)
