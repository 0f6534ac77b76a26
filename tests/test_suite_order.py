"""The slowest-first list (tests/conftest.py) names files that exist: a renamed file would
silently lose its early start."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SLOWEST_FIRST

ROOT = Path(__file__).resolve().parents[1]


def test_every_file_the_slowest_first_list_names_exists() -> None:
    assert [path for path in SLOWEST_FIRST if not (ROOT / path).is_file()] == []
