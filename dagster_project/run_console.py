"""How `cs-retention` runs a job: quietly, one line per step, the full log in a file.

Everything the run writes to stdout/stderr (Dagster's console log at DEBUG, dbt's output via
dagster-dbt, library warnings, dbt subprocesses) goes through a pipe into the run's log file;
``--verbose`` also copies it to the terminal. The console itself shows one line per finished
step (name, elapsed time, what it built or checked), a spinner with the running step while on
a terminal, and then the summary. The lines come from the run's events in the Dagster
instance (``DagsterInstance.get_records_for_run``), polled while the run executes.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.live import Live
from rich.spinner import Spinner

POLL_SECONDS = 0.3


@dataclass(frozen=True)
class FailedCheck:
    check_name: str
    asset: str
    severity: str  # ERROR (blocking) or WARN
    message: str

    def line(self) -> str:
        return f"{self.severity:5} {self.check_name} on {self.asset}: {self.message}"

    @classmethod
    def of(cls, evaluation: Any) -> FailedCheck:
        """From a Dagster AssetCheckEvaluation (GX gates describe themselves; dbt tests give a
        failing row count)."""
        message = evaluation.description or _failed_rows(evaluation.metadata, evaluation.passed)
        return cls(
            evaluation.check_name, evaluation.asset_key.to_user_string(), evaluation.severity.value, _one_line(message)
        )


@dataclass
class StepProgress:
    key: str
    started: float | None = None  # event timestamps (s)
    finished: float | None = None
    status: str = "running"  # running, ok, failed, skipped
    built: int = 0
    rows: int = 0
    checks: int = 0
    checks_failed: int = 0
    error: str | None = None

    def counts(self) -> str:
        parts = []
        if self.built:
            parts.append(f"{self.built} asset{'s' if self.built != 1 else ''} built")
        if self.rows:
            parts.append(f"{self.rows:,} rows")
        if self.checks:
            parts.append(f"{self.checks} check{'s' if self.checks != 1 else ''}")
            if self.checks_failed:
                parts[-1] += f" ({self.checks_failed} failed)"
        return ", ".join(parts)

    def line(self) -> str:
        mark = {"ok": "ok  ", "failed": "FAIL", "skipped": "skip"}.get(self.status, "... ")
        elapsed = f"{self.finished - self.started:6.1f} s" if self.started and self.finished else " " * 8
        detail = self.error if self.status == "failed" and self.error else self.counts()
        if self.status == "skipped":
            detail = "not run: " + (self.error or "an upstream step failed")
        return f"{mark} {self.key:24} {elapsed}  {detail}".rstrip()


@dataclass
class RunProgress:
    """What the events of one run say so far."""

    steps: dict[str, StepProgress] = field(default_factory=dict)
    failed_checks: list[FailedCheck] = field(default_factory=list)

    def step(self, key: str) -> StepProgress:
        return self.steps.setdefault(key, StepProgress(key))

    def running(self) -> list[StepProgress]:
        return [s for s in self.steps.values() if s.status == "running"]

    def apply(self, record: Any) -> StepProgress | None:
        """Take one event log record into account; returns the step it finished, if any."""
        from dagster import DagsterEventType

        entry = record.event_log_entry
        event = entry.dagster_event
        if event is None or event.step_key is None:
            return None
        step = self.step(event.step_key)
        kind = event.event_type
        if kind == DagsterEventType.STEP_START:
            step.started = entry.timestamp
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            step.built += 1
            row_count = event.event_specific_data.materialization.metadata.get("dagster/row_count")
            step.rows += int(row_count.value) if row_count is not None else 0
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            step.checks += 1
            if not evaluation.passed:
                step.checks_failed += 1
                self.failed_checks.append(FailedCheck.of(evaluation))
        elif kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE, DagsterEventType.STEP_SKIPPED):
            step.finished = entry.timestamp
            step.started = step.started or entry.timestamp
            step.status = {
                DagsterEventType.STEP_SUCCESS: "ok",
                DagsterEventType.STEP_FAILURE: "failed",
                DagsterEventType.STEP_SKIPPED: "skipped",
            }[kind]
            if kind == DagsterEventType.STEP_FAILURE:
                step.error = error_text(event.event_specific_data.error)
            return step
        return None


def _failed_rows(metadata: dict, passed: bool = False) -> str:
    count = metadata.get("dagster_dbt/failed_row_count")
    if passed:
        return "passed"
    return f"{count.value} failing row(s)" if count is not None else "failed"


def error_text(error: Any) -> str:
    """A step failure's message on one line, without the exception's module path in front
    ("dagster._core.definitions.events.Failure: crm batch ..." -> "crm batch ...")."""
    if error is None:
        return "failed"
    head, sep, rest = error.message.strip().partition(": ")
    return _one_line(rest if sep and head.split(".")[-1] == error.cls_name else error.message)


def _one_line(text: str, limit: int = 400) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


EVENT_TYPES_SHOWN = (
    "STEP_START",
    "STEP_SUCCESS",
    "STEP_FAILURE",
    "STEP_SKIPPED",
    "ASSET_MATERIALIZATION",
    "ASSET_CHECK_EVALUATION",
)


@contextlib.contextmanager
def output_into_log(log_path: Path, *, echo_to: IO[str] | None) -> Iterator[None]:
    """Send this process's stdout and stderr (file descriptors 1 and 2, so subprocesses too)
    into ``log_path``; with ``echo_to``, copy every line there as well (``--verbose``)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    read_end, write_end = os.pipe()
    log = open(log_path, "wb")  # noqa: SIM115 - closed by the copying thread's owner below

    def copy() -> None:
        while chunk := os.read(read_end, 65536):
            log.write(chunk)
            if echo_to is not None:
                echo_to.write(chunk.decode("utf-8", "replace"))
                echo_to.flush()

    copier = threading.Thread(target=copy, name="run-log", daemon=True)
    copier.start()
    os.dup2(write_end, 1)
    os.dup2(write_end, 2)
    os.close(write_end)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)
        copier.join(timeout=30)
        os.close(read_end)
        log.close()


def terminal_console() -> Console:
    """The console the steps and the summary are printed to: this process's stdout as it is
    now (before the run's output is redirected). No colour or spinner unless it is a terminal."""
    stream = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8", errors="replace")
    return Console(file=stream, highlight=False, soft_wrap=True)


class RunWatcher:
    """Polls a run's events on a second thread; prints each finished step, spins meanwhile."""

    def __init__(self, instance: Any, run_id: str, console: Console, *, spinner: bool):
        self.instance = instance
        self.run_id = run_id
        self.console = console
        self.progress = RunProgress()
        self._cursor: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="run-watcher", daemon=True)
        # not console.status(): its Live display would put the run's stdout/stderr (Dagster's
        # log) on the terminal; they go to the log file
        self._spinner = Spinner("dots", text="starting")
        self._status = (
            Live(self._spinner, console=console, transient=True, redirect_stdout=False, redirect_stderr=False)
            if spinner and console.is_terminal
            else None
        )

    def __enter__(self) -> RunWatcher:
        if self._status is not None:
            self._status.start()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self._poll()  # the events written after the last poll
        if self._status is not None:
            self._status.stop()

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            with contextlib.suppress(Exception):  # storage busy or not created yet: next poll
                self._poll()

    def _poll(self) -> None:
        from dagster import DagsterEventType

        types = {getattr(DagsterEventType, name) for name in EVENT_TYPES_SHOWN}
        while True:
            connection = self.instance.get_records_for_run(self.run_id, cursor=self._cursor, of_type=types, limit=500)
            self._cursor = connection.cursor
            for record in connection.records:
                finished = self.progress.apply(record)
                if finished is not None:
                    self.console.print(finished.line(), markup=False)
            if not connection.has_more:
                break
        if self._status is not None:
            running = self.progress.running()
            now = time.time()
            label = ", ".join(f"{s.key} {now - (s.started or now):.0f} s {s.counts()}".strip() for s in running)
            self._spinner.update(text=label or "between steps")


def new_run_id() -> str:
    return str(uuid.uuid4())
