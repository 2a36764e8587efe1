"""The MCP resources' reads, as plain functions: the source file, datasets, executions, metrics and
domain packs, as compact JSON. Small whole artifacts (a pattern summary, an execution's state) are
returned whole; anything that grows with the source (a dataset's examples, its validation set,
matches, examples, rejected examples, breadcrumbs, executions, a source's outline) is read a page at
a time: `{..., "total", "offset", "limit", "next_offset", "next_uri", "items"}`. Without `?limit=` a
page is as many items as fit in about 8 KB, so that a 32K-token agent can follow `next_uri` safely.
A source's section (`source://PATH?section=LINE`) is read the same way, its lines a page at a time.

Confinement: a source is read only inside the server's roots (server/roots.py). An execution is
served only while its source still is: every read of an execution, and every listing of them,
checks its recorded path against the roots again (and, where the source itself is read, its
recorded sha256), so a CLI run over a file outside the roots, or a folder swapped for a symlink
after load_source, shows nothing of that file over MCP.
"""

from __future__ import annotations

import json
import os
import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mcp.server.mcpserver.exceptions import ResourceNotFoundError

from training_data_miner.server import metrics
from training_data_miner.server.orchestrator import Execution, ExecutionState, MinerError, Orchestrator
from training_data_miner.server.roots import OutsideRoots, SourceChanged, check_recorded, confine, file_sha256
from training_data_miner.skills.handoff import NEXT_SKILL
from training_data_miner.skills.load_source import BOM, SourceError, open_regular
from training_data_miner.skills.packs import PackError
from training_data_miner.skills.structure import Document, Section, Structure, structure_of

MAX_SOURCE_LINES = 5000
MAX_SOURCE_BYTES = 1 << 20
PAGE_BYTES = 8000  # a page without ?limit=: about 8 KB of JSON
MAX_PAGE = 200
CHUNK = 10  # items fetched at a time while a page fills up to PAGE_BYTES
BRIEF_CONTEXT = 3  # a match in such a page keeps this many context lines each side ...
BRIEF_LINE = 240  # ... of at most this many characters; its context_uri reads the whole window
SECTION_LINE = 2000  # a longer line is clipped in a section read (source://PATH?start=N&end=N has it whole)
TOP_SECTIONS = 8  # a document in the outline lists this many of its outermost sections
MAX_SUBSECTIONS = 20  # a section read lists this many of its subsections
TITLE_CHARS = 160  # ... and their titles, and its heading path's, clipped to this
CLIPPED_NOTE = "source://PATH?start=N&end=N reads line N whole"


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
    with open_regular(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def _read_text(path: Path) -> str:
    with open_regular(path) as f:
        return f.read().decode("utf-8")


# -- source -------------------------------------------------------------------------------------

def _confine(path: str, roots: list[Path]) -> Path:
    try:
        return confine(path, roots)
    except SourceError as exc:
        raise ResourceNotFoundError(str(exc)) from None


def read_source(roots: list[Path], path: str, start: int | None, end: int | None) -> str:
    """Lines start..end (1-based, inclusive) of a source inside the roots, numbered as the steps
    number them (a leading byte order mark is skipped)."""
    real = _confine(path, roots)
    first = start or 1
    last = end if end is not None else first + MAX_SOURCE_LINES - 1
    if first < 1 or last < first:
        raise ResourceNotFoundError(f"bad line range start={start} end={end}: need 1 <= start <= end")
    if last - first + 1 > MAX_SOURCE_LINES:
        raise ResourceNotFoundError(f"at most {MAX_SOURCE_LINES} lines per read; ask for a smaller range")
    lines: list[str] = []
    size = n = 0
    more = False
    try:
        f = open_regular(real)
    except SourceError as exc:
        raise ResourceNotFoundError(str(exc)) from None
    with f:
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
            f"source://{path}?start={first}&end={first + 999}, or its outline (execution://ID/outline "
            f"after load_source) and a section: source://{path}?section=LINE")
    return "\n".join(lines) + ("\n" if lines else "")


_STRUCTURES = threading.Lock()  # structure_of's cache is shared with the steps' threads


def _structure(real: Path) -> Structure:
    """The source's structure (documents and sections), for the file as it is now: its sha256 is
    taken first (cheap while the file is unchanged) and the structure is kept per sha256."""
    try:
        sha = file_sha256(real)
        with _STRUCTURES:
            return structure_of(real, sha)
    except SourceError as exc:
        raise ResourceNotFoundError(str(exc)) from None


def section_uri(path: str, line: int, offset: int = 0) -> str:
    return f"source://{path}?section={line}" + (f"&offset={offset}" if offset else "")


def read_section(roots: list[Path], path: str, line: int, offset: int) -> str:
    """The section over line `line` (the innermost: a heading's line reads that heading's section)
    of a source inside the roots, as JSON: where it sits (document, heading path, line range), its
    own lines up to its first subsection, a page of about 8 KB at a time, its subsections, and the
    URIs of the rest of it, of the next section in the file and of its parent."""
    real = _confine(path, roots)
    if offset < 0:
        raise ResourceNotFoundError(f"offset must be >= 0 (lines into the section); got {offset}")
    structure = _structure(real)
    total_lines = structure.spans[-1].end if len(structure) else 0
    if not 1 <= line <= total_lines:
        raise ResourceNotFoundError(f"section={line}: the source has {total_lines} lines; pass a line from 1 "
                                    f"to {total_lines} (a heading's line from the execution's outline)")
    doc = structure.at(line)
    sec = doc.section_at(line)
    body_end = sec.body_end if sec.children else sec.end
    first = sec.start + offset
    if offset and first > body_end:
        raise ResourceNotFoundError(f"offset={offset} is past the section's own {body_end - sec.start + 1} lines "
                                    f"(lines {sec.start}-{body_end}); its subsections follow: "
                                    f"{section_uri(path, line)}")
    nxt = _next_section(structure, doc, body_end)
    head: dict[str, Any] = {
        "path": path,
        "document": {"document": doc.index, "title": doc.title, "kind": doc.kind, "start": doc.start,
                     "end": doc.end, "part": doc.part},
        "section": {"line": sec.start, "end": sec.end, "level": sec.level, "title": sec.title},
        "heading_path": [_clip(t) for t in doc.heading_path(sec.start)],
        "subsections": [{"line": c.start, "end": c.end, "title": _clip(c.title)}
                        for c in doc.subsections(sec)[:MAX_SUBSECTIONS]],
        "subsections_total": len(sec.children),
        "parent_uri": section_uri(path, doc.sections[sec.parent].start) if sec.parent is not None
        and doc.sections[sec.parent].heading else None,
        "next_section_uri": section_uri(path, nxt) if nxt else None,
    }
    widest_more = section_uri(path, sec.start, body_end - sec.start)
    room = PAGE_BYTES - _size({**head, "start": body_end, "end": body_end, "lines": [], "clipped_lines": [],
                              "clipped_note": CLIPPED_NOTE, "more_uri": widest_more})
    lines: list[str] = []
    clipped: list[int] = []
    for n, text in doc.span(first, body_end):
        size = _size(text) + 1
        # a long line is clipped; so is the first line shown, to the room left, if it would not fit
        limit = SECTION_LINE if lines or size <= room else max(room - 16, 200) // 4
        if len(text) > limit:
            text = text[: limit - 1] + "…"
            size = _size(text) + 1 + len(str(n)) + 1  # and its entry in clipped_lines
            clipped.append(n)
        if lines and size > room:
            if clipped and clipped[-1] == n:
                clipped.pop()
            break
        lines.append(text)
        room -= size
    last = first + len(lines) - 1
    more = last < body_end
    return _json({**head, "start": first, "end": last, "lines": lines,
                  **({"clipped_lines": clipped, "clipped_note": CLIPPED_NOTE} if clipped else {}),
                  "more_uri": section_uri(path, sec.start, last + 1 - sec.start) if more else None})


def _clip(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


def _next_section(structure: Structure, doc: Document, body_end: int) -> int | None:
    """The line of the section that follows a section's own lines: its first subsection, else the
    next section of the document, else the next document's first."""
    after = body_end + 1
    if after <= doc.end:
        return doc.section_at(after).start
    if doc.index + 1 < len(structure):
        nd = structure.document(doc.index + 1)
        return nd.section_at(nd.start).start
    return None


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
    data: dict[str, Any] = json.loads(_read_text(_dataset_file(orch, domain, kind)))
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
    return _read_text(path)


def rejected_examples(orch: Orchestrator, domain: str, offset: int, limit: int | None) -> str:
    data = _dataset(orch, domain, "rejected")
    rejected = data["rejected"]
    return page(f"dataset://{domain}/rejected_examples", len(rejected), _slice(rejected), offset, limit,
                domain=domain, execution_id=data["execution_id"], reason_counts=data["reason_counts"])


# -- executions ----------------------------------------------------------------------------------

def recorded_source(state: ExecutionState) -> tuple[str, str | None]:
    """An execution's source as it recorded it: its real path and sha256 once load_source ran,
    else the path it was started with."""
    return (state.source.path, state.source.sha256) if state.source else (state.source_path, None)


def check_execution(ex: Execution, roots: list[Path], sha: bool = False) -> Path:
    """The real path of an execution's source, if it is still inside the roots (and with `sha`,
    still has its recorded sha256); else SourceError, whose message does not name the source."""
    path, sha256 = recorded_source(ex.state)
    try:
        return check_recorded(path, sha256 if sha else None, roots)
    except OutsideRoots as exc:
        raise OutsideRoots(f"execution {ex.id} is not available over MCP: {exc}") from None


def _open(orch: Orchestrator, roots: list[Path], execution_id: str, sha: bool = False) -> Execution:
    """An execution, if its source is still inside the roots (`sha`: and unchanged)."""
    try:
        ex = orch.open(execution_id)
        check_execution(ex, roots, sha)
    except (MinerError, SourceError) as exc:
        raise ResourceNotFoundError(str(exc)) from None
    return ex


def state(orch: Orchestrator, roots: list[Path], execution_id: str) -> str:
    return _open(orch, roots, execution_id).state.model_dump_json()


def breadcrumbs(orch: Orchestrator, roots: list[Path], execution_id: str, offset: int, limit: int | None) -> str:
    ex = _open(orch, roots, execution_id)
    items = _jsonl(ex.breadcrumbs) if ex.breadcrumbs.is_file() else []
    return page(f"execution://{ex.id}/breadcrumbs", len(items), _slice(items), offset, limit, execution_id=ex.id)


def step_output(orch: Orchestrator, roots: list[Path], execution_id: str, kind: str, domain: str, offset: int,
                limit: int | None) -> str:
    """An execution's matches (step 2) or extracted examples (step 3) for one domain."""
    ex = _open(orch, roots, execution_id)
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


def _outline(orch: Orchestrator, roots: list[Path], execution_id: str) -> tuple[Execution, list[dict[str, Any]]]:
    """An execution's outline as load_source kept it, while its source is inside the roots and
    unchanged (the outline's line numbers are that file's)."""
    ex = _open(orch, roots, execution_id, sha=True)
    if ex.state.source is None or not ex.outline_path.is_file():
        raise ResourceNotFoundError(f"no outline for execution {ex.id} yet; load_source writes it (run load_source)")
    return ex, _jsonl(ex.outline_path)


def outline(orch: Orchestrator, roots: list[Path], execution_id: str, offset: int, limit: int | None) -> str:
    """The documents of an execution's source, a page at a time: each with its title, kind, line
    range, section count and outermost sections; `sections_uri` pages all of a document's sections,
    and `source://PATH?section=LINE` reads one."""
    ex, docs = _outline(orch, roots, execution_id)
    assert ex.state.source is not None
    src = ex.state.source.path

    def brief(d: dict[str, Any]) -> dict[str, Any]:
        sections = d["sections"]
        top_level = min((s["level"] for s in sections), default=0)
        top = [{"line": s["line"], "end": s["end"], "title": s["title"]}
               for s in sections if s["level"] == top_level][:TOP_SECTIONS]
        return {k: d[k] for k in ("document", "title", "kind", "path", "start", "end", "part", "evidence")} | {
            "sections": len(sections), "top_sections": top,
            "sections_uri": f"execution://{ex.id}/outline/{d['document']}" if len(sections) > len(top) else None}

    return page(f"execution://{ex.id}/outline", len(docs), lambda start, n: [brief(d) for d in docs[start : start + n]],
                offset, limit, execution_id=ex.id, source_path=src, total_lines=ex.state.source.total_lines,
                read=f"source://{src}?section=LINE reads the section over LINE (a section's line, or a document's "
                     "start): its lines a page at a time, its heading path and the next section's URI")


def document_outline(orch: Orchestrator, roots: list[Path], execution_id: str, document: int, offset: int,
                     limit: int | None) -> str:
    """One document's sections (heading line, last line, level, title, parent's line), a page at a time."""
    ex, docs = _outline(orch, roots, execution_id)
    assert ex.state.source is not None
    if not 0 <= document < len(docs):
        raise ResourceNotFoundError(f"document {document}: the source has documents 0 to {len(docs) - 1} "
                                    f"(execution://{ex.id}/outline lists them)")
    d = docs[document]
    src = ex.state.source.path
    return page(f"execution://{ex.id}/outline/{document}", len(d["sections"]), _slice(d["sections"]), offset, limit,
                execution_id=ex.id, source_path=src,
                document={k: d[k] for k in ("document", "title", "kind", "path", "start", "end", "part")},
                read=f"source://{src}?section=LINE reads a section (LINE: its line here)")


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


def visible_executions(orch: Orchestrator, roots: list[Path]) -> list[tuple[ExecutionState, str]]:
    """The executions an MCP client may see, newest first, each with its source's status ("ok",
    "changed" since load_source, or "missing"): those whose source is inside the roots."""
    out = []
    for st in orch.list_executions(0, 1 << 30)[1]:
        path, sha256 = recorded_source(st)
        try:
            check_recorded(path, sha256, roots)
            status = "ok"
        except OutsideRoots:
            continue
        except SourceChanged:
            status = "changed"
        except SourceError:
            status = "missing"
        out.append((st, status))
    return out


def executions(orch: Orchestrator, roots: list[Path], offset: int, limit: int | None) -> str:
    """Executions whose source is inside the roots, newest first (one whose source is outside is
    not listed: neither its path nor its id)."""
    shown = visible_executions(orch, roots)

    def fetch(start: int, n: int) -> list[dict[str, Any]]:
        return [{"execution_id": s.execution_id, "created": s.created, "source_path": s.source_path,
                 "source": status,
                 "steps_done": {d: sum(1 for p in metrics.PATTERNS if st.steps.get(p)) for d, st in s.domains.items()}}
                for s, status in shown[start : start + n]]

    return page("executions://recent", len(shown), fetch, offset, limit)


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
        options = _domains(orch, roots, template, known.get("execution_id"))
    elif name == "execution_id":
        options = [st.execution_id for st, _ in visible_executions(orch, roots)]
    elif name in ("path", "source_path"):
        options = _paths(roots, value)
    elif name == "document":
        options = _documents(orch, roots, known.get("execution_id"))
    elif name == "section":
        options = _sections(roots, known.get("path"))
    else:  # numbers (offset, limit, start, end): nothing to offer
        options = []
    found = [o for o in options if o.startswith(value)]
    return found[:MAX_COMPLETIONS], len(found)


def _domains(orch: Orchestrator, roots: list[Path], template: str | None, execution_id: str | None) -> list[str]:
    """A dataset's domains are the ones with a dataset; an execution's, its own; else every pack."""
    try:
        packs = list(orch.packs)
    except PackError:  # a broken pack: the tools and resources say which; nothing to offer here
        return []
    if template and template.startswith("dataset://"):
        return [d for d in packs if orch.dataset_paths(d)["dataset"].is_file()]
    if template and template.startswith("execution://") and execution_id:
        try:
            return list(_open(orch, roots, execution_id).state.domains)
        except ResourceNotFoundError:
            return packs
    return packs


def _documents(orch: Orchestrator, roots: list[Path], execution_id: str | None) -> list[str]:
    """An execution's document numbers, in order."""
    if not execution_id:
        return []
    try:
        return [str(i) for i in range(len(_outline(orch, roots, execution_id)[1]))]
    except ResourceNotFoundError:
        return []


def _sections(roots: list[Path], path: str | None) -> list[str]:
    """The lines where the source's sections start (headings, and documents' first lines), in order."""
    if not path:
        return []
    try:
        structure = _structure(_confine(path, roots))
    except ResourceNotFoundError:
        return []
    lines: list[int] = []
    for doc in structure.documents():
        lines.append(doc.start)
        lines.extend(s.start for s in doc.sections if s.heading and s.start != doc.start)
    return [str(n) for n in lines]


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
