"""The suite runs on two pytest-xdist workers, one test file at a time each (pyproject addopts).

The slowest files start first so that neither worker is left with a long file at the end: the
Spark parity file alone is over a quarter of the suite's minutes. Seconds measured in one process on CI's
machine (`pytest -n 0 --durations=120`, 2026-12-03); the other files keep their order.
"""

from __future__ import annotations

import pytest

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
