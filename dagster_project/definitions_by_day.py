"""The definitions with the dbt models partitioned by as-of day (assembly.py): what ``dagster dev``
(workspace.yaml), the schedule, the sensor and ``cs-retention`` load."""

from .assembly import assemble
from .assets.dbt import dbt_models

defs = assemble(dbt_models, by_day=True)
