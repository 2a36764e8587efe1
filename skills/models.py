"""Typed records passed between the six steps.

Names follow the design document (../shared/seed/SKILL.md) so the seed can be read beside the code.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

PatternType = Literal["numeric_examples", "decision_trees", "rationale_chains"]
PATTERN_TYPES: tuple[str, ...] = ("numeric_examples", "decision_trees", "rationale_chains")
MatchKind = Literal["regex", "semantic"]

CRITERIA: tuple[str, ...] = ("complete", "clear_reasoning", "correct_format", "verifiable", "unambiguous")


def trusted(cls: type[_M], fields: dict[str, Any]) -> _M:
    """An instance of `cls` from `fields`, every field given and already of its declared type:
    what `cls.model_construct(**fields)` builds, without its per-field default handling (2 us
    instead of 6; the scan makes one per match, a long source millions)."""
    names = _FIELDS.get(cls) or _FIELDS.setdefault(cls, cls.model_fields.keys())
    assert fields.keys() == names, sorted(fields.keys() ^ names)
    obj = _new(cls)
    _set(obj, "__dict__", fields)
    _set(obj, "__pydantic_fields_set__", set(fields))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


_FIELDS: dict[type, Any] = {}
_new = object.__new__
_set = object.__setattr__
_M = TypeVar("_M", bound=BaseModel)


class Chunk(BaseModel):
    index: int
    start_line: int
    end_line: int
    bytes: int
    est_tokens: int


class SourceInfo(BaseModel):
    """What `load_source` learns about a source file in one streaming pass."""

    path: str
    name: str
    total_lines: int
    bytes: int
    sha256: str
    bom: bool
    replaced_bytes: int = Field(description="undecodable UTF-8 sequences, replaced with U+FFFD")
    lines_with_replacements: int
    longest_line_bytes: int
    chunk_token_budget: int
    chunk_size: int = Field(description="most lines in one chunk of the plan")
    chunks: list[Chunk]
    encoding_notes: list[str]


class Match(BaseModel):
    """One pattern hit: the line it is on and the lines around it."""

    domain: str
    pattern: str = Field(description="the first of the domain's patterns that matched the line")
    also_matched: list[str] = Field([], description="the domain's other patterns on this line")
    line: int = Field(description="1-based line number in the source")
    text: str
    groups: dict[str, str | None] = {}
    context_before: list[str] = []
    context_after: list[str] = []
    truncated: bool = False
    match_kind: MatchKind = "regex"
    query: str | None = Field(None, description="semantic matches: the search query that found the line")
    # Where the line sits in the source's structure (skills/structure.py), set by identify.
    document: int | None = Field(None, description="index of the document the line is in (the source's outline)")
    doc_kind: str | None = Field(None, description="modlog, readme, roadmap, wsp_protocol, report, log or other")
    heading_path: list[str] = Field([], description="the titles of the headings over the line, outermost first")
    block: dict[str, Any] | None = Field(None, description="the structure the line is part of: a table row "
                                         "with its header, a list item with its parent, a JSON or fenced "
                                         "block, a log record")


class PatternError(BaseModel):
    domain: str
    pattern: str
    error: str
    lines_affected: int = 0


class IdentifyResult(BaseModel):
    source: str
    matches: dict[str, list[Match]]
    counts: dict[str, dict[str, int]] = Field(description="domain -> pattern -> matching lines")
    pattern_errors: list[PatternError] = []


class Quality(BaseModel):
    """Five criteria, 0.2 each, with partial credit (multiples of 0.05)."""

    score: float
    criteria: dict[str, float]
    reasons: list[str] = []


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid")

    example_id: str
    instruction: str
    input: dict[str, Any]
    output: dict[str, Any]
    source: str = Field(description='"<file name>:line_<N>"')
    quality_score: float
    evidence: str = Field(description="verbatim text of the source line the example rests on")
    pattern: str
    kind: PatternType
    match_kind: MatchKind = "regex"
    label: str | None = Field(None, description="the domain's main label (priority for mps_scoring)")
    quality: Quality
    item: str | None = Field(None, description="what the example is about (a task, an entry, a document), as "
                             "its extractor names it: examples about different items are never near-duplicates")

    @property
    def line(self) -> int:
        return int(self.source.rsplit(":line_", 1)[1])


class Rejected(BaseModel):
    example: Example
    reasons: list[str]
    duplicate_of: str | None = None
    similarity: float | None = None


class FilterResult(BaseModel):
    kept: list[Example]
    rejected: list[Rejected]
    min_quality: float
    dedup_method: str
    near_duplicate_threshold: float
    reason_counts: dict[str, int]


class PatternSummary(BaseModel):
    domain: str
    total_examples: int
    high_quality_examples: int
    quality_distribution: dict[str, int]
    common_patterns: list[str]
    coverage_analysis: dict[str, Any]
    recommended_use: str
    matches_by_kind: dict[str, int]
    kept_by_match_kind: dict[str, int] = Field({}, description="kept examples by the kind of match they came from")
    examples_by_pattern_type: dict[str, int]
    pattern_type: PatternType | None = None
    min_examples: int
    min_examples_met: bool
    shortfall: int
    notes: list[str] = []
