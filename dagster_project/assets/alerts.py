"""Alert delivery: new health alerts and renewal escalations go to the CS webhook once each.

Downstream of ``published_warehouse``, so a run whose blocking checks fail (publishing
skipped) sends nothing; and the alerts are read from the published file itself, so even a
stand-alone materialization only sends what BI users can see. The delivery ledger is written
to the working warehouse, which persists between runs.
"""

# No `from __future__ import annotations`: Dagster reads the Config annotation at decoration time.
from datetime import timedelta

import dagster as dg

from ..alerts.delivery import RetryPolicy, WebhookChannel, webhook_url_from_env
from ..alerts.dispatch import Channel, dispatch
from ..alerts.ledger import delivered_count, ensure_ledger, undelivered_alerts
from ..alerts.outbox import OUTBOX_NAME, OutboxChannel
from ..alerts.sources import attached_read_only
from ..pools import WAREHOUSE_WRITER_POOL
from ..resources import PipelineSettings
from .publish import published_warehouse


class AlertDeliveryConfig(dg.Config):
    """Which alerts are news, and how hard to try the webhook for each; the defaults suit Slack.

    ``max_age_days``: alerts raised more than this many days before the as-of date are not sent
    (they stay in the marts). It keeps a first run, or a run after a long pause, from posting the
    whole history; a backfill of old days therefore sends nothing.
    """

    max_age_days: int = 7
    retries: int = 3
    backoff_factor: float = 0.5
    connect_timeout: float = 5.0
    read_timeout: float = 10.0

    def policy(self) -> RetryPolicy:
        return RetryPolicy(self.retries, self.backoff_factor, self.connect_timeout, self.read_timeout)


def _channel(config: AlertDeliveryConfig, pipeline: PipelineSettings) -> Channel:
    """The webhook when CS_ALERT_WEBHOOK_URL is set (read now, at run time), else the outbox."""
    try:
        url = webhook_url_from_env()
    except ValueError as error:
        raise dg.Failure(description=str(error)) from error
    if url:
        return WebhookChannel(url, config.policy())
    return OutboxChannel(pipeline.resolve().output_dir / OUTBOX_NAME)


@dg.asset(
    deps=[published_warehouse],
    group_name="serving",
    pool=WAREHOUSE_WRITER_POOL,
    kinds={"slack", "duckdb"},
    description=(
        "New rows of marts.fct_health_alerts, renewal escalations of marts.fct_renewal_forecast, late "
        "renewal-motion checkpoints (marts.fct_renewal_motion) and expansion-ready episodes "
        "(marts.fct_expansion_signals), posted once each to CS_ALERT_WEBHOOK_URL (or appended to "
        "alerts_outbox.jsonl when unset); ledger in ops.alert_deliveries."
    ),
)
def delivered_alerts(
    context: dg.AssetExecutionContext, config: AlertDeliveryConfig, pipeline: PipelineSettings
) -> dg.MaterializeResult:
    settings = pipeline.resolve()
    since = settings.as_of_date - timedelta(days=config.max_age_days)
    channel = _channel(config, pipeline)
    try:
        with pipeline.connect() as con:
            ensure_ledger(con)
            with attached_read_only(con, settings.warehouse_path) as published:
                if published:
                    alerts, notes = undelivered_alerts(con, since=since)
                else:
                    alerts, notes = [], [f"{settings.warehouse_path} not published yet, nothing to read"]
                outcome = dispatch(con, alerts, channel)
            total = delivered_count(con)
    finally:
        channel.close()

    for note in notes:
        context.log.info(f"alert source {note}")
    context.log.info(f"alerts raised before {since} (max_age_days={config.max_age_days}) are history: not sent")
    metadata = {
        "sent": len(outcome.delivered),
        "channel": channel.name,
        "endpoint": channel.endpoint,
        "sources": "; ".join(notes),
        "sent_since": since.isoformat(),
        "ledger_total": total,
    }
    if channel.name == "outbox":
        metadata["outbox_path"] = dg.MetadataValue.path(channel.endpoint)
    if outcome.error is not None:
        raise dg.Failure(
            description=(
                f"Alert webhook {outcome.error.endpoint} is not accepting alerts: {outcome.error}. "
                f"{outcome.undelivered} alert(s) not delivered (they will be sent by the next run); "
                f"{len(outcome.delivered)} delivered before the failure are recorded in the ledger."
            ),
            metadata={**metadata, "undelivered": outcome.undelivered},
        )
    context.log.info(f"{len(outcome.delivered)} alert(s) sent via {channel.name} ({channel.endpoint})")
    return dg.MaterializeResult(metadata=metadata)
