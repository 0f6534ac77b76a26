"""`cs-retention backfill` end to end, as a user types it: a backfill recomputes the daily health
history in the working warehouse and leaves the published one (what BI tools read) as it was;
with `--publish` the published warehouse gets the backfilled days.

The days to backfill are first taken out of both files' health history (a history with a gap,
as a changed health configuration or a late extract would leave it), so what each backfill
changes shows in the published file."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.fixtures import first_run_environment

CLI = Path(sys.executable).parent / "cs-retention"
AS_OF = "2026-11-20"
FIRST, LAST = "2026-11-10", "2026-11-12"
HISTORY = "marts.fct_account_health_daily"


def _days(path: Path) -> dict[str, int]:
    """Rows per day of the backfill range in a warehouse file's health history."""
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            f"select cast(as_of_date as varchar), count(*) from {HISTORY} "
            "where as_of_date between ? and ? group by 1 order by 1",
            [FIRST, LAST],
        ).fetchall()
    return dict(rows)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.resolve().read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def after_a_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("backfill_publish")
    env = first_run_environment(root)
    warehouse = root / "bi" / "warehouse.duckdb"
    common = ["--as-of", AS_OF, "--warehouse", str(warehouse)]
    first = subprocess.run([str(CLI), "run", *common], env=env, cwd="/", capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    building = warehouse.with_name("warehouse.building.duckdb")
    full_days = _days(warehouse)
    assert sorted(full_days) == ["2026-11-10", "2026-11-11", "2026-11-12"]
    for path in (building, warehouse.resolve()):
        with duckdb.connect(str(path)) as con:
            con.execute(f"delete from {HISTORY} where as_of_date between ? and ?", [FIRST, LAST])
    assert _days(warehouse) == {} and _days(building) == {}
    return {"env": env, "warehouse": warehouse, "building": building, "common": common, "full_days": full_days}


def _backfill(after_a_run, *extra: str) -> subprocess.CompletedProcess:
    args = [str(CLI), "backfill", "--start", FIRST, "--end", LAST, *after_a_run["common"], *extra]
    return subprocess.run(args, env=after_a_run["env"], cwd="/", capture_output=True, text=True, timeout=900)


def test_a_backfill_publishes_only_with_publish_and_then_the_published_warehouse_has_its_days(after_a_run):
    warehouse, building, full_days = after_a_run["warehouse"], after_a_run["building"], after_a_run["full_days"]
    before = _digest(warehouse)

    quiet = _backfill(after_a_run)
    assert quiet.returncode == 0, quiet.stdout[-3000:] + quiet.stderr[-3000:]
    assert f"Not published: BI tools still see {warehouse} as it was (--publish publishes)" in quiet.stdout
    assert _digest(warehouse) == before and _days(warehouse) == {}
    assert _days(building) == full_days  # recomputed in the working file only

    published = _backfill(after_a_run, "--publish")
    assert published.returncode == 0, published.stdout[-3000:] + published.stderr[-3000:]
    backfill_part, publish_part = published.stdout.split("cs-retention publish of warehouse.building.duckdb")
    assert "Not published" in backfill_part and "Not published" not in publish_part
    assert _days(warehouse) == full_days
