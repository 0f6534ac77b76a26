"""An offline page of the run's check results: every dbt test and Great Expectations gate the
run evaluated, one row each, in one self-contained HTML file (inline style, no script, no
request to any server), so it opens complete without a network — unlike GX's Data Docs, whose
styles and scripts come from CDNs."""

import html
from datetime import UTC, datetime

import dagster as dg

from ..publishing import publishes
from ..resources import PipelineSettings
from ..run_history import RunSummary, run_summary
from .publish import published_warehouse

PAGE_NAME = "check_results.html"
STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#f4f4f4}.FAIL{color:#b00020;font-weight:600}.PASS{color:#1b7f3b}
.WARN{color:#9a6700}
"""


def render_check_page(summary: RunSummary, as_of: str) -> str:
    rows = sorted(summary.checks, key=lambda r: (r.passed, r.check.severity != "ERROR", r.check.check_name))
    failed = sum(not r.passed for r in rows)
    body = "".join(
        "<tr>"
        f"<td class={'PASS' if r.passed else 'FAIL'}>{'pass' if r.passed else 'FAIL'}</td>"
        f"<td class={'ERROR' if r.check.severity == 'ERROR' else 'WARN'}>"
        f"{'blocking' if r.check.severity == 'ERROR' else 'warning'}</td>"
        f"<td>{html.escape(r.check.check_name)}</td><td>{html.escape(r.check.asset)}</td>"
        f"<td>{html.escape(r.check.message)}</td></tr>"
        for r in rows
    )
    written = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Check results, as of {html.escape(as_of)}</title><style>{STYLE}</style></head><body>"
        f"<h1>Check results, as of {html.escape(as_of)}</h1>"
        f"<p>{html.escape(summary.headline())}; {len(rows)} checks, {failed} failed. Written {written}.</p>"
        "<table><tr><th>result</th><th>severity</th><th>check</th><th>asset</th><th>message</th></tr>"
        f"{body}</table></body></html>"
    )


@dg.asset(
    deps=[published_warehouse],
    group_name="serving",
    kinds={"html"},
    description="Offline page of every check the run evaluated (dbt tests and GX gates): <outputs>/check_results.html.",
)
def check_results_page(context: dg.AssetExecutionContext, pipeline: PipelineSettings) -> dg.MaterializeResult:
    settings = pipeline.resolve()
    path = settings.output_dir / PAGE_NAME
    if not publishes(context.run.tags):  # the page describes the published run
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path)), "written": False})
    [record] = context.instance.get_run_records(dg.RunsFilter(run_ids=[context.run.run_id]))
    summary = run_summary(context.instance, record)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_check_page(summary, settings.as_of_date.isoformat()), encoding="utf-8")
    context.log.info(f"check results page: {path}")
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(path)), "written": True, "checks": len(summary.checks)}
    )
