"""`cs-retention status` says, from the published marts, which health components foresee
renewals, the weights in use per segment and the CS team's numbers; a warehouse without those
marts (older, or not built yet) prints none of those lines and status still succeeds."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dagster_project.cli import app
from dagster_project.status_lines import (
    component_signal_line,
    cs_team_line,
    renewals_due_line,
    status_lines,
    weights_line,
)

runner = CliRunner()

SIGNAL_LINE = (
    "Health components that foresee renewals (AUC at T-90, coverage): stakeholder_coverage 0.72 (95%), "
    "adoption 0.66 (80%); no signal: financial 0.48 (60%), sentiment n/a (10%); composite 0.81"
)
WEIGHTS_LINE = (
    "Health weights in use (fit of 2026-11-01; out-of-sample AUC fitted vs configured): "
    "high_touch fitted (0.78 vs 0.74, 120 renewals), tech_touch configured (n/a vs n/a, 8 renewals)"
)
CS_TEAM_LINE = (
    "CS team on 2026-11-20: expansion-ready $64,000 ARR (4 accounts), renewal coverage 81.4%, 3 overdue playbook tasks"
)
RENEWALS_LINE = "Renewals due within 30 days: 2 ($45,000 ARR); 60 days: 3 ($57,000 ARR); 90 days: 5 ($1,234,568 ARR)"


def build_marts(path: Path) -> None:
    """The three marts status reads, with rows that must not show (other bands, segments, fits, days)."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            """
            create table marts.rpt_health_component_validation as select * from (values
                ('all', 'stakeholder_coverage', 'all', 0.7213, 0.95, true),
                ('all', 'adoption', 'all', 0.6649, 0.8, true),
                ('all', 'financial', 'all', 0.48, 0.6, false),
                ('all', 'sentiment', 'all', null, 0.1, false),
                ('all', 'composite', 'all', 0.8149, 1.0, true),
                ('all', 'adoption', 'healthy', null, null, null),
                ('high_touch', 'financial', 'all', 0.9, 0.9, true)
            ) t(segment, component, band, auc, coverage, carries_signal)
            """
        )
        # one row per fit, segment and component: the segment's figures repeat on each component
        con.execute(
            """
            create table marts.rpt_health_weight_fit as select * from (values
                (date '2026-11-01', 'high_touch', 'adoption', 'fitted', 0.78, 0.74, 120, true),
                (date '2026-11-01', 'high_touch', 'financial', 'fitted', 0.78, 0.74, 120, true),
                (date '2026-11-01', 'tech_touch', 'adoption', 'configured', null, null, 8, true),
                (date '2026-10-01', 'high_touch', 'adoption', 'configured', 0.70, 0.75, 100, false)
            ) t(fit_date, segment, component, weights_source, oos_auc_fitted, oos_auc_configured, renewals,
                is_latest_fit)
            """
        )
        con.execute(
            """
            create table marts.rpt_executive_summary as select * from (values
                (date '2026-11-20', 64000.0, 4, 0.8137, 3, 2, 45000.0, 3, 57000.0, 5, 1234567.5),
                (date '2026-10-20', 50000.0, 3, 0.9, 6, 1, 1.0, 1, 1.0, 1, 1.0)
            ) t(as_of_date, expansion_ready_arr, expansion_ready_accounts, renewal_coverage, overdue_playbook_tasks,
                renewals_due_30d, renewals_due_30d_arr, renewals_due_60d, renewals_due_60d_arr, renewals_due_90d,
                renewals_due_90d_arr)
            """
        )


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    build_marts(path)
    return path


def test_each_line_reads_its_mart(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert component_signal_line(con) == SIGNAL_LINE
        assert weights_line(con) == WEIGHTS_LINE
        assert cs_team_line(con) == CS_TEAM_LINE
        assert renewals_due_line(con) == RENEWALS_LINE
        assert status_lines(con) == [SIGNAL_LINE, WEIGHTS_LINE, CS_TEAM_LINE, RENEWALS_LINE]


def test_no_component_with_signal_says_none(warehouse):
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update marts.rpt_health_component_validation set carries_signal = false")
        assert component_signal_line(con).startswith(
            "Health components that foresee renewals (AUC at T-90, coverage): none; no signal: stakeholder_coverage"
        )


def test_an_older_summary_without_the_renewal_horizons_keeps_the_other_lines(warehouse):
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table marts.rpt_executive_summary drop column renewals_due_60d_arr")
        con.execute("drop table marts.rpt_health_weight_fit")
        assert status_lines(con) == [SIGNAL_LINE, CS_TEAM_LINE]


def test_empty_marts_print_nothing(warehouse):
    with duckdb.connect(str(warehouse)) as con:
        for table in ("rpt_health_component_validation", "rpt_health_weight_fit", "rpt_executive_summary"):
            con.execute(f"delete from marts.{table}")
        assert status_lines(con) == []


def _status(tmp_path: Path, monkeypatch, warehouse: Path):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))  # no run recorded
    monkeypatch.setenv("CS_WAREHOUSE_PATH", str(warehouse))
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_status_prints_the_lines_under_the_published_warehouse(tmp_path, monkeypatch, warehouse):
    lines = _status(tmp_path, monkeypatch, warehouse)
    published = next(i for i, line in enumerate(lines) if line.startswith(f"Published warehouse: {warehouse}, "))
    assert lines[published + 1 : published + 5] == [
        f"  {line}" for line in (SIGNAL_LINE, WEIGHTS_LINE, CS_TEAM_LINE, RENEWALS_LINE)
    ]
    assert lines[-1] == "Failed checks of that run: 0"


def test_status_on_a_warehouse_without_those_marts_prints_none_of_them(tmp_path, monkeypatch):
    bare = tmp_path / "bare.duckdb"
    with duckdb.connect(str(bare)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.rpt_executive_summary as select date '2026-11-20' as as_of_date")
    lines = _status(tmp_path, monkeypatch, bare)
    assert lines == [
        "Latest run: none recorded in this Dagster instance",
        next(line for line in lines if line.startswith(f"Published warehouse: {bare}, published ")),
        "Failed checks of that run: 0",
    ]


def test_status_on_a_file_that_is_not_duckdb_still_succeeds(tmp_path, monkeypatch):
    broken = tmp_path / "broken.duckdb"
    broken.write_text("not a database")
    lines = _status(tmp_path, monkeypatch, broken)
    assert lines[-1] == "Failed checks of that run: 0"
    assert not any("Health" in line or "CS team" in line for line in lines)
