"""Point in time for the fitted weights: the weights of a day are fitted only from renewals that
closed before it, so later renewals never move earlier days' weights or scores.

On the bundled sample (seeds/landing, last day 2026-11-20), with the fitted weights forced into
use (var health_weights_mode = fitted, so the scores really depend on the fits):

1. a build as of 2026-09-15;
2. an incremental run as of 2026-11-20: the renewals that closed in between reach the new fits
   (2026-10-01, 2026-11-01) only; every day up to 2026-09-15 - scores, weights_version - and every
   earlier fit stay exactly as they were;
3. a build from scratch as of 2026-11-20 over the same history: equal to the incremental result,
   so a build as of the earlier date reproduces the earlier days exactly;
4. the default mode (auto) on the same fits: the sample's segments have too few lost renewals,
   so every period keeps the configured weights.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.health.test_point_in_time import SAMPLE_LANDING, load, rows, run_dbt

EARLY_AS_OF = date(2026, 9, 15)
LATE_AS_OF = date(2026, 11, 20)
EARLY_HISTORY_DAYS = 280
# the same first day for the later build: the fits see the renewals the history scored
LATE_HISTORY_DAYS = EARLY_HISTORY_DAYS + (LATE_AS_OF - EARLY_AS_OF).days
SELECT = ["+fct_account_health_daily", "rpt_health_weight_fit"]
DAILY = "marts.fct_account_health_daily"
FITS = "intermediate.int_health_weight_fits"
IN_FORCE = "intermediate.int_health_weights_in_force"


def build(work, warehouse, as_of: date, history_days: int, *args: str, **extra_vars: Any) -> None:
    variables = {"as_of_date": as_of.isoformat(), "health_history_days": history_days, **extra_vars}
    run_dbt(work, warehouse, "run", variables, "--select", *SELECT, *args)


def daily(warehouse, last_day: date) -> list[tuple]:
    return rows(
        warehouse, f"select * from {DAILY} where as_of_date <= date '{last_day}' order by as_of_date, account_id"
    )


def fits(warehouse, last_fit: date | None = None) -> list[tuple]:
    where = f"where fit_date <= date '{last_fit}'" if last_fit else ""
    return rows(warehouse, f"select * from {FITS} {where} order by fit_date, segment, component")


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("weight_fit_pit")
    warehouse = work / "warehouse.duckdb"
    load(warehouse, SAMPLE_LANDING)
    run_dbt(work, warehouse, "seed", {"as_of_date": LATE_AS_OF.isoformat()})
    out: dict[str, Any] = {"warehouse": warehouse}

    build(work, warehouse, EARLY_AS_OF, EARLY_HISTORY_DAYS, health_weights_mode="fitted")
    out["early_daily"] = daily(warehouse, EARLY_AS_OF)
    out["early_fits"] = fits(warehouse)
    out["early_sources"] = dict(rows(warehouse, f"select weights_source, count(*) from {DAILY} group by all"))

    build(work, warehouse, LATE_AS_OF, LATE_HISTORY_DAYS, health_weights_mode="fitted")
    out["incremental_daily_early"] = daily(warehouse, EARLY_AS_OF)
    out["incremental_fits_early"] = fits(warehouse, EARLY_AS_OF)
    out["incremental_daily"] = daily(warehouse, LATE_AS_OF)
    out["incremental_fits"] = fits(warehouse)
    out["renewals_per_fit"] = rows(
        warehouse, f"select fit_date, sum(renewals) / 7 from {FITS} group by fit_date order by fit_date"
    )

    build(work, warehouse, LATE_AS_OF, LATE_HISTORY_DAYS, "--full-refresh", health_weights_mode="fitted")
    out["rebuilt_daily"] = daily(warehouse, LATE_AS_OF)
    out["rebuilt_fits"] = fits(warehouse)

    # the default mode decides from the same fits
    run_dbt(work, warehouse, "run", {"as_of_date": LATE_AS_OF.isoformat()}, "--select", "int_health_weights_in_force")
    out["auto_sources"] = dict(rows(warehouse, f"select weights_source, count(*) from {IN_FORCE} group by all"))
    out["auto_fit_evidence"] = rows(
        warehouse, f"select segment, max(renewals), max(churned) from {FITS} group by segment order by segment"
    )
    return out


def test_the_early_build_really_scores_days_with_fitted_weights(builds):
    assert builds["early_sources"].get("fitted", 0) > 1000, builds["early_sources"]
    versions = {row[-2] for row in builds["early_daily"]}  # weights_version
    assert len(versions) > 3, versions


def test_later_renewals_reach_only_the_later_fits(builds):
    per_fit = dict(builds["renewals_per_fit"])
    assert per_fit[date(2026, 11, 1)] > per_fit[date(2026, 9, 1)], per_fit
    assert builds["incremental_fits"][: len(builds["early_fits"])] == builds["early_fits"]


def test_earlier_days_scores_and_weights_do_not_move(builds):
    assert builds["incremental_daily_early"] == builds["early_daily"]
    assert builds["incremental_fits_early"] == builds["early_fits"]


def test_a_build_from_scratch_equals_the_incremental_one(builds):
    assert builds["rebuilt_fits"] == builds["incremental_fits"]
    assert builds["rebuilt_daily"] == builds["incremental_daily"]


def test_auto_keeps_the_configured_weights_when_the_evidence_is_thin(builds):
    assert set(builds["auto_sources"]) == {"configured"}, builds["auto_sources"]
    for segment, renewals, churned in builds["auto_fit_evidence"]:
        assert renewals > 0 and churned < 20, (segment, renewals, churned)  # fit_min_churned = 20
