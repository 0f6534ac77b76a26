"""The latent book of business, assembled: profiles, edge cases, then each account's lifecycle.

See :mod:`.model` for why every file is a view of this one book.
"""

from __future__ import annotations

from datetime import date

from .lifecycle import CustomerRegistry, build_lifecycle, build_orphans, plan_lead_ups
from .model import Book, Window
from .profiles import cast_edge_cases, draw_accounts


def build_book(accounts: int, months: int, end_date: date, seed: int) -> Book:
    """The whole latent book; identical for identical arguments."""
    if accounts < 1 or months < 1:
        raise ValueError("accounts and months must be at least 1")
    if seed < 0:
        raise ValueError("seed must be non-negative")
    window = Window(end_date, months)
    book_accounts = draw_accounts(accounts, window, seed)
    cast_edge_cases(book_accounts, window, seed)
    registry = CustomerRegistry()
    for account in book_accounts:
        build_lifecycle(account, window, registry, seed)
        plan_lead_ups(account, seed)
    orphans = build_orphans(window, registry, seed, accounts)
    return Book(window, seed, book_accounts, registry.customers, orphans)
