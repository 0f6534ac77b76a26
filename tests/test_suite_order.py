"""The suite's order on its two workers (tests/conftest.py): the slowest-first list names files
that exist (a renamed file would silently lose its early start), and the Spark files share a
worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SLOWEST_FIRST

ROOT = Path(__file__).resolve().parents[1]


def test_every_file_the_slowest_first_list_names_exists() -> None:
    assert [path for path in SLOWEST_FIRST if not (ROOT / path).is_file()] == []


SCRATCH_TEST = """
import os, pathlib

def test_{n}():
    pathlib.Path("{out}", "{name}").write_text(os.environ["PYTEST_XDIST_WORKER"])
"""


def test_the_spark_files_run_on_one_worker_and_the_others_beside_them(tmp_path: Path) -> None:
    """A scratch suite on two real xdist workers, scheduled by this suite's conftest hook."""
    out = tmp_path / "workers"
    out.mkdir()
    suite = tmp_path / "suite"
    (suite / "tests" / "spark").mkdir(parents=True)
    (suite / "tests" / "conftest.py").write_text(
        "from tests_of_repo.conftest import pytest_xdist_make_scheduler  # noqa: F401\n"
    )
    names = [f"spark/test_s{n}.py" for n in range(4)] + [f"test_d{n}.py" for n in range(4)]
    for n, name in enumerate(names):
        body = SCRATCH_TEST.format(n=n, out=out, name=name.replace("/", "_"))
        (suite / "tests" / name).write_text(body)
    # the repository's tests package under another name: the scratch suite has its own `tests`
    (tmp_path / "tests_of_repo").symlink_to(ROOT / "tests")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-n",
            "2",
            "--dist",
            "loadfile",
            "-o",
            "addopts=",
            "tests",
        ],
        cwd=suite,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    worker = {path.name: path.read_text() for path in out.iterdir()}
    spark = {worker[f"spark_test_s{n}.py"] for n in range(4)}
    assert len(spark) == 1  # every Spark file on one worker
    assert len(set(worker.values())) == 2  # and the other files on both
