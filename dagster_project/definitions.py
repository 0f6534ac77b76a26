"""The mart contract's entry point: ``dagster asset materialize -m dagster_project.definitions
--select '*'`` builds everything as of CS_AS_OF_DATE (the dbt models unpartitioned; assembly.py).
``dagster dev``, the schedule, the sensor and ``cs-retention`` load definitions_by_day."""

from .assembly import assemble
from .assets.dbt import dbt_models_as_of_setting

defs = assemble(dbt_models_as_of_setting, by_day=False)
