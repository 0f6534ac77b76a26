"""Rows ready to write: every value is already contract-formatted text, or None for empty."""

from __future__ import annotations

from dataclasses import dataclass

Cell = str | None


@dataclass(frozen=True)
class Table:
    name: str  # file stem: accounts -> accounts.csv
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


def money(value: float) -> str:
    return f"{value:.2f}"


def number(value: float) -> str:
    """A decimal without needless zeros (``12.5``, ``10``)."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def boolean(value: bool) -> str:
    return "true" if value else "false"
