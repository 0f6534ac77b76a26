"""Fast checks without a warehouse: the independent reference on the hand-checked examples of
the definitions, and the wide table's one width setting agreeing with its model contract."""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction

import yaml

from tests.revenue.harness import DBT_PROJECT_DIR

from .reference import cohort_retention, cohort_retention_wide

COHORT_MODELS = DBT_PROJECT_DIR / "models" / "marts" / "cohorts"
MAX_MONTHS_MACRO = DBT_PROJECT_DIR / "macros" / "cohorts" / "cohort_max_months.sql"
JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))


def months(*values: int, start: date = JAN) -> dict[date, Fraction]:
    return {date(start.year, start.month + i, 1): Fraction(v) for i, v in enumerate(values)}


def test_gross_is_capped_per_account_and_net_can_exceed_one() -> None:
    mrr = {"X": months(100, 200), "Y": months(100, 50)}
    segment = {a: {JAN: "tech_touch", FEB: "tech_touch"} for a in mrr}
    row = cohort_retention(mrr, segment, date(2026, 2, 28))[(JAN, "all", 1)]
    assert (row["net_revenue_retention"], row["gross_revenue_retention"], row["logo_retention"]) == (1.25, 0.75, 1.0)


def test_reactivation_counts_when_paying_and_incomplete_months_are_absent() -> None:
    mrr = {"A": months(100, 0, 80, 90)}
    segment = {"A": dict.fromkeys(mrr["A"], "tech_touch")}
    table = cohort_retention(mrr, segment, date(2026, 4, 20))  # April is not complete
    assert [table[(JAN, "all", k)]["retained_accounts"] for k in range(3)] == [1, 0, 1]
    assert (JAN, "all", 3) not in table
    wide = cohort_retention_wide(table, max_months=5)[(JAN, "all", "logo_retention")]
    assert [wide[f"m{k}"] for k in range(6)] == [1.0, 0.0, 1.0, None, None, None]


def test_segment_rows_use_the_cohort_month_segment() -> None:
    mrr = {"P": months(2000, 9000), "R": months(10000, 5000)}
    segment = {"P": {JAN: "low_touch", FEB: "high_touch"}, "R": {JAN: "high_touch", FEB: "high_touch"}}
    table = cohort_retention(mrr, segment, date(2026, 2, 28))
    assert table[(JAN, "low_touch", 1)]["net_revenue_retention"] == 4.5
    assert table[(JAN, "high_touch", 1)]["cohort_accounts"] == 1
    assert table[(JAN, "all", 1)]["retained_mrr"] == 14000


def test_wide_contract_lists_exactly_m0_to_the_configured_maximum() -> None:
    """cohort_max_months (the var's default) and the model contract must name the same columns,
    or the build fails: keep them in step."""
    default = int(re.search(r"var\('cohort_max_months',\s*(\d+)\)", MAX_MONTHS_MACRO.read_text()).group(1))
    model = yaml.safe_load((COHORT_MODELS / "rpt_cohort_retention_wide.yml").read_text())["models"][0]
    names = [c["name"] for c in model["columns"]]
    assert names == [
        "cohort_month",
        "segment",
        "measure",
        "cohort_accounts",
        "cohort_starting_mrr",
        *(f"m{k}" for k in range(default + 1)),
        "is_total",  # marks the roll-up (segment `all`) rows
    ]


def test_every_cohort_mart_column_is_typed_and_described() -> None:
    for path in COHORT_MODELS.glob("*.yml"):
        for model in yaml.safe_load(path.read_text())["models"]:
            assert model["config"]["contract"]["enforced"] is True, model["name"]
            assert model["description"].strip(), model["name"]
            for column in model["columns"]:
                assert column.get("description", "").strip(), (model["name"], column["name"])
                assert column.get("data_type"), (model["name"], column["name"])
