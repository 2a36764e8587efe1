"""Semantic search for the miner: the holo_index endpoint when one is configured, else the
embedded index of the source (skills/semantic_index.py).

Two users:
- `identify_domain_patterns` (server/orchestrator.py) calls `augment_identify`, which adds each
  domain's semantic candidates and says in its figures (and so in the breadcrumbs) which backend
  ran and whether it degraded. A configured endpoint that fails (misconfigured, does not start,
  dies, is too slow, answers an error object or garbage) never fails the step: that domain, and
  every domain after it in the step, is mined without augmentation, with `semantic_status`
  "degraded" and the reason in `semantic_error`. The embedded index is not used in its place, so
  a dataset never silently depends on which backend happened to answer.
- The MCP tool `semantic_search`: `SemanticSearch(config, source_of).semantic_search`, registered
  as a tool in one line; pass `lifespan=semantic.lifespan` to MCPServer to hold one session to the
  endpoint for the server's lifetime (without it, each call opens its own session). The MCP server's
  `source_of` refuses a source outside its roots or changed since load_source.

It sits below the orchestrator: what it needs from an execution comes in as arguments (the
endpoint's configuration, and `source_of`, which names an execution's source).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from training_data_miner.server import logs
from pydantic import BaseModel, Field

from training_data_miner.server.holo_index import HoloConfig, HoloIndex, HoloIndexError
from training_data_miner.skills.identify_domain_patterns import augment_semantic, semantic_queries
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import DomainPack
from training_data_miner.skills.semantic_index import SearchHit, SemanticIndexError, index_for

log = logs.get_logger("training_data_miner")

Backend = Literal["holo_index", "embedded"]
# execution_id (None: the most recent execution) -> the path of its source, or None when there is
# no execution; raises SemanticSearchError saying what to do for an execution_id it cannot open.
SourceOf = Callable[[str | None], str | None]


class SemanticSearchError(Exception):
    """A search that could not run; the message says what to do."""


def backend(config: HoloConfig | None) -> Backend:
    return "holo_index" if config is not None else "embedded"


# -- augmentation, for identify_domain_patterns ----------------------------------------------------

def augment_identify(source_path: str | os.PathLike[str], packs: list[DomainPack], found: dict[str, list[Match]],
                     config: HoloConfig | None, context: int) -> dict[str, tuple[list[Match], dict[str, Any]]]:
    """domain -> (its semantic candidates, figures for its breadcrumb)."""
    name = Path(source_path).name
    used = backend(config)
    out: dict[str, tuple[list[Match], dict[str, Any]]] = {}

    def degraded(domains: list[DomainPack], error: str) -> None:
        log.warning("semantic augmentation degraded", backend=used, error=error, domains=[p.name for p in domains])
        for p in domains:
            out[p.name] = ([], {"semantic_backend": used, "semantic_status": "degraded", "semantic_matches": 0,
                                "semantic_error": error[:500]})

    try:
        source = index_for(source_path)
    except SemanticIndexError as exc:
        degraded(packs, str(exc))
        return out

    def run(search: Callable[[str, int], list[SearchHit]]) -> None:
        for i, pack in enumerate(packs):
            try:
                matches = augment_semantic(pack, found[pack.name], source, search, name, context)
            except HoloIndexError as exc:
                degraded(packs[i:], str(exc))  # one timeout per step at most, not one per domain
                return
            out[pack.name] = (matches, {"semantic_backend": used, "semantic_status": "ok",
                                        "semantic_matches": len(matches)})

    if config is None:
        source.prefetch([q for p in packs for q in semantic_queries(p)])  # one pass for every query
        run(source.search)
        return out
    from training_data_miner.server.holo_index import HoloIndexSync

    try:
        with HoloIndexSync(config) as holo:
            run(holo.search)
    except HoloIndexError as exc:  # the configuration itself
        degraded([p for p in packs if p.name not in out], str(exc))
    return out


# -- the semantic_search tool -----------------------------------------------------------------------

class SemanticSearchResult(BaseModel):
    query: str
    backend: Backend = Field(description="holo_index (the configured endpoint) or embedded (the source's own index)")
    source_path: str | None = Field(None, description="the source searched, for the embedded index")
    hits: list[SearchHit]


Query = Annotated[str, Field(min_length=1, max_length=1000, description="what to look for, in words")]
Limit = Annotated[int, Field(ge=1, le=50, description="most hits to return")]
ExecutionIdArg = Annotated[str | None, Field(max_length=128, pattern=r"^[A-Za-z0-9_.-]+$", description=(
    "whose source the embedded index searches (default: the most recent execution); "
    "ignored when a holo_index endpoint is configured"))]


def semantic_search(config: HoloConfig | None, source_of: SourceOf, query: str, limit: int = 5,
                    execution_id: str | None = None) -> SemanticSearchResult:
    """Search by meaning: the holo_index endpoint when configured, else the embedded index of an
    execution's source. Raises SemanticSearchError with what to do."""
    if config is not None:
        from training_data_miner.server.holo_index import HoloIndexSync

        try:
            with HoloIndexSync(config) as holo:
                return SemanticSearchResult(query=query, backend="holo_index", hits=holo.search(query, limit))
        except HoloIndexError as exc:
            raise SemanticSearchError(str(exc)) from None
    path = _source_of(source_of, execution_id)
    return SemanticSearchResult(query=query, backend="embedded", source_path=path,
                                hits=_embedded(path, query, limit))


def _source_of(source_of: SourceOf, execution_id: str | None) -> str:
    path = source_of(execution_id)
    if path is None:
        raise SemanticSearchError(
            "no source to search: call load_source first (the embedded index searches an execution's source), "
            "or configure a holo_index endpoint (HOLO_INDEX_COMMAND or HOLO_INDEX_URL)")
    return path


def _embedded(path: str, query: str, limit: int) -> list[SearchHit]:
    from training_data_miner.skills.load_source import SourceError

    try:
        return index_for(path).search(query, limit)
    except (SemanticIndexError, SourceError) as exc:
        raise SemanticSearchError(str(exc)) from None


class SemanticSearch:
    """The `semantic_search` tool, over one held holo_index session when an endpoint is configured.

        semantic = SemanticSearch(config, source_of)
        server = MCPServer(..., lifespan=semantic.lifespan)   # optional: hold one session
        server.tool()(semantic.semantic_search)
    """

    def __init__(self, config: HoloConfig | None, source_of: SourceOf):
        self.config = config
        self.source_of = source_of
        self._holo: HoloIndex | None = None

    @asynccontextmanager
    async def lifespan(self, _app: object = None) -> AsyncIterator[dict[str, Any]]:
        """Hold the endpoint's session while the server runs (opened on the first search)."""
        if self.config is None:
            yield {}
            return
        try:
            holo = HoloIndex(self.config)
        except HoloIndexError as exc:  # misconfigured: the server runs, each search says why it cannot
            log.warning("holo_index not usable", error=str(exc))
            yield {}
            return
        async with holo:
            self._holo = holo
            try:
                yield {"holo_index": holo}
            finally:
                self._holo = None

    async def semantic_search(self, query: Query, limit: Limit = 5,
                              execution_id: ExecutionIdArg = None) -> SemanticSearchResult:
        """Search by meaning. With a holo_index endpoint configured, forwards to its semantic search
        (code and WSP protocols); otherwise searches the source of an execution (default: the most
        recent) with the embedded index. Each hit has path, line, snippet, score and kind."""
        import anyio.to_thread
        from mcp.server.mcpserver.exceptions import ToolError

        try:
            if self.config is None:
                def search() -> tuple[str, list[SearchHit]]:
                    # source_of may hash the source (to check it): in the worker thread too
                    path = _source_of(self.source_of, execution_id)
                    return path, _embedded(path, query, limit)

                path, hits = await anyio.to_thread.run_sync(search)
                return SemanticSearchResult(query=query, backend="embedded", source_path=path, hits=hits)
            if self._holo is not None:
                hits = await self._holo.search(query, limit)
            else:
                async with HoloIndex(self.config) as holo:
                    hits = await holo.search(query, limit)
            return SemanticSearchResult(query=query, backend="holo_index", hits=hits)
        except (HoloIndexError, SemanticSearchError) as exc:
            raise ToolError(str(exc)) from None
