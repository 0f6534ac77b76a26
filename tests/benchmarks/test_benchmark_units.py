"""The harness's small pure functions, without a warehouse."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from benchmarks.bare import Model, Seed, buildable, models_in_order
from benchmarks.dbt_timings import merge_runs, seconds_by_type, slowest_models
from benchmarks.harness import Workspace, _copy_warehouse
from benchmarks.job_run import phase_of
from benchmarks.pipeline import run_environment, sum_phases
from benchmarks.presets import PRESETS, PUBLIC_PRESETS
from benchmarks.table import table


def _node(name: str, parents: list[str], materialized: str = "table") -> dict:
    return {
        "unique_id": f"model.p.{name}",
        "resource_type": "model",
        "name": name,
        "alias": name,
        "database": "bare",
        "schema": "marts",
        "config": {"materialized": materialized},
        "language": "sql",
        "compiled_code": f"select 1 as x -- {name}",
        "depends_on": {"nodes": parents},
    }


def test_models_come_parents_first_and_ignore_sources_and_seeds():
    manifest = {
        "nodes": {
            n["unique_id"]: n
            for n in (
                _node("c", ["model.p.b", "seed.p.s"]),
                _node("b", ["model.p.a"]),
                _node("a", ["source.p.raw.t"]),
            )
        }
    }
    order = [m.alias for m in models_in_order(manifest)]
    assert order == ["a", "b", "c"]


def test_ephemeral_models_are_not_built():
    manifest = {"nodes": {n["unique_id"]: n for n in (_node("e", [], "ephemeral"), _node("t", ["model.p.e"]))}}
    kept, skipped = buildable(models_in_order(manifest))
    assert [m.alias for m in kept] == ["t"] and skipped == ["model.p.e"]


def test_create_statements_keep_trailing_comments_out_of_the_way():
    model = Model("model.p.v", "bare", "staging", "v", "view", "sql", "select 1 as x -- done;\n", ())
    assert model.create_sql() == 'create or replace view "bare"."staging"."v" as\nselect 1 as x -- done\n'
    seed = Seed("bare", "config", "s", Path("/x/s.csv"), {"amount": "decimal(18,4)"}, ",")
    assert "types = {'amount': 'decimal(18,4)'}" in seed.create_sql()


def test_steps_are_grouped_into_phases():
    assert phase_of([], set(), has_checks=True) == "checks"
    assert phase_of(["raw/crm_accounts"], {"raw"}, has_checks=False) == "load"
    assert phase_of(["staging/stg_x", "marts/dim_y"], {"staging", "revenue"}, has_checks=True) == "dbt"
    assert phase_of(["published_warehouse"], {"serving"}, has_checks=False) == "publish"
    assert phase_of(["leadership_report"], {"serving"}, has_checks=False) == "serving"
    steps = [{"phase": "load", "seconds": 1.0}, {"phase": "load", "seconds": 2.0}, {"phase": "dbt", "seconds": 5.0}]
    assert sum_phases(steps)["load"] == 3.0 and sum_phases(steps)["publish"] == 0.0


def test_dbt_timings_are_medians_and_ranked():
    runs = [{"model.p.a": 1.0, "test.p.t": 0.5}, {"model.p.a": 3.0, "model.p.b": 2.5}, {"model.p.a": 2.0}]
    merged = merge_runs(runs)
    assert merged == {"model.p.a": 2.0, "test.p.t": 0.5, "model.p.b": 2.5}
    assert seconds_by_type(merged) == {"model": 4.5, "test": 0.5}
    ranked = slowest_models(merged, {"model.p.a": 0.1})
    assert [r["model"] for r in ranked] == ["b", "a"] and ranked[1]["bare_duckdb_s"] == 0.1


def test_presets_grow_in_accounts_and_events():
    sizes = [PRESETS[name] for name in PUBLIC_PRESETS]
    assert [p.accounts for p in sizes] == sorted(p.accounts for p in sizes)
    assert [p.target_events for p in sizes] == [1_000_000, 10_000_000, 50_000_000, 250_000_000]
    assert (PRESETS["xl"].accounts, PRESETS["xl"].months) == (50_000, 36)


def test_the_doc_table_has_one_row_per_result_with_its_ratios():

    result = {
        "preset": "large",
        "accounts": 10_000,
        "usage_events": 49_115_761,
        "repetitions": 3,
        "full_build_s": 480.04,
        "incremental_s": 60.0,
        "bare_duckdb_s": 160.0,
        "ratios": {"full_over_bare_duckdb": 3.0, "dbt_phase_over_bare_duckdb": 1.41, "incremental_over_full": 0.125},
        "peak_rss_mb": 3180.4,
        "full_build": {"phases_s": {"load": 169.5, "dbt": 229.2, "publish": 0.2}},
    }
    measured = {
        **result,
        "nothing_new_s": 4.21,
        "bare_duckdb_with_load_s": 320.0,
        "ratios": {**result["ratios"], "full_over_bare_duckdb_with_load": 1.5},
    }
    lines = table([result, measured]).splitlines()
    assert len(lines) == 4 and lines[1].count("---") == lines[0].count("|") - 1
    assert all(line.count("|") == lines[0].count("|") for line in lines)
    assert lines[2] == (
        "| large | 10,000 | 49,115,761 | 3 | 480.0 | 60.0 | — | 160.0 | — | 3.00 | — | 1.41 | 12% | 3,180 "
        "| load 170, dbt 229 |"
    ), "a result from before the second floor and the nothing-new run shows them as not measured"
    assert lines[3] == (
        "| large | 10,000 | 49,115,761 | 3 | 480.0 | 60.0 | 4.2 | 160.0 | 320.0 | 3.00 | 1.50 | 1.41 | 12% | 3,180 "
        "| load 170, dbt 229 |"
    )


def test_a_spark_benchmark_names_its_engine_in_the_table():
    result = {
        "preset": "small",
        "engine": "spark",
        "accounts": 200,
        "usage_events": 1_000_000,
        "repetitions": 1,
        "full_build_s": 600.0,
        "incremental_s": 300.0,
        "bare_duckdb_s": 20.0,
        "ratios": {"full_over_bare_duckdb": 30.0, "dbt_phase_over_bare_duckdb": 25.0, "incremental_over_full": 0.5},
        "peak_rss_mb": 5000.0,
        "full_build": {"phases_s": {"dbt": 500.0}},
    }
    assert table([result]).splitlines()[2].startswith("| small (spark) | 200 |")


def test_spark_runs_get_their_own_warehouse_and_keep_it_from_run_to_run(tmp_path):
    ws = Workspace(tmp_path, PRESETS["small"], "spark")
    env = run_environment(ws.working, tmp_path / "landing", date(2026, 11, 20), tmp_path)
    assert env["CS_ENGINE"] == "spark"
    assert env["CS_SPARK_WAREHOUSE_DIR"] == str(ws.working.folder / "spark-warehouse")
    duckdb_env = run_environment(Workspace(tmp_path, PRESETS["small"]).working, tmp_path, date(2026, 11, 20), tmp_path)
    assert duckdb_env["CS_ENGINE"] == "duckdb"
    assert duckdb_env.get("CS_SPARK_WAREHOUSE_DIR") == os.environ.get("CS_SPARK_WAREHOUSE_DIR")
    # a base run (its warehouse, the published link) restored where the next run happens
    base = ws.run("full", 0)
    marts = base.spark_warehouse / "_published" / "marts.v1" / "fct_x"
    marts.mkdir(parents=True)
    (marts / "part-0.parquet").write_bytes(b"PAR1")
    (base.spark_warehouse / "marts.db").symlink_to("_published/marts.v1")
    for made in (base.building, base.warehouse):
        made.write_bytes(b"")
    _copy_warehouse(base, ws.working)
    restored = ws.working.spark_warehouse
    assert (restored / "marts.db").is_symlink() and (
        restored / "marts.db" / "fct_x" / "part-0.parquet"
    ).read_bytes() == b"PAR1"


def test_the_floors_of_a_duckdb_benchmark_start_from_its_first_full_build(tmp_path):
    from benchmarks.harness import floor_base

    ws = Workspace(tmp_path, PRESETS["small"])
    assert floor_base(ws, print) == (ws.run("full", 0), None)  # no extra run: it is measured already


def test_a_floor_out_of_memory_is_recorded_not_raised():
    import duckdb
    import pytest

    from benchmarks.harness import FloorFailed, floor_unless_out_of_memory

    said: list[str] = []

    def runs_out() -> None:
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate 128.0 MiB\nPossible solutions: …")

    failed = floor_unless_out_of_memory(runs_out, "bare DuckDB floor", said.append)
    assert failed == FloorFailed("Out of Memory Error: failed to allocate 128.0 MiB")
    assert said == ["bare DuckDB floor: not measured, Out of Memory Error: failed to allocate 128.0 MiB"]
    assert floor_unless_out_of_memory(lambda: 42, "bare DuckDB floor", said.append) == 42
    with pytest.raises(ValueError):  # any other failure still stops the benchmark
        floor_unless_out_of_memory(lambda: int("x"), "bare DuckDB floor", said.append)


def test_a_result_whose_floors_failed_prints_and_tabulates_them_as_not_measured():
    from benchmarks.harness import summary_line

    error = "Out of Memory Error: failed to allocate 128.0 MiB"
    result = {
        "preset": "xl",
        "accounts": 50_000,
        "usage_events": 260_225_135,
        "repetitions": 1,
        "full_build_s": 1667.1,
        "incremental_s": 130.8,
        "nothing_new_s": 0.8,
        "bare_duckdb_s": None,
        "bare_duckdb_with_load_s": None,
        "ratios": {
            "incremental_over_full": 0.078,
            "full_over_bare_duckdb": None,
            "dbt_phase_over_bare_duckdb": None,
            "full_over_bare_duckdb_with_load": None,
        },
        "bare_duckdb": {"error": error},
        "bare_duckdb_with_load": {"error": f"not run: the first floor failed ({error})"},
        "peak_rss_mb": 3487.0,
        "full_build": {"phases_s": {"load": 581.5, "dbt": 1036.8}},
    }
    line = summary_line(result)
    assert f"bare DuckDB not measured ({error})" in line and "row counts not compared" in line
    assert table([result]).splitlines()[2] == (
        "| xl | 50,000 | 260,225,135 | 1 | 1667.1 | 130.8 | 0.8 | — | — | — | — | — | 8% | 3,487 | load 582, dbt 1037 |"
    )
