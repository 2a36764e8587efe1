"""extract_examples: the match a document extractor's draft is attributed to."""

from __future__ import annotations

import random

from training_data_miner.skills.extract_examples import _hit_for
from training_data_miner.skills.extractors import Draft
from training_data_miner.skills.models import Match


def _scan(draft: Draft, hits: list[Match]) -> Match:
    """_hit_for as a scan over every hit (what it did before bisecting)."""
    first, last = draft.span or (draft.line, draft.line)
    inside = [m for m in hits if first <= m.line <= last]
    if inside:
        return inside[0]
    before = [m for m in hits if m.line <= draft.line]
    return before[-1] if before else hits[0]


def test_hit_for_bisects_to_the_hit_a_scan_finds() -> None:
    rnd = random.Random(15)
    for _ in range(300):
        lines = sorted(rnd.sample(range(1, 200), rnd.randint(1, 30)))
        hits = [Match(domain="d", pattern="p", line=n, text="x") for n in lines]
        for _ in range(10):
            line = rnd.randint(1, 210)
            span = (line, line + rnd.randint(0, 5)) if rnd.random() < 0.5 else None
            draft = Draft(instruction_key="k", input={}, output={}, evidence="x", kind="decision_trees",
                          line=line, span=span)
            assert _hit_for(draft, hits, lines) is _scan(draft, hits)
