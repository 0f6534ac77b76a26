"""`cs-retention`: the command analytics engineers type.

cs-retention prepare            build dbt's manifest (needed once after install / model changes)
cs-retention run [--as-of D]    load, transform, check and publish everything, then summarize
cs-retention sample --out DIR   write a generated book of business in the landing layout
cs-retention backfill --start D --end D   recompute the daily health history for a range of days
cs-retention report             print the path of the leadership report and its CSV exports
cs-retention checks             show the quality-check results of the last published run
cs-retention contract [WAREHOUSE]   check a warehouse against the mart contract
"""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .dbt_command import dbt_command
from .process import skip_final_garbage_collection
from .settings import DBT_PROJECT_DIR, PROJECT_ROOT, load_settings

if TYPE_CHECKING:
    from .partitions import AsOfDays

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.split("\n\n")[0])


@app.command()
def prepare() -> None:
    """Parse the dbt project so Dagster can load it (writes dbt_project/target/manifest.json)."""
    subprocess.run(dbt_command("parse", "--quiet"), cwd=DBT_PROJECT_DIR, check=True)
    typer.echo(f"dbt manifest ready: {DBT_PROJECT_DIR / 'target' / 'manifest.json'}")


@app.command()
def run(
    as_of: str = typer.Option(
        None, "--as-of", help="Run as of this date (YYYY-MM-DD); default CS_AS_OF_DATE or today."
    ),
) -> None:
    """Materialize every asset (load → dbt → checks → publish) and print where the results are."""
    import dataclasses

    from .jobs import daily_run_job
    from .partitions import AsOfDays

    settings = load_settings()
    if as_of:
        settings = dataclasses.replace(settings, as_of_date=date.fromisoformat(as_of))
    typer.echo(f"as of {settings.as_of_date}; landing {settings.landing_dir}")
    _execute(daily_run_job.name, AsOfDays(settings.as_of_date, settings.as_of_date))  # that day's partition
    from .summary import print_summary

    print_summary(settings)


def _execute(job_name: str, days: AsOfDays) -> None:
    """Run a job for a partition (range) in this process against the project's Dagster instance,
    as the UI launches it (a range: one run, tagged with its first and last day); exit 1 naming
    failed steps."""
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / "dagster_home"))  # runs show in `dagster dev`
    import dagster as dg

    from .definitions import defs

    job = defs.resolve_job_def(job_name)
    with dg.DagsterInstance.get() as instance:
        if days.first == days.last:
            result = job.execute_in_process(
                instance=instance, partition_key=days.first.isoformat(), raise_on_error=False
            )
        else:
            result = job.execute_in_process(instance=instance, tags=days.run_tags(), raise_on_error=False)
    skip_final_garbage_collection()
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                typer.secho(f"FAILED {event.step_key}: {event.event_specific_data.error.message.strip()}", fg="red")
        raise typer.Exit(1)


@app.command()
def backfill(
    start: str = typer.Option(..., help="First day to recompute (YYYY-MM-DD)."),
    end: str = typer.Option(..., help="Last day to recompute (YYYY-MM-DD), at most the as-of date."),
) -> None:
    """Recompute the daily health history for a range of days (point-in-time: each day sees only its past)."""
    from .jobs import health_history_backfill_job
    from .partitions import FIRST_AS_OF_DATE, AsOfDays

    first, last = date.fromisoformat(start), date.fromisoformat(end)
    settings = load_settings()
    if first > last or last > settings.as_of_date or first < date.fromisoformat(FIRST_AS_OF_DATE):
        typer.secho(f"need {FIRST_AS_OF_DATE} <= start <= end <= as-of date ({settings.as_of_date})", fg="red")
        raise typer.Exit(2)
    days = AsOfDays(first, last)
    typer.echo(f"recomputing health history {first} .. {last} ({days.days} days, one run of that partition range)")
    _execute(health_history_backfill_job.name, days)
    typer.echo("done; publish with `cs-retention run` (the backfill writes the working warehouse)")


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
    from .sample_data.generator import generate_landing

    end = date.fromisoformat(end_date) if end_date else load_settings({}).as_of_date
    summary = generate_landing(
        out, accounts=accounts, months=months, end_date=end, seed=seed, events_scale=events_scale
    )
    typer.echo(summary)


@app.command()
def report(open_it: bool = typer.Option(False, "--open", help="Open it in the default browser.")) -> None:
    """Print the path of the leadership report (and its CSV exports)."""
    settings = load_settings()
    path = settings.output_dir / "leadership_report.html"
    if not path.is_file():
        typer.secho(f"no report yet at {path}: run `cs-retention run` first", fg="yellow")
        raise typer.Exit(1)
    typer.echo(path)
    for export in sorted(settings.output_dir.glob("*.csv")):
        typer.echo(export)
    if open_it:
        import webbrowser

        webbrowser.open(path.as_uri())


@app.command()
def checks() -> None:
    """Show the quality-check results of the last published run."""
    import duckdb

    settings = load_settings()
    if not settings.warehouse_path.is_file():
        typer.secho(f"no published warehouse at {settings.warehouse_path}", fg="yellow")
        raise typer.Exit(1)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        present = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'quality' and table_name = 'check_results'"
        ).fetchone()[0]
        if not present:
            typer.echo("no check results recorded yet")
            return
        rows = con.execute(
            "select check_name, asset_key, passed, severity, message from quality.check_results "
            "where run_id = (select run_id from quality.check_results order by checked_at desc limit 1) "
            "order by passed, check_name"
        ).fetchall()
    for name, asset, passed, severity, message in rows:
        mark = typer.style("PASS", fg="green") if passed else typer.style("FAIL", fg="red")
        typer.echo(f"{mark} [{severity}] {name} on {asset}: {message}")


@app.command()
def contract(
    warehouse: Path = typer.Argument(None, help="DuckDB file to check; default the published warehouse."),
) -> None:
    """Check a warehouse against the mart contract (docs/contracts/mart-contract.md); exit 1 if incomplete."""
    from .mart_contract import REQUIRED_COLUMNS, contract_problems

    path = warehouse or load_settings().warehouse_path
    if not path.is_file():
        typer.secho(f"no warehouse at {path}", fg="red", err=True)
        raise typer.Exit(2)
    problems = contract_problems(path)
    for problem in problems:
        typer.echo(problem)
    typer.echo(f"{len(REQUIRED_COLUMNS) - len(problems)}/{len(REQUIRED_COLUMNS)} contract relations complete")
    if problems:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
