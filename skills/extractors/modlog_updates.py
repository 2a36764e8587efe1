"""modlog_updates: a ModLog entry header and its body -> the entry as structured fields.

Real entries (WSP 22) look like `## [2025-10-15] Title` followed by `**Change Type**:`, `**By**:`,
`**WSP References**:` fields and `### Summary` / `### Files Changed` / `### Why` sections, with many
variants: `### [date] - title`, `## date - title`, `## [Title] - date`, fields as bullets, several
fields on one line, bold labels instead of headings. The body is read from the context after the
header up to the next heading of the same or a higher level. Nothing is invented: a field the entry
does not give is left out and counts against completeness.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from training_data_miner.skills.extractors import (
    EMOJI_ESCAPE,
    HEADING,
    STATUS_TAGS,
    WSP_REF,
    Draft,
    Extractor,
    context_lines,
    heading,
    plain_ascii,
    rx,
)
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import DomainPack

_DATE = r"(?P<date>20\d\d-[01]\d-[0-3]\d)(?:[ T][\d:.]{4,15})?"
# Date first: "## [2025-10-15] Title", "### [2025-08-10 12:00:39] - Title", "## 2026-02-07 - Title",
# "## 2025-01-15: TITLE", "### [v0.1.0] - 2025-07-10 - Title", "## [2025-10-17 SESSION 3] Title".
_HEAD_DATE_FIRST = regex.compile(
    r"^(?P<hashes>#{2,4})\s+(?:\*\*)?(?:\[v?\d+(?:\.\d+)+\]\s*[-\u2013\u2014:]\s*)?\[?" + _DATE
    + r"(?:\s+SESSION\s*\d+)?\]?\**\s*(?:[-\u2013\u2014:|]\s*)?(?P<title>.*?)\s*$"
)
# Title first: "## [Title] - 2024-12-19", "## V0.5.2 - Title (2026-01-21)",
# "## Sprint 3 - Title (COMPLETE - 2026-01-03)".
_HEAD_TITLE_FIRST = regex.compile(
    r"^(?P<hashes>#{2,4})\s+(?:\[(?P<title>[^\]]{4,200})\]|(?P<title2>\S.{3,200}?))\s*"
    r"(?:[-\u2013\u2014]\s*|\((?:[A-Za-z ]{0,20}[-\u2013:]\s*)?)" + _DATE + r"\)?\s*$"
)
# "**Key**: value" or "**Key:** value", possibly several on one line, possibly bulleted.
_FIELD = regex.compile(r"\*\*(?P<key>[A-Za-z][A-Za-z /&()-]{1,40}?)(?::\*\*|\*\*\s*:)\s*(?P<val>.*?)(?=\s*\*\*[A-Za-z][A-Za-z /&()-]{1,40}?(?::\*\*|\*\*\s*:)|$)")
_PATH = regex.compile(r"`(?P<p>[^`\s]*[/\\.][^`\s]*)`|(?<![\w/])(?P<q>(?:[\w.-]+/)+[\w.-]+\.\w{1,5}|[\w-]+\.(?:py|md|json|toml|ya?ml|txt|js|ts|tsx|sh|ps1|env))\b")

# Field and section names, lower-cased, by what they hold.
# Tuples in order of preference: an entry with two such fields must always give the same answer
# (a set's order changes with the hash seed from one run to the next).
_TYPE_KEYS = ("change type", "type")
_BY_KEYS = ("by", "agent", "architect", "author")
_WSP_KEYS = ("wsp references", "wsp reference", "wsp protocol references", "wsp refs", "wsp compliance",
             "wsp protocols", "wsp protocol", "wsp")
# In order of preference: an entry's own summary beats a list of changes.
_SUMMARY_KEYS = ("summary", "description", "success", "overview", "what changed", "changes made",
                 "key changes", "changes", "change", "solution", "fix", "action")
_FILES_KEYS = ("files changed", "files modified", "files created/modified", "files created", "files updated",
               "modified files", "files touched", "file changes", "files")
_WHY_KEYS = ("why", "rationale", "reason", "motivation", "why this matters", "root cause", "problem",
             "issue", "context", "background", "triggered by")
_IMPACT_KEYS = ("impact", "impact analysis", "benefit", "benefits")

REQUIRED = ("date", "title", "change_type", "wsp_references", "summary", "files_changed", "why")


def _clean(text: str) -> str:
    if not plain_ascii(text):
        text = EMOJI_ESCAPE.sub("", text)
    text = rx.sub(r"\*\*|__|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)", "", text)
    text = rx.sub(r"^\s*(?:[-*+>]|\d+[.)])\s+", "", text)
    text = STATUS_TAGS.sub("", text.strip())
    return " ".join(text.split()).strip(" -:|")


def _key(text: str) -> str:
    """A section or label name reduced to its words ("### [TOOL] Files Changed:" -> "files changed")."""
    text = _clean(text).lower()
    text = rx.sub(r"\(.*?\)|[^a-z /&-]", " ", text)
    return " ".join(text.split()).strip(" -/&")


def _wsp_refs(text: str) -> list[str]:
    refs: list[str] = []
    for m in WSP_REF.finditer(text):
        n = m["n"].lstrip("0") or "00"
        ref = f"WSP {n}"
        if ref not in refs:
            refs.append(ref)
    return refs


def parse_header(text: str) -> tuple[int, str, str] | None:
    """(heading level, date, title) of a ModLog entry header line, or None."""
    line = text.lstrip("\ufeff").rstrip()
    m = _HEAD_DATE_FIRST.match(line)
    if m:
        title = m["title"]
    else:
        m = _HEAD_TITLE_FIRST.match(line)
        if not m:
            return None
        title = m["title"] or m["title2"]
    title = _clean(title)
    if title.startswith("[") and title.endswith("]"):
        title = title[1:-1].strip()
    return len(m["hashes"]), m["date"], title


def entry_body(after: list[str], level: int) -> tuple[list[str], bool]:
    """The entry's lines: up to the next heading of `level` or higher, a `====` separator, or another
    dated header. The flag says the window ended before the entry did."""
    body: list[str] = []
    fence = False
    for line in after:
        if line.lstrip().startswith("```"):
            fence = not fence
        if not fence:
            h = heading(line)
            if h and (len(h["hashes"]) <= level or parse_header(line)):
                return body, False
            if "==========" in line and rx.match(r"^\s*={10,}", line):
                return body, False
        body.append(line)
    return body, True


def _outside_fences(body: list[str]) -> Iterator[str]:
    """The body's lines that are not inside ``` code blocks (nor the fences themselves)."""
    fence = False
    for line in body:
        if line.lstrip().startswith("```"):
            fence = not fence
        elif not fence:
            yield line


def _sections(body: list[str]) -> dict[str, list[str]]:
    """Body lines grouped by the sub-heading or bold label ("**Files Changed**:") above them."""
    groups: dict[str, list[str]] = {"": []}
    current = ""
    for line in _outside_fences(body):
        h = heading(line)
        label = rx.match(r"^\s*\*\*(?P<k>[^*]{2,100}?):?\*\*:?\s*(?P<rest>.*)$", line) if "**" in line else None
        if h:
            current = _key(h["title"])
            groups.setdefault(current, [])
            continue
        if label and not label["rest"].strip():
            current = _key(label["k"])
            groups.setdefault(current, [])
            continue
        groups[current].append(line)
    return groups


def _fields(body: list[str]) -> dict[str, str]:
    """Inline `**Key**: value` fields, first value per key, in body order (code blocks skipped)."""
    out: dict[str, str] = {}
    for line in _outside_fences(body):
        if "**" not in line:
            continue  # every field is bold
        for m in _FIELD.finditer(line):
            val = _clean(m["val"])
            if val:
                out.setdefault(_key(m["key"]), val)
    return out


def _first(mapping: dict[str, str], keys: tuple[str, ...]) -> tuple[str, str] | None:
    for k in keys:
        if mapping.get(k):
            return k, mapping[k]
    return None


def _prose(lines: list[str], limit: int = 400, max_items: int = 4) -> str:
    """The first few meaningful lines of a section, as one string."""
    parts: list[str] = []
    for line in lines:
        if not line.strip() or rx.match(r"^\s*\|[-:| ]+\|\s*$", line):
            continue  # blank lines and table separator rows
        if _FIELD.match(rx.sub(r"^\s*(?:[-+]|\*(?!\*)|\d+[.)])?\s*", "", line)):
            continue  # a "**Key**: value" field belongs to the metadata, not the prose
        text = _clean(line.replace("|", " ")).rstrip(",")
        if len(rx.findall(r"[A-Za-z]{2,}", text)) < 2:
            continue
        parts.append(text)
        if len(parts) >= max_items or sum(len(p) for p in parts) >= limit:
            break
    joined = " ".join(p if p[-1] in ".!?;:" else p + ";" for p in parts).rstrip(";")
    return joined if len(joined) <= limit else joined[: limit - 3].rsplit(" ", 1)[0] + "..."


def _files(lines: list[str]) -> list[str]:
    files: list[str] = []
    for line in lines:
        for m in _PATH.finditer(line):
            p = (m["p"] or m["q"]).strip(".,;:()")
            if len(p) < 4 or p.startswith(("http", "--", "www.")) or rx.fullmatch(r"[\d.]+", p):
                continue
            if not rx.search(r"[/\\]|\.\w{1,5}$", p) or p in files:
                continue
            files.append(p)
    return files[:12]


def _section_text(groups: dict[str, list[str]], keys: tuple[str, ...]) -> tuple[str, str] | None:
    for want in keys:
        for k, lines in groups.items():
            if k and (k == want or k.startswith(want + " ")):
                text = _prose(lines)
                if text:
                    return k, text
    return None


def extract(match: Match, pack: DomainPack) -> list[Draft]:
    rows = context_lines(match)
    header_line, header_text = match.line, match.text
    head = parse_header(header_text)
    date_field = None
    if head is None:
        # Anchored on a "**Date**: 2025-..." field: the entry header is the heading just above it.
        d = rx.search(_DATE, header_text)
        above = [(n, t) for n, t in rows if match.line - 4 <= n < match.line and HEADING.match(t)]
        if not d or not above:
            return []
        header_line, header_text = above[-1]
        h = HEADING.match(header_text)
        if parse_header(header_text) or len(h["hashes"]) < 2:
            return []  # a dated header is its own anchor; an h1 is a document title
        head = (len(h["hashes"]), d["date"], _clean(h["title"]))
        date_field = d["date"]
    level, date, title = head
    if len(rx.findall(r"[A-Za-z]{2,}", title)) < 2:
        return []
    after = [t for n, t in rows if n > header_line]
    body, cut = entry_body(after, level)
    groups = _sections(body)
    fields = _fields(body)
    if date_field is None and not (fields or len(groups) > 1):
        return []  # a dated heading with no entry structure under it (a plan or a list)

    out: dict = {"date": date, "title": title}
    change_type = _first(fields, _TYPE_KEYS)
    if change_type:
        out["change_type"] = change_type[1][:120]
    by = _first(fields, _BY_KEYS)
    if by:
        out["by"] = by[1][:80]

    ambiguities: list[str] = []
    ambiguity = 0.0
    wsp_field = _first(fields, _WSP_KEYS)
    wsp_refs = _wsp_refs(wsp_field[1]) if wsp_field else []
    if not wsp_refs:
        wsp_refs = _wsp_refs(" ".join(fields.values()))  # "**WSP 22**: narrative maintained"
    if not wsp_refs:
        wsp_refs = _wsp_refs(" ".join([title, *body[:40]]))
        if wsp_refs:
            ambiguities.append("WSP references taken from mentions in the entry, not a stated field")
            ambiguity += 0.25
    if wsp_refs:
        out["wsp_references"] = wsp_refs[:8]

    summary = _section_text(groups, _SUMMARY_KEYS) or _first(fields, _SUMMARY_KEYS)
    if summary is None:
        lead = _prose(groups.get("", []))
        summary = ("lead", lead) if lead else None
    if summary:
        out["summary"] = summary[1]

    files: list[str] = []
    for k, lines in groups.items():
        if k in _FILES_KEYS or k.startswith(("files ", "file changes", "modified files")):
            files += [f for f in _files(lines) if f not in files]
    for k, v in fields.items():
        if k in _FILES_KEYS or k.startswith("files "):
            files += [f for f in _files([v]) if f not in files]
    if files:
        out["files_changed"] = files[:12]

    why = _section_text(groups, _WHY_KEYS) or _first(fields, _WHY_KEYS)
    impact = _section_text(groups, _IMPACT_KEYS) or _first(fields, _IMPACT_KEYS)
    if why:
        out["why"] = why[1][:400]
        rationale, note = 1.0, ""
    elif impact:
        out["why"] = impact[1][:400]
        rationale, note = 0.5, "Partial rationale (the entry states an impact, not a reason)"
    else:
        rationale, note = 0.0, "Incomplete example (missing rationale: the entry gives no why)"

    if "summary" not in out and not files:
        return []  # with no account of what changed there is nothing to write the entry from
    if cut and len(match.context_after) >= (pack.context_after or 0):
        # the window was full and ended inside the entry: its later sections are unseen
        ambiguities.append("entry continues past the context window")
        ambiguity += 0.25

    inp = {k: out[k] for k in ("date", "title", "change_type") if k in out}
    if "summary" in out:
        inp["summary"] = out["summary"]
    if files:
        inp["files_changed"] = files[:12]
    evidence = header_text.strip()[:300]
    kind = "rationale_chains" if rationale >= 1 else "decision_trees"
    return [Draft(
        instruction_key="entry", input=inp, output=out, evidence=evidence, kind=kind,
        label=out.get("change_type"), required=REQUIRED, rationale=rationale, rationale_note=note,
        ambiguity=min(ambiguity, 1.0), ambiguities=ambiguities, line=header_line,
    )]


EXTRACTOR = Extractor(extract=extract)
