"""The as-of date as a partition: the run tags Dagster sets are the ones partitions.py reads,
and a run's days decide whether dbt recomputes a range or appends new days."""

# no `from __future__ import annotations`: Dagster reads the asset functions' annotations

from datetime import date

import dagster as dg
import pytest

from dagster_project.assets.dbt import days_to_recompute, dbt_build_args
from dagster_project.partitions import (
    PARTITION_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    AsOfDays,
    as_of_date_partitions,
    days_of_run,
)
from dagster_project.resources import PipelineSettings

D = date(2026, 11, 20)


def _seen_as_of(**launch) -> list[date]:
    """The as-of date PipelineSettings resolves in an unpartitioned and a partitioned asset."""
    seen: list[date] = []

    @dg.asset
    def loads(pipeline: PipelineSettings) -> None:
        seen.append(pipeline.resolve().as_of_date)

    @dg.asset(deps=[loads], partitions_def=as_of_date_partitions, backfill_policy=dg.BackfillPolicy.single_run())
    def per_day(pipeline: PipelineSettings) -> None:
        seen.append(pipeline.resolve().as_of_date)

    job = dg.Definitions(
        assets=[loads, per_day], resources={"pipeline": PipelineSettings()}
    ).resolve_implicit_global_asset_job_def()
    assert job.execute_in_process(**launch).success
    return seen


def test_every_asset_of_a_partition_run_is_as_of_the_partition():
    assert _seen_as_of(partition_key="2026-11-20") == [D, D]


def test_a_range_run_as_the_ui_launches_it_is_as_of_its_last_day():
    tags = AsOfDays(date(2026, 10, 22), D).run_tags()
    assert tags == {RANGE_START_TAG: "2026-10-22", RANGE_END_TAG: "2026-11-20"}
    assert _seen_as_of(tags=tags) == [D, D]


def test_dagster_still_names_a_partition_run_with_the_tag_we_read():
    @dg.asset(partitions_def=as_of_date_partitions)
    def one(context: dg.AssetExecutionContext) -> None:
        assert context.run.tags[PARTITION_TAG] == "2026-11-20"

    assert dg.materialize([one], partition_key="2026-11-20").success


def test_days_of_run_and_its_limits():
    assert days_of_run({}) is None
    assert days_of_run({PARTITION_TAG: "2026-11-20"}) == AsOfDays(D, D)
    with pytest.raises(ValueError, match="after its end"):
        AsOfDays(D, date(2026, 11, 1))


def test_new_days_append_and_written_days_are_recomputed_exactly():
    latest = date(2026, 11, 19)
    assert days_to_recompute(AsOfDays(D, D), latest) is None  # the daily run
    assert days_to_recompute(AsOfDays(D, D), None) is None  # a first build
    assert days_to_recompute(AsOfDays(latest, latest), latest) is None  # a second run of the latest day
    past = AsOfDays(date(2026, 10, 1), date(2026, 10, 30))
    assert days_to_recompute(past, latest) == past
    assert dbt_build_args(False, None) == ["build", "--exclude-resource-type", "unit_test"]  # parse state kept
    assert dbt_build_args(False, past)[-2:] == [
        "--vars",
        '{"health_start_date": "2026-10-01", "health_end_date": "2026-10-30"}',
    ]
