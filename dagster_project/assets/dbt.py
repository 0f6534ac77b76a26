"""The dbt project as Dagster assets: staging → intermediate → marts, tests as asset checks."""

import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from ..resources import PipelineSettings
from ..settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()  # only under `dagster dev`; setup/CI run `dbt parse` explicitly


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


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=RetentionDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, pipeline: PipelineSettings):
    settings = pipeline.resolve()
    # profiles.yml reads the working warehouse path from the environment of the dbt subprocess
    os.environ["CS_DBT_DUCKDB_PATH"] = str(settings.building_path)
    yield from dbt.cli(["build", "--vars", settings.dbt_vars()], context=context).stream()
