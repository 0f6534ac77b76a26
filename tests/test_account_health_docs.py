"""account_health is one day of fct_account_health_daily (``select *``), documented in its own
file beside its model: its columns must stay those of the daily mart, word for word (names,
types, constraints, tests and descriptions), so the docs site says the same of both."""

from __future__ import annotations

from pathlib import Path

import yaml

HEALTH_MARTS = Path(__file__).resolve().parent.parent / "dbt_project" / "models" / "marts" / "health"


def _model(file: str, name: str) -> dict:
    models = yaml.safe_load((HEALTH_MARTS / file).read_text(encoding="utf-8"))["models"]
    (model,) = [m for m in models if m["name"] == name]
    return model


def test_account_health_is_documented_beside_its_model_with_the_daily_marts_columns():
    daily = _model("fct_account_health_daily.yml", "fct_account_health_daily")
    latest = _model("account_health.yml", "account_health")
    assert latest["config"]["contract"]["enforced"] is True
    assert [c["name"] for c in latest["columns"]] == [c["name"] for c in daily["columns"]]
    differing = [a["name"] for a, b in zip(latest["columns"], daily["columns"], strict=True) if a != b]
    assert not differing, f"account_health.yml documents these columns differently: {differing}"
