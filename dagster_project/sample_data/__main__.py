"""``python -m dagster_project.sample_data --out DIR``: write the sample book of business."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path

from .generator import generate_landing


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m dagster_project.sample_data",
        description="Generate a deterministic, realistic book of business in the landing layout.",
    )
    parser.add_argument("--out", type=Path, required=True, help="landing directory to write (crm/, billing/, usage/)")
    parser.add_argument("--accounts", type=int, default=200, help="number of CRM accounts (default 200)")
    parser.add_argument("--months", type=int, default=24, help="months of history (default 24)")
    parser.add_argument(
        "--end-date", type=date.fromisoformat, default=None, help="last day of data, YYYY-MM-DD (default today, UTC)"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed: same arguments, same files (default 42)")
    parser.add_argument("--events-scale", type=float, default=1.0, help="multiplies usage event volume (default 1)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    end_date = args.end_date or datetime.now(UTC).date()
    summary = generate_landing(
        args.out,
        accounts=args.accounts,
        months=args.months,
        end_date=end_date,
        seed=args.seed,
        events_scale=args.events_scale,
    )
    print(summary)


if __name__ == "__main__":
    main()
