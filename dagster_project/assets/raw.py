"""Raw loading: one multi-asset per source, one asset per raw table (``raw/<source>_<entity>``).

The keys match dbt's ``source('raw', ...)`` so lineage runs landing → raw → staging → marts.
"""

import dagster as dg

from ..checks.gx_runner import import_gx_in_background
from ..extracts.loader import SourceLoadResult, load_source
from ..extracts.spec import SOURCES, SourceSpec
from ..pools import WAREHOUSE_WRITER_POOL
from ..resources import PipelineSettings
from ..sample_landing import ensure_sample_landing


def _table_metadata(con, table: str) -> dict[str, dg.MetadataValue]:
    rows = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
    return {"dagster/row_count": dg.MetadataValue.int(rows)}


def _summary(result: SourceLoadResult) -> str:
    statuses = ("loaded", "skipped", "superseded", "held", "rejected")
    parts = [f"{result.count(s)} {s}" for s in statuses if result.count(s)]
    return f"{result.source}: " + (", ".join(parts) if parts else "no batches in the landing directory")


def build_raw_source_asset(source: SourceSpec) -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(
            ["raw", entity.table],
            description=f"Raw `{entity.name}` from the {source.name} extract ({source.mode} batches), "
            "typed, validated; bad rows are in raw.quarantine.",
            group_name="raw",
            kinds={"duckdb"},
        )
        for entity in source.entities
    ]

    @dg.multi_asset(name=f"raw_{source.name}", specs=specs, pool=WAREHOUSE_WRITER_POOL)
    def _load(context: dg.AssetExecutionContext, pipeline: PipelineSettings):
        import_gx_in_background()  # the extract gates after this load validate with GX
        settings = pipeline.resolve()
        if settings.landing_is_sample:
            ensure_sample_landing(settings)
        with pipeline.connect() as con:
            result = load_source(con, settings.landing_dir, source.name)
            context.log.info(_summary(result))
            for held in (b for b in result.batches if b.status == "held"):
                context.log.warning(held.error)  # future-dated: not loaded, not fresh, not blocking
            batch_rows = {
                b.batch_id: f"{b.status}: {b.rows_loaded} loaded, {b.rows_quarantined} quarantined"
                + (f" — {b.error}" if b.error else "")
                for b in result.batches
            }
            for entity in source.entities:
                yield dg.MaterializeResult(
                    asset_key=["raw", entity.table],
                    metadata={**_table_metadata(con, entity.table), "batches": dg.MetadataValue.json(batch_rows)},
                )
        if result.rejected:
            raise dg.Failure(
                description="; ".join(b.error or b.batch_id for b in result.rejected),
                metadata={"rejected_batches": [b.batch_id for b in result.rejected]},
            )

    return _load


raw_assets = [build_raw_source_asset(source) for source in SOURCES.values()]
