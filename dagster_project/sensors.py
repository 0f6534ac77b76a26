"""Start a run when a new batch (with its manifest) lands in any source.

The sensor never opens the working warehouse (a running pipeline holds its only write lock);
it reads the load ledger's summary that publishing writes beside the published file (replaced
atomically, like it), and remembers the batches it already asked for in its cursor. The run is
as of today (UTC), or CS_AS_OF_DATE: that day's partition.
"""

import json
from pathlib import Path

import dagster as dg

from .assets.publish import loaded_batches_path
from .extracts.spec import SOURCES
from .jobs import daily_run_job
from .settings import load_settings


def landed_batches(landing_dir: Path) -> set[str]:
    """`source/batch_id` of every batch folder whose manifest has arrived (written last by connectors)."""
    found = set()
    for source in SOURCES:
        for manifest in (landing_dir / source).glob("*/_manifest.json"):
            try:
                batch_id = json.loads(manifest.read_text()).get("batch_id") or manifest.parent.name
            except ValueError:  # unreadable: the run will reject it with a clear error
                batch_id = manifest.parent.name
            found.add(f"{source}/{batch_id}")
    return found


def loaded_batches(published_warehouse: Path) -> set[str]:
    """Batches the last published run already loaded (its ledger, assets/publish.py)."""
    ledger = loaded_batches_path(published_warehouse)
    if not ledger.is_file():
        return set()
    return set(json.loads(ledger.read_text()))


@dg.sensor(job=daily_run_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def new_batch_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    settings = load_settings()
    requested = set(json.loads(context.cursor)) if context.cursor else set()
    new = sorted(landed_batches(settings.landing_dir) - loaded_batches(settings.warehouse_path) - requested)
    if not new:
        return dg.SensorResult(skip_reason="no new batch with a manifest")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key="batches:" + ",".join(new),
                partition_key=settings.as_of_date.isoformat(),  # today's partition, or CS_AS_OF_DATE
                tags={"cs/new_batches": ",".join(new)[:200]},
            )
        ],
        cursor=json.dumps(sorted(requested | set(new))),
    )
