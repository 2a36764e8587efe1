"""The MCP resources' reads, as plain functions: the source file, datasets, executions, metrics and
domain packs, as compact JSON. Small whole artifacts (a pattern summary, an execution's state) are
returned whole; anything that grows with the source (a dataset's examples, its validation set,
matches, examples, rejected examples, breadcrumbs, executions) is read a page at a time:
`{..., "total", "offset", "limit", "next_offset", "next_uri", "items"}`. Without `?limit=` a page
is as many items as fit in about 8 KB, so that a 32K-token agent can follow `next_uri` safely.
"""

from __future__ import annotations

import json
import os
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
from training_data_miner.skills.packs import PackError

MAX_SOURCE_LINES = 5000
MAX_SOURCE_BYTES = 1 << 20
PAGE_BYTES = 8000  # a page without ?limit=: about 8 KB of JSON
MAX_PAGE = 200
CHUNK = 10  # items fetched at a time while a page fills up to PAGE_BYTES
BRIEF_CONTEXT = 3  # a match in such a page keeps this many context lines each side ...
BRIEF_LINE = 240  # ... of at most this many characters; its context_uri reads the whole window


def _json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _size(obj: Any) -> int:
    return len(_json(obj).encode("utf-8"))


def page(uri: str, total: int, fetch: Callable[[int, int], list[Any]], offset: int, limit: int | None,
         brief: Callable[[Any], Any] | None = None, **head: Any) -> str:
    """One page of a listing of `total` items at `uri`; `fetch(start, n)` gives items start..start+n-1.

    With `limit`, that many items, whole. Without, as many as fit in PAGE_BYTES (at least one), each
    passed through `brief` when given. `next_uri` reads the page after."""
    if offset < 0 or (limit is not None and not 1 <= limit <= MAX_PAGE):
        raise ResourceNotFoundError(f"offset must be >= 0 and limit between 1 and {MAX_PAGE} "
                                    f"(leave limit out for a page of about {PAGE_BYTES // 1000} KB)")
    if limit is None:
        # Room for the items: the budget less the page around them, with its numbers at their widest.
        room = PAGE_BYTES - _size({**head, "total": total, "offset": offset, "limit": MAX_PAGE, "next_offset": total,
                                   "next_uri": f"{uri}?offset={total}", "items": []})
        items = _fill(total, fetch, offset, room, brief)
        end = offset + len(items)
    else:
        items = fetch(offset, limit)
        end = offset + limit
    more = end < total
    return _json({**head, "total": total, "offset": offset, "limit": len(items) if limit is None else limit,
                  "next_offset": end if more else None,
                  "next_uri": (f"{uri}?offset={end}" + (f"&limit={limit}" if limit else "")) if more else None,
                  "items": items})


def _fill(total: int, fetch: Callable[[int, int], list[Any]], offset: int, room: int,
          brief: Callable[[Any], Any] | None) -> list[Any]:
    items: list[Any] = []
    for start in range(offset, min(total, offset + MAX_PAGE), CHUNK):
        for item in fetch(start, min(CHUNK, offset + MAX_PAGE - start)):
            item = brief(item) if brief else item
            size = _size(item) + 1  # and its comma
            if items and size > room:
                return items
            items.append(item)
            room -= size
    return items


def _slice(items: list[Any]) -> Callable[[int, int], list[Any]]:
    return lambda start, n: items[start : start + n]


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


def _dataset(orch: Orchestrator, domain: str, kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_dataset_file(orch, domain, kind).read_text(encoding="utf-8"))
    return data


DATASET_HEAD = ("dataset_id", "domain", "source", "created", "total_examples", "quality_threshold")


def training_data(orch: Orchestrator, domain: str, offset: int, limit: int | None) -> str:
    """The dataset's examples, a page at a time, under its identifying fields; the rest of the file
    (metadata, priority, wardrobe config, verification) is at training_data_info."""
    data = _dataset(orch, domain, "dataset")
    examples = data["examples"]
    head = {k: data.get(k) for k in DATASET_HEAD}
    return page(f"dataset://{domain}/training_data", len(examples), _slice(examples), offset, limit, **head,
                pattern_summary_uri=f"dataset://{domain}/pattern_summary",
                info_uri=f"dataset://{domain}/training_data_info")


def training_data_info(orch: Orchestrator, domain: str) -> str:
    data = _dataset(orch, domain, "dataset")
    return _json({k: v for k, v in data.items() if k != "examples"}
                 | {"examples_uri": f"dataset://{domain}/training_data"})


def pattern_summary(orch: Orchestrator, domain: str) -> str:
    return _json(_dataset(orch, domain, "summary"))


def validation_set(orch: Orchestrator, domain: str, offset: int, limit: int | None) -> str:
    data = _dataset(orch, domain, "validation")
    examples = data["examples"]
    head = {k: v for k, v in data.items() if k != "examples"}
    return page(f"dataset://{domain}/validation_set", len(examples), _slice(examples), offset, limit, **head)


def handoff_manifest(orch: Orchestrator) -> str:
    """handoff.json, or before there is one an empty manifest that says how to make it: the resource
    is listed, and clients that read every listed resource fail whole on an error."""
    path = orch.settings.out / "handoff.json"
    if not path.is_file():
        return _json({"created": None, "next_skill": NEXT_SKILL, "training_order": [], "domains": {},
                      "note": f"no handoff.json in {path.parent} yet: run mine_domain (or the six steps) for a "
                              "domain, which writes it, or handoff_to_next_skill once datasets exist"})
    return path.read_text(encoding="utf-8")


def rejected_examples(orch: Orchestrator, domain: str, offset: int, limit: int | None) -> str:
    data = _dataset(orch, domain, "rejected")
    rejected = data["rejected"]
    return page(f"dataset://{domain}/rejected_examples", len(rejected), _slice(rejected), offset, limit,
                domain=domain, execution_id=data["execution_id"], reason_counts=data["reason_counts"])


# -- executions ----------------------------------------------------------------------------------

def _open(orch: Orchestrator, execution_id: str) -> Execution:
    try:
        return orch.open(execution_id)
    except MinerError as exc:
        raise ResourceNotFoundError(str(exc)) from None


def state(orch: Orchestrator, execution_id: str) -> str:
    return _open(orch, execution_id).state.model_dump_json()


def breadcrumbs(orch: Orchestrator, execution_id: str, offset: int, limit: int | None) -> str:
    ex = _open(orch, execution_id)
    items = _jsonl(ex.breadcrumbs) if ex.breadcrumbs.is_file() else []
    return page(f"execution://{ex.id}/breadcrumbs", len(items), _slice(items), offset, limit, execution_id=ex.id)


def step_output(orch: Orchestrator, execution_id: str, kind: str, domain: str, offset: int, limit: int | None) -> str:
    """An execution's matches (step 2) or extracted examples (step 3) for one domain."""
    ex = _open(orch, execution_id)
    step = {"matches": "identify_domain_patterns", "examples": "extract_examples"}[kind]
    if domain not in ex.state.domains:
        raise ResourceNotFoundError(f"execution {ex.id} mines {', '.join(ex.state.domains)}, not {domain!r}")
    path = ex.path(kind, domain)
    if not path.is_file():
        raise ResourceNotFoundError(f"no {kind} for {domain!r} in execution {ex.id} yet; run {step} first")
    rows = _jsonl(path)
    uri = f"execution://{ex.id}/{kind}/{domain}"
    if kind == "examples":
        return page(uri, len(rows), _slice(rows), offset, limit, execution_id=ex.id, domain=domain)
    assert ex.state.source is not None

    def fetch(start: int, n: int) -> list[dict[str, Any]]:
        """Matches are stored without their context lines: read them back for the page only."""
        try:
            found = ex.with_context(rows[start : start + n])
        except SourceError as exc:
            raise ResourceNotFoundError(str(exc)) from None
        return [m.model_dump() | {"context_uri": f"source://{ex.state.source.path}?start={m.line - len(m.context_before)}"
                                                 f"&end={m.line + len(m.context_after)}"} for m in found]

    return page(uri, len(rows), fetch, offset, limit, _brief_match, execution_id=ex.id, domain=domain)


def _brief_match(match: dict[str, Any]) -> dict[str, Any]:
    """A match with only the context lines nearest it, clipped (a readme_patterns window can run to
    hundreds of lines); `context_clipped` says so, and its context_uri reads the whole window."""
    def clip(lines: list[str]) -> list[str]:
        return [line if len(line) <= BRIEF_LINE else line[: BRIEF_LINE - 1] + "…" for line in lines]

    before, after = match["context_before"], match["context_after"]
    brief_before, brief_after = clip(before[-BRIEF_CONTEXT:]), clip(after[:BRIEF_CONTEXT])
    if (brief_before, brief_after) == (before, after):
        return match
    return match | {"context_before": brief_before, "context_after": brief_after, "context_clipped": True}


def executions(orch: Orchestrator, offset: int, limit: int | None) -> str:
    def fetch(start: int, n: int) -> list[dict[str, Any]]:
        return [{"execution_id": s.execution_id, "created": s.created, "source_path": s.source_path,
                 "steps_done": {d: sum(1 for p in metrics.PATTERNS if st.steps.get(p)) for d, st in s.domains.items()}}
                for s in orch.list_executions(start, n)[1]]

    total = orch.list_executions(0, 0)[0]
    return page("executions://recent", total, fetch, offset, limit)


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


# -- completions (completion/complete) ---------------------------------------------------------------

MAX_COMPLETIONS = 100  # the protocol's limit per answer


def completions(orch: Orchestrator, roots: list[Path], name: str, value: str, template: str | None,
                known: dict[str, str]) -> tuple[list[str], int]:
    """Values starting with `value` for argument `name` of a resource template (`template`, as
    listed) or of the prompt (None), given the arguments already filled in (`known`): up to
    MAX_COMPLETIONS of them, and how many there are."""
    if name in ("domain", "name"):
        options = _domains(orch, template, known.get("execution_id"))
    elif name == "execution_id":
        options = _execution_ids(orch)
    elif name in ("path", "source_path"):
        options = _paths(roots, value)
    else:  # numbers (offset, limit, start, end): nothing to offer
        options = []
    found = [o for o in options if o.startswith(value)]
    return found[:MAX_COMPLETIONS], len(found)


def _domains(orch: Orchestrator, template: str | None, execution_id: str | None) -> list[str]:
    """A dataset's domains are the ones with a dataset; an execution's, its own; else every pack."""
    try:
        packs = list(orch.packs)
    except PackError:  # a broken pack: the tools and resources say which; nothing to offer here
        return []
    if template and template.startswith("dataset://"):
        return [d for d in packs if orch.dataset_paths(d)["dataset"].is_file()]
    if template and template.startswith("execution://") and execution_id:
        try:
            return list(orch.open(execution_id).state.domains)
        except MinerError:
            return packs
    return packs


def _execution_ids(orch: Orchestrator) -> list[str]:
    """Execution ids, newest first (an execution's folder is named after its id)."""
    root = orch.settings.executions
    dated = []
    for path in root.glob("*/state.json") if root.is_dir() else []:
        try:
            dated.append((path.stat().st_mtime, path.parent.name))
        except OSError:  # removed since the listing
            continue
    return [name for _, name in sorted(dated, reverse=True)]


def _paths(roots: list[Path], value: str) -> list[str]:
    """Files and folders (these end in /) inside the roots, for a path being typed: relative paths
    are looked up in each root, as load_source does; an absolute one is offered the roots first."""
    def inside(path: Path) -> bool:
        return any(path == r or path.is_relative_to(r) for r in roots)

    head, slash, stem = value.rpartition("/")
    if ".." in Path(head).parts or "\x00" in value:
        return []
    absolute = value.startswith("/")
    folders = [Path(head + slash)] if absolute else [root / head for root in roots]
    out = [f"{r}/" for r in roots] if absolute else []
    for folder in folders:
        real = folder.resolve()
        if not (inside(real) and real.is_dir()):
            continue
        try:
            entries = sorted(os.scandir(real), key=lambda e: e.name)
        except OSError:  # unreadable: nothing to offer from it
            continue
        for entry in entries:
            if entry.name.startswith(".") and not stem.startswith("."):
                continue
            if inside(Path(entry.path).resolve()):  # not a symlink that leads out
                out.append(f"{head}{slash}{entry.name}" + ("/" if entry.is_dir() else ""))
    return list(dict.fromkeys(out))
