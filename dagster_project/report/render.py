"""Turns the report's frames into one self-contained HTML page.

Jinja2 builds the page, plotly the charts (figures from plotly.py, drawn by plotly.js's small
"basic" bundle vendored in report/vendor/ and inlined once: scatter and bar charts only, 1.2 MB
against 4.8 MB for the full bundle). The cohort tables travel as compact JSON and a few lines of
vanilla JavaScript draw the one chosen on the page (measure, segment, monthly or quarterly, the
last cohorts or all): 24 pre-rendered tables would weigh more than the whole page may. The
needs-attention lists are plain Jinja tables (a list of reasons and a badge per row; great_tables
would add a stylesheet per table and nothing they need).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import jinja2
import pandas as pd
import plotly.graph_objects as go

from .data import GRANULARITIES, KPIS, MEASURES, RECENT_COHORTS, SEGMENTS, Kpi, ReportData, comparison_dates

TEMPLATE_DIR = Path(__file__).parent / "templates"
PLOTLY_BUNDLE = Path(__file__).parent / "vendor" / "plotly-basic.min.js"
SMALL_COHORT_ACCOUNTS = 5  # default: cohorts with fewer accounts are marked on the page (one account swings them)
MAX_ATTENTION_ROWS = 50  # per list; the rest are counted, not shown
# colour scale per measure: red at the low end, green at the high end
HEATMAP_DOMAIN = {
    "logo_retention": (0.4, 1.0),
    "net_revenue_retention": (0.5, 1.3),
    "gross_revenue_retention": (0.4, 1.0),
}
HEATMAP_PALETTE = ["#f1948a", "#f9e79f", "#82e0aa"]
SEGMENT_LABELS = {
    "all": "All segments",
    "high_touch": "High touch",
    "low_touch": "Low touch",
    "tech_touch": "Tech touch",
}
# how the marts' colour names are painted; a name the marts start using later is painted grey
COLOR_HEX = {"green": "#27ae60", "yellow": "#f1c40f", "red": "#c0392b"}
OTHER_HEX = "#95a5a6"
TIER_HEX = {"commit": "#27ae60", "likely": "#f1c40f", "at_risk": "#c0392b"}
# display order of the escalation levels the forecast mart names (most urgent first)
ESCALATION_ORDER = ["emergency", "critical", "high", "elevated"]
PLOTLY_CONFIG = {"displayModeBar": False, "responsive": True}


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _pct(value: object) -> str:
    return "–" if _missing(value) else f"{100 * float(value):.1f}%"


def _usd(value: object) -> str:
    return "–" if _missing(value) else f"${float(value):,.0f}"


def _count(value: object) -> str:
    return "–" if _missing(value) else f"{int(value):,}"


def _hours(value: object) -> str:
    return "–" if _missing(value) else f"{float(value):.0f} h"


FORMATS = {"pct": _pct, "usd": _usd, "count": _count, "hours": _hours}


def _month_label(value: object) -> str:
    return pd.Timestamp(value).strftime("%b %Y")


def _quarter_label(day: date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


def _change(kpi: Kpi, now: object, before: object) -> tuple[str, str]:
    """The change from ``before`` to ``now`` in words, and whether it is good, bad or neutral."""
    if _missing(now) or _missing(before):
        return "–", "neutral"
    delta = float(now) - float(before)
    if kpi.unit == "pct":
        text = f"{100 * delta:+.1f} pts"
    elif kpi.unit == "usd":
        text = f"{'+' if delta >= 0 else '−'}${abs(delta):,.0f}"
    else:
        text = f"{delta:+,.0f}"
    text = text.replace("-", "−")
    if abs(delta) < 1e-9 or kpi.higher_is_better is None:
        return text, "neutral"
    return text, "good" if (delta > 0) == kpi.higher_is_better else "bad"


def _windows(data: ReportData) -> dict[str, str]:
    as_of = date.fromisoformat(data.as_of_date)
    row = data.summary.iloc[0] if data.summary is not None and not data.summary.empty else None
    retention_month = row.get("retention_month") if row is not None else None
    retention_label = "the last complete month" if _missing(retention_month) else _month_label(retention_month)
    quarter = _quarter_label(as_of)
    if data.renewal_range is not None and not data.renewal_range.empty:
        span = data.renewal_range.iloc[0]
        start, end = pd.Timestamp(span["quarter_start"]), pd.Timestamp(span["quarter_end"])
        quarter = f"{_quarter_label(start.date())} ({start:%-d %b} – {end:%-d %b %Y})"
    days = data.forecast_window_days
    forecast_window = f"the next {days} days and {_quarter_label(as_of)}" if days else "the forecast window"
    return {
        "as_of_date": data.as_of_date,
        "retention_month": retention_label,
        "quarter": quarter,
        "forecast_window": forecast_window,
    }


def kpi_cards(data: ReportData) -> list[dict]:
    """One card per KPI: its value, window, definition, and change vs a month and a year earlier."""
    if data.summary is None or data.summary.empty:
        return []
    row = data.summary.iloc[0]
    windows = _windows(data)
    compared = comparison_dates(date.fromisoformat(data.as_of_date))
    cards = []
    for kpi in KPIS:
        if kpi.column not in row.index:
            continue
        value = row[kpi.column]
        changes = []
        if kpi.compare:
            for label, title in (("month_ago", "vs last month"), ("year_ago", "vs a year ago")):
                past = data.kpi_history.get(label)
                before = past[kpi.column].iloc[0] if past is not None and kpi.column in past.columns else None
                text, tone = _change(kpi, value, before)
                changes.append(
                    {
                        "label": title,
                        "text": text,
                        "tone": tone,
                        "detail": f"{title}: {FORMATS[kpi.unit](before)} on {compared[label]:%Y-%m-%d}"
                        if not _missing(before)
                        else f"{title}: no figure for {compared[label]:%Y-%m-%d}",
                    }
                )
        cards.append(
            {
                "column": kpi.column,
                "label": kpi.label,
                "value": FORMATS[kpi.unit](value),
                "window": kpi.window.format(**windows),
                "definition": kpi.definition,
                "changes": changes,
            }
        )
    return cards


def _reasons(drivers: object) -> list[str]:
    """The drivers text of the health mart, one reason per item (it separates them with '; ')."""
    return [] if _missing(drivers) else [part.strip() for part in str(drivers).split(";") if part.strip()]


def _csm(email: object) -> str:
    return "unassigned" if _missing(email) else str(email)


def _renewal_when(days: object) -> str:
    if _missing(days):
        return ""
    days = int(days)
    if days < 0:
        return f"overdue {-days} d"
    return "today" if days == 0 else f"in {days} d"


def at_risk_rows(frame: pd.DataFrame | None) -> list[dict]:
    """The at-risk renewals, the escalated ones first (most urgent level first), then by date."""
    if frame is None or frame.empty:
        return []
    rank = {level: i for i, level in enumerate(ESCALATION_ORDER)}
    ordered = frame.assign(
        _rank=frame["escalation_level"].map(lambda v: len(rank) + 1 if _missing(v) else rank.get(v, len(rank)))
    ).sort_values(["_rank", "renewal_date", "renewal_arr"], ascending=[True, True, False], kind="stable")
    return [
        {
            "account": r.account_name if not _missing(r.account_name) else r.account_id,
            "account_id": r.account_id,
            "csm": _csm(r.csm_email),
            "arr": _usd(r.renewal_arr),
            "probability": _pct(r.renewal_probability),
            "renewal_date": pd.Timestamp(r.renewal_date).strftime("%Y-%m-%d"),
            "when": _renewal_when(r.days_to_renewal),
            "stage": "" if _missing(r.renewal_stage) else r.renewal_stage,
            "score": "–" if _missing(r.health_score) else f"{float(r.health_score):.0f}",
            "status": "no health score" if _missing(r.health_status) else str(r.health_status).replace("_", " "),
            "color": COLOR_HEX.get(r.health_color, OTHER_HEX) if not _missing(r.health_color) else OTHER_HEX,
            "reasons": _reasons(r.drivers),
            "escalation": "" if _missing(r.escalation_level) else r.escalation_level,
            "notice": bool(r.has_cancellation_notice) if not _missing(r.has_cancellation_notice) else False,
        }
        for r in ordered.itertuples()
    ]


def turned_red_rows(frame: pd.DataFrame | None) -> list[dict]:
    if frame is None or frame.empty:
        return []
    return [
        {
            "account": r.account_name if not _missing(r.account_name) else r.account_id,
            "account_id": r.account_id,
            "csm": _csm(r.csm_email),
            "arr": _usd(r.arr),
            "score": "–" if _missing(r.health_score) else f"{float(r.health_score):.0f}",
            "status": str(r.health_status).replace("_", " "),
            "color": COLOR_HEX.get(r.health_color, OTHER_HEX),
            "before": "not scored" if _missing(r.color_before) else r.color_before,
            "before_color": OTHER_HEX if _missing(r.color_before) else COLOR_HEX.get(r.color_before, OTHER_HEX),
            "turned_on": pd.Timestamp(r.turned_red_on).strftime("%Y-%m-%d"),
            "reasons": _reasons(r.drivers),
        }
        for r in frame.itertuples()
    ]


def _auc(value: object) -> str:
    return "–" if _missing(value) else f"{float(value):.2f}"


def signal_rows(frame: pd.DataFrame | None) -> list[dict]:
    """Each health component (the composite last) with its AUC at T-90, coverage and signal verdict."""
    if frame is None or frame.empty:
        return []
    return [
        {
            "component": str(r.component).replace("_", " "),
            "composite": r.component == "composite",
            "auc": _auc(r.auc),
            "coverage": _pct(r.coverage),
            "signal": not _missing(r.carries_signal) and bool(r.carries_signal),
            "renewals": _count(r.renewals),
            "churned": _count(r.churned),
        }
        for r in frame.itertuples()
    ]


def weight_rows(frame: pd.DataFrame | None) -> list[dict]:
    """One row per segment of the latest fit: which weights are in use, how the fitted and the
    configured sets did out of sample, the renewals behind the fit, and the weights themselves."""
    if frame is None or frame.empty:
        return []
    rows = []
    for segment, fit in frame.groupby("segment", sort=True):
        first = fit.iloc[0]  # the segment's figures repeat on each of its component rows
        rows.append(
            {
                "segment": SEGMENT_LABELS.get(segment, str(segment).replace("_", " ")),
                "fit_date": pd.Timestamp(first["fit_date"]).strftime("%Y-%m-%d"),
                "source": "" if _missing(first["weights_source"]) else str(first["weights_source"]),
                "auc_fitted": _auc(first["oos_auc_fitted"]),
                "auc_configured": _auc(first["oos_auc_configured"]),
                "renewals": _count(first["renewals"]),
                "weights": [
                    f"{str(r.component).replace('_', ' ')} {_pct(r.weight_in_use)}"
                    for r in fit.itertuples()
                    if not _missing(r.weight_in_use)
                ],
            }
        )
    return rows


def _figure_html(figure: go.Figure, div_id: str) -> str:
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=PLOTLY_CONFIG)


def _layout(figure: go.Figure, height: int, **extra) -> None:
    figure.update_layout(
        height=height,
        margin={"l": 60, "r": 20, "t": 30, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        template="plotly_white",
        font={"size": 12},
        **extra,
    )


def forecast_chart(data: ReportData) -> str | None:
    """This quarter's due renewal ARR by confidence tier, and the renewed-ARR forecast with its P10–P90."""
    if data.renewal_range is None or data.renewal_range.empty:
        return None
    span = data.renewal_range.iloc[0]
    due_label, forecast_label = "Due this quarter", "Renewed ARR forecast"
    figure = go.Figure()
    tiers = data.renewals_by_tier if data.renewals_by_tier is not None else pd.DataFrame()
    for tier in tiers.itertuples():
        figure.add_trace(
            go.Bar(
                y=[due_label],
                x=[float(tier.renewal_arr)],
                name=f"due: {str(tier.confidence_tier).replace('_', ' ')}",
                orientation="h",
                marker_color=TIER_HEX.get(tier.confidence_tier, OTHER_HEX),
                hovertemplate=f"{tier.confidence_tier}: {int(tier.renewals)} renewals, %{{x:$,.0f}}<extra></extra>",
            )
        )
    expected = float(span["expected_renewed_arr"])
    if not _missing(span["p10_renewed_arr"]) and not _missing(span["p90_renewed_arr"]):
        low, high = float(span["p10_renewed_arr"]), float(span["p90_renewed_arr"])
        figure.add_trace(
            go.Bar(
                y=[forecast_label],
                x=[high - low],
                base=[low],
                orientation="h",
                name="P10–P90 range",
                marker_color="rgba(46,134,193,0.35)",
                hovertemplate=f"P10 {_usd(low)} – P90 {_usd(high)}<extra></extra>",
            )
        )
    points = [("expected", expected, "#1b4f72", "diamond")]
    if not _missing(span["p50_renewed_arr"]):
        points.append(("P50", float(span["p50_renewed_arr"]), "#2e86c1", "line-ns-open"))
    for name, value, colour, symbol in points:
        figure.add_trace(
            go.Scatter(
                y=[forecast_label],
                x=[value],
                mode="markers",
                name=name,
                marker={"color": colour, "size": 14, "symbol": symbol, "line": {"width": 2, "color": colour}},
                hovertemplate=f"{name}: %{{x:$,.0f}}<extra></extra>",
            )
        )
    _layout(figure, 240, barmode="stack", xaxis={"tickformat": "$,.0f", "rangemode": "tozero"})
    figure.update_yaxes(autorange="reversed")
    return _figure_html(figure, "chart-renewal-forecast")


def health_mix_chart(mix: pd.DataFrame | None) -> str | None:
    """Accounts per health colour at each month end of the last 12 months, stacked; ARR on hover."""
    if mix is None or mix.empty:
        return None
    frame = mix.groupby(["as_of_date", "health_color"], as_index=False)[["accounts", "arr"]].sum()
    frame["label"] = pd.to_datetime(frame["as_of_date"]).dt.strftime("%Y-%m-%d")
    colours = [c for c in COLOR_HEX if c in set(frame["health_color"])]
    colours += sorted(set(frame["health_color"]) - set(colours))
    figure = go.Figure()
    for colour in colours:
        rows = frame[frame["health_color"] == colour]
        figure.add_trace(
            go.Bar(
                x=rows["label"],
                y=rows["accounts"],
                name=colour,
                marker_color=COLOR_HEX.get(colour, OTHER_HEX),
                customdata=rows["arr"].astype(float),
                hovertemplate=f"{colour}: %{{y}} accounts, %{{customdata:$,.0f}} ARR<extra>%{{x}}</extra>",
            )
        )
    _layout(figure, 320, barmode="stack", yaxis={"title": "accounts"}, xaxis={"type": "category"})
    return _figure_html(figure, "chart-health-mix")


def retention_trend_chart(trend: pd.DataFrame | None) -> str | None:
    """NRR and GRR, trailing twelve months, by month; one line per segment (legend toggles)."""
    if trend is None or trend.dropna(subset=["nrr_t12m"]).empty:
        return None
    figure = go.Figure()
    for segment in SEGMENTS:
        rows = trend[(trend["segment"] == segment) & trend["nrr_t12m"].notna()]
        if rows.empty:
            continue
        visible = True if segment == "all" else "legendonly"
        label = SEGMENT_LABELS[segment]
        figure.add_trace(go.Scatter(x=rows["month"], y=rows["nrr_t12m"], name=f"NRR · {label}", visible=visible))
        figure.add_trace(
            go.Scatter(
                x=rows["month"], y=rows["grr_t12m"], name=f"GRR · {label}", visible=visible, line={"dash": "dot"}
            )
        )
    _layout(figure, 360, yaxis={"tickformat": ".0%"})
    return _figure_html(figure, "chart-retention-trend")


def movements_chart(movements: pd.DataFrame | None) -> str | None:
    """Monthly MRR movements (new, reactivation, expansion up; contraction, churn down)."""
    if movements is None or movements.empty:
        return None
    colours = {
        "new_mrr": "#2e86c1",
        "reactivation_mrr": "#76d7c4",
        "expansion_mrr": "#27ae60",
        "contraction_mrr": "#f39c12",
        "churned_mrr": "#c0392b",
    }
    figure = go.Figure(
        [
            go.Bar(x=movements["month"], y=movements[column], name=column.removesuffix("_mrr"), marker_color=colour)
            for column, colour in colours.items()
        ]
    )
    _layout(figure, 340, barmode="relative", yaxis={"tickformat": "$,.0f"})
    return _figure_html(figure, "chart-mrr-movements")


def _cohort_label(cohort: object, granularity: str) -> str:
    stamp = pd.Timestamp(cohort)
    return stamp.strftime("%Y-%m") if granularity == "monthly" else f"{stamp.year} Q{(stamp.month - 1) // 3 + 1}"


def _series(frame: pd.DataFrame) -> list[float | None]:
    """Values by offset (0…max), None where the frame has no offset."""
    by_offset = dict(zip(frame["period_offset"].astype(int), frame["value"].astype(float), strict=True))
    width = max(by_offset, default=-1) + 1
    return [round(by_offset[k], 4) if k in by_offset else None for k in range(width)]


def cohort_payload(data: ReportData, small_cohort_accounts: int) -> dict:
    """What the page's cohort script draws from: per granularity, segment and measure, the cohort
    rows (label, accounts, values by offset) and the size-weighted average rows."""
    views: dict = {}
    for granularity, view in data.cohort_views.items():
        out = views.setdefault(granularity, {})
        for (segment, measure), cells in view.cells.groupby(["segment", "measure"], sort=False):
            rows = [
                [_cohort_label(cohort, granularity), int(group["cohort_accounts"].iloc[0]), _series(group)]
                for cohort, group in cells.groupby("cohort", sort=True)
            ]
            averages = view.averages[(view.averages["segment"] == segment) & (view.averages["measure"] == measure)]
            out.setdefault(segment, {})[measure] = {
                "rows": rows,
                "avg": {scope: _series(averages[averages["scope"] == scope]) for scope in ("recent", "all")},
            }
    return {
        "views": views,
        "measures": {m: {"label": label, "domain": HEATMAP_DOMAIN[m]} for m, label in MEASURES.items()},
        "segments": {s: SEGMENT_LABELS[s] for s in SEGMENTS},
        "granularities": {g: ("M" if step == 1 else "Q") for g, step in GRANULARITIES.items()},
        "palette": HEATMAP_PALETTE,
        "recent": RECENT_COHORTS,
        "small": small_cohort_accounts,
    }


def _script_json(payload: dict) -> str:
    """JSON safe inside a <script> element (no '</' can end it early)."""
    return json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")


def plotly_bundle() -> str:
    return PLOTLY_BUNDLE.read_text(encoding="utf-8")


def vendored_plotly_version() -> str:
    """The plotly.js version of the vendored bundle, from its licence header."""
    header = PLOTLY_BUNDLE.read_text(encoding="utf-8")[:300]
    return re.search(r"plotly\.js \(basic - minified\) v(\S+)", header).group(1)


def render_report(data: ReportData, small_cohort_accounts: int = SMALL_COHORT_ACCOUNTS) -> str:
    """The whole page as one HTML string (plotly.js basic bundle inlined once)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=jinja2.select_autoescape(["html", "j2"])
    )
    charts = {
        "forecast": forecast_chart(data),
        "health_mix": health_mix_chart(data.health_mix),
        "retention_trend": retention_trend_chart(data.retention_trend),
        "movements": movements_chart(data.movements),
    }
    at_risk = at_risk_rows(data.at_risk_renewals)
    turned_red = turned_red_rows(data.turned_red)
    summary = data.summary.iloc[0] if data.summary is not None and not data.summary.empty else None
    span = data.renewal_range.iloc[0] if data.renewal_range is not None and not data.renewal_range.empty else None
    as_of = date.fromisoformat(data.as_of_date)
    return environment.get_template("leadership_report.html.j2").render(
        as_of_date=data.as_of_date,
        month_start=as_of.replace(day=1).isoformat(),
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cards=kpi_cards(data),
        windows=_windows(data),
        at_risk=at_risk[:MAX_ATTENTION_ROWS],
        at_risk_more=max(0, len(at_risk) - MAX_ATTENTION_ROWS),
        at_risk_arr=_usd(data.at_risk_renewals["renewal_arr"].sum()) if at_risk else _usd(0),
        at_risk_accounts=data.at_risk_renewals["account_id"].nunique() if at_risk else 0,
        turned_red=turned_red[:MAX_ATTENTION_ROWS],
        turned_red_more=max(0, len(turned_red) - MAX_ATTENTION_ROWS),
        attention_ready=data.at_risk_renewals is not None,
        signal=signal_rows(data.component_signal),
        weights=weight_rows(data.weights_in_use),
        summary=summary,
        forecast=None
        if span is None
        else {
            "due": _usd(span["renewals_due_qtr_arr"]),
            "renewals": _count(span["renewals_due_qtr"]),
            "expected": _usd(span["expected_renewed_arr"]),
            "p10": _usd(span["p10_renewed_arr"]),
            "p50": _usd(span["p50_renewed_arr"]),
            "p90": _usd(span["p90_renewed_arr"]),
            "low_q": f"P{100 * float(span['low_quantile']):.0f}",
            "high_q": f"P{100 * float(span['high_quantile']):.0f}",
        },
        charts=charts,
        cohorts=_script_json(cohort_payload(data, small_cohort_accounts)) if data.cohort_views else None,
        small_cohort_accounts=small_cohort_accounts,
        recent_cohorts=RECENT_COHORTS,
        color_hex=COLOR_HEX,
        plotly_js=plotly_bundle() if any(charts.values()) else "",
    )
