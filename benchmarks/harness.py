"""The benchmark: generate the preset's book, then measure full builds, incremental runs and the floor.

Order of work (all under one work directory, in one process tree whose memory is sampled):

1. ``dbt parse`` (as ``cs-retention prepare``): Dagster loads the models from that manifest;
2. the preset's book of business (generated in a child process, or reused with ``--keep``);
3. ``repetitions`` full builds of the real job, each from an empty warehouse in its own folder;
4. the next morning's landing (one more usage day, re-delivered snapshots) and ``repetitions``
   incremental runs as of the next day, each from a copy of the first full build's warehouse;
   then ``repetitions`` runs of ``cs-retention run`` in the kept daily run's folder with nothing
   new landed (``nothing_new_s``: the CLI stops early, nothing_new.py);
5. ``repetitions`` builds of the bare DuckDB floor on a raw-only copy of that warehouse;
6. ``repetitions`` runs of the second floor: the same landing read by DuckDB's CSV reader into
   typed raw tables, then the same build, on one connection (``bare_duckdb_with_load_s``).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.dbt_command import dbt_command
from dagster_project.settings import DBT_PROJECT_DIR

from . import bare, dbt_timings, environment, landing, nothing_new
from .cpu import CpuMeter, CpuUse
from .job_run import PHASES
from .pipeline import PROJECT_ROOT, RunLayout, RunTiming, dbt_run_results, run_job
from .presets import END_DATE, Preset
from .rss import TreeRssSampler
from .table import preset_label

Progress = Callable[[str], None]
MB = 1024 * 1024
# every figure the JSON must carry with a positive value (the smoke test checks them)
POSITIVE_FIELDS = (
    "full_build_s",
    "incremental_s",
    "bare_duckdb_s",
    "bare_duckdb_with_load_s",
    "nothing_new_s",
    "peak_rss_mb",
    "accounts",
    "usage_events",
)


@dataclass(frozen=True)
class Workspace:
    """The folders of one benchmark invocation."""

    root: Path
    preset: Preset
    engine: str = "duckdb"  # CS_ENGINE of the pipeline's runs; the floors are DuckDB's either way

    @property
    def book(self) -> Path:
        return self.root / f"landing-{self.preset.name}"

    @property
    def next_day(self) -> Path:
        return self.root / f"landing-{self.preset.name}-next-day"

    @property
    def runs(self) -> Path:
        return self.root / f"runs-{self.preset.name}"

    @property
    def dagster_home(self) -> Path:
        return self.runs / "dagster_home"

    @property
    def working(self) -> RunLayout:
        """Where every run happens. A scheduled pipeline runs in one place day after day, and
        dbt keeps its parse state only while the profile (which names the warehouse path) stays
        the same, so the runs share this path and each is moved or removed afterwards."""
        return RunLayout(self.runs / "run", self.engine)

    def run(self, kind: str, repetition: int) -> RunLayout:
        """Where a kept run ends up (the first of each kind)."""
        return RunLayout(self.runs / f"{kind}-{repetition}", self.engine)

    @property
    def floor(self) -> Path:
        return self.runs / "bare"


@dataclass
class Measured:
    """Timings of one kind of measurement over its repetitions, and its peak memory."""

    seconds: list[float]
    peak_rss_bytes: int
    runs: list[RunTiming] | None = None
    dbt_nodes: dict[str, float] | None = None
    landed: dict[str, int] | None = None  # incremental: what the run added to the base warehouse
    dbt_elapsed: list[float] = field(default_factory=list)
    phase_peaks: dict[str, int] = field(default_factory=dict)  # highest RSS seen during each phase

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass(frozen=True)
class RunSeries:
    """A kind of run: its landing, its as-of date and how each run's folder is set up."""

    kind: str
    landing: Path
    as_of: date
    prepare: Callable[[RunLayout], object]
    inspect: Callable[[RunLayout], dict[str, int]] | None = None


def prepare_dbt_manifest() -> None:
    """Parse the dbt project so Dagster loads today's models (what ``cs-retention prepare`` does)."""
    subprocess.run(dbt_command("parse", "--quiet"), cwd=DBT_PROJECT_DIR, check=True)


def _fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def _node_seconds(layout: RunLayout) -> dict[str, float]:
    """Seconds per dbt node of a run's dbt invocations, summed (a first build in ranges runs the
    daily models once per range: dagster_project/history_ranges.py)."""
    summed: dict[str, float] = {}
    for results in dbt_run_results(layout):
        for node, seconds in dbt_timings.node_seconds(results).items():
            summed[node] = summed.get(node, 0.0) + seconds
    return summed


def _dbt_elapsed(layout: RunLayout) -> float:
    """Wall seconds of a run's dbt build as dbt itself measured it."""
    return sum(dbt_timings.elapsed_seconds(results) for results in dbt_run_results(layout))


def _run_series(
    ws: Workspace,
    sampler: TreeRssSampler,
    series: RunSeries,
    repetitions: int,
    progress: Progress,
) -> Measured:
    """``repetitions`` runs of the job in the working folder, each set up by ``series.prepare``.

    The first run's folder is kept as ``<kind>-0`` (``series.inspect`` reads it before); the
    others are removed.
    """
    runs: list[RunTiming] = []
    nodes: list[dict[str, float]] = []
    elapsed: list[float] = []
    landed = None
    layout = ws.working
    with sampler.window() as memory:
        for i in range(repetitions):
            series.prepare(layout)
            os.sync()  # the copies just made reach the disk before the clock starts, not during the run
            runs.append(run_job(layout, series.landing, series.as_of, ws.dagster_home))
            nodes.append(_node_seconds(layout))
            elapsed.append(_dbt_elapsed(layout))
            progress(f"{series.kind} run {i + 1}/{repetitions}: {runs[-1].wall_s:.1f} s")
            if i == 0 and series.inspect:
                landed = series.inspect(layout)
            if i == 0:
                kept = ws.run(series.kind, 0).folder
                shutil.rmtree(kept, ignore_errors=True)
                layout.folder.rename(kept)
            else:
                shutil.rmtree(layout.folder)
    merged = dbt_timings.merge_runs(nodes)
    peaks = phase_peaks(sampler, runs)
    return Measured([r.wall_s for r in runs], memory["peak"], runs, merged, landed, elapsed, peaks)


def phase_peaks(sampler: TreeRssSampler, runs: list[RunTiming]) -> dict[str, int]:
    """The process tree's highest RSS during each phase, over all runs (from the step times)."""
    peaks: dict[str, int] = {}
    for run in runs:
        for step in run.steps:
            if step.get("start") and step.get("end"):
                peak = sampler.peak_between(step["start"], step["end"])
                peaks[step["phase"]] = max(peaks.get(step["phase"], 0), peak)
    return peaks


def measure_full_builds(ws: Workspace, sampler: TreeRssSampler, repetitions: int, progress: Progress) -> Measured:
    """Full runs of the job, each from an empty warehouse; the first is the base of the others."""
    series = RunSeries("full", ws.book, END_DATE, prepare=lambda layout: _fresh(layout.folder))
    return _run_series(ws, sampler, series, repetitions, progress)


def _copy_warehouse(base: RunLayout, target: RunLayout) -> None:
    """The state a daily run starts from: the working file, the published file, the outputs, and
    what dbt left (its parse state, the docs site's target folder)."""
    _fresh(target.folder)
    shutil.copyfile(base.building, target.building)
    shutil.copyfile(base.warehouse, target.warehouse)
    outputs = base.warehouse.with_name(base.warehouse.stem + "-outputs")
    if outputs.is_dir():
        shutil.copytree(outputs, target.warehouse.with_name(target.warehouse.stem + "-outputs"))
    if base.spark_warehouse.is_dir():  # the links of the published marts stay links
        shutil.copytree(base.spark_warehouse, target.spark_warehouse, symlinks=True)
    for state in base.dbt_state:
        copy = target.folder / state.relative_to(base.folder)
        copy.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if state.is_dir() else shutil.copyfile)(state, copy)


def measure_incremental(ws: Workspace, sampler: TreeRssSampler, repetitions: int, progress: Progress) -> Measured:
    """The next day's run (one more usage day landed), each from a copy of the first full build."""
    next_day = END_DATE + timedelta(days=1)
    landing.next_day_landing_in_child(ws.book, ws.next_day, next_day)
    base = ws.run("full", 0)
    series = RunSeries(
        "incremental",
        ws.next_day,
        next_day,
        prepare=lambda layout: _copy_warehouse(base, layout),
        inspect=lambda layout: added_by_run(base.building, layout.building),  # the working file keeps raw
    )
    return _run_series(ws, sampler, series, repetitions, progress)


def measure_nothing_new_runs(ws: Workspace, repetitions: int, progress: Progress) -> list[float]:
    """`cs-retention run` again in the kept daily run's folder, with nothing new landed."""
    seconds = nothing_new.measure_nothing_new(
        ws.run("incremental", 0), ws.next_day, END_DATE + timedelta(days=1), ws.dagster_home, repetitions
    )
    for i, value in enumerate(seconds):
        progress(f"nothing-new run {i + 1}/{repetitions}: {value:.1f} s")
    return seconds


def ledger_counts(warehouse: Path) -> dict[str, int]:
    """Usage events and loaded batches in a working file (the published one holds only marts)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        events = con.execute("select count(*) from raw.usage_events").fetchone()[0]
        batches = con.execute("select count(*) from raw.load_batches where status = 'loaded'").fetchone()[0]
    return {"usage_events": events, "batches_loaded": batches}


def added_by_run(before: Path, after: Path) -> dict[str, int]:
    """What an incremental run loaded: new usage events and newly loaded batches."""
    old, new = ledger_counts(before), ledger_counts(after)
    return {f"new_{key}": new[key] - old[key] for key in old}


@dataclass(frozen=True)
class FloorPlan:
    """What both floors build: the compiled models (from a raw-only copy of the first full
    build), the seeds, and the template holding raw, seeds and the Python models' tables."""

    base: RunLayout  # the DuckDB full build the floors start from and are compared with
    template: Path
    models: list[bare.Model]
    every_model: list[bare.Model]
    seeds: list[bare.Seed]
    skipped: list[str]
    seeds_s: float


@dataclass(frozen=True)
class FloorFailed:
    """A floor that could not be measured, and why (the xl book's first floor runs out of memory
    at 2 GB: docs/benchmarks.md); the JSON says so instead of a time."""

    error: str


def floor_unless_out_of_memory(measure: Callable[[], Any], name: str, progress: Progress) -> Any:
    """``measure()``, or FloorFailed when DuckDB runs out of memory: the pipeline's figures, measured
    before the floors, are still written (a floor's SQL in one piece can need more memory than the
    pipeline, which builds a large history in ranges: dagster_project/history_ranges.py)."""
    try:
        return measure()
    except duckdb.OutOfMemoryException as exc:
        error = str(exc).splitlines()[0]
        progress(f"{name}: not measured, {error}")
        return FloorFailed(error)


@dataclass
class Floor:
    """The floor's measurements, the models it built and how its results compare with dbt's."""

    measured: Measured
    model_seconds: dict[str, float]
    seeds_s: float
    skipped: list[str]
    check: dict[str, Any]
    cpu: list[CpuUse]


@dataclass
class FloorWithLoad:
    """The second floor's measurements: loading the landing and building, on one connection."""

    measured: Measured
    load_s: list[float]
    raw_rows: dict[str, int]
    check: dict[str, Any]
    cpu: list[CpuUse]


def floor_base(ws: Workspace, progress: Progress) -> tuple[RunLayout, float | None]:
    """The DuckDB full build the floors start from, and its wall seconds when it was run for them.

    The floors are DuckDB's on either engine. On DuckDB they start from the first measured full
    build. A Spark run's DuckDB file lacks the weight fit's table (Spark stores the fits in its
    own warehouse), so with --engine spark one DuckDB full run of the same book is made here: not
    one of the measured runs, its time reported beside them (duckdb_full_build_s)."""
    if ws.engine == "duckdb":
        return ws.run("full", 0), None
    layout = RunLayout(ws.runs / "duckdb-full", "duckdb")
    _fresh(layout.folder)
    timing = run_job(layout, ws.book, END_DATE, ws.dagster_home)
    progress(f"DuckDB full run for the floors: {timing.wall_s:.1f} s")
    return layout, timing.wall_s


def plan_floor(ws: Workspace, base: RunLayout) -> FloorPlan:
    """Compile the project against a raw-only copy of the DuckDB full build `base` (not timed)."""
    template = _fresh(ws.floor / "template") / bare.BARE_NAME
    bare.copy_raw_schema(base.building, template)  # the working file keeps raw (not published)
    manifest = bare.read_manifest(bare.compile_project(template, END_DATE, ws.floor / "dbt_target"))
    every_model = bare.models_in_order(manifest)
    models, skipped = bare.buildable(every_model)
    bare.copy_python_model_outputs(base.building, template, every_model)  # not timed: a small fitted frame
    seeds = bare.seeds_of(manifest)
    seeds_s = bare.load_seeds(template, seeds)
    return FloorPlan(base, template, models, every_model, seeds, skipped, seeds_s)


def measure_floor(
    ws: Workspace, plan: FloorPlan, sampler: TreeRssSampler, repetitions: int, progress: Progress
) -> Floor:
    """The compiled models on one DuckDB connection, on a raw-only copy of the first full build."""
    runs: list[bare.FloorRun] = []
    cpu: list[CpuUse] = []
    with sampler.window() as memory:
        for i in range(repetitions):
            database = bare.fresh_copy(plan.template, _fresh(ws.floor / f"rep-{i}"))
            meter = CpuMeter().start()
            runs.append(bare.build_models(database, plan.models))
            cpu.append(meter.stop())
            progress(f"bare DuckDB floor {i + 1}/{repetitions}: {runs[-1].seconds:.1f} s")
    check = bare.compare_row_counts(ws.floor / "rep-0" / bare.BARE_NAME, plan.base.building, plan.models)
    measured = Measured([r.seconds for r in runs], memory["peak"])
    model_seconds = dbt_timings.merge_runs(r.model_seconds for r in runs)
    return Floor(measured, model_seconds, plan.seeds_s, plan.skipped, check, cpu)


def measure_floor_with_load(
    ws: Workspace, plan: FloorPlan, sampler: TreeRssSampler, repetitions: int, progress: Progress
) -> FloorWithLoad:
    """The second floor: the preset's landing files read by DuckDB into typed raw tables, then
    the same compiled models, on one connection; each repetition from a copy holding only the
    seeds and the Python models' tables (prepared once, not timed, as for the first floor)."""
    base = plan.base
    template = _fresh(ws.floor / "template-with-load") / bare.BARE_NAME
    bare.load_seeds(template, plan.seeds)
    bare.copy_python_model_outputs(base.building, template, plan.every_model)
    runs: list[bare.FloorWithLoadRun] = []
    cpu: list[CpuUse] = []
    with sampler.window() as memory:
        for i in range(repetitions):
            database = bare.fresh_copy(template, _fresh(ws.floor / f"with-load-{i}"))
            os.sync()
            meter = CpuMeter().start()
            runs.append(bare.load_and_build(database, ws.book, plan.models))
            cpu.append(meter.stop())
            progress(
                f"bare DuckDB floor with load {i + 1}/{repetitions}: {runs[-1].seconds:.1f} s "
                f"(load {runs[-1].load_s:.1f} s)"
            )
    check = bare.compare_row_counts(ws.floor / "with-load-0" / bare.BARE_NAME, base.building, plan.models)
    measured = Measured([r.seconds for r in runs], memory["peak"])
    return FloorWithLoad(measured, [r.load_s for r in runs], runs[0].raw_rows, check, cpu)


# --------------------------------------------------------------------------- the result


def _median_phases(runs: list[RunTiming]) -> dict[str, float]:
    """Median seconds per phase, in pipeline order; ``other`` is the rest of the wall time
    (Python start-up, loading the definitions, Dagster between steps)."""
    names = list(PHASES) + sorted({name for run in runs for name in run.phases_s} - set(PHASES))
    medians = {name: statistics.median(run.phases_s.get(name, 0.0) for run in runs) for name in names}
    medians["other"] = statistics.median(run.wall_s - sum(run.phases_s.values()) for run in runs)
    return {name: round(seconds, 3) for name, seconds in medians.items()}


def warehouse_counts(warehouse: Path) -> dict[str, int]:
    """Rows of the raw tables that size the benchmark (of a working file: raw is not published)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        events = con.execute("select count(*) from raw.usage_events").fetchone()[0]
        accounts = con.execute("select count(*) from raw.crm_accounts").fetchone()[0]
    return {"usage_events": events, "raw_accounts": accounts}


def foreign_share(runs: list[RunTiming], cpus: int) -> float | None:
    """Share of the machine's CPU time other processes used during the runs (timing noise)."""
    known = [r for r in runs if r.foreign_cpu_s is not None]
    if not known:
        return None
    return round(sum(r.foreign_cpu_s or 0.0 for r in known) / (cpus * sum(r.wall_s for r in known)), 3)


def _round_or_none(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 3) for key, value in values.items()}


def _runs_summary(measured: Measured) -> dict[str, Any]:
    runs = measured.runs or []
    return {
        "runs_s": [round(s, 3) for s in measured.seconds],
        "cpu_s": [round(r.cpu_s, 1) for r in runs],
        "foreign_cpu_s": [_round_or_none(r.foreign_cpu_s) for r in runs],
        "job_s": round(statistics.median(r.execute_s for r in runs), 3),
        "startup_s": round(statistics.median(r.startup_s for r in runs), 3),
        "phases_s": _median_phases(runs),
        "dbt_build_elapsed_s": round(statistics.median(measured.dbt_elapsed or [0.0]), 3),
        "dbt_seconds_by_type": _rounded(dbt_timings.seconds_by_type(measured.dbt_nodes or {})),
        "peak_rss_mb": round(measured.peak_rss_bytes / MB, 1),
        "peak_rss_mb_by_phase": {phase: round(peak / MB, 1) for phase, peak in measured.phase_peaks.items() if peak},
        **({"landed": measured.landed} if measured.landed else {}),
    }


def _ratio(numerator: float | None, denominator: float | None, digits: int) -> float | None:
    """numerator / denominator rounded; None when a floor was not measured."""
    if numerator is None or denominator is None:
        return None
    return round(numerator / denominator, digits)


def _floor_summary(floor: Floor) -> dict[str, Any]:
    return {
        "runs_s": [round(s, 3) for s in floor.measured.seconds],
        "cpu_s": [round(c.ours, 1) for c in floor.cpu],
        "foreign_cpu_s": [_round_or_none(c.foreign) for c in floor.cpu],
        "models": len(floor.model_seconds),
        "seeds_load_s": round(floor.seeds_s, 3),
        "skipped_models": floor.skipped,
        "peak_rss_mb": round(floor.measured.peak_rss_bytes / MB, 1),
        "check": floor.check,
    }


def _floor_with_load_summary(floor: FloorWithLoad) -> dict[str, Any]:
    return {
        "runs_s": [round(s, 3) for s in floor.measured.seconds],
        "load_s": [round(s, 3) for s in floor.load_s],
        "cpu_s": [round(c.ours, 1) for c in floor.cpu],
        "foreign_cpu_s": [_round_or_none(c.foreign) for c in floor.cpu],
        "raw_rows": floor.raw_rows,
        "peak_rss_mb": round(floor.measured.peak_rss_bytes / MB, 1),
        "check": floor.check,
    }


def assemble(
    ws: Workspace,
    book: landing.Landing,
    full: Measured,
    incremental: Measured,
    floor: Floor | FloorFailed,
    floor_with_load: FloorWithLoad | FloorFailed,
    sampler: TreeRssSampler,
    repetitions: int,
) -> dict[str, Any]:
    """The benchmark's JSON document (a floor that failed: null times and ratios, and its error)."""
    counts = warehouse_counts(ws.run("full", 0).building)
    full_s, incremental_s = full.median, incremental.median
    bare_s = None if isinstance(floor, FloorFailed) else floor.measured.median
    bare_with_load_s = None if isinstance(floor_with_load, FloorFailed) else floor_with_load.measured.median
    full_summary = _runs_summary(full)
    pipeline_peak = max(full.peak_rss_bytes, incremental.peak_rss_bytes)
    cpus = environment.machine()["cpus"] or 1
    return {
        "preset": ws.preset.name,
        "engine": ws.engine,
        "accounts": ws.preset.accounts,
        "usage_events": counts["usage_events"],
        "months": ws.preset.months,
        "events_scale": ws.preset.events_scale,
        "as_of_date": END_DATE.isoformat(),
        "repetitions": repetitions,
        "full_build_s": round(full_s, 3),
        "incremental_s": round(incremental_s, 3),
        "bare_duckdb_s": _round_or_none(bare_s, 3),
        "bare_duckdb_with_load_s": _round_or_none(bare_with_load_s, 3),
        "peak_rss_mb": round(pipeline_peak / MB, 1),
        "ratios": {
            "incremental_over_full": round(incremental_s / full_s, 3),
            "full_over_bare_duckdb": _ratio(full_s, bare_s, 2),
            "dbt_phase_over_bare_duckdb": _ratio(full_summary["phases_s"].get("dbt", 0.0), bare_s, 2),
            "full_over_bare_duckdb_with_load": _ratio(full_s, bare_with_load_s, 2),
        },
        "full_build": full_summary,
        "incremental": _runs_summary(incremental),
        "bare_duckdb": {"error": floor.error} if isinstance(floor, FloorFailed) else _floor_summary(floor),
        "bare_duckdb_with_load": {"error": floor_with_load.error}
        if isinstance(floor_with_load, FloorFailed)
        else _floor_with_load_summary(floor_with_load),
        "slowest_models": dbt_timings.slowest_models(
            full.dbt_nodes or {}, {} if isinstance(floor, FloorFailed) else floor.model_seconds
        ),
        "foreign_cpu_share": foreign_share([*(full.runs or []), *(incremental.runs or [])], int(cpus)),
        "rss_method": sampler.method,
        "overall_peak_rss_mb": round(sampler.peak / MB, 1),
        "raw_accounts": counts["raw_accounts"],
        "warehouse_mb": round(ws.run("full", 0).warehouse.stat().st_size / MB, 1),
        "generate_s": round(book.generated_s, 1),
        "landing_reused": book.reused,
        "versions": environment.versions(),
        "code": environment.code_version(PROJECT_ROOT),
        "machine": environment.machine(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run_benchmark(ws: Workspace, repetitions: int, keep: bool, progress: Progress) -> dict[str, Any]:
    """Generate, measure and return the JSON document (see the module docstring for the steps)."""
    started = time.perf_counter()
    prepare_dbt_manifest()
    book = landing.generate_in_child(ws.book, ws.preset, reuse=keep)
    progress(f"landing {'reused' if book.reused else f'generated in {book.generated_s:.1f} s'}: {ws.book}")
    _fresh(ws.runs)
    with TreeRssSampler() as sampler:
        full = measure_full_builds(ws, sampler, repetitions, progress)
        incremental = measure_incremental(ws, sampler, repetitions, progress)
        nothing_new = measure_nothing_new_runs(ws, repetitions, progress)
        # in the log before the floors, which rebuild the whole history in one statement per model
        progress(f"peak RSS of the pipeline's runs: {sampler.peak / 1e6:,.0f} MB")
        base, duckdb_full_s = floor_base(ws, progress)
        plan = plan_floor(ws, base)
        floor = floor_unless_out_of_memory(
            lambda: measure_floor(ws, plan, sampler, repetitions, progress), "bare DuckDB floor", progress
        )
        if isinstance(floor, FloorFailed):  # the second floor is the same SQL after a load
            floor_with_load = FloorFailed(f"not run: the first floor failed ({floor.error})")
        else:
            floor_with_load = floor_unless_out_of_memory(
                lambda: measure_floor_with_load(ws, plan, sampler, repetitions, progress),
                "bare DuckDB floor with load",
                progress,
            )
    result = assemble(ws, book, full, incremental, floor, floor_with_load, sampler, repetitions)
    if duckdb_full_s is not None:
        result["duckdb_full_build_s"] = round(duckdb_full_s, 3)
    result["nothing_new_s"] = round(statistics.median(nothing_new), 3)
    result["nothing_new"] = {"runs_s": [round(s, 3) for s in nothing_new]}
    result["benchmark_wall_s"] = round(time.perf_counter() - started, 1)
    return result


def summary_line(result: dict[str, Any]) -> str:
    """One line for the terminal and CI logs."""
    phases = result["full_build"]["phases_s"]
    split = " / ".join(f"{name} {seconds:.1f}" for name, seconds in phases.items() if seconds)
    ratios = result["ratios"]
    checked = [result[floor]["check"] for floor in FLOORS if "check" in result[floor]]
    check = "equal" if all(c["row_counts_equal"] for c in checked) else "DIFFERENT"
    return (
        f"{preset_label(result)}: {result['accounts']:,} accounts, {result['usage_events']:,} events — "
        f"full build {result['full_build_s']:.1f} s ({split}), "
        f"incremental {result['incremental_s']:.1f} s ({ratios['incremental_over_full']:.0%} of full), "
        f"{_floor_text(result, 'bare DuckDB', 'bare_duckdb', 'full_over_bare_duckdb')}, "
        f"{_floor_text(result, 'bare DuckDB with load', 'bare_duckdb_with_load', 'full_over_bare_duckdb_with_load')}, "
        f"row counts {check if checked else 'not compared'}, peak RSS {result['peak_rss_mb']:,.0f} MB{_noise(result)}"
    )


FLOORS = ("bare_duckdb", "bare_duckdb_with_load")


def _floor_text(result: dict[str, Any], label: str, floor: str, ratio: str) -> str:
    if result[f"{floor}_s"] is None:
        return f"{label} not measured ({result[floor]['error']})"
    return f"{label} {result[f'{floor}_s']:.1f} s (full = {result['ratios'][ratio]:.1f}× floor)"


def _noise(result: dict[str, Any]) -> str:
    share = result.get("foreign_cpu_share")
    return f"; other processes used {share:.0%} of the CPUs meanwhile" if share else ""
