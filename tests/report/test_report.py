"""The leadership report: rendered from small hand-picked mart tables, then opened in a real
headless Chromium (tests/report/chromium.py) that clicks its controls."""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from plotly.offline import get_plotlyjs_version

from dagster_project.assets.report import leadership_report
from dagster_project.report import data as report_data
from dagster_project.report.data import KPIS, months_before, read_report_data
from dagster_project.report.render import kpi_cards, render_report, vendored_plotly_version
from dagster_project.resources import PipelineSettings

from .chromium import CHROMIUM, Browser

AS_OF = "2026-11-20"
MAX_REPORT_BYTES = 2 * 1024 * 1024

# (cohort month, accounts, starting MRR, [(k, retained accounts, retained MRR, gross retained MRR)])
# complete months run to October 2026: April reaches k = 6, May k = 5, July k = 3 ...
COHORTS = [
    (
        "2026-04-01",
        5,
        500.0,
        [
            (0, 5, 500, 500),
            (1, 5, 520, 500),
            (2, 4, 520, 450),
            (3, 4, 550, 450),
            (4, 4, 550, 450),
            (5, 4, 560, 450),
            (6, 3, 400, 350),
        ],
    ),
    (
        "2026-05-01",
        3,
        916.6458,
        [
            (0, 3, 916.6458, 916.6458),
            (1, 3, 916.6458, 916.6458),
            (2, 2, 600, 600),
            (3, 2, 270, 270),
            (4, 2, 270, 270),
            (5, 2, 270, 270),
        ],
    ),
    ("2026-07-01", 10, 1000.0, [(0, 10, 1000, 1000), (1, 9, 950, 900), (2, 8, 900, 800), (3, 8, 1100, 800)]),
    ("2026-08-01", 4, 400.0, [(0, 4, 400, 400), (1, 4, 420, 400), (2, 3, 300, 300)]),
    ("2026-09-01", 2, 100.0, [(0, 2, 100, 100), (1, 1, 60, 50)]),
    ("2026-10-01", 1, 50.0, [(0, 1, 50, 50)]),
]


def build_marts(path: Path) -> None:
    """A tiny published warehouse with the marts the report reads (values hand-picked)."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        # two reported days: the as-of date and a month before it (no report a year before)
        con.execute(
            """
            create table marts.rpt_executive_summary as select * from (values
                (date '2026-11-20', date '2026-10-01', 1.07, 0.92, 0.88, 12, 5, 3, 900000.0, 200000.0, 75000.0,
                 3, 225000.0, 147500.0, 0.6556, 120000.0, 175000.0, 75000.0, 2, 1.0, 6.5, 30.0,
                 0.8, 64000.0, 4, 40.2),
                (date '2026-10-20', date '2026-09-01', 1.05, 0.93, 0.89, 13, 5, 2, 950000.0, 180000.0, 40000.0,
                 2, 200000.0, 150000.0, 0.75, 130000.0, 170000.0, 40000.0, 1, 0.98, 5.0, 20.0,
                 0.9, 50000.0, 6, 35.0)
            ) t(as_of_date, retention_month, nrr_t12m, grr_t12m, logo_retention_t12m, accounts_green,
                accounts_yellow, accounts_red, arr_green, arr_yellow, arr_red, renewals_due_qtr,
                renewals_due_qtr_arr, forecast_qtr_arr, forecast_qtr_pct, p10_renewed_qtr_arr,
                p90_renewed_qtr_arr, arr_at_risk, accounts_at_risk, health_coverage,
                freshest_extract_age_hours, stalest_extract_age_hours, renewal_coverage, expansion_ready_arr,
                overdue_playbook_tasks, nps_t90d)
            """
        )
        # trailing-12-month figures: October 2026 (now), September 2026 (a month ago), October 2025 (a year ago)
        con.execute(
            """
            create table marts.rpt_revenue_retention as
            select month::date as month, segment, 100.0 as starting_mrr, 5.0 as new_mrr, 1.0 as reactivation_mrr,
                   4.0 as expansion_mrr, 2.0 as contraction_mrr, 3.0 as churned_mrr, 105.0 as ending_mrr,
                   1.02 as nrr_monthly, 0.95 as grr_monthly,
                   case month when date '2026-10-01' then 1.07 when date '2026-09-01' then 1.05
                              when date '2025-10-01' then 1.01 else 1.03 end as nrr_t12m,
                   case month when date '2026-10-01' then 0.92 when date '2026-09-01' then 0.93
                              when date '2025-10-01' then 0.94 else 0.9 end as grr_t12m,
                   0.85 as logo_retention_t12m
            from generate_series(date '2025-09-01', date '2026-10-01', interval 1 month) t(month),
                 (values ('all'), ('high_touch')) s(segment)
            """
        )
        con.execute(
            """
            create table marts.dim_accounts as select * from (values
                ('A-1', 'Acme Corp', 'a.csm@vendor.example'), ('A-2', 'Bolt Ltd', null),
                ('A-3', 'Cedar Inc', 'c.csm@vendor.example'), ('A-4', 'Delta Co', 'd.csm@vendor.example'),
                ('A-5', 'Echo SA', 'e.csm@vendor.example')
            ) t(account_id, account_name, csm_email)
            """
        )
        # health: A-1 yellow at the end of October, red since 2026-11-12; A-2 red all along; A-3 red
        # on the as-of day, not scored in October; A-4 green; A-5 yellow
        con.execute(
            """
            create table marts.fct_account_health_daily as
            select * from (values
                (date '2026-10-20', 'A-1', 55.0, 'at_risk', 'yellow', 'x', 12000.0),
                (date '2026-10-20', 'A-2', 30.0, 'critical', 'red', 'y', 20000.0),
                (date '2026-10-20', 'A-4', 85.0, 'healthy', 'red', null, 50000.0),
                (date '2026-10-31', 'A-1', 52.0, 'at_risk', 'yellow', 'x', 12000.0),
                (date '2026-10-31', 'A-2', 31.0, 'critical', 'red', 'y', 20000.0),
                (date '2026-11-11', 'A-1', 42.0, 'at_risk', 'yellow', 'x', 12000.0),
                (date '2026-11-12', 'A-1', 38.0, 'critical', 'red', 'active users fell 45% in 30 days (22 to 12); no executive sponsor engaged in 180 days', 12000.0),
                (date '2026-11-20', 'A-1', 35.0, 'critical', 'red', 'active users fell 45% in 30 days (22 to 12); no executive sponsor engaged in 180 days', 12000.0),
                (date '2026-11-20', 'A-2', 28.0, 'critical', 'red', 'invoice 40 days overdue', 20000.0),
                (date '2026-11-20', 'A-3', 25.0, 'emergency', 'red', 'NPS -100 from 1 response in 180 days', 43000.0),
                (date '2026-11-20', 'A-4', 88.0, 'healthy', 'green', null, 50000.0),
                (date '2026-11-20', 'A-5', 50.0, 'at_risk', 'yellow', 'only 3 of 10 licensed seats active in 30 days', 30000.0)
            ) t(as_of_date, account_id, health_score, health_status, health_color, drivers, arr)
            """
        )
        # A-2 is red, A-4 healthy: the forecast's tier decides what is "at risk", not the colour
        con.execute(
            """
            create table marts.fct_renewal_forecast as select * from (values
                (date '2026-11-20', 'R-1', 'A-5', date '2026-12-15', 25, true, 30000.0, 0.6, 18000.0, 'at_risk', 'close', 'stable', 50.0, false, null),
                (date '2026-11-20', 'R-2', 'A-1', date '2027-01-30', 71, false, 12000.0, 0.3, 3600.0, 'at_risk', 'baseline', 'critical', 35.0, false, 'high'),
                (date '2026-11-20', 'R-3', 'A-4', date '2026-12-01', 11, true, 50000.0, 0.95, 47500.0, 'commit', 'confirm', 'healthy', 88.0, false, null),
                (date '2026-11-20', 'R-4', 'A-3', date '2026-12-20', 30, true, 45000.0, 0.0, 0.0, 'at_risk', 'close', 'emergency', 25.0, true, 'emergency')
            ) t(as_of_date, renewal_id, account_id, renewal_date, days_to_renewal, is_in_current_quarter, renewal_arr,
                renewal_probability, expected_arr, confidence_tier, renewal_stage, health_status, health_score,
                has_cancellation_notice, escalation_level)
            """
        )
        con.execute(
            """
            create table marts.rpt_renewal_risk_range as select
                date '2026-11-20' as as_of_date, date '2026-10-01' as quarter_start, date '2026-12-31' as quarter_end,
                3 as renewals_due_qtr, 125000.0 as renewals_due_qtr_arr, 65500.0 as expected_renewed_arr,
                48000.0 as p10_renewed_arr, 66000.0 as p50_renewed_arr, 80000.0 as p90_renewed_arr,
                0.10 as low_quantile, 0.90 as high_quantile
            """
        )
        cells = ", ".join(
            f"(date '{month}', {k}, {accounts}, {retained}, {base}, {mrr}, {gross})"
            for month, accounts, base, offsets in COHORTS
            for k, retained, mrr, gross in offsets
        )
        con.execute(
            f"""
            create table marts.rpt_cohort_retention as
            select cohort_month, segment, months_since_start, (cohort_month + to_months(months_since_start))::date as month,
                   cohort_accounts, retained_accounts, retained_accounts / cohort_accounts as logo_retention,
                   cohort_starting_mrr::decimal(18, 4) as cohort_starting_mrr, retained_mrr::decimal(18, 4) as retained_mrr,
                   gross_retained_mrr::decimal(18, 4) as gross_retained_mrr,
                   retained_mrr / cohort_starting_mrr as net_revenue_retention,
                   gross_retained_mrr / cohort_starting_mrr as gross_revenue_retention
            from (values {cells}) t(cohort_month, months_since_start, cohort_accounts, retained_accounts,
                                    cohort_starting_mrr, retained_mrr, gross_retained_mrr),
                 (values ('all'), ('high_touch')) s(segment)
            where segment = 'all' or cohort_month >= date '2026-07-01'
            """
        )
        offsets = ", ".join(f"max(measure_value) filter (where months_since_start = {k}) as m{k}" for k in range(8))
        con.execute(
            f"""
            create table marts.rpt_cohort_retention_wide as
            select cohort_month, segment, measure, cohort_accounts, cohort_starting_mrr, {offsets}
            from (unpivot marts.rpt_cohort_retention on logo_retention, net_revenue_retention, gross_revenue_retention
                  into name measure value measure_value)
            group by all
            """
        )
        build_health_validation_marts(con)


def build_health_validation_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Component validation and weight fits, with rows the report must not show (other bands,
    segments and an earlier fit)."""
    con.execute(
        """
        create table marts.rpt_health_component_validation as select * from (values
            ('all', 'stakeholder_coverage', 'all', 0.7213, 0.95, true, 700, 20),
            ('all', 'financial', 'all', 0.48, 0.6, false, 700, 20),
            ('all', 'composite', 'all', 0.8149, 1.0, true, 700, 20),
            ('all', 'adoption', 'all', 0.6649, 0.8, true, 700, 20),
            ('all', 'adoption', 'healthy', null, null, null, 300, 2),
            ('high_touch', 'financial', 'all', 0.93, 0.9, true, 90, 6)
        ) t(segment, component, band, auc, coverage, carries_signal, renewals, churned)
        """
    )
    con.execute(
        """
        create table marts.rpt_health_weight_fit as select * from (values
            (date '2026-11-01', 'high_touch', 'adoption', 0.3, 'fitted', 0.78, 0.74, 240, true),
            (date '2026-11-01', 'high_touch', 'financial', 0.7, 'fitted', 0.78, 0.74, 240, true),
            (date '2026-11-01', 'tech_touch', 'adoption', 0.25, 'configured', null, 0.61, 8, true),
            (date '2026-11-01', 'tech_touch', 'financial', 0.75, 'configured', null, 0.61, 8, true),
            (date '2026-10-01', 'high_touch', 'adoption', 0.5, 'configured', 0.70, 0.75, 200, false)
        ) t(fit_date, segment, component, weight_in_use, weights_source, oos_auc_fitted, oos_auc_configured,
            renewals, is_latest_fit)
        """
    )


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    build_marts(path)
    return path


@pytest.fixture
def data(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return read_report_data(con, AS_OF)


def test_months_before_keeps_the_day_or_the_months_last_day():
    assert months_before(date(2026, 11, 20), 1) == date(2026, 10, 20)
    assert months_before(date(2026, 11, 20), 12) == date(2025, 11, 20)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


def test_every_kpi_card_names_its_window_changes_and_definition(data):
    cards = {c["column"]: c for c in kpi_cards(data)}
    assert list(cards) == [k.column for k in KPIS]  # one card per entry of the list, in its order
    nrr = cards["nrr_t12m"]
    assert nrr["value"] == "107.0%" and nrr["window"] == "trailing 12 months to Oct 2026"
    # vs last month: September 2026's figure (the last complete month on 2026-10-20); vs a year
    # ago: October 2025's (the last complete month on 2025-11-20), from the retention mart
    assert [(c["text"], c["tone"]) for c in nrr["changes"]] == [("+2.0 pts", "good"), ("+6.0 pts", "good")]
    assert [(c["text"], c["tone"]) for c in cards["grr_t12m"]["changes"]] == [("−1.0 pts", "bad"), ("−2.0 pts", "bad")]
    # renewal figures compare with the summary reported a month before; nothing was reported a year before
    due = cards["renewals_due_qtr_arr"]
    assert due["value"] == "$225,000" and due["window"] == "renewal dates in Q4 2026 (1 Oct – 31 Dec 2026)"
    assert [(c["text"], c["tone"]) for c in due["changes"]] == [("+$25,000", "neutral"), ("–", "neutral")]
    assert due["changes"][1]["detail"] == "vs a year ago: no figure for 2025-11-20"
    assert [(c["text"], c["tone"]) for c in cards["arr_at_risk"]["changes"]][0] == ("+$35,000", "bad")
    # red accounts from the daily health history: 3 scored red on 2026-11-20, 2 on 2026-10-20
    red = cards["accounts_red"]
    assert red["value"] == "3" and [(c["text"], c["tone"]) for c in red["changes"]][0] == ("+1", "bad")
    assert red["changes"][1]["text"] == "–"  # nothing scored a year earlier: no figure, not 0
    assert cards["stalest_extract_age_hours"]["changes"] == []
    # the CS team's numbers (issue 21): renewal coverage fell, overdue tasks fell, expansion is neutral
    assert cards["renewal_coverage"]["value"] == "80.0%"
    assert [(c["text"], c["tone"]) for c in cards["renewal_coverage"]["changes"]][0] == ("−10.0 pts", "bad")
    assert [(c["text"], c["tone"]) for c in cards["overdue_playbook_tasks"]["changes"]][0] == ("−2", "good")
    assert cards["expansion_ready_arr"]["value"] == "$64,000"
    assert [(c["text"], c["tone"]) for c in cards["expansion_ready_arr"]["changes"]][0] == ("+$14,000", "neutral")
    html = render_report(data)
    for card in cards.values():
        assert f'id="{card["definition"]}"' in html, card["definition"]


def test_a_kpi_is_one_entry_in_the_list(warehouse, monkeypatch):
    """A column of the summary becomes a card by one entry; a history query lacking it is an error."""
    extra = report_data.Kpi("renewals_due_qtr", "Renewals due (count)", "count", "{quarter}", "def-renewals-due")
    monkeypatch.setattr(report_data, "KPIS", [*KPIS, extra])
    monkeypatch.setattr("dagster_project.report.render.KPIS", report_data.KPIS)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cards = {c["column"]: c for c in kpi_cards(read_report_data(con, AS_OF))}
    assert cards["renewals_due_qtr"]["value"] == "3"
    assert [c["text"] for c in cards["renewals_due_qtr"]["changes"]] == ["+1", "–"]
    wrong = report_data.Kpi("arr_at_risk", "ARR at risk", "usd", "", "def-arr-at-risk", history="health")
    monkeypatch.setattr(report_data, "KPIS", [wrong])
    with (
        duckdb.connect(str(warehouse), read_only=True) as con,
        pytest.raises(ValueError, match="history query 'health' has no column arr_at_risk"),
    ):
        report_data.read_kpi_history(con, date(2026, 11, 20))


def _rows(html: str, table_id: str) -> list[str]:
    body = re.search(rf'<table class="list" id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_needs_attention_comes_first_and_lists_the_at_risk_renewals_with_owner_and_reasons(data):
    html = render_report(data)
    sections = re.findall(r'<section id="([a-z-]+)"', html)
    assert sections[0] == "attention"
    assert sections == [
        "attention",
        "kpis",
        "foresees-renewals",
        "forecast",
        "health-mix",
        "cohorts",
        "trends",
        "definitions",
    ]
    rows = _rows(html, "at-risk-table")
    # exactly the at-risk tier (R-3, committed, is not here); escalated first, most urgent first
    assert len(rows) == 3
    assert ["Cedar Inc" in rows[0], "Acme Corp" in rows[1], "Echo SA" in rows[2]] == [True, True, True]
    assert "emergency" in rows[0] and "cancellation notice" in rows[0] and "$45,000" in rows[0]
    assert "c.csm@vendor.example" in rows[0] and "2026-12-20" in rows[0] and "in 30 d" in rows[0]
    # the reasons are the health mart's drivers, one item each
    assert (
        "<li>active users fell 45% in 30 days (22 to 12)</li><li>no executive sponsor engaged in 180 days</li>"
        in rows[1]
    )
    assert "high" in rows[1] and "35 · critical" in rows[1]
    assert "unassigned" not in rows[1] and "e.csm@vendor.example" in rows[2] and "none" in rows[2]
    assert "3 renewals, 3 accounts, $87,000 ARR" in html


def test_turned_red_this_month_lists_accounts_red_now_and_not_at_the_end_of_last_month(data):
    rows = _rows(render_report(data), "turned-red-table")
    # A-3 (red, not scored in October) and A-1 (yellow on 2026-10-31, red since 2026-11-12); A-2 was already red
    assert len(rows) == 2
    assert "Cedar Inc" in rows[0] and "not scored" in rows[0] and "2026-11-20" in rows[0]
    assert "Acme Corp" in rows[1] and "yellow" in rows[1] and "2026-11-12" in rows[1] and "$12,000" in rows[1]
    assert "Bolt Ltd" not in "".join(rows)


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_what_foresees_renewals_shows_each_components_auc_coverage_and_the_weights_in_use(data):
    html = render_report(data)
    # the whole book's row of each component, best AUC first, the composite last
    assert [_cells(row) for row in _rows(html, "component-signal-table")] == [
        ["stakeholder coverage", "0.72", "95.0%", "yes", "700 (20)"],
        ["adoption", "0.66", "80.0%", "yes", "700 (20)"],
        ["financial", "0.48", "60.0%", "no", "700 (20)"],
        ["composite (health score)", "0.81", "100.0%", "the score in use", "700 (20)"],
    ]
    assert "Carry signal: <strong>stakeholder coverage, adoption</strong>." in html
    # the latest fit only, one row per segment, its weights largest first
    assert "Weights in use per segment (fit of 2026-11-01)" in html
    assert [_cells(row) for row in _rows(html, "weights-table")] == [
        ["High touch", "fitted", "0.78", "0.74", "240", "financial 70.0% · adoption 30.0%"],
        ["Tech touch", "configured", "–", "0.61", "8", "financial 75.0% · adoption 25.0%"],
    ]
    assert '<dt id="def-auc-t90">AUC at T-90' in html and 'href="#def-auc-t90"' in html
    assert 'href="#foresees-renewals"' in html


def test_what_foresees_renewals_is_left_out_without_its_marts(warehouse):
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table marts.rpt_health_component_validation")
        con.execute("drop table marts.rpt_health_weight_fit")
        html = render_report(read_report_data(con, AS_OF))
    assert "What foresees renewals" not in html and 'id="foresees-renewals"' not in html
    assert 'id="kpis"' in html  # the rest of the page as before


def test_the_forecast_shows_its_p10_p90_range_and_the_health_mix_its_months(data):
    html = render_report(data)
    assert "Expected <strong>$65,500</strong> of $125,000 due (3 renewals)" in html
    assert "P10–P90 range <strong>$48,000 – $80,000</strong> (median $66,000)" in html
    assert list(data.health_mix["as_of_date"].astype(str).unique()) == ["2026-10-31", "2026-11-20"]
    mix = data.health_mix.groupby("health_color")["accounts"].sum().to_dict()
    assert mix == {"red": 4, "yellow": 2, "green": 1}


def _view(data, granularity: str, segment: str, measure: str):
    payload = json.loads(re.search(r'id="cohort-data">(.*?)</script>', render_report(data), re.S).group(1))
    return payload, payload["views"][granularity][segment][measure]


def test_monthly_cohorts_are_the_wide_mart_and_the_average_row_is_size_weighted(data):
    payload, view = _view(data, "monthly", "all", "logo_retention")
    assert [r[0] for r in view["rows"]] == ["2026-04", "2026-05", "2026-07", "2026-08", "2026-09", "2026-10"]
    wide = data.cohorts[("all", "logo_retention")]
    for label, accounts, values in view["rows"]:
        row = wide[wide["cohort_month"].astype(str) == f"{label}-01"].iloc[0]
        assert accounts == row["cohort_accounts"]
        assert values == [round(row[f"m{k}"], 4) for k in range(len(values))]
        assert row.get(f"m{len(values)}") is None or row[f"m{len(values)}"] != row[f"m{len(values)}"]
    # k = 3: April 4/5, May 2/3, July 8/10 retained -> (4 + 2 + 8) / (5 + 3 + 10)
    assert view["avg"]["all"][3] == round(14 / 18, 4)
    _, nrr = _view(data, "monthly", "all", "net_revenue_retention")
    assert nrr["avg"]["all"][3] == round((550 + 270 + 1100) / (500 + 916.6458 + 1000), 4)
    assert payload["small"] == 5 and payload["recent"] == 24


def test_quarterly_cohorts_pool_their_months_and_wait_for_all_of_them(data):
    _, view = _view(data, "quarterly", "all", "logo_retention")
    # Q4 2026 (October only complete) is not a whole quarter yet; Q3's Q1 needs September's k = 3
    assert [r[0] for r in view["rows"]] == ["2026 Q2", "2026 Q3"]
    q2, q3 = view["rows"]
    assert q2[1] == 8 and q2[2] == [1.0, round(6 / 8, 4)]  # Q2: April k=6 alone would not do
    assert q3[1] == 16 and q3[2] == [1.0]
    _, nrr = _view(data, "quarterly", "all", "net_revenue_retention")
    assert nrr["rows"][0][2][1] == round((550 + 270) / (500 + 916.6458), 4)


def test_the_average_row_follows_the_cohorts_shown(warehouse, monkeypatch):
    monkeypatch.setattr(report_data, "RECENT_COHORTS", 2)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        data = read_report_data(con, AS_OF)
    _, view = _view(data, "monthly", "all", "logo_retention")
    assert view["avg"]["recent"] == [1.0, 0.5]  # September and October: k = 1 is September's 1 of 2
    assert view["avg"]["all"][1] == round((5 + 3 + 9 + 4 + 1) / (5 + 3 + 10 + 4 + 2), 4)


def test_the_page_fetches_nothing_and_inlines_the_small_plotly_bundle(data):
    html = render_report(data)
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', html)
    assert "@import" not in html and "url(http" not in html
    assert "plotly.js (basic - minified)" in html and html.count("plotly.js (basic - minified)") == 1
    assert "default-src 'none'" in html  # the browser itself refuses any request


def test_the_vendored_plotly_bundle_matches_plotly_py():
    assert vendored_plotly_version() == get_plotlyjs_version()


def test_the_asset_writes_the_report_and_csv_exports_for_slides(warehouse, monkeypatch, tmp_path):
    monkeypatch.setenv("CS_WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setenv("CS_AS_OF_DATE", date(2026, 11, 20).isoformat())
    result = dg.materialize(
        [leadership_report],
        resources={"pipeline": PipelineSettings()},
        run_config={"ops": {"leadership_report": {"config": {"small_cohort_accounts": 4}}}},
    )
    assert result.success
    out = tmp_path / "warehouse-outputs"
    page = (out / "leadership_report.html").read_text()
    assert '"small":4' in page
    assert (out / "leadership_report.html").stat().st_size < MAX_REPORT_BYTES
    exported = (out / "cohort_retention_logo_retention.csv").read_text().splitlines()
    # m7: no cohort reached it
    assert exported[0] == "segment,cohort_month,cohort_accounts,cohort_starting_mrr,m0,m1,m2,m3,m4,m5,m6"
    assert exported[2] == "all,2026-05-01,3,916.65,100.0%,100.0%,66.7%,66.7%,66.7%,66.7%,"
    assert exported[6] == "all,2026-10-01,1,50.00,100.0%,,,,,,"
    nrr = (out / "cohort_retention_net_revenue_retention.csv").read_text().splitlines()
    assert nrr[1] == "all,2026-04-01,5,500.00,100.0%,104.0%,104.0%,110.0%,110.0%,112.0%,80.0%"


CHROMIUM_NEEDED = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true", reason="no Chromium installed (apt-get install chromium)"
)


def table_text(browser: Browser) -> str:
    return browser.evaluate("document.getElementById('cohort-table').innerText")


def choose(browser: Browser, control: str, value: str) -> None:
    browser.evaluate(
        f"var c = document.getElementById('{control}'); "
        + ("c.checked = true;" if value == "checked" else f"c.value = '{value}';")
        + " c.dispatchEvent(new Event('change'));"
    )


@CHROMIUM_NEEDED
def test_the_report_in_a_real_browser_switches_cohort_tables_without_errors_or_requests(data, tmp_path):
    assert CHROMIUM, "CI must have Debian's chromium installed (.ci/run installs it)"
    page = tmp_path / "report.html"
    page.write_text(render_report(data), encoding="utf-8")
    assert page.stat().st_size < MAX_REPORT_BYTES
    with Browser() as browser:
        browser.open(page.as_uri())
        ids = browser.evaluate("[...document.querySelectorAll('main > section, main > div > section')].map(s => s.id)")
        assert ids[:2] == ["attention", "kpis"]
        assert {"forecast", "health-mix", "cohorts", "trends", "definitions"} <= set(ids)
        assert browser.evaluate("document.querySelectorAll('.main-svg').length") >= 4  # plotly drew the charts
        # one cohort table at a time, net revenue retention for all segments first
        assert browser.evaluate("document.querySelectorAll('#cohort-table table').length") == 1
        first = table_text(browser)
        assert "Weighted average" in first and "2026-04" in first and "110%" in first
        assert browser.evaluate("document.querySelectorAll('#cohort-table tr.small').length") == 4  # < 5 accounts
        choose(browser, "cohort-measure", "logo_retention")
        by_logo = table_text(browser)
        assert by_logo != first and "67%" in by_logo
        choose(browser, "cohort-segment", "high_touch")
        by_segment = table_text(browser)
        assert by_segment != by_logo and "2026-04" not in by_segment and "2026-07" in by_segment
        choose(browser, "cohort-segment", "all")
        choose(browser, "cohort-granularity", "quarterly")
        quarterly = table_text(browser)
        assert "2026 Q2" in quarterly and "Q1" in quarterly and "2026-04" not in quarterly
        choose(browser, "cohort-all", "checked")
        assert (
            browser.evaluate("document.getElementById('cohort-table').dataset.view")
            == "quarterly/all/logo_retention/all"
        )
        # the header and the cohort column stay put while the table scrolls
        assert browser.evaluate("getComputedStyle(document.querySelector('#cohort-table thead')).position") == "sticky"
        assert (
            browser.evaluate("getComputedStyle(document.querySelector('#cohort-table tbody .stub')).position")
            == "sticky"
        )
        # a KPI label leads to its definition on the page
        assert browser.evaluate("!!document.querySelector(document.querySelector('.card a').getAttribute('href'))")
        assert browser.evaluate("document.documentElement.scrollWidth") <= 1440  # no horizontal page overflow
        browser.settle(0.5)
        assert browser.console_errors() == []
        assert browser.requests() == [page.as_uri()]


def test_a_warehouse_without_the_marts_still_renders_a_page_that_says_so(tmp_path):
    path = tmp_path / "empty.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
    with duckdb.connect(str(path), read_only=True) as con:
        html = render_report(read_report_data(con, AS_OF))
    assert "The renewal forecast mart is not built yet." in html
    assert "The executive summary mart is not built yet." in html
    assert "The cohort marts are not built yet." in html
    assert "foresees-renewals" not in html
    assert "plotly.js" not in html  # no chart, no bundle
