"""The billing snapshot at ``end_date``: customers, subscriptions, SCD2 items, invoices, FX rates.

The book plans past ``end_date``; this view shows only what the billing system knows at the
end of that day: a version starting later is not there yet, one ending later is still open,
a pending cancellation is an active subscription with ``cancel_at_term_end`` set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from .model import Account, Book, Stream, Subscription, stream
from .tables import Table, boolean, money, number
from .timeutil import add_months, iso_date, iso_ts, month_start, plus_days

NET_DAYS = 30
FX_BASE = {"EUR": 1.08, "GBP": 1.27}


@dataclass
class Invoice:
    customer_id: str
    subscription_id: str
    issued_at: datetime
    due_at: datetime
    paid_at: datetime | None
    status: str
    total: float
    currency: str


def subscription_ids(book: Book) -> dict[int, str]:
    """Stable ids keyed by ``id()`` of the subscription object, in book order."""
    return {id(sub): f"sub_{n:05d}" for n, sub in enumerate(book.all_subscriptions(), start=1)}


def account_by_customer(book: Book) -> dict[str, Account]:
    return {sub.customer_id: account for account in book.accounts for sub in account.subscriptions}


def subscription_status(sub: Subscription, cutoff: datetime, overdue: bool) -> str:
    if sub.ended_at is not None and sub.ended_at < cutoff:
        return "canceled"
    if sub.trial_end is not None and sub.trial_end >= cutoff:
        return "trialing"
    return "past_due" if overdue else "active"


def current_term_end(sub: Subscription, cutoff: datetime) -> datetime:
    """The renewal date as the billing system shows it at the cutoff."""
    if sub.trial_end is not None and (sub.trial_end >= cutoff or sub.ended_at == sub.trial_end):
        return sub.trial_end
    if sub.ended_at is not None and sub.ended_at < cutoff:
        return sub.boundary_at_or_after(sub.ended_at)
    return sub.boundary_at_or_after(cutoff)


# --------------------------------------------------------------------------- invoices


def _payment(rng: np.random.Generator, issued: datetime, risk: float, cutoff: datetime) -> tuple[datetime | None, str]:
    """When (and whether) an invoice is paid: late and bad debt get likelier as risk rises."""
    never = rng.random() < 0.7 * max(0.0, risk - 0.55) / 0.45
    late = rng.random() < 0.04 + 0.55 * risk
    due = plus_days(issued, NET_DAYS)
    if never:
        return None, "uncollectible" if plus_days(due, 60) < cutoff else "open"
    delay = NET_DAYS + rng.uniform(3, 60) if late else rng.uniform(0, NET_DAYS - 2)
    paid = plus_days(issued, float(delay))
    return (paid, "paid") if paid < cutoff else (None, "open")


def _period_amount(sub: Subscription, at: datetime) -> float:
    net = sum(v.quantity * v.unit_price for v in sub.in_force(at)) * (1 - sub.discount / 100)
    return round(net * (1 + sub.tax_rate), 2)


def _issue(
    rng: np.random.Generator,
    sub: Subscription,
    sub_id: str,
    issued: datetime,
    amount: float,
    risk: float,
    cutoff: datetime,
) -> list[Invoice]:
    """One invoice, or a voided one followed by its re-issue a few days later."""
    if rng.random() < 0.015 and plus_days(issued, 4) < cutoff:
        void = Invoice(sub.customer_id, sub_id, issued, plus_days(issued, NET_DAYS), None, "void", amount, sub.currency)
        return [void, *_issue(rng, sub, sub_id, plus_days(issued, float(rng.uniform(1, 3))), amount, risk, cutoff)]
    paid_at, status = _payment(rng, issued, risk, cutoff)
    due = plus_days(issued, NET_DAYS)
    return [Invoice(sub.customer_id, sub_id, issued, due, paid_at, status, amount, sub.currency)]


def _prorations(sub: Subscription, until: datetime) -> list[tuple[datetime, float]]:
    """Mid-period seat increases are invoiced at once for the rest of the period (not MRR)."""
    out = []
    platform = [v for v in sub.versions if v.line == 0]
    for before, after in zip(platform, platform[1:], strict=False):
        at = after.valid_from
        if at >= until or after.quantity <= before.quantity or before.unit_price == 0:
            continue
        period_start, period_end = sub.period_containing(at)
        share = (period_end - at) / (period_end - period_start)
        if 0 < share < 1:
            net = (after.quantity - before.quantity) * after.unit_price * (1 - sub.discount / 100) * share
            out.append((at, round(net * (1 + sub.tax_rate), 2)))
    return out


def invoices_of(
    sub: Subscription, sub_id: str, account: Account | None, cutoff: datetime, rng: np.random.Generator
) -> list[Invoice]:
    """One invoice per billing period (issued at its start) plus proration invoices."""
    until = min(sub.ended_at or cutoff, cutoff)
    issues: list[tuple[datetime, float]] = []
    k = 0
    while (start := add_months(sub.anchor, k * sub.interval)) < until:
        amount = _period_amount(sub, start)
        if amount > 0:
            issues.append((start, amount))
        k += 1
    issues.extend(_prorations(sub, until))
    out: list[Invoice] = []
    for issued, amount in sorted(issues):
        risk = account.risk_at(issued) if account is not None else 0.0
        out.extend(_issue(rng, sub, sub_id, issued, amount, risk, cutoff))
    return out


def all_invoices(book: Book, ids: dict[int, str]) -> list[Invoice]:
    accounts = account_by_customer(book)
    cutoff = book.window.cutoff
    invoices: list[Invoice] = []
    for n, sub in enumerate(book.all_subscriptions()):
        rng = stream(book.seed, Stream.BILLING, n)
        invoices.extend(invoices_of(sub, ids[id(sub)], accounts.get(sub.customer_id), cutoff, rng))
    invoices.sort(key=lambda i: (i.issued_at, i.customer_id, i.subscription_id))
    return invoices


# --------------------------------------------------------------------------- tables


def customers_table(book: Book) -> Table:
    cutoff = book.window.cutoff
    rows = [(c.customer_id, c.account_id, iso_ts(c.created_at)) for c in book.customers if c.created_at < cutoff]
    return Table("customers", ("customer_id", "account_id", "created_at"), rows)


def subscriptions_table(book: Book, ids: dict[int, str], invoices: list[Invoice]) -> Table:
    cutoff = book.window.cutoff
    overdue = {i.subscription_id for i in invoices if i.status == "open" and i.due_at < cutoff}
    rows = []
    for sub in book.all_subscriptions():
        if sub.started_at >= cutoff:
            continue
        sub_id = ids[id(sub)]
        canceled = sub.ended_at is not None and sub.ended_at < cutoff
        rows.append(
            (
                sub_id,
                sub.customer_id,
                subscription_status(sub, cutoff, sub_id in overdue),
                iso_ts(sub.started_at),
                iso_date(current_term_end(sub, cutoff)),
                boolean(sub.notice_at is not None and sub.notice_at < cutoff),
                iso_ts(sub.ended_at) if canceled else None,
            )
        )
    columns = (
        "subscription_id",
        "customer_id",
        "status",
        "started_at",
        "current_term_end",
        "cancel_at_term_end",
        "canceled_at",
    )
    return Table("subscriptions", columns, rows)


def items_table(book: Book, ids: dict[int, str]) -> Table:
    cutoff = book.window.cutoff
    rows = []
    for sub in book.all_subscriptions():
        for version in sorted(sub.versions, key=lambda v: (v.valid_from, v.line)):
            if version.valid_from >= cutoff:
                continue
            valid_to = version.valid_to if version.valid_to is not None and version.valid_to < cutoff else None
            rows.append(
                (
                    ids[id(sub)],
                    version.product,
                    str(version.quantity),
                    money(version.unit_price),
                    sub.currency,
                    str(sub.interval),
                    number(sub.discount),
                    iso_ts(version.valid_from),
                    iso_ts(valid_to),
                )
            )
    numbered = [(f"si_{n:06d}", *row) for n, row in enumerate(rows, start=1)]
    columns = (
        "item_id",
        "subscription_id",
        "product",
        "quantity",
        "unit_price",
        "currency",
        "billing_interval_months",
        "discount_pct",
        "valid_from",
        "valid_to",
    )
    return Table("subscription_items", columns, numbered)


def invoices_table(invoices: list[Invoice]) -> Table:
    rows = [
        (
            f"in_{n:06d}",
            i.customer_id,
            i.subscription_id,
            iso_ts(i.issued_at),
            iso_ts(i.due_at),
            iso_ts(i.paid_at),
            i.status,
            money(i.total),
            i.currency,
        )
        for n, i in enumerate(invoices, start=1)
    ]
    columns = (
        "invoice_id",
        "customer_id",
        "subscription_id",
        "issued_at",
        "due_at",
        "paid_at",
        "status",
        "total",
        "currency",
    )
    return Table("invoices", columns, rows)


def fx_table(book: Book) -> Table:
    """Monthly EUR and GBP rates from the first month anything was priced (USD has no row)."""
    first = month_start(min([a.created_at for a in book.accounts] + [c.created_at for c in book.customers]))
    months = []
    moment = first
    while moment <= month_start(book.window.end_date):
        months.append(moment)
        moment = add_months(moment, 1)
    rng = stream(book.seed, Stream.FX)
    shocks = rng.normal(0, 0.012, (len(months), len(FX_BASE)))
    level = np.zeros(len(FX_BASE))
    rows = []
    for month, shock in zip(months, shocks, strict=True):
        level = 0.92 * level + shock
        for (currency, base), x in zip(FX_BASE.items(), level, strict=True):
            rows.append((iso_date(month), currency, f"{base * np.exp(x):.4f}"))
    return Table("fx_rates", ("rate_month", "currency", "usd_per_unit"), rows)


def billing_tables(book: Book) -> list[Table]:
    ids = subscription_ids(book)
    invoices = all_invoices(book, ids)
    return [
        customers_table(book),
        subscriptions_table(book, ids, invoices),
        items_table(book, ids),
        invoices_table(invoices),
        fx_table(book),
    ]
