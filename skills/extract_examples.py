"""Step 3, extract_examples: matches -> instruction-tuning examples, each scored.

The domain pack names the extractor; the extractor reads the match and its context and returns
drafts; here each draft gets its instruction from the pack's templates, its `source`
("<file name>:line_<N>") and its quality score (the five criteria of step 4).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from skills.extractors import EXTRACTORS, Draft, context_lines
from skills.filter_quality import score_quality
from skills.models import Example, Match
from skills.packs import DomainPack


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def example_prefix(domain: str) -> str:
    return domain.split("_", 1)[0]


def render_instruction(pack: DomainPack, draft: Draft) -> str:
    template = pack.instructions[draft.instruction_key]
    fields = _Keep({k: v for k, v in {**draft.input, **draft.output}.items() if isinstance(v, (str, int))})
    return template.format_map(fields)


def to_example(draft: Draft, match: Match, pack: DomainPack, source_name: str, n: int) -> Example:
    line = draft.line or match.line
    line_text = match.text
    if line != match.line:
        line_text = dict(context_lines(match)).get(line, "")
    instruction = render_instruction(pack, draft)
    quality = score_quality(
        instruction=instruction, input=draft.input, output=draft.output, evidence=draft.evidence,
        line_text=line_text, required=draft.required, rationale=draft.rationale,
        rationale_note=draft.rationale_note, ambiguity=draft.ambiguity, ambiguities=draft.ambiguities,
    )
    return Example(
        example_id=f"{example_prefix(pack.name)}_{n:03d}",
        instruction=instruction,
        input=draft.input,
        output=draft.output,
        source=f"{source_name}:line_{line}",
        quality_score=quality.score,
        evidence=draft.evidence,
        pattern=match.pattern,
        kind=draft.kind,
        match_kind=match.match_kind,
        label=draft.label,
        quality=quality,
    )


def iter_examples(matches: Iterable[Match], pack: DomainPack, source_name: str) -> Iterator[Example]:
    extract = EXTRACTORS[pack.extractor].extract
    n = 0
    for match in matches:
        try:
            drafts = extract(match, pack)
        except Exception:
            # An extractor may rely on what only a regex match has (its pattern's spec, its
            # captures); a semantic candidate it cannot read yields no example, not a failed step.
            if match.match_kind != "semantic":
                raise
            continue
        for draft in drafts:
            n += 1
            yield to_example(draft, match, pack, source_name, n)


def extract_examples(matches: Iterable[Match], pack: DomainPack, source_name: str) -> list[Example]:
    """Every example the domain's extractor makes of `matches`, scored, in source order."""
    return list(iter_examples(matches, pack, source_name))
