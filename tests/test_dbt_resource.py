"""The dbt resource's version shortcut gives what dagster-dbt would have asked dbt for."""

from __future__ import annotations

import re
import subprocess

from dagster_project.dbt_command import DBT_EXECUTABLE
from dagster_project.resources import dbt_resource


def test_dbt_version_is_the_version_the_executable_reports():
    reported = subprocess.run([str(DBT_EXECUTABLE), "--version"], capture_output=True, text=True, check=True).stdout
    core_line = next(line for line in reported.splitlines() if "installed" in line.lower())
    expected = re.search(r"(\d+\.\d+\.\d+)", core_line).group(1)

    resource = dbt_resource()

    assert str(resource._cli_version) == expected
    assert resource._cli_version.major < 2  # dagster-dbt's dbt Core path (adapter handle, events)
