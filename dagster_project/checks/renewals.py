"""Warn gate on the renewal forecast: probabilities are fractions.

A probability of 1.4 (a percentage stored as 140 %, or a bad seed) would inflate forecast ARR
in the leadership report without anything else noticing.
"""

from __future__ import annotations

import duckdb

from .config import QualityConfig
from .core import CheckInputs, CheckOutcome
from .relation_suites import Ranges, RelationSuite, check_relation_suite


def probability_ranges(columns: list[str], config: QualityConfig) -> Ranges:
    return {c: config.probability_range for c in ("renewal_probability",) if c in columns}


RENEWAL_SUITE = RelationSuite(
    check_name="renewal_probabilities_valid",
    relation="marts.fct_renewal_forecast",
    ranges=probability_ranges,
    not_null=("renewal_probability",),
    what="renewal_probability present and within 0-1",
)


def check_renewal_probabilities(con: duckdb.DuckDBPyConnection, inputs: CheckInputs) -> CheckOutcome:
    """Warn: fct_renewal_forecast.renewal_probability present and in 0-1 (skipped until built)."""
    return check_relation_suite(con, inputs, RENEWAL_SUITE)
