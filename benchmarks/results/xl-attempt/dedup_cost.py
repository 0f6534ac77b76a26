"""What one usage batch's insert costs against the whole xl history and against none.

    .venv/bin/python benchmarks/results/xl-attempt/dedup_cost.py WAREHOUSE BATCH_FOLDER

WAREHOUSE is the xl run's working file (the whole history) or a new file (empty raw tables). The
loader's own staging and insert (``stage_file``, ``_insert_rows``) of one usage batch run twice,
each insert inside a transaction that is rolled back, so the warehouse is left as it was.
Measured this way on 2026-12-03 (docs/benchmarks.md, "xl, first attempt").
"""

import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from dagster_project.extracts import loader  # noqa: E402  (the repository root, added above)


def main(warehouse: str, batch_dir: Path) -> None:
    batch = loader.read_manifest("usage", batch_dir)
    ((file, entity),) = loader._check_files(batch, loader.SOURCES["usage"]).items()
    con = duckdb.connect(warehouse)
    con.execute("set memory_limit = '2GB'")
    con.execute("set TimeZone = 'UTC'")
    loader.init_raw_schema(con)
    started = time.perf_counter()
    staged = loader.stage_file(con, batch, file, entity, 0)
    staged_s = time.perf_counter() - started
    history = con.execute("select count(*) from raw.usage_events").fetchone()[0]
    print(f"history {history:,} events; batch {staged.rows_read:,} rows; staged in {staged_s:.1f} s")
    for attempt in (1, 2):
        con.execute("begin transaction")
        started = time.perf_counter()
        inserted = loader._insert_rows(con, staged, batch)
        print(f"insert {attempt}: {time.perf_counter() - started:.1f} s, {inserted:,} new")
        con.execute("rollback")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
