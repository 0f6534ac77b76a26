"""The data model of the latent book: time window, accounts, subscriptions and their versions.

Every file of the sample is a *view* of this one model, which is why the files agree with each
other: a churner's usage fades, its champion leaves and its invoices go late because the same
:class:`Phase` drives all of them. The model runs past ``end_date`` (pending churns, planned
expansions) so that usage for a later day continues the same story; the views only show what
happened up to ``end_date``.

Randomness comes from :func:`stream`: one independent NumPy generator per purpose and per
account, so the book does not depend on the order in which views are produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import IntEnum

import numpy as np

from .catalog import PLAN_PRICES
from .timeutil import add_months, fractional_day, month_start

# --------------------------------------------------------------------------- randomness


class Stream(IntEnum):
    """Purposes of the random generators; each view draws from its own stream."""

    PROFILES = 1
    CASTING = 2
    LIFECYCLE = 3
    CRM = 4
    BILLING = 5
    USAGE = 6
    DELIVERY = 7
    FX = 8
    ORPHANS = 9
    EXPANSION = 10  # the lead-up to each expansion (added later: its own stream, so no draw above moves)
    EXPANSION_USAGE = 11  # the usage of the users a lead-up adds


def stream(seed: int, purpose: Stream, *keys: int) -> np.random.Generator:
    """A generator that depends only on the seed, the purpose and the keys (e.g. an account)."""
    return np.random.default_rng([seed, int(purpose), *keys])


# --------------------------------------------------------------------------- the window


@dataclass(frozen=True)
class Window:
    """The history the sample covers: ``months`` calendar months ending with ``end_date``'s."""

    end_date: date
    months: int

    @property
    def history_start(self) -> datetime:
        return add_months(month_start(self.end_date), -(self.months - 1))

    @property
    def cutoff(self) -> datetime:
        """First instant after ``end_date``: nothing past it may appear in a file."""
        return datetime(self.end_date.year, self.end_date.month, self.end_date.day) + timedelta(days=1)

    @property
    def horizon(self) -> datetime:
        """How far the latent future is planned (for later usage days)."""
        return self.cutoff + timedelta(days=400)


# --------------------------------------------------------------------------- billing model


@dataclass
class Version:
    """One SCD2 version of a priced line of a subscription."""

    line: int
    product: str
    quantity: int
    unit_price: float  # per unit per billing interval
    valid_from: datetime
    valid_to: datetime | None = None


@dataclass
class Customer:
    customer_id: str
    account_id: str | None
    created_at: datetime


@dataclass
class Subscription:
    customer_id: str
    currency: str
    interval: int
    discount: float
    started_at: datetime
    anchor: datetime  # start of the paid terms (the trial end for converted trials)
    tax_rate: float
    trial_end: datetime | None = None
    ended_at: datetime | None = None  # effective cancellation; may be after end_date (pending)
    notice_at: datetime | None = None  # when the customer gave notice to cancel at term end
    versions: list[Version] = field(default_factory=list)

    def boundary_at_or_after(self, moment: datetime) -> datetime:
        """The first term boundary at or after ``moment`` (where a contract can end or change)."""
        k = 1
        while add_months(self.anchor, k * self.interval) < moment:
            k += 1
        return add_months(self.anchor, k * self.interval)

    def period_containing(self, moment: datetime) -> tuple[datetime, datetime]:
        """[start, end) of the billing period that contains ``moment``."""
        k = 0
        while add_months(self.anchor, (k + 1) * self.interval) <= moment:
            k += 1
        return add_months(self.anchor, k * self.interval), add_months(self.anchor, (k + 1) * self.interval)

    def boundaries(self, until: datetime) -> list[datetime]:
        """Term boundaries (renewal dates) after the anchor, up to ``until``."""
        out, k = [], 1
        while (b := add_months(self.anchor, k * self.interval)) <= until:
            out.append(b)
            k += 1
        return out

    def current(self, line: int) -> Version:
        return next(v for v in reversed(self.versions) if v.line == line)

    def in_force(self, moment: datetime) -> list[Version]:
        return [v for v in self.versions if v.valid_from <= moment and (v.valid_to is None or v.valid_to > moment)]

    def change(
        self,
        at: datetime,
        line: int,
        *,
        quantity: int | None = None,
        product: str | None = None,
        unit_price: float | None = None,
    ) -> None:
        """Close the line's open version at ``at`` and open the next one at the same instant."""
        old = self.current(line)
        old.valid_to = at
        self.versions.append(
            Version(
                line,
                product or old.product,
                old.quantity if quantity is None else quantity,
                old.unit_price if unit_price is None else unit_price,
                at,
            )
        )

    def end(self, at: datetime) -> None:
        self.ended_at = at
        for version in self.versions:
            if version.valid_to is None:
                version.valid_to = at

    def arr(self, moment: datetime) -> float:
        """ARR in the subscription's currency of the versions in force at ``moment``."""
        per_interval = sum(v.quantity * v.unit_price for v in self.in_force(moment))
        return per_interval * (1 - self.discount / 100) * 12 / self.interval


def plan_price(product: str, currency: str, interval: int) -> float:
    return round(PLAN_PRICES[product][currency] * interval, 2)


# --------------------------------------------------------------------------- the account


@dataclass(frozen=True)
class Phase:
    """A stretch of time in which an account's usage and relationship drift toward ``target``.

    ``decline`` ends in churn (usage falls to ``target`` of normal), ``shrink`` ends in a seat
    cut to ``target`` of the seats, ``grow`` ends in a seat increase by ``target``.
    """

    kind: str
    start: datetime
    end: datetime
    target: float


@dataclass(frozen=True)
class LeadUp:
    """The months before an expansion in which the account outgrows its seats.

    Users climb from the account's usual share of its seats to ``seat_share`` of them between
    ``start`` and ``full`` (and stay there until the seats are bought at ``end``); the account
    takes up ``feature`` (a core feature it did not use) at ``feature_at``. These are the
    signals a CSM reads as "ready to expand": seat utilization, usage growth, breadth.
    """

    start: datetime
    full: datetime
    end: datetime  # the expansion (the seat increase of the grow phase it leads up to)
    seat_share: float  # product users / licensed seats reached at ``full``
    feature: str | None
    feature_at: datetime


@dataclass
class Account:
    index: int
    account_id: str
    name: str
    industry: str
    region: str
    tier: str
    trajectory: str
    created_at: datetime
    currency: str
    interval: int
    discount: float
    seats: int
    addon: str | None
    trial_days: int | None  # starts with a zero-price trial of this many days
    csm_email: str | None
    adopt: float  # share of seats that become product users
    daily_p: float  # probability a user is active on a weekday
    events_per_user: float
    depth: float  # propensity for deep (non-login) features
    uses_api: bool
    uses_integrations: bool
    uses_alerts: bool
    segment_override: str | None = None
    is_deleted: bool = False
    merged: bool = False
    forced_start: datetime | None = None
    forced_churn: datetime | None = None
    roles: list[str] = field(default_factory=list)  # edge cases this account was cast for
    subscriptions: list[Subscription] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    episodes: list[datetime] = field(default_factory=list)  # starts of customer episodes
    lead_ups: list[LeadUp] = field(default_factory=list)  # before each expansion (grow phase)

    def customer_periods(self) -> list[tuple[datetime, datetime | None]]:
        """Merged [start, end) spans during which the account had any subscription."""
        spans = sorted(((s.started_at, s.ended_at) for s in self.subscriptions), key=lambda span: span[0])
        merged: list[tuple[datetime, datetime | None]] = []
        for start, end in spans:
            if merged and (merged[-1][1] is None or merged[-1][1] >= start):
                last_start, last_end = merged[-1]
                new_end = None if last_end is None or end is None else max(last_end, end)
                merged[-1] = (last_start, new_end)
            else:
                merged.append((start, end))
        return merged

    def risk(self, days: np.ndarray) -> np.ndarray:
        """0 (fine) … 1 (about to churn) at fractional day numbers, from the account's phases."""
        base = {"churning": 0.08, "reactivating": 0.05, "contracting": 0.05}.get(self.trajectory, 0.0)
        risk = np.full(days.shape, base)
        for phase in self.phases:
            if phase.kind == "grow":
                continue
            start, end = fractional_day(phase.start), fractional_day(phase.end)
            progress = np.clip((days - start) / max(end - start, 1.0), 0.0, 1.0)
            weight = 1.0 if phase.kind == "decline" else 0.55
            inside = (days >= start) & (days <= end + 1)
            risk = np.where(inside, np.maximum(risk, weight * progress), risk)
        return risk

    def risk_at(self, moment: datetime) -> float:
        return float(self.risk(np.array([fractional_day(moment)]))[0])


@dataclass
class Book:
    window: Window
    seed: int
    accounts: list[Account]
    customers: list[Customer]
    orphan_subscriptions: list[Subscription]  # billing-only customers (unmapped / unknown account)

    def all_subscriptions(self) -> list[Subscription]:
        subs = [s for a in self.accounts for s in a.subscriptions]
        return subs + self.orphan_subscriptions
