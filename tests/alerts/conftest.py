"""A real webhook on 127.0.0.1 and a tiny published warehouse, for the alert tests."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest


@dataclass
class Webhook:
    """What the test server received, and how it should answer."""

    url: str
    bodies: list[dict] = field(default_factory=list)  # every request, failed ones included
    paths: list[str] = field(default_factory=list)
    fail_first: int = 0  # answer `fail_status` to the first N requests…
    fail_after: int | None = None  # …or to every request after the first N
    fail_status: int = 500
    fail_body: bytes = b"internal_error"
    delay: float = 0.0  # seconds to wait before answering (a slow endpoint)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_for(self, seen: int) -> tuple[int, bytes]:
        failing = seen <= self.fail_first or (self.fail_after is not None and seen > self.fail_after)
        return (self.fail_status, self.fail_body) if failing else (200, b"ok")

    def texts(self) -> list[str]:
        return [body["text"] for body in self.bodies]


def _handler(hook: Webhook) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            with hook.lock:
                hook.bodies.append(body)
                hook.paths.append(self.path)
                status, reply = hook.answer_for(len(hook.bodies))
            time.sleep(hook.delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and hung up: that is what the slow-endpoint test wants

        def log_message(self, *args: object) -> None:  # keep pytest output clean
            pass

    return Handler


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    """A Slack-like endpoint; the server shuts itself down when the test ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hook := Webhook(url="")))
    host, port = server.server_address[:2]
    hook.url = f"http://{host}:{port}/services/T000/B000/secret-token"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connection refused, immediately."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/services/T000/B000/secret-token"


HEALTH_ALERTS = [
    ("ha-1", "2026-11-20", "acc-1", "health_drop", "critical", "Health fell from 72 to 38 in 30 days"),
    ("ha-2", "2026-11-21", "acc-2", "champion_departed", "warning", "Champion <Jane> left & no replacement"),
    ("ha-3", "2026-11-21", "acc-3", "low_adoption", "info", "Seats used 20% of licensed"),
]


def build_warehouse(
    path: Path,
    *,
    health_alerts: list[tuple] | None = None,
    renewals: list[tuple] | None = None,
    motion: list[tuple] | None = None,
    expansion: list[tuple] | None = None,
    accounts: bool = True,
) -> Path:
    """A published warehouse with only the relations the alerts read (None: not built)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        if health_alerts is not None:
            con.execute(
                "create or replace table marts.fct_health_alerts (alert_id varchar, alert_date date, "
                "account_id varchar, alert_type varchar, severity varchar, message varchar)"
            )
            if health_alerts:
                con.executemany("insert into marts.fct_health_alerts values (?, ?, ?, ?, ?, ?)", health_alerts)
        if renewals is not None:
            con.execute(
                "create or replace table marts.fct_renewal_forecast (as_of_date date, account_id varchar, "
                "renewal_id varchar, subscription_id varchar, opportunity_id varchar, renewal_date date, days_to_renewal integer, renewal_arr decimal(18, 2), "
                "escalation_level varchar)"
            )
            if renewals:
                con.executemany("insert into marts.fct_renewal_forecast values (?, ?, ?, ?, ?, ?, ?, ?, ?)", renewals)
        if motion is not None:
            con.execute(
                "create or replace table marts.fct_renewal_motion (as_of_date date, renewal_id varchar, "
                "checkpoint varchar, checkpoint_description varchar, account_id varchar, subscription_id varchar, "
                "opportunity_id varchar, renewal_date date, renewal_arr decimal(18, 4), due_on date, "
                "checkpoint_state varchar, days_overdue integer, checkpoint_escalation_level varchar)"
            )
            if motion:
                con.executemany(
                    "insert into marts.fct_renewal_motion values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", motion
                )
        if expansion is not None:
            con.execute(
                "create or replace table marts.fct_expansion_signals (as_of_date date, account_id varchar, "
                "arr decimal(18, 4), expansion_score double, starts_ready_episode boolean, expansion_signals varchar)"
            )
            if expansion:
                con.executemany("insert into marts.fct_expansion_signals values (?, ?, ?, ?, ?, ?)", expansion)
        if accounts:
            con.execute(
                "create or replace table marts.dim_accounts as select * from (values "
                "('acc-1', 'Acme Corp', 'ana@example.com'), ('acc-2', 'Globex', 'bo@example.com')) "
                "as t(account_id, account_name, csm_email)"
            )
    return path
