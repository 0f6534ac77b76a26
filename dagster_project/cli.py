"""`cs-retention`: the command analytics engineers type.

cs-retention prepare              build dbt's manifest (needed once after install / model changes)
cs-retention run [--as-of D]      load, transform, check and publish everything, then summarize
cs-retention backfill --start D --end D   recompute the daily health history for a range of days
cs-retention sample --out DIR     write a generated book of business in the landing layout
cs-retention report               print the path of the leadership report and its CSV exports
cs-retention status               the latest run, when the warehouse was published, freshness, failed checks
cs-retention validate LANDING     what a landing directory would load, quarantine or reject (nothing built)
cs-retention checks               the latest run's checks (failed or not) and which run they belong to
cs-retention contract [WAREHOUSE] check a warehouse against the mart contract
cs-retention --version            the project's and its engines' versions

`run` and `backfill` print one line per step and a summary; `--verbose` streams Dagster's and
dbt's full logs, which are always written to a file under <outputs>/logs/ (the summary names it).
A value that cannot be used (a date, a path, an environment variable) is one line on stderr
and exit code 2.
"""

from __future__ import annotations

import importlib.metadata
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from .settings import DBT_PROJECT_DIR, Settings, SettingsError, validate_environment

if TYPE_CHECKING:
    from .runner import RunOutcome

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help=__doc__.split("\n\n")[0],
)

LANDING = typer.Option(None, "--landing", help="Landing directory (crm/, billing/, usage/); default CS_LANDING_DIR.")
WAREHOUSE = typer.Option(None, "--warehouse", help="Published DuckDB file; default CS_WAREHOUSE_PATH.")
AS_OF = typer.Option(None, "--as-of", help="Run as of this date (YYYY-MM-DD); default CS_AS_OF_DATE or today.")
SERVING_GROUP = "serving"  # published_warehouse and what reads it: report, docs, alerts
VERBOSE = typer.Option(False, "--verbose", "-v", help="Stream Dagster's and dbt's full logs.")


def fail(message: str) -> NoReturn:
    """A value the user gave cannot be used: one line on stderr, exit code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def parse_date(option: str, raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        fail(f"{option} {raw!r} is not a date: expected YYYY-MM-DD, e.g. 2026-11-20")


def existing_directory(option: str, raw: str) -> Path:
    path = Path(raw).expanduser().resolve()
    if not path.is_dir():
        fail(f"{option} {raw!r} is not a directory: expected an existing landing folder (crm/, billing/, usage/)")
    return path


def resolve_settings(landing: str | None = None, warehouse: str | None = None, as_of: str | None = None) -> Settings:
    """The flags over the environment, every setting validated; the run reads the result from
    the environment of this process, as it would read the variables themselves."""
    overrides: dict[str, str] = {}
    if landing is not None:
        overrides["CS_LANDING_DIR"] = str(existing_directory("--landing", landing))
    if warehouse is not None:
        given = Path(warehouse).expanduser()
        # the folder resolved, not the file: the published file is a link to its newest version
        path = given.parent.resolve() / given.name
        if path.is_dir():
            fail(f"--warehouse {warehouse!r} is a directory: expected the path of a .duckdb file")
        overrides["CS_WAREHOUSE_PATH"] = str(path)
    if as_of is not None:
        overrides["CS_AS_OF_DATE"] = parse_date("--as-of", as_of).isoformat()
    try:
        settings = validate_environment({**os.environ, **overrides})
    except SettingsError as error:
        fail(str(error))
    os.environ.update(overrides)
    return settings


def _version(value: bool) -> None:
    if value:
        versions = ", ".join(
            f"{name} {importlib.metadata.version(name)}" for name in ("dagster", "dagster-dbt", "dbt-core", "duckdb")
        )
        typer.echo(f"cs-retention {importlib.metadata.version('customer-retention-pipeline')} ({versions})")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the versions and exit."
    ),
) -> None:
    """Customer retention analytics: extracts → DuckDB marts, checked and published."""


@app.command()
def prepare() -> None:
    """Parse the dbt project so Dagster can load it (writes dbt_project/target/manifest.json) and
    create the Dagster instance's storage (DAGSTER_HOME, default dagster_home/)."""
    from .dbt_command import parse_project
    from .runner import project_instance

    parse_project()
    typer.echo(f"dbt manifest ready: {DBT_PROJECT_DIR / 'target' / 'manifest.json'}")
    with project_instance():  # its databases exist before `dagster dev` or a first run opens them
        typer.echo(f"Dagster instance ready: {os.environ['DAGSTER_HOME']}")


def _run_and_summarize(
    job_name: str | None,
    settings: Settings,
    title: str,
    verbose: bool,
    run_config: dict | None = None,
    **options: object,
) -> RunOutcome:
    """Run a job with one line per step, then the summary (options: tags, asset_selection)."""
    from .process import skip_final_garbage_collection
    from .publishing import publishes
    from .run_console import terminal_console
    from .runner import run_job
    from .summary import duration, failed_check_lines, warehouse_lines

    console = terminal_console()
    console.print(title, markup=False)
    outcome = run_job(job_name, settings, console, run_config=run_config, verbose=verbose, **options)
    skip_final_garbage_collection()
    lines = [""]
    if outcome.success and not publishes(options.get("tags") or {}):
        lines.append(f"Not published: BI tools still see {settings.warehouse_path} as it was (--publish publishes)")
    elif outcome.success:
        lines += warehouse_lines(settings)
    else:
        lines.append("Run failed: nothing was published; BI tools keep the warehouse of the last good run.")
    lines += failed_check_lines(outcome.progress.failed_checks)
    lines.append(f"Full log: {outcome.log_path}")
    lines.append(f"{'Done' if outcome.success else 'Failed'} in {duration(outcome.seconds)} (run {outcome.run_id})")
    for line in lines:
        console.print(line, markup=False)
    return outcome


@app.command()
def run(
    landing: str = LANDING,
    warehouse: str = WAREHOUSE,
    as_of: str = AS_OF,
    verbose: bool = VERBOSE,
    force: bool = typer.Option(False, "--force", help="Rebuild even when nothing is new since the last good run."),
) -> None:
    """Materialize every asset (load → dbt → checks → publish) and print where the results are."""
    import time

    started = time.monotonic()
    settings = resolve_settings(landing, warehouse, as_of)
    from .run_fingerprint import fingerprint, last_good_run, remember_good_run

    if settings.landing_is_sample:
        from .sample_landing import ensure_sample_landing

        ensure_sample_landing(settings)  # what the load would do first; the fingerprint reads it
    before = fingerprint(settings)
    last = last_good_run(settings)
    if not force and last is not None and last["fingerprint"] == before:
        from .summary import duration, warehouse_lines

        typer.echo(
            f"nothing new since the last good run ({last['run_id'][:8]}, as of {last['as_of_date']}): same "
            "landing batches, models and settings; nothing rebuilt (--force rebuilds)"
        )
        for line in warehouse_lines(settings):
            typer.echo(line)
        typer.echo(f"Done in {duration(time.monotonic() - started)}")
        return
    # imported only now: the job's module loads Dagster and the dbt manifest (seconds), which a run
    # with nothing new never needs
    from .jobs import daily_run_job
    from .partitions import AsOfDays

    source = " (the bundled sample)" if settings.landing_is_sample else ""
    title = f"cs-retention run as of {settings.as_of_date}: landing {settings.landing_dir}{source}"
    day = AsOfDays(settings.as_of_date, settings.as_of_date)  # the run is that day's partition
    outcome = _run_and_summarize(daily_run_job.name, settings, title, verbose, tags=day.run_tags())
    if outcome.success and fingerprint(settings) == before:  # nothing landed meanwhile
        remember_good_run(settings, outcome.run_id, before)
    if not outcome.success:
        raise typer.Exit(1)


@app.command()
def backfill(
    start: str = typer.Option(..., help="First day to recompute (YYYY-MM-DD)."),
    end: str = typer.Option(..., help="Last day to recompute (YYYY-MM-DD), at most the as-of date."),
    landing: str = LANDING,
    warehouse: str = WAREHOUSE,
    as_of: str = AS_OF,
    verbose: bool = VERBOSE,
    publish: bool = typer.Option(
        False, "--publish", help="Publish afterwards (warehouse, report, docs); by default BI tools see no change."
    ),
) -> None:
    """Recompute the daily health history for a range of days (point-in-time: each day sees only its past)."""
    first, last = parse_date("--start", start), parse_date("--end", end)
    settings = resolve_settings(landing, warehouse, as_of)
    if last < first:
        fail(f"--end {last} is before --start {first}: expected a range whose end is on or after its start")
    if last > settings.as_of_date:
        fail(f"--end {last} is after the as-of date {settings.as_of_date}: expected a day up to the as-of date")
    from .jobs import health_history_backfill_job
    from .partitions import FIRST_AS_OF_DATE, AsOfDays
    from .publishing import NO_PUBLISH_TAGS

    if first < date.fromisoformat(FIRST_AS_OF_DATE):
        fail(f"--start {first} is before {FIRST_AS_OF_DATE}: expected a day the partitions cover")
    days = AsOfDays(first, last)  # one run of that partition range (one dbt invocation)

    title = f"cs-retention backfill of the health history {first} .. {last} ({(last - first).days + 1} days)"
    tags = {**days.run_tags(), **NO_PUBLISH_TAGS}  # however it is launched, a backfill does not publish
    if not _run_and_summarize(health_history_backfill_job.name, settings, title, verbose, tags=tags).success:
        raise typer.Exit(1)
    if publish:
        _publish(settings, verbose)


def _publish(settings: Settings, verbose: bool) -> None:
    """Publish the working warehouse: a run of the serving assets (after a backfill)."""
    from .definitions_by_day import defs

    graph = defs.resolve_asset_graph()
    serving = [key for key in graph.get_all_asset_keys() if graph.get(key).group_name == SERVING_GROUP]
    title = f"cs-retention publish of {settings.building_path.name} to {settings.warehouse_path}"
    outcome = _run_and_summarize(None, settings, title, verbose, asset_selection=serving, tags={})
    if not outcome.success:
        raise typer.Exit(1)


@app.command()
def sample(
    out: Path = typer.Option(..., help="Landing directory to write (crm/, billing/, usage/)."),
    accounts: int = typer.Option(200, help="Number of accounts."),
    months: int = typer.Option(24, help="Months of history."),
    end_date: str = typer.Option(None, help="Last day of data (YYYY-MM-DD); default today (UTC)."),
    seed: int = typer.Option(42, help="Random seed: the same arguments give the same files."),
    events_scale: float = typer.Option(1.0, help="Usage volume multiplier (1.0 ≈ 470k events at 200 accounts)."),
) -> None:
    """Generate a realistic book of business in the landing layout."""
    end = parse_date("--end-date", end_date) if end_date else resolve_settings().as_of_date
    if out.exists() and not out.is_dir():
        fail(f"--out {str(out)!r} is a file: expected a directory to write the landing layout into")
    from .sample_data.generator import generate_landing

    summary = generate_landing(
        out, accounts=accounts, months=months, end_date=end, seed=seed, events_scale=events_scale
    )
    typer.echo(summary)


@app.command()
def report(
    open_it: bool = typer.Option(False, "--open", help="Open it in the default browser."),
    warehouse: str = WAREHOUSE,
) -> None:
    """Print the path of the leadership report (and its CSV exports)."""
    settings = resolve_settings(warehouse=warehouse)
    path = settings.output_dir / "leadership_report.html"
    if not path.is_file():
        typer.echo(f"no report yet at {path}: run `cs-retention run` first", err=True)
        raise typer.Exit(1)
    typer.echo(path)
    for export in sorted(settings.output_dir.glob("*.csv")):
        typer.echo(export)
    if open_it:
        import webbrowser

        webbrowser.open(path.as_uri())


def _latest_run():
    from .run_history import latest_run
    from .runner import project_instance

    with project_instance() as instance:
        return latest_run(instance)


@app.command()
def checks(
    warehouse: str = WAREHOUSE,
    all_checks: bool = typer.Option(False, "--all", help="List the checks that passed too."),
) -> None:
    """Show the checks of the latest run (failed or not) and say which run they belong to."""
    resolve_settings(warehouse=warehouse)
    summary = _latest_run()
    if summary is None:
        typer.echo("no run recorded yet in this Dagster instance: run `cs-retention run` first", err=True)
        raise typer.Exit(1)
    typer.echo(f"Checks of the latest {summary.headline()}")
    for step, message in summary.failures:
        typer.echo(f"  run failed at {step}: {message}")
    failed = [c for c in summary.checks if not c.passed]
    shown = summary.checks if all_checks else failed
    for record in sorted(shown, key=lambda r: (r.passed, r.check.check_name)):
        typer.echo(f"  {'PASS' if record.passed else 'FAIL'} {record.check.line()}")
    typer.echo(
        f"{len(summary.checks)} checks, {len(failed)} failed" + ("" if all_checks else " (--all lists every one)")
    )


def _loaded_batches_per_source(working_file: Path) -> list[tuple]:
    """(source, latest extracted_at, batches) of the load ledger, which the working file keeps."""
    import duckdb

    if not working_file.is_file():
        return []
    try:
        with duckdb.connect(str(working_file), read_only=True) as con:
            return con.execute(
                "select source, max(extracted_at), count(*) from raw.load_batches where status = 'loaded' "
                "group by 1 order by 1"
            ).fetchall()
    except duckdb.Error:  # a run holds the file (DuckDB has one writer): say so instead of failing
        typer.echo(f"  freshness: {working_file.name} is being written by a run; try again after it")
        return []


def _warehouse_status_lines(warehouse_file: Path) -> list[str]:
    """What the published marts say about health signal, weights and the CS team's numbers."""
    import duckdb

    from .status_lines import status_lines

    try:
        with duckdb.connect(str(warehouse_file), read_only=True) as con:
            return status_lines(con)
    except duckdb.Error:  # being replaced by a publish, or not a DuckDB file: the other lines still stand
        return []


@app.command()
def status(landing: str = LANDING, warehouse: str = WAREHOUSE) -> None:
    """The latest run (when, result, what failed), when the warehouse was published, each
    source's freshness, which health components foresee renewals and the weights in use, the CS
    team's numbers (expansion, renewal coverage, overdue tasks, renewals due) and the failed checks."""
    from datetime import UTC, datetime

    settings = resolve_settings(landing, warehouse)
    summary = _latest_run()
    typer.echo(f"Latest {summary.headline()}" if summary else "Latest run: none recorded in this Dagster instance")
    for step, message in summary.failures if summary else []:
        typer.echo(f"  failed at {step}: {message}")
    if not settings.warehouse_path.is_file():
        typer.echo(f"Published warehouse: none yet at {settings.warehouse_path}")
    else:
        published = datetime.fromtimestamp(settings.warehouse_path.stat().st_mtime, UTC)
        typer.echo(f"Published warehouse: {settings.warehouse_path}, published {published:%Y-%m-%d %H:%M UTC}")
        rows = _loaded_batches_per_source(settings.building_path)
        now = datetime.now(UTC).replace(tzinfo=None)
        for source, extracted, batches in rows:
            age = (now - extracted).total_seconds() / 3600
            line = f"  {source}: latest batch extracted {extracted:%Y-%m-%d %H:%M} UTC ({age:,.0f} h ago)"
            typer.echo(f"{line}, {batches} batches loaded")
        for line in _warehouse_status_lines(settings.warehouse_path):
            typer.echo(f"  {line}")
    failed = [c for c in summary.checks if not c.passed] if summary else []
    typer.echo(f"Failed checks of that run: {len(failed)}" + (" (cs-retention checks lists them)" if failed else ""))
    for record in failed:
        typer.echo(f"  {record.check.line()}")


@app.command()
def validate(
    landing: str = typer.Argument(..., help="Landing directory to check (crm/, billing/, usage/)."),
    warehouse: str = WAREHOUSE,
) -> None:
    """Apply the extract contract to LANDING without building: what would load, be quarantined
    (and why) or be rejected (and why), per batch; exit code 1 when a batch would be rejected."""
    path = existing_directory("LANDING", landing)
    settings = resolve_settings(warehouse=warehouse)
    from .landing_validation import validate_landing

    # the load ledger lives in the working file (the published one holds only marts and quality)
    verdicts = validate_landing(path, settings.building_path, settings.duckdb_memory_limit)
    for verdict in verdicts:
        typer.echo(verdict.line())
    rejected = sum(v.result.status == "rejected" for v in verdicts)
    typer.echo(f"{len(verdicts)} batches: {rejected} would be rejected" if verdicts else f"no batches in {path}")
    if rejected:
        raise typer.Exit(1)


@app.command()
def contract(
    warehouse: Path = typer.Argument(None, help="DuckDB file to check; default the published warehouse."),
) -> None:
    """Check a warehouse against the mart contract (docs/contracts/mart-contract.md); exit 1 if incomplete."""
    from .mart_contract import REQUIRED_COLUMNS, contract_problems

    path = warehouse or resolve_settings().warehouse_path
    if not path.is_file():
        fail(f"{str(path)!r} is not a file: expected a DuckDB warehouse to check")
    problems = contract_problems(path)
    for problem in problems:
        typer.echo(problem)
    typer.echo(f"{len(REQUIRED_COLUMNS) - len(problems)}/{len(REQUIRED_COLUMNS)} contract relations complete")
    if problems:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
