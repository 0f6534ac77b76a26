"""A code location for tests/test_one_writer.py: the pipeline's real CRM load (in the
warehouse writer pool) as a job of its own, so two queued runs are quick."""

import os
import time
from pathlib import Path

import dagster as dg

from dagster_project.assets.raw import raw_assets
from dagster_project.pools import WAREHOUSE_WRITER_POOL
from dagster_project.resources import PipelineSettings

raw_crm = next(asset for asset in raw_assets if asset.node_def.name == "raw_crm")


@dg.asset(pool=WAREHOUSE_WRITER_POOL)
def held_writer() -> None:
    """Plays a long CLI run: holds the writer pool until the file CS_TEST_RELEASE exists."""
    release = Path(os.environ["CS_TEST_RELEASE"])
    deadline = time.monotonic() + 300
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.2)


defs = dg.Definitions(
    assets=[raw_crm, held_writer],
    jobs=[
        dg.define_asset_job("load_crm", selection=dg.AssetSelection.assets(raw_crm)),
        dg.define_asset_job("hold_writer", selection=dg.AssetSelection.assets(held_writer)),
    ],
    resources={"pipeline": PipelineSettings()},
    executor=dg.in_process_executor,
)
