"""The environment variables of the mart contract, read and validated in one place.

| variable            | meaning                                          | default                        |
|---------------------|--------------------------------------------------|--------------------------------|
| CS_LANDING_DIR      | root of the landing layout (extract contract)    | the bundled sample, generated  |
|                     |                                                  | for the as-of date under data/ |
| CS_WAREHOUSE_PATH   | the published DuckDB file BI tools read          | data/warehouse.duckdb          |
| CS_AS_OF_DATE       | the date the run is "as of" (YYYY-MM-DD)         | today (UTC)                    |
| CS_WAREHOUSE_MODE   | permission bits of the published files (octal)   | 0640 (owner and group read)    |

and the operational settings (not part of the contract):

| CS_DUCKDB_MEMORY_LIMIT | DuckDB's memory_limit for loading and dbt;    | 2GB                            |
|                        | larger joins and sorts spill to disk past it  |                                |
| CS_HISTORY_RANGE_DAYS  | days per range of a first build of the daily  | from the accounts and the      |
|                        | health history (history_ranges.py)            | memory limit                   |
| CS_DAILY_CRON          | when the daily schedule runs (cron, UTC)      | 0 6 * * *                      |
| CS_ALERT_WEBHOOK_URL   | Slack-compatible webhook for new alerts       | unset: <outputs>/alerts_outbox |
| DBT_TARGET_PATH        | dbt's base target folder (dagster-dbt's too)  | dbt_project/target             |
| DAGSTER_HOME           | the Dagster instance the CLI records runs in  | dagster_home/ (this repository)|
| CS_ENGINE              | the engine dbt builds on: duckdb or spark     | duckdb                         |
|                        | (docs/scaling.md)                             |                                |
| CS_SPARK_WAREHOUSE_DIR | Spark's SQL warehouse (CS_ENGINE=spark): one  | data/spark-warehouse           |
|                        | Parquet folder per table, <dir>/marts.db/...  |                                |

Each is read by one function here, which raises :class:`SettingsError` naming the variable and
what was expected; ``cs-retention`` turns that into one line and exit code 2.

The pipeline never writes the published file directly: it builds into a working file beside it
(``<name>.building.duckdb``, which also keeps the load ledger) and publishes by atomic replace.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_LANDING_DIR = DATA_DIR / "sample-landing"
DEFAULT_WAREHOUSE_PATH = DATA_DIR / "warehouse.duckdb"
# DuckDB's default (80% of RAM) lets one big aggregation take the laptop; 2 GB keeps a full build
# of the large benchmark preset under the 4 GB peak-memory target, spilling to disk beyond it.
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"
DEFAULT_WAREHOUSE_MODE = 0o640  # the marts hold account names and ARR: not for every local user
DBT_DOCS_TARGET_NAME = ".dbt_docs_target"  # beside the working file: the docs site's dbt target folder
DEFAULT_DAILY_CRON = "0 6 * * *"  # 06:00 UTC: the day that just ended is complete everywhere
DEFAULT_DAGSTER_HOME = PROJECT_ROOT / "dagster_home"
WEBHOOK_ENV = "CS_ALERT_WEBHOOK_URL"
_MEMORY_LIMIT = re.compile(r"^(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)
_UNIT_BYTES = {"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


class SettingsError(ValueError):
    """An environment variable has a value the pipeline cannot use."""


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_path: Path
    as_of_date: date
    landing_is_sample: bool  # CS_LANDING_DIR unset: the bundled sample is generated on demand
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    warehouse_mode: int = DEFAULT_WAREHOUSE_MODE
    history_range_days: int | None = None  # None: history_ranges.range_days decides

    @property
    def building_path(self) -> Path:
        """The working DuckDB file that loading and dbt write; BI tools never open it."""
        return self.warehouse_path.with_name(self.warehouse_path.stem + ".building.duckdb")

    @property
    def output_dir(self) -> Path:
        """Where the report, exports and docs of a run land: beside the published warehouse."""
        return self.warehouse_path.parent / f"{self.warehouse_path.stem}-outputs"

    @property
    def as_of_end(self) -> datetime:
        """The last instant the run may see: the end of the as-of day (UTC, naive)."""
        return datetime.combine(self.as_of_date, datetime.max.time())

    def dbt_environment(self) -> dict[str, str]:
        """What dbt reads from the environment: the working warehouse and DuckDB's memory limit
        (dbt_project/profiles.yml), and the as-of date (macros/as_of_date.sql).

        The date goes by environment, not ``--vars``: dbt keeps its parse state between runs only
        while the ``--vars`` stay the same, and the date changes every day.
        """
        return {
            "CS_DBT_DUCKDB_PATH": str(self.building_path),
            "CS_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "CS_AS_OF_DATE": self.as_of_date.isoformat(),
        }


def memory_limit_gb(limit: str) -> float:
    """A DuckDB memory_limit such as '2GB' or '512MiB' (CS_DUCKDB_MEMORY_LIMIT's form) in GB."""
    match = _MEMORY_LIMIT.match(limit.strip())
    if match is None:
        raise SettingsError(f"CS_DUCKDB_MEMORY_LIMIT={limit!r} is not a size such as 2GB or 512MB")
    return float(match.group(1)) * _UNIT_BYTES[match.group(2).lower()] / 1e9


def _parse_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise SettingsError(f"CS_AS_OF_DATE={raw!r} is not a date in YYYY-MM-DD form") from exc


def _beside_resolved(path: Path) -> Path:
    return path.parent.resolve() / path.name


def _parse_mode(raw: str) -> int:
    try:
        mode = int(raw, 8)
    except ValueError:
        mode = -1
    if not 0 <= mode <= 0o777 or not mode & 0o400:
        raise SettingsError(f"CS_WAREHOUSE_MODE={raw!r} is not octal permission bits the owner can read, such as 0640")
    return mode


def _parse_range_days(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"CS_HISTORY_RANGE_DAYS={raw!r} is not a whole number of days, 1 or more")
    return int(raw)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings; raises SettingsError with the variable's name."""
    env = os.environ if environ is None else environ
    landing_raw = env.get("CS_LANDING_DIR", "").strip()
    landing_dir = Path(landing_raw).expanduser().resolve() if landing_raw else DEFAULT_LANDING_DIR
    if landing_raw and not landing_dir.is_dir():
        raise SettingsError(f"CS_LANDING_DIR={landing_raw!r} is not a directory")
    warehouse_raw = env.get("CS_WAREHOUSE_PATH", "").strip()
    # the folder resolved, not the file: the published path is a link to its newest version
    warehouse_path = _beside_resolved(Path(warehouse_raw).expanduser()) if warehouse_raw else DEFAULT_WAREHOUSE_PATH
    if warehouse_path.exists() and warehouse_path.is_dir():
        raise SettingsError(f"CS_WAREHOUSE_PATH={warehouse_raw!r} is a directory, expected a .duckdb file path")
    as_of_raw = env.get("CS_AS_OF_DATE", "").strip()
    as_of_date = _parse_date(as_of_raw) if as_of_raw else datetime.now(UTC).date()
    memory_limit = env.get("CS_DUCKDB_MEMORY_LIMIT", "").strip() or DEFAULT_DUCKDB_MEMORY_LIMIT
    memory_limit_gb(memory_limit)  # validated: raises SettingsError naming the variable
    mode_raw = env.get("CS_WAREHOUSE_MODE", "").strip()
    warehouse_mode = _parse_mode(mode_raw) if mode_raw else DEFAULT_WAREHOUSE_MODE
    range_raw = env.get("CS_HISTORY_RANGE_DAYS", "").strip()
    range_days = _parse_range_days(range_raw) if range_raw else None
    return Settings(landing_dir, warehouse_path, as_of_date, not landing_raw, memory_limit, warehouse_mode, range_days)


def daily_cron(environ: Mapping[str, str] | None = None) -> str:
    """The daily schedule's cron string (CS_DAILY_CRON), validated the way Dagster validates a
    schedule (a definition built with it must be accepted)."""
    import dagster as dg

    env = os.environ if environ is None else environ
    cron = env.get("CS_DAILY_CRON", "").strip() or DEFAULT_DAILY_CRON
    try:
        dg.ScheduleDefinition(name="cs_daily_cron_probe", cron_schedule=cron, job_name="cs_daily_cron_probe")
    except dg.DagsterInvalidDefinitionError:
        raise SettingsError(f"CS_DAILY_CRON={cron!r} is not a cron schedule such as '0 6 * * *' (5 fields)") from None
    return cron


def webhook_url_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The alert webhook URL (CS_ALERT_WEBHOOK_URL), read when a run starts; None: use the outbox.

    A value that is not an http(s) URL raises, so a typo fails the run instead of silently
    writing to the outbox. The URL is a credential (Slack's path holds the token): the error
    names the scheme only.
    """
    env = os.environ if environ is None else environ
    raw = env.get(WEBHOOK_ENV, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{WEBHOOK_ENV} is set but is not an http(s) URL (scheme {parts.scheme!r})")
    return raw


def dbt_target_dir(environ: Mapping[str, str] | None = None) -> Path:
    """dbt's base target folder (DBT_TARGET_PATH, relative to the dbt project unless absolute,
    else the project's target/). dagster-dbt reads the same variable and puts each invocation's
    folder under it; the parse state a run leaves for the next one is kept there."""
    env = os.environ if environ is None else environ
    raw = env.get("DBT_TARGET_PATH", "").strip()
    base = Path(raw).expanduser() if raw else Path("target")
    path = base if base.is_absolute() else DBT_PROJECT_DIR / base
    if path.exists() and not path.is_dir():
        raise SettingsError(f"DBT_TARGET_PATH={raw!r} is a file, expected a folder for dbt's artefacts")
    return path


def dagster_home(environ: Mapping[str, str] | None = None) -> Path:
    """The Dagster instance folder (DAGSTER_HOME, else the repository's dagster_home/)."""
    return _folder_setting(environ, "DAGSTER_HOME", DEFAULT_DAGSTER_HOME, "is not a directory")


def _folder_setting(environ: Mapping[str, str] | None, name: str, default: Path, not_a_folder: str) -> Path:
    """A folder named by variable ``name`` (user and relative paths resolved), else ``default``;
    an existing path that is not a folder stops with ``<name>=<value> <not_a_folder>``."""
    env = os.environ if environ is None else environ
    raw = env.get(name, "").strip()
    path = Path(raw).expanduser().resolve() if raw else default
    if path.exists() and not path.is_dir():
        raise SettingsError(f"{name}={raw!r} {not_a_folder}")
    return path


def validate_environment(environ: Mapping[str, str] | None = None) -> Settings:
    """Every setting checked at once (what `cs-retention` does before it starts a run)."""
    settings = load_settings(environ)
    daily_cron(environ)
    webhook_url_from_env(environ)
    dbt_target_dir(environ)
    dagster_home(environ)
    engine(environ)
    spark_warehouse_dir(environ)
    return settings


ENGINES = ("duckdb", "spark")
DEFAULT_SPARK_WAREHOUSE_DIR = DATA_DIR / "spark-warehouse"


def engine(environ: Mapping[str, str] | None = None) -> str:
    """The engine dbt builds the marts on (CS_ENGINE): duckdb (the default, embedded) or spark
    (dbt-spark on a local Spark session, docs/scaling.md). The dbt models and the Dagster job's
    asset graph are the same; on Spark the gates, publishing, report and alerts read the marts
    Spark built (dagster_project/spark/)."""
    env = os.environ if environ is None else environ
    raw = env.get("CS_ENGINE", "").strip()
    value = raw.lower() or ENGINES[0]
    if value not in ENGINES:
        raise SettingsError(f"CS_ENGINE={raw!r} is not an engine: expected one of {', '.join(ENGINES)}")
    return value


def spark_warehouse_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Spark's SQL warehouse folder (CS_SPARK_WAREHOUSE_DIR, default data/spark-warehouse): each
    relation is a Parquet folder at <dir>/<schema>.db/<relation>/, the metastore beside them."""
    not_a_folder = "is a file, expected a folder for Spark's tables"
    return _folder_setting(environ, "CS_SPARK_WAREHOUSE_DIR", DEFAULT_SPARK_WAREHOUSE_DIR, not_a_folder)
