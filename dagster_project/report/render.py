"""Turns the report's frames into one self-contained HTML page.

great_tables renders the tables (cohort heatmaps, summary), plotly the charts (its JavaScript
inlined once, so the file opens offline), Jinja2 the page around them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import jinja2
import pandas as pd
import plotly.graph_objects as go
from great_tables import GT, loc, style

from .data import MEASURES, SEGMENTS, ReportData
from .heatmap_cache import HeatmapCache

TEMPLATE_DIR = Path(__file__).parent / "templates"
# colour scale per measure: red at the low end, green at the high end
HEATMAP_DOMAIN = {
    "logo_retention": (0.4, 1.0),
    "net_revenue_retention": (0.5, 1.3),
    "gross_revenue_retention": (0.4, 1.0),
}
HEATMAP_PALETTE = ["#c0392b", "#f7dc6f", "#27ae60"]
SEGMENT_LABELS = {
    "all": "All segments",
    "high_touch": "High touch",
    "low_touch": "Low touch",
    "tech_touch": "Tech touch",
}


def _pct(value: object) -> str:
    return "–" if value is None or pd.isna(value) else f"{100 * float(value):.1f}%"


def _usd(value: object) -> str:
    return "–" if value is None or pd.isna(value) else f"${float(value):,.0f}"


def summary_cards(summary: pd.DataFrame | None) -> list[tuple[str, str]]:
    """The headline numbers, one card each, from the executive summary row."""
    if summary is None or summary.empty:
        return []
    row = summary.iloc[0]
    cards = [
        ("NRR (trailing 12 months)", _pct(row.get("nrr_t12m"))),
        ("GRR (trailing 12 months)", _pct(row.get("grr_t12m"))),
        ("Logo retention (12 months)", _pct(row.get("logo_retention_t12m"))),
        ("Renewals due this quarter", _usd(row.get("renewals_due_qtr_arr"))),
        ("Forecast renewed ARR", f"{_usd(row.get('forecast_qtr_arr'))} ({_pct(row.get('forecast_qtr_pct'))})"),
        ("ARR at risk", _usd(row.get("arr_at_risk"))),
        ("Accounts at risk", f"{int(row['accounts_at_risk'])}" if pd.notna(row.get("accounts_at_risk")) else "–"),
        (
            "Health (green / yellow / red)",
            " / ".join(str(int(row.get(f"accounts_{c}") or 0)) for c in ("green", "yellow", "red")),
        ),
        ("Health-score coverage", _pct(row.get("health_coverage"))),
        (
            "Freshest extract",
            f"{float(row['freshest_extract_age_hours']):.0f} h old"
            if pd.notna(row.get("freshest_extract_age_hours"))
            else "–",
        ),
    ]
    return cards


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
    figure.update_layout(
        title="Net and gross revenue retention, trailing 12 months",
        yaxis={"tickformat": ".0%", "title": None},
        xaxis={"title": None},
        height=420,
        margin={"l": 40, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        template="plotly_white",
    )
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id="retention-trend")


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
    figure.update_layout(
        barmode="relative",
        title="MRR movements by month (USD)",
        height=380,
        margin={"l": 40, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        template="plotly_white",
    )
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id="mrr-movements")


def cohort_heatmap(table: pd.DataFrame, measure: str, table_id: str | None = None) -> str:
    """A cohort table: one row per cohort month, its size, then m0…mN colour-scaled; future cells blank.

    ``table_id`` names the HTML table (its CSS is scoped to it); without one great_tables draws a
    random id, and the same data would not give the same page twice.
    """
    frame = table.copy()
    frame["cohort_month"] = pd.to_datetime(frame["cohort_month"]).dt.strftime("%Y-%m")
    month_columns = [c for c in frame.columns if c.startswith("m") and c[1:].isdigit() and frame[c].notna().any()]
    frame = frame[["cohort_month", "cohort_accounts", *month_columns]]
    low, high = HEATMAP_DOMAIN[measure]
    frame[month_columns] = frame[month_columns].astype("float64")
    table_gt = (
        GT(frame, rowname_col="cohort_month", id=table_id)
        .tab_header(title=MEASURES[measure])
        .tab_stubhead(label="Cohort")
        .cols_label(cohort_accounts="Accounts", **{c: c.upper() for c in month_columns})
        .fmt_percent(columns=month_columns, decimals=0)
        .fmt_integer(columns=["cohort_accounts"])
        .data_color(columns=month_columns, palette=HEATMAP_PALETTE, domain=[low, high], na_color="#ffffff")
        .sub_missing(columns=month_columns, missing_text="")
        .tab_style(style=style.text(weight="bold"), locations=loc.body(columns=["cohort_accounts"]))
        .tab_options(table_font_size="12px", data_row_padding="2px", container_width="100%")
    )
    # data_color leaves values outside its domain uncoloured: give them the colour of the nearest end
    for column in month_columns:
        over = frame[column] > high
        under = frame[column] < low
        if over.any():
            table_gt = table_gt.tab_style(
                style=style.fill(color=HEATMAP_PALETTE[-1]),
                locations=loc.body(columns=column, rows=list(over[over].index)),
            )
        if under.any():
            table_gt = table_gt.tab_style(
                style=style.fill(color=HEATMAP_PALETTE[0]),
                locations=loc.body(columns=column, rows=list(under[under].index)),
            )
    return table_gt.as_raw_html()


def _heatmap(table: pd.DataFrame, segment: str, measure: str, cache: HeatmapCache | None) -> str:
    table_id = f"heatmap-{segment}-{measure}".replace("_", "-")
    if cache is None:
        return cohort_heatmap(table, measure, table_id)
    return cache.get(table, (segment, measure, table_id), lambda: cohort_heatmap(table, measure, table_id))


def render_report(data: ReportData, cache: HeatmapCache | None = None) -> str:
    """The whole page as one HTML string (plotly.js inlined once); heatmaps from ``cache`` when
    their table has not changed since they were rendered."""
    from plotly.offline import get_plotlyjs

    cohort_sections = []
    for segment in SEGMENTS:
        tables = [
            (MEASURES[measure], _heatmap(data.cohorts[(segment, measure)], segment, measure, cache))
            for measure in MEASURES
            if (segment, measure) in data.cohorts
        ]
        if tables:
            cohort_sections.append({"id": segment, "label": SEGMENT_LABELS[segment], "tables": tables})
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=jinja2.select_autoescape(["html", "j2"])
    )
    charts = [c for c in (retention_trend_chart(data.retention_trend), movements_chart(data.movements)) if c]
    return environment.get_template("leadership_report.html.j2").render(
        as_of_date=data.as_of_date,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cards=summary_cards(data.summary),
        charts=charts,
        cohort_sections=cohort_sections,
        plotly_js=get_plotlyjs() if charts else "",
    )
