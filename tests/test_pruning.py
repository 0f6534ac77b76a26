"""Pruning keeps the newest N of each kind of artefact and removes the rest."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg

from dagster_project.definitions_by_day import defs
from dagster_project.pruning import prune_dagster_runs, prune_dbt_invocations, prune_run_logs


def _aged(path: Path, age: int) -> Path:
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def test_dbt_invocation_folders_beyond_the_newest_are_removed_and_the_base_files_kept(tmp_path):
    for i in range(6):
        folder = tmp_path / f"dbt_models-{i:07d}-abcdef{i}"
        folder.mkdir()
        (folder / "run_results.json").write_text("{}")
        _aged(folder, 100 * i)  # folder 0 is the newest
    for name in ("manifest.json", "partial_parse.msgpack"):
        (tmp_path / name).write_text("x")
    (tmp_path / "compiled").mkdir()  # dbt run by hand
    assert prune_dbt_invocations(tmp_path, keep=2) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "compiled",
        "dbt_models-0000000-abcdef0",
        "dbt_models-0000001-abcdef1",
        "manifest.json",
        "partial_parse.msgpack",
    ]


def test_run_logs_beyond_the_newest_are_removed(tmp_path):
    for i in range(5):
        log = tmp_path / f"run-2026112{i}T060000Z-0000000{i}.log"
        log.write_text("log")
        _aged(log, 100 * (5 - i))  # the last one is the newest
    (tmp_path / "other.txt").write_text("kept")
    assert prune_run_logs(tmp_path, keep=3) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "other.txt",
        "run-20261122T060000Z-00000002.log",
        "run-20261123T060000Z-00000003.log",
        "run-20261124T060000Z-00000004.log",
    ]


def test_finished_dagster_runs_beyond_the_newest_are_deleted_with_their_events():
    @dg.op
    def noop() -> None:
        pass

    @dg.job
    def tiny() -> None:
        noop()

    with dg.instance_for_test() as instance:
        run_ids = [tiny.execute_in_process(instance=instance).run_id for _ in range(4)]
        assert prune_dagster_runs(instance, keep=2) == 2
        kept = [r.run_id for r in instance.get_runs()]
        assert kept == run_ids[:1:-1]  # the two newest, newest first
        assert not instance.all_logs(run_ids[0])


def test_the_pruning_runs_on_a_daily_schedule():
    schedule = defs.resolve_schedule_def("prune_job_schedule")
    assert schedule.cron_schedule == "30 5 * * *"
