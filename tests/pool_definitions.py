"""A code location for tests/test_one_writer.py: the pipeline's real CRM load (in the
warehouse writer pool) as a job of its own, so two queued runs are quick."""

import dagster as dg

from dagster_project.assets.raw import raw_assets
from dagster_project.resources import PipelineSettings

raw_crm = next(asset for asset in raw_assets if asset.node_def.name == "raw_crm")

defs = dg.Definitions(
    assets=[raw_crm],
    jobs=[dg.define_asset_job("load_crm", selection=dg.AssetSelection.assets(raw_crm))],
    resources={"pipeline": PipelineSettings()},
    executor=dg.in_process_executor,
)
