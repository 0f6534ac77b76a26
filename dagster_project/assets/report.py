"""The leadership report and its CSV exports, from the published warehouse (the numbers BI
tools see), so every number in it is the same as everywhere else."""

from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from ..report.data import ReportData, read_report_data
from ..report.heatmap_cache import HeatmapCache
from ..report.render import render_report
from ..resources import PipelineSettings
from .publish import published_warehouse

REPORT_NAME = "leadership_report.html"
HEATMAP_CACHE_DIR = ".heatmaps"  # rendered cohort heatmaps, reused while their table is unchanged


def export_cohort_csvs(data: ReportData, out_dir: Path) -> list[Path]:
    """One CSV per measure (all segments), without the month columns no cohort has reached yet."""
    paths = []
    for measure in sorted({m for _, m in data.cohorts}):
        frames = [
            table.assign(segment=segment).set_index(["segment", "cohort_month"]).reset_index()
            for (segment, m), table in data.cohorts.items()
            if m == measure
        ]
        path = out_dir / f"cohort_retention_{measure}.csv"
        pd.concat(frames).dropna(axis="columns", how="all").to_csv(path, index=False)
        paths.append(path)
    return paths


@dg.asset(
    deps=[published_warehouse],
    group_name="serving",
    kinds={"html"},
    description="Self-contained HTML leadership report (opens offline) and the wide cohort tables as CSV.",
)
def leadership_report(context: dg.AssetExecutionContext, pipeline: PipelineSettings) -> dg.MaterializeResult:
    settings = pipeline.resolve()
    out_dir = settings.output_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        data = read_report_data(con, settings.as_of_date.isoformat())
    exports = [path.name for path in export_cohort_csvs(data, out_dir)]
    report_path = out_dir / REPORT_NAME
    heatmaps = HeatmapCache(out_dir / HEATMAP_CACHE_DIR)
    report_path.write_text(render_report(data, heatmaps), encoding="utf-8")
    heatmaps.prune()
    context.log.info(f"leadership report: {report_path}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(report_path)),
            "size_kb": round(report_path.stat().st_size / 1024),
            "cohort_tables": len(data.cohorts),
            "heatmaps_rendered": heatmaps.rendered,
            "exports": ", ".join(exports),
        }
    )
