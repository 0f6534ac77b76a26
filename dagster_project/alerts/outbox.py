"""The channel used when no webhook is configured: one JSON line per alert in a file.

A fresh install, a laptop or CI has no webhook; the alerts still land somewhere a person or
another tool can read, and go through the same ledger so each is written once.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .ledger import Receipt

OUTBOX_NAME = "alerts_outbox.jsonl"


def outbox_line(alert_id: str, payload: dict[str, Any], written_at: datetime) -> str:
    """One line: the alert id, when it was written (UTC) and the payload a webhook would get."""
    record = {"alert_id": alert_id, "written_at": written_at.astimezone(UTC).isoformat(), "payload": payload}
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


class OutboxChannel:
    """Appends payloads to a JSON-lines file, flushed to disk before the ledger records them."""

    name = "outbox"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.endpoint = str(path)

    def send(self, alert_id: str, payload: dict[str, Any]) -> Receipt:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(outbox_line(alert_id, payload, datetime.now(UTC)))
            handle.flush()
            os.fsync(handle.fileno())
        return Receipt(response_code=None, attempts=1)

    def close(self) -> None:
        """Nothing to release; present so both channels are used the same way."""
