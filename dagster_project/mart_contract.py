"""The mart contract (docs/contracts/mart-contract.md) as data, and the check of a built warehouse.

Every required relation must exist in schema ``marts`` with every required column; more columns
and more marts are welcome. ``cs-retention contract WAREHOUSE`` and the end-to-end tests run it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .dbt_command import project_vars

# The health components: one `<component>_score` column each on the health marts. The list is
# the dbt var health_components (dbt_project.yml), which the models and tests read too.
HEALTH_COMPONENTS: tuple[str, ...] = tuple(project_vars()["health_components"])
_HEALTH_COLUMNS = (
    "as_of_date account_id segment health_score data_completeness health_status health_color score_change_30d drivers "
    + " ".join(f"{c}_score" for c in HEALTH_COMPONENTS)
)
# The expansion signals (docs/success.md): the daily table and its latest day share them.
_EXPANSION_COLUMNS = (
    "as_of_date account_id segment arr seat_utilization active_users_growth has_seat_utilization has_usage_growth "
    "has_feature_breadth has_sustained_health has_no_risk_alert expansion_score is_expansion_ready expansion_signals"
)

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    relation: tuple(columns.split())
    for relation, columns in {
        "dim_accounts": "account_id account_name segment csm_email cohort_month current_mrr current_arr is_active",
        "fct_mrr_monthly": "account_id month mrr previous_mrr movement movement_mrr segment",
        "rpt_revenue_retention": "month segment starting_mrr new_mrr reactivation_mrr expansion_mrr contraction_mrr "
        "churned_mrr ending_mrr nrr_monthly grr_monthly nrr_t12m grr_t12m logo_retention_t12m is_total",
        "rpt_cohort_retention": "cohort_month segment months_since_start cohort_accounts retained_accounts "
        "logo_retention cohort_starting_mrr retained_mrr net_revenue_retention gross_revenue_retention is_total",
        "rpt_cohort_retention_wide": "cohort_month segment cohort_accounts m0 m1 is_total",
        "fct_account_health_daily": _HEALTH_COLUMNS,
        "account_health": _HEALTH_COLUMNS,
        "fct_renewal_forecast": "as_of_date account_id subscription_id renewal_date days_to_renewal renewal_arr "
        "health_score health_status renewal_probability expected_arr confidence_tier renewal_stage escalation_level",
        "fct_health_alerts": "alert_id alert_date account_id alert_type severity message",
        "rpt_executive_summary": "as_of_date nrr_t12m grr_t12m logo_retention_t12m accounts_green accounts_yellow "
        "accounts_red arr_green arr_yellow arr_red renewals_due_qtr_arr forecast_qtr_arr forecast_qtr_pct "
        "arr_at_risk accounts_at_risk health_coverage freshest_extract_age_hours",
        "fct_renewal_motion": "as_of_date renewal_id checkpoint account_id renewal_date renewal_arr due_on "
        "checkpoint_state completed_on is_done_on_time days_overdue is_motion_on_track escalation_level",
        "fct_expansion_signals": _EXPANSION_COLUMNS,
        "account_expansion": _EXPANSION_COLUMNS,
        "rpt_expansion_signal_validation": "as_of_date segment renewals expanded flagged expansion_rate_flagged "
        "expansion_rate_not_flagged lift flag_precision flag_recall auc",
        "fct_playbook_tasks": "as_of_date playbook_task_id account_id play triggered_on play_state closed_on task "
        "due_on task_state completed_on days_overdue",
        "rpt_csm_portfolio": "as_of_date csm_email accounts arr accounts_healthy accounts_watch accounts_at_risk "
        "renewals_next_14d renewals_next_14d_arr renewals_next_30d renewals_next_30d_arr renewals_next_90d "
        "renewals_next_90d_arr open_tasks overdue_tasks",
        "rpt_csm_priorities": "as_of_date csm_email priority_rank item_type account_id due_on arr reason",
        "rpt_csm_coverage": "as_of_date coverage_scope csm_email segment accounts arr min_accounts_per_csm "
        "max_accounts_per_csm capacity_load capacity_status headcount_needed",
        "rpt_health_component_validation": "as_of_date segment component band renewals renewals_with_component "
        "renewed churned renewal_rate coverage auc carries_signal",
        "rpt_health_weight_fit": "fit_date segment component configured_weight fitted_weight weight_in_use "
        "weights_source weights_version renewals churned oos_auc_fitted oos_auc_configured oos_brier_fitted "
        "oos_brier_configured is_latest_fit",
    }.items()
}


def contract_problems(warehouse: Path) -> list[str]:
    """What the warehouse lacks of the mart contract, one line each (empty when complete)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
        ).fetchall()
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    problems = []
    for relation, required in REQUIRED_COLUMNS.items():
        if relation not in columns:
            problems.append(f"marts.{relation}: missing")
        elif missing := sorted(set(required) - columns[relation]):
            problems.append(f"marts.{relation}: missing columns {missing}")
    return problems
