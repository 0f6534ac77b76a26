"""An alert as a Slack-compatible webhook payload: ``{"text": ..., "blocks": [...]}``.

One message per alert rather than a digest: each alert is delivered, retried and recorded on
its own (the ledger's attempts and response code are per alert), a failure never holds back
alerts already sent, and a CSM can thread, react to or hand off one alert at a time.
``text`` is the fallback that notifications and Slack-compatible receivers without block
support (Mattermost, Discord's /slack endpoint) show; ``blocks`` is the formatted message.
"""

from __future__ import annotations

from typing import Any

from .sources import Alert

SECTION_LIMIT = 3000  # Slack rejects a section text longer than this

SEVERITY_ICONS = {
    "emergency": ":rotating_light:",
    "critical": ":red_circle:",
    "high": ":red_circle:",
    "elevated": ":large_orange_circle:",
    "warning": ":large_orange_circle:",
    "medium": ":large_orange_circle:",
    "low": ":large_blue_circle:",
    "info": ":information_source:",
}
DEFAULT_ICON = ":bell:"


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def severity_icon(severity: str | None) -> str:
    return SEVERITY_ICONS.get((severity or "").strip().lower(), DEFAULT_ICON)


def account_label(alert: Alert) -> str:
    """The account's name when known (people recognise names), else its id."""
    return f"{alert.account_name} ({alert.account_id})" if alert.account_name else alert.account_id


def humanize(identifier: str) -> str:
    """``health_drop`` -> ``Health drop``: alert types are snake_case in the marts."""
    words = identifier.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def alert_text(alert: Alert) -> str:
    """The one-line fallback: severity, account, type and message."""
    severity = (alert.severity or "alert").upper()
    line = f"[{severity}] {account_label(alert)}: {humanize(alert.alert_type)} - {alert.message}"
    return escape_mrkdwn(line)


def alert_payload(alert: Alert) -> dict[str, Any]:
    """The payload for one alert: a headline section and a context line with the ids."""
    headline = (
        f"{severity_icon(alert.severity)} *{escape_mrkdwn((alert.severity or 'alert').upper())}*"
        f" · {escape_mrkdwn(humanize(alert.alert_type))} · *{escape_mrkdwn(account_label(alert))}*"
    )
    body = _truncate(f"{headline}\n{escape_mrkdwn(alert.message or '')}", SECTION_LIMIT)
    context = [f"{alert.alert_date.isoformat()}", f"alert `{escape_mrkdwn(alert.alert_id)}`"]
    if alert.csm_email:
        context.insert(1, f"CSM {escape_mrkdwn(alert.csm_email)}")
    return {
        "text": _truncate(alert_text(alert), SECTION_LIMIT),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": body}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(context)}]},
        ],
    }
