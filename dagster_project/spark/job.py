"""The dbt asset's build on Spark (CS_ENGINE=spark): build.py's plan through dagster-dbt.

The same plan as `python -m dagster_project.spark` (build.py's module doc), one dbt subprocess
per invocation through dagster-dbt's public ``DbtCliResource.cli`` with ``--target spark``, so
Dagster records one materialization per model and every dbt test as an asset check, exactly as
on DuckDB:

0. the loader's raw tables as Parquet folders (raw_layer.py), registered as database `raw`
   (steps.py, its own JVM);
1. `build` of the weight fit's inputs (build.FIT_INPUTS), no tests;
2. the weight fit (steps.py `fit`, its own JVM);
3. `build` of the rest, with the tests whose parents are all built;
4. `test` of the fit's inputs;
then the Spark tables the gates, publishing, report and alerts read are copied into the DuckDB
working file (serving.py).

Each dbt invocation is its own process and JVM, one after another: Derby allows one JVM per
metastore. dbt reads the job's Spark warehouse (<CS_SPARK_WAREHOUSE_DIR>/_building, publish.py)
from CS_DBT_SPARK_WAREHOUSE_DIR in its environment (profiles.yml).

The invocations run without the Dagster context: given the context, dagster-dbt adds the run's
own `--select` (all models) to every invocation, and dbt takes the union of several `--select`s,
so each invocation would build everything. The events are mapped to the asset's outputs and
checks here instead (``asset_events``), with dagster-dbt's manifest and translator.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource

from ..settings import dbt_target_dir, spark_warehouse_dir
from . import build, publish, raw_layer, serving, steps

SPARK_TARGET = ("--target", "spark")
TARGET_FOLDER = "spark"  # under dbt's base target folder: its parse state is kept between runs


class SparkStepFailed(dg.Failure):
    """A Spark step outside dbt failed (its output in the message)."""


def building_warehouse() -> Path:
    """The job's Spark SQL warehouse, where dbt writes (publish.py: readers never look there)."""
    return publish.building_dir(spark_warehouse_dir())


def spark_environment(warehouse: Path) -> dict[str, str]:
    """What the dbt subprocesses read besides Settings.dbt_environment: the warehouse dbt writes
    (profiles.yml; a variable of its own, as CS_DBT_DUCKDB_PATH: CS_SPARK_WAREHOUSE_DIR keeps
    naming the published marts' folder for everything else in the process)."""
    return {"CS_DBT_SPARK_WAREHOUSE_DIR": str(warehouse)}


def invocation_plan(build_args: Sequence[str]) -> list[list[str]]:
    """The dbt invocations of one Spark build, from the DuckDB build's ``dbt build`` arguments
    (the same --vars: an incremental daily run or backfill passes what DuckDB gets). Not its
    --threads: DuckDB's first build runs one node at a time so that two heavy models do not share
    its memory limit (assets/dbt.py thread_args); on Spark each node is a Spark job whose time is
    mostly the driver's planning, which the profile's two threads overlap (docs/scaling.md)."""
    assert build_args[0] == "build", build_args
    rest = _without_threads(build_args[1:])
    variables = rest[rest.index("--vars") : rest.index("--vars") + 2] if "--vars" in rest else []
    return [
        ["build", "--select", build.FIT_INPUTS, "--exclude-resource-type", "test", *rest, *SPARK_TARGET],
        ["build", "--exclude", build.FIT_INPUTS, *rest, *SPARK_TARGET],
        ["test", "--select", build.FIT_INPUTS, "--exclude-resource-type", "unit_test", *variables, *SPARK_TARGET],
    ]


def _without_threads(args: Sequence[str]) -> list[str]:
    kept = list(args)
    if "--threads" in kept:
        at = kept.index("--threads")
        del kept[at : at + 2]
    return kept


def run_step(step: str, warehouse: Path, log) -> None:
    """A Spark step of steps.py in its own process; raises SparkStepFailed with its output."""
    done = subprocess.run(steps.command(step, warehouse), capture_output=True, text=True)
    if done.returncode != 0:
        raise SparkStepFailed(
            description=f"Spark step {step} failed (exit code {done.returncode})",
            metadata={"output": dg.MetadataValue.text((done.stdout + done.stderr)[-8000:])},
        )
    log.info(done.stdout.strip())


def asset_events(context: dg.AssetExecutionContext, events: Iterator) -> Iterator:
    """dagster-dbt's events of an invocation made without the context, as this asset's outputs
    (a model's materialization) and asset check results (a dbt test)."""
    for event in events:
        if isinstance(event, dg.AssetMaterialization):
            output = context.assets_def.get_output_name_for_asset_key(event.asset_key)
            yield dg.Output(None, output_name=output, metadata=event.metadata)
        elif isinstance(event, dg.AssetCheckEvaluation):
            yield dg.AssetCheckResult(
                asset_key=event.asset_key,
                check_name=event.check_name,
                passed=event.passed,
                severity=event.severity,
                metadata=event.metadata,
                description=event.description,
            )
        else:
            yield event


def refuse_subsets(context: dg.AssetExecutionContext) -> None:
    """On Spark the dbt asset builds every model (the job, `materialize --select '*'`): a subset
    (one model, the health-history backfill job's selection) is not planned yet."""
    assets_def = context.assets_def
    if set(context.selected_asset_keys) != set(assets_def.keys) or set(context.selected_asset_check_keys) != set(
        assets_def.check_keys
    ):
        raise dg.Failure(
            description="CS_ENGINE=spark builds every dbt model in one run; a subset of the dbt models "
            "(a partial selection or the health-history backfill job) is not supported on Spark yet (docs/scaling.md)"
        )


def build_on_spark(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    pipeline,
    warehouse: Path,
    build_args: Sequence[str],
    manifest: dict,
    translator: DagsterDbtTranslator,
) -> Iterator:
    """Steps 0-4 of the module doc, then the serving copy; yields the dbt events as the asset's."""
    refuse_subsets(context)
    with pipeline.connect() as con:
        raw_layer.write_raw_parquet(con, warehouse / "raw.db")
    run_step("register-raw", warehouse, context.log)
    target = dbt_target_dir() / TARGET_FOLDER
    for number, args in enumerate(invocation_plan(build_args)):
        if number == 1:
            run_step("fit", warehouse, context.log)
        invocation = dbt.cli(args, manifest=manifest, dagster_dbt_translator=translator, target_path=target)
        yield from asset_events(context, invocation.stream())
    with pipeline.connect() as con:
        copied = serving.serve_spark_tables(con, warehouse, manifest)
    context.log.info(f"served {len(copied)} Spark tables into the DuckDB working file")
