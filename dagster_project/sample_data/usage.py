"""Product usage events, simulated a calendar month at a time with NumPy (no loop per event).

Per account and day the book gives a pool of product users (seats × adoption, shrinking in a
decline, growing before an expansion), the chance that a user is active on a weekday, and how
deep the usage goes. Per month, active users are a binomial draw from the pool, events a
Poisson draw per active user, then every event gets a user, a time of day (the account's
business hours) and an event name (deep features less likely as an account disengages).

A month is always simulated whole, with its own random stream, so the events of any day are
the same whether the month is written as a monthly batch or a single day is added later (the
per-day state is elementwise arithmetic, identical whatever date range it is computed for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .catalog import REGION_HOUR_UTC
from .model import Account, Book, Stream, stream
from .timeutil import add_months, day_number, fractional_day, month_start

# name, feature (None = no feature), weight in shallow use, weight in deep use
EVENT_CATALOG: tuple[tuple[str, str | None, float, float], ...] = (
    ("login", None, 0.42, 0.16),
    ("report_viewed", "reports", 0.32, 0.19),
    ("export", "reports", 0.05, 0.07),
    ("dashboard_viewed", "dashboards", 0.12, 0.14),
    ("dashboard_created", "dashboards", 0.01, 0.05),
    ("search_performed", "search", 0.03, 0.04),
    ("integration_connected", "integrations", 0.002, 0.008),
    ("integration_synced", "integrations", 0.0, 0.06),
    ("api_call", "api", 0.015, 0.13),
    ("alert_configured", "alerts", 0.002, 0.02),
    ("alert_viewed", "alerts", 0.004, 0.05),
    ("user_invited", "admin", 0.003, 0.015),
    ("settings_changed", "admin", 0.005, 0.012),
)
EVENT_NAMES = tuple(e[0] for e in EVENT_CATALOG)
_SHALLOW_CDF = np.cumsum([e[2] for e in EVENT_CATALOG]) / sum(e[2] for e in EVENT_CATALOG)
_DEEP_CDF = np.cumsum([e[3] for e in EVENT_CATALOG]) / sum(e[3] for e in EVENT_CATALOG)
# events of a feature an account does not use are replaced by a common event
_FEATURE_FALLBACK = {"api": "report_viewed", "integrations": "dashboard_viewed", "alerts": "report_viewed"}
WEEKDAY_FACTOR = np.array([1.0, 1.0, 1.0, 0.97, 0.85, 0.12, 0.09])  # Monday first
EVENT_COLUMNS = ("month", "seq", "ts", "acct", "user", "name")


@dataclass(frozen=True)
class DayState:
    """Per account (rows) and day (columns): user pool, daily activity chance, usage depth."""

    first_day: int  # day number of column 0
    users: np.ndarray
    activity: np.ndarray
    depth: np.ndarray
    lead_up_users: np.ndarray  # users with the expansion lead-ups (>= users; see model.LeadUp)

    def window(self, first_day: int, n_days: int) -> DayState:
        """The columns of ``n_days`` days from ``first_day`` (which must be inside this state)."""
        start = first_day - self.first_day
        if start < 0 or start + n_days > self.users.shape[1]:
            raise ValueError("requested days are outside the computed state")
        cols = slice(start, start + n_days)
        return DayState(
            first_day, self.users[:, cols], self.activity[:, cols], self.depth[:, cols], self.lead_up_users[:, cols]
        )


def _subscription_seats(account: Account, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Seats in force and whether any subscription is active, at fractional days ``t``."""
    seats = np.zeros(t.shape)
    active = np.zeros(t.shape, dtype=bool)
    for sub in account.subscriptions:
        start = float(day_number(sub.started_at))
        end = np.inf if sub.ended_at is None else float(day_number(sub.ended_at))
        on = (t >= start) & (t < end)
        platform = sorted((v for v in sub.versions if v.line == 0), key=lambda v: v.valid_from)
        froms = np.array([fractional_day(v.valid_from) for v in platform])
        quantities = np.array([v.quantity for v in platform], dtype=float)
        idx = np.searchsorted(froms, t, side="right") - 1
        seats += np.where(on, quantities[np.clip(idx, 0, None)], 0.0)
        active |= on
    return seats, active


def _onboarding_ramp(account: Account, t: np.ndarray) -> np.ndarray:
    """New (and returning) customers take about two months to roll the product out."""
    starts = np.array(sorted(fractional_day(e) for e in account.episodes))
    idx = np.searchsorted(starts, t, side="right") - 1
    since = t - starts[np.clip(idx, 0, None)]
    return np.where(idx >= 0, 0.25 + 0.75 * np.clip(since / 60, 0, 1), 0.0)


def _phase_multipliers(account: Account, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How phases bend users, activity and depth: the foreshadowing of churn and expansion."""
    users, activity, depth = np.ones(t.shape), np.ones(t.shape), np.ones(t.shape)
    for phase in account.phases:
        start, end = fractional_day(phase.start), fractional_day(phase.end)
        progress = np.where(t < end, np.clip((t - start) / max(end - start, 1.0), 0, 1), 0.0)
        if phase.kind == "decline":
            users *= 1 - (1 - phase.target) * progress
            activity *= 1 - 0.6 * progress
            depth *= 1 - 0.6 * progress
        elif phase.kind == "shrink":
            users *= 1 - (1 - 0.95 * phase.target) * progress
            activity *= 1 - 0.3 * progress
            depth *= 1 - 0.3 * progress
        else:  # grow: users approach the new seat count before it is bought
            target = min(0.9 * phase.target, 1.12 / account.adopt)
            users *= 1 + (target - 1) * progress
            activity *= 1 + 0.3 * progress
            depth *= 1 + 0.15 * progress
    return users, activity, depth


def _wobble(account: Account, t: np.ndarray, salt: float) -> np.ndarray:
    """Slow, smooth per-account variation (weeks to months), the same for any date range."""
    phase = (account.index * 0.6180339887 + salt) % 1.0 * 2 * np.pi
    return 1 + 0.07 * np.sin(2 * np.pi * t / 47 + phase) + 0.04 * np.sin(2 * np.pi * t / 13 + 2 * phase)


def _lead_up_multipliers(account: Account, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(users, depth) multipliers of the expansion lead-ups: users climb to the lead-up's share
    of the seats by ``full`` and stay there until the seats are bought; usage deepens with them."""
    users, depth = np.ones(t.shape), np.ones(t.shape)
    for lead in account.lead_ups:
        start, full, end = fractional_day(lead.start), fractional_day(lead.full), fractional_day(lead.end)
        progress = np.where((t >= start) & (t < end), np.clip((t - start) / max(full - start, 1.0), 0, 1), 0.0)
        users = np.maximum(users, 1 + max(lead.seat_share / account.adopt - 1, 0.0) * progress)
        depth = np.maximum(depth, 1 + 0.25 * progress)
    return users, depth


def account_day_state(account: Account, days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(users, activity, depth, users with the expansion lead-ups) of one account per day."""
    t = days + 0.5
    seats, active = _subscription_seats(account, t)
    ramp = _onboarding_ramp(account, t)
    m_users, m_activity, m_depth = _phase_multipliers(account, t)
    lead_users, lead_depth = _lead_up_multipliers(account, t)
    base = seats * account.adopt * ramp * m_users * _wobble(account, t, 0.0)
    users = np.where(active, np.maximum(base, 1.0), 0.0)
    # a lead-up fills the seats: the pool is the larger of its share and the grow phase's climb
    # (expanding accounts are in no decline, so the lead-up ignores the other phases)
    seat_fill = seats * account.adopt * ramp * lead_users * _wobble(account, t, 0.0)
    lead_up_users = np.where(active & (lead_users > 1), np.maximum(np.maximum(base, seat_fill), 1.0), users)
    activity = np.clip(account.daily_p * m_activity * _wobble(account, t, 0.37), 0, 0.95)
    depth = np.clip(account.depth * m_depth * lead_depth * (0.6 + 0.4 * ramp), 0.05, 1.0)
    return users, activity, depth, lead_up_users


def day_state(book: Book, first_day: int, n_days: int) -> DayState:
    days = np.arange(first_day, first_day + n_days, dtype=float)
    shape = (len(book.accounts), n_days)
    users, activity, depth, lead_up = np.zeros(shape), np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for row, account in enumerate(book.accounts):
        if account.subscriptions:
            users[row], activity[row], depth[row], lead_up[row] = account_day_state(account, days)
    return DayState(first_day, users, activity, depth, lead_up)


# --------------------------------------------------------------------------- simulation


def _day_factor(days: np.ndarray) -> np.ndarray:
    """Weekday rhythm, and a quiet week between Christmas and New Year."""
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    dates = pd.to_datetime(days, unit="D")
    holiday = ((dates.month == 12) & (dates.day >= 24)) | ((dates.month == 1) & (dates.day == 1))
    return WEEKDAY_FACTOR[weekday] * np.where(holiday, 0.35, 1.0)


def _feature_since(book: Book, feature: str) -> np.ndarray:
    """Per account, the first day number it uses ``feature`` (-inf from the start, inf never)."""
    since = np.array([-np.inf if getattr(a, f"uses_{feature}") else np.inf for a in book.accounts])
    for row, account in enumerate(book.accounts):
        for lead in account.lead_ups:
            if lead.feature == feature:
                since[row] = min(since[row], float(day_number(lead.feature_at)))
    return since


def _event_names(
    rng: np.random.Generator, book: Book, acct: np.ndarray, depth: np.ndarray, day: np.ndarray
) -> np.ndarray:
    deep = rng.random(len(acct)) < depth
    u = rng.random(len(acct))
    names = np.where(deep, np.searchsorted(_DEEP_CDF, u, side="right"), np.searchsorted(_SHALLOW_CDF, u, side="right"))
    names = np.minimum(names, len(EVENT_CATALOG) - 1)
    for feature, fallback in _FEATURE_FALLBACK.items():
        uses = day >= _feature_since(book, feature)[acct]
        of_feature = np.isin(names, [i for i, e in enumerate(EVENT_CATALOG) if e[1] == feature])
        names = np.where(of_feature & ~uses, EVENT_NAMES.index(fallback), names)
    return names.astype(np.int8)


def month_days(month: date) -> tuple[int, int]:
    """(first day number, number of days) of the calendar month of ``month``."""
    first = month_start(month)
    return day_number(first), day_number(add_months(first, 1)) - day_number(first)


def _draw_events(
    rng: np.random.Generator,
    book: Book,
    days: np.ndarray,
    pool: np.ndarray,
    p: np.ndarray,
    depth: np.ndarray,
    scale: float,
    first_user: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(acct, ts, user, name) of the events of ``pool`` users (account × day); user numbers
    start at ``first_user`` (per account and day)."""
    dau = rng.binomial(pool, p)
    epu = np.array([a.events_per_user for a in book.accounts])[:, None]
    counts = rng.poisson(dau * epu * scale)
    rows, cols = np.nonzero(counts)
    per_cell = counts[rows, cols]
    acct = np.repeat(rows, per_cell)
    day_col = np.repeat(cols, per_cell)
    n = len(acct)
    # users: today's active users are a window into the pool; low numbers are the regulars
    offset = np.floor(pool[rows, cols] * rng.random(len(rows)) ** 2).astype(np.int64)
    k = np.floor(rng.random(n) * np.repeat(dau[rows, cols], per_cell)).astype(np.int64)
    user = (np.repeat(offset, per_cell) + k) % np.repeat(pool[rows, cols], per_cell) + np.repeat(
        first_user[rows, cols], per_cell
    )
    hours = np.array([REGION_HOUR_UTC[a.region] for a in book.accounts])[acct] + rng.normal(0, 2.6, n)
    seconds = np.floor(np.clip(hours, 0, 23.999) * 3600 + rng.uniform(0, 60, n)).astype(np.int64)
    ts = days[day_col].astype(np.int64) * 86400 + np.clip(seconds, 0, 86399)
    names = _event_names(rng, book, acct, depth[acct, day_col], days[day_col])
    return acct, ts, user, names


def simulate_month(book: Book, month: date, scale: float, state: DayState | None = None) -> pd.DataFrame:
    """All events of one calendar month (even days after ``end_date``), sorted, with sequence ids.

    ``state`` may cover more than the month (computed once for a whole history); by default
    it is computed for the month alone. The users an expansion lead-up adds are drawn from
    their own stream (``Stream.EXPANSION_USAGE``) after the others, numbered after the pool,
    so the events of every other account and user stay the draws they were.
    """
    first = month_start(month)
    first_day, n_days = month_days(month)
    state = day_state(book, first_day, n_days) if state is None else state.window(first_day, n_days)
    month_key = first.year * 100 + first.month
    rng = stream(book.seed, Stream.USAGE, month_key)
    days = np.arange(first_day, first_day + n_days)
    pool = np.rint(state.users).astype(np.int64)
    p = np.clip(state.activity * _day_factor(days)[None, :], 0, 1)
    parts = [_draw_events(rng, book, days, pool, p, state.depth, scale, np.ones_like(pool))]
    added = np.maximum(np.rint(state.lead_up_users).astype(np.int64) - pool, 0)
    if added.any():
        lead_rng = stream(book.seed, Stream.EXPANSION_USAGE, month_key)
        parts.append(_draw_events(lead_rng, book, days, added, p, state.depth, scale, pool + 1))
    acct, ts, user, names = (np.concatenate(arrays) for arrays in zip(*parts, strict=True))
    n = len(acct)
    order = np.lexsort((names, user, acct, ts))
    return pd.DataFrame(
        {
            "month": np.full(n, month_key, dtype=np.int32),
            "seq": np.arange(1, n + 1, dtype=np.int64),
            "ts": ts[order],
            "acct": acct[order].astype(np.int32),
            "user": user[order].astype(np.int32),
            "name": names[order],
        }
    )


# --------------------------------------------------------------------------- delivery


def redeliveries(
    previous: pd.DataFrame, seed: int, key: int, *, late_share: float, duplicate_share: float, tail_seconds: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Split a batch's events into (kept, late, duplicates) for the next batch.

    Late events happened in the last ``tail_seconds`` of the previous period but only arrive
    with the next batch; duplicates are sent in both batches (same row, same ``event_id``).
    """
    if previous.empty:
        return previous, previous.iloc[0:0], previous.iloc[0:0]
    rng = stream(seed, Stream.DELIVERY, key)
    tail = np.flatnonzero(previous["ts"].to_numpy() >= previous["ts"].max() - tail_seconds)
    n_late = min(len(tail), max(1, round(late_share * len(previous)))) if late_share > 0 else 0
    late_idx = np.sort(rng.choice(tail, n_late, replace=False))
    is_late = np.zeros(len(previous), dtype=bool)
    is_late[late_idx] = True
    rest = np.flatnonzero(~is_late)
    n_dup = min(len(rest), max(1, round(duplicate_share * len(previous)))) if duplicate_share > 0 else 0
    dup_idx = np.sort(rng.choice(rest, n_dup, replace=False))
    return previous.iloc[rest], previous.iloc[late_idx], previous.iloc[dup_idx]
