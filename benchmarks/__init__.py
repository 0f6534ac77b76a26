"""Performance benchmark of the retention pipeline: ``python -m benchmarks --preset small --out FILE``.

Generates a book of business at a preset's scale, then measures, each over several repetitions
(median reported): a full build of the real Dagster job from an empty warehouse, the next
day's incremental run, and the floor — the same dbt models run as plain SQL on one DuckDB
connection. See ``docs/benchmarks.md``.
"""
