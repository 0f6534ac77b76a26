"""The leadership report and its CSV exports, from the published warehouse (the numbers BI
tools see), so every number in it is the same as everywhere else."""

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from ..report.data import ReportData, read_report_data
from ..report.render import SMALL_COHORT_ACCOUNTS, render_report
from ..resources import PipelineSettings
from .publish import published_warehouse

REPORT_NAME = "leadership_report.html"
# where earlier versions kept pre-rendered cohort heatmaps; the page no longer needs them
OLD_HEATMAP_CACHE_DIR = ".heatmaps"
MONEY_COLUMNS = ("cohort_starting_mrr",)


class LeadershipReportConfig(dg.Config):
    small_cohort_accounts: int = SMALL_COHORT_ACCOUNTS  # cohorts with fewer accounts are marked on the page


def for_slides(table: pd.DataFrame) -> pd.DataFrame:
    """A cohort table as text for slides: rates as percentages with one decimal ("66.7%"), money
    with two decimals ("916.65"), empty cells empty. A spreadsheet reads both as numbers."""
    out = table.copy()
    rates = [c for c in out.columns if c.startswith("m") and c[1:].isdigit()]
    for column in rates:
        out[column] = out[column].map(lambda v: "" if pd.isna(v) else f"{100 * float(v):.1f}%")
    for column in MONEY_COLUMNS:
        if column in out.columns:
            out[column] = out[column].map(lambda v: "" if pd.isna(v) else f"{float(v):.2f}")
    if "cohort_month" in out.columns:
        out["cohort_month"] = pd.to_datetime(out["cohort_month"]).dt.strftime("%Y-%m-%d")
    return out


def export_cohort_csvs(data: ReportData, out_dir: Path) -> list[Path]:
    """One CSV per measure (all segments), formatted for slides, without the month columns no
    cohort has reached yet."""
    paths = []
    for measure in sorted({m for _, m in data.cohorts}):
        frames = [
            table.assign(segment=segment).set_index(["segment", "cohort_month"]).reset_index()
            for (segment, m), table in data.cohorts.items()
            if m == measure
        ]
        path = out_dir / f"cohort_retention_{measure}.csv"
        for_slides(pd.concat(frames).dropna(axis="columns", how="all")).to_csv(path, index=False)
        paths.append(path)
    return paths


@dg.asset(
    deps=[published_warehouse],
    group_name="serving",
    kinds={"html"},
    description="Self-contained HTML leadership report (opens offline, no external requests) and the wide "
    "cohort tables as CSV formatted for slides.",
)
def leadership_report(
    context: dg.AssetExecutionContext, config: LeadershipReportConfig, pipeline: PipelineSettings
) -> dg.MaterializeResult:
    settings = pipeline.resolve()
    out_dir = settings.output_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        data = read_report_data(con, settings.as_of_date.isoformat())
    exports = [path.name for path in export_cohort_csvs(data, out_dir)]
    report_path = out_dir / REPORT_NAME
    partial = report_path.with_name(f".{REPORT_NAME}.partial")
    partial.write_text(render_report(data, config.small_cohort_accounts), encoding="utf-8")
    partial.replace(report_path)  # a reader never opens a half-written page
    shutil.rmtree(out_dir / OLD_HEATMAP_CACHE_DIR, ignore_errors=True)
    context.log.info(f"leadership report: {report_path}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(report_path)),
            "size_kb": round(report_path.stat().st_size / 1024),
            "at_risk_renewals": 0 if data.at_risk_renewals is None else len(data.at_risk_renewals),
            "turned_red": 0 if data.turned_red is None else len(data.turned_red),
            "cohort_tables": len(data.cohorts),
            "exports": ", ".join(exports),
        }
    )
