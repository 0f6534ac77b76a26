"""What happens to each account: subscriptions, seat changes, churn, reactivation, phases.

A trajectory (healthy, expanding, contracting, churning, reactivating, a lapsing trial, a
customer gone within a month) becomes concrete dated events here, planned past ``end_date``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from .catalog import PLAN_LADDER, TAX_RATES, TIER_PLAN
from .model import Account, Customer, LeadUp, Phase, Stream, Subscription, Version, Window, plan_price, stream
from .profiles import unknown_account_id
from .timeutil import plus_days

# --------------------------------------------------------------------------- lifecycles


class CustomerRegistry:
    """Hands out billing customer ids in creation order."""

    def __init__(self) -> None:
        self.customers: list[Customer] = []

    def add(self, account_id: str | None, created_at: datetime) -> str:
        customer_id = f"cus_{len(self.customers) + 1:05d}"
        self.customers.append(Customer(customer_id, account_id, created_at))
        return customer_id


def _uniform_time(rng: np.random.Generator, low: datetime, high: datetime) -> datetime:
    span = max((high - low).total_seconds(), 0.0)
    return low + timedelta(seconds=round(float(rng.uniform(0, span))))


def _mid_month(rng: np.random.Generator, moment: datetime) -> datetime:
    """Move a change to the middle of its month (plan changes rarely align with month ends)."""
    return moment.replace(day=int(rng.integers(8, 23)))


def platform_product(rng: np.random.Generator, account: Account) -> str:
    """The plan an account buys: by tier, some high-touch accounts on the top plan."""
    if account.tier == "high" and rng.random() < 0.3:
        return "platform_enterprise"
    return TIER_PLAN[account.tier]


def new_subscription(
    rng: np.random.Generator,
    customer_id: str,
    start: datetime,
    *,
    product: str,
    seats: int,
    interval: int,
    currency: str,
    discount: float,
    addon: str | None = None,
    trial_days: int | None = None,
) -> Subscription:
    """A subscription with its platform line (and add-on), priced or as a zero-price trial."""
    taxes = TAX_RATES[currency]
    sub = Subscription(
        customer_id=customer_id,
        currency=currency,
        interval=interval,
        discount=discount,
        started_at=start,
        anchor=start,
        tax_rate=float(taxes[int(rng.integers(len(taxes)))]),
    )
    if trial_days:
        sub.trial_end = plus_days(start, trial_days)
        sub.anchor = sub.trial_end
        sub.discount = 0.0
        sub.versions.append(Version(0, product, seats, 0.0, start))
        return sub
    sub.versions.append(Version(0, product, seats, plan_price(product, currency, interval), start))
    _add_addon(rng, sub, addon, start)
    return sub


def _add_addon(rng: np.random.Generator, sub: Subscription, addon: str | None, at: datetime) -> None:
    if addon:
        quantity = 1 if addon == "premium_support" else int(rng.integers(1, 6))
        sub.versions.append(Version(1, addon, quantity, plan_price(addon, sub.currency, sub.interval), at))


def convert_trial(rng: np.random.Generator, account: Account, sub: Subscription) -> None:
    """The trial ends and the same subscription starts paying (a new price version)."""
    assert sub.trial_end is not None
    product = sub.current(0).product
    sub.discount = account.discount
    sub.change(sub.trial_end, 0, unit_price=plan_price(product, sub.currency, sub.interval))
    _add_addon(rng, sub, account.addon, sub.trial_end)


def apply_seat_change(sub: Subscription, at: datetime, factor: float, product_step: int = 0) -> None:
    """Seats × ``factor`` from ``at``; optionally one step up/down the plan ladder."""
    current = sub.current(0)
    quantity = max(1, round(current.quantity * factor))
    if quantity == current.quantity:
        quantity = current.quantity + (1 if factor > 1 else -1 if current.quantity > 1 else 0)
    product = current.product
    if product_step and product in PLAN_LADDER:
        rung = int(np.clip(PLAN_LADDER.index(product) + product_step, 0, len(PLAN_LADDER) - 1))
        product = PLAN_LADDER[rung]
    sub.change(at, 0, quantity=quantity, product=product, unit_price=plan_price(product, sub.currency, sub.interval))


def _start_of_account(rng: np.random.Generator, account: Account) -> datetime:
    if account.forced_start is not None:
        return account.forced_start
    if account.trajectory == "intra_month":
        lag = rng.uniform(0.1, 1)
    elif account.trial_days:
        lag = rng.uniform(0, 2)
    else:
        lag = rng.uniform(0.2, 10)
    return plus_days(account.created_at, float(lag))


def build_lifecycle(account: Account, window: Window, registry: CustomerRegistry, seed: int) -> None:
    """Subscriptions, versions and phases of one account, from its trajectory."""
    rng = stream(seed, Stream.LIFECYCLE, account.index)
    start = _start_of_account(rng, account)
    if start >= window.cutoff:
        return  # a prospect: in the CRM, not yet in billing
    customer_id = registry.add(account.account_id, plus_days(start, -float(rng.uniform(0, 0.5))))
    sub = new_subscription(
        rng,
        customer_id,
        start,
        product=platform_product(rng, account),
        seats=account.seats,
        interval=account.interval,
        currency=account.currency,
        discount=account.discount,
        addon=account.addon,
        trial_days=account.trial_days,
    )
    account.subscriptions.append(sub)
    account.episodes.append(start)
    if account.trajectory == "trial_lapse":
        trial_end = sub.trial_end or plus_days(start, 14)
        account.phases.append(Phase("decline", plus_days(start, 2), trial_end, 0.25))
        sub.end(trial_end)
        return
    if sub.trial_end is not None:
        convert_trial(rng, account, sub)
    if account.trajectory == "intra_month":
        sub.end(plus_days(start, float(rng.uniform(12, 19))))
        return
    end = _plan_churn(rng, account, sub, window)
    _plan_seat_changes(rng, account, sub, window, end)
    if end is not None:
        sub.end(end)
    if account.merged:
        _add_second_customer(rng, account, sub, window, registry)
    if account.trajectory == "reactivating" and end is not None:
        _reactivate(rng, account, sub, window, end)


def _plan_churn(rng: np.random.Generator, account: Account, sub: Subscription, window: Window) -> datetime | None:
    """For churners: when the contract ends, when notice is given, and the decline before it.

    Returns the end; the caller ends the subscription after the other seat changes are applied.
    """
    if account.trajectory not in ("churning", "reactivating"):
        return None
    cutoff = window.cutoff
    planned = _planned_churn(rng, account, sub, window)
    immediate = sub.interval == 1 and account.forced_churn is None and rng.random() < 0.15
    end = planned if immediate else sub.boundary_at_or_after(planned)
    if not immediate:
        lead = {1: (2, 25), 3: (15, 45), 12: (30, 90)}[sub.interval]
        notice = plus_days(end, -float(rng.uniform(*lead)))
        if account.forced_churn is not None:
            notice = min(notice, plus_days(cutoff, -float(rng.uniform(1, 12))))
        sub.notice_at = max(notice, plus_days(sub.anchor, 1))
    decline_start = plus_days(end, -float(rng.uniform(90, 160)))
    account.phases.append(Phase("decline", decline_start, end, 0.2))
    if sub.interval < 12 and rng.random() < 0.3:
        cut_at = _mid_month(rng, plus_days(decline_start, (end - decline_start).days / 2))
        if sub.started_at < cut_at < end:
            apply_seat_change(sub, cut_at, float(rng.uniform(0.5, 0.8)))
    return end


def _planned_churn(rng: np.random.Generator, account: Account, sub: Subscription, window: Window) -> datetime:
    """When a churner decides to leave; its contract then ends at the next term boundary.

    Churn is spread over the window and up to five months past it (declines still under way
    at ``end_date``); a reactivating account must churn early enough to come back.
    """
    if account.forced_churn is not None:
        return account.forced_churn
    hs, cutoff = window.history_start, window.cutoff
    if account.trajectory == "reactivating":
        low, high = max(sub.anchor + timedelta(days=120), hs + timedelta(days=30)), cutoff - timedelta(days=250)
        if low < high:
            return _uniform_time(rng, low, high)
        account.trajectory = "churning"  # joined too late to leave and come back within the window
    low = max(sub.anchor + timedelta(days=150), hs + timedelta(days=30))
    return _uniform_time(rng, low, max(low, cutoff + timedelta(days=150)))


def _plan_seat_changes(
    rng: np.random.Generator, account: Account, sub: Subscription, window: Window, end: datetime | None
) -> None:
    """Expansions (with rising usage before them) and contractions (with falling usage before)."""
    limit = min(end or window.horizon, window.horizon)
    if account.trajectory == "expanding":
        at = plus_days(sub.anchor, float(rng.uniform(100, 240)))
        for step in range(3):
            if at >= limit:
                break
            upgrade = step == 0 and rng.random() < 0.35
            at = _mid_month(rng, at) if upgrade else at
            _grow(rng, account, sub, at, float(rng.uniform(1.2, 1.6)), upgrade)
            at = plus_days(at, float(rng.uniform(110, 270)))
    elif account.trajectory == "healthy" and rng.random() < 0.35:
        at = plus_days(sub.anchor, float(rng.uniform(150, 500)))
        if at < limit:
            _grow(rng, account, sub, at, float(rng.uniform(1.08, 1.25)), False)
    elif account.trajectory == "contracting":
        low = max(sub.anchor + timedelta(days=180), window.history_start + timedelta(days=60))
        planned = _uniform_time(rng, low, max(low, window.cutoff + timedelta(days=150)))
        at = sub.boundary_at_or_after(planned) if sub.interval > 1 else _mid_month(rng, planned)
        if at < limit:
            factor = float(rng.uniform(0.45, 0.8))
            account.phases.append(Phase("shrink", plus_days(at, -float(rng.uniform(60, 100))), at, factor))
            apply_seat_change(sub, at, factor, -1 if rng.random() < 0.3 else 0)


def _grow(
    rng: np.random.Generator, account: Account, sub: Subscription, at: datetime, factor: float, upgrade: bool
) -> None:
    account.phases.append(Phase("grow", plus_days(at, -float(rng.uniform(60, 100))), at, factor))
    apply_seat_change(sub, at, factor, 1 if upgrade else 0)


def _add_second_customer(
    rng: np.random.Generator, account: Account, main: Subscription, window: Window, registry: CustomerRegistry
) -> None:
    """A second billing customer (a subsidiary) mapped to the same CRM account."""
    at = plus_days(main.anchor, float(rng.uniform(60, 300)))
    if at >= window.cutoff - timedelta(days=30):
        return
    currency = "EUR" if account.currency == "USD" else "USD"
    customer_id = registry.add(account.account_id, plus_days(at, -1))
    seats = max(3, round(account.seats * float(rng.uniform(0.2, 0.5))))
    interval = (1, 12)[int(rng.integers(2))]
    product = platform_product(rng, account)
    sub = new_subscription(
        rng,
        customer_id,
        at,
        product=product,
        seats=seats,
        interval=interval,
        currency=currency,
        discount=account.discount,
        addon=account.addon,
    )
    if main.ended_at is not None:
        sub.end(main.ended_at)
    account.subscriptions.append(sub)


def _reactivate(rng: np.random.Generator, account: Account, old: Subscription, window: Window, end: datetime) -> None:
    """The account comes back months after churning, on a new subscription of the same customer."""
    room = (window.cutoff - timedelta(days=30) - end).days
    at = plus_days(end, float(rng.uniform(60, max(61, min(240, room)))))
    seats = max(2, round(account.seats * float(rng.uniform(0.5, 1.0))))
    interval = 1 if rng.random() < 0.5 else old.interval
    sub = new_subscription(
        rng,
        old.customer_id,
        at,
        product=platform_product(rng, account),
        seats=seats,
        interval=interval,
        currency=old.currency,
        discount=account.discount,
        addon=account.addon,
    )
    account.subscriptions.append(sub)
    account.episodes.append(at)


# core features an account may take up before an expansion (the ones it can go without)
LEAD_UP_FEATURES = ("api", "integrations", "alerts")
LEAD_UP_DAYS = (170.0, 260.0)  # how long before the seat increase the account starts to outgrow
FULL_BEFORE_DAYS = (80.0, 120.0)  # users reach the lead-up's seat share this long before it
MIN_LEAD_UP_DAYS = 60.0  # a shorter run-up (just after onboarding) keeps only the grow phase's bump
SEAT_SHARE = (0.92, 1.08)  # product users / licensed seats at the top of the lead-up


def plan_lead_ups(account: Account, seed: int) -> None:
    """The lead-up to each expansion: seats filling up, users growing, a core feature taken up.

    Real expansions are foreshadowed months ahead (seat utilization, usage growth, breadth), so
    every grow phase gets a lead-up that starts 170-260 days before its seat increase, after
    the onboarding ramp and the previous expansion. Drawn from its own stream
    (``Stream.EXPANSION``), always four draws a grow phase, so no other draw of the book moves.
    """
    rng = stream(seed, Stream.EXPANSION, account.index)
    used = {"api": account.uses_api, "integrations": account.uses_integrations, "alerts": account.uses_alerts}
    floor = None
    for phase in sorted((p for p in account.phases if p.kind == "grow"), key=lambda p: p.end):
        lead, full_before, share, pick = rng.uniform(0, 1, 4)
        end = phase.end
        starts = [e for e in account.episodes if e <= end]
        if not starts:
            continue
        earliest = plus_days(max(starts), 60)
        if floor is not None:
            earliest = max(earliest, plus_days(floor, 20))
        start = max(plus_days(end, -_between(LEAD_UP_DAYS, lead)), earliest)
        floor = end
        if (end - start).total_seconds() < MIN_LEAD_UP_DAYS * 86400:
            continue
        full = max(plus_days(end, -_between(FULL_BEFORE_DAYS, full_before)), plus_days(start, 45))
        unused = [f for f in LEAD_UP_FEATURES if not used[f]]
        feature = unused[min(int(pick * len(unused)), len(unused) - 1)] if unused else None
        if feature:
            used[feature] = True
        account.lead_ups.append(LeadUp(start, full, end, _between(SEAT_SHARE, share), feature, full))


def _between(bounds: tuple[float, float], u: float) -> float:
    return bounds[0] + (bounds[1] - bounds[0]) * float(u)


def build_orphans(window: Window, registry: CustomerRegistry, seed: int, n_accounts: int) -> list[Subscription]:
    """Billing customers the CRM cannot explain: one unmapped, one pointing at an unknown account."""
    rng = stream(seed, Stream.ORPHANS)
    subs = []
    for account_id, interval, seats in ((None, 1, 40), (unknown_account_id(n_accounts), 12, 25)):
        start = plus_days(window.history_start, float(rng.uniform(20, 200)))
        customer_id = registry.add(account_id, plus_days(start, -0.2))
        subs.append(
            new_subscription(
                rng,
                customer_id,
                start,
                product="platform_team",
                seats=seats,
                interval=interval,
                currency="USD",
                discount=0.0,
            )
        )
    return subs
