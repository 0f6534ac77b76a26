"""The environment variables of the mart contract, read and validated in one place.

| variable            | meaning                                          | default                        |
|---------------------|--------------------------------------------------|--------------------------------|
| CS_LANDING_DIR      | root of the landing layout (extract contract)    | the bundled sample, generated  |
|                     |                                                  | for the as-of date under data/ |
| CS_WAREHOUSE_PATH   | the published DuckDB file BI tools read          | data/warehouse.duckdb          |
| CS_AS_OF_DATE       | the date the run is "as of" (YYYY-MM-DD)         | today (UTC)                    |
| CS_WAREHOUSE_MODE   | permission bits of the published files (octal)   | 0640 (owner and group read)    |

and one tuning knob (not part of the contract):

| CS_DUCKDB_MEMORY_LIMIT | DuckDB's memory_limit for loading and dbt;    | 2GB                            |
|                        | larger joins and sorts spill to disk past it  |                                |

The pipeline never writes the published file directly: it builds into a working file beside it
(``<name>.building.duckdb``, which also keeps the load ledger) and publishes by atomic replace.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

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
_MEMORY_LIMIT = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


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


def load_settings(environ: dict[str, str] | None = None) -> Settings:
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
    if not _MEMORY_LIMIT.match(memory_limit):
        raise SettingsError(f"CS_DUCKDB_MEMORY_LIMIT={memory_limit!r} is not a size such as 2GB or 512MB")
    mode_raw = env.get("CS_WAREHOUSE_MODE", "").strip()
    warehouse_mode = _parse_mode(mode_raw) if mode_raw else DEFAULT_WAREHOUSE_MODE
    return Settings(landing_dir, warehouse_path, as_of_date, not landing_raw, memory_limit, warehouse_mode)
