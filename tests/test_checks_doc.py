"""docs/checks.md lists every rule once: each GX gate and each singular dbt test has exactly one
row (name, what, severity, where it runs, what a failure does), and the severity it states is
the one the code and dbt apply."""

from __future__ import annotations

import re
from pathlib import Path

from dagster_project.checks import HEALTH_GATES, source_gates

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
ROWS = {}
for line in DOC.splitlines():
    match = re.match(r"^\| `([a-z0-9_]+)`[^|]*\|[^|]*\| ([a-z, ]+?) \|", line)
    if match:
        ROWS.setdefault(match.group(1), []).append(match.group(2))


def test_every_gate_has_one_row_with_its_severity():
    gates = {g.name: g.blocking for g in [*HEALTH_GATES, *source_gates("crm")]}
    for name, blocking in gates.items():
        assert ROWS.get(name) == ["blocking" if blocking else "warn"], name


def test_every_singular_dbt_test_has_one_row_with_its_severity():
    for path in sorted((ROOT / "dbt_project" / "tests").rglob("*.sql")):
        warn = re.search(r"severity\s*=\s*'warn'", path.read_text(encoding="utf-8")) is not None
        assert ROWS.get(path.stem) == ["warn" if warn else "error"], path.stem
