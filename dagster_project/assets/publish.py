"""Publishing: the working warehouse replaces the file BI tools read, atomically.

Runs only after every dbt model and blocking check upstream has passed, so BI tools never see
a half-built or failed state. Readers holding the old file keep reading it (POSIX rename).
"""

import errno
import mmap
import os
from pathlib import Path

import dagster as dg
import duckdb

from ..pools import WAREHOUSE_WRITER_POOL
from ..publishing import PUBLISH_TAG, publishes
from ..resources import PipelineSettings
from .dbt import dbt_models

# Bytes per read/write of the copy: a multiple of every disk's block size (O_DIRECT needs whole
# blocks from a page-aligned buffer).
COPY_CHUNK_BYTES = 16 * 1024 * 1024
DIRECT_IO_BLOCK = 4096


def publish_atomically(building: Path, published: Path) -> None:
    """Copy the working file beside the target, flush it to disk, then rename over the target."""
    with duckdb.connect(str(building)) as con:  # fold the WAL into the file before copying
        con.execute("checkpoint")
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(f".{published.name}.publishing")
    copy_around_page_cache(building, staging)
    with open(staging, "rb") as handle:
        os.fsync(handle.fileno())  # the file's size and blocks, and any part written through the cache
    os.replace(staging, published)


def copy_around_page_cache(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target``, writing to the disk directly (O_DIRECT), not the page cache.

    Publishing copies the whole warehouse (1.4 GB on the large benchmark book) every run.
    Through the page cache each byte of the copy first becomes a newly allocated cached page,
    which the fsync then writes out: 3.6 s + 0.6 s in a large daily run on the 2-core benchmark
    machine, against 0.9 s + ~0 written directly (docs/benchmarks.md). The bytes are the same
    either way: where O_DIRECT is refused (no such flag, a file system without it) or a chunk is
    not whole blocks (the file's tail, a short read or write), the rest goes through the cache.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    direct = hasattr(os, "O_DIRECT")
    try:
        out = os.open(target, flags | (os.O_DIRECT if direct else 0), 0o644)
    except OSError:
        direct = False
        out = os.open(target, flags, 0o644)
    try:
        with (
            mmap.mmap(-1, COPY_CHUNK_BYTES) as buffer,  # anonymous memory is page-aligned
            memoryview(buffer) as view,
            open(source, "rb", buffering=0) as reader,
        ):
            while size := reader.readinto(view):
                direct = _write_chunk(out, view[:size], direct)
    finally:
        os.close(out)


def _write_chunk(fd: int, chunk: memoryview, direct: bool) -> bool:
    """Write all of ``chunk``; returns whether the copy still writes directly."""
    with chunk:
        written = 0
        if direct and len(chunk) % DIRECT_IO_BLOCK == 0:
            try:
                written = os.write(fd, chunk)
            except OSError as error:  # EINVAL: the file system took the flag but not the write
                if error.errno != errno.EINVAL:
                    raise
            if written == len(chunk):
                return True
        if direct:
            _through_page_cache(fd)
        while written < len(chunk):
            written += os.write(fd, chunk[written:])
        return False


def _through_page_cache(fd: int) -> None:
    """Turn O_DIRECT off for the rest of the copy (only ever on where the OS has fcntl)."""
    import fcntl

    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_DIRECT)


@dg.asset(
    deps=[dbt_models],
    group_name="serving",
    pool=WAREHOUSE_WRITER_POOL,
    kinds={"duckdb"},
    description="The warehouse file BI tools read (CS_WAREHOUSE_PATH), replaced atomically after a good run.",
)
def published_warehouse(context: dg.AssetExecutionContext, pipeline: PipelineSettings) -> dg.MaterializeResult:
    settings = pipeline.resolve()
    if not publishes(context.run.tags):  # a backfill: BI tools keep what they see (publishing.py)
        context.log.info(f"run tagged {PUBLISH_TAG}=false: {settings.warehouse_path} left as it was")
        return dg.MaterializeResult(metadata={"published": False})
    publish_atomically(settings.building_path, settings.warehouse_path)
    context.log.info(f"published {settings.warehouse_path}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(settings.warehouse_path)),
            "size_mb": round(settings.warehouse_path.stat().st_size / 1e6, 2),
            "as_of_date": settings.as_of_date.isoformat(),
        }
    )
