"""The one concurrency pool: every asset and check step that opens the working warehouse for
writing is in it, and the instance (dagster_home/dagster.yaml: ``granularity: run``,
``default_limit: 1``) lets one run that holds such a step be in progress at a time. DuckDB has
one writer, so a second run (the UI's "Materialize all", the schedule, the sensor, a backfill)
waits in the run queue instead of failing on the file lock; `cs-retention` waits for it too.

Put a new writing asset in the pool with ``pool=WAREHOUSE_WRITER_POOL`` on its decorator.
"""

WAREHOUSE_WRITER_POOL = "warehouse_writer"
