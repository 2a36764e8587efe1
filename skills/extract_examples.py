"""Step 3, extract_examples: matches -> instruction-tuning examples, each scored.

The domain pack names the extractor; the extractor reads the match and its context and returns
drafts; here each draft gets its instruction from the pack's templates, its `source`
("<file name>:line_<N>") and its quality score (the five criteria of step 4).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from training_data_miner.skills.extractors import Draft, context_lines, get_extractor
from training_data_miner.skills.filter_quality import score_quality
from training_data_miner.skills.models import Example, Match, trusted
from training_data_miner.skills.packs import DomainPack


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


MEMO_LIMIT = 20_000  # windows remembered per run (bounded, so a long stream stays in bounded memory)


def _window_key(match: Match) -> tuple | None:
    """Everything an extractor reads of a regex match except its line number (extractors only use
    line numbers relative to the match's own), or None for a match not to memoise."""
    if match.match_kind != "regex":
        return None
    return (match.pattern, tuple(match.also_matched), match.text, tuple(match.context_before),
            tuple(match.context_after), tuple(match.groups.items()), match.truncated)


class Extraction:
    """One domain's extraction over a stream of matches: `feed(match)` returns the match's
    examples, numbered on from the last. A window seen before (logs are full of repeated pastes)
    is not extracted again: its examples are copies of the first one's, with their own id and line."""

    def __init__(self, pack: DomainPack, source_name: str):
        self.pack = pack
        self.source_name = source_name
        extractor = get_extractor(pack.extractor)
        assert extractor is not None, pack.extractor  # load_pack checked the name
        self.extract = extractor.extract
        self.prefix = example_prefix(pack.name)
        self.memo: dict[tuple, list[tuple[Example, int]]] = {}
        self.n = 0

    def feed(self, match: Match) -> list[Example]:
        key = _window_key(match)
        seen = self.memo.get(key) if key is not None else None
        if seen is not None:
            out = []
            for template, offset in seen:
                self.n += 1
                out.append(trusted(Example, {
                    **template.__dict__, "example_id": f"{self.prefix}_{self.n:03d}",
                    "source": f"{self.source_name}:line_{match.line + offset}"}))
            return out
        try:
            drafts = self.extract(match, self.pack)
        except Exception:
            # An extractor may rely on what only a regex match has (its pattern's spec, its
            # captures); a semantic candidate it cannot read yields no example, not a failed step.
            if match.match_kind != "semantic":
                raise
            return []
        made = []
        for draft in drafts:
            self.n += 1
            made.append((to_example(draft, match, self.pack, self.source_name, self.n),
                         (draft.line or match.line) - match.line))
        if key is not None:
            if len(self.memo) >= MEMO_LIMIT:
                self.memo.clear()
            self.memo[key] = made
        return [e for e, _ in made]


def iter_examples(matches: Iterable[Match], pack: DomainPack, source_name: str) -> Iterator[Example]:
    """Examples in source order (see `Extraction`)."""
    run = Extraction(pack, source_name)
    for match in matches:
        yield from run.feed(match)


def extract_examples(matches: Iterable[Match], pack: DomainPack, source_name: str) -> list[Example]:
    """Every example the domain's extractor makes of `matches`, scored, in source order."""
    return list(iter_examples(matches, pack, source_name))
