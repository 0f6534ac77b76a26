"""The quality configuration file is valid, and bad values fail loudly, naming the key."""

from __future__ import annotations

import pytest

from dagster_project.checks.config import QualityConfigError, load_config, parse_config


def test_the_project_configuration_is_valid_and_has_the_documented_defaults():
    config = load_config()
    assert {s: config.freshness(s).extract_sla_hours for s in ("crm", "billing", "usage")} == {
        "crm": 24,
        "billing": 24,
        "usage": 24,
    }
    assert config.freshness("usage").event_sla_hours == 36
    assert config.freshness("crm").event_sla_hours is None
    assert config.quarantine_max_share == 0.01
    assert (config.min_coverage, config.min_data_completeness_exclusive) == (1.0, 0)


def test_an_empty_document_gives_the_defaults():
    config = parse_config({})
    assert config.freshness("billing").extract_sla_hours == 24
    assert config.freshness("usage").event_sla_hours == 24  # same SLA as the extract unless set


@pytest.mark.parametrize(
    ("document", "key"),
    [
        ({"freshness": {"default_sla_hours": -1}}, "freshness.default_sla_hours"),
        ({"freshness": {"sources": {"hubspot": {"extract_sla_hours": 5}}}}, "unknown source"),
        ({"freshness": {"sources": {"crm": {"event_sla_hours": 5}}}}, "only usage has an event time"),
        ({"quarantine": {"max_share_per_batch": 5}}, "quarantine.max_share_per_batch"),
        ({"health_coverage": {"min_coverage": 1.5}}, "health_coverage.min_coverage"),
        ({"health_coverage": {"paying_accounts_relation": "x.y"}}, "paying_accounts_relation: no longer"),
        ({"ranges": {"score": [0, 100]}}, "ranges: no longer a Great Expectations setting"),
        ({"reconciliation": {"tolerance_usd": 0.01}}, "reconciliation: no longer"),
        ({"offending_rows": 0}, "offending_rows"),
        ({"freshness": {"default_sla_hours": "24h"}}, "must be a number"),
    ],
)
def test_bad_values_are_refused_naming_the_key(document, key):
    with pytest.raises(QualityConfigError, match=key):
        parse_config(document)
