"""The leadership report and its CSV exports, from the published warehouse (the numbers BI
tools see), so every number in it is the same as everywhere else."""

import dagster as dg
import duckdb

from ..report.data import read_report_data
from ..report.render import render_report
from ..resources import PipelineSettings
from .publish import published_warehouse

REPORT_NAME = "leadership_report.html"


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
        exports = []
        if data.cohorts:
            for measure in sorted({m for _, m in data.cohorts}):
                path = out_dir / f"cohort_retention_{measure}.csv"
                con.execute(
                    f"copy (select * exclude (measure) from marts.rpt_cohort_retention_wide "
                    f"where measure = '{measure}' order by segment, cohort_month) to '{path}' (header, delimiter ',')"
                )
                exports.append(path.name)
    report_path = out_dir / REPORT_NAME
    report_path.write_text(render_report(data), encoding="utf-8")
    context.log.info(f"leadership report: {report_path}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(report_path)),
            "size_kb": round(report_path.stat().st_size / 1024),
            "cohort_tables": len(data.cohorts),
            "exports": ", ".join(exports),
        }
    )
