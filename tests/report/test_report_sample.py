"""The leadership report on the bundled sample book: the marts built by dbt from the sample
extracts (one build for the module), the page rendered from them and opened in Chromium at 1440 px."""

from __future__ import annotations

import os
from datetime import date

import duckdb
import pytest

from dagster_project.report.data import KPIS, history_on, read_report_data
from dagster_project.report.render import render_report
from tests.dbt_runner import SAMPLE_LANDING, load_landing, run_dbt

from .chromium import CHROMIUM, Browser

AS_OF = date(2026, 11, 20)  # the bundled sample's last day
MAX_REPORT_BYTES = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("report_sample")
    # `dbt run`: the marts' own tests run elsewhere (a build here would also run the unit tests of
    # incremental models, which need them built first)
    warehouse = load_landing(root / "warehouse.duckdb", SAMPLE_LANDING)
    run_dbt(root, warehouse, AS_OF, "seed")
    run_dbt(root, warehouse, AS_OF, "run", "--select", "+marts")
    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def data(con):
    return read_report_data(con, AS_OF.isoformat())


def test_the_point_in_time_history_gives_the_summarys_own_numbers_on_the_as_of_date(con, data):
    """The queries behind 'vs last month / a year ago' follow the summary's rules: asked for the
    as-of date they give exactly the summary's figures."""
    summary = data.summary.iloc[0]
    sources = history_on(con, [AS_OF])
    compared = 0
    for kpi in KPIS:
        if kpi.history:
            got = sources[kpi.history][kpi.column].iloc[0]
            assert float(got) == pytest.approx(float(summary[kpi.column]), abs=1e-6), kpi.column
            compared += 1
    assert compared >= 5


def test_the_at_risk_list_is_what_the_cards_count(data):
    summary = data.summary.iloc[0]
    renewals = data.at_risk_renewals
    assert renewals["account_id"].nunique() == summary["accounts_at_risk"] > 0
    assert float(renewals["renewal_arr"].sum()) == pytest.approx(float(summary["arr_at_risk"]), abs=0.01)
    assert renewals["drivers"].notna().any() and renewals["csm_email"].notna().any()


def test_every_cohort_view_has_every_segment_and_measure(data):
    for granularity in ("monthly", "quarterly"):
        cells = data.cohort_views[granularity].cells
        assert set(cells["segment"]) == {"all", "high_touch", "low_touch", "tech_touch"}, granularity
        assert set(cells["measure"]) == {"logo_retention", "net_revenue_retention", "gross_revenue_retention"}
    monthly = data.cohort_views["monthly"].cells
    wide = data.cohorts[("all", "net_revenue_retention")]
    oldest = wide.iloc[0]
    cells = monthly[(monthly["segment"] == "all") & (monthly["measure"] == "net_revenue_retention")]
    first = cells[cells["cohort"] == oldest["cohort_month"]].set_index("period_offset")["value"]
    assert [round(first[k], 9) for k in first.index] == [round(oldest[f"m{k}"], 9) for k in first.index]


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true", reason="no Chromium installed (apt-get install chromium)"
)
def test_the_sample_report_is_under_2_mb_and_reads_at_1440_px(data, tmp_path):
    page = tmp_path / "leadership_report.html"
    page.write_text(render_report(data), encoding="utf-8")
    assert page.stat().st_size < MAX_REPORT_BYTES
    with Browser(width=1440) as browser:
        browser.open(page.as_uri())
        assert browser.evaluate("document.documentElement.scrollWidth") <= 1440
        rows = browser.evaluate("document.querySelectorAll('#at-risk-table tbody tr').length")
        assert rows == len(data.at_risk_renewals)
        shown = browser.evaluate("document.querySelectorAll('#cohort-table tbody tr').length")
        assert shown == min(24, len(data.cohorts[("all", "net_revenue_retention")]))
        browser.settle(0.5)
        assert browser.console_errors() == []
        assert browser.requests() == [page.as_uri()]
