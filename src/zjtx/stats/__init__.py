"""Statistics and briefings (Polars; no Django). Every number carries the query behind it."""

from .briefing import Briefing, briefing
from .core import (
    TIER_REVENUE_TITLES,
    Stat,
    apportion,
    batch_averages,
    competition_rank,
    count_titles,
    frames_of,
    rank_among,
    target_vs_actual,
    tech_sme_by_year,
    tech_sme_registrations,
    tier_counts,
    tier_counts_by_year,
    tier_revenue,
    two_year_avg,
    yoy,
)

__all__ = [
    "Briefing",
    "briefing",
    "TIER_REVENUE_TITLES",
    "Stat",
    "apportion",
    "batch_averages",
    "competition_rank",
    "count_titles",
    "frames_of",
    "rank_among",
    "target_vs_actual",
    "tech_sme_by_year",
    "tech_sme_registrations",
    "tier_counts",
    "tier_counts_by_year",
    "tier_revenue",
    "two_year_avg",
    "yoy",
]
