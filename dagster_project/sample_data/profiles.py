"""Who the accounts are: random profiles, then the edge cases cast onto some of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np

from .catalog import (
    CURRENCIES,
    DISCOUNTS,
    HIGH_CSMS,
    INDUSTRIES,
    LOW_CSMS,
    NAME_HEADS,
    NAME_SUFFIXES,
    NAME_TAILS,
    REGIONS,
    TIER_INTERVALS,
    TIER_SEATS,
    TIERS,
    TRAJECTORIES,
    TRAJECTORY_WEIGHTS,
)
from .model import Account, Stream, Window, stream
from .timeutil import add_months, plus_days

# --------------------------------------------------------------------------- profiles


def account_ids(n: int) -> list[str]:
    width = max(4, len(str(n)))
    return [f"A-{i:0{width}d}" for i in range(1, n + 1)]


def unknown_account_id(n: int) -> str:
    """An id in the CRM's format that no CRM account has (a hard-deleted account)."""
    return f"A-{0:0{max(4, len(str(n)))}d}"


def _names(rng: np.random.Generator, n: int) -> list[str]:
    """Company names, unique, some with commas or quotes so CSV quoting is exercised."""
    heads = rng.integers(0, len(NAME_HEADS), n)
    tails = rng.integers(0, len(NAME_TAILS), n)
    suffixes = rng.integers(0, len(NAME_SUFFIXES), n)
    seen: dict[str, int] = {}
    names = []
    for h, t, s in zip(heads, tails, suffixes, strict=True):
        base = f"{NAME_HEADS[h]} {NAME_TAILS[t]}"
        seen[base] = seen.get(base, 0) + 1
        numbered = base if seen[base] == 1 else f"{base} {seen[base]}"
        names.append(numbered + NAME_SUFFIXES[s])
    if n >= 3:
        names[2] = f'O\'Hara "Blue" {NAME_TAILS[int(tails[2])]}, Ltd.'
    return names


def _created_at(rng: np.random.Generator, n: int, window: Window) -> tuple[np.ndarray, list[datetime]]:
    """Creation times: 40% before the history window (the installed base), the rest spread over it."""
    pre = rng.random(n) < 0.40
    window_days = (window.cutoff - window.history_start).days
    in_window = rng.uniform(0, window_days - 4, n)
    before = -rng.uniform(1, 730, n)
    offsets = np.where(pre, before, in_window)
    hours = rng.normal(15, 2.5, n).clip(7, 22) / 24
    days = np.floor(offsets) + hours
    return pre, [plus_days(window.history_start, d) for d in days]


def _seats(rng: np.random.Generator, tiers: list[str]) -> list[int]:
    out = []
    draws = rng.normal(0, 0.45, len(tiers))
    for tier, z in zip(tiers, draws, strict=True):
        median, low, high = TIER_SEATS[tier]
        out.append(int(np.clip(round(median * np.exp(z)), low, high)))
    return out


def _csm(rng: np.random.Generator, tier: str) -> str | None:
    if tier == "high":
        return f"{HIGH_CSMS[rng.integers(len(HIGH_CSMS))]}@vendor.example"
    if tier == "low" and rng.random() < 0.9:
        return f"{LOW_CSMS[rng.integers(len(LOW_CSMS))]}@vendor.example"
    if tier == "tech" and rng.random() < 0.2:
        return "pooled-cs@vendor.example"
    return None


def draw_accounts(n: int, window: Window, seed: int) -> list[Account]:
    """Independent random profiles; the edge cases are cast afterwards (:func:`cast_edge_cases`)."""
    rng = stream(seed, Stream.PROFILES)
    tiers = [TIERS[i] for i in rng.choice(3, n, p=[0.55, 0.33, 0.12])]
    trajectories = [TRAJECTORIES[i] for i in rng.choice(len(TRAJECTORIES), n, p=TRAJECTORY_WEIGHTS)]
    pre, created = _created_at(rng, n, window)
    currencies = [CURRENCIES[i] for i in rng.choice(3, n, p=[0.78, 0.16, 0.06])]
    seats = _seats(rng, tiers)
    names = _names(rng, n)
    ids = account_ids(n)
    accounts = []
    for i in range(n):
        tier = tiers[i]
        interval = (1, 3, 12)[rng.choice(3, p=TIER_INTERVALS[tier])]
        discount = float(rng.choice(DISCOUNTS)) if rng.random() < 0.35 else 0.0
        trial = (not pre[i]) and tier != "high" and rng.random() < 0.18
        trajectory = trajectories[i]
        if trial and rng.random() < 0.3:
            trajectory = "trial_lapse"
        currency = currencies[i]
        region = "EMEA" if currency != "USD" else REGIONS[rng.choice(4, p=[0.7, 0.1, 0.12, 0.08])]
        addon = None
        if tier == "high" and rng.random() < 0.5:
            addon = "premium_support"
        elif tier == "low" and rng.random() < 0.2:
            addon = "api_addon"
        accounts.append(
            Account(
                index=i,
                account_id=ids[i],
                name=names[i],
                industry=INDUSTRIES[rng.integers(len(INDUSTRIES))],
                region=region,
                tier=tier,
                trajectory=trajectory,
                created_at=created[i],
                currency=currency,
                interval=int(interval),
                discount=discount,
                seats=seats[i],
                addon=addon,
                trial_days=int(rng.choice([14, 30])) if trial else None,
                csm_email=_csm(rng, tier),
                adopt=float(rng.uniform(0.55, 0.92)),
                daily_p={"tech": 0.16, "low": 0.11, "high": 0.07}[tier] * float(rng.uniform(0.75, 1.3)),
                events_per_user=float(rng.lognormal(np.log(1.6), 0.25)),
                depth=float(rng.uniform(0.45, 0.95)),
                uses_api=bool(rng.random() < (0.6 if addon == "api_addon" or tier == "high" else 0.3)),
                uses_integrations=bool(rng.random() < 0.65),
                uses_alerts=bool(rng.random() < 0.5),
            )
        )
    return accounts


# --------------------------------------------------------------------------- edge cases


def _pick(
    rng: np.random.Generator, accounts: list[Account], taken: set[int], ok: Callable[[Account], bool], role: str
) -> Account | None:
    """Cast one not-yet-cast account satisfying ``ok`` for ``role`` (None if the book is too small)."""
    candidates = [a for a in accounts if a.index not in taken and ok(a)]
    if not candidates:
        return None
    chosen = candidates[int(rng.integers(len(candidates)))]
    taken.add(chosen.index)
    chosen.roles.append(role)
    return chosen


def cast_edge_cases(accounts: list[Account], window: Window, seed: int) -> None:
    """Make sure every case the marts must handle is in the book, whatever the random draw.

    Each case is given to a distinct account chosen at random among those it fits, and the
    account's profile is adjusted so the case really happens before ``end_date``.
    """
    rng = stream(seed, Stream.CASTING)
    taken: set[int] = set()
    hs, cutoff = window.history_start, window.cutoff

    def in_window(a: Account) -> bool:
        return a.created_at >= hs + timedelta(days=35)

    if a := _pick(rng, accounts, taken, lambda a: a.tier == "tech", "trialing"):
        a.trajectory, a.trial_days, a.interval = "healthy", 30, 1
        a.created_at = plus_days(cutoff, -float(rng.uniform(6, 12)))
    if a := _pick(rng, accounts, taken, lambda a: in_window(a) and a.tier != "high", "trial_converted"):
        a.trajectory, a.trial_days = "healthy", 14
    if a := _pick(rng, accounts, taken, lambda a: in_window(a) and a.tier != "high", "trial_lapsed"):
        a.trajectory, a.trial_days = "trial_lapse", 14
    for _ in range(2):
        if a := _pick(rng, accounts, taken, lambda a: a.created_at < cutoff - timedelta(days=450), "reactivated"):
            a.trajectory, a.trial_days = "reactivating", None
    if a := _pick(
        rng, accounts, taken, lambda a: in_window(a) and a.created_at < cutoff - timedelta(days=70), "intra_month"
    ):
        a.trajectory, a.trial_days, a.interval, a.tier = "intra_month", None, 1, "tech"
        a.seats, a.addon = min(a.seats, 12), None
        a.created_at = a.created_at.replace(day=int(rng.integers(2, 6)))
    for _ in range(max(3, len(accounts) // 60)):
        if a := _pick(
            rng,
            accounts,
            taken,
            lambda a: a.created_at < cutoff - timedelta(days=400) and a.tier != "tech",
            "merged",
        ):
            a.merged, a.trajectory, a.trial_days = True, ("healthy", "expanding")[int(rng.integers(2))], None
    _cast_renewals(rng, accounts, taken, window)
    _cast_segments(rng, accounts, taken)
    if a := _pick(rng, accounts, taken, lambda a: a.trajectory == "churning", "deleted_churned"):
        a.is_deleted = True
    if a := _pick(
        rng,
        accounts,
        taken,
        lambda a: a.trajectory == "healthy" and a.trial_days is None and a.created_at < cutoff - timedelta(days=90),
        "deleted",
    ):
        a.is_deleted = True
    for currency in ("EUR", "GBP"):
        if a := _pick(rng, accounts, taken, lambda a: a.trajectory in ("healthy", "expanding"), currency):
            a.currency, a.region, a.interval = currency, "EMEA", 12 if currency == "EUR" else 3
    if a := _pick(
        rng,
        accounts,
        taken,
        lambda a: a.trajectory == "churning" and a.created_at < cutoff - timedelta(days=420) and not a.trial_days,
        "departed_champion",
    ):
        # monthly, so the contract really ends (and the champion has left) before the cutoff
        a.interval = 1
        a.forced_churn = plus_days(cutoff, -float(rng.uniform(60, 200)))


def _cast_renewals(rng: np.random.Generator, accounts: list[Account], taken: set[int], window: Window) -> None:
    """Annual renewals in the next 120 days, and cancellation notices on terms about to end."""
    cutoff = window.cutoff

    def annual_start(days_ahead: float) -> tuple[datetime, int]:
        """A start whose 1st or 2nd anniversary falls ``days_ahead`` after the cutoff."""
        years = int(rng.integers(1, 3))
        start = add_months(plus_days(cutoff, days_ahead), -12 * years).replace(hour=int(rng.integers(8, 20)))
        return start, years

    for _ in range(3):
        if a := _pick(rng, accounts, taken, lambda a: a.tier != "tech", "renewal_soon"):
            a.trajectory, a.trial_days, a.interval = "healthy", None, 12
            a.forced_start, _ = annual_start(float(rng.uniform(10, 110)))
            a.created_at = plus_days(a.forced_start, -float(rng.uniform(1, 6)))
    if a := _pick(rng, accounts, taken, lambda a: a.tier != "tech", "cancel_notice_annual"):
        a.trajectory, a.trial_days, a.interval = "churning", None, 12
        a.forced_start, years = annual_start(float(rng.uniform(25, 100)))
        a.created_at = plus_days(a.forced_start, -float(rng.uniform(1, 6)))
        a.forced_churn = add_months(a.forced_start, 12 * years)
    if a := _pick(rng, accounts, taken, lambda a: a.created_at < cutoff - timedelta(days=200), "cancel_notice_monthly"):
        a.trajectory, a.trial_days, a.interval = "churning", None, 1
        a.forced_churn = plus_days(cutoff, float(rng.uniform(3, 20)))


def _cast_segments(rng: np.random.Generator, accounts: list[Account], taken: set[int]) -> None:
    """Strategic designations that disagree with ARR, so the override visibly matters."""
    overrides = (("tech", "high_touch"), ("high", "low_touch"), ("low", "high_touch"), ("low", "tech_touch"))
    for tier, segment in overrides:
        if a := _pick(
            rng, accounts, taken, lambda a, t=tier: a.tier == t and a.trajectory != "trial_lapse", "segment_override"
        ):
            a.segment_override = segment
