"""WSP 15 Module Prioritization Scoring: the authority for totals and priorities.

total = Complexity + Importance + Deferability + Impact (each 1-5, so 4-20);
16-20 P0, 13-15 P1, 10-12 P2, 7-9 P3, 4-6 P4.
"""

from __future__ import annotations

DIMENSIONS = ("complexity", "importance", "deferability", "impact")

PRIORITY_RANGES = {"P0": (16, 20), "P1": (13, 15), "P2": (10, 12), "P3": (7, 9), "P4": (4, 6)}

PRIORITY_ACTIONS = {
    "P0": "Critical - work begins immediately",
    "P1": "High - important for the near-term roadmap, batch this session",
    "P2": "Medium - valuable but not urgent, schedule for an upcoming sprint",
    "P3": "Low - can be deferred, add to backlog",
    "P4": "Backlog - reconsider in future planning",
}

# Level names of each 1-5 score, from the WSP 15 rubric tables.
LEVELS = {
    "complexity": ("Trivial", "Low", "Moderate", "High", "Very High"),
    "importance": ("Optional", "Helpful", "Important", "Critical", "Essential"),
    "deferability": ("Highly Deferrable", "Deferrable", "Moderate", "Difficult to Defer", "Cannot Defer"),
    "impact": ("Minimal", "Minor", "Moderate", "Major", "Transformative"),
}


def priority(total: int) -> str | None:
    """The WSP 15 priority of an MPS total, or None outside 4-20."""
    for label, (lo, hi) in PRIORITY_RANGES.items():
        if lo <= total <= hi:
            return label
    return None


def nearest_priority(total: int) -> str:
    """The priority of a stated total, one outside 4-20 taking the nearest band (above 20 P0,
    below 4 P4), as ../shared/gold/GUIDE.md reads such totals."""
    return priority(total) or ("P0" if total > 20 else "P4")


def mps_total(complexity: int, importance: int, deferability: int, impact: int) -> int:
    return complexity + importance + deferability + impact


def level(dimension: str, score: int) -> str:
    return LEVELS[dimension][score - 1]
