"""The one concurrency pool: every asset and check step that opens the working warehouse for
writing is in it, and the instance (dagster_home/dagster.yaml: ``granularity: run``,
``default_limit: 1``) lets one run that holds such a step be in progress at a time. DuckDB has
one writer, so a second run (the UI's "Materialize all", the schedule, the sensor, a backfill)
waits in the run queue instead of failing on the file lock; `cs-retention` waits for it too,
and its own in-process run holds the pool for the queue like any other (register_writer_pool).

Put a new writing asset in the pool with ``pool=WAREHOUSE_WRITER_POOL`` on its decorator.
"""

from typing import Any

WAREHOUSE_WRITER_POOL = "warehouse_writer"


def register_writer_pool(instance: Any) -> None:
    """Give the pool its limit (dagster.yaml's ``default_limit``) in the instance's storage now.

    Dagster writes a pool's limit on first use, and the daemon's run queue reads the configured
    pools *before* that write in the same pass: on an instance that has never seen the pool, the
    first pass blocks no run on it: it dequeues every queued writer at once, even while one runs
    in process (``cs-retention``). `cs-retention prepare` and every
    `cs-retention` run call this (under the instance's file lock), so the queue knows the pool
    from its first pass. A limit set by hand (``dagster instance concurrency set``) is kept.
    """
    storage = instance.event_log_storage
    if WAREHOUSE_WRITER_POOL not in {pool.name for pool in storage.get_pool_limits()}:
        storage.initialize_concurrency_limit_to_default(WAREHOUSE_WRITER_POOL)
