"""The gates as Dagster asset checks, on the assets they check.

Four check steps per full run, each one DuckDB connection and one pass over its gates:

- ``<source>_extract_gates`` (crm, billing, usage), after the source's raw multi-asset, on
  ``raw/<source>_<anchor>``: ``extract_freshness`` (blocking) and ``quarantine_volume`` (warn);
- ``health_coverage_gate``, after the dbt models: ``health_score_coverage`` (blocking).

Rules on the dbt models themselves (keys, ranges, reconciliations) are dbt tests, which Dagster
shows as asset checks of the models; docs/checks.md lists every rule once.

Blocking means blocking: a failed blocking gate ends its step with a :class:`dagster.Failure`
whose message names the check, the asset and what was observed ("billing extract is 98 h old;
SLA 24 h"). Dagster then skips every step downstream of the checked asset — dbt after a raw
gate, ``published_warehouse`` after either — so the published warehouse stays as it was.
Every outcome is appended to ``quality.check_results`` in the working warehouse, and the run's
GX validations are rendered as Data Docs under ``<output_dir>/data_docs``.
"""

# No ``from __future__ import annotations`` in this module: Dagster reads the context and
# resource annotations of the check functions when they are defined.

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import dagster as dg
import duckdb

from ..pools import WAREHOUSE_WRITER_POOL
from ..publishing import data_docs_dir
from ..resources import PipelineSettings
from ..settings import Settings
from .config import SOURCES, QualityConfig, default_config
from .core import CheckInputs, CheckOutcome, GateFunction, as_of_time, errored, persist_outcomes
from .extracts import FRESHNESS_CHECK, QUARANTINE_CHECK, SOURCE_ASSETS, check_freshness, check_quarantine
from .gx_runner import gx_session
from .health import COVERAGE_CHECK, HEALTH_ASSET, check_health_coverage

DATA_DOCS_FOLDER = "data_docs"


@dataclass(frozen=True)
class Gate:
    """One asset check: its name, the asset it is on, whether it blocks, and the function."""

    name: str
    asset_key: tuple[str, ...]
    blocking: bool
    description: str
    evaluate: GateFunction

    @property
    def check_key(self) -> dg.AssetCheckKey:
        return dg.AssetCheckKey(dg.AssetKey(list(self.asset_key)), self.name)

    def spec(self) -> dg.AssetCheckSpec:
        return dg.AssetCheckSpec(
            self.name, asset=dg.AssetKey(list(self.asset_key)), blocking=self.blocking, description=self.description
        )


def source_gates(source: str) -> list[Gate]:
    return [
        Gate(
            FRESHNESS_CHECK,
            SOURCE_ASSETS[source],
            blocking=True,
            description=f"GX: the latest loaded {source} extract (raw.load_batches.extracted_at)"
            + (" and the latest usage event (occurred_at)" if source == "usage" else "")
            + " is within its SLA of the as-of time (checks/config.yaml). Blocks dbt and publishing.",
            evaluate=partial(check_freshness, source=source),
        ),
        Gate(
            QUARANTINE_CHECK,
            SOURCE_ASSETS[source],
            blocking=False,
            description=f"GX: no {source} batch of the latest load quarantined more than the configured share "
            "of its manifest rows (raw.quarantine has the reasons).",
            evaluate=partial(check_quarantine, source=source),
        ),
    ]


HEALTH_GATES: list[Gate] = [
    Gate(
        COVERAGE_CHECK,
        HEALTH_ASSET,
        blocking=True,
        description="GX: every paying account at the end of the as-of day (int_health_account_days) has a "
        "health score for that day with data_completeness > 0. Blocks publishing.",
        evaluate=check_health_coverage,
    ),
]


# --------------------------------------------------------------------------- running gates


def evaluate_gates(con: duckdb.DuckDBPyConnection, gates: Sequence[Gate], inputs: CheckInputs) -> list[CheckOutcome]:
    """Run gates on one connection; a gate that raises fails (closed) instead of ending the step."""
    outcomes = []
    for gate in gates:
        try:
            outcomes.append(gate.evaluate(con, inputs))
        except Exception as exc:  # noqa: BLE001 - reported as the gate's failed outcome
            outcomes.append(errored(gate.name, gate.asset_key, gate.blocking, exc))
    return outcomes


def run_gates(
    settings: Settings,
    connect: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
    gates: Sequence[Gate],
    run_id: str,
    *,
    config: QualityConfig | None = None,
    now: datetime | None = None,
    log: Callable[[str], None] | None = None,
    docs_dir: Path | None = None,
) -> tuple[list[CheckOutcome], Path | None]:
    """Evaluate gates against the working warehouse, persist their outcomes, render Data Docs.

    The connection is opened once, written once and closed before returning: DuckDB has one
    writer, and dbt or the next asset needs the file next.
    """
    now = now or datetime.now(UTC).replace(tzinfo=None)
    session = gx_session(run_id, docs_dir or settings.output_dir / DATA_DOCS_FOLDER)
    inputs = CheckInputs(settings.as_of_date, as_of_time(settings.as_of_date, now), config or default_config(), session)
    with connect() as con:
        outcomes = evaluate_gates(con, gates, inputs)
        persist_outcomes(con, run_id, outcomes, checked_at=now, as_of_date=settings.as_of_date)
    docs_index = None
    try:
        docs_index = session.build_data_docs()
    except Exception as exc:  # noqa: BLE001 - the docs are a report; the gates have already decided
        if log:
            log(f"GX Data Docs could not be built: {exc!r}")
    return outcomes, docs_index


def check_result(outcome: CheckOutcome, docs_index: Path | None) -> dg.AssetCheckResult:
    metadata: dict[str, dg.RawMetadataValue] = {
        "message": dg.MetadataValue.text(outcome.message),
        "observed": dg.MetadataValue.text(outcome.observed or ""),
        "threshold": dg.MetadataValue.text(outcome.threshold or ""),
    }
    if outcome.validation is not None:
        metadata["gx_success"] = dg.MetadataValue.bool(outcome.validation.success)
        metadata["gx_validation"] = dg.MetadataValue.json(outcome.validation.to_metadata())
    if outcome.offending_rows:
        metadata["unexpected_rows"] = dg.MetadataValue.json(outcome.offending_rows)
    if outcome.details:
        metadata["details"] = dg.MetadataValue.json(outcome.details)
    if docs_index is not None:
        metadata["data_docs"] = dg.MetadataValue.path(str(docs_index))
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(outcome.asset_key)),
        check_name=outcome.check_name,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.ERROR if outcome.blocking else dg.AssetCheckSeverity.WARN,
        description=outcome.message,
        metadata=metadata,
    )


def blocking_failure(outcomes: Sequence[CheckOutcome]) -> dg.Failure | None:
    """The run's failure when a blocking gate failed, naming each check, asset and observation."""
    failed = [o for o in outcomes if o.blocking and not o.passed]
    if not failed:
        return None
    return dg.Failure(
        description="Blocking quality gate failed, publishing skipped: " + " || ".join(o.headline() for o in failed),
        metadata={
            "failed_checks": dg.MetadataValue.json(
                [
                    {"check": o.check_name, "asset": o.asset_path, "observed": o.observed, "message": o.message}
                    for o in failed
                ]
            )
        },
    )


def build_gate_check(name: str, gates: Sequence[Gate], description: str) -> dg.AssetChecksDefinition:
    """One multi-asset check (one step) running ``gates``; selectable one check at a time."""

    @dg.multi_asset_check(
        name=name,
        specs=[g.spec() for g in gates],
        can_subset=True,
        description=description,
        pool=WAREHOUSE_WRITER_POOL,
    )
    def _gates(context: dg.AssetCheckExecutionContext, pipeline: PipelineSettings) -> Iterator[dg.AssetCheckResult]:
        selected = [g for g in gates if g.check_key in context.selected_asset_check_keys]
        settings = pipeline.resolve()
        docs_dir = data_docs_dir(settings, context.run.tags)  # a backfill leaves the published Data Docs alone
        outcomes, docs_index = run_gates(
            settings, pipeline.connect, selected, context.run.run_id, log=context.log.warning, docs_dir=docs_dir
        )
        for outcome in outcomes:
            (context.log.info if outcome.passed else context.log.warning)(outcome.headline())
            yield check_result(outcome, docs_index)
        failure = blocking_failure(outcomes)
        if failure is not None:
            raise failure

    return _gates


extract_gate_checks = [
    build_gate_check(
        f"{source}_extract_gates",
        source_gates(source),
        f"Great Expectations gates on the {source} extract: freshness (blocking), quarantine volume (warn).",
    )
    for source in SOURCES
]
health_gate_check = build_gate_check(
    "health_coverage_gate",
    HEALTH_GATES,
    "Great Expectations gate on the health mart: health-score coverage (blocking).",
)
quality_checks: list[dg.AssetChecksDefinition] = [*extract_gate_checks, health_gate_check]
