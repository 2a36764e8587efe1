"""Step 3, extract_examples: matches -> instruction-tuning examples, each scored.

The domain pack names the extractor; the extractor reads the match and its context and returns
drafts; here each draft gets its instruction from the pack's templates, its `source`
("<file name>:line_<N>") and its quality score (the five criteria of step 4).
"""

from __future__ import annotations

import json
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import replace

from training_data_miner.skills.extractors import TEMPLATE_CAP, TEMPLATE_NOTE, Draft, context_lines, get_extractor
from training_data_miner.skills.filter_quality import score_quality
from training_data_miner.skills.models import Example, Match, trusted
from training_data_miner.skills.packs import DomainPack
from training_data_miner.skills.structure import Document, Structure


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def example_prefix(domain: str) -> str:
    return domain.split("_", 1)[0]


def render_instruction(pack: DomainPack, draft: Draft) -> str:
    """The draft's instruction: its task kind's template, or one of the kind's phrasings chosen by
    the item's content (deterministic, and the same for a copy of the item elsewhere)."""
    template = pack.instructions[draft.instruction_key]
    if isinstance(template, list):
        seed = json.dumps([draft.evidence, draft.input], sort_keys=True, ensure_ascii=False)
        template = template[zlib.crc32(seed.encode("utf-8")) % len(template)]
    fields = _Keep({k: v for k, v in {**draft.input, **draft.output}.items() if isinstance(v, (str, int))})
    return template.format_map(fields)


def to_example(draft: Draft, match: Match, pack: DomainPack, source_name: str, n: int,
               doc: Document | None = None) -> Example:
    line = draft.line or match.line
    if doc is not None and line in doc:
        line_text = doc.text(line)
    elif line != match.line:
        line_text = dict(context_lines(match)).get(line, "")
    else:
        line_text = match.text
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
        pattern=draft.pattern or match.pattern,
        kind=draft.kind,
        match_kind=match.match_kind,
        label=draft.label,
        quality=quality,
        item=draft.identity,
    )


MEMO_LIMIT = 20_000  # windows remembered per run (bounded, so a long stream stays in bounded memory)
SEEN_LIMIT = 200_000  # item identities remembered per run (Draft.identity), bounded for the same reason


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

    def __init__(self, pack: DomainPack, source_name: str, structure: Structure | None = None):
        self.pack = pack
        self.source_name = source_name
        extractor = get_extractor(pack.extractor)
        assert extractor is not None, pack.extractor  # load_pack checked the name
        self.extract = extractor.extract
        self.extract_document = extractor.document
        if self.extract_document is not None and structure is None:
            raise ValueError(f"the {pack.extractor} extractor reads documents: pass the source's structure")
        self.structure = structure
        self.prefix = example_prefix(pack.name)
        self.memo: dict[tuple, list[tuple[Example, int]]] = {}
        # identity -> content keys of the drafts made for it (Draft.identity), from earlier documents
        self.seen: dict[str, set[int]] = {}
        # template -> content keys of the drafts kept for it (Draft.template)
        self.templates: dict[str, set[int]] = {}
        self.n = 0
        self.doc: Document | None = None
        self.hits: list[Match] = []

    def feed(self, match: Match) -> list[Example]:
        """The examples that are complete once `match` is seen: a match-reading extractor's for the
        match itself; a document-reading extractor's for the document before it, when `match` opens
        a new one (call `finish()` after the last match)."""
        if self.extract_document is None:
            return self._feed_match(match)
        assert self.structure is not None
        if self.doc is not None and match.line in self.doc:
            self.hits.append(match)
            return []
        if self.doc is not None and match.line < self.doc.start:
            raise ValueError("a document extractor needs its matches in line order")
        out = self.finish()
        self.doc = self.structure.at(match.line)
        self.hits = [match]
        return out

    def finish(self) -> list[Example]:
        """The examples of the document still open (document-reading extractors)."""
        if self.doc is None or self.extract_document is None:
            return []
        doc, hits = self.doc, sorted(self.hits, key=lambda m: m.line)
        self.doc, self.hits = None, []
        key = _document_key(doc, hits)
        seen = self.memo.get(key)
        if seen is not None:  # the same document pasted again, with the same hits
            return self._copies(seen, doc.start)
        drafts = self._capped(self._not_restated(self.extract_document(doc, hits, self.pack)))
        made = []
        lines = [m.line for m in hits]
        for draft in sorted(drafts, key=lambda d: d.line or 0):
            assert draft.line is not None and draft.line in doc, (self.pack.name, draft.line)
            self.n += 1
            made.append((to_example(draft, _hit_for(draft, hits, lines), self.pack, self.source_name, self.n, doc),
                         draft.line - doc.start))
        if len(self.memo) >= MEMO_LIMIT:
            self.memo.clear()
        self.memo[key] = made
        return [e for e, _ in made]

    def _not_restated(self, drafts: list[Draft]) -> list[Draft]:
        """The drafts of items no earlier document stated. An item an earlier document had (same
        identity) is made again only as a byte-identical copy, which the quality filter rejects as
        an exact duplicate, on record; a restatement in other words is not made. Within one
        document the extractor decides (the drafts of one item share its identity)."""
        out: list[Draft] = []
        new: dict[str, set[int]] = {}
        for d in drafts:
            if d.identity is None:
                out.append(d)
                continue
            # what the example is and how it scores: a copy of a draft the filter rejects is no better
            content = _content(d, d.rationale, d.rationale_note, d.ambiguity)
            earlier = self.seen.get(d.identity)
            if earlier is None:
                new.setdefault(d.identity, set()).add(content)
                out.append(d)
            elif content in earlier:
                out.append(d)
        if len(self.seen) + len(new) > SEEN_LIMIT:
            self.seen.clear()
        self.seen.update(new)
        return out

    def _capped(self, drafts: list[Draft]) -> list[Draft]:
        """The drafts with the template cap applied: of the drafts sharing a template (Draft.template)
        in the run, the first TEMPLATE_CAP are kept as they are; each later one is made but scored
        below the threshold, with the cap as its reason, so the dump's shape stays on record. A
        byte-identical copy of a kept draft is kept again (the filter rejects it as an exact
        duplicate)."""
        out: list[Draft] = []
        for d in drafts:
            if d.template is None:
                out.append(d)
                continue
            if d.template not in self.templates and len(self.templates) >= SEEN_LIMIT:
                self.templates.clear()
            kept = self.templates.setdefault(d.template, set())
            content = _content(d)
            cap = max(1, TEMPLATE_CAP - 1) if d.template_once else TEMPLATE_CAP
            if content in kept or len(kept) < cap:
                kept.add(content)
                out.append(d)
                continue
            out.append(replace(d, rationale=0.0, rationale_note=(
                f"{TEMPLATE_NOTE}: {d.template} ({cap} example{'s' if cap > 1 else ''} of this answer already kept; "
                f"at most {cap} per identical answer in a template dump)")))
        return out

    def _copies(self, seen: list[tuple[Example, int]], base: int) -> list[Example]:
        out = []
        for template, offset in seen:
            self.n += 1
            out.append(trusted(Example, {
                **template.__dict__, "example_id": f"{self.prefix}_{self.n:03d}",
                "source": f"{self.source_name}:line_{base + offset}"}))
        return out

    def _feed_match(self, match: Match) -> list[Example]:
        key = _window_key(match)
        seen = self.memo.get(key) if key is not None else None
        if seen is not None:
            return self._copies(seen, match.line)
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


def _content(d: Draft, *more: object) -> int:
    """A draft's content key: its task kind, input and output (and whatever else is passed)."""
    return zlib.crc32(json.dumps([d.instruction_key, d.input, d.output, *more], sort_keys=True,
                                 ensure_ascii=False).encode("utf-8"))


def _document_key(doc: Document, hits: list[Match]) -> tuple:
    """Everything a document extractor reads, line numbers taken relative to the document."""
    return (tuple(doc.lines), tuple((m.line - doc.start, m.pattern, m.match_kind) for m in hits))


def _hit_for(draft: Draft, hits: list[Match], lines: list[int]) -> Match:
    """The match an item was found by: the draft's named pattern, else the first hit in its span,
    else the last hit before its line, else the document's first hit (`hits` in line order,
    `lines` their lines: found by bisection, so a document of many items costs no more per item)."""
    first, last = draft.span or (draft.line, draft.line)
    if draft.pattern:
        named = [m for m in hits if m.pattern == draft.pattern or draft.pattern in m.also_matched]
        if named:
            return min(named, key=lambda m: abs(m.line - draft.line))
    i = bisect_left(lines, first)
    if i < len(hits) and hits[i].line <= last:
        return hits[i]
    j = bisect_right(lines, draft.line) - 1
    return hits[j] if j >= 0 else hits[0]


def iter_examples(matches: Iterable[Match], pack: DomainPack, source_name: str,
                  structure: Structure | None = None) -> Iterator[Example]:
    """Examples in source order (see `Extraction`); `matches` in line order."""
    run = Extraction(pack, source_name, structure)
    for match in matches:
        yield from run.feed(match)
    yield from run.finish()


def extract_examples(matches: Iterable[Match], pack: DomainPack, source_name: str,
                     structure: Structure | None = None) -> list[Example]:
    """Every example the domain's extractor makes of `matches`, scored, in source order."""
    if structure is not None:  # a document extractor reads each document once: its hits in line order
        matches = sorted(matches, key=lambda m: m.line)
    return list(iter_examples(matches, pack, source_name, structure))
