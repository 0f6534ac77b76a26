"""The quality-gate configuration (``config.yaml`` beside this file), read and validated once.

Thresholds are data: an analytics engineer changes an SLA or a tolerance in the YAML file, and
a bad value (a negative SLA, a coverage above 100 %) fails loudly when the file is read instead
of silently weakening a gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..extracts.spec import SOURCES as SOURCE_SPECS

CONFIG_PATH = Path(__file__).with_name("config.yaml")
SOURCES = tuple(SOURCE_SPECS)  # crm, billing, usage: the extract contract's sources, written once
# Settings of the mart gates that repeated dbt tests (removed): refused loudly, not ignored, so a
# configuration that still tunes them does not believe it is in force.
RETIRED_SECTIONS = {"ranges", "reconciliation", "daily_history"}
RETIRED_COVERAGE_KEYS = {"paying_accounts_relation", "paying_accounts_date_column", "paying_accounts_mrr_column"}


class QualityConfigError(ValueError):
    """The quality configuration has a value the checks cannot use; the message names the key."""


@dataclass(frozen=True)
class SourceFreshness:
    extract_sla_hours: float
    event_sla_hours: float | None = None  # usage only: the latest occurred_at


@dataclass(frozen=True)
class QualityConfig:
    sources: dict[str, SourceFreshness]
    quarantine_max_share: float = 0.01
    min_coverage: float = 1.0
    min_data_completeness_exclusive: float = 0.0
    offending_rows: int = 5

    def freshness(self, source: str) -> SourceFreshness:
        return self.sources[source]


def _number(raw: Any, key: str, *, minimum: float = 0.0, maximum: float | None = None) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise QualityConfigError(f"{key} must be a number, got {raw!r}")
    if raw < minimum or (maximum is not None and raw > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise QualityConfigError(f"{key} must be {bound}, got {raw!r}")
    return float(raw)


def parse_config(data: dict[str, Any]) -> QualityConfig:
    """Validate a parsed YAML document into a :class:`QualityConfig` (pure, for tests)."""
    freshness = data.get("freshness") or {}
    default_sla = _number(freshness.get("default_sla_hours", 24), "freshness.default_sla_hours", minimum=1e-9)
    per_source = freshness.get("sources") or {}
    unknown = sorted(set(per_source) - set(SOURCES))
    if unknown:
        raise QualityConfigError(f"freshness.sources has unknown source(s) {unknown}; known: {list(SOURCES)}")
    sources: dict[str, SourceFreshness] = {}
    for source in SOURCES:
        entry = per_source.get(source) or {}
        extract_sla = _number(
            entry.get("extract_sla_hours", default_sla), f"freshness.sources.{source}.extract_sla_hours", minimum=1e-9
        )
        event_sla = None
        if source == "usage":
            event_sla = _number(
                entry.get("event_sla_hours", extract_sla), "freshness.sources.usage.event_sla_hours", minimum=1e-9
            )
        elif "event_sla_hours" in entry:
            raise QualityConfigError(f"freshness.sources.{source}.event_sla_hours: only usage has an event time")
        sources[source] = SourceFreshness(extract_sla, event_sla)

    quarantine = data.get("quarantine") or {}
    coverage = data.get("health_coverage") or {}
    retired = sorted(set(data) & RETIRED_SECTIONS) + sorted(set(coverage) & RETIRED_COVERAGE_KEYS)
    if retired:
        raise QualityConfigError(
            f"{', '.join(retired)}: no longer a Great Expectations setting; the rules on models are dbt tests "
            "(docs/checks.md) and the paying accounts come from int_health_account_days"
        )
    offending_rows = data.get("offending_rows", 5)
    if isinstance(offending_rows, bool) or not isinstance(offending_rows, int) or not 1 <= offending_rows <= 100:
        raise QualityConfigError(f"offending_rows must be an integer between 1 and 100, got {offending_rows!r}")
    return QualityConfig(
        sources=sources,
        quarantine_max_share=_number(
            quarantine.get("max_share_per_batch", 0.01), "quarantine.max_share_per_batch", maximum=1
        ),
        min_coverage=_number(coverage.get("min_coverage", 1.0), "health_coverage.min_coverage", maximum=1),
        min_data_completeness_exclusive=_number(
            coverage.get("min_data_completeness_exclusive", 0),
            "health_coverage.min_data_completeness_exclusive",
            maximum=1,
        ),
        offending_rows=offending_rows,
    )


def load_config(path: Path = CONFIG_PATH) -> QualityConfig:
    """Read and validate a configuration file; raises QualityConfigError naming the key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise QualityConfigError(f"cannot read quality configuration {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise QualityConfigError(f"{path} must hold a mapping at the top level")
    return parse_config(data)


@lru_cache(maxsize=1)
def default_config() -> QualityConfig:
    """The project's configuration, read once per process."""
    return load_config()
