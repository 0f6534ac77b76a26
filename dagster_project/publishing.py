"""Whether a run changes what BI tools and readers see.

A run tagged ``cs/publish: false`` (every backfill: the backfill job carries the tag, and
`cs-retention backfill` sets it however the backfill is launched) recomputes the working
warehouse only: ``published_warehouse`` does not replace the published file, the dbt docs site
is not regenerated, and the run's Great Expectations Data Docs go to ``<outputs>/unpublished/``
instead of replacing the published ones. `cs-retention backfill --publish` publishes afterwards
with a run of the serving assets (published_warehouse, report, docs, alerts).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from .settings import Settings

PUBLISH_TAG = "cs/publish"
NO_PUBLISH_TAGS = {PUBLISH_TAG: "false"}
DATA_DOCS_FOLDER = "data_docs"
UNPUBLISHED_FOLDER = "unpublished"


def publishes(tags: Mapping[str, str]) -> bool:
    return tags.get(PUBLISH_TAG, "true").strip().lower() != "false"


def data_docs_dir(settings: Settings, tags: Mapping[str, str]) -> Path:
    """Where a run's GX Data Docs go: the published site only for a run that publishes."""
    base = settings.output_dir if publishes(tags) else settings.output_dir / UNPUBLISHED_FOLDER
    return base / DATA_DOCS_FOLDER


def point_link(link: Path, target: Path) -> None:
    """Make ``link`` a relative link to ``target`` (so the folder can move) in one rename: atomic
    for readers, who resolve either the old target or the new one (the DuckDB file and the Spark
    marts are both published this way)."""
    fresh = link.with_name(f".{link.name}.link")
    fresh.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, link.parent), fresh)
    os.replace(fresh, link)


def sync_directory(folder: Path) -> None:
    """The renames in ``folder`` reach the disk (a crash after publishing cannot bring back the old link)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
