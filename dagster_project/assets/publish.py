"""Publishing: the working warehouse replaces the file BI tools read, atomically.

Runs only after every dbt model and blocking check upstream has passed, so BI tools never see
a half-built or failed state. Readers holding the old file keep reading it (POSIX rename).
"""

import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb

from ..resources import PipelineSettings
from .dbt import dbt_models


def publish_atomically(building: Path, published: Path) -> None:
    """Copy the working file beside the target, flush it to disk, then rename over the target."""
    with duckdb.connect(str(building)) as con:  # fold the WAL into the file before copying
        con.execute("checkpoint")
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(f".{published.name}.publishing")
    shutil.copyfile(building, staging)
    with open(staging, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staging, published)


@dg.asset(
    deps=[dbt_models],
    group_name="serving",
    kinds={"duckdb"},
    description="The warehouse file BI tools read (CS_WAREHOUSE_PATH), replaced atomically after a good run.",
)
def published_warehouse(context: dg.AssetExecutionContext, pipeline: PipelineSettings) -> dg.MaterializeResult:
    settings = pipeline.resolve()
    publish_atomically(settings.building_path, settings.warehouse_path)
    context.log.info(f"published {settings.warehouse_path}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(settings.warehouse_path)),
            "size_mb": round(settings.warehouse_path.stat().st_size / 1e6, 2),
            "as_of_date": settings.as_of_date.isoformat(),
        }
    )
