"""Sources, ledger, webhook and outbox together, called directly against a tiny warehouse."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.alerts.delivery import RetryPolicy, WebhookChannel
from dagster_project.alerts.dispatch import Channel, DispatchOutcome, dispatch
from dagster_project.alerts.ledger import ensure_ledger, undelivered_alerts
from dagster_project.alerts.outbox import OutboxChannel
from dagster_project.alerts.sources import attached_read_only

from .conftest import HEALTH_ALERTS, Webhook, build_warehouse

FAST = RetryPolicy(retries=2, backoff_factor=0.0, connect_timeout=2.0, read_timeout=2.0)


def deliver(tmp_path: Path, channel: Channel, since: date | None = None) -> tuple[DispatchOutcome, list[str]]:
    """One delivery pass as the asset does it; returns the outcome and the source notes."""
    with duckdb.connect(str(tmp_path / "work.duckdb")) as con:
        ensure_ledger(con)
        with attached_read_only(con, tmp_path / "warehouse.duckdb") as present:
            assert present
            alerts, notes = undelivered_alerts(con, since=since)
            outcome = dispatch(con, alerts, channel)
    channel.close()
    return outcome, notes


def ledger(tmp_path: Path) -> list[tuple]:
    with duckdb.connect(str(tmp_path / "work.duckdb"), read_only=True) as con:
        return con.execute(
            "select alert_id, channel, status, attempts, response_code from ops.alert_deliveries order by alert_id"
        ).fetchall()


def pending(tmp_path: Path) -> list[str]:
    with duckdb.connect(str(tmp_path / "work.duckdb")) as con:
        ensure_ledger(con)
        with attached_read_only(con, tmp_path / "warehouse.duckdb"):
            return [alert.alert_id for alert in undelivered_alerts(con)[0]]


def test_each_alert_is_posted_once_and_a_rerun_sends_nothing(tmp_path, webhook: Webhook):
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS)
    outcome, _ = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert outcome.delivered == ["ha-1", "ha-2", "ha-3"] and outcome.error is None
    assert webhook.texts() == [
        "[CRITICAL] Acme Corp (acc-1): Health drop - Health fell from 72 to 38 in 30 days",
        "[WARNING] Globex (acc-2): Champion departed - Champion &lt;Jane&gt; left &amp; no replacement",
        "[INFO] acc-3: Low adoption - Seats used 20% of licensed",
    ]
    assert set(webhook.paths) == {"/services/T000/B000/secret-token"}
    assert ledger(tmp_path) == [(f"ha-{i}", "webhook", "delivered", 1, 200) for i in (1, 2, 3)]

    again, _ = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert again.delivered == [] and len(webhook.bodies) == 3


def test_only_alerts_new_since_the_last_run_are_sent(tmp_path, webhook: Webhook):
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS[:1])
    deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS)  # next publish
    outcome, _ = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert outcome.delivered == ["ha-2", "ha-3"]
    assert [body["text"][:10] for body in webhook.bodies] == ["[CRITICAL]", "[WARNING] ", "[INFO] acc"]


def test_alerts_raised_before_the_window_are_history_and_never_sent(tmp_path, webhook: Webhook):
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS)
    outcome, _ = deliver(tmp_path, WebhookChannel(webhook.url, FAST), since=date(2026, 11, 21))
    assert outcome.delivered == ["ha-2", "ha-3"]  # ha-1 (2026-11-20) is older than the window
    assert [row[0] for row in ledger(tmp_path)] == ["ha-2", "ha-3"]


def test_ledger_rows_survive_an_error_that_escapes_dispatch(tmp_path):
    """Rows are committed in groups; an exception half-way still leaves what was sent recorded."""
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS)

    class Crashing(OutboxChannel):
        def send(self, alert_id, payload):
            if alert_id == "ha-3":
                raise RuntimeError("disk full")
            return super().send(alert_id, payload)

    with pytest.raises(RuntimeError, match="disk full"):
        deliver(tmp_path, Crashing(tmp_path / "alerts_outbox.jsonl"))
    assert [row[0] for row in ledger(tmp_path)] == ["ha-1", "ha-2"]


def test_a_500_is_retried_and_then_delivered(tmp_path, webhook: Webhook):
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS[:1])
    webhook.fail_first = 1
    outcome, _ = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert outcome.delivered == ["ha-1"]
    assert len(webhook.bodies) == 2 and webhook.bodies[0] == webhook.bodies[1]
    assert ledger(tmp_path) == [("ha-1", "webhook", "delivered", 2, 200)]


def test_an_unreachable_endpoint_fails_naming_the_host_and_records_nothing(tmp_path, closed_port_url):
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS)
    outcome, _ = deliver(tmp_path, WebhookChannel(closed_port_url, FAST))
    assert outcome.delivered == [] and outcome.undelivered == 3
    message = str(outcome.error)
    host = closed_port_url.split("/services")[0]
    assert f"webhook {host} failed after 3 attempt(s): no HTTP response" in message
    assert "secret-token" not in message and "Connection refused" in message
    assert ledger(tmp_path) == []
    assert pending(tmp_path) == ["ha-1", "ha-2", "ha-3"]


def test_what_was_delivered_before_the_endpoint_went_down_is_kept(tmp_path, webhook: Webhook):
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS)
    webhook.fail_after = 1  # the first POST succeeds, then 500 forever
    outcome, _ = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert outcome.delivered == ["ha-1"] and outcome.undelivered == 2
    assert outcome.error.last_status == 500 and outcome.error.attempts == 3
    assert len(webhook.bodies) == 1 + 3  # ha-1 once, ha-2 three times, ha-3 never tried
    assert [row[0] for row in ledger(tmp_path)] == ["ha-1"]
    assert pending(tmp_path) == ["ha-2", "ha-3"]


def test_a_slow_endpoint_times_out_and_is_retried_a_bounded_number_of_times(tmp_path, webhook: Webhook):
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS[:1])
    webhook.delay = 1.0
    policy = RetryPolicy(retries=1, backoff_factor=0.0, connect_timeout=1.0, read_timeout=0.2)
    started = time.monotonic()
    outcome, _ = deliver(tmp_path, WebhookChannel(webhook.url, policy))
    assert time.monotonic() - started < 1.0  # two 0.2 s timeouts, not the server's 1 s answers
    assert len(webhook.bodies) == 2 and outcome.undelivered == 1
    assert "timed out" in str(outcome.error) and "secret-token" not in str(outcome.error)
    assert ledger(tmp_path) == []


def test_a_rejected_webhook_is_not_retried_and_its_answer_is_reported(tmp_path, webhook: Webhook):
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS)
    webhook.fail_first, webhook.fail_status, webhook.fail_body = 99, 404, b"no_service"
    outcome, _ = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert len(webhook.bodies) == 1 and outcome.undelivered == 3
    assert outcome.error.last_status == 404 and "'no_service'" in str(outcome.error)
    assert ledger(tmp_path) == []


def test_without_a_webhook_alerts_are_written_to_the_outbox_once(tmp_path):
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS)
    outbox = tmp_path / "out" / "alerts_outbox.jsonl"
    deliver(tmp_path, OutboxChannel(outbox))
    deliver(tmp_path, OutboxChannel(outbox))
    lines = [json.loads(line) for line in outbox.read_text().splitlines()]
    assert [line["alert_id"] for line in lines] == ["ha-1", "ha-2", "ha-3"]
    assert lines[0]["payload"]["text"].startswith("[CRITICAL] Acme Corp (acc-1)")
    assert ledger(tmp_path) == [(f"ha-{i}", "outbox", "delivered", 1, None) for i in (1, 2, 3)]


def test_a_sent_alert_is_not_resent_after_switching_channels(tmp_path, webhook: Webhook):
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS)
    deliver(tmp_path, OutboxChannel(tmp_path / "alerts_outbox.jsonl"))
    outcome, _ = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert outcome.delivered == [] and webhook.bodies == []


def test_deleting_a_ledger_row_resends_that_alert(tmp_path, webhook: Webhook):
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS)
    deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    with duckdb.connect(str(tmp_path / "work.duckdb")) as con:
        con.execute("delete from ops.alert_deliveries where alert_id = 'ha-2'")
    outcome, _ = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert outcome.delivered == ["ha-2"] and len(webhook.bodies) == 4


RENEWALS = [
    # as_of_date, account_id, renewal_id, subscription_id, opportunity_id, renewal_date, days_to_renewal,
    # renewal_arr, escalation_level
    (date(2026, 11, 21), "acc-1", "sub-1|2027-02-19", "sub-1", None, date(2027, 2, 19), 90, 120000.0, "high"),
    (date(2026, 11, 21), "acc-2", "sub-2|2026-11-18", "sub-2", "opp-9", date(2026, 11, 18), -3, 50000.5, "emergency"),
    (date(2026, 11, 21), "acc-3", "sub-3|2027-01-20", "sub-3", None, date(2027, 1, 20), 60, 75000.0, None),
    # a CRM renewal opportunity that matches no subscription term
    (date(2026, 11, 21), "acc-1", "opportunity|opp-7", None, "opp-7", date(2027, 1, 5), 45, 30000.0, "elevated"),
]


def test_renewal_escalations_become_alerts_with_a_stable_id(tmp_path, webhook: Webhook):
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=[], renewals=RENEWALS)
    outcome, notes = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert outcome.delivered == [
        "renewal-opportunity|opp-7-elevated",
        "renewal-sub-1|2027-02-19-high",
        "renewal-sub-2|2026-11-18-emergency",
    ]
    assert webhook.texts() == [
        "[ELEVATED] Acme Corp (acc-1): Renewal escalation - Renewal of opportunity opp-7 on 2027-01-05 (in 45 days), $30,000 ARR: escalation elevated",
        "[HIGH] Acme Corp (acc-1): Renewal escalation - Renewal of sub-1 on 2027-02-19 (in 90 days), $120,000 ARR: escalation high",
        "[EMERGENCY] Globex (acc-2): Renewal escalation - Renewal of sub-2 on 2026-11-18 (overdue by 3 days), $50,000 ARR: escalation emergency",
    ]
    assert notes == [
        "marts.fct_health_alerts: read",
        "marts.fct_renewal_forecast: read",
        "marts.fct_renewal_motion: not built yet, skipped",
        "marts.fct_expansion_signals: not built yet, skipped",
    ]


def test_a_higher_escalation_of_the_same_renewal_is_a_new_alert(tmp_path, webhook: Webhook):
    build_warehouse(tmp_path / "warehouse.duckdb", renewals=RENEWALS[:1])
    deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    critical = (
        date(2026, 12, 21),
        "acc-1",
        "sub-1|2027-02-19",
        "sub-1",
        None,
        date(2027, 2, 19),
        60,
        120000.0,
        "critical",
    )
    build_warehouse(tmp_path / "warehouse.duckdb", renewals=[critical])
    outcome, _ = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert outcome.delivered == ["renewal-sub-1|2027-02-19-critical"]


@pytest.mark.parametrize("accounts", [True, False])
def test_missing_marts_deliver_nothing_and_say_so(tmp_path, webhook: Webhook, accounts):
    build_warehouse(tmp_path / "warehouse.duckdb", accounts=accounts)
    outcome, notes = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert outcome.delivered == [] and webhook.bodies == []
    assert notes == [
        "marts.fct_health_alerts: not built yet, skipped",
        "marts.fct_renewal_forecast: not built yet, skipped",
        "marts.fct_renewal_motion: not built yet, skipped",
        "marts.fct_expansion_signals: not built yet, skipped",
    ]


def test_health_alerts_without_dim_accounts_use_the_account_id(tmp_path, webhook: Webhook):
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=HEALTH_ALERTS[:1], accounts=False)
    deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert webhook.texts() == ["[CRITICAL] acc-1: Health drop - Health fell from 72 to 38 in 30 days"]


def test_a_duplicated_alert_id_in_the_mart_is_sent_once(tmp_path, webhook: Webhook):
    build_warehouse(tmp_path / "warehouse.duckdb", health_alerts=[HEALTH_ALERTS[0], HEALTH_ALERTS[0]])
    outcome, _ = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert outcome.delivered == ["ha-1"] and len(webhook.bodies) == 1


MOTION_ROW = (
    date(2026, 11, 20),
    "sub-1|2027-01-20",
    "day_60_exec_review",
    "Day 60 QBR/EBR held with the executive sponsor",
    "acc-1",
    "sub-1",
    None,
    date(2027, 1, 20),
    80000.0,
    date(2026, 11, 21),
    "overdue",
    2,
    "high",
)


def test_an_overdue_motion_checkpoint_is_alerted_once_and_its_miss_is_the_same_alert(tmp_path, webhook: Webhook):
    due = MOTION_ROW[:10] + ("due", None, None)
    build_warehouse(tmp_path / "warehouse.duckdb", motion=[due])
    outcome, notes = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert outcome.delivered == [] and "marts.fct_renewal_motion: read" in notes
    build_warehouse(tmp_path / "warehouse.duckdb", motion=[MOTION_ROW])
    outcome, _ = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert outcome.delivered == ["motion-sub-1|2027-01-20-day_60_exec_review"]
    assert webhook.texts() == [
        "[HIGH] Acme Corp (acc-1): Renewal motion overdue - Renewal of sub-1 on 2027-01-20, $80,000 ARR: "
        "Day 60 QBR/EBR held with the executive sponsor was due 2026-11-21 (2 days late)",
    ]
    missed = MOTION_ROW[:10] + ("missed", 32, "high")
    build_warehouse(tmp_path / "warehouse.duckdb", motion=[missed])
    outcome, _ = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert outcome.delivered == []


def test_an_account_turning_expansion_ready_is_alerted_on_the_first_day_of_its_episode(tmp_path, webhook: Webhook):
    signals = "Seats 90% used (36 of 40); Green for 60+ days; No risk alert in 30 days"
    days = [
        (date(2026, 11, 19), "acc-2", 50000.0, 60.0, False, None),
        (date(2026, 11, 20), "acc-2", 50000.0, 70.0, True, signals),
        (date(2026, 11, 21), "acc-2", 50000.0, 70.0, False, signals),  # still ready: same episode
    ]
    build_warehouse(tmp_path / "warehouse.duckdb", expansion=days)
    outcome, notes = deliver(tmp_path, WebhookChannel(webhook.url, FAST))
    assert "marts.fct_expansion_signals: read" in notes
    assert outcome.delivered == ["expansion-acc-2-2026-11-20"]
    assert webhook.texts() == [
        f"[INFO] Globex (acc-2): Expansion ready - Ready to expand (score 70, $50,000 ARR): {signals}"
    ]
