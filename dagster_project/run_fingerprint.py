"""What a run is made of, so that `cs-retention run` can tell "nothing new since the last good
run" and finish in seconds instead of rebuilding the same warehouse.

The fingerprint: the as-of date, the landing and warehouse paths, every file of the landing
directory (path, size, modification time: a new, re-delivered or changed batch changes it),
the parsed dbt project (manifest.json: models, tests, seeds with their checksums, variables)
and the project's version. The last good run's fingerprint is kept beside its outputs.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from pathlib import Path

from .settings import DBT_PROJECT_DIR, Settings

RECORD_NAME = "last_good_run.json"


def fingerprint(settings: Settings) -> str:
    digest = hashlib.sha256()
    parts = {
        "as_of_date": settings.as_of_date.isoformat(),
        "landing": str(settings.landing_dir),
        "warehouse": str(settings.warehouse_path),
        "version": importlib.metadata.version("customer-retention-pipeline"),
    }
    digest.update(json.dumps(parts, sort_keys=True).encode())
    for path in sorted(p for p in settings.landing_dir.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(settings.landing_dir)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    digest.update(hashlib.sha256(manifest.read_bytes()).digest() if manifest.is_file() else b"no manifest")
    return digest.hexdigest()


def _record_path(settings: Settings) -> Path:
    return settings.output_dir / RECORD_NAME


def last_good_run(settings: Settings) -> dict | None:
    """The record of the last good run, if it is still what BI tools see (same published file)."""
    path = _record_path(settings)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        published = settings.warehouse_path.stat().st_mtime_ns
    except (OSError, ValueError):
        return None
    return record if record.get("published_mtime_ns") == published else None


def remember_good_run(settings: Settings, run_id: str, run_fingerprint: str) -> None:
    if not settings.warehouse_path.is_file():
        return
    record = {
        "run_id": run_id,
        "fingerprint": run_fingerprint,
        "as_of_date": settings.as_of_date.isoformat(),
        "published_mtime_ns": settings.warehouse_path.stat().st_mtime_ns,
    }
    path = _record_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(record), encoding="utf-8")
    partial.replace(path)
