"""The CRM snapshot at ``end_date``, driven by each account's latent risk.

The same risk curve that fades a churner's usage (see :meth:`Account.risk`) makes its
champion leave, its executives skip QBRs, its tickets spike and escalate, its NPS drop and
its goals go unmet, so health components agree with each other and with the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from .catalog import REGION_HOUR_UTC
from .model import Account, Book, Stream, Subscription, plan_price, stream
from .tables import Cell, Table, boolean, money
from .timeutil import fractional_day, iso_date, iso_ts, plus_days

ROLES = ("champion", "economic_buyer", "exec_sponsor", "technical_lead", "user", "other")
TITLES = {
    "champion": ("Head of Operations", "Director of Analytics", "RevOps Manager", "Data Lead"),
    "economic_buyer": ("CFO", "VP, Finance", "COO"),
    "exec_sponsor": ("CEO", "CTO", "VP Operations", "Chief Data Officer"),
    "technical_lead": ("Staff Engineer", "IT Manager", "Data Engineer"),
    "user": ("Analyst", "Ops Specialist", "Account Manager", "Sales Analyst"),
    "other": ("Procurement Manager", "Legal Counsel", None),
}
FIRST_NAMES = (
    "pat",
    "lee",
    "sam",
    "alex",
    "jordan",
    "maria",
    "wei",
    "noor",
    "lars",
    "ines",
    "kofi",
    "yuki",
    "omar",
    "elena",
    "ravi",
    "chloe",
    "diego",
    "hana",
    "ivan",
    "zoe",
)
LAST_NAMES = (
    "smith",
    "garcia",
    "chen",
    "novak",
    "okafor",
    "tanaka",
    "muller",
    "silva",
    "khan",
    "dubois",
    "berg",
    "rossi",
    "kowalski",
    "nguyen",
    "haddad",
    "lindqvist",
)
# how present executives are at the meetings that matter, by trajectory
EXEC_ENGAGEMENT = {
    "healthy": 0.85,
    "expanding": 0.9,
    "contracting": 0.45,
    "churning": 0.15,
    "reactivating": 0.35,
    "trial_lapse": 0.1,
    "intra_month": 0.1,
}
GOAL_SUCCESS = {
    "healthy": 0.8,
    "expanding": 0.88,
    "contracting": 0.5,
    "churning": 0.22,
    "reactivating": 0.45,
    "trial_lapse": 0.05,
    "intra_month": 0.05,
}
MILESTONE_SUCCESS = {
    "healthy": 0.95,
    "expanding": 0.97,
    "contracting": 0.88,
    "churning": 0.7,
    "reactivating": 0.8,
    "trial_lapse": 0.45,
    "intra_month": 0.4,
}
MILESTONES = (
    ("kickoff", 5),
    ("technical_setup", 21),
    ("integration_connected", 35),
    ("first_value", 50),
    ("team_adoption", 80),
)
MEETING_CADENCE_DAYS = {  # periodic meetings: (days between, share of accounts that have them)
    "high": {"qbr": (91, 1.0), "ebr": (365, 1.0), "check_in": (30, 1.0)},
    "low": {"qbr": (120, 0.8), "check_in": (45, 1.0)},
    "tech": {"check_in": (120, 0.3)},
}
TOUCH_RATE_PER_30D = {  # ad-hoc touches: expected count per 30 days at zero risk
    "high": {"call": 1.0, "email": 3.0, "workshop": 0.17},
    "low": {"call": 0.5, "email": 1.5, "workshop": 0.07},
    "tech": {"call": 0.15, "email": 0.6, "workshop": 0.02},
}
TICKETS_PER_30D = {"tech": 0.25, "low": 0.8, "high": 2.2}
RESOLVE_DAYS = {"low": 8.0, "normal": 5.0, "high": 2.5, "urgent": 1.0}
OVERRIDE_KEY = 10**9  # stream key of the health-override draw (not an account index)


@dataclass
class Contact:
    account_id: str
    email: str
    title: str | None
    role: str
    created_at: datetime
    departed_at: datetime | None
    contact_id: str = ""

    def present(self, moment: datetime) -> bool:
        return self.created_at <= moment and (self.departed_at is None or self.departed_at > moment)


@dataclass
class Period:
    """One customer episode of an account, clipped to what has happened by the cutoff."""

    start: datetime
    end: datetime  # exclusive; the cutoff for ongoing episodes
    ended: bool  # the account really left at ``end``


def periods_of(account: Account, cutoff: datetime) -> list[Period]:
    out = []
    for start, end in account.customer_periods():
        if start >= cutoff:
            continue
        ended = end is not None and end < cutoff
        out.append(Period(start, end if ended else cutoff, ended))
    return out


def _time_of_day(rng: np.random.Generator, day: datetime, account: Account) -> datetime:
    hour = float(np.clip(rng.normal(REGION_HOUR_UTC[account.region] - 1, 2.0), 0, 23.5))
    return day.replace(hour=0, minute=0, second=0) + timedelta(seconds=round(hour * 3600))


# --------------------------------------------------------------------------- contacts


def _domain(account: Account) -> str:
    words = "".join(c if c.isalnum() else " " for c in account.name.lower()).split()
    return "-".join(words[:2]) + ".example"


def _departure(rng: np.random.Generator, account: Account, role: str, created: datetime) -> datetime | None:
    """Key people leave more often, and around the start of the decline, in accounts that churn."""
    churner = account.trajectory in ("churning", "reactivating")
    decline = next((p for p in account.phases if p.kind == "decline"), None) if churner else None
    forced = "departed_champion" in account.roles and role == "champion"
    if decline is not None and role in ("champion", "economic_buyer"):
        p = {"champion": 0.65, "economic_buyer": 0.35}[role]
        if forced or rng.random() < p:
            return max(plus_days(decline.start, float(rng.uniform(-45, 20))), plus_days(created, 30))
        return None
    p = {"champion": 0.12, "economic_buyer": 0.08}.get(role, 0.1)
    if rng.random() < p:
        return plus_days(created, float(rng.uniform(120, 900)))
    return None


def _roster(rng: np.random.Generator, account: Account) -> list[str]:
    extra_users = {"tech": (0, 2), "low": (1, 3), "high": (2, 5)}[account.tier]
    roles = ["champion", "economic_buyer"]
    if account.tier != "tech" or rng.random() < 0.7:
        roles.append("technical_lead")
    if rng.random() < {"tech": 0.15, "low": 0.6, "high": 1.0}[account.tier]:
        roles.append("exec_sponsor")
    roles += ["user"] * int(rng.integers(*extra_users))
    if rng.random() < 0.3:
        roles.append("other")
    return roles


def contacts_of(rng: np.random.Generator, account: Account, periods: list[Period]) -> list[Contact]:
    names: set[str] = set()
    domain = _domain(account)

    def person(role: str, created: datetime, departed: datetime | None) -> Contact:
        while True:
            name = f"{FIRST_NAMES[rng.integers(len(FIRST_NAMES))]}.{LAST_NAMES[rng.integers(len(LAST_NAMES))]}"
            if name not in names:
                break
        names.add(name)
        titles = TITLES[role]
        return Contact(
            account.account_id, f"{name}@{domain}", titles[rng.integers(len(titles))], role, created, departed
        )

    contacts = []
    for n, role in enumerate(_roster(rng, account)):
        created = account.created_at if n == 0 else plus_days(account.created_at, float(rng.uniform(0, 60)))
        contact = person(role, created, _departure(rng, account, role, created))
        contacts.append(contact)
        if contact.departed_at is not None and role == "champion":
            declining = any(p.kind == "decline" for p in account.phases)
            replaced = rng.random() < (0.3 if declining else 0.9)
            if replaced:
                contacts.append(person(role, plus_days(contact.departed_at, float(rng.uniform(10, 75))), None))
    for period in periods[1:]:  # a reactivation brings a new champion
        contacts.append(person("champion", plus_days(period.start, -float(rng.uniform(0, 14))), None))
    return contacts


# --------------------------------------------------------------------------- activities


def _meeting_times(rng: np.random.Generator, account: Account, period: Period) -> list[tuple[str, datetime]]:
    out = [("kickoff", plus_days(period.start, float(rng.uniform(1, 6))))]
    for kind, (every, share) in MEETING_CADENCE_DAYS[account.tier].items():
        if rng.random() >= share:
            continue
        first = float(rng.uniform(every * 0.6, every * 1.1))
        for offset in np.arange(first, (period.end - period.start).days, every):
            out.append((kind, plus_days(period.start, float(offset + rng.normal(0, 5)))))
    span = (period.end - period.start).total_seconds() / 86400
    for kind, rate in TOUCH_RATE_PER_30D[account.tier].items():
        boost = 3.0 if kind != "workshop" else 1.0  # touches rise with risk: thin a boosted draw
        candidates = np.sort(rng.uniform(0, span, rng.poisson(rate * boost * span / 30)))
        risk = account.risk(fractional_day(period.start) + candidates)
        keep_p = (1 + 2 * risk) / 3 if kind != "workshop" else 1 - 0.8 * risk
        for offset in candidates[rng.random(len(candidates)) < keep_p]:
            out.append((kind, plus_days(period.start, float(offset))))
    return [(k, t) for k, t in out if period.start < t < period.end]


def _attendees(
    rng: np.random.Generator, account: Account, kind: str, moment: datetime, contacts: list[Contact], risk: float
) -> str | None:
    present = {c.role for c in contacts if c.present(moment)}
    engagement = EXEC_ENGAGEMENT[account.trajectory] * (1 - 0.7 * risk)
    chance = {
        "champion": 0.9 * (1 - 0.5 * risk),
        "economic_buyer": {"qbr": engagement, "ebr": engagement, "kickoff": 0.6}.get(kind, 0.08),
        "exec_sponsor": {"qbr": 0.7 * engagement, "ebr": engagement, "kickoff": 0.5}.get(kind, 0.03),
        "technical_lead": {"workshop": 0.9, "kickoff": 0.8}.get(kind, 0.3),
        "user": 0.7 if kind == "workshop" else 0.15,
        "other": 0.05,
    }
    roles = [r for r in ROLES if r in present and rng.random() < chance[r]]
    if not roles and present:
        roles = [next(r for r in ROLES if r in present)]
    return ";".join(roles) if roles else None


def activities_of(
    rng: np.random.Generator, account: Account, periods: list[Period], contacts: list[Contact], cutoff: datetime
) -> list[tuple[datetime, tuple[Cell, ...]]]:
    rows = []
    for period in periods:
        for kind, moment in _meeting_times(rng, account, period):
            moment = _time_of_day(rng, moment, account)
            if moment >= cutoff:
                continue
            risk = account.risk_at(moment)
            status = "completed"
            if kind != "email":
                draw = rng.random()
                if draw < 0.03 + 0.22 * risk:
                    status = "no_show"
                elif draw < 0.07 + 0.37 * risk:
                    status = "cancelled"
                elif moment > cutoff - timedelta(days=3) and rng.random() < 0.6:
                    status = "scheduled"
            roles = _attendees(rng, account, kind, moment, contacts, risk) if status == "completed" else None
            rows.append((moment, (account.account_id, kind, iso_ts(moment), status, roles)))
    return rows


# --------------------------------------------------------------------------- goals & milestones


def goals_of(
    rng: np.random.Generator, account: Account, periods: list[Period], cutoff: datetime
) -> list[tuple[datetime, tuple[Cell, ...]]]:
    rows = []
    for period in periods:
        count = {"tech": 0, "low": 1, "high": 2}[account.tier] + int(
            rng.poisson({"tech": 0.6, "low": 1.0, "high": 1.5}[account.tier])
        )
        created = plus_days(period.start, float(rng.uniform(10, 45)))
        for _ in range(count):
            if created >= period.end:
                break
            target = plus_days(created, float(rng.uniform(60, 240)))
            success = rng.random() < GOAL_SUCCESS[account.trajectory] * (1 - 0.6 * account.risk_at(target))
            achieved_at = max(plus_days(target, -float(rng.uniform(-20, 50))), plus_days(created, 14))
            if success and achieved_at < period.end:
                status = "achieved"
            elif target < cutoff or period.ended:
                status = "missed"
                achieved_at = None
            else:
                status = "in_progress" if rng.random() < 0.75 else "not_started"
                achieved_at = None
            roi_p = 0.75 if account.trajectory in ("healthy", "expanding") else 0.3
            roi = status == "achieved" and rng.random() < roi_p
            rows.append(
                (
                    created,
                    (account.account_id, status, boolean(roi), iso_date(target), iso_ts(achieved_at), iso_ts(created)),
                )
            )
            created = plus_days(created, float(rng.uniform(45, 150)))
    return rows


def milestones_of(
    rng: np.random.Generator, account: Account, periods: list[Period]
) -> list[tuple[datetime, tuple[Cell, ...]]]:
    """The five onboarding milestones of the first episode; churners complete fewer of them."""
    if not periods:
        return []
    period = periods[0]
    p = MILESTONE_SUCCESS[account.trajectory] * (0.93 if account.tier == "tech" else 1.0)
    rows, chain_ok = [], True
    for name, offset in MILESTONES:
        due = plus_days(period.start, offset)
        done = rng.random() < (p if chain_ok else p * 0.5)
        completed = max(plus_days(due, float(rng.normal(-2, 6))), plus_days(period.start, 1))
        if not done or completed >= period.end:
            completed, chain_ok = None, False
        else:
            completed = _time_of_day(rng, completed, account)
            if completed >= period.end:
                completed, chain_ok = None, False
        rows.append((due, (account.account_id, name, iso_date(due), iso_ts(completed))))
    return rows


# --------------------------------------------------------------------------- opportunities


def _opportunity(
    account: Account, sub: Subscription, kind: str, stage: str, close: datetime, amount: float, created: datetime
) -> tuple[datetime, tuple[Cell, ...]]:
    return (
        created,
        (account.account_id, kind, stage, iso_date(close), money(max(amount, 0.0)), sub.currency, iso_ts(created)),
    )


def _renewals(
    rng: np.random.Generator, account: Account, sub: Subscription, cutoff: datetime
) -> list[tuple[datetime, tuple[Cell, ...]]]:
    """Annual renewals: won or lost as billing shows, open for those due in the next 120 days."""
    if sub.interval < 12:
        return []
    rows = []
    for boundary in sub.boundaries(cutoff + timedelta(days=120)):
        if sub.ended_at is not None and boundary > sub.ended_at:
            break
        created = max(plus_days(boundary, -120 + float(rng.uniform(-10, 10))), plus_days(sub.anchor, 1))
        if created >= cutoff:
            continue
        arr = sub.arr(boundary - timedelta(seconds=1))
        lost = sub.ended_at == boundary
        if boundary < cutoff:
            stage, close = ("closed_lost" if lost else "closed_won"), boundary
            arr = arr if lost else sub.arr(boundary)
        elif lost and sub.notice_at is not None and sub.notice_at < cutoff:
            stage, close = "closed_lost", sub.notice_at
        else:
            stage, close = "open", boundary
        rows.append(_opportunity(account, sub, "renewal", stage, close, arr, created))
    return rows


def opportunities_of(
    rng: np.random.Generator, account: Account, cutoff: datetime
) -> list[tuple[datetime, tuple[Cell, ...]]]:
    rows = []
    for n, sub in enumerate(account.subscriptions):
        kind = "expansion" if n > 0 and sub.customer_id != account.subscriptions[0].customer_id else "new_business"
        created = account.created_at if n == 0 else plus_days(sub.started_at, -float(rng.uniform(20, 60)))
        lapsed = account.trajectory == "trial_lapse"
        stage = ("closed_lost" if lapsed else "closed_won") if sub.anchor < cutoff else "open"
        platform = sub.current(0)
        list_arr = platform.quantity * plan_price(platform.product, sub.currency, 12)
        amount = list_arr if lapsed else sub.arr(sub.anchor)
        rows.append(_opportunity(account, sub, kind, stage, sub.anchor, amount, created))
        rows.extend(_renewals(rng, account, sub, cutoff))
    main = account.subscriptions[0] if account.subscriptions else None
    for phase in account.phases:
        if phase.kind != "grow" or main is None:
            continue
        created = plus_days(phase.end, -float(rng.uniform(20, 60)))
        if created >= cutoff or phase.end > cutoff + timedelta(days=150):
            continue
        delta = main.arr(phase.end) - main.arr(phase.end - timedelta(seconds=1))
        stage = "closed_won" if phase.end < cutoff else "open"
        rows.append(_opportunity(account, main, "expansion", stage, phase.end, delta, created))
    if main is not None and account.trajectory in ("contracting", "churning") and rng.random() < 0.4:
        at = plus_days(main.anchor, float(rng.uniform(60, 200)))
        if at < min(cutoff, main.ended_at or cutoff):
            rows.append(
                _opportunity(account, main, "expansion", "closed_lost", at, 0.2 * main.arr(at), plus_days(at, -30))
            )
    return rows


# --------------------------------------------------------------------------- tickets & NPS


def tickets_of(
    rng: np.random.Generator, account: Account, periods: list[Period], cutoff: datetime
) -> list[tuple[datetime, tuple[Cell, ...]]]:
    """Weekly Poisson tickets; risk multiplies volume, urgency, escalations and lowers CSAT."""
    rows = []
    for period in periods:
        weeks = np.arange(fractional_day(period.start), fractional_day(period.end), 7.0)
        risk = account.risk(weeks + 3.5)
        onboarding = np.where(weeks - weeks[0] < 60, 1.6, 1.0) if len(weeks) else weeks
        lam = TICKETS_PER_30D[account.tier] / 30 * 7 * (1 + 2.5 * risk) * onboarding
        counts = rng.poisson(lam)
        opened_days = np.repeat(weeks, counts) + rng.uniform(0, 7, counts.sum())
        ticket_risk = np.repeat(risk, counts)
        for day, r in zip(opened_days, ticket_risk, strict=True):
            opened = plus_days(datetime(1970, 1, 1), float(day))
            if opened >= min(period.end, cutoff):
                continue
            weights = np.array([0.30 - 0.15 * r, 0.50 - 0.10 * r, 0.15 + 0.12 * r, 0.05 + 0.13 * r])
            priority = ("low", "normal", "high", "urgent")[rng.choice(4, p=weights / weights.sum())]
            escalated = rng.random() < 0.03 + 0.35 * r + (0.25 if priority == "urgent" else 0.0)
            closed = plus_days(opened, float(rng.exponential(RESOLVE_DAYS[priority] * (1 + r))))
            closed_at = closed if closed < cutoff else None
            csat = None
            if closed_at is not None and rng.random() < 0.55:
                csat = int(np.clip(round(rng.normal(4.5 - 2.4 * r - 0.5 * escalated, 0.8)), 1, 5))
            rows.append(
                (
                    opened,
                    (
                        account.account_id,
                        iso_ts(opened),
                        iso_ts(closed_at),
                        priority,
                        boolean(escalated),
                        None if csat is None else str(csat),
                    ),
                )
            )
    return rows


def nps_of(
    rng: np.random.Generator, account: Account, periods: list[Period], contacts: list[Contact], cutoff: datetime
) -> list[tuple[datetime, tuple[Cell, ...], Contact | None]]:
    """Twice-yearly surveys (March, September) answered by some present contacts and in-app."""
    mood = {"churning": -0.8, "contracting": -0.8, "expanding": 0.4}.get(account.trajectory, 0.0)
    rows = []
    for period in periods:
        for year in range(period.start.year, period.end.year + 1):
            for month in (3, 9):
                wave = datetime(year, month, 10) + timedelta(days=int(rng.integers(0, 14)))
                if not (plus_days(period.start, 60) <= wave < period.end):
                    continue
                risk = account.risk_at(wave)
                respondents: list[Contact | None] = [
                    c for c in contacts if c.present(wave) and c.role != "other" and rng.random() < 0.35
                ]
                if rng.random() < 0.4:
                    respondents.append(None)
                for contact in respondents:
                    moment = _time_of_day(rng, plus_days(wave, float(rng.uniform(0, 6))), account)
                    if moment >= cutoff:
                        continue
                    score = int(np.clip(round(rng.normal(8.7 - 6.0 * risk + mood, 1.4)), 0, 10))
                    rows.append((moment, (account.account_id, iso_ts(moment), str(score)), contact))
    return rows


# --------------------------------------------------------------------------- tables


def _numbered(prefix: str, width: int, rows: list[tuple[datetime, tuple[Cell, ...]]]) -> list[tuple[Cell, ...]]:
    """Ids in time order, as a CRM would have handed them out."""
    ordered = sorted(rows, key=lambda r: (r[0], r[1][0]))  # stable: ties keep generation order
    return [(f"{prefix}{n:0{width}d}", *row) for n, (_, row) in enumerate(ordered, start=1)]


def accounts_table(book: Book) -> Table:
    cutoff = book.window.cutoff
    rows = [
        (
            a.account_id,
            a.name,
            a.industry,
            a.region,
            a.csm_email,
            a.segment_override,
            iso_ts(a.created_at),
            boolean(a.is_deleted),
        )
        for a in book.accounts
        if a.created_at < cutoff
    ]
    columns = (
        "account_id",
        "account_name",
        "industry",
        "region",
        "csm_email",
        "segment_override",
        "created_at",
        "is_deleted",
    )
    return Table("accounts", columns, rows)


def health_overrides_table(book: Book) -> Table:
    """Three CSM overrides: one escalation, one benign dip explained, one already expired."""
    cutoff = book.window.cutoff
    rng = stream(book.seed, Stream.CRM, OVERRIDE_KEY)
    active = [
        a
        for a in book.accounts
        if not a.is_deleted and any(p.end >= cutoff for p in periods_of(a, cutoff)) and a.trajectory != "trial_lapse"
    ]
    specs: list[tuple[Callable[[Account], bool], str, str, tuple[float, float], tuple[float, float]]] = [
        (
            lambda a: a.risk_at(cutoff) > 0.2,
            "critical",
            "Champion left and the renewal is under review; exec call booked",
            (-15, -5),
            (20, 45),
        ),
        (
            lambda a: a.trajectory in ("healthy", "expanding"),
            "stable",
            "SSO migration depresses logins this month; usage expected back",
            (-25, -10),
            (5, 20),
        ),
        (lambda a: a.tier != "tech", "at_risk", "Budget freeze announced at the QBR", (-200, -150), (-90, -40)),
    ]
    rows, used = [], set()
    for ok, status, reason, set_days, expire_days in specs:
        candidates = [a for a in active if a.index not in used and ok(a)]
        if not candidates:
            continue
        account = candidates[int(rng.integers(len(candidates)))]
        used.add(account.index)
        set_at = plus_days(cutoff, float(rng.uniform(*set_days)))
        expires = plus_days(cutoff, float(rng.uniform(*expire_days)))
        rows.append(
            (
                account.account_id,
                status,
                reason,
                account.csm_email or "cs-ops@vendor.example",
                iso_ts(set_at),
                iso_ts(expires),
            )
        )
    columns = ("account_id", "override_status", "reason", "set_by", "set_at", "expires_at")
    return Table("health_overrides", columns, rows)


def crm_tables(book: Book) -> list[Table]:
    cutoff = book.window.cutoff
    contacts: list[Contact] = []
    activities, goals, milestones, opportunities, tickets = [], [], [], [], []
    nps: list[tuple[datetime, tuple[Cell, ...], Contact | None]] = []
    for account in book.accounts:
        if account.created_at >= cutoff:
            continue
        rng = stream(book.seed, Stream.CRM, account.index)
        periods = periods_of(account, cutoff)
        people = [c for c in contacts_of(rng, account, periods) if c.created_at < cutoff]
        contacts.extend(people)
        activities += activities_of(rng, account, periods, people, cutoff)
        goals += goals_of(rng, account, periods, cutoff)
        milestones += milestones_of(rng, account, periods)
        opportunities += opportunities_of(rng, account, cutoff)
        tickets += tickets_of(rng, account, periods, cutoff)
        nps += nps_of(rng, account, periods, people, cutoff)
    contacts.sort(key=lambda c: (c.created_at, c.account_id, c.email))
    for n, contact in enumerate(contacts, start=1):
        contact.contact_id = f"C-{n:05d}"
    contact_rows = [
        (
            c.contact_id,
            c.account_id,
            c.email,
            c.title,
            c.role,
            iso_ts(c.created_at),
            iso_ts(c.departed_at) if c.departed_at is not None and c.departed_at < cutoff else None,
        )
        for c in contacts
    ]
    nps_rows = [(t, (row[0], None if c is None else c.contact_id, *row[1:])) for t, row, c in nps]
    return [
        accounts_table(book),
        Table(
            "contacts",
            ("contact_id", "account_id", "email", "title", "role", "created_at", "departed_at"),
            contact_rows,
        ),
        Table(
            "activities",
            ("activity_id", "account_id", "activity_type", "occurred_at", "status", "attendee_roles"),
            _numbered("AC-", 6, activities),
        ),
        Table(
            "goals",
            ("goal_id", "account_id", "status", "roi_documented", "target_date", "achieved_at", "created_at"),
            _numbered("G-", 5, goals),
        ),
        Table(
            "milestones",
            ("milestone_id", "account_id", "milestone", "due_date", "completed_at"),
            _numbered("M-", 5, milestones),
        ),
        Table(
            "opportunities",
            (
                "opportunity_id",
                "account_id",
                "opportunity_type",
                "stage",
                "close_date",
                "amount_arr",
                "currency",
                "created_at",
            ),
            _numbered("O-", 5, opportunities),
        ),
        Table(
            "tickets",
            ("ticket_id", "account_id", "opened_at", "closed_at", "priority", "is_escalated", "csat_score"),
            _numbered("T-", 6, tickets),
        ),
        Table(
            "nps_responses",
            ("response_id", "account_id", "contact_id", "responded_at", "score"),
            _numbered("N-", 5, nps_rows),
        ),
        health_overrides_table(book),
    ]
