"""The floors: the dbt models' compiled SQL run directly on one DuckDB connection.

No Dagster, no dbt at run time: ``dbt compile`` (once, for a full refresh, with the run's
``--vars``) gives each model's ``compiled_code``; the models run in dependency order as
``create or replace table|view <relation> as <compiled_code>`` in a copy of the warehouse that
holds only the raw schema and the seeds. The seeds are read from the project's CSV files with
DuckDB's ``read_csv`` (with the seeds' ``column_types``); loading them is not part of the floor.

The second floor (``load_and_build``, reported as ``bare_duckdb_with_load_s``) starts from a
copy holding only the seeds and reads the raw tables from the landing files first, on the same
connection (``bare_load.py``): what "DuckDB and a SQL script" would do with the same files.

The connection is set up as the dbt profile sets up dbt's: ``TimeZone=UTC`` and the pipeline's
DuckDB ``memory_limit`` (``CS_DUCKDB_MEMORY_LIMIT``, default 2GB). Without the limit DuckDB would
take up to 80% of RAM (13 GB at the large preset) and the floor would measure a different
machine budget, not the cost of Dagster and dbt. Ephemeral models
are inlined by dbt into their children's compiled code and are not built; Python models are
skipped (and listed).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import date
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.dbt_command import dbt_command
from dagster_project.settings import load_settings
from dagster_project.warehouse_sql import quote_ident, quote_literal, relation_names

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
RAW_SCHEMA = "raw"
BARE_NAME = "bare.duckdb"  # every copy has this name: compiled SQL names the catalog ("bare")


def connection_setup() -> tuple[str, ...]:
    """The statements that set a connection up as dbt_project/profiles.yml sets up dbt's."""
    memory_limit = load_settings().duckdb_memory_limit
    return ("set TimeZone = 'UTC'", f"set memory_limit = {quote_literal(memory_limit)}")


class CompileFailed(RuntimeError):
    """``dbt compile`` did not succeed."""


@dataclass(frozen=True)
class Model:
    """One dbt model as the floor builds it."""

    unique_id: str
    database: str
    schema: str
    alias: str
    materialized: str
    language: str
    compiled_code: str
    depends_on: tuple[str, ...]

    @property
    def relation(self) -> str:
        return ".".join(quote_ident(part) for part in (self.database, self.schema, self.alias))

    def create_sql(self) -> str:
        kind = "view" if self.materialized == "view" else "table"
        body = self.compiled_code.strip().rstrip(";")
        return f"create or replace {kind} {self.relation} as\n{body}\n"


@dataclass(frozen=True)
class Seed:
    """One dbt seed: its relation and the CSV file it is loaded from."""

    database: str
    schema: str
    alias: str
    path: Path
    column_types: dict[str, str]
    delimiter: str

    @property
    def relation(self) -> str:
        return ".".join(quote_ident(part) for part in (self.database, self.schema, self.alias))

    def create_sql(self) -> str:
        options = [f"header = true, delim = {quote_literal(self.delimiter)}"]
        if self.column_types:
            types = ", ".join(
                f"{quote_literal(name)}: {quote_literal(kind)}" for name, kind in self.column_types.items()
            )
            options.append(f"types = {{{types}}}")
        reader = f"read_csv({quote_literal(str(self.path))}, {', '.join(options)})"
        return f"create or replace table {self.relation} as select * from {reader}"


@dataclass(frozen=True)
class FloorRun:
    """One build of every model on the floor: total and per-model seconds."""

    seconds: float
    model_seconds: dict[str, float]


# --------------------------------------------------------------------------- preparing


def copy_raw_schema(source: Path, target: Path) -> list[str]:
    """A new DuckDB file at ``target`` holding only the raw schema of ``source``; returns its tables."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach {quote_literal(str(source))} as src (read_only)")
        tables = relation_names(con, RAW_SCHEMA, "src", tables_only=True)
        con.execute(f"create schema {RAW_SCHEMA}")
        for table in tables:
            relation = f"{RAW_SCHEMA}.{quote_ident(table)}"
            con.execute(f"create table {relation} as select * from src.{relation}")
        con.execute("detach src")
        con.execute("checkpoint")
    return tables


def copy_python_model_outputs(source: Path, target: Path, models: list[Model]) -> list[str]:
    """The tables of the project's Python models (the health weight fit: a small frame fitted in
    Python, which plain SQL cannot run), copied from the dbt-built ``source`` into ``target`` so
    the SQL models that read them build on the floor; returns their names."""
    python = [m for m in models if m.language == "python"]
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach {quote_literal(str(source))} as src (read_only)")
        for model in python:
            con.execute(f"create schema if not exists {quote_ident(model.schema)}")
            relation = f"{quote_ident(model.schema)}.{quote_ident(model.alias)}"
            con.execute(f"create table {relation} as select * from src.{relation}")
        con.execute("detach src")
        con.execute("checkpoint")
    return [m.alias for m in python]


def compile_project(database: Path, as_of: date, target_dir: Path) -> Path:
    """``dbt compile --full-refresh`` against ``database`` into ``target_dir``; returns the manifest."""
    command = dbt_command(
        "compile",
        "--full-refresh",
        "--quiet",
        variables={"as_of_date": as_of.isoformat()},
        target_dir=target_dir,
        log_dir=target_dir / "logs",
    )
    env = {**os.environ, "CS_DBT_DUCKDB_PATH": str(database), "CS_AS_OF_DATE": as_of.isoformat()}
    done = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise CompileFailed(f"dbt compile failed:\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}")
    return target_dir / "manifest.json"


# --------------------------------------------------------------------------- the manifest


def _model(node: dict[str, Any], model_ids: set[str]) -> Model:
    return Model(
        unique_id=node["unique_id"],
        database=node["database"],
        schema=node["schema"],
        alias=node.get("alias") or node["name"],
        materialized=node["config"]["materialized"],
        language=node.get("language", "sql"),
        compiled_code=node.get("compiled_code") or "",
        depends_on=tuple(d for d in node["depends_on"]["nodes"] if d in model_ids),
    )


def models_in_order(manifest: dict[str, Any]) -> list[Model]:
    """Every enabled model of the manifest, parents before children."""
    nodes = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    models = {uid: _model(node, set(nodes)) for uid, node in nodes.items()}
    order = TopologicalSorter({uid: m.depends_on for uid, m in models.items()}).static_order()
    return [models[uid] for uid in order]


def seeds_of(manifest: dict[str, Any]) -> list[Seed]:
    """Every seed of the manifest, with its CSV file's absolute path."""
    root = Path(manifest["metadata"].get("project_root") or DBT_PROJECT_DIR)
    seeds = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "seed":
            continue
        config = node["config"]
        seeds.append(
            Seed(
                database=node["database"],
                schema=node["schema"],
                alias=node.get("alias") or node["name"],
                path=root / node["original_file_path"],
                column_types=dict(config.get("column_types") or {}),
                delimiter=config.get("delimiter") or ",",
            )
        )
    return seeds


def read_manifest(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def buildable(models: list[Model]) -> tuple[list[Model], list[str]]:
    """The models the floor builds, and the names of those it cannot (Python) or need not (ephemeral)."""
    kept = [m for m in models if m.language == "sql" and m.materialized != "ephemeral"]
    skipped = [m.unique_id for m in models if m not in kept]
    return kept, skipped


# --------------------------------------------------------------------------- building


def _schemas(relations: list[Model] | list[Seed]) -> set[tuple[str, str]]:
    return {(r.database, r.schema) for r in relations}


def create_schemas(con: duckdb.DuckDBPyConnection, relations: list[Model] | list[Seed]) -> None:
    for database, schema in sorted(_schemas(relations)):
        con.execute(f"create schema if not exists {quote_ident(database)}.{quote_ident(schema)}")


def load_seeds(database: Path, seeds: list[Seed]) -> float:
    """Load the seeds' CSV files into ``database``; returns the seconds it took."""
    started = time.perf_counter()
    with duckdb.connect(str(database)) as con:
        create_schemas(con, seeds)
        for seed in seeds:
            con.execute(seed.create_sql())
        con.execute("checkpoint")
    return time.perf_counter() - started


def build_models_on(con: duckdb.DuckDBPyConnection, models: list[Model]) -> dict[str, float]:
    """Build every model in order on ``con`` (set up by ``connection_setup``); seconds per model."""
    per_model: dict[str, float] = {}
    create_schemas(con, models)
    for model in models:
        model_started = time.perf_counter()
        con.execute(model.create_sql())
        per_model[model.unique_id] = time.perf_counter() - model_started
    return per_model


def build_models(database: Path, models: list[Model]) -> FloorRun:
    """Build every model in order on one connection; times the whole and each model."""
    started = time.perf_counter()
    with duckdb.connect(str(database)) as con:
        for statement in connection_setup():
            con.execute(statement)
        per_model = build_models_on(con, models)
    return FloorRun(time.perf_counter() - started, per_model)


@dataclass(frozen=True)
class FloorWithLoadRun:
    """One run of the second floor: the landing read into raw, then every model built."""

    seconds: float
    load_s: float
    raw_rows: dict[str, int]
    model_seconds: dict[str, float]


def load_and_build(database: Path, landing: Path, models: list[Model]) -> FloorWithLoadRun:
    """The second floor on one connection: ``load_landing`` reads ``landing`` into typed raw
    tables with DuckDB's CSV reader, then the models are built as ``build_models`` builds them
    (same connection setup: TimeZone and memory limit)."""
    from .bare_load import load_landing

    started = time.perf_counter()
    with duckdb.connect(str(database)) as con:
        for statement in connection_setup():
            con.execute(statement)
        raw_rows = load_landing(con, landing)
        load_s = time.perf_counter() - started
        per_model = build_models_on(con, models)
    return FloorWithLoadRun(time.perf_counter() - started, load_s, raw_rows, per_model)


def fresh_copy(template: Path, folder: Path) -> Path:
    """A copy of the prepared floor database (raw + seeds) for one repetition."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / BARE_NAME
    shutil.copyfile(template, target)
    return target


# --------------------------------------------------------------------------- checking


def row_counts(con: duckdb.DuckDBPyConnection, catalog: str, models: list[Model]) -> dict[str, int | None]:
    """Rows of each model's relation in ``catalog`` (None when the relation is not there)."""
    counts: dict[str, int | None] = {}
    for model in models:
        relation = f"{quote_ident(catalog)}.{quote_ident(model.schema)}.{quote_ident(model.alias)}"
        try:
            counts[model.unique_id] = con.execute(f"select count(*) from {relation}").fetchone()[0]
        except duckdb.Error:
            counts[model.unique_id] = None
    return counts


def compare_row_counts(bare: Path, dbt_built: Path, models: list[Model]) -> dict[str, Any]:
    """Row counts of every table model in the floor's database and in the dbt-built warehouse.

    Views are left out: their stored SQL names the catalog they were created in, which the
    dbt-built file is not attached as here.
    """
    models = [m for m in models if m.materialized != "view"]
    with duckdb.connect(str(bare), read_only=True) as con:
        con.execute(f"attach {quote_literal(str(dbt_built))} as dbt_built (read_only)")
        ours = row_counts(con, bare.stem, models)
        theirs = row_counts(con, "dbt_built", models)
    mismatches = {
        uid.rsplit(".", 1)[-1]: {"bare_duckdb": ours[uid], "dbt": theirs[uid]}
        for uid in ours
        if ours[uid] != theirs[uid]
    }
    return {
        "models_compared": len(models),
        "row_counts_equal": not mismatches,
        "mismatches": mismatches,
        "rows": {uid.rsplit(".", 1)[-1]: ours[uid] for uid in ours},
    }
