"""CS_ENGINE=spark: the dbt build on Apache Spark (docs/scaling.md).

session.py starts the local Spark session (the settings dbt's `spark` target also sets),
raw_layer.py publishes the validated raw tables as Parquet tables Spark reads, build.py runs the
dbt build on Spark in this process (with the weight fit between its two halves).
"""
