"""The suite runs on two pytest-xdist workers, one test file at a time each (pyproject addopts).

The Spark files (tests/spark/) run one after another on one worker: each starts a JVM that keeps
both cores busy, so two of them at once took as long as one after the other (1,886 s against
1,935 s), while the other worker's DuckDB files waited. Grouped, the DuckDB files run on the
other core beside them.

The slowest files start first so that neither worker is left with a long file at the end: the
Spark parity file alone is over a quarter of the suite's minutes. Seconds measured in one process on CI's
machine (`pytest -n 0 --durations=120`, 2026-12-03); the other files keep their order.
"""

from __future__ import annotations

import pytest
from xdist.scheduler import LoadFileScheduling

SPARK_FILES = "tests/spark/"

SLOWEST_FIRST = (
    "tests/spark/test_spark_parity.py",  # ~1,500 s: three steps on both engines
    "tests/faults/test_kill_during_run.py",  # ~450 s
    "tests/bi/test_superset_dashboard.py",  # ~450 s: installs Superset in its own venv
    "tests/spark/test_dbt_unit_tests_on_spark.py",  # ~330 s
    "tests/test_cli_run.py",  # ~280 s
    "tests/test_pipeline.py",  # ~260 s
    "tests/benchmarks/test_benchmark_smoke.py",  # ~260 s
    "tests/test_backfill_publish_cli.py",  # ~190 s
    "tests/test_determinism.py",  # ~130 s
    "tests/success/test_success_e2e.py",  # ~130 s
    "tests/health/test_point_in_time.py",  # ~130 s
    "tests/test_dbt_generic_tests.py",  # ~120 s
    "tests/renewals/test_frozen_forecast.py",  # ~120 s
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: position for position, path in enumerate(SLOWEST_FIRST)}
    # a stable sort: tests keep their order inside a file, and the unlisted files theirs
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(SLOWEST_FIRST)))


class SparkFilesTogether(LoadFileScheduling):
    """``--dist loadfile``, with every file under tests/spark/ in one work unit (one worker).

    ``pytest_xdist_make_scheduler`` is xdist's public hook; ``_split_scope`` is the one method
    its own LoadFileScheduling overrides to turn nodeids into work units. Should a release of
    xdist change that, tests/test_suite_order.py fails (a scratch suite on two real workers).
    """

    def _split_scope(self, nodeid: str) -> str:
        if nodeid.startswith(SPARK_FILES):
            return SPARK_FILES
        return super()._split_scope(nodeid)


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") == "loadfile":
        return SparkFilesTogether(config, log)
    return None  # another --dist asked for on the command line: xdist's own
