{#- int_health_weight_fits on Spark (CS_ENGINE=spark; docs/scaling.md "The weight fit"): dbt-spark
    runs Python models only on Databricks clusters, so the pipeline's Spark build fits the weights
    between two dbt invocations with the same code as the DuckDB Python model
    (dagster_project.health_fit.fit_table, dagster_project/spark/build.py) into
    intermediate.health_weight_fits_store, incremental by fit date like the Python model (a stored
    fit never moves). This model publishes that table under the model's name, so every model
    downstream is the same on both engines. The Python model beside it is disabled on Spark
    (dbt_project.yml). -#}
select
    {%- for column, kind in [
        ('fit_date', 'date'), ('segment', 'string'), ('component', 'string'),
        ('configured_weight', 'double'), ('fitted_weight', 'double'), ('fit_intercept', 'double'),
        ('fit_slope', 'double'), ('renewals', 'bigint'), ('churned', 'bigint'),
        ('first_renewal_date', 'date'), ('last_renewal_date', 'date'), ('oos_renewals', 'bigint'),
        ('oos_auc_fitted', 'double'), ('oos_auc_configured', 'double'),
        ('oos_brier_fitted', 'double'), ('oos_brier_configured', 'double'),
    ] %}
    cast({{ column }} as {{ kind }}) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ this.schema }}.health_weight_fits_store
