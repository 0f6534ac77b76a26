"""Assembles the Dagster definitions from the modules below; does nothing else."""

import dagster as dg

from .assets.dbt import dbt_models
from .assets.publish import published_warehouse
from .assets.raw import raw_assets
from .resources import PipelineSettings, dbt_resource

defs = dg.Definitions(
    assets=[*raw_assets, dbt_models, published_warehouse],
    resources={"pipeline": PipelineSettings(), "dbt": dbt_resource()},
    # DuckDB has one writer: every step runs in one process, one after another.
    executor=dg.in_process_executor,
)
