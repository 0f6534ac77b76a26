"""The leadership report: rendered from small mart tables, then opened in a real headless browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.assets.report import leadership_report
from dagster_project.report.data import read_report_data
from dagster_project.report.heatmap_cache import HeatmapCache
from dagster_project.report.render import render_report, summary_cards
from dagster_project.resources import PipelineSettings

DOCS = Path(__file__).resolve().parents[2] / "docs"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def build_marts(path: Path) -> None:
    """A tiny published warehouse with the marts the report reads (values hand-picked)."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            """
            create table marts.rpt_executive_summary as select
                date '2026-11-20' as as_of_date, 1.07 as nrr_t12m, 0.92 as grr_t12m, 0.88 as logo_retention_t12m,
                12 as accounts_green, 5 as accounts_yellow, 3 as accounts_red, 900000.0 as arr_green,
                200000.0 as arr_yellow, 75000.0 as arr_red, 225000.0 as renewals_due_qtr_arr,
                147500.0 as forecast_qtr_arr, 0.6556 as forecast_qtr_pct, 75000.0 as arr_at_risk,
                3 as accounts_at_risk, 1.0 as health_coverage, 6.5 as freshest_extract_age_hours
            """
        )
        con.execute(
            """
            create table marts.rpt_revenue_retention as
            select month::date as month, segment, 100.0 as starting_mrr, 5.0 as new_mrr, 1.0 as reactivation_mrr,
                   4.0 as expansion_mrr, 2.0 as contraction_mrr, 3.0 as churned_mrr, 105.0 as ending_mrr,
                   1.02 as nrr_monthly, 0.95 as grr_monthly, 1.0 + i / 100 as nrr_t12m, 0.9 as grr_t12m,
                   0.85 as logo_retention_t12m
            from generate_series(date '2025-12-01', date '2026-10-01', interval 1 month) t(month),
                 (values ('all'), ('high_touch')) s(segment),
                 (select 1) x, lateral (select datediff('month', date '2025-12-01', month) as i)
            """
        )
        con.execute(
            """
            create table marts.rpt_cohort_retention_wide as
            select * from (values
                (date '2026-08-01', 'all', 'logo_retention', 10, 1.0, 0.9, 0.8, null),
                (date '2026-09-01', 'all', 'logo_retention', 4, 1.0, 0.75, null, null),
                (date '2026-08-01', 'all', 'net_revenue_retention', 10, 1.0, 1.1, 1.45, null),
                (date '2026-09-01', 'all', 'net_revenue_retention', 4, 1.0, 0.5, null, null),
                (date '2026-08-01', 'high_touch', 'logo_retention', 3, 1.0, 1.0, 0.6667, null)
            ) t(cohort_month, segment, measure, cohort_accounts, m0, m1, m2, m3)
            """
        )


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    build_marts(path)
    return path


def test_summary_cards_format_the_headline_numbers(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        data = read_report_data(con, "2026-11-20")
    cards = dict(summary_cards(data.summary))
    assert cards["NRR (trailing 12 months)"] == "107.0%"
    assert cards["GRR (trailing 12 months)"] == "92.0%"
    assert cards["Forecast renewed ARR"] == "$147,500 (65.6%)"
    assert cards["Health (green / yellow / red)"] == "12 / 5 / 3"


def test_cohort_heatmaps_show_sizes_percentages_and_blank_future_cells(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        data = read_report_data(con, "2026-11-20")
    assert set(data.cohorts) == {
        ("all", "logo_retention"),
        ("all", "net_revenue_retention"),
        ("high_touch", "logo_retention"),
    }
    html = render_report(data)
    assert 'id="cohorts-all"' in html and 'id="cohorts-high_touch"' in html
    assert "145%" in html  # net revenue retention above 100% is shown as is
    assert "67%" in html  # 0.6667 rounds to 67%
    # m3 is empty for every cohort (future): the column is dropped; m2 of the 2026-09 cohort is blank, not 0%
    assert ">M3<" not in html and ">M2<" in html
    assert ">0%</td>" not in html
    # nothing is fetched from the network: no external scripts, stylesheets, images or fonts
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', html)
    assert "@import url(" not in html


def _without_timestamp(html: str) -> str:
    return re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "<generated>", html)


def test_a_later_run_renders_again_only_the_heatmaps_whose_table_changed(warehouse, tmp_path):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        data = read_report_data(con, "2026-11-20")
    first = HeatmapCache(tmp_path / "heatmaps")
    page = render_report(data, first)
    assert first.rendered == 3
    # the same data renders the same page, from the cache or not (no random table ids)
    again = HeatmapCache(tmp_path / "heatmaps")
    assert _without_timestamp(render_report(data, again)) == _without_timestamp(page)
    assert again.rendered == 0
    assert _without_timestamp(render_report(data)) == _without_timestamp(page)

    data.cohorts[("all", "logo_retention")].loc[0, "m1"] = 0.5  # a restated month
    changed = HeatmapCache(tmp_path / "heatmaps")
    html = render_report(data, changed)
    changed.prune()
    assert changed.rendered == 1 and "50%" in html
    assert len(list((tmp_path / "heatmaps").glob("*.html"))) == 3  # the replaced one is gone


def test_the_asset_writes_the_report_and_csv_exports(warehouse, monkeypatch, tmp_path):
    monkeypatch.setenv("CS_WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setenv("CS_AS_OF_DATE", date(2026, 11, 20).isoformat())
    result = dg.materialize([leadership_report], resources={"pipeline": PipelineSettings()})
    assert result.success
    out = tmp_path / "warehouse-outputs"
    assert (out / "leadership_report.html").stat().st_size > 1_000_000  # plotly.js is inlined
    exported = (out / "cohort_retention_logo_retention.csv").read_text().splitlines()
    assert exported[0] == "segment,cohort_month,cohort_accounts,m0,m1,m2"  # m3: no cohort reached it yet
    assert exported[1:] == [
        "all,2026-08-01,10,1.0,0.9,0.8",
        "all,2026-09-01,4,1.0,0.75,",
        "high_touch,2026-08-01,3,1.0,1.0,0.6667",
    ]


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true", reason="no Chromium installed (apt-get install chromium)"
)
def test_the_report_renders_in_a_real_browser(warehouse, tmp_path):
    assert CHROMIUM, "CI must have Debian's chromium installed (.ci/run installs it)"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        data = read_report_data(con, "2026-11-20")
    page = tmp_path / "report.html"
    page.write_text(render_report(data), encoding="utf-8")
    profile = ["--user-data-dir=" + str(tmp_path / "profile")]
    dom = subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, *profile, "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    # plotly ran (it draws SVG into the chart divs) and the cohort tables are in the page
    assert dom.count('class="main-svg"') >= 2
    assert "retention-trend" in dom and "mrr-movements" in dom
    assert dom.count('class="cohort-table"') == 3
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            *profile,
            "--virtual-time-budget=5000",
            "--window-size=1400,2400",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 20_000
