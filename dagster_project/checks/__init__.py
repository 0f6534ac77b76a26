"""Quality gates: Great Expectations suites run by Dagster as asset checks (docs/checks.md).

``quality_checks`` goes into ``Definitions(asset_checks=...)``. Importing this package does not
import Great Expectations; the first check that runs does.
"""

from .asset_checks import HEALTH_GATES, Gate, build_gate_check, quality_checks, run_gates, source_gates

__all__ = ["HEALTH_GATES", "Gate", "build_gate_check", "quality_checks", "run_gates", "source_gates"]
