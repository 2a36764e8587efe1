"""The MCP resources' reads, as plain functions: the source file, datasets, executions, metrics and
domain packs. Whole artifacts (a dataset, a summary, an execution's state) are returned as they are;
listings (matches, examples, rejected examples, breadcrumbs, executions) are pages of
`{"total", "offset", "limit", "next_offset", "items"}`, so no read has to fit a whole run.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mcp.server.mcpserver.exceptions import ResourceNotFoundError

from training_data_miner.server import metrics
from training_data_miner.server.orchestrator import Execution, MinerError, Orchestrator
from training_data_miner.server.roots import confine
from training_data_miner.skills.handoff import NEXT_SKILL
from training_data_miner.skills.load_source import BOM, SourceError

MAX_SOURCE_LINES = 5000
MAX_SOURCE_BYTES = 1 << 20
PAGE = 20
MAX_PAGE = 200


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False)


def page(items: list[Any], offset: int, limit: int,
         convert: Callable[[list[Any]], list[Any]] | None = None, **head: Any) -> str:
    """One page of `items` (passed through `convert` when given: only the page is converted)."""
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise ResourceNotFoundError(f"offset must be >= 0 and limit between 1 and {MAX_PAGE}")
    end = offset + limit
    chosen = items[offset:end]
    return _json({**head, "total": len(items), "offset": offset, "limit": limit,
                  "next_offset": end if end < len(items) else None,
                  "items": convert(chosen) if convert else chosen})


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# -- source -------------------------------------------------------------------------------------

def read_source(roots: list[Path], path: str, start: int | None, end: int | None) -> str:
    """Lines start..end (1-based, inclusive) of a source inside the roots, numbered as the steps
    number them (a leading byte order mark is skipped)."""
    try:
        real = confine(path, roots)
    except SourceError as exc:
        raise ResourceNotFoundError(str(exc)) from None
    first = start or 1
    last = end if end is not None else first + MAX_SOURCE_LINES - 1
    if first < 1 or last < first:
        raise ResourceNotFoundError(f"bad line range start={start} end={end}: need 1 <= start <= end")
    if last - first + 1 > MAX_SOURCE_LINES:
        raise ResourceNotFoundError(f"at most {MAX_SOURCE_LINES} lines per read; ask for a smaller range")
    lines: list[str] = []
    size = n = 0
    more = False
    with open(real, "rb") as f:
        for n, raw in enumerate(f, 1):
            if n == 1 and raw.startswith(BOM):
                raw = raw[len(BOM):]
            if n < first:
                continue
            if n > last:
                more = True
                break
            text = raw.rstrip(b"\n").rstrip(b"\r").decode("utf-8", errors="replace")
            size += len(text) + 1
            if size > MAX_SOURCE_BYTES:
                raise ResourceNotFoundError(f"lines {first}-{last} are more than {MAX_SOURCE_BYTES} bytes; "
                                            "ask for a smaller range (?start=N&end=M)")
            lines.append(text)
    if not lines and n < first:
        raise ResourceNotFoundError(f"the source has {n} lines; start must be at most {n}")
    if more and end is None:
        raise ResourceNotFoundError(
            f"the source has more than {MAX_SOURCE_LINES} lines from line {first}; read a range: "
            f"source://{path}?start={first}&end={first + 999}")
    return "\n".join(lines) + ("\n" if lines else "")


# -- datasets (the output folder) ----------------------------------------------------------------

def _dataset_file(orch: Orchestrator, domain: str, kind: str) -> Path:
    if domain not in orch.packs:
        raise ResourceNotFoundError(f"unknown domain {domain!r}; valid domains: {', '.join(orch.packs)}")
    path = orch.dataset_paths(domain)[kind]
    if not path.is_file():
        raise ResourceNotFoundError(f"no {path.name} in {path.parent} yet; run write_training_dataset "
                                    f"(or mine_domain) for {domain!r} first")
    return path


def training_data(orch: Orchestrator, domain: str) -> str:
    return _dataset_file(orch, domain, "dataset").read_text(encoding="utf-8")


def pattern_summary(orch: Orchestrator, domain: str) -> str:
    return _dataset_file(orch, domain, "summary").read_text(encoding="utf-8")


def validation_set(orch: Orchestrator, domain: str) -> str:
    return _dataset_file(orch, domain, "validation").read_text(encoding="utf-8")


def handoff_manifest(orch: Orchestrator) -> str:
    """handoff.json, or before there is one an empty manifest that says how to make it: the resource
    is listed, and clients that read every listed resource fail whole on an error."""
    path = orch.settings.out / "handoff.json"
    if not path.is_file():
        return _json({"created": None, "next_skill": NEXT_SKILL, "training_order": [], "domains": {},
                      "note": f"no handoff.json in {path.parent} yet: run mine_domain (or the six steps) for a "
                              "domain, which writes it, or handoff_to_next_skill once datasets exist"})
    return path.read_text(encoding="utf-8")


def rejected_examples(orch: Orchestrator, domain: str, offset: int, limit: int) -> str:
    data = json.loads(_dataset_file(orch, domain, "rejected").read_text(encoding="utf-8"))
    return page(data["rejected"], offset, limit, domain=domain, execution_id=data["execution_id"],
                reason_counts=data["reason_counts"])


# -- executions ----------------------------------------------------------------------------------

def _open(orch: Orchestrator, execution_id: str) -> Execution:
    try:
        return orch.open(execution_id)
    except MinerError as exc:
        raise ResourceNotFoundError(str(exc)) from None


def state(orch: Orchestrator, execution_id: str) -> str:
    return _open(orch, execution_id).state.model_dump_json(indent=1)


def breadcrumbs(orch: Orchestrator, execution_id: str, offset: int, limit: int) -> str:
    ex = _open(orch, execution_id)
    items = _jsonl(ex.breadcrumbs) if ex.breadcrumbs.is_file() else []
    return page(items, offset, limit, execution_id=ex.id)


def step_output(orch: Orchestrator, execution_id: str, kind: str, domain: str, offset: int, limit: int) -> str:
    """An execution's matches (step 2) or extracted examples (step 3) for one domain."""
    ex = _open(orch, execution_id)
    step = {"matches": "identify_domain_patterns", "examples": "extract_examples"}[kind]
    if domain not in ex.state.domains:
        raise ResourceNotFoundError(f"execution {ex.id} mines {', '.join(ex.state.domains)}, not {domain!r}")
    path = ex.path(kind, domain)
    if not path.is_file():
        raise ResourceNotFoundError(f"no {kind} for {domain!r} in execution {ex.id} yet; run {step} first")
    convert = None
    if kind == "matches":  # stored without their context lines: read them back for this page only
        def convert(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            try:
                return [m.model_dump() for m in ex.with_context(rows)]
            except SourceError as exc:
                raise ResourceNotFoundError(str(exc)) from None
    return page(_jsonl(path), offset, limit, convert, execution_id=ex.id, domain=domain)


def executions(orch: Orchestrator, offset: int, limit: int) -> str:
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise ResourceNotFoundError(f"offset must be >= 0 and limit between 1 and {MAX_PAGE}")
    total, states = orch.list_executions(offset, limit)
    items = [{"execution_id": s.execution_id, "created": s.created, "source_path": s.source_path,
              "steps_done": {d: sum(1 for p in metrics.PATTERNS if st.steps.get(p)) for d, st in s.domains.items()}}
             for s in states]
    end = offset + limit
    return _json({"total": total, "offset": offset, "limit": limit,
                  "next_offset": end if end < total else None, "items": items})


# -- metrics and domain packs --------------------------------------------------------------------

def fidelity(orch: Orchestrator) -> str:
    path = orch.settings.metrics / f"{metrics.SKILL_NAME}_fidelity.json"
    records = _jsonl(path) if path.is_file() else []
    by_domain: dict[str, list[float]] = defaultdict(list)
    for r in records:
        by_domain[r["domain"]].append(r["pattern_fidelity"])
    return _json({
        "file": str(path),
        "records": len(records),
        "mean_pattern_fidelity": round(sum(r["pattern_fidelity"] for r in records) / len(records), 4) if records else None,
        "by_domain": {d: {"runs": len(v), "mean_pattern_fidelity": round(sum(v) / len(v), 4)} for d, v in by_domain.items()},
        "recent": records[-20:],
    })


def domain_packs(orch: Orchestrator) -> str:
    return _json([{"name": p.name, "description": p.description, "label": p.label, "labels": p.labels,
                   "patterns": [{"name": s.name, "regex": s.regex, "ignore_case": s.ignore_case} for s in p.patterns],
                   "uri": f"domains://{p.name}"} for p in orch.packs.values()])


def domain_pack(orch: Orchestrator, name: str) -> str:
    pack = orch.packs.get(name)
    if pack is None:
        raise ResourceNotFoundError(f"unknown domain {name!r}; valid domains: {', '.join(orch.packs)}")
    return Path(pack.path).read_text(encoding="utf-8")
