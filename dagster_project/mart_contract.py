"""The mart contract (docs/contracts/mart-contract.md) as data, and the check of a built warehouse.

Every required relation must exist in schema ``marts`` with every required column; more columns
and more marts are welcome. ``cs-retention contract WAREHOUSE`` and the end-to-end tests run it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from .settings import DBT_PROJECT_DIR

# The health components: one `<component>_score` column each on the health marts. The list is
# the dbt var health_components (dbt_project.yml), which the models and tests read too.
HEALTH_COMPONENTS: tuple[str, ...] = tuple(
    yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]["health_components"]
)
_HEALTH_COLUMNS = (
    "as_of_date account_id segment health_score data_completeness health_status health_color score_change_30d drivers "
    + " ".join(f"{c}_score" for c in HEALTH_COMPONENTS)
)

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    relation: tuple(columns.split())
    for relation, columns in {
        "dim_accounts": "account_id account_name segment csm_email cohort_month current_mrr current_arr is_active",
        "fct_mrr_monthly": "account_id month mrr previous_mrr movement movement_mrr segment",
        "rpt_revenue_retention": "month segment starting_mrr new_mrr reactivation_mrr expansion_mrr contraction_mrr "
        "churned_mrr ending_mrr nrr_monthly grr_monthly nrr_t12m grr_t12m logo_retention_t12m",
        "rpt_cohort_retention": "cohort_month segment months_since_start cohort_accounts retained_accounts "
        "logo_retention cohort_starting_mrr retained_mrr net_revenue_retention gross_revenue_retention",
        "rpt_cohort_retention_wide": "cohort_month segment cohort_accounts m0 m1",
        "fct_account_health_daily": _HEALTH_COLUMNS,
        "account_health": _HEALTH_COLUMNS,
        "fct_renewal_forecast": "as_of_date account_id subscription_id renewal_date days_to_renewal renewal_arr "
        "health_score health_status renewal_probability expected_arr confidence_tier renewal_stage escalation_level",
        "fct_health_alerts": "alert_id alert_date account_id alert_type severity message",
        "rpt_executive_summary": "as_of_date nrr_t12m grr_t12m logo_retention_t12m accounts_green accounts_yellow "
        "accounts_red arr_green arr_yellow arr_red renewals_due_qtr_arr forecast_qtr_arr forecast_qtr_pct "
        "arr_at_risk accounts_at_risk health_coverage freshest_extract_age_hours",
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
