"""The MCP tools' work, as plain functions over the Orchestrator.

Each function runs one of the seed's steps (or all six) and returns a compact result: counts, ids,
a few clipped samples and the resource URIs where the bulk can be read. `review_examples`, which
asks the client's model for verdicts, talks MCP itself (sampling differs between protocol eras). A small-context agent
(Qwen 1.5B, 32K tokens) has to chain all six calls, so nothing here grows with the source.
Each result ends with `next_step`, the call to make next, written for that agent.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp.shared.message import ServerMessageMetadata
from mcp_types import (
    CreateMessageRequest,
    CreateMessageRequestParams,
    CreateMessageResult,
    InputRequiredResult,
    SamplingMessage,
    TextContent,
)
from mcp_types.version import is_version_at_least
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from training_data_miner.server import logs
from training_data_miner.server import mcp_resources as res
from training_data_miner.server.orchestrator import MinerError, Options, Orchestrator, Progress
from training_data_miner.server.roots import check_recorded
from training_data_miner.skills.identify_domain_patterns import source_lines
from training_data_miner.skills.load_source import SourceError
from training_data_miner.skills.models import Example, FilterResult, Match
from training_data_miner.skills.packs import PackError
from training_data_miner.skills.review import (
    RUBRIC,
    SOURCE_WINDOW,
    VERDICTS,
    describe,
    fingerprint,
    judge_prompt,
    live_precision,
    new_verdict,
    parse_judgement,
    read_verdicts,
    record_verdict,
    verdicts_path,
    wilson,
)
from training_data_miner.skills.validate import read_dataset

log = logs.get_logger("training_data_miner")
T = TypeVar("T")

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
    caps_reached: list[str] = Field([], description="match caps this call reached: the lines or patterns it did not scan")
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
    warnings: list[str] | None = Field(None, description="match caps reached and patterns dropped: what was not mined")
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
            pattern_errors=[f"{e['pattern']}: {e['error']}" for e in figures["pattern_errors"]],
            caps_reached=[c["message"] for c in figures.get("caps_reached", [])],
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
    if progress:  # a checkpoint: a call cancelled during the write writes no handoff.json
        progress("write_training_dataset", 1, 1, "writing handoff.json")
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


# -- review_examples: the client's model as reviewer, through MCP sampling --------------------------

MAX_REVIEW_SAMPLE = 100
REVIEW_ROUNDS = 8  # at most this many rounds of questions on 2026-07-28 (clients allow 10 by default)
REVIEW_SHOWN = 20  # verdicts listed in the result
ANSWER_TOKENS = 200
ANSWER_TIMEOUT_S = 300.0  # longest one answer may take (a client may ask its user first)
NO_SAMPLING = ("review_examples needs a client with the MCP sampling capability (sampling/createMessage), to ask "
               "the client's own model for each verdict; this client did not declare it. Use a client that "
               "supports sampling, or review in a browser: training-data-miner review (or /review on the "
               "server's HTTP port)")


class JudgedExample(Result):
    example_id: str
    verdict: str
    reason: str


class Reviewed(Result):
    domain: str
    reviewer: str | None = Field(description="model:<name>, the model the client said answered")
    reviewed_from: str = Field(description="the dataset file, or the execution, the sample was drawn from")
    sampled: int
    judged: int = Field(description="verdicts stored")
    good: int
    weak: int
    wrong: int
    precision: float | None = Field(description="GOOD / judged in this sample")
    interval_95: tuple[float, float] | None = Field(description="95% Wilson score interval of that precision")
    unparsed: list[str] = Field(description="example_ids whose answer named no verdict (nothing stored for them)")
    verdicts: list[JudgedExample] = Field(description=f"the first {REVIEW_SHOWN} verdicts with their reasons")
    domain_precision: str = Field(description="the domain's reviewed precision under every verdict so far")
    verdicts_file: str
    next_step: str


@dataclass
class ReviewSet:
    domain: str
    description: str
    examples: list[dict[str, Any]]
    source: Path
    sha256: str
    total_lines: int
    origin: str


def review_set(orch: Orchestrator, roots: list[Path], domain: str, execution_id: str | None) -> ReviewSet:
    """What review_examples draws from: the kept examples of `execution_id`'s filter_quality, or
    the domain's dataset; the source must be inside the roots and unchanged."""
    check_domain(orch, domain, allow_all=False)
    pack = orch.packs[domain]
    if execution_id:
        ex = orch.open(execution_id)
        if domain not in ex.state.domains or not ex.state.domains[domain].steps.get("quality_filtering_applied"):
            raise MinerError(f"review_examples needs filter_quality to have run for domain {domain!r} in execution "
                             f"{execution_id}; call filter_quality first, or leave out execution_id to review the "
                             "domain's dataset")
        real = res.check_execution(ex, roots, sha=True)
        assert ex.state.source is not None
        kept = ex.read_model("filtered", domain, FilterResult).kept
        return ReviewSet(domain, pack.description, [e.model_dump(mode="json") for e in kept], real,
                         ex.state.source.sha256, ex.state.source.total_lines, f"execution {execution_id}")
    path = orch.dataset_paths(domain)["dataset"]
    if not path.is_file():
        raise MinerError(f"no dataset for {domain} in {orch.settings.out} yet; run mine_domain first, or pass the "
                         "execution_id of an execution whose filter_quality has run")
    try:
        dataset = read_dataset(path)
        src = dataset["metadata"]["source_file"]
    except (ValueError, KeyError, TypeError) as exc:
        raise MinerError(f"{path} cannot be read as a dataset ({exc}); mine the domain again") from None
    real = check_recorded(src["path"], src["sha256"], roots)
    return ReviewSet(domain, pack.description, dataset["examples"], real, src["sha256"], src["total_lines"], str(path))


def pick_sample(rs: ReviewSet, verdicts: dict[str, Any], n: int, rng: random.Random) -> list[str]:
    """Fingerprints of n examples drawn at random, those nobody has reviewed first."""
    fresh, seen = [], []
    for ex in rs.examples:
        (seen if fingerprint(ex) in verdicts else fresh).append(fingerprint(ex))
    rng.shuffle(fresh)
    rng.shuffle(seen)
    return list(dict.fromkeys(fresh + seen))[:n]


def judge_requests(rs: ReviewSet, fps: list[str]) -> list[tuple[dict[str, Any], CreateMessageRequest]]:
    """One sampling request per example: the rubric, the example, its source lines."""
    by_fp = {fingerprint(ex): ex for ex in rs.examples}
    chosen = [by_fp[fp] for fp in fps if fp in by_fp]
    lines = source_lines(rs.source, {n for ex in chosen for n in _window(ex, rs.total_lines)}, rs.sha256)
    out = []
    for ex in chosen:
        window = [(n, lines[n]) for n in _window(ex, rs.total_lines)]
        prompt = judge_prompt(rs.domain, rs.description, ex, window)
        out.append((ex, CreateMessageRequest(params=CreateMessageRequestParams(
            messages=[SamplingMessage(role="user", content=TextContent(type="text", text=prompt))],
            system_prompt=RUBRIC, max_tokens=ANSWER_TOKENS, temperature=0.0))))
    return out


def _window(ex: dict[str, Any], total: int) -> range:
    line = int(str(ex["source"]).rsplit(":line_", 1)[1])
    return range(max(1, line - SOURCE_WINDOW), min(total, line + SOURCE_WINDOW) + 1)


def answer_text(result: Any) -> tuple[str, str]:
    """(the answer's text, the model the client named) of a CreateMessageResult."""
    blocks = result.content if isinstance(result.content, list) else [result.content]
    return "\n".join(b.text for b in blocks if isinstance(b, TextContent)), result.model or "unknown"


@dataclass
class Tally:
    reviewer: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: {v: 0 for v in VERDICTS})
    judged: list[list[str]] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)

    def take(self, orch: Orchestrator, domain: str, ex: dict[str, Any], result: Any) -> str | None:
        """Store the verdict an answer gives (None: it gives none)."""
        text, model = answer_text(result)
        judgement = parse_judgement(text)
        if judgement is None:
            self.unparsed.append(str(ex.get("example_id")))
            return None
        verdict, reason = judgement
        self.reviewer = f"model:{' '.join(model.split())[:90] or 'unknown'}"
        record_verdict(orch.settings.reviews, new_verdict(ex, domain, verdict, self.reviewer, reason))
        self.counts[verdict] += 1
        if len(self.judged) < REVIEW_SHOWN:  # all the result lists (and the request state carries)
            self.judged.append([str(ex.get("example_id")), verdict, clip(reason)])
        return verdict

    def result(self, orch: Orchestrator, rs: ReviewSet, sampled: int) -> Reviewed:
        judged = sum(self.counts.values())
        live = _domain_precision(orch, rs.domain)
        return Reviewed(
            domain=rs.domain, reviewer=self.reviewer, reviewed_from=rs.origin, sampled=sampled, judged=judged,
            good=self.counts["GOOD"], weak=self.counts["WEAK"], wrong=self.counts["WRONG"],
            precision=round(self.counts["GOOD"] / judged, 3) if judged else None,
            interval_95=wilson(self.counts["GOOD"], judged), unparsed=self.unparsed,
            verdicts=[JudgedExample(example_id=i, verdict=v, reason=r) for i, v, r in self.judged],
            domain_precision=live, verdicts_file=str(verdicts_path(orch.settings.reviews, rs.domain)),
            next_step=(f"mine_domain(source_path=..., domain={rs.domain!r}) again: examples marked WRONG go to the "
                       "rejected file with the reason, GOOD ones are kept, and the pattern summary reports the "
                       "reviewed precision" if judged else "nothing was stored; see unparsed"),
        )


def _domain_precision(orch: Orchestrator, domain: str) -> str:
    paths = orch.dataset_paths(domain)
    try:
        dataset = read_dataset(paths["dataset"])
    except ValueError:
        return "no dataset yet"
    try:
        rejected: dict[str, Any] | None = read_dataset(paths["rejected"])
    except ValueError:
        rejected = None
    return describe(live_precision(dataset, rejected, read_verdicts(orch.settings.reviews, domain)))


async def review_examples(ctx: Context, orch: Orchestrator, roots: list[Path], domain: str, sample: int,
                          execution_id: str | None) -> Reviewed | InputRequiredResult:
    """Ask the client's model, through MCP sampling, for a verdict on each of `sample` examples.

    On a 2025-era connection each question is a sampling/createMessage request sent while the call
    runs: verdicts are stored as the answers come, progress follows them, and a cancelled call
    keeps the verdicts stored before it. On 2026-07-28 the server cannot call the client: the tool
    returns the questions (InputRequiredResult) in at most REVIEW_ROUNDS rounds, and stores each
    round's answers when the client calls again with them. The sample is drawn on the first round
    and carried in the request state (which the SDK seals), so every round judges the same one.
    (The SDK's `Resolve(...)` form asks one fixed question per parameter; a sample needs N.)"""
    caps = ctx.client_capabilities
    if caps is None or caps.sampling is None:
        raise ToolError(NO_SAMPLING)
    rs = await _thread(review_set, orch, roots, domain, execution_id)
    if ctx.protocol_version is not None and is_version_at_least(ctx.protocol_version, "2026-07-28"):
        return await _review_in_rounds(ctx, orch, rs, sample)
    fps = pick_sample(rs, await _thread(read_verdicts, orch.settings.reviews, domain), sample, random.Random())
    questions = await _thread(judge_requests, rs, fps)
    tally = Tally()
    for i, (ex, question) in enumerate(questions):
        await ctx.report_progress(i, len(questions), f"asking the client's model about {ex.get('example_id')}")
        try:
            answer = await ctx.session.send_request(
                question, CreateMessageResult, request_read_timeout_seconds=ANSWER_TIMEOUT_S,
                metadata=ServerMessageMetadata(related_request_id=ctx.request_id))
        except (MCPError, TimeoutError, ValidationError) as exc:
            raise ToolError(f"the client's model gave no answer about {ex.get('example_id')} ({exc}); "
                            f"{sum(tally.counts.values())} verdicts were stored before it") from None
        verdict = await _thread(tally.take, orch, domain, ex, answer)
        log.info("review verdict", domain=domain, example_id=ex.get("example_id"), verdict=verdict)
    await ctx.report_progress(len(questions), len(questions), "done")
    return await _thread(tally.result, orch, rs, len(questions))


async def _review_in_rounds(ctx: Context, orch: Orchestrator, rs: ReviewSet, sample: int) -> Reviewed | InputRequiredResult:
    if ctx.request_state:
        state = json.loads(ctx.request_state)
        tally = Tally(state["reviewer"], state["counts"], state["judged"], state["unparsed"])
    else:
        fps = pick_sample(rs, await _thread(read_verdicts, orch.settings.reviews, rs.domain), sample, random.Random())
        state = {"fps": fps, "next": 0, "asked": {}}
        tally = Tally()
    fps, asked = state["fps"], state["asked"]
    answers = ctx.input_responses or {}
    by_fp = {fingerprint(ex): ex for ex in rs.examples}
    if answers:
        for key, fp in asked.items():
            ex = by_fp.get(fp)
            answer = answers.get(key)
            if ex is None or not isinstance(answer, CreateMessageResult):
                tally.unparsed.append(str(ex.get("example_id")) if ex else fp)
                continue
            await _thread(tally.take, orch, rs.domain, ex, answer)
        state["next"] += len(asked)
        asked = {}
    done = state["next"]
    await ctx.report_progress(done, len(fps), f"{done} of {len(fps)} examples judged")
    if done >= len(fps):
        return await _thread(tally.result, orch, rs, len(fps))
    if not asked:  # the next batch (or the same one again, for a retry that carried no answers)
        batch = fps[done: done + max(1, -(-len(fps) // REVIEW_ROUNDS))]
        asked = {f"review_{done + i}": fp for i, fp in enumerate(batch)}
    questions = await _thread(judge_requests, rs, list(asked.values()))
    keyed = {fingerprint(ex): q for ex, q in questions}
    state.update(asked={k: fp for k, fp in asked.items() if fp in keyed}, reviewer=tally.reviewer,
                 counts=tally.counts, judged=tally.judged, unparsed=tally.unparsed)
    return InputRequiredResult(input_requests={k: keyed[fp] for k, fp in state["asked"].items()},
                               request_state=json.dumps(state))


async def _thread(fn: Callable[..., T], *args: Any) -> T:
    """`fn` in a worker thread (it reads or fsyncs files); the miner's errors become tool errors."""
    try:
        return await anyio.to_thread.run_sync(lambda: fn(*args))
    except (MinerError, PackError, SourceError) as exc:
        raise ToolError(str(exc)) from None
