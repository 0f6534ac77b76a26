"""Sample data: a deterministic, realistic book of business in the landing layout."""

from .generator import GenerationSummary, add_usage_day, generate_landing

__all__ = ["GenerationSummary", "add_usage_day", "generate_landing"]
