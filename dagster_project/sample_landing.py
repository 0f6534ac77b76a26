"""The embedded default: when CS_LANDING_DIR is unset, the bundled sample book of business,
generated (fixed seed) for the run's as-of date so a fresh machine's first run is fresh."""

from __future__ import annotations

import json
import shutil

from .settings import Settings


def _sample_end_date(settings: Settings) -> str | None:
    marker = settings.landing_dir / "_sample.json"
    if not marker.is_file():
        return None
    return json.loads(marker.read_text())["end_date"]


def ensure_sample_landing(settings: Settings) -> bool:
    """Generate the sample landing directory for the as-of date unless it is already there.

    A sample for another date is a different book (same seed, other dates), so it replaces the
    old one and the working warehouse built from it. Returns whether it generated.
    """
    from .sample_data.generator import generate_landing  # numpy-heavy; only when needed

    end_date = settings.as_of_date.isoformat()
    if _sample_end_date(settings) == end_date:
        return False
    shutil.rmtree(settings.landing_dir, ignore_errors=True)
    settings.building_path.unlink(missing_ok=True)
    generate_landing(settings.landing_dir, end_date=settings.as_of_date)
    (settings.landing_dir / "_sample.json").write_text(json.dumps({"end_date": end_date, "seed": 42}))
    return True
