"""dbt's documentation site (static, one file) beside the report, so lineage from source to
report is browsable without a server."""

import os
import shutil

import dagster as dg
from dagster_dbt import DbtCliResource

from ..resources import PipelineSettings
from .publish import published_warehouse


@dg.asset(
    deps=[published_warehouse],
    group_name="serving",
    kinds={"dbt", "html"},
    description="dbt docs (models, columns, tests, lineage incl. the report and BI exposures) as a static site.",
)
def dbt_docs_site(context: dg.AssetExecutionContext, dbt: DbtCliResource, pipeline: PipelineSettings):
    settings = pipeline.resolve()
    os.environ["CS_DBT_DUCKDB_PATH"] = str(settings.building_path)  # the catalog reads the built relations
    target = settings.building_path.parent / ".dbt_docs_target"
    invocation = dbt.cli(["docs", "generate", "--static", "--vars", settings.dbt_vars()], target_path=target)
    invocation.wait()
    out_dir = settings.output_dir / "dbt_docs"
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(target / "static_index.html", out_dir / "index.html")
    context.log.info(f"dbt docs: {out_dir / 'index.html'}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(out_dir / "index.html"))})
