"""The scales the benchmark runs at, mapped onto the sample generator's arguments.

``events_scale`` was calibrated so the usage event counts land near the targets: at
``events_scale=1`` the generator gives ~2,350 events per account over 24 months at 200 accounts
and ~2,700 at 2,000 accounts (larger books have proportionally more large customers), and
~4,220 per account over 36 months at 2,000 accounts (measured 2026-12-02; events grow linearly
with ``events_scale``). ``xl`` (50,000 accounts, 36 months) at 1.2 is meant to reach ~250M: it
was defined from that calibration and generated 260.2M events on 2026-12-03 (docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date

END_DATE = date(2026, 11, 20)  # the generated book's last day and the full build's as-of date
SEED = 42


@dataclass(frozen=True)
class Preset:
    """One scale: the generator's arguments and the event count it is meant to reach."""

    name: str
    accounts: int
    months: int
    events_scale: float
    target_events: int

    def generator_arguments(self) -> dict[str, object]:
        """Keyword arguments of ``generate_landing`` (and what ``add_usage_day`` reads back)."""
        return {
            "accounts": self.accounts,
            "months": self.months,
            "end_date": END_DATE,
            "seed": SEED,
            "events_scale": self.events_scale,
        }

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


PRESETS: dict[str, Preset] = {
    "small": Preset("small", accounts=200, months=24, events_scale=2.13, target_events=1_000_000),
    "medium": Preset("medium", accounts=2_000, months=24, events_scale=1.85, target_events=10_000_000),
    "large": Preset("large", accounts=10_000, months=24, events_scale=1.85, target_events=50_000_000),
    "xl": Preset("xl", accounts=50_000, months=36, events_scale=1.2, target_events=250_000_000),
}
PUBLIC_PRESETS = tuple(PRESETS)


def with_overrides(preset: Preset, accounts: int | None, events_scale: float | None) -> Preset:
    """The preset with another number of accounts or events scale (for scaling studies)."""
    if accounts is None and events_scale is None:
        return preset
    accounts = preset.accounts if accounts is None else accounts
    events_scale = preset.events_scale if events_scale is None else events_scale
    target = round(preset.target_events * accounts / preset.accounts * events_scale / preset.events_scale)
    return replace(preset, accounts=accounts, events_scale=events_scale, target_events=target)
