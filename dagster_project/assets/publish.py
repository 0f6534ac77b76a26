"""Publishing: the marts and quality results of the working warehouse become the file BI tools read.

Runs only after every dbt model and blocking check upstream has passed, so BI tools never see
a half-built or failed state.

What is published: only the schemas BI tools and the report read (``published_relations.PUBLISHED_SCHEMAS``), each
relation with its constraints and its dbt descriptions as comments. Raw, staging and
intermediate (contact emails in clear, the load ledger) stay in the working file.

How (docs/operations.md, "Connecting BI tools"): each publish writes a new version
``<stem>.v<n>.duckdb`` beside the published path (a copy of the current version in which only
what changed is rewritten: published_relations.py), syncs it and renames it into place, then
swings the published path, a symbolic link, to it (``rename(2)`` of a new link: atomic). DuckDB
keeps one database instance per path inside a process, so a reader that opens the link's
*target* (``current_version``) per connection sees each publish on its next connection even
while older connections stay open; those keep reading their version (the previous one is kept,
older ones are unlinked and live on only for readers that still hold them).
"""

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb

from ..pools import WAREHOUSE_WRITER_POOL
from ..published_relations import carry_over_published_relations, copy_published_relations
from ..publishing import PUBLISH_TAG, point_link, publishes, sync_directory
from ..resources import PipelineSettings
from ..settings import engine, spark_warehouse_dir
from ..spark import publish as spark_publish
from ..spark import serving as spark_serving
from ..warehouse_sql import quote_literal, relation_exists
from .dbt import dbt_models, load_manifest

VERSIONS_KEPT = 2  # the new version and the one readers may have resolved just before the swing
# A carried-over file keeps the blocks its deletes freed (DuckDB reuses them, never shrinks the
# file); past this share of free blocks the next version is written from empty instead.
MAX_FREE_SHARE = 0.3


def version_path(published: Path, number: int) -> Path:
    return published.with_name(f"{published.stem}.v{number}{published.suffix}")


def _versions(published: Path) -> dict[int, Path]:
    pattern = re.compile(rf"^{re.escape(published.stem)}\.v(\d+){re.escape(published.suffix)}$")
    found = {}
    for path in published.parent.glob(f"{published.stem}.v*{published.suffix}"):
        if match := pattern.match(path.name):
            found[int(match.group(1))] = path
    return found


def current_version(published: Path) -> Path:
    """The file a reader should open now: the published link's target (the path itself if not a link)."""
    return published.resolve()


def loaded_batches_path(published: Path) -> Path:
    """The load ledger's published summary (``source/batch_id`` of every loaded batch), for the sensor."""
    return published.with_name(f"{published.stem}.loaded-batches.json")


def publish_atomically(
    building: Path, published: Path, mode: int = 0o640, log: Callable[[str], None] = lambda _: None
) -> Path:
    """Write the published relations of ``building`` as a new version and point ``published`` at it.

    Returns the new version's path. ``mode`` is the permission of the published files; ``log``
    hears how the version was written.
    """
    with duckdb.connect(str(building)) as con:  # fold the WAL into the file before reading it
        con.execute("checkpoint")
    published.parent.mkdir(parents=True, exist_ok=True)
    number = max(_versions(published), default=0) + 1
    staging = published.with_name(f".{published.name}.publishing")
    carried_over = _start_version(staging, current_version(published) if published.exists() else None)
    with duckdb.connect(str(staging)) as con:
        con.execute("set enable_progress_bar = false")  # a log line, not a terminal
        con.execute(f"attach {quote_literal(str(building))} as building (read_only)")
        con.execute("begin")  # one commit: a commit per relation and comment took seconds
        if carried_over:
            log(f"carried over {carried_over.name}: {carry_over_published_relations(con, 'building').summary()}")
        else:
            copy_published_relations(con, "building")
            log("written from empty")
        con.execute("commit")
        batches = _loaded_batches(con, "building")
        con.execute("detach building")
        con.execute("checkpoint")
    _seal(staging, mode)
    target = version_path(published, number)
    os.replace(staging, target)
    _write_atomically(loaded_batches_path(published), json.dumps(batches).encode(), mode)
    point_link(published, target)
    sync_directory(published.parent)
    for _number, path in sorted(_versions(published).items())[:-VERSIONS_KEPT]:
        path.unlink(missing_ok=True)  # a reader that still has it open keeps reading it
    return target


def _start_version(staging: Path, previous: Path | None) -> Path | None:
    """Begin the new version's file at ``staging``: a copy of ``previous`` to carry over (returned),
    or nothing (None) when there is none to reuse or too much of it is free blocks."""
    staging.unlink(missing_ok=True)
    if previous is None:
        return None
    shutil.copyfile(previous, staging)  # versions are never written after their rename: a stable copy
    try:
        with duckdb.connect(str(staging)) as con:
            free, total = con.execute(
                "select free_blocks, total_blocks from pragma_database_size() where database_name = current_database()"
            ).fetchone()
    except duckdb.Error:  # not a DuckDB file we can open: write the version from empty
        free, total = 1, 1
    if total and free / total > MAX_FREE_SHARE:
        staging.unlink()
        return None
    return previous


def _loaded_batches(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    if not relation_exists(con, "raw.load_batches", source):
        return []
    rows = con.execute(
        f"select distinct source || '/' || batch_id from {source}.raw.load_batches "
        "where status in ('loaded', 'superseded') order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def _seal(path: Path, mode: int) -> None:
    """Give the file its permissions and flush it to disk before anyone can see it."""
    os.chmod(path, mode)
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    staging = path.with_name(f".{path.name}.publishing")
    staging.write_bytes(data)
    _seal(staging, mode)
    os.replace(staging, path)


@dg.asset(
    deps=[dbt_models],
    group_name="serving",
    pool=WAREHOUSE_WRITER_POOL,
    kinds={"duckdb"},
    description=(
        "The warehouse file BI tools read (CS_WAREHOUSE_PATH, a link to its newest version): the marts and "
        "quality schemas of the working file, published atomically after a good run."
    ),
)
def published_warehouse(context: dg.AssetExecutionContext, pipeline: PipelineSettings) -> dg.MaterializeResult:
    settings = pipeline.resolve()
    if not publishes(context.run.tags):  # a backfill: BI tools keep what they see (publishing.py)
        context.log.info(f"run tagged {PUBLISH_TAG}=false: {settings.warehouse_path} left as it was")
        return dg.MaterializeResult(metadata={"published": False})
    spark_metadata = {}
    if engine() == "spark":  # the Parquet marts first: the DuckDB file's publication also tells the sensor
        spark_metadata = publish_spark_marts(context)
    version = publish_atomically(
        settings.building_path, settings.warehouse_path, settings.warehouse_mode, log=context.log.info
    )
    context.log.info(f"published {settings.warehouse_path} -> {version.name}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(settings.warehouse_path)),
            "version": version.name,
            "size_mb": round(version.stat().st_size / 1e6, 2),
            "as_of_date": settings.as_of_date.isoformat(),
            **spark_metadata,
        }
    )


def publish_spark_marts(context: dg.AssetExecutionContext) -> dict[str, dg.MetadataValue | str]:
    """CS_ENGINE=spark: the Parquet marts Spark built become <CS_SPARK_WAREHOUSE_DIR>/marts.db
    (spark/publish.py: one atomic swing of a link; the DuckDB file above holds the same rows)."""
    relations = [node["alias"] for node in spark_serving.mart_nodes(load_manifest())]
    warehouse = spark_warehouse_dir()
    folder = spark_publish.publish_marts(warehouse, relations)
    link = spark_publish.published_marts(warehouse)
    context.log.info(f"published {len(relations)} Spark marts: {link} -> {folder.name}")
    return {"spark_marts": dg.MetadataValue.path(str(link)), "spark_version": folder.name}
