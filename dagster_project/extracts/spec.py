"""The raw extract contract (``docs/contracts/extract-contract.md``) as data.

One :class:`EntitySpec` per input file: its columns, their types, the primary key and the
row rules. The loader (:mod:`dagster_project.extracts.loader`) applies these specs; nothing
else in the project should know how a landing file is shaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

ColumnType = Literal["text", "timestamp", "date", "decimal", "integer", "boolean"]

# The precision the contract guarantees for money and rates (prices, amounts, discounts, FX):
# up to DECIMAL_PRECISION - DECIMAL_SCALE digits before the point and DECIMAL_SCALE after. A
# value that needs more is quarantined with the reason, never rounded (a sub-cent price rounded
# to 0 silently zeroes MRR).
DECIMAL_PRECISION = 18
DECIMAL_SCALE = 4

# DuckDB type each contract type is loaded as. Timestamps are stored as naive UTC.
DUCKDB_TYPES: dict[ColumnType, str] = {
    "text": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "decimal": f"DECIMAL({DECIMAL_PRECISION},{DECIMAL_SCALE})",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
}

# How far after the load's clock a manifest's extracted_at may be (connector clocks drift). A
# batch beyond it is held: recorded as `held`, not loaded, never fresh, never the newest
# snapshot, and looked at again by every later run (it loads once the clock reaches it).
CLOCK_SKEW_TOLERANCE = timedelta(hours=1)

# The longest CSV line (one record, quoted newlines included) the loader reads. A longer line
# rejects its batch with that reason; anything up to it loads (a note of a few MB is valid).
MAX_LINE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "text"
    required: bool = True  # the column must be in the file header
    not_null: bool = False  # the value must be present in every row
    allowed: tuple[str, ...] | None = None  # enumerated values (text columns)
    min_value: float | None = None  # numeric range, inclusive
    max_value: float | None = None


@dataclass(frozen=True)
class EntitySpec:
    source: str
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()  # de-duplicated within a snapshot / across usage batches
    optional_file: bool = False  # the file may be absent from a batch

    @property
    def table(self) -> str:
        """Name of the raw table, in schema ``raw``."""
        return f"{self.source}_{self.name}"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class SourceSpec:
    name: str
    mode: Literal["full", "incremental"]
    entities: tuple[EntitySpec, ...] = field(default_factory=tuple)

    def entity_for_file(self, filename: str) -> EntitySpec | None:
        """The entity a landing file holds: ``accounts.csv`` -> accounts, ``events-x.csv.gz`` -> events."""
        stem = filename
        for suffix in (".csv.gz", ".csv", ".parquet"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        else:
            return None
        for entity in self.entities:
            if stem == entity.name or (self.mode == "incremental" and stem.startswith(entity.name)):
                return entity
        return None


def _pk(name: str) -> Column:
    return Column(name, "text", not_null=True)


ACCOUNT_FK = Column("account_id", "text", not_null=True)
CONTACT_ROLES = ("champion", "economic_buyer", "exec_sponsor", "technical_lead", "user", "other")
HEALTH_STATUSES = ("healthy", "stable", "at_risk", "critical", "emergency")
SEGMENTS = ("high_touch", "low_touch", "tech_touch")

CRM = SourceSpec(
    "crm",
    "full",
    (
        EntitySpec(
            "crm",
            "accounts",
            (
                _pk("account_id"),
                Column("account_name"),
                Column("industry", required=False),
                Column("region", required=False),
                Column("csm_email"),
                Column("segment_override", required=False, allowed=SEGMENTS),
                Column("created_at", "timestamp", not_null=True),
                Column("is_deleted", "boolean"),
            ),
            primary_key=("account_id",),
        ),
        EntitySpec(
            "crm",
            "contacts",
            (
                _pk("contact_id"),
                ACCOUNT_FK,
                Column("email"),
                Column("title", required=False),
                Column("role", allowed=CONTACT_ROLES),
                Column("created_at", "timestamp", not_null=True),
                Column("departed_at", "timestamp"),
            ),
            primary_key=("contact_id",),
        ),
        EntitySpec(
            "crm",
            "activities",
            (
                _pk("activity_id"),
                ACCOUNT_FK,
                Column(
                    "activity_type",
                    allowed=("kickoff", "qbr", "ebr", "check_in", "call", "email", "workshop"),
                ),
                Column("occurred_at", "timestamp", not_null=True),
                Column("status", allowed=("completed", "scheduled", "no_show", "cancelled")),
                Column("attendee_roles"),
            ),
            primary_key=("activity_id",),
        ),
        EntitySpec(
            "crm",
            "goals",
            (
                _pk("goal_id"),
                ACCOUNT_FK,
                Column("status", allowed=("not_started", "in_progress", "achieved", "missed")),
                Column("roi_documented", "boolean"),
                Column("target_date", "date"),
                Column("achieved_at", "timestamp"),
                Column("created_at", "timestamp", not_null=True),
            ),
            primary_key=("goal_id",),
        ),
        EntitySpec(
            "crm",
            "milestones",
            (
                _pk("milestone_id"),
                ACCOUNT_FK,
                Column(
                    "milestone",
                    allowed=("kickoff", "technical_setup", "integration_connected", "first_value", "team_adoption"),
                ),
                Column("due_date", "date"),
                Column("completed_at", "timestamp"),
            ),
            primary_key=("milestone_id",),
        ),
        EntitySpec(
            "crm",
            "opportunities",
            (
                _pk("opportunity_id"),
                ACCOUNT_FK,
                Column("opportunity_type", allowed=("new_business", "renewal", "expansion")),
                Column("stage", allowed=("open", "closed_won", "closed_lost")),
                Column("close_date", "date"),
                Column("amount_arr", "decimal", min_value=0),
                Column("currency", not_null=True),
                Column("created_at", "timestamp", not_null=True),
            ),
            primary_key=("opportunity_id",),
        ),
        EntitySpec(
            "crm",
            "tickets",
            (
                _pk("ticket_id"),
                ACCOUNT_FK,
                Column("opened_at", "timestamp", not_null=True),
                Column("closed_at", "timestamp"),
                Column("priority", allowed=("low", "normal", "high", "urgent")),
                Column("is_escalated", "boolean"),
                Column("csat_score", "integer", min_value=1, max_value=5),
            ),
            primary_key=("ticket_id",),
        ),
        EntitySpec(
            "crm",
            "nps_responses",
            (
                _pk("response_id"),
                ACCOUNT_FK,
                Column("contact_id", required=False),
                Column("responded_at", "timestamp", not_null=True),
                Column("score", "integer", not_null=True, min_value=0, max_value=10),
            ),
            primary_key=("response_id",),
        ),
        EntitySpec(
            "crm",
            "health_overrides",
            (
                ACCOUNT_FK,
                Column("override_status", not_null=True, allowed=HEALTH_STATUSES),
                Column("reason", not_null=True),
                Column("set_by", not_null=True),
                Column("set_at", "timestamp", not_null=True),
                Column("expires_at", "timestamp", not_null=True),
            ),
            optional_file=True,
        ),
    ),
)

BILLING = SourceSpec(
    "billing",
    "full",
    (
        EntitySpec(
            "billing",
            "customers",
            (_pk("customer_id"), Column("account_id"), Column("created_at", "timestamp", not_null=True)),
            primary_key=("customer_id",),
        ),
        EntitySpec(
            "billing",
            "subscriptions",
            (
                _pk("subscription_id"),
                Column("customer_id", not_null=True),
                Column("status", allowed=("active", "past_due", "canceled", "trialing", "paused")),
                Column("started_at", "timestamp", not_null=True),
                Column("current_term_end", "date"),
                Column("cancel_at_term_end", "boolean"),
                Column("canceled_at", "timestamp"),
            ),
            primary_key=("subscription_id",),
        ),
        EntitySpec(
            "billing",
            "subscription_items",
            (
                _pk("item_id"),
                Column("subscription_id", not_null=True),
                Column("product"),
                Column("quantity", "integer", not_null=True, min_value=0),
                Column("unit_price", "decimal", not_null=True, min_value=0),
                Column("currency", not_null=True),
                Column("billing_interval_months", "integer", not_null=True, min_value=1),
                Column("discount_pct", "decimal", min_value=0, max_value=100),
                Column("valid_from", "timestamp", not_null=True),
                Column("valid_to", "timestamp"),
            ),
            primary_key=("item_id",),
        ),
        EntitySpec(
            "billing",
            "invoices",
            (
                _pk("invoice_id"),
                Column("customer_id", not_null=True),
                Column("subscription_id", required=False),
                Column("issued_at", "timestamp", not_null=True),
                Column("due_at", "timestamp"),
                Column("paid_at", "timestamp"),
                Column("status", allowed=("open", "paid", "void", "uncollectible")),
                Column("total", "decimal"),
                Column("currency", not_null=True),
            ),
            primary_key=("invoice_id",),
        ),
        EntitySpec(
            "billing",
            "fx_rates",
            (
                Column("rate_month", "date", not_null=True),
                Column("currency", not_null=True),
                Column("usd_per_unit", "decimal", not_null=True, min_value=0),
            ),
            primary_key=("rate_month", "currency"),
        ),
    ),
)

USAGE = SourceSpec(
    "usage",
    "incremental",
    (
        EntitySpec(
            "usage",
            "events",
            (
                _pk("event_id"),
                Column("occurred_at", "timestamp", not_null=True),
                ACCOUNT_FK,
                Column("user_id", not_null=True),
                Column("event_name", not_null=True),
                Column("feature", required=False),
            ),
            primary_key=("event_id",),
        ),
    ),
)

SOURCES: dict[str, SourceSpec] = {s.name: s for s in (CRM, BILLING, USAGE)}
