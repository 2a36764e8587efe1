"""The MCP server: the seed's six steps as tools, named as the seed names them, plus `mine_domain`
(all six at once) and `list_domains`; resources for the source, datasets, executions, metrics and
domain packs; a prompt that walks an agent through the steps; completions for the prompt's and the
resource templates' arguments.

This module registers things on `MinerServer` (the SDK's server, taking tool arguments as a small
model sends them). The work is in server/mcp_steps.py (tools) and server/mcp_resources.py
(resources), over the same Orchestrator the CLI uses, so an MCP run leaves the same execution
folder, breadcrumbs and fidelity metrics as `training-data-miner mine`.

Each tool runs its step in a worker thread. The step's progress callback sends MCP progress
notifications and is also where a cancelled call stops: the call's cancellation sets a flag, the
step raises `Cancelled` at its next checkpoint (per chunk of the scan, per twentieth of the
matches, before each step), and the tool waits for that before it returns, so nothing is written
after a cancellation. Datasets are written atomically, so none is ever left half-written.
"""

from __future__ import annotations

import functools
import gc
import inspect
import json
import threading
from collections import defaultdict
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any, TypeVar

import anyio
import anyio.from_thread
import anyio.to_thread
import pydantic_core
from mcp.server import MCPServer
from mcp.server.mcpserver import Context, ResourceSecurity
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError, UnexpectedToolError
from mcp_types import (
    CallToolResult,
    Completion,
    CompletionArgument,
    CompletionContext,
    InputRequiredResult,
    PromptReference,
    ResourceTemplateReference,
    TextContent,
    ToolAnnotations,
)
from pydantic import BaseModel, Field, ValidationError

from training_data_miner.server import logs
from training_data_miner.server import mcp_resources as res
from training_data_miner.server import mcp_steps as steps
from training_data_miner.server.orchestrator import (
    EXECUTION_ID_MAX,
    EXECUTION_ID_PATTERN,
    Cancelled,
    MinerError,
    Options,
    Orchestrator,
    Progress,
    Settings,
)
from training_data_miner.server.http_security import (
    MAX_REQUEST_BYTES,
    MAX_SESSIONS,
    MAX_SESSIONS_PER_CLIENT,
    SESSION_IDLE_TIMEOUT_S,
    Guard,
    SessionLimit,
    check_bind,
    transport_security,
)
from training_data_miner.server.roots import allowed_roots, check_recorded, confine
from training_data_miner.server.semantic import SemanticSearch, SemanticSearchError
from training_data_miner.skills.load_source import SourceError
from training_data_miner.skills.models import PatternType
from training_data_miner.skills.packs import PackError

log = logs.get_logger("training_data_miner")
T = TypeVar("T")

CANCEL_GRACE_S = 30.0  # longest a cancelled call waits for its step to reach a checkpoint
# Where each step falls in mine_domain's 0-100 progress (a step's own progress maps into its span).
MINE_SPANS = {"load_source": (0, 2), "identify_domain_patterns": (2, 50), "extract_examples": (50, 80),
              "filter_quality": (80, 85), "generate_pattern_summary": (85, 90), "write_training_dataset": (90, 100)}

INSTRUCTIONS = """\
Mine a 012.txt-style decision log for instruction-tuning datasets, one per knowledge domain.
Quick: mine_domain(source_path, domain) runs all six steps. Step by step (the seed's skill):
load_source -> identify_domain_patterns -> extract_examples -> filter_quality ->
generate_pattern_summary -> write_training_dataset, passing the execution_id load_source returns.
Each result's next_step names the call to make next. list_domains shows the domains."""

SourcePath = Annotated[str, Field(max_length=4096, description=(
    "path of the 012.txt-style text file; relative paths are looked up in the server's allowed roots"))]
ExecutionId = Annotated[str, Field(min_length=1, max_length=EXECUTION_ID_MAX, pattern=EXECUTION_ID_PATTERN,
                                   description="the execution_id that load_source returned")]
Domain = Annotated[str, Field(max_length=64, description="a domain name from list_domains")]
DomainOrAll = Annotated[str, Field(max_length=64, description="a domain name from list_domains, or 'all'")]
MinQuality = Annotated[float, Field(ge=0.0, le=1.0, description="keep examples with quality_score >= this")]
MinQualityOrNone = Annotated[float | None, Field(ge=0.0, le=1.0, description=(
    "keep examples with quality_score >= this; default: the execution's, set by load_source"))]
MinExamples = Annotated[int, Field(ge=0, le=1_000_000, description="examples a dataset should reach")]
PatternTypeArg = Annotated[PatternType | None, Field(description="kind of example to favour")]
PatternRegex = Annotated[str | None, Field(max_length=500, description="an extra regex to match, for this execution")]


def _version() -> str:
    try:
        return version("training-data-miner")
    except PackageNotFoundError:
        return "0"


async def run_step(ctx: Context, work: Callable[[Progress], T],
                   spans: dict[str, tuple[float, float]] | None = None) -> T:
    """Run orchestrator code in a worker thread, with progress notifications (0-100) and
    cancellation at the step's checkpoints; the miner's errors become tool errors."""
    cancel, finished = threading.Event(), threading.Event()
    last = 0.0

    def progress(step: str, done: float, total: float, message: str) -> None:
        nonlocal last
        if cancel.is_set():
            raise Cancelled(f"{step} cancelled by the client")
        lo, hi = (spans or {}).get(step, (0.0, 100.0))
        last = max(last, lo + (hi - lo) * (done / total if total else 1.0))
        try:
            anyio.from_thread.run(ctx.report_progress, round(last, 1), 100.0, f"{step}: {message}")
        except BaseException as exc:  # the call is going away (cancelled, or its client left): stop here too
            why = "cancelled by the client" if cancel.is_set() else f"stopped: its call ended ({type(exc).__name__})"
            raise Cancelled(f"{step} {why}") from None

    def target() -> T:
        try:
            return work(progress)
        finally:
            finished.set()

    try:
        result = await anyio.to_thread.run_sync(target, abandon_on_cancel=True)
    except anyio.get_cancelled_exc_class():
        cancel.set()
        with anyio.move_on_after(CANCEL_GRACE_S, shield=True):
            while not finished.is_set():
                await anyio.sleep(0.01)
        log.info("call cancelled", stopped=finished.is_set())
        raise
    except (MinerError, PackError, SourceError) as exc:
        raise ToolError(str(exc)) from None
    except OSError as exc:  # the data folder cannot be written, the disk is full: say which
        where = f" ({exc.filename})" if exc.filename else ""
        raise ToolError(f"{exc.strerror or exc}{where}; the server's data folder must be writable") from None
    except Exception as exc:  # a bug: the caller gets its type and text, the log the traceback
        log.exception("tool failed")
        raise ToolError(f"internal error ({type(exc).__name__}: {exc}); the execution's breadcrumbs "
                        "record the step that failed") from None
    await ctx.report_progress(100.0, 100.0, "done")
    return result


class MinerServer(MCPServer):
    """MCPServer taking tool arguments as a small model sends them.

    - An optional argument sent as "" (or null) counts as left out, so its default applies: small
      models fill in every argument they see.
    - Arguments that fail validation are reported one sentence each, naming the argument, what it
      accepts and what came, in place of pydantic's report.

    The SDK has no hook for argument validation; `call_tool` is the public method its tools/call
    handler calls, and an argument error is the SDK's ToolError caused by pydantic's
    ValidationError (the test the SDK's own handler makes).
    """

    _schemas: dict[str, dict[str, Any]] | None = None

    async def call_tool(self, name: str, arguments: dict[str, Any],
                        context: Context | None = None) -> CallToolResult | InputRequiredResult:
        schema = await self._input_schema(name)
        if schema is not None:
            arguments = without_blanks(arguments, schema)
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError:
            raise
        except ToolError as exc:
            if schema is None or not isinstance(exc.__cause__, ValidationError):
                raise
            raise ToolError(f"Error executing tool {name}: "
                            + argument_errors(name, exc.__cause__, arguments, schema)) from exc.__cause__

    async def _input_schema(self, name: str) -> dict[str, Any] | None:
        if self._schemas is None or name not in self._schemas:
            self._schemas = {t.name: t.input_schema for t in await self.list_tools()}
        return self._schemas.get(name)


def without_blanks(arguments: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The arguments without optional ones sent as null, "" or blanks."""
    required = set(schema.get("required", ()))
    return {k: v for k, v in arguments.items()
            if k in required or not (v is None or (isinstance(v, str) and not v.strip()))}


def argument_errors(tool: str, exc: ValidationError, arguments: dict[str, Any], schema: dict[str, Any]) -> str:
    """One sentence per bad argument: its name and description, what it accepts, what came."""
    props: dict[str, dict[str, Any]] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    errors: dict[str, list[Any]] = defaultdict(list)
    for err in exc.errors(include_url=False):
        errors[str(err["loc"][0]) if err["loc"] else ""].append(err)
    sentences = []
    for name, errs in errors.items():
        prop = props.get(name)
        if prop is None:  # not one argument's error: pydantic's words are all there is
            sentences.append("; ".join(e["msg"] for e in errs) + ".")
            continue
        about = f"{name} ({prop['description']})" if prop.get("description") else name
        accepts = accepted(prop) + ("" if name in required else ", or leave it out")
        if any(e["type"] == "missing" for e in errs):
            sentences.append(f"{about}: required, {accepts}.")
            continue
        # A validator's own reason (value_error) says more than the schema can.
        why = [e["msg"].removeprefix("Value error, ") for e in errs if e["type"] in ("value_error", "assertion_error")]
        sentences.append(f"{about}: expected {accepts}; got {shown(arguments.get(name))}"
                         + (f", which {'; '.join(why)}" if why else "") + ".")
    unknown = [k for k in arguments if k not in props]
    if unknown:
        sentences.append(f"{', '.join(unknown)}: not an argument of {tool}, which takes {', '.join(props)}.")
    return " ".join(sentences)


def accepted(prop: dict[str, Any]) -> str:
    """What a JSON schema property accepts, in words ("a number from 0.0 to 1.0")."""
    kinds = [_kind(p) for p in prop.get("anyOf", [prop]) if p.get("type") != "null"]
    return " or ".join(kinds) or "null"


def _kind(p: dict[str, Any]) -> str:
    if "enum" in p:
        return "one of " + ", ".join(str(v) for v in p["enum"])
    if "const" in p:
        return json.dumps(p["const"])
    kind = p.get("type")
    if kind in ("integer", "number"):
        lo, hi = p.get("minimum"), p.get("maximum")
        what = "an integer" if kind == "integer" else "a number"
        if lo is not None and hi is not None:
            return f"{what} from {lo} to {hi}"
        return what + (f" >= {lo}" if lo is not None else "") + (f" <= {hi}" if hi is not None else "")
    if kind == "string":
        lo, hi = p.get("minLength"), p.get("maxLength")
        if lo and hi is not None:
            size = f" of {lo} to {hi} characters"
        elif hi is not None:
            size = f" of at most {hi} characters"
        else:
            size = f" of at least {lo} characters" if lo else ""
        return "a string" + size + (f" matching {p['pattern']}" if "pattern" in p else "")
    return {"boolean": "true or false", "array": "a list", "object": "an object"}.get(str(kind), "a value")


def shown(value: Any, limit: int = 60) -> str:
    """A value as JSON, clipped: what the caller sent, briefly."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= limit + 2:
        return text
    return text[: limit + 1] + ("…\"" if text.startswith('"') else "…")


def compact(result: BaseModel) -> CallToolResult:
    """A tool result whose text copy is its structured content as compact JSON."""
    data = result.model_dump(mode="json")
    return CallToolResult(content=[TextContent(type="text", text=pydantic_core.to_json(data).decode())],
                          structured_content=data)


def build_server(settings: Settings | None = None, roots: list[str] | None = None,
                 log_level: str = "WARNING") -> MCPServer:
    settings = settings or Settings()
    orch = Orchestrator(settings)
    source_roots = allowed_roots(settings.data_dir, roots)
    locks: defaultdict[str, anyio.Lock] = defaultdict(anyio.Lock)  # one call at a time per execution
    # semantic_source (below) names what the embedded index reads; a holo_index session is held for the server's life
    semantic = SemanticSearch(orch.settings.holo_index, lambda eid: semantic_source(eid))
    server = MinerServer("training-data-miner", version=_version(), instructions=INSTRUCTIONS,
                       log_level=log_level.upper(), lifespan=semantic.lifespan)  # type: ignore[arg-type]
    log.info("mcp server built", data_dir=str(settings.data_dir), roots=[str(r) for r in source_roots])

    def confined(path: str) -> Path:
        try:
            return confine(path, source_roots)
        except SourceError as exc:
            raise ToolError(str(exc)) from None

    def gated(execution_id: str, work: Callable[[Progress], T], sha: bool = False) -> Callable[[Progress], T]:
        """`work` on an execution, run only while its source is inside the roots (`sha`: and still
        has its recorded sha256, for the steps that read it): an execution started by the CLI on a
        file outside them, or whose folder became a symlink that leads out, is refused."""
        def run(progress: Progress) -> T:
            res.check_execution(orch.open(execution_id), source_roots, sha)
            return work(progress)
        return run

    def semantic_source(execution_id: str | None) -> str | None:
        """The source semantic_search's embedded index reads, checked as the steps check it: the
        execution's, or the newest execution's whose source is inside the roots and unchanged
        (None: there is none)."""
        try:
            if execution_id:
                return str(res.check_execution(orch.open(execution_id), source_roots, sha=True))
            for st, status in res.visible_executions(orch, source_roots):
                if st.source is not None and status == "ok":
                    return str(check_recorded(st.source.path, st.source.sha256, source_roots))
        except (MinerError, SourceError) as exc:
            raise SemanticSearchError(str(exc)) from None
        return None

    def options(min_quality: float, min_examples: int, pattern_type: PatternType | None,
                pattern_regex: str | None) -> Options:
        return Options(min_quality=min_quality, min_examples=min_examples, pattern_type=pattern_type,
                       pattern_regex=pattern_regex)

    def tool(annotations: ToolAnnotations) -> Callable[[Callable[..., object]], Callable[..., object]]:
        """`server.tool`, with the docstring dedented into the tool's description, and the result's
        text copy as compact JSON (the SDK indents it; the text is what a small-context agent reads).
        The SDK's way to build one's own result and keep the model's output schema is a return
        annotation of `Annotated[CallToolResult, Model]`."""
        def register(fn: Callable[..., object]) -> Callable[..., object]:
            signature = inspect.signature(fn, eval_str=True)

            @functools.wraps(fn)
            async def call(*args: object, **kwargs: object) -> CallToolResult:
                return compact(await fn(*args, **kwargs))  # type: ignore[misc]

            call.__signature__ = signature.replace(  # type: ignore[attr-defined]
                return_annotation=Annotated[CallToolResult, signature.return_annotation])
            server.tool(description=inspect.cleandoc(fn.__doc__ or ""), annotations=annotations)(call)
            return fn
        return register

    writes = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)
    overwrites = ToolAnnotations(read_only_hint=False, destructive_hint=True, open_world_hint=False)
    reads = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    # -- tools: the six steps ---------------------------------------------------------------------

    @tool(writes)
    async def load_source(ctx: Context, source_path: SourcePath, domain: DomainOrAll = "all",
                          min_quality: MinQuality = 0.85, min_examples: MinExamples = 50,
                          pattern_type: PatternTypeArg = None, pattern_regex: PatternRegex = None) -> steps.SourceLoaded:
        """Step 1 of 6. Start an execution: read the source once (lines, bytes, sha256, encoding) and
        plan its chunks for a 32K-token context. Returns the execution_id the other steps take."""
        path = confined(source_path)
        opts = options(min_quality, min_examples, pattern_type, pattern_regex)
        return await run_step(ctx, lambda p: steps.load_source(orch, path, domain, opts, p))

    @tool(writes)
    async def identify_domain_patterns(ctx: Context, execution_id: ExecutionId,
                                       domain: DomainOrAll = "all") -> steps.PatternsIdentified:
        """Step 2 of 6. Scan the source once for the domain's patterns. Returns the matches per
        pattern and a few samples; the full list is at matches_uri."""
        async with locks[execution_id]:
            work = gated(execution_id, lambda p: steps.identify_domain_patterns(orch, execution_id, domain, p),
                         sha=True)
            return await run_step(ctx, work)

    @tool(writes)
    async def extract_examples(ctx: Context, execution_id: ExecutionId, domain: Domain) -> steps.ExamplesExtracted:
        """Step 3 of 6. Turn the domain's matches into scored instruction-tuning examples."""
        async with locks[execution_id]:
            work = gated(execution_id, lambda p: steps.extract_examples(orch, execution_id, domain, p), sha=True)
            return await run_step(ctx, work)

    @tool(writes)
    async def filter_quality(ctx: Context, execution_id: ExecutionId, domain: Domain,
                             min_quality: MinQualityOrNone = None) -> steps.QualityFiltered:
        """Step 4 of 6. Keep examples at or above min_quality and drop exact and near duplicates."""
        async with locks[execution_id]:
            work = gated(execution_id, lambda p: steps.filter_quality(orch, execution_id, domain, min_quality, p))
            return await run_step(ctx, work)

    @tool(writes)
    async def generate_pattern_summary(ctx: Context, execution_id: ExecutionId,
                                       domain: Domain) -> steps.PatternSummaryResult:
        """Step 5 of 6. Summarise the kept examples: quality buckets, common patterns, coverage."""
        async with locks[execution_id]:
            work = gated(execution_id, lambda p: steps.generate_pattern_summary(orch, execution_id, domain, p))
            return await run_step(ctx, work)

    @tool(overwrites)
    async def write_training_dataset(ctx: Context, execution_id: ExecutionId,
                                     domain: Domain) -> steps.DatasetWritten:
        """Step 6 of 6. Write {domain}_training_data.json, its pattern summary and rejected examples.
        Returns the paths, resource URIs and the Expected Patterns Summary."""
        async with locks[execution_id]:
            work = gated(execution_id, lambda p: steps.write_training_dataset(orch, execution_id, domain, p))
            return await run_step(ctx, work)

    # -- tools: the orchestrator and the catalogue ------------------------------------------------

    @tool(overwrites)
    async def mine_domain(ctx: Context, source_path: SourcePath, domain: DomainOrAll = "all",
                          min_quality: MinQuality = 0.85, min_examples: MinExamples = 50,
                          pattern_type: PatternTypeArg = None, pattern_regex: PatternRegex = None) -> steps.Mined:
        """All six steps for a domain (or 'all') in one call. Returns the Expected Patterns Summary
        per domain, with each dataset's path and resource URI."""
        path = confined(source_path)
        opts = options(min_quality, min_examples, pattern_type, pattern_regex)
        return await run_step(ctx, lambda p: steps.mine_domain(orch, path, domain, opts, p), MINE_SPANS)

    @tool(writes)
    async def handoff_to_next_skill(ctx: Context, domain: DomainOrAll = "all") -> steps.Handoff:
        """Hand the mined datasets to the next skill (gemma_domain_trainer): rewrite handoff.json and
        return the training order across all mined domains and, per domain, its dataset, validation
        set, exports, LoRA wardrobe config and the command that starts training."""
        return await run_step(ctx, lambda p: steps.handoff_to_next_skill(orch, domain, p))

    tool(ToolAnnotations(read_only_hint=True, open_world_hint=True))(semantic.semantic_search)

    @tool(reads)
    async def list_domains() -> steps.Domains:
        """The domains that can be mined, with their descriptions and pattern names."""
        try:
            return steps.list_domains(orch)
        except PackError as exc:
            raise ToolError(str(exc)) from None

    # -- resources -------------------------------------------------------------------------------

    def resource(*args: object, **kwargs: object) -> Callable[[Callable[..., str]], Callable[..., str]]:
        """`server.resource`, with a broken domain pack (packs load on first use) reported as a
        resource error that names the file and field, not as an unexpected exception."""
        def wrap(fn: Callable[..., str]) -> Callable[..., str]:
            @functools.wraps(fn)
            def read(*a: object, **k: object) -> str:
                try:
                    return fn(*a, **k)
                except PackError as exc:
                    raise ResourceError(str(exc)) from None
            return server.resource(*args, **kwargs)(read)  # type: ignore[arg-type]
        return wrap

    # `path` may be absolute: the roots check below, not the SDK's generic one, decides.
    @resource("source://{+path}{?start,end,section,offset}", name="source", mime_type="text/plain",
              security=ResourceSecurity(exempt_params={"path"}))
    def source_lines(path: str, start: int | None = None, end: int | None = None, section: int | None = None,
                     offset: int = 0) -> str:
        """A source file inside the allowed roots: whole (up to 5,000 lines) or lines start..end, as
        text. With ?section=LINE (a heading's line from an execution's outline), that section as JSON:
        its document, heading path and line range, its own lines a page at a time (&offset= for the
        rest), its subsections and the next section's URI."""
        if section is not None:
            if start is not None or end is not None:
                raise ResourceNotFoundError("pass either ?section=LINE (&offset=N) or ?start=N&end=M, not both")
            return res.read_section(source_roots, path, section, offset)
        if offset:
            raise ResourceNotFoundError("offset= goes with ?section=LINE; for a line range pass ?start=N&end=M")
        return res.read_source(source_roots, path, start, end)

    @resource("dataset://{domain}/training_data{?offset,limit}", name="training_data", mime_type="application/json")
    def training_data(domain: str, offset: int = 0, limit: int | None = None) -> str:
        """A domain's {domain}_training_data.json, as last written: its examples, a page at a time
        (about 8 KB without ?limit=; next_uri reads the next page)."""
        return res.training_data(orch, domain, offset, limit)

    @resource("dataset://{domain}/training_data_info", name="training_data_info", mime_type="application/json")
    def training_data_info(domain: str) -> str:
        """A domain's {domain}_training_data.json without its examples: metadata, WSP 15 priority,
        wardrobe config, verification and learning feedback."""
        return res.training_data_info(orch, domain)

    @resource("dataset://{domain}/pattern_summary", name="pattern_summary", mime_type="application/json")
    def pattern_summary(domain: str) -> str:
        """A domain's {domain}_pattern_summary.json, as last written."""
        return res.pattern_summary(orch, domain)

    @resource("dataset://{domain}/validation_set{?offset,limit}", name="validation_set", mime_type="application/json")
    def validation_set(domain: str, offset: int = 0, limit: int | None = None) -> str:
        """A domain's held-out {domain}_validation_set.json (the last 20% of its dataset's examples),
        a page at a time."""
        return res.validation_set(orch, domain, offset, limit)

    @resource("handoff://manifest", name="handoff", mime_type="application/json")
    def handoff_manifest() -> str:
        """handoff.json: training order across the mined domains and what the trainer needs for each."""
        return res.handoff_manifest(orch)

    @resource("dataset://{domain}/rejected_examples{?offset,limit}", name="rejected_examples",
                     mime_type="application/json")
    def rejected_examples(domain: str, offset: int = 0, limit: int | None = None) -> str:
        """A domain's rejected examples with their reasons, a page at a time."""
        return res.rejected_examples(orch, domain, offset, limit)

    @resource("execution://{execution_id}/state", name="execution_state", mime_type="application/json")
    def execution_state(execution_id: str) -> str:
        """An execution's state: options, source facts, and each domain's steps and figures."""
        return res.state(orch, source_roots, execution_id)

    @resource("execution://{execution_id}/outline{?offset,limit}", name="outline", mime_type="application/json")
    def execution_outline(execution_id: str, offset: int = 0, limit: int | None = None) -> str:
        """The documents of an execution's source, a page at a time: title, kind, line range, section
        count and outermost sections. sections_uri pages a document's sections; source://PATH?section=LINE
        reads one section."""
        return res.outline(orch, source_roots, execution_id, offset, limit)

    @resource("execution://{execution_id}/outline/{document}{?offset,limit}", name="document_outline",
              mime_type="application/json")
    def execution_document_outline(execution_id: str, document: int, offset: int = 0, limit: int | None = None) -> str:
        """One document's sections (heading line, last line, level, title, parent's line), a page at a time."""
        return res.document_outline(orch, source_roots, execution_id, document, offset, limit)

    @resource("execution://{execution_id}/breadcrumbs{?offset,limit}", name="breadcrumbs",
                     mime_type="application/json")
    def execution_breadcrumbs(execution_id: str, offset: int = 0, limit: int | None = None) -> str:
        """An execution's breadcrumbs (one record per step and domain), a page at a time."""
        return res.breadcrumbs(orch, source_roots, execution_id, offset, limit)

    @resource("execution://{execution_id}/matches/{domain}{?offset,limit}", name="matches",
                     mime_type="application/json")
    def execution_matches(execution_id: str, domain: str, offset: int = 0, limit: int | None = None) -> str:
        """identify_domain_patterns' matches for a domain, with context lines, a page at a time
        (without ?limit=, 3 context lines each side; context_uri reads a match's whole window)."""
        return res.step_output(orch, source_roots, execution_id, "matches", domain, offset, limit)

    @resource("execution://{execution_id}/examples/{domain}{?offset,limit}", name="examples",
                     mime_type="application/json")
    def execution_examples(execution_id: str, domain: str, offset: int = 0, limit: int | None = None) -> str:
        """extract_examples' examples for a domain (before filtering), a page at a time."""
        return res.step_output(orch, source_roots, execution_id, "examples", domain, offset, limit)

    @resource("executions://recent{?offset,limit}", name="executions", mime_type="application/json")
    def recent_executions(offset: int = 0, limit: int | None = None) -> str:
        """Executions under the data folder whose source is inside the allowed roots, newest first,
        with the steps each domain has done."""
        return res.executions(orch, source_roots, offset, limit)

    @resource("metrics://fidelity", name="fidelity", mime_type="application/json")
    def fidelity() -> str:
        """Pattern fidelity (steps executed / 6) per domain, and the latest records."""
        return res.fidelity(orch)

    @resource("domains://all", name="domain_packs", mime_type="application/json")
    def domain_packs() -> str:
        """Every domain pack: description, label and patterns with their regexes."""
        return res.domain_packs(orch)

    @resource("domains://{name}", name="domain_pack", mime_type="application/toml")
    def domain_pack(name: str) -> str:
        """One domain pack's TOML file."""
        return res.domain_pack(orch, name)

    # -- completions -----------------------------------------------------------------------------

    @server.completion()
    async def complete(ref: PromptReference | ResourceTemplateReference, argument: CompletionArgument,
                       context: CompletionContext | None) -> Completion:
        """Values for the prompt's and the resource templates' arguments: domain names, execution
        ids (of sources inside the roots), source paths inside the roots, an execution's document
        numbers and a source's section lines."""
        template = ref.uri if isinstance(ref, ResourceTemplateReference) else None
        known = (context.arguments if context else None) or {}
        # in a worker thread: a section's lines need the source's structure, read on first use
        values, total = await anyio.to_thread.run_sync(res.completions, orch, source_roots, argument.name,
                                                       argument.value, template, known)
        return Completion(values=values, total=total, has_more=total > len(values))

    # -- prompt ----------------------------------------------------------------------------------

    @server.prompt(title="Mine a domain in six steps")
    def mine_six_steps(source_path: str, domain: str = "mps_scoring") -> str:
        """Walk an agent through the seed's six steps for one domain."""
        return six_steps_prompt(source_path, domain)

    return server


def six_steps_prompt(source_path: str, domain: str) -> str:
    return f"""\
Mine {source_path} for {domain} training examples with the training-data-miner tools, one step at a time.
After each call, check the result before going on; if a call returns an error, read it: it says what to do.

1. load_source(source_path="{source_path}", domain="{domain}") -> note the execution_id, total_lines and chunks.
2. identify_domain_patterns(execution_id=..., domain="{domain}") -> matches per pattern. If there are
   none, stop and report that the source has no {domain} material.
3. extract_examples(execution_id=..., domain="{domain}") -> total_examples and high_quality.
4. filter_quality(execution_id=..., domain="{domain}") -> kept and filtered (threshold 0.85).
5. generate_pattern_summary(execution_id=..., domain="{domain}") -> coverage; note any shortfall.
6. write_training_dataset(execution_id=..., domain="{domain}") -> the dataset path.

Finish with the Expected Patterns Summary from step 6 (its `summary` field): all six patterns
should be true, pattern_fidelity 1.0. Report total_examples_extracted, high_quality_examples and
the dataset path."""


def serve(settings: Settings, roots: list[str] | None = None, http: bool = False, host: str = "127.0.0.1",
          port: int = 8765, log_level: str = "warning", allow_remote: bool = False,
          auth_token: str | None = None, allowed_hosts: list[str] | None = None,
          max_request_bytes: int = MAX_REQUEST_BYTES, max_sessions: int = MAX_SESSIONS,
          max_sessions_per_client: int = MAX_SESSIONS_PER_CLIENT,
          session_idle_timeout: float = SESSION_IDLE_TIMEOUT_S) -> None:
    """Run on stdio (stdout is the protocol channel: all logs go to stderr), or on streamable HTTP
    at http://host:port/mcp behind the guards of server/http_security.py."""
    if http:
        check_bind(host, allow_remote)
        if allow_remote and not auth_token:
            log.warning("--allow-remote without --auth-token: anyone who can reach "
                        f"{host}:{port} can read sources in the roots and write datasets; "
                        "set --auth-token (or TDM_AUTH_TOKEN)")
    server = build_server(settings, roots, log_level)
    gc.freeze()  # start-up objects are permanent; the CLI paused collection while it imported
    gc.enable()
    if not http:
        server.run()
        return
    import uvicorn

    app = server.streamable_http_app(streamable_http_path="/mcp", host=host,
                                     transport_security=transport_security(host, allowed_hosts),
                                     max_request_body_size=max_request_bytes,
                                     session_idle_timeout=session_idle_timeout, max_sessions=max_sessions)
    sessions = SessionLimit(app, per_client=max_sessions_per_client, total=max_sessions,
                            idle_timeout=session_idle_timeout)
    guarded = Guard(sessions, token=auth_token, max_bytes=max_request_bytes)
    # log_config=None: uvicorn's default config sends access logs to stdout; keep everything on stderr.
    uvicorn.run(guarded, host=host, port=port, log_config=None, access_log=False, log_level=log_level)
