"""Plays a BI tool: polls the published warehouse read-only every 50 ms until told to stop.

usage: python poll_warehouse.py WAREHOUSE STOP_FILE RESULT_JSON
Counts queries, errors (a lock, a missing file, a half-written file) and empty reads.
"""

import json
import sys
import time
from pathlib import Path

import duckdb

QUERY = "select (select count(*) from marts.dim_accounts), (select count(*) from marts.fct_account_health_daily)"


def main(warehouse: str, stop_file: str, result_file: str) -> None:
    stats = {"queries": 0, "errors": 0, "empty_reads": 0, "messages": []}
    deadline = time.monotonic() + 900  # bounded, whatever happens to the test
    while not Path(stop_file).exists() and time.monotonic() < deadline:
        try:
            with duckdb.connect(warehouse, read_only=True) as con:
                raw_rows, staged_rows = con.execute(QUERY).fetchone()
            stats["queries"] += 1
            if raw_rows == 0 or staged_rows == 0:
                stats["empty_reads"] += 1
        except Exception as exc:  # every failure is what the test is looking for
            stats["errors"] += 1
            stats["messages"] = (stats["messages"] + [str(exc)[:200]])[-5:]
        time.sleep(0.05)
    Path(result_file).write_text(json.dumps(stats))


if __name__ == "__main__":
    main(*sys.argv[1:4])
