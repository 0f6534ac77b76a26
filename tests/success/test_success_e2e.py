"""The CS daily-work marts (docs/success.md) end to end on the bundled sample, and point in time.

One module-scoped fixture builds the success marts and everything upstream of them on a copy of
the sample landing (seeds/landing, last day 2026-11-20), then loads a second CRM snapshot holding
the first one plus only LATER facts (activities that would complete checkpoints, a renewal
opportunity, all dated 2026-11-21..25) and rebuilds as of 2026-11-20 from scratch: nothing the
marts say about 2026-11-20 and earlier may move.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dagster_project.dbt_command import dbt_command
from dagster_project.extracts.loader import load_source
from dagster_project.mart_contract import contract_problems

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = ROOT / "dbt_project"
SAMPLE_LANDING = ROOT / "seeds" / "landing"
AS_OF = date(2026, 11, 20)
HISTORY_DAYS = 120  # var health_history_days: enough for the 90-day signals, quick to build
LATER_BATCH = "2026-11-25T23-00Z"
SELECT = ["+marts.success", "+rpt_executive_summary"]


def run_dbt(work: Path, warehouse: Path, as_of: date, *args: str) -> None:
    variables = {"as_of_date": as_of.isoformat(), "health_history_days": HISTORY_DAYS}
    completed = subprocess.run(
        dbt_command(
            "build",
            "--select",
            *SELECT,
            "--indirect-selection",
            "buildable",
            "--exclude",
            "test_type:unit",
            *args,
            variables=variables,
            target_dir=work / "target",
            log_dir=work / "logs",
        ),
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "CS_DBT_DUCKDB_PATH": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stdout[-6000:]


def load(warehouse: Path, landing: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        for source in ("crm", "billing", "usage"):
            result = load_source(con, landing, source)
            assert not result.rejected, [b.error for b in result.rejected]


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def add_later_crm_snapshot(landing: Path, renewals: list[tuple[str, str]]) -> None:
    """The first CRM snapshot plus, for each (account, opportunity) renewing, evidence dated later."""
    first = next((landing / "crm").iterdir())
    later = landing / "crm" / LATER_BATCH
    later.mkdir()
    counts: dict[str, int] = {}
    for path in sorted(first.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header, records = list(reader.fieldnames or []), list(reader)
        if path.name == "activities.csv":
            for n, (account, _) in enumerate(renewals):
                for kind, day, roles in (
                    ("qbr", 21, "champion;economic_buyer;exec_sponsor"),
                    ("call", 22, "economic_buyer"),
                    ("email", 23, "economic_buyer"),
                ):
                    records.append(
                        {
                            "activity_id": f"AC-LATER-{n}-{kind}",
                            "account_id": account,
                            "activity_type": kind,
                            "occurred_at": f"2026-11-{day}T10:00:00Z",
                            "status": "completed",
                            "attendee_roles": roles,
                        }
                    )
        elif path.name == "contacts.csv":
            for n, (account, _) in enumerate(renewals):
                for role in ("champion", "economic_buyer"):
                    records.append(
                        {
                            "contact_id": f"C-LATER-{n}-{role}",
                            "account_id": account,
                            "email": f"later-{n}-{role}@customer.example",
                            "title": "",
                            "role": role,
                            "created_at": "2026-11-21T08:00:00Z",
                            "departed_at": "",
                        }
                    )
        elif path.name == "opportunities.csv":
            for n, (account, _) in enumerate(renewals):
                records.append(
                    {
                        "opportunity_id": f"O-LATER-{n}",
                        "account_id": account,
                        "opportunity_type": "renewal",
                        "stage": "open",
                        "close_date": "2027-01-15",
                        "amount_arr": "1000.00",
                        "currency": "USD",
                        "created_at": "2026-11-24T10:00:00Z",
                    }
                )
        with (later / path.name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(records)
        counts[path.name] = len(records)
    manifest = {
        "source": "crm",
        "batch_id": LATER_BATCH,
        "extracted_at": "2026-11-25T23:00:00Z",
        "mode": "full",
        "files": {name: {"rows": n} for name, n in counts.items()},
    }
    (later / "_manifest.json").write_text(json.dumps(manifest, indent=1))


MOTION = "select * from marts.fct_renewal_motion order by renewal_id, checkpoint_order"
SIGNALS = "select * from marts.fct_expansion_signals order by as_of_date, account_id"
TASKS = "select * from marts.fct_playbook_tasks order by playbook_task_id"
PORTFOLIO = "select * from marts.rpt_csm_portfolio order by as_of_date, csm_email"
PRIORITIES = "select * from marts.rpt_csm_priorities order by csm_email, priority_rank"
NEXT_DAY = date(2026, 11, 21)

SNAPSHOTS = {"motion": MOTION, "signals": SIGNALS, "tasks": TASKS, "portfolio": PORTFOLIO, "priorities": PRIORITIES}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("success")
    landing = work / "landing"
    shutil.copytree(SAMPLE_LANDING, landing)
    warehouse = work / "warehouse.duckdb"
    load(warehouse, landing)
    run_dbt(work, warehouse, AS_OF)
    first = {name: rows(warehouse, sql) for name, sql in SNAPSHOTS.items()}
    late_renewals = rows(
        warehouse,
        "select distinct account_id, opportunity_id from marts.fct_renewal_motion "
        "where checkpoint_state in ('due', 'overdue', 'missed') order by all",
    )
    copy = work / "first.duckdb"
    shutil.copy(warehouse, copy)
    add_later_crm_snapshot(landing, late_renewals)
    load(warehouse, landing)
    run_dbt(work, warehouse, AS_OF, "--full-refresh")
    rebuilt = {name: rows(warehouse, sql) for name, sql in SNAPSHOTS.items()}
    run_dbt(work, warehouse, NEXT_DAY)  # the daily run: incremental, adds 2026-11-21
    return {
        "first": first,
        "rebuilt": rebuilt,
        "warehouse": copy,
        "next_day": warehouse,
        "late_renewals": late_renewals,
    }


def test_every_renewal_in_the_forecast_has_its_four_checkpoints(built) -> None:
    warehouse = built["warehouse"]
    forecast = rows(warehouse, "select renewal_id from marts.fct_renewal_forecast order by 1")
    per_renewal = rows(
        warehouse,
        "select renewal_id, list(checkpoint order by checkpoint_order) from marts.fct_renewal_motion "
        "group by renewal_id order by 1",
    )
    assert forecast and [r for (r,) in forecast] == [r for r, _ in per_renewal]
    expected = ["day_90_baseline", "day_60_exec_review", "day_30_commercial", "day_14_contract_out"]
    assert all(checkpoints == expected for _, checkpoints in per_renewal)


def test_the_sample_motion_has_every_state_and_late_checkpoints_escalate(built) -> None:
    warehouse = built["warehouse"]
    states = dict(rows(warehouse, "select checkpoint_state, count(*) from marts.fct_renewal_motion group by 1"))
    assert {"done", "due", "overdue", "missed", "not_required"} <= set(states), states
    # every renewal with an overdue or missed checkpoint is escalated and off track, and no other
    wrong = rows(
        warehouse,
        """
        select renewal_id from marts.fct_renewal_motion
        group by renewal_id
        having bool_or(checkpoint_state in ('overdue', 'missed')) != (max(late_checkpoints) > 0)
            or bool_or(checkpoint_state in ('overdue', 'missed')) and (
                max(escalation_level) is null or bool_or(is_motion_on_track))
        """,
    )
    assert wrong == []


def test_later_crm_activities_do_not_change_the_motion_as_of_an_earlier_day(built) -> None:
    assert built["late_renewals"], "the sample has no checkpoint left to complete"
    loaded = rows(built["next_day"], f"select count(*) from raw.load_batches where batch_id = '{LATER_BATCH}'")
    assert loaded == [(1,)]
    assert built["rebuilt"]["motion"] == built["first"]["motion"]


@pytest.mark.parametrize("mart", ["signals", "tasks", "portfolio", "priorities"])
def test_later_crm_activities_do_not_change_what_the_marts_say_about_earlier_days(built, mart) -> None:
    assert built["first"][mart], f"{mart}: empty on the sample"
    assert built["rebuilt"][mart] == built["first"][mart]


def test_every_scored_account_has_a_signal_row_per_day_of_the_health_history(built) -> None:
    for warehouse in (built["warehouse"], built["next_day"]):
        health = rows(warehouse, "select as_of_date, account_id from marts.fct_account_health_daily order by all")
        signals = rows(warehouse, "select as_of_date, account_id from marts.fct_expansion_signals order by all")
        assert len(health) > 1000 and signals == health


def test_a_daily_run_adds_its_day_and_leaves_earlier_signal_days_alone(built) -> None:
    after = rows(built["next_day"], SIGNALS)
    assert [r for r in after if r[0] <= AS_OF] == built["first"]["signals"]
    assert {r[0] for r in after if r[0] > AS_OF} == {NEXT_DAY}
    latest = rows(built["next_day"], "select distinct as_of_date from marts.account_expansion")
    assert latest == [(NEXT_DAY,)]


def test_the_sample_book_has_every_signal_and_ready_accounts_in_words(built) -> None:
    warehouse = built["warehouse"]
    (counts,) = rows(
        warehouse,
        """
        select count_if(has_seat_utilization), count_if(has_usage_growth), count_if(has_feature_breadth),
               count_if(has_sustained_health), count_if(has_no_risk_alert), count_if(starts_ready_episode)
        from marts.fct_expansion_signals
        """,
    )
    assert all(n > 0 for n in counts), counts
    ready = rows(
        warehouse, "select expansion_score, expansion_signals from marts.fct_expansion_signals where is_expansion_ready"
    )
    assert ready and all(score >= 70 and "No risk alert" in words for score, words in ready)


def test_the_validation_mart_measures_the_flag_against_outcomes(built) -> None:
    by_segment = {
        r[0]: r[1:]
        for r in rows(
            built["warehouse"],
            "select segment, renewals, expanded, flagged, flagged_expanded, lift, auc "
            "from marts.rpt_expansion_signal_validation",
        )
    }
    assert set(by_segment) == {"all", "high_touch", "low_touch", "tech_touch"}
    renewals, expanded, flagged, flagged_expanded, _, auc = by_segment["all"]
    assert renewals == sum(v[0] for k, v in by_segment.items() if k != "all") > 0
    assert 0 < expanded < renewals and flagged_expanded <= flagged
    assert auc is not None and 0 <= auc <= 1


def test_the_success_marts_meet_the_mart_contract(built) -> None:
    problems = [p for p in contract_problems(built["warehouse"]) if "success" in p or "motion" in p]
    assert problems == []


def test_every_csm_with_active_accounts_has_a_portfolio_row_that_adds_up(built) -> None:
    warehouse = built["warehouse"]
    owners = rows(
        warehouse,
        "select csm_email, count(*), sum(current_arr) from marts.dim_accounts "
        "where is_active and csm_email is not null group by 1 order by 1",
    )
    portfolio = rows(
        warehouse,
        f"select csm_email, accounts, arr from marts.rpt_csm_portfolio where as_of_date = date '{AS_OF}' order by 1",
    )
    assert len(owners) > 1 and portfolio == owners
    (check,) = rows(
        warehouse,
        "select bool_and(accounts_healthy + accounts_watch + accounts_at_risk + accounts_unscored = accounts "
        "and overdue_tasks <= open_tasks and renewals_next_14d <= renewals_next_30d "
        "and renewals_next_30d <= renewals_next_90d) from marts.rpt_csm_portfolio",
    )
    assert check == (True,)


def test_priorities_are_ranked_one_to_n_per_csm_in_type_order(built) -> None:
    ranked = rows(
        built["warehouse"],
        "select csm_email, list(priority_rank order by priority_rank), list(item_priority order by priority_rank) "
        "from marts.rpt_csm_priorities group by 1",
    )
    assert ranked
    for _, ranks, priorities in ranked:
        assert ranks == list(range(1, len(ranks) + 1)) and priorities == sorted(priorities)


def test_coverage_rows_add_up_to_the_book(built) -> None:
    warehouse = built["warehouse"]
    (book,) = rows(
        warehouse, "select accounts, arr from marts.rpt_csm_coverage where coverage_scope = 'book' and segment = 'all'"
    )
    assert book == rows(warehouse, "select count(*), sum(current_arr) from marts.dim_accounts where is_active")[0]
    parts = rows(
        warehouse,
        "select sum(accounts), sum(arr) from marts.rpt_csm_coverage "
        "where (coverage_scope = 'csm' and segment <> 'all') or coverage_scope = 'unassigned'",
    )
    assert parts == [book]


def test_the_executive_summary_carries_the_cs_numbers(built) -> None:
    (summary,) = rows(
        built["warehouse"],
        "select nps_t90d, nps_responses_t90d, renewal_coverage, expansion_ready_arr, overdue_playbook_tasks "
        f"from marts.rpt_executive_summary where as_of_date = date '{AS_OF}'",
    )
    nps, responses, coverage, expansion_arr, overdue = summary
    assert responses > 0 and -100 <= nps <= 100
    assert 0 < coverage <= 1 and expansion_arr >= 0 and overdue >= 0
    (tasks,) = rows(built["warehouse"], "select count(*) from marts.fct_playbook_tasks where task_state = 'overdue'")
    assert overdue == tasks[0]
