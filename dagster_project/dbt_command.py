"""The command line of a dbt subprocess, built one way for every tool of the project.

dbt is the executable beside this interpreter, so a command works from cron, a BI host or CI
without an activated virtual environment; the project and its profiles are named explicitly, so
it runs from any folder. Dagster's dbt resource uses the same executable.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .settings import DBT_PROJECT_DIR

DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"  # dbt's saved parse state, in its target folder


def dbt_command(
    *arguments: str,
    variables: dict[str, Any] | None = None,
    target_dir: Path | None = None,
    log_dir: Path | None = None,
) -> list[str]:
    """``dbt <arguments>`` on the project, with ``--vars`` and target/log folders when given
    (tests and benchmarks keep their artefacts out of the project's own target/)."""
    command = [str(DBT_EXECUTABLE), *arguments]
    command += ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    if variables is not None:
        command += ["--vars", json.dumps(variables)]
    if target_dir is not None:
        command += ["--target-path", str(target_dir)]
    if log_dir is not None:
        command += ["--log-path", str(log_dir)]
    return command


@cache
def project_vars() -> dict[str, Any]:
    """The vars of dbt_project.yml: the one home of the settings the models and this package share."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["vars"]


def parse_project() -> None:
    """``dbt parse`` with the dbt beside this interpreter: writes target/manifest.json."""
    import subprocess

    subprocess.run(dbt_command("parse", "--quiet"), cwd=DBT_PROJECT_DIR, check=True)


def installed_dbt_preparer():
    """dagster-dbt's project preparer, with dbt found beside this interpreter.

    dagster-dbt's own preparer (``DbtProject.prepare_if_dev``) runs the ``dbt`` it finds on PATH,
    so ``dagster dev`` without an activated virtual environment (or started by cron/systemd)
    fails to load the code location. This one implements the same public interface
    (``DbtProjectPreparer``) with :data:`DBT_EXECUTABLE`.
    """
    from dagster_dbt import DbtProjectPreparer

    class InstalledDbtPreparer(DbtProjectPreparer):
        def prepare_if_dev(self, project) -> None:
            if self.using_dagster_dev():  # only `dagster dev`: model edits show on reload
                self.prepare(project)

        def prepare(self, project) -> None:
            parse_project()

    return InstalledDbtPreparer()
