"""The MCP tools' work, as plain functions over the Orchestrator.

Each function runs one of the seed's steps (or all six) and returns a compact result: counts, ids,
a few clipped samples and the resource URIs where the bulk can be read. A small-context agent
(Qwen 1.5B, 32K tokens) has to chain all six calls, so nothing here grows with the source.
Each result ends with `next_step`, the call to make next, written for that agent.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from training_data_miner.server.orchestrator import MinerError, Options, Orchestrator, Progress
from training_data_miner.skills.models import Example, Match
from training_data_miner.skills.packs import PackError

SAMPLES = 3
CLIP_CHARS = 160
PAGED = "a page at a time (about 8 KB; each page gives next_uri)"
SUMMARY_FIRST = "read this first: the dataset's pattern summary"


def clip(text: str, limit: int = CLIP_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- resource URIs (server/mcp_resources.py reads them) ------------------------------------------

def source_uri(path: str) -> str:
    return f"source://{path}"


def execution_uri(execution_id: str, kind: str, domain: str | None = None) -> str:
    return f"execution://{execution_id}/{kind}" + (f"/{domain}" if domain else "")


def dataset_uri(domain: str, kind: str = "training_data") -> str:
    return f"dataset://{domain}/{kind}"


# -- results -------------------------------------------------------------------------------------

def _no_titles(schema: dict[str, Any]) -> None:
    """Drop pydantic's generated titles ("Execution Id"...): they only repeat the field names, and
    every tools/list costs the agent context."""
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)


class Result(BaseModel):
    model_config = ConfigDict(json_schema_extra=_no_titles)


class SourceLoaded(Result):
    execution_id: str = Field(description="pass this to the next five steps")
    domains: list[str] = Field(description="the domains this execution mines")
    source_path: str
    total_lines: int
    bytes: int
    sha256: str
    chunk_size: int = Field(description="most lines in one chunk of a 32K-token context window")
    chunks: int = Field(description="chunks in the plan")
    encoding_notes: list[str]
    source_uri: str = Field(description="the source as a resource; add ?start=N&end=M for a line range, "
                                        "or ?section=LINE for a section")
    outline_uri: str = Field(description="the source's documents and their sections, a page at a time")
    state_uri: str
    next_step: str


class MatchSample(Result):
    line: int
    pattern: str
    text: str


class DomainPatterns(Result):
    domain: str
    matches_found: int
    pattern_counts: dict[str, int] = Field(description="pattern name -> matching lines")
    samples: list[MatchSample]
    pattern_errors: list[str] = []
    matches_uri: str = Field(description=f"every match with its context, {PAGED}")


class PatternsIdentified(Result):
    execution_id: str
    domains: list[DomainPatterns]
    next_step: str


class ExampleSample(Result):
    example_id: str
    source: str
    quality_score: float
    instruction: str


class ExamplesExtracted(Result):
    execution_id: str
    domain: str
    total_examples: int
    high_quality: int = Field(description="examples scoring at least the execution's min_quality")
    by_pattern: dict[str, int]
    samples: list[ExampleSample]
    examples_uri: str = Field(description=f"every extracted example, {PAGED}")
    next_step: str


class QualityFiltered(Result):
    execution_id: str
    domain: str
    min_quality: float
    kept: int
    filtered: int
    reason_counts: dict[str, int] = Field(description="why examples were filtered out")
    next_step: str


class PatternSummaryResult(Result):
    execution_id: str
    domain: str
    total_examples: int
    high_quality_examples: int
    quality_distribution: dict[str, int]
    common_patterns: list[str]
    coverage_analysis: dict[str, Any]
    recommended_use: str
    min_examples: int
    min_examples_met: bool
    shortfall: int
    notes: list[str]
    next_step: str


class ExpectedPatternsSummary(Result):
    """The seed's Expected Patterns Summary for one domain of an execution."""

    execution_id: str
    skill_id: str
    domain: str
    patterns: dict[str, bool]
    pattern_fidelity: float
    total_examples_extracted: int
    high_quality_examples: int
    execution_time_ms: float
    dataset: str | None = None
    pattern_summary_uri: str | None = Field(None, description=SUMMARY_FIRST)
    dataset_uri: str | None = Field(None, description=f"the dataset's examples, {PAGED}")
    min_examples_met: bool | None = None
    shortfall: int | None = None
    error: str | None = None
    exception_type: str | None = None


class DatasetWritten(Result):
    execution_id: str
    domain: str
    dataset: str = Field(description="path of {domain}_training_data.json")
    file_size_kb: float
    total_examples: int
    autonomous_ready: bool
    priority: str = Field(description="WSP 15 priority of training this domain (domain_priority_mps)")
    mps_total: int
    training_order: int | None
    pattern_summary_uri: str = Field(description=SUMMARY_FIRST)
    dataset_uri: str = Field(description=f"the dataset's examples, {PAGED}")
    rejected_examples_uri: str
    summary: ExpectedPatternsSummary


class Mined(Result):
    execution_id: str
    summaries: list[ExpectedPatternsSummary] = Field(description="one Expected Patterns Summary per domain")


class DomainInfo(Result):
    name: str
    description: str
    patterns: list[str]
    label: str = Field(description="the output field that is the domain's main label")
    uri: str = Field(description="the domain pack (TOML) as a resource")


class Domains(Result):
    domains: list[DomainInfo]
    note: str


class HandoffDomain(Result):
    domain: str
    training_order: int
    total_examples: int
    shortfall: int = Field(description="examples short of the min_examples it was mined for (0: none)")
    source: str | None = Field(description="the source file's name")
    source_sha256: str | None
    priority: str = Field(description="WSP 15 priority of training this domain (domain_priority_mps)")
    mps_total: int
    dataset: str
    validation_set: str | None
    exports: dict[str, dict[str, str]] = Field(description="format -> split -> JSONL path")
    wardrobe_config: dict[str, Any]
    execution_command: str = Field(description="the next skill's command for this domain")
    autonomous_ready: bool
    validation_set_uri: str


class Handoff(Result):
    next_skill: str
    training_order: list[str] = Field(description="every mined domain, the one to train first first")
    domains: list[HandoffDomain]
    warnings: list[str] = Field(description=(
        "what the trainer should not take as it is: an empty or short dataset, datasets from different sources"))
    manifest: str = Field(description="path of handoff.json")
    manifest_uri: str


# -- the steps -----------------------------------------------------------------------------------

def _call(step: str, execution_id: str, domain: str, **more: Any) -> str:
    args = ", ".join([f"execution_id={execution_id!r}", f"domain={domain!r}", *(f"{k}={v!r}" for k, v in more.items())])
    return f"{step}({args})"


def check_domain(orch: Orchestrator, domain: str, allow_all: bool) -> list[str] | None:
    """The domain list for `domain` (None for all), or a PackError listing the valid names."""
    if allow_all and domain == "all":
        return None
    if domain not in orch.packs:
        valid = ", ".join(orch.packs) + (", or all" if allow_all else "")
        raise PackError(f"domain: expected one of {valid}; got {json.dumps(domain)}. list_domains describes them")
    return [domain]


def load_source(orch: Orchestrator, path: Path, domain: str, options: Options,
                progress: Progress | None = None) -> SourceLoaded:
    ex = orch.create(path, check_domain(orch, domain, allow_all=True), options)
    info = orch.load_source(ex, progress)
    return SourceLoaded(
        execution_id=ex.id, domains=list(ex.state.domains), source_path=info.path,
        total_lines=info.total_lines, bytes=info.bytes, sha256=info.sha256, chunk_size=info.chunk_size,
        chunks=len(info.chunks), encoding_notes=info.encoding_notes, source_uri=source_uri(info.path),
        outline_uri=execution_uri(ex.id, "outline"), state_uri=execution_uri(ex.id, "state"),
        next_step=_call("identify_domain_patterns", ex.id, domain),
    )


def _match_sample(m: Match) -> MatchSample:
    return MatchSample(line=m.line, pattern=m.pattern, text=clip(m.text))


def identify_domain_patterns(orch: Orchestrator, execution_id: str, domain: str,
                             progress: Progress | None = None) -> PatternsIdentified:
    ex = orch.open(execution_id)
    domains = check_domain(orch, domain, allow_all=True)
    counts = orch.identify_domain_patterns(ex, domains, progress)
    out = []
    for d, pattern_counts in counts.items():
        figures = ex.state.domains[d].figures["identify_domain_patterns"]
        samples = ex.read_matches(d, 0, SAMPLES)
        out.append(DomainPatterns(
            domain=d, matches_found=figures["matches_found"], pattern_counts=pattern_counts,
            samples=[_match_sample(m) for m in samples],
            pattern_errors=[f"{e['pattern']}: {e['error']} ({e['lines_affected']} lines)" for e in figures["pattern_errors"]],
            matches_uri=execution_uri(ex.id, "matches", d),
        ))
    first = next(iter(counts))
    return PatternsIdentified(execution_id=ex.id, domains=out,
                              next_step=_call("extract_examples", ex.id, first)
                              + (" (then the same for each other domain)" if len(counts) > 1 else ""))


def _example_sample(e: Example) -> ExampleSample:
    return ExampleSample(example_id=e.example_id, source=e.source, quality_score=e.quality_score,
                         instruction=clip(e.instruction))


def extract_examples(orch: Orchestrator, execution_id: str, domain: str,
                     progress: Progress | None = None) -> ExamplesExtracted:
    ex = orch.open(execution_id)
    check_domain(orch, domain, allow_all=False)
    examples = orch.extract_examples(ex, domain, progress)
    best = sorted(examples, key=lambda e: -e.quality_score)[:SAMPLES]
    return ExamplesExtracted(
        execution_id=ex.id, domain=domain, total_examples=len(examples),
        high_quality=ex.state.domains[domain].figures["extract_examples"]["high_quality"],
        by_pattern=dict(Counter(e.pattern for e in examples).most_common()),
        samples=[_example_sample(e) for e in best], examples_uri=execution_uri(ex.id, "examples", domain),
        next_step=_call("filter_quality", ex.id, domain),
    )


def filter_quality(orch: Orchestrator, execution_id: str, domain: str, min_quality: float | None,
                   progress: Progress | None = None) -> QualityFiltered:
    ex = orch.open(execution_id)
    check_domain(orch, domain, allow_all=False)
    fr = orch.filter_quality(ex, domain, min_quality, progress)
    return QualityFiltered(execution_id=ex.id, domain=domain, min_quality=fr.min_quality, kept=len(fr.kept),
                           filtered=len(fr.rejected), reason_counts=fr.reason_counts,
                           next_step=_call("generate_pattern_summary", ex.id, domain))


def generate_pattern_summary(orch: Orchestrator, execution_id: str, domain: str,
                             progress: Progress | None = None) -> PatternSummaryResult:
    ex = orch.open(execution_id)
    check_domain(orch, domain, allow_all=False)
    s = orch.generate_pattern_summary(ex, domain, progress)
    return PatternSummaryResult(
        execution_id=ex.id, domain=domain, total_examples=s.total_examples,
        high_quality_examples=s.high_quality_examples, quality_distribution=s.quality_distribution,
        common_patterns=s.common_patterns[:8], coverage_analysis=s.coverage_analysis,
        recommended_use=s.recommended_use, min_examples=s.min_examples, min_examples_met=s.min_examples_met,
        shortfall=s.shortfall, notes=s.notes, next_step=_call("write_training_dataset", ex.id, domain),
    )


def _summary(orch: Orchestrator, ex: Any, domain: str, elapsed_ms: float) -> ExpectedPatternsSummary:
    s = ExpectedPatternsSummary(**orch.expected_patterns_summary(ex, domain, elapsed_ms))
    if s.dataset:
        s.pattern_summary_uri, s.dataset_uri = dataset_uri(domain, "pattern_summary"), dataset_uri(domain)
    return s


def write_training_dataset(orch: Orchestrator, execution_id: str, domain: str,
                           progress: Progress | None = None) -> DatasetWritten:
    ex = orch.open(execution_id)
    check_domain(orch, domain, allow_all=False)
    r = orch.write_training_dataset(ex, domain, progress=progress)
    orch.handoff()  # as `mine` does after writing: handoff.json covers every dataset in the folder
    mps = r["domain_priority_mps"]
    elapsed = (time.time() - ex.state.domains[domain].started) * 1000
    return DatasetWritten(
        execution_id=ex.id, domain=domain, dataset=r["paths"]["dataset"], file_size_kb=r["file_size_kb"],
        total_examples=r["total_examples"], autonomous_ready=r["autonomous_ready"], priority=mps["priority"],
        mps_total=mps["total"], training_order=mps["training_order"],
        pattern_summary_uri=dataset_uri(domain, "pattern_summary"), dataset_uri=dataset_uri(domain),
        rejected_examples_uri=dataset_uri(domain, "rejected_examples"),
        summary=_summary(orch, ex, domain, elapsed),
    )


def mine_domain(orch: Orchestrator, path: Path, domain: str, options: Options,
                progress: Progress | None = None) -> Mined:
    results = orch.mine(path, check_domain(orch, domain, allow_all=True), options, progress)
    summaries = [ExpectedPatternsSummary(**r) for r in results]
    if all(s.error for s in summaries):
        errors = "; ".join(dict.fromkeys(s.error or "" for s in summaries))
        raise MinerError(f"mining failed in execution {summaries[0].execution_id}: {errors}")
    for s in summaries:
        if s.dataset:
            s.pattern_summary_uri, s.dataset_uri = dataset_uri(s.domain, "pattern_summary"), dataset_uri(s.domain)
    return Mined(execution_id=summaries[0].execution_id, summaries=summaries)


def handoff_to_next_skill(orch: Orchestrator, domain: str, progress: Progress | None = None) -> Handoff:
    domains = check_domain(orch, domain, allow_all=True)
    if progress:
        progress("handoff_to_next_skill", 0, 1, "writing handoff.json")
    m = orch.handoff(domains)
    if not m["domains"]:
        raise MinerError(f"no datasets in {orch.settings.out} yet; run mine_domain (or the six steps) first")
    rows = []
    for d, e in m["domains"].items():
        mps = e["domain_priority_mps"]
        rows.append(HandoffDomain(
            domain=d, training_order=e["training_order"], total_examples=e["total_examples"],
            shortfall=e["shortfall"], source=e["source"]["name"], source_sha256=e["source"]["sha256"],
            priority=mps["priority"], mps_total=mps["total"], dataset=e["dataset"], validation_set=e["validation_set"],
            exports=e["exports"], wardrobe_config=e["wardrobe_config"], execution_command=e["execution_command"],
            autonomous_ready=e["autonomous_ready"], validation_set_uri=dataset_uri(d, "validation_set"),
        ))
    return Handoff(next_skill=m["next_skill"], training_order=m["training_order"], domains=rows,
                   warnings=m["warnings"], manifest=str(orch.settings.out / "handoff.json"), manifest_uri="handoff://manifest")


def list_domains(orch: Orchestrator) -> Domains:
    return Domains(
        domains=[DomainInfo(name=p.name, description=p.description, patterns=[s.name for s in p.patterns],
                            label=p.label, uri=f"domains://{p.name}") for p in orch.packs.values()],
        note="pass a name, or 'all', as `domain` to load_source or mine_domain",
    )
