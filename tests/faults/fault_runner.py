"""Run the whole job in this process and kill -9 this process at one stage (a fault test).

    python -m tests.faults.fault_runner STAGE      # STAGE: load | checks | publish | none

The environment (CS_LANDING_DIR, CS_WAREHOUSE_PATH, ...) says where. The kill is a real
SIGKILL of the real run at a precise point, so the test does not depend on timing:
- load: inside a batch's transaction, after its first insert into a raw table;
- checks: after the gates evaluated, before their outcomes are written;
- publish: after the marts and quality results were copied into the new version's file, before
  the link is swung to it.
With ``none`` the run is uninterrupted; the exit status says whether it succeeded.
"""

from __future__ import annotations

import os
import signal
import sys


def _kill_after(module, name: str, calls: int = 1) -> None:
    original = getattr(module, name)
    seen = [0]

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        seen[0] += 1
        if seen[0] >= calls:
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(module, name, wrapper)


def _kill_before(module, name: str) -> None:
    def wrapper(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    setattr(module, name, wrapper)


def main(stage: str) -> int:
    from dagster_project.assets import publish
    from dagster_project.checks import asset_checks
    from dagster_project.extracts import loader

    if stage == "load":
        _kill_after(loader, "_insert_rows")
    elif stage == "checks":
        _kill_before(asset_checks, "persist_outcomes")
    elif stage == "publish":
        _kill_after(publish, "copy_published_relations")  # a first publish
        _kill_after(publish, "carry_over_published_relations")  # every later one
    elif stage != "none":
        raise SystemExit(f"unknown stage {stage!r}")
    from dagster_project.definitions import defs

    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(raise_on_error=False)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
