"""roadmap_analysis: a phase or checklist section, or a status line -> phase, status, done, left.

Roadmap text in the log comes as `## Phase 2: ...` headings, `**Phase 1: ...** (COMPLETE)` bold
titles and `- [x] **Phase 1:** ...` checklist parents, each followed by `[x]`/`[ ]` items or
`✅`/`⏳` bullets, and as one-line reports (`**Phase 2 Status**: BLOCKED (needs Phase 1)`,
`Phase 1: 37.5% complete (3/8 P0 WSPs)`). A section's status is read from its title when the
title states one, else from its items; done and left are counted from the items the window
shows. The items are the reasoning the text gives for a status: a status stated with no items,
percentage or explanation is not a learnable example, and a title that contradicts its own
checklist is ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import regex

from training_data_miner.skills.extractors import Draft, Extractor, context_lines, plain_ascii
from training_data_miner.skills.extractors import rx
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import DomainPack

MAX_ITEMS = 8  # items listed per side; the counts cover all of them
MAX_ITEM_CHARS = 90
MAX_SECTION_LINES = 24
MAX_LINE = 320

# -- cleaning ----------------------------------------------------------------------------------

_LOG_PREFIX = regex.compile(r"^\s*(?:\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[,.]\d+)?\s*-\s*[\w.]+\s*-\s*[A-Z]+\s*-\s*|\[\d\d:\d\d:\d\d\]\s*)")
# Escapes and mojibake that stand for the marks a roadmap uses; the rest are decoration.
_MARKS = (
    (regex.compile(r"\[U\+2705\]|\[U\+2701\]E|\[U\+2714\]|✔️?|☑"), "✅"),
    (regex.compile(r"\[U\+274C\]|\[U\+2741\]E|\[U\+2716\]"), "❌"),
    (regex.compile(r"\[U\+23F3\]|\[U\+1F504\]|🔄"), "⏳"),
)
_ESCAPE = regex.compile(r"\[U\+[0-9A-Fa-f]{4,6}\]E?\s?")
_SYMBOL = regex.compile(r"[^\P{So}✅❌⏳]|[\ufe0f\ufffd]")
_SPACE = regex.compile(r"[ \t]+")


def clean(text: str) -> str:
    """The line without log prefix, emoji escapes or markdown emphasis; roadmap marks kept."""
    text = _LOG_PREFIX.sub("", text)
    ascii_only = plain_ascii(text)  # no mark, escape, pictograph or mojibake to handle
    if not ascii_only:
        for pat, mark in _MARKS:
            text = pat.sub(mark, text)
        text = _SYMBOL.sub("", _ESCAPE.sub("", text))
    text = text.replace("**", "").replace("`", "")
    if not ascii_only:
        text = text.replace("ↁE", "->")
    if "  " in text or "\t" in text:
        text = _SPACE.sub(" ", text)
    return text.strip()


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


# -- status ------------------------------------------------------------------------------------

_PERCENT = regex.compile(
    r"\b(\d{1,3}(?:\.\d+)?)%\s+(?:complete|completed|done|finished|implemented|operational)\b"
    r"|\b(?:complete|completed|done|progress)\s*[:=(]\s*(\d{1,3}(?:\.\d+)?)%",
    regex.IGNORECASE,
)
# Ordered cue lists; the leftmost strong cue names the status ("COMPLETE - next: Phase 3" is complete).
_STRONG = (
    (regex.compile(r"\bneeds?\s+(?:an?\s+)?updat\w*|\boutdated\b|\bout\s+of\s+date\b|\bstale\b", regex.I), "needs_update"),
    (regex.compile(r"\bnot\s+(?:yet\s+)?(?:started|begun|implemented)\b|\bplanned\b|\bfuture\b|\bupcoming\b|\bdeferred\b"
                   r"|\bpending\b|\bblocked\b|\bready\s+to\s+start\b|\bnext\b|\bafter\b|\btodo\b|\bbacklog\b|\bqueued\b"
                   r"|\bcannot\s+start\b", regex.I), "not_started"),
    (regex.compile(r"\bin[\s-]+progress\b|\bongoing\b|\bcurrent\b|\bactive\b|\bpartial(?:ly)?\b|\bwip\b|\bunderway"
                   r"|\bincomplete\b|\bnot\s+(?:yet\s+)?(?:complete|done|finished)\b|\bstarted\b|\bremaining\b", regex.I),
     "in_progress"),
    (regex.compile(r"\bcomplete[d]?\b|\bdone\b|\bfinished\b|\bimplemented\b|\boperational\b|\bachieved\b|\bdeployed\b"
                   r"|\bresolved\b|\bshipped\b|\bdelivered\b", regex.I), "complete"),
)
_WEAK = (
    (regex.compile(r"⏳|\[REFRESH\]|\[WIP\]"), "in_progress"),
    (regex.compile(r"✅|\[OK\]|\[COMPLETE\]|\[DONE\]"), "complete"),
    (regex.compile(r"❌"), "not_started"),
)
_IMPERATIVE = regex.compile(r"^\W*(complete|finish|implement|deploy|resolve|deliver|ship)\s+(?=\w)", regex.I)
_BLOCKER = regex.compile(
    r"\b(?:blocked\s+by|needs|requires|waiting\s+(?:for|on)|until|depends\s+on|after)\s+"
    r"((?:Phase|Sprint|Stage|Milestone|Step)\s*\d+(?:\.\d+)?[A-Z]?(?:\s*(?:&|and|,)\s*\d+)*)",
    regex.IGNORECASE,
)


def percent_of(text: str) -> float | None:
    m = _PERCENT.search(text)
    if not m:
        return None
    value = float(m.group(1) or m.group(2))
    return value if 0 <= value <= 100 else None


def status_of(text: str) -> str | None:
    """The status a piece of text states, or None when it states none."""
    pct = percent_of(text)
    if pct is not None:
        return "complete" if pct >= 100 else "not_started" if pct == 0 else "in_progress"
    best: tuple[int, str] | None = None
    imperative = _IMPERATIVE.match(text)
    for pat, status in _STRONG:
        # "Complete Phase 3 (BLOCKED by Phase 2)" orders work to be done; it states no status
        m = next((m for m in pat.finditer(text) if not (imperative and m.start() == imperative.start(1))), None)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), status)
    if best:
        return best[1]
    for pat, status in _WEAK:
        if pat.search(text):
            return status
    return None


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else round(value, 1)


# -- sections ----------------------------------------------------------------------------------

_HEADING = regex.compile(r"^ {0,3}(#{1,6})\s+\S")  # deeper "#" lines are code comments
_BOLD_TITLE = regex.compile(r"^\s*\*\*[^*]{2,120}\*\*[^*]{0,120}$")
_ITEM = regex.compile(r"^(\s*)[-*+]\s+\[([ xX])\]\s+(.+)$")
_MARK_ITEM = regex.compile(r"^(\s*)[-*+]\s+(✅|❌|⏳)\s*(.+)$")
_RULE = regex.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,}|={3,})\s*$")
_STATUS_LINE = regex.compile(r"^\W*(?:Phase\s*\d+(?:\.\d+)?[A-Z]?\s+)?Status\W{0,4}:\s*(.+)$", regex.IGNORECASE)
_PHASE = regex.compile(r"\b(?:Phase|Sprint|Stage|Milestone|Step|Week|Wave|Tier)\s*\d+(?:\.\d+)?[A-Z]?\b", regex.IGNORECASE)
_ROADMAPPY = regex.compile(
    r"\b(?:Phase|Sprint|Stage|Milestone|Roadmap|Week|Wave|Deliverables?|Tasks?|TODOs?|Checklist|Next\s+Steps|Remaining"
    r"|Implementation\s+Plan|Action\s+Items|Success\s+Criteria|Completed|Progress)\b",
    regex.IGNORECASE,
)


@dataclass
class Item:
    done: bool | None  # None: a plain bullet, whose state is the section's stated status
    text: str
    indent: int
    boxed: bool = False  # a `[x]`/`[ ]` box rather than a mark in the text


@dataclass
class Section:
    items: list[Item] = field(default_factory=list)
    status_texts: list[str] = field(default_factory=list)
    next_texts: list[str] = field(default_factory=list)
    lines: list[tuple[int, str]] = field(default_factory=list)  # (rank, text): lower ranks survive a cut
    cut_off: bool = False  # the window ended while the section was still going

    @property
    def checks(self) -> list[Item]:
        marked = [i for i in self.items if i.done is not None]
        if not any(i.boxed for i in marked) and len(marked) * 2 < len(self.items):
            return []  # a mark on a few bullets ("Adaptability: ✅ ...") does not make a checklist
        return marked

    @property
    def bullets(self) -> list[Item]:
        return [i for i in self.items if i.done is None or not self.checks]


_DONE_MARK = regex.compile(r"✅|\[OK\]|\[DONE\]|\[COMPLETE\]|\(\s*(?:COMPLETED?|DONE)\s*\)", regex.IGNORECASE)
_LEFT_MARK = regex.compile(r"❌|⏳|\[REFRESH\]|\[WIP\]|\[FAIL\]|\[TODO\]|\(\s*(?:PENDING|TODO|NEXT)\s*\)", regex.IGNORECASE)
_BULLET = regex.compile(r"^(\s*)(?:[-*+•]|\d{1,2}[.)])\s+(.+)$")


def _item(row: str) -> Item | None:
    m = _ITEM.match(row)
    if m:
        return Item(m.group(2) != " ", clean(m.group(3)), len(m.group(1).expandtabs(4)), boxed=True)
    m = _BULLET.match(clean_keep_indent(row))
    if not m:
        return None
    text, indent = m.group(2).strip(), len(m.group(1).expandtabs(4))
    # a bullet that carries its own mark ("- ✅ tests pass", "- X: [OK] done") is a checked or open item
    done_mark, left_mark = _DONE_MARK.search(text), _LEFT_MARK.search(text)
    if done_mark and not left_mark:
        return Item(True, _tidy_item(text), indent)
    if left_mark and not done_mark:
        return Item(False, _tidy_item(text), indent)
    return Item(None, _tidy_item(text), indent)


def _tidy_item(text: str) -> str:
    text = rx.sub(r"^(?:✅|❌|⏳|\[\w+\])\s*", "", text)
    return text.strip()


def clean_keep_indent(row: str) -> str:
    indent = row[: len(row) - len(row.lstrip())]
    return indent + clean(row)


def _ends_section(row: str, level: int, indent: int | None) -> bool:
    """Whether `row` starts the next section after a title of heading `level` (7 = bold title)
    or, for a checklist parent, of list `indent`."""
    if _RULE.match(row):
        return True
    h = _HEADING.match(row)
    if h:
        return indent is not None or len(h.group(1)) <= level or level == 7
    if indent is not None:
        stripped = row.strip()
        return bool(stripped) and len(row.expandtabs(4)) - len(row.expandtabs(4).lstrip()) <= indent
    return level == 7 and bool(_BOLD_TITLE.match(row)) and _ITEM.match(row) is None


_NEXT_LINE = regex.compile(r"^\W*Next(?:\s+Steps?)?\s*:\s*(.{4,})$", regex.IGNORECASE)


def gather(rows: list[str], level: int, indent: int | None = None, stop_at_text: bool = False) -> Section:
    """The items, status lines and text of the section that `rows` (the lines after its title) open."""
    sec = Section()
    blank_run = 0
    scope_open = True  # plain bullets after a table or a "Results:" label are findings, not scope
    for i, row in enumerate(rows):
        if _ends_section(row, level, indent):
            return sec
        if not row.strip():
            blank_run += 1
            if blank_run >= 2 and sec.items:
                return sec  # two blank lines close a list
            continue
        blank_run = 0
        it = _item(row)
        if stop_at_text and sec.items and (it is None or it.done is None) and not row.startswith((" ", "\t")):
            return sec  # a bare checklist ends at the first line that is not a checklist item
        if it is not None and it.done is None and not scope_open:
            it = None
        if it is not None and it.text:
            sec.items.append(it)
            mark = {True: "[x] ", False: "[ ] ", None: ""}[it.done] if _ITEM.match(row) else ""
            shown = clean(row) if not _ITEM.match(row) else f"- {mark}{it.text}"
            sec.lines.append((1, _cut(" " * min(it.indent, 6) + shown, 160)))
        else:
            c = clean(row)
            table = c.startswith("|")  # a table compares things; its cells are not this section's status
            if table or (c.endswith(":") and not _HEADING.match(row)):
                scope_open = False
            st = None if table else _STATUS_LINE.match(c)
            nx = None if table else _NEXT_LINE.match(c)
            if st:
                sec.status_texts.append(st.group(1))
            elif not table and percent_of(c) is not None:
                sec.status_texts.append(c)
            if nx:
                sec.next_texts.append(nx.group(1))
            if c:
                sec.lines.append((0 if st or nx or percent_of(c) is not None else 2, _cut(c, 160)))
        if i == len(rows) - 1:
            sec.cut_off = True
    return sec


def render(title: str, sec: Section) -> str:
    """Title and section, cut to MAX_SECTION_LINES by dropping prose before items or statuses."""
    keep = sec.lines
    for rank in (2, 1):
        if len(keep) < MAX_SECTION_LINES:
            break
        over = len(keep) - (MAX_SECTION_LINES - 1)
        drop = {i for i, (r, _) in reversed(list(enumerate(keep))) if r == rank}
        drop = set(sorted(drop, reverse=True)[:over])
        keep = [x for i, x in enumerate(keep) if i not in drop]
    return "\n".join([title, *(t for _, t in keep[: MAX_SECTION_LINES - 1])])


# -- titles ------------------------------------------------------------------------------------

_TITLE_STATUS = regex.compile(
    r"\s*(?:\(([^()]*)\)|[-–:|]\s*((?:✅|❌|⏳|\[\w+\])?\s*(?:COMPLETE[D]?|DONE|PLANNED|FUTURE|NEXT|IN PROGRESS|BLOCKED"
    r"|NOT STARTED|NOT IMPLEMENTED|IMPLEMENTED|DEFERRED|PENDING|CURRENT|ACTIVE|READY|PARTIAL|WORKING)\b.*)|\s((?:✅|❌|⏳|\[\w+\])\s*\w*.*))\s*$",
    regex.IGNORECASE,
)


def split_title(title: str) -> tuple[str, str]:
    """(the phase name, the status text the title carries) of a cleaned title line."""
    t = rx.sub(r"^\s*(?:#{1,6}\s+|[-*+]\s+\[[ xX]\]\s+)", "", title).strip().rstrip(":").strip()
    status_bits: list[str] = []
    lead = rx.match(r"^((?:\[\w+\]|✅|❌|⏳)\s*)+", t)
    if lead:
        status_bits.append(lead.group(0))
        t = t[lead.end():]
    for _ in range(3):
        m = _TITLE_STATUS.search(t)
        if not m or m.start() == 0:
            break
        bit = next(g for g in m.groups() if g is not None)
        if status_of(bit) is None and not percent_of(bit):
            break  # "(Week 2)", "(50-100 executions)" describe the phase, they are not its status
        status_bits.append(bit)
        t = t[: m.start()]
    t = rx.sub(r"(?i)\s+(?:COMPLETE[D]?|DONE|PLANNED|FUTURE)\s*$", lambda m: status_bits.append(m.group(0)) or "", t)
    t = rx.sub(r"(?i)\s+status\s*$", "", t.strip(" :-*|>"))  # "Phase 3C Status: COMPLETE"
    return t.strip(" :-*|>").strip(), " ".join(status_bits)


# -- drafts ------------------------------------------------------------------------------------

_BASE_QUESTION_REQUIRED = ("phase", "status")
_SECTION_REQUIRED = ("phase", "status", "done_count", "left_count", "percent_complete")


def _prev_nonblank(match: Match) -> tuple[int, str] | None:
    for n, row in reversed([r for r in context_lines(match) if r[0] < match.line]):
        if row.strip():
            return n, row
    return None


def _nearest_heading(match: Match) -> str | None:
    for _, row in reversed([r for r in context_lines(match) if r[0] < match.line]):
        if _HEADING.match(row) or _BOLD_TITLE.match(row):
            c = clean(row).lstrip("#").strip(" :")
            if c:
                return c
    return None


def _nearest_heading_row(match: Match) -> str | None:
    for _, row in reversed([r for r in context_lines(match) if r[0] < match.line]):
        if _HEADING.match(row) or _BOLD_TITLE.match(row):
            return row
    return None


def _is_title_line(row: str) -> bool:
    c = clean(row)
    return bool(_HEADING.match(row) or _BOLD_TITLE.match(row) or (c.endswith(":") and len(c) < 120))


def section_draft(match: Match, title_row: str, sec: Section, phase_title: bool) -> Draft | None:
    name, title_status = split_title(clean(title_row))
    if not name or len(name) < 3 or _HYPOTHETICAL.search(clean(title_row)):
        return None
    checks, bullets = sec.checks, sec.bullets
    stated_texts = [t for t in (title_status, *sec.status_texts) if t]
    stated = next((s for s in map(status_of, stated_texts) if s), None)
    basis = "checklist" if checks else None
    if checks:
        done = [i.text for i in checks if i.done]
        left = [i.text for i in checks if not i.done]
    elif stated in ("complete", "not_started") and 2 <= len(bullets) <= 12:
        # a phase's plain bullets are its scope: all done once it is complete, all left before it starts
        basis = "scope"
        done = [i.text for i in bullets] if stated == "complete" else []
        left = [i.text for i in bullets] if stated == "not_started" else []
    else:
        done, left = [], []
    derived = None
    if basis == "checklist":
        derived = "complete" if not left else "not_started" if not done else "in_progress"
    status = stated or derived
    if status is None:
        return None
    total = len(done) + len(left)
    pct = next((p for p in map(percent_of, [title_status, *sec.status_texts]) if p is not None), None)
    if pct is None and total:
        pct = 100.0 * len(done) / total

    output: dict[str, Any] = {"phase": name, "status": status}
    if done:
        output["done"] = [_cut(t, MAX_ITEM_CHARS) for t in done[:MAX_ITEMS]]
    if left:
        output["left"] = [_cut(t, MAX_ITEM_CHARS) for t in left[:MAX_ITEMS]]
    if total:
        output["done_count"] = len(done)
        output["left_count"] = len(left)
    if pct is not None:
        output["percent_complete"] = _number(pct)
    if status != "complete":
        nxt = left[0] if left else (sec.next_texts[0] if sec.next_texts else None)
        if nxt:
            output["next_step"] = _cut(nxt, MAX_ITEM_CHARS)
    blocker = next((m.group(1) for m in map(_BLOCKER.search, stated_texts) if m), None)
    if blocker and status == "not_started":
        output["blocked_by"] = blocker

    doubts: list[tuple[str, float]] = []
    if stated and derived and stated != derived and stated != "needs_update":
        doubts.append((f"the title says {stated} but the checklist says {derived}", 1.0))
    if any(_DONE_MARK.search(i.text) for i in checks if not i.done) or any(
            _LEFT_MARK.search(i.text) for i in checks if i.done):
        doubts.append(("items carry marks that contradict their boxes (a template?)", 1.0))
    if any(_PLACEHOLDER.search(i.text) for i in checks or bullets):
        doubts.append(("placeholder items: a template, not a real plan", 1.0))
    if sec.cut_off and total:
        doubts.append(("the list may go on past the window", 0.25))
    if not phase_title and not _ROADMAPPY.search(name) and total < 3:
        doubts.append(("a short list under a title that is not a roadmap phase", 0.25))

    if basis == "checklist":
        share = 1.0 if total >= 2 else 0.75
        note = "" if share == 1 else "one item is thin evidence for a status"
        required = _SECTION_REQUIRED
    elif basis == "scope":
        share, note, required = 0.75, "the items are the phase's scope; their state follows the stated status", _SECTION_REQUIRED
    elif pct is not None or sec.next_texts:
        share, note, required = 0.5, "a percentage or next step, no items", _BASE_QUESTION_REQUIRED
    else:
        share, note, required = 0.0, "a stated status with nothing to back it", _BASE_QUESTION_REQUIRED

    return Draft(
        instruction_key="section",
        input={"section": render(clean(title_row), sec)},
        output=output,
        evidence=_evidence(match.text),
        kind="numeric_examples" if total else "decision_trees",
        label=status,
        required=required,
        rationale=share,
        rationale_note=note,
        ambiguity=min(1.0, sum(w for _, w in doubts)),
        ambiguities=[d for d, _ in doubts],
    )


_PLACEHOLDER = regex.compile(r"\[(?:[A-Za-z]+\s+)+[A-Za-z0-9]+\]|\[(?:timeframe|TBD|X|date|name|description)\]", regex.I)
# "Assuming Phase 1 complete", "do NOT declare Phase 1 complete": the text does not report a status
_HYPOTHETICAL = regex.compile(
    r"\b(?:assuming|if|once|when|unless|until|before|do\s+not|don't|not\s+to|never|should|would|will\s+be)\b"
    r"[^.]{0,40}\b(?:complete|completed|done|finished)\b",
    regex.IGNORECASE,
)


def _evidence(raw: str) -> str:
    raw = raw.strip()
    if len(raw) <= MAX_LINE:
        return raw
    cut = raw[:MAX_LINE]
    return cut[: cut.rfind(" ")] if " " in cut[40:] else cut


def _same_phase(a: str, b: str) -> bool:
    return rx.sub(r"\s+", "", a).lower() == rx.sub(r"\s+", "", b).lower()


def _status_clause(text: str) -> str:
    """The clause of `text` that holds its first status word."""
    parts = rx.split(r"\s[-–|]\s|;|\(|\)", text)
    for part in parts:
        if status_of(part):
            return part
    return text


_EXPLAIN = regex.compile(
    r"\(([^()]{4,})\)|\s[-–:]\s+(.{6,})$|\b(?:because|since|due\s+to|blocked\s+by|needs|requires|until|after)\b\s+(.{4,})",
    regex.IGNORECASE,
)


def status_draft(match: Match) -> Draft | None:
    """A one-line report: `**Phase 2 Status**: BLOCKED (needs Phase 1)`, `Phase 1: 37.5% complete`."""
    if match.text.lstrip().startswith("|"):
        return None  # a table row compares columns; which cell is the status is not on the line
    line = clean(match.text)
    if len(line) > MAX_LINE:
        line = _cut(line, MAX_LINE)
    st = _STATUS_LINE.match(line)
    status_text = st.group(1) if st else line
    status = status_of(status_text)
    if status is None or _HYPOTHETICAL.search(line):
        return None
    # the phase a status belongs to sits in the same clause as the status word:
    # "Design Complete - Ready for Phase 1" reports on the design, not on Phase 1
    clause = _status_clause(status_text)
    label = line[: st.start(1)] if st else ""  # "Phase 3C Status:" names the phase it reports on
    phase_m = (_PHASE.search(clause) or _PHASE.search(label)
               or (_PHASE.search(line) if not st and clause == status_text else None))
    heading = _nearest_heading(match)
    blocker = _BLOCKER.search(status_text)
    if phase_m and blocker and _same_phase(phase_m.group(0), blocker.group(1)):
        # "Phase 2 work (do AFTER Phase 1 complete)": the phase waited for is not the one reported on
        phase_m = next((m for m in _PHASE.finditer(line) if not _same_phase(m.group(0), blocker.group(1))), None)
        if phase_m is None:
            return None
    if phase_m:
        phase = phase_m.group(0)
    elif heading and (_PHASE.search(heading) or rx.search(r"(?i)\broadmap\b", heading)):
        phase = rx.sub(r"(?i)^phase\s*:\s*", "", split_title(heading)[0] or heading)
    elif m := rx.search(r"(?i)\broadmap\b.*\bmark(?:ed|s)?\s+(.{3,60}?)\s+(?:as\s+)?(?:complete|done)", line):
        phase = m.group(1)  # "Updated ROADMAP.md to mark Sprint 6 complete"
    else:
        return None  # a status of something that is not a phase, sprint or roadmap item
    pct = percent_of(line)
    phases = {p.lower().replace(" ", "") for p in _PHASE.findall(line)}

    output: dict[str, Any] = {"phase": _cut(phase, MAX_ITEM_CHARS), "status": status}
    if pct is not None:
        output["percent_complete"] = _number(pct)
    counts = rx.search(r"\((\d+)\s*/\s*(\d+)\b", line)
    if counts and int(counts.group(2)) >= int(counts.group(1)):
        output["done_count"] = int(counts.group(1))
        output["left_count"] = int(counts.group(2)) - int(counts.group(1))
    if blocker and status == "not_started":
        output["blocked_by"] = blocker.group(1)
    explain = _EXPLAIN.search(status_text)
    reason = None
    if explain:
        reason = next(g for g in explain.groups() if g).strip(" *.")
        rest = _PHASE.sub(" ", reason)
        for pat, _ in _STRONG:
            rest = pat.sub(" ", rest)
        if len(rx.findall(r"[A-Za-z]{2,}", rest)) < 2:
            reason = None  # "(COMPLETE)", "PHASE 1 COMPLETE" repeat the status, they do not explain it
    if reason:
        output["rationale"] = _cut(reason, 160)

    doubts: list[tuple[str, float]] = []
    if len(phases) > 1:
        doubts.append(("the line reports on more than one phase", 0.25))
    if not phase_m and heading:
        doubts.append(("the phase is named by the heading above, not the line", 0.0))
    if "done_count" in output or blocker:
        share, note = 1.0, ""
    elif reason:
        share, note = 0.75, "a short explanation, no items"
    elif pct is not None:
        share, note = 0.5, "a percentage, no explanation"
    else:
        share, note = 0.0, "a stated status with nothing to back it"
    input_: dict[str, Any] = {"statement": line}
    if heading and heading != line:
        input_["context"] = _cut(heading, 160)
    return Draft(
        instruction_key="status",
        input=input_,
        output=output,
        evidence=_evidence(match.text),
        kind="decision_trees",
        label=status,
        required=_BASE_QUESTION_REQUIRED,
        rationale=share,
        rationale_note=note,
        ambiguity=min(1.0, sum(w for _, w in doubts)),
        ambiguities=[d for d, w in doubts if w > 0],
    )


_PHASE_TITLE = regex.compile(
    r"^(?: {0,3}#{1,6}\s+(?:\S+\s+){0,3}|\s*\*\*\s*|\s*[-*]\s+\[[ xX]\]\s+\**)(?:Current\s+)?Phase\s*\d+(?:\.\d+)?[A-Z]?\b",
    regex.IGNORECASE,
)


def extract(match: Match, pack: DomainPack) -> list[Draft]:
    raw = match.text
    after = match.context_after
    if _PHASE_TITLE.match(raw):
        it = _ITEM.match(raw)
        if it:  # "- [x] **Phase 1:** Basic structure" owns the items indented under it
            indent = len(it.group(1).expandtabs(4))
            sec = gather(after, 7, indent)
            draft = section_draft(match, raw, sec, phase_title=True)
            if draft and not sec.items:
                return []  # a checked phase with no tasks under it: the parent list covers it
            return [draft] if draft else []
        h = _HEADING.match(raw)
        sec = gather(after, len(h.group(1)) if h else 7)
        draft = section_draft(match, raw, sec, phase_title=True)
        return [draft] if draft else []
    if _ITEM.match(raw) or _MARK_ITEM.match(clean_keep_indent(raw)):
        prev = _prev_nonblank(match)
        if prev is None or _item(prev[1]) is not None or _PHASE_TITLE.match(prev[1]):
            return []  # not the first item, or its phase title gives the example
        if not _is_title_line(prev[1]):
            return []  # a list under prose has no name to report on
        if not (_HEADING.match(prev[1]) or _BOLD_TITLE.match(prev[1])) and _PHASE_TITLE.match(
                _nearest_heading_row(match) or ""):
            return []  # "Objective: ..." under "## Phase 4": the phase heading gives the example
        if _PHASE_TITLE.match(raw):
            return []
        sec = gather([raw, *after], 7 if not _HEADING.match(prev[1]) else len(_HEADING.match(prev[1]).group(1)),
                     stop_at_text=True)
        draft = section_draft(match, prev[1], sec, phase_title=False)
        return [draft] if draft else []
    draft = status_draft(match)
    return [draft] if draft else []


EXTRACTOR = Extractor(extract=extract)
