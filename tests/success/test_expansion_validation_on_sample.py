"""The expansion signal against what happened, on the bundled sample (docs/success.md).

Builds ``rpt_expansion_signal_validation`` and ``account_expansion`` (and what they read) on the
sample landing (seeds/landing, last day 2026-11-20) with the default 400-day health history, the
way a run does, and checks that the flag foresees expansions there (the sample book's lead-ups,
sample_data.model.LeadUp) and that the figures docs/success.md quotes are the ones the pipeline
measures: the table in the docs is rendered from the mart here, so a change that moves them
fails until the docs say the new figures.

To refresh the docs after a deliberate change: run this test; the failure message holds the
table and the sentence to paste.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.dbt_runner import SAMPLE_LANDING, load_landing, run_dbt

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "success.md"
AS_OF = date(2026, 11, 20)
SEGMENTS = ("all", "tech_touch", "low_touch", "high_touch")
HEADER = (
    "| segment | renewals | expanded | flagged | flagged & expanded | rate flagged (precision) "
    "| rate not flagged | lift | recall | AUC |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("expansion_validation")
    warehouse = load_landing(root / "warehouse.duckdb", SAMPLE_LANDING)
    selection = ("--select", "+rpt_expansion_signal_validation", "+account_expansion")
    run_dbt(
        root, warehouse, AS_OF, "build", *selection, "--indirect-selection", "buildable", "--exclude", "test_type:unit"
    )
    return warehouse


def _validation(warehouse: Path) -> dict[str, dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = con.sql("select * from marts.rpt_expansion_signal_validation").df()
    return {row["segment"]: row for row in frame.to_dict("records")}


def _pct(value: float | None) -> str:
    return "–" if value is None or value != value else f"{100 * value:.1f} %"


def _num(value: float | None, digits: int) -> str:
    return "–" if value is None or value != value else f"{value:.{digits}f}"


def rendered_table(warehouse: Path) -> str:
    """The docs' table, from the mart."""
    rows = _validation(warehouse)
    lines = [HEADER]
    for segment in SEGMENTS:
        r = rows[segment]
        lift = _num(r["lift"], 2)
        lines.append(
            f"| {segment} | {r['renewals']} | {r['expanded']} | {r['flagged']} | {r['flagged_expanded']} "
            f"| {_pct(r['expansion_rate_flagged'])} | {_pct(r['expansion_rate_not_flagged'])} "
            f"| {'**' + lift + '**' if segment == 'all' else lift} | {_pct(r['flag_recall'])} | {_num(r['auc'], 3)} |"
        )
    return "\n".join(lines)


def rendered_ready_sentence(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        scored, ready, arr = con.execute(
            "select count(*), count_if(is_expansion_ready), "
            "coalesce(sum(case when is_expansion_ready then arr end), 0) from marts.account_expansion"
        ).fetchone()
    return f"On the latest day {ready} of {scored} scored accounts are expansion-ready (${float(arr):,.0f} ARR)."


def test_the_flag_foresees_expansions_on_the_sample(warehouse: Path) -> None:
    overall = _validation(warehouse)["all"]
    assert overall["renewals"] >= 500 and overall["expanded"] >= 30, overall
    # flagged accounts expand at least twice as often as the book, the score ranks expanders well
    assert overall["lift"] >= 2.0, overall
    assert overall["flag_precision"] > 2 * overall["expansion_rate_not_flagged"], overall
    assert overall["flag_recall"] >= 0.25, overall
    assert overall["auc"] >= 0.7, overall


def test_the_docs_quote_the_measured_figures(warehouse: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    table, sentence = rendered_table(warehouse), rendered_ready_sentence(warehouse)
    assert table in text and sentence in text, f"docs/success.md should say:\n\n{table}\n\n{sentence}"
