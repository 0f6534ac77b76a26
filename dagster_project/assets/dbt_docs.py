"""dbt's documentation site (static, one file) beside the report, so lineage from source to
report is browsable without a server."""

import hashlib
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from ..dbt_command import PARTIAL_PARSE_FILE
from ..pools import WAREHOUSE_WRITER_POOL
from ..publishing import publishes
from ..resources import PipelineSettings, dbt_subprocess_environment
from ..settings import DBT_DOCS_TARGET_NAME
from .dbt import dbt_project, parse_state_file
from .publish import published_warehouse

SITE_FINGERPRINT_FILE = "site_fingerprint"

# Everything dbt-duckdb's catalog reads from the warehouse about the relations it documents:
# their columns, types and comments (no row counts or other statistics).
CATALOG_SHAPE_SQL = """
    select 'relation', schema_name, table_name, null, null, comment
    from duckdb_tables() where database_name = current_database()
    union all
    select 'relation', schema_name, view_name, null, null, comment
    from duckdb_views() where database_name = current_database() and not internal
    union all
    select 'column', schema_name, table_name, column_index, data_type || ' ' || column_name, comment
    from duckdb_columns() where database_name = current_database() and not internal
"""
DOCUMENTED = ("model", "seed", "snapshot", "source")


def documented_schemas(manifest: dict) -> list[str]:
    """The schemas of the relations the site documents (not the quality or alert ledgers, or
    dbt's test audit tables, which other steps write to)."""
    nodes = [*manifest.get("nodes", {}).values(), *manifest.get("sources", {}).values()]
    return sorted({node["schema"] for node in nodes if node.get("resource_type") in DOCUMENTED})


def site_fingerprint(warehouse: Path, manifest: Path) -> str:
    """What the docs site is made of: the parsed project (manifest.json, which also names the dbt
    version) and the shape of the documented relations. Same fingerprint, same site."""
    manifest_bytes = manifest.read_bytes()
    schemas = documented_schemas(json.loads(manifest_bytes))
    digest = hashlib.sha256(manifest_bytes)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        shape = con.execute(
            f"select * from ({CATALOG_SHAPE_SQL}) where schema_name in (select unnest(?)) order by all", [schemas]
        ).fetchall()
    digest.update(repr(shape).encode())
    return digest.hexdigest()


@dg.asset(
    deps=[published_warehouse],
    group_name="serving",
    pool=WAREHOUSE_WRITER_POOL,
    kinds={"dbt", "html"},
    description="dbt docs (models, columns, tests, lineage incl. the report and BI exposures) as a static site.",
)
def dbt_docs_site(context: dg.AssetExecutionContext, dbt: DbtCliResource, pipeline: PipelineSettings):
    settings = pipeline.resolve()
    site = settings.output_dir / "dbt_docs" / "index.html"
    if not publishes(context.run.tags):  # the site documents the published warehouse
        context.log.info(f"run tagged cs/publish=false: keeping {site}")
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(site)), "regenerated": False})
    target = settings.building_path.parent / DBT_DOCS_TARGET_NAME
    target.mkdir(parents=True, exist_ok=True)
    fingerprint = site_fingerprint(settings.building_path, dbt_project.manifest_path)
    kept = target / SITE_FINGERPRINT_FILE
    # A daily run changes the data, not the models: the site would come out the same
    if site.is_file() and kept.is_file() and kept.read_text(encoding="utf-8") == fingerprint:
        context.log.info(f"dbt docs: models and relations unchanged, keeping {site}")
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(site)), "regenerated": False})
    # The parsed manifest Dagster loaded the models from already holds the lineage, descriptions
    # and tests; `--no-compile` reuses it instead of compiling every node again (13 s -> 5 s on
    # the sample); the site then shows each model's source SQL, and only the catalog is queried.
    # The build's parse state spares dbt parsing the project again (same profile and vars).
    shutil.copyfile(dbt_project.manifest_path, target / "manifest.json")
    parse_state = parse_state_file()
    if parse_state.is_file():
        shutil.copyfile(parse_state, target / PARTIAL_PARSE_FILE)
    with dbt_subprocess_environment(settings):  # the catalog reads the built relations
        invocation = dbt.cli(["docs", "generate", "--static", "--no-compile"], target_path=target)
    invocation.wait()
    site.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(target / "static_index.html", site)
    kept.write_text(fingerprint, encoding="utf-8")
    context.log.info(f"dbt docs: {site}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(site)), "regenerated": True})
