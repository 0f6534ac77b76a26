"""The webhook channel: POST a payload with a timeout, retrying what is worth retrying.

Retries are urllib3's ``Retry`` mounted on the session (exponential backoff, ``Retry-After``
honoured on 429/503) rather than a hand-written loop. Retried: connection errors, timeouts,
429 and 5xx. Not retried: other 4xx, which mean the webhook itself is wrong (Slack answers 403
``invalid_token``, 404 ``no_service`` for a revoked webhook, 410 ``channel_is_archived``), so
every later alert would fail the same way.

A webhook URL is a credential (Slack's path holds the token): errors and metadata name the
endpoint by scheme, host and port only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..settings import WEBHOOK_ENV, webhook_url_from_env  # read and validated in settings.py
from .ledger import Receipt

__all__ = ["WEBHOOK_ENV", "webhook_url_from_env"]  # re-exported: the channel's callers import them here

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class DeliveryError(RuntimeError):
    """The endpoint did not accept an alert, after retries where retrying made sense."""

    def __init__(self, endpoint: str, last_status: int | None, attempts: int, reason: str) -> None:
        self.endpoint = endpoint
        self.last_status = last_status
        self.attempts = attempts
        self.reason = reason
        status = f"last status {last_status}" if last_status is not None else "no HTTP response"
        super().__init__(f"webhook {endpoint} failed after {attempts} attempt(s): {status}; {reason}")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one alert: retries after the first attempt, backoff and timeouts (s)."""

    retries: int = 3
    backoff_factor: float = 0.5  # waits 0, 2×, 4× … this factor between attempts (urllib3)
    connect_timeout: float = 5.0
    read_timeout: float = 10.0


def endpoint_label(url: str) -> str:
    """``https://hooks.slack.com`` for ``https://hooks.slack.com/services/T/B/secret``."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def build_session(policy: RetryPolicy) -> requests.Session:
    """A session whose adapter retries POSTs on connection errors, timeouts, 429 and 5xx."""
    retry = Retry(
        total=policy.retries,
        connect=policy.retries,
        read=policy.retries,
        status=policy.retries,
        backoff_factor=policy.backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"POST"}),  # POST is not retried by default
        raise_on_status=False,  # hand back the last response so the error can name its status
        respect_retry_after_header=True,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _attempts(response: requests.Response) -> int:
    retries = getattr(response.raw, "retries", None)
    return len(retries.history) + 1 if retries is not None else 1


def _reason(error: requests.RequestException, url: str) -> str:
    """The underlying cause without the URL path (which may hold the webhook's token)."""
    cause = error.args[0] if error.args else error
    text = str(getattr(cause, "reason", None) or cause)
    path = urlsplit(url).path
    return text.replace(path, "/…") if path not in ("", "/") else text


class WebhookChannel:
    """Posts payloads to one webhook URL; raises DeliveryError when it gives up."""

    name = "webhook"

    def __init__(self, url: str, policy: RetryPolicy | None = None) -> None:
        self.url = url
        self.policy = policy or RetryPolicy()
        self.endpoint = endpoint_label(url)
        self._session = build_session(self.policy)

    def send(self, alert_id: str, payload: dict[str, Any]) -> Receipt:
        try:
            response = self._session.post(
                self.url,
                json=payload,
                timeout=(self.policy.connect_timeout, self.policy.read_timeout),
                allow_redirects=False,  # a redirect would turn the POST into a GET and lose the alert
            )
        except requests.RequestException as error:
            raise DeliveryError(self.endpoint, None, self.policy.retries + 1, _reason(error, self.url)) from error
        attempts = _attempts(response)
        if not 200 <= response.status_code < 300:
            body = " ".join(response.text.split())[:200]
            raise DeliveryError(self.endpoint, response.status_code, attempts, f"alert {alert_id}, response {body!r}")
        return Receipt(response_code=response.status_code, attempts=attempts)

    def close(self) -> None:
        self._session.close()
