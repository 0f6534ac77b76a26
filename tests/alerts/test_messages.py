"""The payload for one alert, without a warehouse or a network."""

from datetime import date

import pytest

from dagster_project.alerts.delivery import endpoint_label, webhook_url_from_env
from dagster_project.alerts.messages import SECTION_LIMIT, alert_payload, escape_mrkdwn
from dagster_project.alerts.sources import Alert

ALERT = Alert(
    alert_id="ha-2",
    alert_date=date(2026, 11, 21),
    account_id="acc-2",
    alert_type="champion_departed",
    severity="warning",
    message="Champion <Jane> left & no replacement",
    account_name="Globex",
    csm_email="bo@example.com",
)


def test_payload_is_slack_shaped_with_text_fallback_and_blocks():
    payload = alert_payload(ALERT)
    assert (
        payload["text"]
        == "[WARNING] Globex (acc-2): Champion departed - Champion &lt;Jane&gt; left &amp; no replacement"
    )
    section, context = payload["blocks"]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"] == (
        ":large_orange_circle: *WARNING* · Champion departed · *Globex (acc-2)*\n"
        "Champion &lt;Jane&gt; left &amp; no replacement"
    )
    assert context == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "2026-11-21 · CSM bo@example.com · alert `ha-2`"}],
    }


def test_unknown_account_name_and_severity_fall_back_to_id_and_bell():
    alert = Alert("x-1", date(2026, 1, 1), "acc-9", "custom", "whatever", "m")
    payload = alert_payload(alert)
    assert payload["text"] == "[WHATEVER] acc-9: Custom - m"
    assert payload["blocks"][0]["text"]["text"].startswith(":bell: *WHATEVER*")
    assert "CSM" not in payload["blocks"][1]["elements"][0]["text"]


def test_long_messages_are_cut_to_slacks_section_limit():
    alert = Alert("x-2", date(2026, 1, 1), "acc-9", "custom", "low", "y" * 5000)
    payload = alert_payload(alert)
    assert len(payload["blocks"][0]["text"]["text"]) == SECTION_LIMIT
    assert len(payload["text"]) == SECTION_LIMIT and payload["text"].endswith("…")


def test_escape_mrkdwn_escapes_ampersand_first():
    assert escape_mrkdwn("a&b<c>") == "a&amp;b&lt;c&gt;"


def test_endpoint_label_keeps_host_and_drops_the_secret_path():
    assert endpoint_label("https://hooks.slack.com/services/T1/B2/secret") == "https://hooks.slack.com"
    assert endpoint_label("http://127.0.0.1:8123/x?token=s") == "http://127.0.0.1:8123"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), ("   ", None), ("https://hooks.slack.com/services/T/B/s", "https://hooks.slack.com/services/T/B/s")],
)
def test_webhook_url_unset_or_blank_means_outbox(value, expected):
    assert webhook_url_from_env({"CS_ALERT_WEBHOOK_URL": value}) == expected
    assert webhook_url_from_env({}) is None


@pytest.mark.parametrize("value", ["hooks.slack.com/services/x", "ftp://example.com/x", "https://"])
def test_a_webhook_url_that_is_not_http_fails_naming_the_variable(value):
    with pytest.raises(ValueError, match="CS_ALERT_WEBHOOK_URL"):
        webhook_url_from_env({"CS_ALERT_WEBHOOK_URL": value})
