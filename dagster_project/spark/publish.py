"""Publishing the Spark marts atomically for readers (CS_ENGINE=spark; docs/scaling.md).

The layout of CS_SPARK_WAREHOUSE_DIR under the Dagster job:

    <dir>/_building/                 the job's Spark SQL warehouse: dbt writes here (and its
                                     Derby metastore, _building/_metastore/); no reader looks here
    <dir>/_published/marts.v<n>/     one published version of every mart, a Parquet folder each
    <dir>/marts.db -> _published/marts.v<n>   what readers open: <dir>/marts.db/<relation>/

Why: dbt writes a Spark table in place (a `create or replace` deletes the folder, then writes it
anew), so a reader of dbt's own folders could see a mart half-written, and a run whose blocking
gate fails would already have replaced them. Publishing runs only after every blocking check
passed; it snapshots dbt's mart folders into a new version by hard links (Spark never rewrites a
Parquet file in place: it writes new files and deletes old ones, so a link keeps the file as it
was), syncs it, and swings the `marts.db` link to it with one rename(2) of a new link, as
assets/publish.py does for the DuckDB file: every mart of a version becomes visible at once.
A reader that resolves `marts.db` (os.path.realpath) once and reads from that folder keeps a
consistent set of marts; the previous version is kept for readers that resolved it just before
the swing, older ones are deleted (a reader that lags two publications gets an error, never a
partial mart: the version is renamed away before its files are deleted).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from ..publishing import point_link, sync_directory

BUILDING_FOLDER = "_building"
VERSIONS_FOLDER = "_published"
MARTS_DATABASE = "marts.db"
VERSIONS_KEPT = 2  # the new version and the one readers may have resolved just before the swing
_VERSION = re.compile(r"^marts\.v(\d+)$")


class PublishError(RuntimeError):
    """The Spark marts cannot be published (the message says why)."""


def building_dir(warehouse: Path) -> Path:
    """The job's Spark SQL warehouse (dbt's tables and the metastore) inside CS_SPARK_WAREHOUSE_DIR."""
    return Path(warehouse) / BUILDING_FOLDER


def published_marts(warehouse: Path) -> Path:
    """The path readers open: <dir>/marts.db (a link to the current version)."""
    return Path(warehouse) / MARTS_DATABASE


def versions(warehouse: Path) -> dict[int, Path]:
    folder = Path(warehouse) / VERSIONS_FOLDER
    if not folder.is_dir():
        return {}
    return {int(m.group(1)): p for p in folder.iterdir() if (m := _VERSION.match(p.name))}


def _link_tree(source: Path, target: Path) -> None:
    """A copy of ``source`` whose files are hard links (a snapshot: no data is copied), synced."""
    shutil.copytree(source, target, copy_function=os.link)
    for folder, _dirs, files in os.walk(target):
        for name in files:
            with open(os.path.join(folder, name), "rb") as handle:
                os.fsync(handle.fileno())
        sync_directory(Path(folder))


def publish_marts(warehouse: Path, relations: list[str]) -> Path:
    """Publish ``relations`` of the building warehouse's marts as a new version; returns its folder.

    Every relation must have a folder under <dir>/_building/marts.db/ (dbt built it this run).
    """
    warehouse = Path(warehouse)
    built = building_dir(warehouse) / MARTS_DATABASE
    missing = sorted(r for r in relations if not (built / r).is_dir())
    if missing:
        raise PublishError(f"Spark marts missing under {built}: {', '.join(missing)}")
    link = published_marts(warehouse)
    if link.exists() and not link.is_symlink():
        raise PublishError(
            f"{link} is a folder, not the published link: CS_SPARK_WAREHOUSE_DIR is also used as a plain Spark "
            "warehouse (python -m dagster_project.spark); give the Dagster job its own folder"
        )
    number = max(versions(warehouse), default=0) + 1
    folder = warehouse / VERSIONS_FOLDER / f"marts.v{number}"
    staging = folder.with_name(f".{folder.name}.publishing")
    if staging.exists():
        shutil.rmtree(staging)  # left by a publish that was interrupted
    staging.mkdir(parents=True)
    for relation in relations:
        _link_tree(built / relation, staging / relation)
    sync_directory(staging)
    os.replace(staging, folder)
    point_link(link, folder)
    sync_directory(warehouse)
    for _number, old in sorted(versions(warehouse).items())[:-VERSIONS_KEPT]:
        # renamed away first, in one step: a reader still resolving it finds no files (an error)
        # rather than the half of them rmtree has not deleted yet; a file already open stays readable
        doomed = old.with_name(f".{old.name}.deleting")
        os.replace(old, doomed)
        shutil.rmtree(doomed, ignore_errors=True)
    return folder
