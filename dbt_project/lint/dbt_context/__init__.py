"""What dbt gives a template beyond sqlfluff's dbt builtins, for the SQL linter (.sqlfluff).

sqlfluff's jinja templater renders the models without dbt: ``ref``, ``var``, ``config``,
``is_incremental`` and ``this`` it emulates itself; this package adds the rest the project's SQL
uses - dbt's cross-database macros (``dbt.dateadd`` ...), ``adapter``, ``modules``,
``exceptions``, ``env_var`` - as stand-ins that render valid SQL keeping every reference the real
macro would (a column passed to ``dbt.dateadd`` stays in the SQL, so reference rules see it).
``execute`` is false, as while dbt parses: nothing queries a database.
"""

import datetime as _datetime
import re as _re
from types import SimpleNamespace

from jinja2 import Undefined, pass_context


def _dateadd(datepart, interval, from_date_or_timestamp):
    return f"({from_date_or_timestamp} + to_days(cast({interval} as integer)))"


def _datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


class _CrossDatabase:
    """dbt's ``dbt.<macro>`` namespace: type macros give a type, the others an expression."""

    dateadd = staticmethod(_dateadd)
    datediff = staticmethod(_datediff)

    @staticmethod
    def generate_series(upper_bound):
        return f"select unnest(range(1, {upper_bound} + 1)) as generated_number"

    @staticmethod
    def current_timestamp():
        return "current_timestamp"

    @staticmethod
    def safe_cast(field, type):  # noqa: A002 - dbt's argument name
        return f"try_cast({field} as {type})"

    @staticmethod
    def date_trunc(datepart, date):
        return f"date_trunc('{datepart}', {date})"

    @staticmethod
    def last_day(date, datepart):
        return f"last_day({date})"

    @staticmethod
    def concat(fields):
        return " || ".join(fields)

    def __getattr__(self, name):
        if name.startswith("type_"):
            return lambda *args, **kwargs: "varchar"
        return lambda *args, **kwargs: "null"


dbt = _CrossDatabase()


@pass_context
def _dispatch(context, macro_name, macro_namespace=None):
    """dbt's adapter.dispatch on DuckDB: the project's duckdb__ macro, else its default__."""
    for prefix in ("duckdb__", "default__"):
        macro = context.resolve(prefix + macro_name)
        if callable(macro) and not isinstance(macro, Undefined):
            return macro
    raise LookupError(f"no duckdb__ or default__ implementation of {macro_name}")


adapter = SimpleNamespace(
    quote=lambda identifier: f'"{identifier}"',
    get_columns_in_relation=lambda relation: [],
    dispatch=_dispatch,
)
modules = SimpleNamespace(re=_re, datetime=_datetime)
exceptions = SimpleNamespace(raise_compiler_error=lambda message: "", warn=lambda message: "")
execute = False
# the default target: the models' engine switches (CS_ENGINE=spark, docs/scaling.md) render as on DuckDB
target = SimpleNamespace(type="duckdb", name="duckdb", schema="main")


def env_var(name, default=""):
    return default


def run_query(sql):
    return None


def _project_vars():
    """The vars dbt_project.yml sets (the health components' list among them)."""
    import pathlib

    import yaml

    project = pathlib.Path(__file__).resolve().parents[2] / "dbt_project.yml"
    return yaml.safe_load(project.read_text(encoding="utf-8")).get("vars") or {}


_PROJECT_VARS = _project_vars()


def var(name, default=None):
    """A var is the project's value, else its default, as in a daily run (sqlfluff's own ``var``
    gives a placeholder string, which the backfill-range checks of macros/health/health_range.sql
    refuse)."""
    value = _PROJECT_VARS.get(name)
    return default if value is None else value
