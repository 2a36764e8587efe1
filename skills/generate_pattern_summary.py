"""Step 5, pattern summary: counts, quality buckets, common patterns, coverage, recommended use."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from statistics import mean

from training_data_miner.skills.extractors import TEMPLATE_CAP, TEMPLATE_NOTE
from training_data_miner.skills.models import Example, FilterResult, PatternSummary, PatternType
from training_data_miner.skills.packs import DomainPack

MIN_EXAMPLES = 50
BUCKETS = (("0.95-1.0", 0.95, 1.01), ("0.90-0.94", 0.90, 0.95), ("0.85-0.89", 0.85, 0.90))


def quality_distribution(examples: list[Example]) -> dict[str, int]:
    dist = {name: 0 for name, _, _ in BUCKETS}
    below = 0
    for ex in examples:
        q = round(ex.quality_score, 2)
        for name, lo, hi in BUCKETS:
            if lo <= q < hi:
                dist[name] += 1
                break
        else:
            below += 1
    if below:  # only when the caller lowered the threshold under 0.85
        dist["below-0.85"] = below
    return dist


def coverage_analysis(pack: DomainPack, kept: list[Example]) -> dict[str, object]:
    """How many kept examples carry each value of the domain's main label (p0..p4 for
    mps_scoring), and which expected values have none."""
    counts = Counter(ex.label for ex in kept if ex.label)
    values = pack.labels or sorted(counts)
    cov: dict[str, object] = {f"{_slug(v)}_examples": counts.get(v, 0) for v in values}
    other = sum(n for v, n in counts.items() if v not in values)
    if other:
        cov["other_examples"] = other
    unlabelled = sum(1 for ex in kept if not ex.label)
    if unlabelled:
        cov["unlabelled_examples"] = unlabelled
    cov["label_field"] = pack.label
    cov["missing_labels"] = [v for v in values if not counts.get(v)]
    return cov


def _slug(value: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in value.lower()).strip("_")


def common_patterns(pack: DomainPack, kept: list[Example], top: int = 5) -> list[str]:
    out: list[str] = []
    labels = Counter(ex.label for ex in kept if ex.label)
    if pack.name == "mps_scoring":
        from training_data_miner.skills.wsp15 import PRIORITY_RANGES

        for prio, (lo, hi) in PRIORITY_RANGES.items():
            if labels.get(prio):
                out.append(f"{prio} tasks: MPS {lo}-{hi} ({labels[prio]} examples)")
        cx = Counter(ex.output["complexity"] for ex in kept if "complexity" in ex.output)
        if cx:
            value, n = cx.most_common(1)[0]
            out.append(f"Complexity {value} most common ({n} of {sum(cx.values())} scored examples)")
        # contradictions in the text, corrected in the output (EXAMPLES.md 7)
        for key, what in (("stated_priority", "stated priority contradicted WSP 15"),
                          ("stated_total", "stated total was not C+I+D+P")):
            n = sum(1 for ex in kept if key in ex.output)
            if n:
                out.append(f"{what} in {n} kept example{'' if n == 1 else 's'} (corrected; the text's value kept as {key})")
    else:
        for value, n in labels.most_common(top):
            out.append(f"{pack.label} = {value} ({n} examples)")
    for name, n in Counter(ex.pattern for ex in kept).most_common(3):
        out.append(f"pattern {name}: {n} kept examples")
    return out


def _by_kind(kinds: Iterable[str]) -> dict[str, int]:
    """Counts of regex and semantic matches (or examples), both always present."""
    counts = Counter(kinds)
    return {"regex": counts.get("regex", 0), "semantic": counts.get("semantic", 0)}


def generate_pattern_summary(
    pack: DomainPack,
    match_kinds: Iterable[str],
    examples: list[Example],
    filtered: FilterResult,
    min_examples: int = MIN_EXAMPLES,
    pattern_type: PatternType | None = None,
) -> PatternSummary:
    kept = filtered.kept
    shortfall = max(0, min_examples - len(kept))
    notes: list[str] = []
    if shortfall:
        notes.append(
            f"{len(kept)} examples kept, {shortfall} short of min_examples={min_examples}: "
            "mine a longer source, add patterns to the domain pack, or lower min_quality"
        )
    if kept:
        notes.append(f"mean quality of kept examples {mean(ex.quality_score for ex in kept):.3f}")
    capped = sum(1 for r in filtered.rejected if any(x.startswith(TEMPLATE_NOTE) for x in r.reasons))
    if capped:
        notes.append(f"{capped} template-dump rows rejected by the cap (at most {TEMPLATE_CAP} examples per "
                     "identical answer)")
    by_type = Counter(ex.kind for ex in kept)
    if pattern_type is not None and not by_type.get(pattern_type):
        notes.append(f"no kept example is of the requested pattern_type {pattern_type}")
    return PatternSummary(
        domain=pack.name,
        total_examples=len(examples),
        high_quality_examples=len(kept),
        quality_distribution=quality_distribution(kept),
        common_patterns=common_patterns(pack, kept),
        coverage_analysis=coverage_analysis(pack, kept),
        recommended_use=pack.recommended_use,
        matches_by_kind=_by_kind(match_kinds),
        kept_by_match_kind=_by_kind(ex.match_kind for ex in kept),
        examples_by_pattern_type={t: by_type.get(t, 0) for t in ("numeric_examples", "decision_trees", "rationale_chains")},
        pattern_type=pattern_type,
        min_examples=min_examples,
        min_examples_met=shortfall == 0,
        shortfall=shortfall,
        notes=notes,
    )
