"""Great Expectations, the way this project uses it: small pandas frames, one context per run.

Why not GX's SQL datasource: on DuckDB (through duckdb-engine) it returns empty results. So
DuckDB does the heavy lifting (max timestamps, anti-joins, counts of violations, a few offending
rows) and GX validates the small frames DuckDB returns; the GX result is what decides a check.

Why lazy: ``import great_expectations`` costs seconds, and every ``dagster`` command imports
the definitions. GX is imported on the first validation and one ephemeral context is kept per
Dagster run (:func:`gx_session`), so a run pays the import once and its Data Docs site (static
HTML, ``<output_dir>/data_docs``) lists that run's validations.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import json
import shutil
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

SITE_NAME = "quality_gates"
RUN_MARKER = ".dagster_run_id"


# --------------------------------------------------------------------------- expectations


@dataclass(frozen=True)
class Expect:
    """One GX expectation described without importing GX: a class name and its arguments."""

    type: str  # class name in great_expectations.expectations
    kwargs: Mapping[str, Any]


def between(column: str, low: float | None = None, high: float | None = None) -> Expect:
    """Every value of ``column`` in [low, high] (NULLs are ignored, as GX does)."""
    return Expect("ExpectColumnValuesToBeBetween", {"column": column, "min_value": low, "max_value": high})


def not_null(column: str) -> Expect:
    return Expect("ExpectColumnValuesToNotBeNull", {"column": column})


def at_least(column_a: str, column_b: str) -> Expect:
    """Row by row, ``column_a >= column_b`` (e.g. an SLA and the age it allows)."""
    return Expect(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": column_a, "column_B": column_b, "or_equal": True, "ignore_row_if": "either_value_is_missing"},
    )


# --------------------------------------------------------------------------- results


def _plain(value: Any) -> Any:
    """JSON-safe copy of a GX result value (numpy scalars, NaT, tuples)."""
    return json.loads(json.dumps(value, default=str))


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str  # snake_case GX type, e.g. expect_column_values_to_be_between
    column: str | None
    success: bool
    observed: Any  # observed_value, else the (partial) unexpected values
    unexpected_count: int | None
    unexpected_index: tuple[int, ...]
    kwargs: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        return {
            "expectation": self.expectation,
            "column": self.column,
            "success": self.success,
            "observed": self.observed,
            "unexpected_count": self.unexpected_count,
            "kwargs": self.kwargs,
        }


@dataclass(frozen=True)
class GxValidation:
    """The part of a GX validation result a check needs (and shows as metadata)."""

    suite: str
    success: bool
    expectations: tuple[ExpectationOutcome, ...]
    data_docs_page: str | None = None
    statistics: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if not e.success]

    def unexpected_rows(self) -> list[int]:
        """Row positions of the validated frame any expectation found unexpected."""
        return sorted({i for e in self.expectations for i in e.unexpected_index})

    def failed_columns(self) -> list[str]:
        return [e.column for e in self.failed if e.column]

    def to_metadata(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "success": self.success,
            "statistics": self.statistics,
            "results": [e.summary() for e in self.expectations],
        }


def summarize_result(suite: str, result: Any) -> GxValidation:
    """Turn a GX ``ExpectationSuiteValidationResult`` into a :class:`GxValidation`."""
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        kwargs = {k: v for k, v in dict(config.kwargs).items() if k not in ("batch_id", "result_format")}
        details = item.result or {}
        observed = details.get("observed_value")
        if observed is None and "unexpected_list" in details:
            observed = details.get("partial_unexpected_list") or details.get("unexpected_list")
        if item.exception_info and item.exception_info.get("raised_exception"):
            observed = f"error: {item.exception_info.get('exception_message')}"
        column = kwargs.get("column") or (
            f"{kwargs['column_A']} >= {kwargs['column_B']}" if "column_A" in kwargs else None
        )
        outcomes.append(
            ExpectationOutcome(
                expectation=config.type,
                column=column,
                success=bool(item.success),
                observed=_plain(observed),
                unexpected_count=details.get("unexpected_count"),
                unexpected_index=tuple(int(i) for i in details.get("unexpected_index_list") or ()),
                kwargs=_plain(kwargs),
            )
        )
    statistics = _plain(dict(result.statistics)) if result.statistics else {}
    return GxValidation(suite, bool(result.success), tuple(outcomes), statistics=statistics)


# --------------------------------------------------------------------------- session


class GxSession:
    """One ephemeral GX context: a pandas datasource, the suites validated so far, Data Docs."""

    def __init__(self, run_id: str, docs_dir: Path | None):
        gx = import_great_expectations()  # lazy: seconds of import time
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.run_id = run_id
        self.docs_dir = docs_dir
        self._gx = gx
        self._context = gx.get_context(mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self._source = self._context.data_sources.add_pandas("quality_frames")
        self._run_time = datetime.now(UTC)
        if docs_dir is not None:
            self._context.add_data_docs_site(
                SITE_NAME,
                {
                    "class_name": "SiteBuilder",
                    "show_how_to_buttons": False,
                    "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )

    def _batch_definition(self, name: str) -> Any:
        try:
            asset = self._source.get_asset(name)
        except LookupError:
            asset = self._source.add_dataframe_asset(name)
        try:
            return asset.get_batch_definition("whole_frame")
        except KeyError:
            return asset.add_batch_definition_whole_dataframe("whole_frame")

    def validate(self, suite_name: str, frame: pd.DataFrame, expectations: Sequence[Expect]) -> GxValidation:
        """Validate a small frame with a suite; the result is kept for this run's Data Docs."""
        from great_expectations import expectations as gxe
        from great_expectations.core.run_identifier import RunIdentifier

        suite = self._context.suites.add_or_update(
            self._gx.ExpectationSuite(
                name=suite_name, expectations=[getattr(gxe, e.type)(**dict(e.kwargs)) for e in expectations]
            )
        )
        definition = self._context.validation_definitions.add_or_update(
            self._gx.ValidationDefinition(name=suite_name, data=self._batch_definition(suite_name), suite=suite)
        )
        result = definition.run(
            batch_parameters={"dataframe": frame.reset_index(drop=True)},
            result_format={"result_format": "COMPLETE", "partial_unexpected_count": 20},
            run_id=RunIdentifier(run_name=f"dagster-{self.run_id}", run_time=self._run_time),
        )
        return summarize_result(suite_name, result)

    def build_data_docs(self) -> Path | None:
        """(Re)build the static Data Docs site with every validation of this run; its index page."""
        if self.docs_dir is None:
            return None
        _reset_docs_dir_for_run(self.docs_dir, self.run_id)
        self._context.build_data_docs(site_names=[SITE_NAME])
        return self.docs_dir / "index.html"


def _reset_docs_dir_for_run(docs_dir: Path, run_id: str) -> None:
    """Start a run's Data Docs from an empty folder, so the site shows the latest run only.

    Steps of the same run (the checks run after their assets, in one process) add to it.
    """
    marker = docs_dir / RUN_MARKER
    if marker.is_file() and marker.read_text(encoding="utf-8").strip() == run_id:
        return
    shutil.rmtree(docs_dir, ignore_errors=True)
    docs_dir.mkdir(parents=True, exist_ok=True)
    marker.write_text(run_id, encoding="utf-8")


_IMPORTING: threading.Thread | None = None


def import_gx_in_background() -> None:
    """Start importing Great Expectations on a second thread, once per process.

    A run's first gate would otherwise spend ~2.5 s importing GX (pure Python) before it
    validates anything. Called as the extracts start loading (DuckDB work that releases the
    GIL), the import overlaps the load; the first :class:`GxSession` then finds the module
    ready, or waits on Python's import lock for the rest of it. Not a daemon thread: a run that
    ends before the import does waits for it rather than exiting mid-import.
    """
    global _IMPORTING
    if _IMPORTING is None and "great_expectations" not in sys.modules:
        _IMPORTING = threading.Thread(target=_import_gx, name="import-great-expectations")
        _IMPORTING.start()


def _import_gx() -> None:
    # an import error here is left to the first GxSession, which imports GX again and reports it
    with contextlib.suppress(Exception):
        import_great_expectations()


class _HidePysparkFinder(importlib.abc.MetaPathFinder):
    """Makes ``import pyspark`` (or any of its modules not yet imported) fail while Great
    Expectations is being imported. A meta path finder is asked only about modules that are not
    in ``sys.modules``, so what the process has already imported stays as it is."""

    def find_spec(self, name, path, target=None):
        if name == "pyspark" or name.startswith("pyspark."):
            raise ImportError(f"{name} is not offered to Great Expectations (checks/gx_runner.py)")
        return None


def import_great_expectations():
    """``import great_expectations``, with pyspark (installed for CS_ENGINE=spark) kept out of it.

    GX probes for pyspark on import and, finding it, imports ``pyspark.sql.connect``, whose
    dependency check takes a process whose main module has no file (``python -c``, stdin, a
    pytest-xdist worker) for a doctest run and calls ``sys.exit(0)`` when pyarrow is missing:
    such a process ended silently on its first gate. The gates validate pandas frames and never
    use GX's Spark support, so GX is imported as if pyspark were not installed (also ~0.3 s less
    import time). A process that has already imported pyspark (a Spark session in it) keeps the
    modules it has; the ones it has not, ``pyspark.sql.connect`` among them, stay hidden too:
    hiding only when pyspark was absent let a test worker that had run a Spark test exit.
    """
    if "great_expectations" in sys.modules:
        import great_expectations

        return great_expectations
    finder = _HidePysparkFinder()
    sys.meta_path.insert(0, finder)
    try:
        import great_expectations
    finally:
        sys.meta_path.remove(finder)
    return great_expectations


_SESSION: GxSession | None = None


def gx_session(run_id: str, docs_dir: Path | None) -> GxSession:
    """The GX session of a run: created on first use, reused by the run's later check steps."""
    global _SESSION
    if _SESSION is None or _SESSION.run_id != run_id or _SESSION.docs_dir != docs_dir:
        _SESSION = GxSession(run_id, docs_dir)
    return _SESSION
