"""The `delivered_alerts` asset as Dagster runs it: settings from the environment, ledger in
the working warehouse, a dg.Failure when the webhook is down."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.assets.alerts import delivered_alerts
from dagster_project.resources import PipelineSettings

from .conftest import HEALTH_ALERTS, Webhook, build_warehouse

FAST = {"ops": {"delivered_alerts": {"config": {"retries": 1, "backoff_factor": 0.0, "read_timeout": 2.0}}}}


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch) -> Path:
    path = build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS)
    monkeypatch.setenv("CS_WAREHOUSE_PATH", str(path))
    monkeypatch.setenv("CS_AS_OF_DATE", "2026-11-21")
    monkeypatch.delenv("CS_ALERT_WEBHOOK_URL", raising=False)
    return path


def materialize(**config: object) -> dg.ExecuteInProcessResult:
    run_config = {"ops": {"delivered_alerts": {"config": {**FAST["ops"]["delivered_alerts"]["config"], **config}}}}
    return dg.materialize(
        [delivered_alerts], resources={"pipeline": PipelineSettings()}, run_config=run_config, raise_on_error=False
    )


def metadata(result: dg.ExecuteInProcessResult) -> dict:
    [event] = result.get_asset_materialization_events()
    return {key: value.value for key, value in event.materialization.metadata.items()}


def ledger_ids(warehouse: Path) -> list[str]:
    building = warehouse.with_name("warehouse.building.duckdb")
    with duckdb.connect(str(building), read_only=True) as con:
        return [row[0] for row in con.execute("select alert_id from ops.alert_deliveries order by 1").fetchall()]


def test_the_asset_posts_new_alerts_once_and_keeps_the_ledger_in_the_working_file(
    warehouse, webhook: Webhook, monkeypatch
):
    monkeypatch.setenv("CS_ALERT_WEBHOOK_URL", webhook.url)  # read at run time, not import
    first = materialize()
    assert first.success
    assert metadata(first) == {
        "sent": 3,
        "channel": "webhook",
        "endpoint": webhook.url.split("/services")[0],  # host only: the path is the secret
        "sources": "marts.fct_health_alerts: read; marts.fct_renewal_forecast: not built yet, skipped; "
        "marts.fct_renewal_motion: not built yet, skipped; marts.fct_expansion_signals: not built yet, skipped",
        "sent_since": "2026-11-14",  # as-of 2026-11-21 minus max_age_days (7)
        "ledger_total": 3,
    }
    assert len(webhook.bodies) == 3 and ledger_ids(warehouse) == ["ha-1", "ha-2", "ha-3"]

    second = materialize()
    assert second.success and metadata(second)["sent"] == 0 and len(webhook.bodies) == 3


def test_max_age_days_keeps_older_alerts_from_being_sent(warehouse, webhook: Webhook, monkeypatch):
    monkeypatch.setenv("CS_ALERT_WEBHOOK_URL", webhook.url)
    result = materialize(max_age_days=0)  # only alerts raised on the as-of day (2026-11-21)
    assert result.success and metadata(result)["sent_since"] == "2026-11-21"
    assert ledger_ids(warehouse) == ["ha-2", "ha-3"] and len(webhook.bodies) == 2


def test_a_down_endpoint_fails_the_asset_naming_it_and_the_undelivered_count(warehouse, closed_port_url, monkeypatch):
    monkeypatch.setenv("CS_ALERT_WEBHOOK_URL", closed_port_url)
    result = materialize()
    assert not result.success
    [failure] = [event for event in result.all_events if event.is_step_failure]
    description = failure.step_failure_data.user_failure_data.description
    host = closed_port_url.split("/services")[0]
    assert description.startswith(f"Alert webhook {host} is not accepting alerts")
    assert "3 alert(s) not delivered" in description and "secret-token" not in description
    assert ledger_ids(warehouse) == []


def test_without_a_webhook_the_asset_writes_the_outbox_once(warehouse):
    outbox = warehouse.parent / "warehouse-outputs" / "alerts_outbox.jsonl"
    first, second = materialize(), materialize()
    assert metadata(first)["channel"] == "outbox" and metadata(first)["outbox_path"] == str(outbox)
    assert metadata(first)["sent"] == 3 and metadata(second)["sent"] == 0
    assert [json.loads(line)["alert_id"] for line in outbox.read_text().splitlines()] == ["ha-1", "ha-2", "ha-3"]


def test_before_anything_is_published_the_asset_sends_nothing_and_says_why(tmp_path, webhook: Webhook, monkeypatch):
    monkeypatch.setenv("CS_WAREHOUSE_PATH", str(tmp_path / "never-published.duckdb"))
    monkeypatch.setenv("CS_ALERT_WEBHOOK_URL", webhook.url)
    result = materialize()
    assert result.success and metadata(result)["sent"] == 0 and webhook.bodies == []
    assert "not published yet" in metadata(result)["sources"]


def test_only_published_alerts_are_sent_not_the_working_files(warehouse, webhook: Webhook, monkeypatch):
    """A failed run leaves new marts in the working file only; they must not be announced."""
    building = warehouse.with_name("warehouse.building.duckdb")
    build_warehouse(
        building, health_alerts=[*HEALTH_ALERTS, ("ha-unpublished", "2026-11-22", "acc-1", "x", "critical", "m")]
    )
    monkeypatch.setenv("CS_ALERT_WEBHOOK_URL", webhook.url)
    assert materialize().success
    assert ledger_ids(warehouse) == ["ha-1", "ha-2", "ha-3"]


def test_a_malformed_webhook_url_fails_before_sending(warehouse, monkeypatch):
    monkeypatch.setenv("CS_ALERT_WEBHOOK_URL", "hooks.slack.com/services/T/B/x")
    result = materialize()
    [failure] = [event for event in result.all_events if event.is_step_failure]
    assert (
        "CS_ALERT_WEBHOOK_URL is set but is not an http(s) URL"
        in failure.step_failure_data.user_failure_data.description
    )


def test_nothing_is_sent_when_a_blocking_check_stops_publishing(warehouse, webhook: Webhook, monkeypatch):
    """Stand-ins for dbt_models (with a failing blocking check) and published_warehouse: the
    skip propagates through publishing to the alerts, as in the real graph."""

    @dg.asset(name="marts_stub")
    def marts_stub() -> None:
        return None

    @dg.asset_check(asset=marts_stub, blocking=True)
    def marts_are_valid() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=False)

    @dg.asset(name="published_warehouse", deps=[marts_stub])
    def published_stub() -> None:
        return None

    monkeypatch.setenv("CS_ALERT_WEBHOOK_URL", webhook.url)
    result = dg.materialize(
        [marts_stub, marts_are_valid, published_stub, delivered_alerts],
        resources={"pipeline": PipelineSettings()},
        run_config=FAST,
        raise_on_error=False,
    )
    materialized = {event.asset_key.path[-1] for event in result.get_asset_materialization_events()}
    assert materialized == {"marts_stub"}
    assert webhook.bodies == []
