"""The source's structure, read once and handed to every extractor.

A 012.txt is a paste buffer of many documents: ModLogs, READMEs, roadmaps, WSP protocols, reports,
daemon logs. Most of what makes an example right is context that one line cannot show: the heading
a table row sits under, the header that names a row's numbers, the checklist under a phase, the
dated heading that opens a ModLog entry. This module reads that context once:

- documents: cut at the lines of `=` that separate pasted documents (and at a lone file path line
  followed by a title), with their title, stated path and kind (and the evidence for the kind);
- sections: the heading tree (`#` headings, setext headings, a bold line standing alone), so that
  every line has a heading path;
- tables (header and rows of cells), list items (nesting and check state), fenced blocks (language,
  JSON parsed where it parses), log records (time, logger, level, tags, message, continuation
  lines) and fields (`**Date**: ...`, `Status: ...`), each by line.

`parse_document(lines, first_line)` reads one document's lines; `split_documents` finds the
documents of a file in one streaming pass over its bytes (C-speed searches, no per-line Python
work), and `read_documents` parses them one at a time, so memory stays bounded by the largest
document (documents longer than MAX_DOCUMENT_LINES are cut into parts). The result is plain data:
extractors never re-derive structure from raw lines.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import OrderedDict
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from training_data_miner.skills.load_source import BOM, SourceError, check_source, open_regular, read_blocks, read_span

MAX_DOCUMENT_LINES = 20_000  # a longer stretch without a separator (a raw log) is cut into parts
SEPARATOR_MIN = 70  # a line of at least this many '=' and nothing else separates two documents

# -- line classes -------------------------------------------------------------------------------

_SEPARATOR = re.compile(rb"^(?:\xef\xbb\xbf)?={%d,}[ \t]*\r?$" % SEPARATOR_MIN, re.M)
# a lone path of a markdown file with a title under it ("modules/x/README.md" then "# X") opens a document
_PATH_OPENER = re.compile(rb"^(?:(?:File|Path)\s*:\s*)?`?(?:[\w.-]+[/\\])*[\w.-]+\.(?:md|MD|txt)`?[ \t]*\r?\n"
                          rb"(?:[ \t]*\r?\n)?#[ \t]", re.M)
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_ATX_CLOSE = re.compile(r"[ \t]+#+[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BOLD_LINE = re.compile(r"^\*\*(?P<t>[^*\n]{2,200}?)\*\*\s*:?\s*$")
_ESCAPE_PREFIX = re.compile(r"^(?:\[U\+[0-9A-Fa-f]{4,6}\][\uFE0F\u200D]?\S?\s*)+")
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<mark>`{3,}|~{3,})\s*(?P<lang>[\w+#.-]*)")
_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+\u2022]|\d{1,3}[.)])(?:[ \t]+(?P<text>.*))?$")
_DELIM_CELL = re.compile(r"^\s*:?-{1,}:?\s*$")
# log records: "2025-10-15 12:18:54,083 - logger - INFO - message" and "[21:48:10] [TAG] message"
_PY_LOG = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[,.]\d+)?)\s+-\s+(?P<logger>[\w.\-]+)\s+-\s+"
    r"(?P<level>DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\s+-\s?(?P<message>.*)$")
_CLOCK_LOG = re.compile(r"^\[(?P<time>\d\d:\d\d:\d\d(?:[,.]\d+)?)\]\s*(?P<message>.*)$")
_BLOCK_LOG = re.compile(r"^===\s*(?P<time>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)\s+(?P<logger>[A-Z][A-Z_ -]*?)\s*===\s*$")
_TAG = re.compile(r"\[(?P<tag>[^\[\]\s][^\[\]]{0,40})\]\s*")
# fields: "**Date**: 2025-10-13", "- **Status:** done", "Status: NOT STARTED"
_BOLD_FIELD = re.compile(r"^\s*(?:[-*+]\s+)?\*\*(?P<key>[^*\n]{1,40}?)\s*(?::\*\*|\*\*\s*:)\s*(?P<value>.*)$")
_PLAIN_FIELD = re.compile(r"^\s*(?:[-*+]\s+)?(?P<key>[A-Z][A-Za-z0-9]*(?:[ _/&-][A-Za-z0-9]+){0,3}):[ \t]+(?P<value>\S.*)$")
_YAML_FIELD = re.compile(r"^(?P<key>[A-Za-z_][\w-]*):(?:\s+(?P<value>.*))?$")
_PATH_LINE = re.compile(r"^\s*(?:(?:File|Path|Source)\s*:\s*)?`?(?P<path>(?:[\w.-]+[/\\])+[\w.-]+\.(?:md|txt|py|json|ya?ml|toml))`?\s*$")
_TITLE_NOISE = re.compile(r"\[U\+[0-9A-Fa-f]{4,6}\][\uFE0F\u200D]?|[\uFE0F\u200D]|^\s*(?:\[[A-Z][A-Z0-9_ -]{0,15}\]\s*)+")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF]")

# check states of a list item, by its first token; struck-through text is its own state
CHECKS: dict[str, str] = {
    "[x]": "done", "[X]": "done", "[OK]": "done", "[DONE]": "done", "[COMPLETE]": "done", "[PASS]": "done",
    "\u2705": "done", "\u2714": "done", "\u2713": "done", "\u2611": "done", "[U+2705]": "done",
    "[U+2714]": "done", "[U+2713]": "done", "[U+2701]E": "done",  # the last: mojibake of U+2705
    "[ ]": "open", "\u2610": "open", "\u2B1C": "open", "\U0001F532": "open",
    "\u274C": "failed", "\u2717": "failed", "\u2718": "failed", "[FAIL]": "failed", "[U+274C]": "failed",
    "\u23F3": "pending", "[U+23F3]": "pending", "[PENDING]": "pending",
    "\U0001F504": "in_progress", "[U+1F504]": "in_progress", "\U0001F6A7": "in_progress",
    "\U0001F52E": "future", "[U+1F52E]": "future",
}
_CHECK = re.compile("^(?:" + "|".join(re.escape(k) for k in sorted(CHECKS, key=len, reverse=True)) + r")[\uFE0F]?\s*")
_STRUCK = re.compile(r"^~~.+~~")
_CHECK_FIRST = frozenset(k[0] for k in CHECKS)

# document kinds, tried in this order on the title, then the path; the first that matches wins
DOC_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # a title that names the log ("X - ModLog", "ModLog: X", "X Change Log (WSP 22)", "MODLOG ENTRIES"),
    # not one that mentions it ("dae_infrastructure ModLog.md created", "ModLog Template")
    ("modlog", re.compile(r"(?i)(?:\bmod\s*log|\bchange\s*log|changelog|\bmodification\s+log|\bdevelopment\s+log|"
                          r"\bdev\s*log|\bevolution\s+log|\brelease\s+notes)"
                          r"(?=\s*$|\s*[-:|(\u2013\u2014]|\s+(?:entries|history|section)\b)")),
    ("readme", re.compile(r"(?i)\breadme\b")),
    ("roadmap", re.compile(r"(?i)\broad\s*map\b|\bplan\b|\bsprint\b|\bmilestones?\b|\bexecution\s+path\b")),
    ("wsp_protocol", re.compile(r"(?i)^\W*WSP[\s_-]?\d+\s*[:\-]\s*.*\b(?:protocol|standard|specification|system|architecture|principles?)\b")),
    ("report", re.compile(r"(?i)\baudit\b|\breport\b|\banalysis\b|\bresults?\b|\bsummary\b|\bassessment\b|\breview\b|\bfindings\b|\bcomplete\b")),
)


# -- the model ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Heading:
    line: int
    level: int  # 1-6 for `#` and setext headings; 7 for a bold line standing alone
    title: str  # without markup, escapes, leading [TAG]s and emoji
    raw: str  # as written, without the `#`s
    style: str  # "atx", "setext" or "bold"


@dataclass(slots=True)
class Section:
    index: int
    heading: Heading | None  # None: the document's root (the lines before its first heading)
    level: int  # 0 for the root
    parent: int | None
    start: int  # the heading's line (the document's first line for the root)
    end: int = 0  # last line of the section with its subsections
    body_end: int = 0  # last line before its first subsection's heading
    children: list[int] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.heading.title if self.heading else ""


@dataclass(slots=True)
class Row:
    line: int
    cells: list[str]


@dataclass(slots=True)
class Table:
    index: int
    start: int  # the header line
    end: int
    header: list[str]
    rows: list[Row]
    section: int

    def row_at(self, line: int) -> Row | None:
        return next((r for r in self.rows if r.line == line), None)

    def record(self, row: Row) -> dict[str, str]:
        """A row as header -> cell (cells beyond the header keep their position as key)."""
        return {(self.header[i] if i < len(self.header) and self.header[i] else str(i)): c
                for i, c in enumerate(row.cells)}


@dataclass(slots=True)
class ListItem:
    index: int
    line: int
    end: int  # last continuation line
    indent: int
    marker: str
    text: str  # without the marker and the check token
    check: str | None  # done, open, failed, pending, in_progress, future, struck (CHECKS)
    parent: int | None  # the item this one is nested under
    section: int
    children: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Fence:
    index: int
    start: int  # the opening fence line
    end: int  # the closing fence line (or the document's last line when it never closes)
    lang: str
    body: list[str]
    json: Any = None  # the body parsed as JSON, where it parses
    section: int = 0


@dataclass(slots=True)
class LogRecord:
    index: int
    line: int
    end: int  # last continuation line
    time: str
    logger: str | None
    level: str | None
    tags: list[str]
    message: str  # after the tags
    section: int = 0


@dataclass(slots=True)
class Field:
    line: int
    key: str
    value: str
    section: int


@dataclass(slots=True)
class Document:
    index: int
    start: int  # first line (1-based, in the source)
    end: int  # last line
    lines: list[str]
    title: str | None = None
    title_line: int | None = None
    path: str | None = None
    kind: str = "other"  # modlog, readme, roadmap, wsp_protocol, report, log, other
    evidence: str = ""
    part: int = 0  # >0: a continuation of a document longer than MAX_DOCUMENT_LINES
    sections: list[Section] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    items: list[ListItem] = field(default_factory=list)
    fences: list[Fence] = field(default_factory=list)
    records: list[LogRecord] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    _section_starts: list[int] = field(default_factory=list)
    _line_block: dict[int, tuple[str, int]] | None = None

    # -- lines ------------------------------------------------------------------------------

    def text(self, line: int) -> str:
        return self.lines[line - self.start]

    def span(self, first: int, last: int) -> list[tuple[int, str]]:
        first, last = max(first, self.start), min(last, self.end)
        return [(n, self.lines[n - self.start]) for n in range(first, last + 1)]

    def __contains__(self, line: int) -> bool:
        return self.start <= line <= self.end

    # -- sections ---------------------------------------------------------------------------

    def section_at(self, line: int) -> Section:
        """The innermost section over `line`: the last heading at or before it (a section runs to
        the next heading of its level or above, so no later section can have closed over it)."""
        if len(self._section_starts) != len(self.sections):
            self._section_starts = [s.start for s in self.sections]
        return self.sections[max(bisect_right(self._section_starts, line) - 1, 0)]

    def ancestors(self, section: Section) -> list[Section]:
        """The section and its parents, innermost first (the root last)."""
        out = [section]
        while out[-1].parent is not None:
            out.append(self.sections[out[-1].parent])
        return out

    def heading_path(self, line: int) -> list[str]:
        """The titles of the headings over `line`, outermost first."""
        return [s.title for s in reversed(self.ancestors(self.section_at(line))) if s.heading]

    def subsections(self, section: Section) -> list[Section]:
        return [self.sections[i] for i in section.children]

    def headings(self) -> list[Heading]:
        return [s.heading for s in self.sections if s.heading]

    # -- blocks -----------------------------------------------------------------------------

    def block_at(self, line: int) -> tuple[str, Any] | None:
        """("table", Table), ("item", ListItem), ("fence", Fence) or ("record", LogRecord) that
        holds `line`, or None for a heading, a paragraph or a blank line."""
        if self._line_block is None:
            self._line_block = _block_index(self)
        hit = self._line_block.get(line)
        if hit is None:
            return None
        kind, i = hit
        return kind, {"table": self.tables, "item": self.items, "fence": self.fences, "record": self.records}[kind][i]

    def items_in(self, first: int, last: int) -> list[ListItem]:
        return [it for it in self.items if first <= it.line <= last]

    def fields_in(self, first: int, last: int) -> list[Field]:
        return [f for f in self.fields if first <= f.line <= last]

    def tables_in(self, first: int, last: int) -> list[Table]:
        return [t for t in self.tables if first <= t.start <= last]

    def fences_in(self, first: int, last: int) -> list[Fence]:
        return [f for f in self.fences if first <= f.start <= last]

    def records_in(self, first: int, last: int) -> list[LogRecord]:
        return [r for r in self.records if first <= r.line <= last]

    def outline(self) -> dict[str, Any]:
        """The document and its sections with their line ranges (what the outline resource lists)."""
        return {
            "document": self.index, "start": self.start, "end": self.end, "title": self.title,
            "path": self.path, "kind": self.kind, "evidence": self.evidence, "part": self.part,
            "sections": [{"line": s.start, "end": s.end, "level": s.level, "title": s.title,
                          "parent_line": self.sections[s.parent].start if s.parent else None}
                         for s in self.sections if s.heading],
        }

    def describe(self, line: int) -> dict[str, Any]:
        """Where `line` sits: its document, heading path and the structure it is part of (what a
        match carries)."""
        out: dict[str, Any] = {"document": self.index, "doc_kind": self.kind,
                               "heading_path": self.heading_path(line), "block": None}
        hit = self.block_at(line)
        if hit is None:
            return out
        kind, b = hit
        if kind == "table":
            row = b.row_at(line)
            out["block"] = {"kind": "table_row" if row else "table_header", "start": b.start, "end": b.end,
                            "header": b.header[:12], **({"cells": row.cells[:12]} if row else {})}
        elif kind == "item":
            parent = self.items[b.parent].text[:200] if b.parent is not None else None
            out["block"] = {"kind": "list_item", "start": b.line, "end": b.end, "check": b.check, "parent": parent}
        elif kind == "fence":
            out["block"] = {"kind": "json" if b.json is not None else "fence", "start": b.start, "end": b.end,
                            "lang": b.lang}
        else:
            out["block"] = {"kind": "log_record", "start": b.line, "end": b.end, "time": b.time,
                            "logger": b.logger, "level": b.level, "tags": b.tags[:8]}
        return out


# -- parsing one document -----------------------------------------------------------------------


def clean_title(raw: str) -> str:
    """A heading's text without markup: bold and code marks, `[U+XXXX]` escapes, leading [TAG]s
    and emoji."""
    plain = raw.replace("**", "").replace("__", "").replace("`", "")
    t = _TITLE_NOISE.sub(" ", plain)
    if not t.isascii():
        t = _EMOJI.sub(" ", t)
    t = " ".join(t.split()).strip(" :-")
    return t or " ".join(plain.split()).strip(" :-")  # "# [MODULE_NAME]": the tag is the title


def _cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", s)]


def _is_delimiter(line: str) -> bool:
    if "-" not in line or "|" not in line:
        return False
    cells = _cells(line)
    return len(cells) >= 1 and all(_DELIM_CELL.match(c) for c in cells) and any("-" in c for c in cells)


def _parse_json(body: list[str]) -> Any:
    text = "\n".join(body).strip()
    if not text or text[0] not in "{[":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _record(line: str) -> tuple[str, str | None, str | None, str] | None:
    """(time, logger, level, message) of a log record line, or None."""
    c = line[:1]
    if c.isdigit():
        m = _PY_LOG.match(line)
        return (m["time"], m["logger"], m["level"], m["message"]) if m else None
    if c == "[":
        m = _CLOCK_LOG.match(line)
        return (m["time"], None, None, m["message"]) if m else None
    if c == "=" and line.startswith("=== "):
        m = _BLOCK_LOG.match(line)
        return (m["time"], m["logger"].strip(), None, "") if m else None
    return None


def _tags(message: str) -> tuple[list[str], str]:
    tags = []
    pos = 0
    while True:
        m = _TAG.match(message, pos)
        if not m:
            break
        tags.append(m["tag"])
        pos = m.end()
    return tags, message[pos:]


def parse_document(lines: list[str], first_line: int = 1, index: int = 0, part: int = 0) -> Document:
    """One document's structure. `lines` are its lines without line ends; `first_line` is the
    source line number of the first."""
    doc = Document(index=index, start=first_line, end=first_line + len(lines) - 1, lines=lines, part=part)
    root = Section(index=0, heading=None, level=0, parent=None, start=first_line)
    sections = doc.sections
    sections.append(root)
    stack = [root]  # open sections, root first
    items, tables, fences, records, fields = doc.items, doc.tables, doc.fences, doc.records, doc.fields
    item_stack: list[ListItem] = []  # open list items, outermost first
    table: Table | None = None
    record: LogRecord | None = None
    fence: Fence | None = None
    fence_mark = ""
    fence_indent = 0
    prev_kind = "blank"  # what the line before was: blank, text, heading, item, table, record, fence
    n_lines = len(lines)

    def open_section(h: Heading) -> None:
        while stack[-1].level >= h.level:
            closing = stack.pop()
            closing.end = h.line - 1
        parent = stack[-1]
        s = Section(index=len(sections), heading=h, level=h.level, parent=parent.index, start=h.line)
        if not parent.children:
            parent.body_end = h.line - 1
        parent.children.append(s.index)
        sections.append(s)
        stack.append(s)

    skip = _front_matter(lines, first_line, fields)
    for i in range(skip, n_lines):
        text = lines[i]
        n = first_line + i
        # -- fenced blocks: nothing inside is a heading, list or table; log lines still are records
        if fence is not None:
            s = text.strip()
            # a closing fence: the same mark or longer, nothing after it, indented as its opener
            # at most (or up to 3 spaces): a deeper "    ```" is a fence quoted inside this one
            if s.startswith(fence_mark) and not s.strip(fence_mark[0]) and \
                    len(text) - len(text.lstrip()) <= max(3, fence_indent):
                fence.end = n
                fence.json = _parse_json(fence.body)
                fence = None
                prev_kind = "fence"
                continue
            fence.body.append(text)
            continue
        stripped = text.strip()
        if not stripped:
            table = None
            record = None
            prev_kind = "blank"
            continue
        first = stripped[0]
        if first in "`~":
            m = _FENCE.match(text)
            if m:
                fence = Fence(index=len(fences), start=n, end=doc.end, lang=m["lang"].lower(), body=[],
                              section=stack[-1].index)
                fences.append(fence)
                fence_mark = m["mark"]
                fence_indent = len(m["indent"])
                table = record = None
                item_stack.clear()
                continue
        # -- headings
        heading: Heading | None = None
        if first == "#":
            m = _ATX.match(text)
            if m:
                raw = _ATX_CLOSE.sub("", m[2] or "").strip()
                heading = Heading(n, len(m[1]), clean_title(raw), raw, "atx")
        elif first in "=-" and prev_kind == "text" and _SETEXT.match(text):
            # the paragraph line above becomes the heading
            raw = lines[i - 1].strip()
            h = Heading(n - 1, 1 if first == "=" else 2, clean_title(raw), raw, "setext")
            open_section(h)
            prev_kind = "heading"
            continue
        elif first == "*" and prev_kind in ("blank", "heading") and stripped.startswith("**"):
            m = _BOLD_LINE.match(stripped)
            if m:
                raw = m["t"].strip()
                heading = Heading(n, 7, clean_title(raw), raw, "bold")
        elif first == "[" and "#" in stripped[:40]:
            m = _ESCAPE_PREFIX.match(stripped)  # "[U+1F4CB] ## Title": a heading behind escapes
            if m and stripped[m.end():m.end() + 1] == "#":
                m2 = _ATX.match(stripped[m.end():])
                if m2:
                    raw = _ATX_CLOSE.sub("", m2[2] or "").strip()
                    heading = Heading(n, len(m2[1]), clean_title(raw), raw, "atx")
        if heading is not None and heading.title:
            open_section(heading)
            table = record = None
            item_stack.clear()
            prev_kind = "heading"
            if heading.style == "bold":
                fields_m = _BOLD_FIELD.match(text)
                if fields_m and fields_m["value"].strip():
                    fields.append(Field(n, fields_m["key"].strip(), fields_m["value"].strip(), stack[-1].index))
            continue
        sec = stack[-1].index
        # -- log records (and their continuation lines)
        rec = _record(text) if first in "0123456789[=" else None
        if rec is not None:
            tags, message = _tags(rec[3])
            record = LogRecord(len(records), n, n, rec[0], rec[1], rec[2], tags, message.strip(), sec)
            records.append(record)
            prev_kind = "record"
            table = None
            continue
        if record is not None and prev_kind == "record" and not (first in "-*+|" or first.isdigit()):
            record.end = n
            continue
        record = None
        # -- tables: a header line, a delimiter row under it, then rows while lines hold a '|'
        if "|" in text:
            if table is not None:
                if not table.rows and n == table.start + 1 and _is_delimiter(text):
                    table.end = n
                else:
                    table.rows.append(Row(n, _cells(text)))
                    table.end = n
                prev_kind = "table"
                continue
            if i + 1 < n_lines and _is_delimiter(lines[i + 1]) and not _is_delimiter(text):
                table = Table(len(tables), n, n, _cells(text), [], sec)
                tables.append(table)
                prev_kind = "table"
                continue
        table = None
        # -- list items (with nesting by indent), and their continuation lines
        if first in "-*+\u2022" or first.isdigit():
            m = _ITEM.match(text)
            if m and (m["text"] is not None or first in "-*+"):
                body = (m["text"] or "").strip()
                indent = len(m["indent"].replace("\t", "    "))
                check = None
                cm = _CHECK.match(body) if body[:1] in _CHECK_FIRST else None
                if cm:
                    check = CHECKS[cm.group(0).rstrip().rstrip("\uFE0F")]
                    body = body[cm.end():]
                elif body[:2] == "~~" and _STRUCK.match(body):
                    check = "struck"
                while item_stack and item_stack[-1].indent >= indent:
                    item_stack.pop()
                parent = item_stack[-1] if item_stack else None
                item = ListItem(len(items), n, n, indent, m["marker"], body, check,
                                parent.index if parent else None, sec)
                if parent:
                    parent.children.append(item.index)
                items.append(item)
                item_stack.append(item)
                if ":" in body[:64]:
                    _field(fields, text, n, sec)
                prev_kind = "item"
                continue
        if item_stack and (prev_kind == "item" or prev_kind == "item_cont") and len(text) - len(text.lstrip()) > item_stack[-1].indent:
            item_stack[-1].end = n
            prev_kind = "item_cont"
            continue
        if item_stack and text[0] not in " \t":
            item_stack.clear()
        if ":" in text[:64]:
            _field(fields, text, n, sec)
        prev_kind = "text"

    while stack:
        stack.pop().end = doc.end
    for s in sections:
        if not s.children:
            s.body_end = s.end
    if fence is not None:  # never closed: its body runs to the end
        fence.json = _parse_json(fence.body)
    _describe(doc)
    return doc


def _front_matter(lines: list[str], first_line: int, fields: list[Field]) -> int:
    """YAML front matter at the document's start (after its separator line): its `key: value`
    lines become fields of the root section. Returns how many lines it takes (0 without one)."""
    i = 1 if lines and lines[0].startswith("=" * SEPARATOR_MIN) else 0
    if i >= len(lines) or lines[i].strip() != "---":
        return 0
    for j in range(i + 1, min(len(lines), i + 60)):
        t = lines[j]
        if t.strip() == "---":
            for k in range(i + 1, j):
                m = _YAML_FIELD.match(lines[k])
                if m and m["value"].strip():
                    fields.append(Field(first_line + k, m["key"], m["value"].strip(), 0))
            return j + 1
        if t.strip() and not _YAML_FIELD.match(t) and not t.startswith((" ", "\t", "-")):
            return 0
    return 0


def _block_index(doc: Document) -> dict[int, tuple[str, int]]:
    """line -> the block holding it; a log record inside a fenced block wins over the fence."""
    out: dict[int, tuple[str, int]] = {}
    for f in doc.fences:
        for n in range(f.start, f.end + 1):
            out[n] = ("fence", f.index)
    for t in doc.tables:
        for n in range(t.start, t.end + 1):
            out[n] = ("table", t.index)
    for it in doc.items:
        for n in range(it.line, it.end + 1):
            out[n] = ("item", it.index)
    for r in doc.records:
        for n in range(r.line, r.end + 1):
            out[n] = ("record", r.index)
    return out


def _field(fields: list[Field], text: str, n: int, sec: int) -> None:
    c = text.lstrip()[:3]
    if "**" in c or c.startswith(("- *", "* *")):
        m = _BOLD_FIELD.match(text)
    elif ":" in text[:48]:
        m = _PLAIN_FIELD.match(text)
    else:
        return
    if m and m["value"].strip():
        fields.append(Field(n, m["key"].strip(), m["value"].strip(), sec))


def _describe(doc: Document) -> None:
    """The document's title, stated path and kind, with the evidence for the kind."""
    heads = [s.heading for s in doc.sections[1:6] if s.heading and s.heading.style != "bold"]
    top = next((h for h in heads if h.level == 1), heads[0] if heads else None)
    if top is not None and top.line - doc.start <= 12:
        doc.title, doc.title_line = top.title, top.line
    for n, t in doc.span(doc.start, min(doc.end, doc.start + 4)):
        m = _PATH_LINE.match(t)
        if m:
            doc.path = m["path"]
            break
    if doc.path is None:
        for f in doc.fields[:6]:
            if f.key.lower() in ("file", "path", "location") and f.line - doc.start <= 12:
                m = _PATH_LINE.match(f.value)
                if m:
                    doc.path = m["path"]
                    break
    for what, value in (("title", doc.title), ("path", doc.path)):
        if not value:
            continue
        for kind, rx in DOC_KINDS:
            m = rx.search(value)
            if m:
                doc.kind, doc.evidence = kind, f"{what} says {m.group(0).strip()!r}"
                return
    nonblank = sum(1 for t in doc.lines if t.strip())
    if doc.records and len({r.line for r in doc.records}) * 2 >= nonblank:
        doc.kind, doc.evidence = "log", f"{len(doc.records)} log records in {nonblank} lines"


# -- documents of a file ------------------------------------------------------------------------


@dataclass(slots=True)
class DocumentSpan:
    """Where a document lies in the file: its lines and its bytes (to read it back alone)."""

    index: int
    start: int
    end: int
    offset: int  # byte offset of its first line
    length: int  # bytes, up to and including its last line end
    part: int = 0


def split_documents(path: str | os.PathLike[str], max_lines: int = MAX_DOCUMENT_LINES,
                    sha: Any = None) -> Iterator[DocumentSpan]:
    """The documents of a file, in order, by one pass over its bytes: a separator line ends one and
    is the first line of the next (so every line belongs to exactly one document), and a stretch
    longer than `max_lines` is cut into parts."""
    offset = 0  # byte offset of the current block
    line = 1  # line number of the block's first line
    doc_start, doc_offset, part, index = 1, 0, 0, 0
    for block in read_blocks(Path(path)):
        if sha is not None:
            sha.update(block)
        if b"\n" in block:
            seps = [m.start() for m in _SEPARATOR.finditer(block)]
            ends = {block.find(b"\n", c) + 1 for c in seps}
            # a path right under a separator belongs to the document the separator opens
            cuts = sorted(set(seps) | {m.start() for m in _PATH_OPENER.finditer(block) if m.start() not in ends})
        else:  # a piece of an over-long line opens no document: not searched (seconds per 200 MB)
            cuts = []
        pos, pos_line = 0, line
        for cut in cuts + [None]:
            end = len(block) if cut is None else cut
            # lines from pos to end, counted in strides that respect max_lines
            while True:
                nl = block.count(b"\n", pos, end)
                room = doc_start + max_lines - pos_line
                if nl < room:
                    pos_line += nl
                    pos = end
                    break
                # cut a part after `room` lines
                k, p = 0, pos
                while k < room:
                    p = block.index(b"\n", p) + 1
                    k += 1
                pos_line += room
                yield DocumentSpan(index, doc_start, pos_line - 1, doc_offset, offset + p - doc_offset, part)
                index += 1
                part += 1
                doc_start, doc_offset, pos = pos_line, offset + p, p
            if cut is None:
                break
            if pos_line > doc_start:
                yield DocumentSpan(index, doc_start, pos_line - 1, doc_offset, offset + cut - doc_offset, part)
                index += 1
            doc_start, doc_offset, part = pos_line, offset + cut, 0
        offset += len(block)
        line = pos_line
    if offset > doc_offset:
        # the last document runs to the end of the file (which may lack a final line end)
        end_line = line - 1 if offset and _ends_with_newline(path) else line
        if end_line >= doc_start:
            yield DocumentSpan(index, doc_start, end_line, doc_offset, offset - doc_offset, part)


def _ends_with_newline(path: str | os.PathLike[str]) -> bool:
    with open_regular(path) as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


def decode_lines(data: bytes, at_file_start: bool) -> list[str]:
    """A document's bytes as lines: the BOM skipped at the file's start, undecodable bytes as
    U+FFFD, '\\r' and the final line end dropped."""
    if at_file_start and data.startswith(BOM):
        data = data[len(BOM):]
    text = data.decode("utf-8", errors="replace")
    if text.endswith("\n"):
        text = text[:-1]
    out = text.split("\n")
    if "\r" in text:
        out = [t.rstrip("\r") for t in out]
    return out


def read_documents(path: str | os.PathLike[str], spans: Iterable[DocumentSpan] | None = None) -> Iterator[Document]:
    """Each document of the file (or each of `spans`), parsed, one at a time."""
    p = check_source(path)
    with open_regular(p) as f:
        for span in spans if spans is not None else split_documents(p):
            f.seek(span.offset)
            lines = decode_lines(read_span(f, span.length), span.offset == 0)  # long lines cut, as the scan cuts them
            yield parse_document(lines, span.start, span.index, span.part)


class Structure:
    """A source's documents, parsed once: looked up by line. Held whole for sources up to
    HOLD_BYTES; larger ones keep only their spans and parse a document again when asked (the
    last few are cached), so memory stays bounded."""

    HOLD_BYTES = 24 << 20
    CACHE = 4

    def __init__(self, path: str | os.PathLike[str], spans: list[DocumentSpan], docs: list[Document] | None):
        self.path = str(path)
        self.spans = spans
        self._starts = [s.start for s in spans]
        self._docs = docs
        self._cache: dict[int, Document] = {}

    @classmethod
    def read(cls, path: str | os.PathLike[str], sha256: str | None = None,
             on_document: Callable[[Document], None] | None = None) -> Structure:
        """The file's structure: every document parsed once (each is passed to `on_document`), and
        kept when the file is small enough. With `sha256`, a file that no longer has that hash
        (changed since load_source) raises SourceError."""
        p = check_source(path)
        sha = hashlib.sha256() if sha256 else None
        spans = list(split_documents(p, sha=sha))
        if sha is not None and sha.hexdigest() != sha256:
            raise SourceError(f"source changed since load_source: {p} no longer has sha256 {sha256[:12]}...; "
                              "start a new execution with load_source")
        hold = spans[-1].offset + spans[-1].length <= cls.HOLD_BYTES if spans else True
        docs: list[Document] | None = [] if hold else None
        for doc in read_documents(p, spans):
            if on_document:
                on_document(doc)
            if docs is not None:
                docs.append(doc)
        return cls(p, spans, docs)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Structure:
        """The file's documents found, not parsed: each is parsed when asked for (streaming a file
        too big to parse ahead)."""
        p = check_source(path)
        return cls(p, list(split_documents(p)), None)

    def __len__(self) -> int:
        return len(self.spans)

    def index_of(self, line: int) -> int:
        return max(bisect_right(self._starts, line) - 1, 0)

    def document(self, index: int) -> Document:
        if self._docs is not None:
            return self._docs[index]
        doc = self._cache.get(index)
        if doc is None:
            doc = next(read_documents(self.path, [self.spans[index]]))
            if len(self._cache) >= self.CACHE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[index] = doc
        return doc

    def at(self, line: int) -> Document:
        return self.document(self.index_of(line))

    def documents(self) -> Iterator[Document]:
        if self._docs is not None:
            yield from self._docs
        else:
            yield from read_documents(self.path, self.spans)

    def outline(self) -> Iterator[dict[str, Any]]:
        for doc in self.documents():
            yield doc.outline()


_HELD: OrderedDict[tuple[str, str], Structure] = OrderedDict()
HELD_STRUCTURES = 2  # sources whose structure a process keeps between calls (an MCP server's steps)


def structure_of(path: str | os.PathLike[str], sha256: str,
                 on_document: Callable[[Document], None] | None = None) -> Structure:
    """The structure of the source `path` with hash `sha256`: read (and checked against the hash)
    on first use, then kept for the next few calls of this process. `on_document` sees each
    document only when it is read here."""
    key = (str(path), sha256)
    got = _HELD.get(key)
    if got is None or on_document is not None:
        got = Structure.read(path, sha256, on_document)
        _HELD[key] = got
        while len(_HELD) > HELD_STRUCTURES:
            _HELD.popitem(last=False)
    _HELD.move_to_end(key)
    return got
