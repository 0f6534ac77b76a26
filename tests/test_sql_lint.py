"""The SQL linter (sqlfluff, dbt_project/.sqlfluff) passes on every model and data test, and it
catches the problems it is configured for: a CTE nobody reads, a UNION whose sides differ in
their number of columns, a reference to a table that is not in FROM."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlfluff

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
CONFIG = str(DBT_PROJECT_DIR / ".sqlfluff")
SQLFLUFF = Path(sys.executable).parent / "sqlfluff"


def test_every_model_and_data_test_passes_the_linter():
    completed = subprocess.run(
        [str(SQLFLUFF), "lint", "models", "tests", "--processes", "2", "--disable-progress-bar"],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-2000:]


def _codes(sql: str) -> set[str]:
    return {violation["code"] for violation in sqlfluff.lint(sql, config_path=CONFIG)}


def test_the_linter_catches_an_unused_cte_and_a_union_of_different_widths():
    bad = """
        with unused as (select 1 as a), accounts as (select * from {{ ref('stg_crm__accounts') }})
        select accounts.account_id from accounts
        union all
        select 1, 2 from accounts
    """
    assert {"ST03", "AM07"} <= _codes(bad)


def test_the_linter_catches_a_reference_to_a_table_not_in_from():
    sql = """
        select accounts.account_id
        from {{ ref('stg_crm__accounts') }} as crm
        inner join {{ ref('stg_billing__customers') }} as customers on crm.account_id = customers.account_id
    """
    assert "RF01" in _codes(sql)


def test_the_project_macros_render_for_the_linter():
    """A model using the project's macros (dispatch, dbt.dateadd, vars) lints without templating errors."""
    sql = "select {{ revenue_round_division('a.x', 'a.y', 4) }} as r, {{ as_of_date() }} as d from t as a"
    assert not {code for code in _codes(sql) if code in {"TMP", "PRS"}}
