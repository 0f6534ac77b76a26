"""Shared fixtures of the Spark tests."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture(scope="session")
def java() -> None:
    """The tests that start pyspark's JVM fail (never skip) without Java: CI installs it."""
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        pytest.fail("Java 17 is needed for the Spark tests (.ci/run installs openjdk-17-jre-headless)")
