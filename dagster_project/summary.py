"""The short summary `cs-retention run` prints: where things are, the headline numbers, every
check that failed (warnings included), the log file and the total time."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from .run_console import FailedCheck
from .settings import Settings
from .warehouse_sql import relation_exists, relation_names

# (label, relation, query over the published warehouse, format) — shown when the relation exists
HEADLINES: list[tuple[str, str, str, str]] = [
    (
        "accounts (active / all)",
        "marts.dim_accounts",
        "select count(*) filter (where is_active) || ' / ' || count(*) from marts.dim_accounts",
        "{}",
    ),
    ("current ARR (USD)", "marts.dim_accounts", "select sum(current_arr) from marts.dim_accounts", "{:,.0f}"),
    (
        "NRR / GRR, trailing 12 months",
        "marts.rpt_revenue_retention",
        "select printf('%.1f%% / %.1f%% (%s)', 100 * nrr_t12m, 100 * grr_t12m, strftime(month, '%Y-%m')) "
        "from marts.rpt_revenue_retention where segment = 'all' and nrr_t12m is not null order by month desc limit 1",
        "{}",
    ),
]


def warehouse_lines(settings: Settings) -> list[str]:
    """Where the marts and outputs are, and the headline numbers of the published warehouse."""
    if not settings.warehouse_path.is_file():
        return [f"no published warehouse at {settings.warehouse_path}"]
    lines = []
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        present = set(relation_names(con))
        marts = [r for r in present if r.startswith("marts.")]
        lines.append(f"Marts: {settings.warehouse_path} (schema marts, {len(marts)} relations)")
        lines.append(f"Leadership report: {settings.output_dir / 'leadership_report.html'}")
        lines.append(f"Other outputs (cohort CSVs, dbt docs, Data Docs, alerts outbox): {settings.output_dir}")
        for label, relation, sql, fmt in HEADLINES:
            if relation in present:
                value = con.execute(sql).fetchone()
                if value and value[0] is not None:
                    lines.append(f"  {label}: {fmt.format(value[0])}")
    # the ledger stays in the working file (the published one holds only marts and quality)
    if settings.building_path.is_file():
        with duckdb.connect(str(settings.building_path), read_only=True) as con:
            if relation_exists(con, "raw.load_batches"):
                batches = con.execute(
                    "select source, count(*) filter (where status = 'loaded'), sum(rows_quarantined) "
                    "from raw.load_batches group by 1 order by 1"
                ).fetchall()
                lines.append(
                    "  batches loaded: "
                    + ", ".join(f"{source} {loaded} ({int(q or 0)} rows quarantined)" for source, loaded, q in batches)
                )
    return lines


def failed_check_lines(failed: Sequence[FailedCheck]) -> list[str]:
    if not failed:
        return ["Checks: all passed"]
    blocking = sum(1 for f in failed if f.severity == "ERROR")
    head = f"Checks: {len(failed)} failed ({blocking} blocking, {len(failed) - blocking} warning)"
    return [head, *(f"  {f.line()}" for f in failed)]


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{seconds:.1f} s"
