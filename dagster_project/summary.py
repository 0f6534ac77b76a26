"""The short summary the `run` command prints: where things are and the headline numbers."""

from __future__ import annotations

import duckdb
import typer

from .settings import Settings

# (label, query over the published warehouse, format) — shown when the relation exists
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


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_schema || '.' || table_name from information_schema.tables").fetchall()
    return {r[0] for r in rows}


def print_summary(settings: Settings) -> None:
    typer.echo(f"\nMarts (DuckDB, schema marts): {settings.warehouse_path}")
    typer.echo(f"Leadership report: {settings.output_dir / 'leadership_report.html'}")
    typer.echo(f"Other outputs (cohort CSVs, dbt docs, GX data docs, alerts outbox): {settings.output_dir}")
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        present = _relations(con)
        marts = sorted(r for r in present if r.startswith("marts."))
        typer.echo(f"{len(marts)} mart relations: {', '.join(m.split('.', 1)[1] for m in marts)}")
        for label, relation, sql, fmt in HEADLINES:
            if relation in present:
                value = con.execute(sql).fetchone()
                if value and value[0] is not None:
                    typer.echo(f"  {label}: {fmt.format(value[0])}")
    # the ledger stays in the working file (the published one holds only marts and quality)
    with duckdb.connect(str(settings.building_path), read_only=True) as con:
        batches = con.execute(
            "select source, count(*) filter (where status = 'loaded'), sum(rows_quarantined) "
            "from raw.load_batches group by 1 order by 1"
        ).fetchall()
        for source, loaded, quarantined in batches:
            typer.echo(f"  {source}: {loaded} batches loaded, {int(quarantined or 0)} rows quarantined")
