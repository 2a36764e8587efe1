"""The orchestrator: chains the six steps for one domain or all under one `execution_id`.

Each step reads what the step before it left in the execution's folder
(`data/executions/<execution_id>/`) and leaves its own output there, so the steps can be run all at
once (`mine`) or one call at a time by an agent over MCP, resumed after a crash, or continued by
another client. Every step writes a breadcrumb line; every domain run appends a fidelity record
(steps executed / 6). A failed step is recorded as failed, with its exception type, never hidden.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from training_data_miner.server import logs
from pydantic import BaseModel, Field, TypeAdapter

from training_data_miner.server import metrics
from training_data_miner.server.holo_index import HoloConfig
from training_data_miner.server.semantic import SemanticSearchError, augment_identify
from training_data_miner.server.workers import WorkerFailed, balance, can_fork, run_in_workers
from training_data_miner.skills.extract_examples import extract_examples
from training_data_miner.skills.files import atomic_write_json, atomic_write_text
from training_data_miner.skills.handoff import (
    EXECUTION_COMMAND,
    SPLIT_SEED,
    VALIDATION_SHARE,
    build_manifest,
    export_dataset,
    order_key,
)
from training_data_miner.skills.filter_quality import MIN_QUALITY, filter_quality
from training_data_miner.skills.generate_pattern_summary import MIN_EXAMPLES, generate_pattern_summary
from training_data_miner.skills.identify_domain_patterns import (
    CONTEXT_LINES,
    Scanner,
    annotate,
    identify_domain_patterns,
    match_row,
    matches_from_rows,
)
from training_data_miner.skills.load_source import SourceError, load_source
from training_data_miner.skills.structure import Structure, structure_of
from training_data_miner.skills.models import Example, FilterResult, Match, PatternError, PatternSummary, PatternType, SourceInfo
from training_data_miner.skills.packs import DomainPack, PackError, load_packs, select
from training_data_miner.skills.write_training_dataset import (
    KeptExistingDataset,
    dataset_paths,
    domain_priority_mps,
    write_training_dataset,
)

log = logs.get_logger("training_data_miner")

Progress = Callable[[str, float, float, str], None]
STEP_NAMES = ("load_source", "identify_domain_patterns", "extract_examples", "filter_quality",
              "generate_pattern_summary", "write_training_dataset")
STEP_PATTERN = dict(zip(STEP_NAMES, metrics.PATTERNS))
_EXAMPLES = TypeAdapter(list[Example])


class MinerError(Exception):
    """An error for the caller to act on; the message says what to do."""


class StepOrderError(MinerError):
    pass


class UnknownExecution(MinerError):
    pass


class InvalidExecutionId(MinerError):
    pass


class DatasetKept(MinerError):
    """A run short of min_examples did not replace an existing dataset."""


# What an execution_id may be: the name of one folder under data/executions/ (the MCP tools'
# schema states the same pattern). Never "..", nothing with a "/", nothing hidden.
EXECUTION_ID_PATTERN = r"^[A-Za-z0-9_.-]+$"
EXECUTION_ID_MAX = 128
_EXECUTION_ID = re.compile(EXECUTION_ID_PATTERN)


def check_execution_id(execution_id: str) -> str:
    """`execution_id`, if it can only name a folder of its own under data/executions/; else
    InvalidExecutionId, saying what it may be. The CLI and the MCP tools both check here."""
    if (not _EXECUTION_ID.fullmatch(execution_id) or execution_id.startswith(".")
            or len(execution_id) > EXECUTION_ID_MAX):
        raise InvalidExecutionId(
            f"invalid execution_id {execution_id!r}: use letters, digits, '_', '-' and '.', at most "
            f"{EXECUTION_ID_MAX} characters, not starting with '.'")
    return execution_id


class Cancelled(BaseException):
    """Raised by a progress callback to stop a run at its next checkpoint. A BaseException, like
    KeyboardInterrupt, so that `mine` does not treat it as one domain's failure and go on."""


class Settings(BaseModel):
    data_dir: Path = Path("data")
    out_dir: Path | None = None
    metrics_dir: Path | None = None
    learning_store: Path | None = None
    domains_dirs: list[Path] = []
    execution_command: str = EXECUTION_COMMAND
    export_formats: list[str] = []
    exports_dir: Path | None = None
    validation_share: float = Field(VALIDATION_SHARE, gt=0.0, lt=1.0)
    split_seed: int = SPLIT_SEED
    # Processes for a whole-run mine (domain groups in forked workers); the CLI uses the cores.
    workers: int = Field(1, ge=1)
    # The holo_index endpoint for semantic search (HOLO_INDEX_* variables); None: the embedded index.
    holo_index: HoloConfig | None = Field(default_factory=HoloConfig.from_env)

    @property
    def exports(self) -> Path:
        return self.exports_dir or self.out / "exports"

    @property
    def out(self) -> Path:
        return self.out_dir or self.data_dir / "training_datasets"

    @property
    def metrics(self) -> Path:
        return self.metrics_dir or self.data_dir / "metrics"

    @property
    def learning(self) -> Path:
        return self.learning_store or self.data_dir / "learning" / "training_data_mining_patterns.jsonl"

    @property
    def executions(self) -> Path:
        return self.data_dir / "executions"


class Options(BaseModel):
    """The seed's inputs, plus the quality threshold and context size."""

    min_quality: float = Field(MIN_QUALITY, ge=0.0, le=1.0)
    min_examples: int = Field(MIN_EXAMPLES, ge=0)
    pattern_type: PatternType | None = None
    pattern_regex: str | None = None
    context: int = Field(CONTEXT_LINES, ge=0, le=50)
    semantic: bool = Field(True, description="add semantic matches for lines the regexes missed")
    replace: bool = Field(False, description=(
        "write a dataset short of min_examples even over one already there (by default that one is kept)"))


class DomainState(BaseModel):
    steps: dict[str, bool] = {}
    figures: dict[str, Any] = {}
    error: str | None = None
    exception_type: str | None = None
    started: float = Field(default_factory=time.time)
    recorded: bool = False


class ExecutionState(BaseModel):
    execution_id: str
    source_path: str
    created: str
    options: Options
    source: SourceInfo | None = None
    domains: dict[str, DomainState] = {}
    pattern_errors: list[PatternError] = []


def new_execution_id() -> str:
    return f"exec_qwen_miner_{datetime.now(timezone.utc):%Y%m%d_%H%M%S}_{os.urandom(3).hex()}"


class Execution:
    """An execution's folder: its state and each step's output, all written atomically."""

    def __init__(self, root: Path, state: ExecutionState):
        self.state = state
        self.dir = root / state.execution_id
        # Step outputs this object wrote, kept in memory: within one process (a `mine` run) the next
        # step takes them from here instead of re-reading and re-validating the persisted copy. An
        # Execution opened from disk (another call, another client, a resumed run) reads the files.
        self._mem: dict[tuple[str, str], Any] = {}

    @property
    def id(self) -> str:
        return self.state.execution_id

    @property
    def breadcrumbs(self) -> Path:
        return self.dir / "breadcrumbs.jsonl"

    def save(self) -> None:
        atomic_write_text(self.dir / "state.json", self.state.model_dump_json(indent=1))

    def path(self, kind: str, domain: str, ext: str = "jsonl") -> Path:
        return self.dir / f"{domain}.{kind}.{ext}"

    def write_models(self, kind: str, domain: str, items: list[BaseModel]) -> None:
        # Step outputs can be rebuilt by running their step again: no fsync (a killed process
        # still leaves the old file or the new one; only the datasets are synced to disk).
        atomic_write_text(self.path(kind, domain), "".join(i.model_dump_json() + "\n" for i in items), sync=False)
        self._mem[(kind, domain)] = list(items)

    @property
    def outline_path(self) -> Path:
        return self.dir / "outline.jsonl"

    def read_structure(self) -> Structure:
        """Read the source's structure (documents, sections, blocks) and keep its outline with the
        execution: one JSON line per document with its sections and their line ranges."""
        assert self.state.source is not None
        tmp = self.outline_path.with_suffix(f".{os.getpid()}.tmp")
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        with open(tmp, "w", encoding="utf-8") as f:
            structure = structure_of(self.state.source.path, self.state.source.sha256,
                                     on_document=lambda doc: f.write(dumps(doc.outline()) + "\n"))
        os.replace(tmp, self.outline_path)
        self._mem[("structure", "")] = structure
        return structure

    def structure(self) -> Structure:
        """The source's structure: this run's, the process's copy, or read again (the source must
        still have the sha256 load_source gave it)."""
        held = self._mem.get(("structure", ""))
        if held is None:
            assert self.state.source is not None
            held = self._mem[("structure", "")] = structure_of(self.state.source.path, self.state.source.sha256)
        return held

    def write_matches(self, domain: str, items: list[Match]) -> None:
        """Step 2's output, stored as rows whose context windows are line counts."""
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        atomic_write_text(self.path("matches", domain), "".join(dumps(match_row(m)) + "\n" for m in items),
                          sync=False)
        self._mem[("matches", domain)] = list(items)

    def match_rows(self, domain: str) -> list[dict[str, Any]]:
        """Step 2's output as stored: one row per match, its context windows as line counts."""
        with open(self.path("matches", domain), encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def with_context(self, rows: list[dict[str, Any]]) -> list[Match]:
        """Stored rows as matches, their context windows read back from the source."""
        assert self.state.source is not None
        return matches_from_rows(self.state.source.path, self.state.source.sha256, rows)

    def read_matches(self, domain: str, offset: int = 0, limit: int | None = None) -> list[Match]:
        """Step 2's output (a slice of it), with context windows."""
        end = None if limit is None else offset + limit
        held = self._mem.get(("matches", domain))
        if held is not None:
            return list(held[offset:end])
        return self.with_context(self.match_rows(domain)[offset:end])

    def match_kinds(self, domain: str) -> list[str]:
        """Each match's match_kind, in order (no source read needed)."""
        held = self._mem.get(("matches", domain))
        return [m.match_kind for m in held] if held is not None else [r["match_kind"] for r in self.match_rows(domain)]

    def read_models(self, kind: str, domain: str, model: type[BaseModel]) -> list[Any]:
        held = self._mem.get((kind, domain))
        if held is not None:
            return list(held)
        with open(self.path(kind, domain), encoding="utf-8") as f:
            return [model.model_validate_json(line) for line in f if line.strip()]

    def write_model(self, kind: str, domain: str, item: BaseModel) -> None:
        atomic_write_text(self.path(kind, domain, "json"), item.model_dump_json(), sync=False)
        self._mem[(kind, domain)] = item

    def read_model(self, kind: str, domain: str, model: type[BaseModel]) -> Any:
        held = self._mem.get((kind, domain))
        if held is not None:
            return held
        return model.model_validate_json(self.path(kind, domain, "json").read_text(encoding="utf-8"))


class Orchestrator:
    def __init__(self, settings: Settings | None = None, packs: dict[str, DomainPack] | None = None):
        self.settings = settings or Settings()
        self._packs = packs

    @property
    def packs(self) -> dict[str, DomainPack]:
        """The domain packs, loaded (and their regexes compiled) on first use, so a server answers
        `initialize` before it has paid for them. A broken pack raises PackError here."""
        if self._packs is None:
            try:
                self._packs = load_packs(self.settings.domains_dirs)
            except PackError as exc:  # said once per attempt; fixing the file fixes the next call
                log.error("domain packs failed to load", error=str(exc))
                raise
        return self._packs

    # -- executions -------------------------------------------------------------------------

    def create(self, source_path: str | os.PathLike[str], domains: list[str] | None,
               options: Options | None = None, execution_id: str | None = None) -> Execution:
        options = options or Options()
        packs = self.domain_packs(domains, options)
        state = ExecutionState(
            execution_id=check_execution_id(execution_id) if execution_id else new_execution_id(),
            source_path=str(source_path),
            created=metrics.now_iso(), options=options,
            domains={p.name: DomainState() for p in packs},
        )
        ex = Execution(self.settings.executions, state)
        ex.save()
        return ex

    def open(self, execution_id: str) -> Execution:
        check_execution_id(execution_id)
        path = self.settings.executions / execution_id / "state.json"
        try:
            state = ExecutionState.model_validate_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UnknownExecution(
                f"unknown execution_id {execution_id!r}; call load_source first to start an execution"
            ) from None
        return Execution(self.settings.executions, state)

    def domain_packs(self, domains: list[str] | None, options: Options) -> list[DomainPack]:
        packs = select(self.packs, domains)
        if options.pattern_regex:
            packs = [p.with_pattern(options.pattern_regex) for p in packs]
        return packs

    def _pack(self, ex: Execution, domain: str) -> DomainPack:
        if domain not in ex.state.domains:
            if domain not in self.packs:
                raise PackError(f"unknown domain {domain!r}; valid domains: {', '.join(self.packs)}")
            raise MinerError(
                f"domain {domain!r} is not part of execution {ex.id} "
                f"(it mines {', '.join(ex.state.domains)}); start a new execution with load_source"
            )
        return self.domain_packs([domain], ex.state.options)[0]

    def _require(self, ex: Execution, domain: str, step: str) -> None:
        before = STEP_NAMES[STEP_NAMES.index(step) - 1]
        if not ex.state.domains[domain].steps.get(STEP_PATTERN[before]):
            raise StepOrderError(
                f"{step} needs {before} to have run for domain {domain!r} in execution {ex.id}; "
                f"call {before} first"
            )

    def _run_step(self, ex: Execution, domains: list[str], step: str, fn: Callable[[], dict[str, Any]],
                  progress: Progress | None = None) -> dict[str, Any]:
        """Run one step, then mark it done (and write its breadcrumb) for each domain; on failure
        record the failure for each domain and re-raise. A step that runs again makes the later
        steps' outputs stale, so they are marked not done."""
        pattern = STEP_PATTERN[step]
        t0 = time.perf_counter()
        try:
            if progress:  # a checkpoint: a cancelled run stops here, before the step writes anything
                progress(step, 0, 1, f"starting: {', '.join(domains)}")
            figures = fn()
        except BaseException as exc:
            for d in domains:
                st = ex.state.domains[d]
                st.steps[pattern] = False
                st.error = f"{step}: {exc}"
                st.exception_type = type(exc).__name__
                metrics.breadcrumb(ex.breadcrumbs, pattern, False, ex.id, domain=d,
                                   error=str(exc)[:500], exception_type=type(exc).__name__)
            ex.save()
            raise
        ms = round((time.perf_counter() - t0) * 1000, 1)
        later = STEP_NAMES[STEP_NAMES.index(step) + 1 :]
        for d in domains:
            st = ex.state.domains[d]
            st.steps[pattern] = True
            st.error = st.exception_type = None
            for s in later:
                if st.steps.pop(STEP_PATTERN[s], None) is not None:
                    st.figures.pop(s, None)
                    st.recorded = False
            per = figures.get(d, figures) if isinstance(figures.get(d), dict) else figures
            st.figures[step] = per
            metrics.breadcrumb(ex.breadcrumbs, pattern, True, ex.id, domain=d, step_ms=ms,
                               **{k: v for k, v in per.items() if not isinstance(v, (dict, list))})
        ex.save()
        log.info("step done", step=step, execution_id=ex.id, domains=domains, ms=ms)
        return figures

    # -- the six steps ------------------------------------------------------------------------

    def load_source(self, ex: Execution, progress: Progress | None = None) -> SourceInfo:
        def run() -> dict[str, Any]:
            info = load_source(ex.state.source_path)
            ex.state.source = info
            structure = ex.read_structure()
            return {"total_lines": info.total_lines, "chunk_size": info.chunk_size, "chunks": len(info.chunks),
                    "bytes": info.bytes, "sha256": info.sha256, "documents": len(structure)}

        self._run_step(ex, list(ex.state.domains), "load_source", run, progress)
        assert ex.state.source is not None
        return ex.state.source

    def identify_domain_patterns(self, ex: Execution, domains: list[str] | None = None,
                                 progress: Progress | None = None) -> dict[str, dict[str, int]]:
        """One pass over the source for all `domains` (default: every domain of the execution)."""
        domains = list(domains or ex.state.domains)
        packs = [self._pack(ex, d) for d in domains]
        for d in domains:
            if not ex.state.domains[d].steps.get("source_loaded"):
                raise StepOrderError(f"identify_domain_patterns needs load_source to have run in execution {ex.id}; "
                                     "call load_source first")
        source = ex.state.source
        assert source is not None

        def run() -> dict[str, Any]:
            chunks = source.chunks
            chunk = 0

            def on_match(item: Match) -> None:
                nonlocal chunk
                if progress and chunk < len(chunks) and item.line > chunks[chunk].end_line:
                    while chunk < len(chunks) and item.line > chunks[chunk].end_line:
                        chunk += 1
                    progress("identify_domain_patterns", chunk, len(chunks),
                             f"chunk {chunk} of {len(chunks)} scanned (line {item.line} of {source.total_lines})")

            res = identify_domain_patterns(
                source.path, packs, scanner=Scanner(packs, context=ex.state.options.context), on_match=on_match,
                on_error=lambda e: log.warning("pattern error", **e.model_dump()))
            found, counts = res.matches, res.counts
            structure = ex.structure()
            errors = {(e.domain, e.pattern): e for e in res.pattern_errors}
            semantic = {}
            if ex.state.options.semantic:
                if progress:
                    progress("identify_domain_patterns", len(chunks), len(chunks), "semantic search")
                semantic = augment_identify(source.path, packs, found, self.settings.holo_index,
                                            ex.state.options.context)
            off = ([], {"semantic_backend": "off", "semantic_status": "off", "semantic_matches": 0})
            out = {}
            for d in domains:
                extra, semantic_figures = semantic.get(d, off)
                annotate(found[d], structure)
                annotate(extra, structure)
                # regex matches first: of two equal duplicates, the quality filter keeps the first
                ex.write_matches(d, found[d] + extra)
                out[d] = {"matches_found": len(found[d]) + len(extra), "regex_matches": len(found[d]),
                          **semantic_figures, "pattern_counts": counts[d],
                          "pattern_errors": [e.model_dump() for e in errors.values() if e.domain == d]}
            ex.state.pattern_errors = [e for e in ex.state.pattern_errors if e.domain not in domains]
            ex.state.pattern_errors += list(errors.values())
            return out

        figures = self._run_step(ex, domains, "identify_domain_patterns", run, progress)
        return {d: figures[d]["pattern_counts"] for d in domains}

    def extract_examples(self, ex: Execution, domain: str, progress: Progress | None = None) -> list[Example]:
        pack = self._pack(ex, domain)
        self._require(ex, domain, "extract_examples")
        out: list[Example] = []

        def run() -> dict[str, Any]:
            matches = ex.read_matches(domain)
            assert ex.state.source is not None
            out.extend(extract_examples(_reporting(matches, "extract_examples", domain, progress), pack,
                                        ex.state.source.name, ex.structure()))
            ex.write_models("examples", domain, out)
            return {"total_examples": len(out),
                    "high_quality": sum(1 for e in out if e.quality_score >= ex.state.options.min_quality)}

        self._run_step(ex, [domain], "extract_examples", run, progress)
        return out

    def filter_quality(self, ex: Execution, domain: str, min_quality: float | None = None,
                       progress: Progress | None = None) -> FilterResult:
        self._pack(ex, domain)
        self._require(ex, domain, "filter_quality")
        if min_quality is not None:
            ex.state.options.min_quality = min_quality
        result: list[FilterResult] = []

        def run() -> dict[str, Any]:
            examples = _EXAMPLES.validate_python(ex.read_models("examples", domain, Example))
            fr = filter_quality(examples, ex.state.options.min_quality, pattern_type=ex.state.options.pattern_type)
            ex.write_model("filtered", domain, fr)
            result.append(fr)
            return {"kept": len(fr.kept), "filtered": len(fr.rejected), "min_quality": fr.min_quality,
                    "reason_counts": fr.reason_counts}

        self._run_step(ex, [domain], "filter_quality", run, progress)
        return result[0]

    def _filtered(self, ex: Execution, domain: str) -> FilterResult:
        return ex.read_model("filtered", domain, FilterResult)

    def generate_pattern_summary(self, ex: Execution, domain: str, progress: Progress | None = None) -> PatternSummary:
        pack = self._pack(ex, domain)
        self._require(ex, domain, "generate_pattern_summary")
        result: list[PatternSummary] = []

        def run() -> dict[str, Any]:
            fr = self._filtered(ex, domain)
            examples = ex.read_models("examples", domain, Example)
            o = ex.state.options
            s = generate_pattern_summary(pack, ex.match_kinds(domain), examples, fr, o.min_examples, o.pattern_type)
            ex.write_model("summary", domain, s)
            result.append(s)
            return {"high_quality_examples": s.high_quality_examples, "min_examples_met": s.min_examples_met,
                    "shortfall": s.shortfall}

        self._run_step(ex, [domain], "generate_pattern_summary", run, progress)
        return result[0]

    def write_training_dataset(self, ex: Execution, domain: str, training_order: int | None = None,
                               progress: Progress | None = None, replace: bool | None = None) -> dict[str, Any]:
        """Step 6. A run short of min_examples keeps a dataset already there (DatasetKept) unless
        `replace` (default: the execution's option) is True."""
        pack = self._pack(ex, domain)
        self._require(ex, domain, "write_training_dataset")
        if replace is not None:
            ex.state.options.replace = replace
        result: list[dict[str, Any]] = []

        def run() -> dict[str, Any]:
            fr = self._filtered(ex, domain)
            summary = ex.read_model("summary", domain, PatternSummary)
            assert ex.state.source is not None
            st = ex.state.domains[domain]
            try:
                r = write_training_dataset(
                    pack=pack, source=ex.state.source, filtered=fr, summary=summary,
                    matches_found=st.figures["identify_domain_patterns"]["matches_found"],
                    out_dir=self.settings.out, execution_id=ex.id, learning_store=self.settings.learning,
                    pattern_type=ex.state.options.pattern_type,
                    training_order=(training_order if training_order is not None
                                    else self._training_order(pack, fr, summary)),
                    execution_command=self.settings.execution_command,
                    validation_share=self.settings.validation_share, split_seed=self.settings.split_seed,
                    replace=ex.state.options.replace,
                )
            except KeptExistingDataset as exc:
                raise DatasetKept(str(exc)) from None
            if self.settings.export_formats:
                r["exports"] = export_dataset(Path(r["paths"]["dataset"]), self.settings.export_formats,
                                              self.settings.exports)
            result.append(r)
            return {"file_size_kb": r["file_size_kb"], "autonomous_ready": r["autonomous_ready"],
                    "total_examples": r["total_examples"], "dataset": r["paths"]["dataset"]}

        self._run_step(ex, [domain], "write_training_dataset", run, progress)
        self.record_fidelity(ex, domain)
        return result[0]

    def _training_order(self, pack: DomainPack, fr: FilterResult, summary: PatternSummary) -> int:
        """This domain's place among the datasets already in the output folder, by their WSP 15
        domain priority total (then example count, then name)."""
        own = order_key(pack.name, domain_priority_mps(pack, fr.kept, summary)["total"], len(fr.kept))
        rank = 1
        for path in self.settings.out.glob("*_training_data.json"):
            try:
                d = json.loads(path.read_text(encoding="utf-8"))
                if d["domain"] != pack.name:
                    rank += order_key(d["domain"], d["domain_priority_mps"]["total"], d["total_examples"]) < own
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return rank

    def handoff(self, domains: list[str] | None = None) -> dict[str, Any]:
        """Write data/training_datasets/handoff.json for every dataset in the output folder (the
        manifest always covers them all; `domains` limits what is returned)."""
        manifest = build_manifest(self.settings.out, self.settings.exports, self.settings.execution_command)
        atomic_write_json(self.settings.out / "handoff.json", manifest)
        if domains and domains != ["all"]:
            missing = [d for d in domains if d not in manifest["domains"]]
            if missing:
                raise MinerError(f"no dataset for {', '.join(missing)} in {self.settings.out}; "
                                 "mine the domain first (mine_domain or write_training_dataset)")
            manifest = {**manifest, "domains": {d: manifest["domains"][d] for d in domains}}
        return manifest

    # -- whole runs ---------------------------------------------------------------------------

    def record_fidelity(self, ex: Execution, domain: str) -> dict[str, Any] | None:
        st = ex.state.domains[domain]
        if st.recorded:
            return None
        st.recorded = True
        ex.save()
        return metrics.fidelity_record(self.settings.metrics, ex.id, domain, st.steps,
                                       (time.time() - st.started) * 1000, st.exception_type)

    def expected_patterns_summary(self, ex: Execution, domain: str, elapsed_ms: float) -> dict[str, Any]:
        st = ex.state.domains[domain]
        fig = st.figures
        detail = {p: bool(st.steps.get(p)) for p in metrics.PATTERNS}
        out: dict[str, Any] = {
            "execution_id": ex.id,
            "skill_id": metrics.SKILL_ID,
            "domain": domain,
            "patterns": detail,
            "pattern_fidelity": round(sum(detail.values()) / len(detail), 4),
            "total_examples_extracted": fig.get("extract_examples", {}).get("total_examples", 0),
            "high_quality_examples": fig.get("filter_quality", {}).get("kept", 0),
            "execution_time_ms": round(elapsed_ms, 1),
        }
        if "write_training_dataset" in fig:
            out["dataset"] = fig["write_training_dataset"]["dataset"]
        if "generate_pattern_summary" in fig:
            out["min_examples_met"] = fig["generate_pattern_summary"]["min_examples_met"]
            out["shortfall"] = fig["generate_pattern_summary"]["shortfall"]
        if st.error:
            out["error"] = st.error
            out["exception_type"] = st.exception_type
        return out

    def mine(self, source_path: str | os.PathLike[str], domains: list[str] | None = None,
             options: Options | None = None, progress: Progress | None = None,
             execution_id: str | None = None) -> list[dict[str, Any]]:
        """All six steps for each domain; one Expected Patterns Summary per domain. Re-running an
        execution_id that exists resumes after its last completed step. With `settings.workers`
        > 1 (and a process that may fork) groups of domains run in parallel processes."""
        t0 = time.perf_counter()
        if execution_id and (self.settings.executions / check_execution_id(execution_id) / "state.json").exists():
            ex = self.open(execution_id)
            _check_same_source(ex, source_path)
        else:
            ex = self.create(source_path, domains, options, execution_id)
        names = list(ex.state.domains)
        try:
            if not all(self._done(ex, d, "load_source") for d in names):
                self.load_source(ex, progress)
        except Exception as exc:
            # A source that cannot be mined is the caller's to fix, and the results say so: a
            # log line at the default level would only repeat it.
            (log.info if isinstance(exc, SourceError) else log.error)(
                "mine failed", execution_id=ex.id, error=str(exc), exception_type=type(exc).__name__)
            for d in names:
                self.record_fidelity(ex, d)
            elapsed = (time.perf_counter() - t0) * 1000
            return [self.expected_patterns_summary(ex, d, elapsed) for d in names]

        groups = self._groups(ex, names)
        if len(groups) == 1:
            self._steps_2_to_5(ex, names, progress)
            self._step_6(ex, names, _ranks(self._order_keys(ex, names)), progress)
        else:
            def first(group: list[str]) -> Any:
                keys = self._order_keys(ex, self._steps_2_to_5(ex, group, progress))
                return self._group_state(ex, group), keys

            def combine(results: list[Any]) -> dict[str, int]:
                keys: dict[str, Any] = {}
                for group, got in zip(groups, results):
                    failed = isinstance(got, WorkerFailed)
                    self._take(ex, group, got if failed else got[0])
                    if not failed:
                        keys.update(got[1])
                ex.save()
                return _ranks(keys)

            def second(group: list[str], order: dict[str, int]) -> Any:
                self._step_6(ex, group, order, progress)
                return self._group_state(ex, group)

            results = run_in_workers(groups, first, combine, second)
            for group, got in zip(groups[1:], results[1:]):
                self._take(ex, group, got)
            ex.save()
        if any(self._done(ex, d, "write_training_dataset") for d in names):
            self.handoff()
        elapsed = (time.perf_counter() - t0) * 1000
        return [self.expected_patterns_summary(ex, d, elapsed) for d in names]

    @staticmethod
    def _done(ex: Execution, domain: str, step: str) -> bool:
        return bool(ex.state.domains[domain].steps.get(STEP_PATTERN[step]))

    def _steps_2_to_5(self, ex: Execution, names: list[str], progress: Progress | None) -> list[str]:
        """identify (one pass for all `names`), then extract, filter and summarise each domain; a
        domain's failure is recorded and the others go on. Returns the domains that got through."""
        todo = [d for d in names if not self._done(ex, d, "identify_domain_patterns")]
        try:
            if todo:
                self.identify_domain_patterns(ex, todo, progress)
        except Exception as exc:
            log.error("identify failed", execution_id=ex.id, error=str(exc), exception_type=type(exc).__name__)
            for d in names:
                self.record_fidelity(ex, d)
            return []
        ok = []
        for d in names:
            try:
                for step in STEP_NAMES[2:5]:
                    if not self._done(ex, d, step):
                        getattr(self, step)(ex, d, progress=progress)
                ok.append(d)
            except Exception as exc:
                log.error("domain failed", execution_id=ex.id, domain=d, error=str(exc),
                          exception_type=type(exc).__name__)
                self.record_fidelity(ex, d)
        return ok

    def _step_6(self, ex: Execution, names: list[str], order: dict[str, int], progress: Progress | None) -> None:
        """Step 6 for each domain that got through step 5, in its training order among all."""
        for i, d in enumerate(names):
            st = ex.state.domains[d]
            if st.error or self._done(ex, d, "write_training_dataset"):
                continue
            if progress:
                progress("write_training_dataset", i, len(names), f"writing {d}")
            try:
                self.write_training_dataset(ex, d, training_order=order.get(d), progress=progress)
            except Exception as exc:
                # a kept dataset is the run's answer, which the results carry, not a fault to log
                (log.info if isinstance(exc, DatasetKept) else log.error)(
                    "domain failed", execution_id=ex.id, domain=d, error=str(exc), exception_type=type(exc).__name__)
                self.record_fidelity(ex, d)

    def _groups(self, ex: Execution, names: list[str]) -> list[list[str]]:
        """The domains split into at most `settings.workers` groups of about equal cost (each
        pack's measured `cost`); one group when forking is not possible or not worth it."""
        if min(self.settings.workers, len(names)) < 2 or not can_fork():
            return [names]
        return balance({d: self._pack(ex, d).cost for d in names}, self.settings.workers)

    @staticmethod
    def _group_state(ex: Execution, group: list[str]) -> tuple[dict[str, DomainState], list[PatternError]]:
        return ({d: ex.state.domains[d] for d in group},
                [e for e in ex.state.pattern_errors if e.domain in group])

    def _take(self, ex: Execution, group: list[str],
              got: tuple[dict[str, DomainState], list[PatternError]] | WorkerFailed) -> None:
        """A group's answer from its worker: its state merged into `ex`, or its failure recorded."""
        if isinstance(got, WorkerFailed):
            self._group_failed(ex, group, got)
            return
        states, errors = got
        ex.state.domains.update(states)
        ex.state.pattern_errors = [e for e in ex.state.pattern_errors if e.domain not in group] + errors

    def _group_failed(self, ex: Execution, group: list[str], exc: WorkerFailed) -> None:
        log.error("worker failed", execution_id=ex.id, domains=group, error=str(exc))
        for d in group:
            st = ex.state.domains[d]
            if not st.error and not self._done(ex, d, "write_training_dataset"):
                st.error, st.exception_type = str(exc), type(exc).__name__
            self.record_fidelity(ex, d)

    def _order_keys(self, ex: Execution, names: list[str]) -> dict[str, tuple[int, int, str]]:
        """Each summarised domain's sort key for the training order (WSP 15 domain total first)."""
        keys = {}
        for d in names:
            if not ex.state.domains[d].steps.get("pattern_summary_generated"):
                continue
            fr = self._filtered(ex, d)
            summary = ex.read_model("summary", d, PatternSummary)
            mps = domain_priority_mps(self._pack(ex, d), fr.kept, summary)
            keys[d] = order_key(d, mps["total"], len(fr.kept))
        return keys


    def dataset_paths(self, domain: str) -> dict[str, Path]:
        return dataset_paths(self.settings.out, domain)

    def source_of(self, execution_id: str | None = None) -> str | None:
        """The source path of `execution_id` (default: the most recent execution), None when there
        is no execution; for semantic search's embedded index."""
        try:
            if execution_id:
                return self.open(execution_id).state.source_path
        except MinerError as exc:
            raise SemanticSearchError(str(exc)) from None
        _, latest = self.list_executions(0, 1)
        return latest[0].source_path if latest else None

    def list_executions(self, offset: int = 0, limit: int = 50) -> tuple[int, list[ExecutionState]]:
        """The executions under the data folder, newest first: (how many there are, one page)."""
        root = self.settings.executions
        paths = sorted(root.glob("*/state.json"), key=lambda p: p.stat().st_mtime, reverse=True) if root.is_dir() else []
        page = []
        for path in paths[offset : offset + limit]:
            try:
                page.append(ExecutionState.model_validate_json(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue  # a folder being written or not ours: skip it rather than fail the listing
        return len(paths), page


def _check_same_source(ex: Execution, source_path: str | os.PathLike[str]) -> None:
    """Resuming `ex` with another file, or with its file changed since, would report the old
    source's results as this one's: MinerError instead."""
    given, was = Path(source_path), Path(ex.state.source.path if ex.state.source else ex.state.source_path)
    try:
        same = os.path.samefile(given, was)
    except OSError:
        same = given.resolve() == was.resolve()
    if not same:
        raise MinerError(f"execution {ex.id} mines {was}, not {given}: pass {was} to resume it, "
                         "or leave out the execution_id to start a new execution")
    if ex.state.source is None:
        return
    try:
        with open(given, "rb") as f:
            sha = hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return  # the step that reads it says what is wrong
    if sha != ex.state.source.sha256:
        raise MinerError(f"{given} has changed since execution {ex.id} loaded it (sha256 {sha[:12]}..., "
                         f"was {ex.state.source.sha256[:12]}...): leave out the execution_id to mine it "
                         "in a new execution")


def _ranks(keys: dict[str, tuple[int, int, str]]) -> dict[str, int]:
    """domain -> its training order (1 first) by its order key."""
    return {d: i + 1 for i, (_, _, d) in enumerate(sorted(keys.values()))}


def _reporting(matches: list[Match], step: str, domain: str, progress: Progress | None) -> Iterator[Match]:
    """The matches, reporting progress (a cancellation checkpoint) every twentieth of the way."""
    every = max(len(matches) // 20, 1)
    for i, m in enumerate(matches):
        if progress and i and i % every == 0:
            progress(step, i, len(matches), f"{domain}: match {i} of {len(matches)}")
        yield m
