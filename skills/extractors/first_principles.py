"""first_principles: a problem and its evidence -> the chain of reasoning -> the decision or fix, read
from the passages of a document that apply Occam's Razor, first-principles reasoning or root-cause
analysis.

The text gives these passages in five forms, all read from the document's structure:
- a passage of labelled blocks: headings ("### Root Cause Analysis", "## Occam's Razor Solution")
  and labels ("**Problem**:", "- **Root Cause**: ...", "Fix: ...") inside one entry (a ModLog
  entry, an "Issue 2" section, a bold-titled change, a violation record);
- a row of an `Issue | Root Cause | Fix` table;
- a `[QWEN-FIRST-PRINCIPLES]` question in a log, answered by the QWEN records after it;
- a choice or design given with its reasons and no problem (the `justify` task): one line ("Subprocess
  remains DEFAULT per first-principles (Selenium blocking cannot be interrupted, only SIGKILL guarantees
  recovery)"), a choice heading a list of reasons ("- Option A (Occam's simplest)"), a design and its
  "First Principles Derivation".

A passage is read as a sequence of segments, each a heading or label with its content, each with a
role: problem, evidence, context, cause, reasoning, options, decision, result or metadata. The item's
anchor is the block that names the principle (the root-cause label, the first-principles analysis,
the Occam's Razor block); its label is that principle, or occams_razor where the passage compares
options and an Occam block picks one. The problem is the nearest problem statement before the anchor
in the same entry (else the entry's context or topic); the decision is the first decision block
after it (else before it, else what the reasoning concludes); where the entry applies one of several
fixes, the applied one, or the one naming the code element the root cause names. A decision is an
action quoted from the text: never metadata (Status, Date, WSP, Files), a question, a bare title or
code alone. Every field is text of the passage and nothing depends on line numbers, so a passage
pasted twice gives the same examples.

Task kinds (`drafts`): `reason` (problem + evidence -> chain + decision + rejected alternatives),
`fix` (problem + stated root cause -> the fix), `choose` (problem + options -> the simplest option
and the ones it rules out).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import islice

import regex

from training_data_miner.skills.extractors import Draft, Extractor, rx
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import DomainPack
from training_data_miner.skills.structure import Document, parse_document

# -- principles ---------------------------------------------------------------------------------

_PRINCIPLE = regex.compile(
    r"(?i)(?<![\w-])(?:(?P<root_cause>root[- _]?causes?)|(?P<first_principles>first[- ]principles?|1st\s+principles?)"
    r"|(?P<occams_razor>occ[au]m|simplest\s+(?:fix|solution|path|approach|explanation|option|way|durable)))")


def principle_of(text: str) -> str | None:
    """The principle a text names first: root_cause, first_principles or occams_razor."""
    m = _PRINCIPLE.search(text)
    return m.lastgroup if m else None


# -- cleaning -----------------------------------------------------------------------------------

_ESCAPE = regex.compile(r"\[U\+[0-9A-Fa-f]{4,6}\][\uFE0F\u200D]?")
_EMOJI = regex.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\uFE0F\u200D]")
_LINK = regex.compile(r"\[([^\]\n]{1,200})\]\([^)\s]{1,300}\)")
_LEAD = regex.compile(r"^(?:\s*(?:[-*+>\u2022]|\d{1,3}[.)])\s+|\s*\[[ xX]\]\s*|\s*(?:\[[A-Z][A-Z0-9_ +-]{0,15}\]\s*)+)+")
_SPACE = regex.compile(r"\s+")
_QUOTE = regex.compile(r"^\s*(?:>\s+)+|^\s*>$")  # a quoted line's marks, not the ">" of ">= 0.8"
# an emoji the source spelled as its name ("[ROCKET]", "[OK]") anywhere in a line; a comparison it spelled
# out ("[GREATER_EQUAL]0.9") is the sign
_NAMED = regex.compile(r"\[(?:[A-Z]{2,12}|GREATER_EQUAL|LESS_EQUAL)\]")
_OPEN_QUOTE = regex.compile(r'(^|[\s(])"\s+(?=[^"\s][^"]*")')
_OPEN_TICK = regex.compile(r"(^|[\s(])`\s+(?=[^`\s][^`]*`)")
_SIGNS = {"[GREATER_EQUAL]": "\u2265", "[LESS_EQUAL]": "\u2264"}
MAX_TEXT = 400


@lru_cache(maxsize=16384)
def clean(text: str, limit: int = MAX_TEXT) -> str:
    """Text without markup: links as their text, no bold marks, emoji or `[U+...]` escapes, no
    leading list markers, check boxes or status tags; cut at a word (marked "...") when too long."""
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    if not text.isascii() or "[U+" in text:
        if "竊・" in text or "ↁE" in text:  # "→" decoded as cp932 (a paste artefact of the source)
            text = text.replace("竊・", " → ").replace("ↁE", "→ ")
        text = _EMOJI.sub(" ", _ESCAPE.sub(" ", text))
    text = text.replace("**", "")  # not "__": it is a name's ("__init__"), not bold, in these texts
    text = _LEAD.sub("", _QUOTE.sub("", text) if text.lstrip().startswith(">") else text)
    if "[" in text:
        text = _NAMED.sub(lambda m: _SIGNS.get(m[0], " "), text)
        if "`" in text:  # "`[FAIL] Invalid grant`" without its tag: "`Invalid grant`", not "` Invalid grant`"
            text = _OPEN_TICK.sub(r"\1`", text)
    text = _SPACE.sub(" ", text).strip(" \t-:|")
    if '" ' in text:  # a quote that opened with an emoji: "\" ROTATION DECISION LOGGED\"" -> "\"ROTATION ..."
        text = _OPEN_QUOTE.sub(r'\1"', text)
    if "( " in text:  # what an emoji left behind: "( for DAO consciousness)", "( )"
        text = text.replace(" ( )", "").replace("( ", "(")
    if len(text) > limit:
        cut = text[:limit]
        end = max(cut.rfind(". "), cut.rfind("; "))
        text = cut[: end + 1] if end > limit // 2 else cut.rsplit(" ", 1)[0] + " ..."
    return text


_STATUS_CELL = regex.compile(r"^\s*\[(FAIL|FAILED|OK|PASS|PASSED|SUCCESS|ERROR|WARN|WARNING|EXACT|PARTIAL)\]\s*$")


def _status_word(cell: str) -> str:
    """A table cell that is only a status tag ("[FAIL]" in a Match column) is that word: the cell's content,
    not an emoji's name."""
    m = _STATUS_CELL.match(cell)
    return m[1] if m else cell


def _words(text: str) -> int:
    return len(rx.findall(r"[A-Za-z]{2,}", text))


def _upto(parts: list[str], n: int, sep: str = "; ") -> str:
    """Parts joined, the first n of them with a count of the rest: a list is given whole or counted, never cut
    silently."""
    return sep.join(parts[:n]) + (f" (and {len(parts) - n} more)" if len(parts) > n else "")


# -- labels and their roles ---------------------------------------------------------------------

# "**Key**: value", "**Key:** value", "**Key** (detail): value", "**Key** - value", "Key: value", "Key:"
_BOLD_LABEL = regex.compile(
    r"^\*\*(?P<k>[^*\n]{1,80}?)\s*(?::\*\*\s*|\*\*\s*(?:\((?P<p>[^)\n]{0,80})\)\s*)?(?::|\s[-\u2013\u2014](?=\s)))\s*(?P<v>.*)$")
_PLAIN_LABEL = regex.compile(r"^(?P<k>[A-Za-z0-9\u00C0-\u024F][^:*\n`]{0,60}?)\s*:(?:\s+(?P<v>\S.*))?$")
_NUMBERING = regex.compile(r"^(?:\d+(?:\.\d+)*[.)]\s+|[A-Z][.)]\s+|#\d+\s+)")

_ROLES: tuple[tuple[str, regex.Pattern[str]], ...] = tuple((role, regex.compile(pattern, regex.I)) for role, pattern in (
    ("meta", r"^wsp[\s_-]?\d+\b|^(?:(?:implementation\s+|current\s+)?status|date|wsp(?:\s+(?:protocol|references?|compliance|status|protocols?))?\s*(?:\d+)?|"
             r"files?(?:\s+(?:modified|changed|created|updated|touched|affected|enhanced))?|file|token\s*\w*|agent|by|"
             r"type|violation\s+type|severity|priority|module|cross[- ]reference|detection\s+method|mps(?:\s+score)?|"
             r"architect|session|code|testing|tests?|references?|commands?|output|output\s+example|example|"
             r"key\s+changes|integration\s+points|location|architecture|implementation|pattern\s+applied|"
             r"performance|resolution\s+date|wsp\s+protocol\s+references)$"),
    ("decision", r"^(?:the\s+|best\s+practice\s+|final\s+|proposed\s+|recommended\s+|immediate\s+|critical\s+|key\s+)?"
                 r"(?:solutions?|fix(?:es)?|decision|resolution|correction(?:\s+plan)?|corrective|corrected|correct\s+approach|"
                 r"recommendations?|recommended\s+(?:actions?|workflow)|actions?\s+taken|next\s+steps|winner|"
                 r"simple\s+solution|answer|application|prevention|proper\s+location|actual\s+implementation|"
                 r"changes?(?:\s+made)?|lessons?(?:\s+learned)?|learning|key\s+learning|"
                 r"pattern\s+stored|insight|approach\s+applied|after|(?:\w+\s+)?improvements)\b"),
    ("cause", r"^(?:causes?|why\s+(?:this|it|these|they)\b.*\b(?:happens?|happened|exists?|occurs?)|what\s+this\s+proves|"
              r"observed\s+behaviou?r|the\s+paradox|diagnosis)\b"),
    ("problem", r"^(?:the\s+)?(?:problems?|issues?|bug|symptoms?|errors?(?=$|\s+(?:pattern|message|log|detected))|question|violation(?:\s+description)?|"
                r"the\s+violation|challenge|core\s+issue|critical\s+flaw|description|what\s+was\s+the\s+problem|"
                r"what'?s\s+broken|initial\s+thought|gap)\b|^pattern$"),
    ("options", r"^(?:options?|alternatives?|alternative\s+solution|path\s+(?:\d+|[a-z])\b|approach\s+[a-z0-9]\b|"
                r"original\s+plan|initial\s+(?:design|plan|approach)|anti-?pattern|complex\s+solution|before\b|"
                r"arguments\s+(?:for|against))\b"),
    ("reasoning", r"\brationale\b|^(?:reason(?:ing)?|analysis|insights?|key\s+insights?|why\b.+|observation|principles?|"
                  r"complexity\s+cost|performance\s+impact|trade-?offs?|hard\s+think|deep\s+think|"
                  r"(?:what|who|when|how|does|is|can|why)\b.*\?)"),
    ("context", r"^(?:summary|context|background|why|situation|what\s+happened|executive\s+summary|"
                r"impact\s+analysis|discovery|user\s+(?:directive|question|request|report|vision)|"
                r"012'?s?\s+(?:correction|request|directive|question))\b"),
    ("evidence", r"^(?:impact|evidence|findings?|found|searched\s+for|observed|violations?(?:\s+details)?|"
                 r"wsp\s+violations|error\s+log|logs?|current\s+state|existing\s+\w+\s+found)\b"),
    ("result", r"^(?:results?|outcome|benefits?(?:\s+achieved)?|verification|validation|success|"
               r"recursive\s+improvement\s+results)\b"),
))
# decisions of the last resort: what to do next, a lesson (only when told as a rule), an answer
_ROLE_RX = dict(_ROLES)
_STATUS_WORD = regex.compile(r"^(?:COMPLETED?|RESOLVED|DONE|FIXED|APPLIED)\s*[-:]\s*")
_DECISION_LOW = regex.compile(r"(?i)^(?:lessons?|learning|key\s+learning|pattern\s+stored|prevention|insight|"
                              r"application|next\s+steps|immediate\s+actions?|answer|after|changes?\b(?!\s+made))")
_LESSON_ANY = regex.compile(r"(?i)^(?:critical\s+|key\s+)?(?:lessons?(?:\s+learned)?|learning)$")
_LESSON = regex.compile(r"(?i)^(?:lessons?|learning|key\s+learning|pattern\s+stored)")
_OPENERS = regex.compile(r"(?i)^(?:the\s+)?(?:problems?|issues?|bug|symptoms?|errors?|error\s+pattern|question|"
                         r"violation(?:\s+description)?|core\s+issue|critical\s+flaw)(?:\s*\d+)?$")
_REJECTED = regex.compile(r"(?i)anti|initial|original|complex|before")
_CHOSEN = regex.compile(r"(?i)occ[au]m|simplest|recommended|chosen|\bwins?\b|\(default\)")


@lru_cache(maxsize=8192)
def norm_label(label: str) -> str:
    """A label as its role is read: no markup, escapes, numbering or [TAG]s."""
    t = clean(label, 200)
    t = _NUMBERING.sub("", t).strip(" :.-")
    return t


# what is said for a decision once it is made: its benefits, why it works or matters
_AFTERWARDS = regex.compile(r"(?i)^(?:why\s+(?:this|it|these|that)\s+(?:works?|matters?|helps?|wins?|is\s+(?:better|optimal|best))|"
                            r"benefits?|future-?proof|advantages?|what\s+this\s+enables)\b")
_DECISION_WORD = regex.compile(r"(?i)\b(?:solutions?|fix|fixes|decision|choice|answer|resolution)\b")


@lru_cache(maxsize=8192)
def role_of(label: str, heading: bool = False) -> str | None:
    """The role a heading or label plays in a passage, or None when its words do not say. A label
    says it with its first words ("Solution:", "Root Cause:"); a heading or a label that names a
    principle may say it anywhere ("Occam's Razor Solution", "Best Practice Solution")."""
    low = norm_label(label).lower()
    if not low:
        return None
    if _AFTERWARDS.match(low):
        return "result"  # "Why This Works", "Why This Matters (First Principles)": argued after the decision
    if principle_of(low):
        if rx.match(r"(?:options?|alternatives?|path|approach)\b", low):
            return "options"  # "Option B (Occam's Razor alternative)"
        if rx.search(r"\bquestion\b", low) or low.rstrip(")").endswith("?"):
            return "problem"  # "Question: What's the SIMPLEST fix to ...?"
        if _DECISION_WORD.search(low) or rx.search(r"\b(?:result|conclusion|verdict)\b|^after\b", low) or rx.search(
                r"\b(?:refactor\w*|redesign|rewrite|split|migration|consolidation|simplification)\b", _PRINCIPLE.sub(" ", low)) and not rx.search(r"\bwhy\b", low):
            return "decision"  # "First Principles Analysis Result", "After (Occam's Razor)", "Architecture Refactoring (First Principles)"
        if rx.match(r"before\b", low):
            return "options"
        return "cause" if principle_of(low) == "root_cause" else "reasoning"
    if rx.search(r"\b(?:needed|required|pending|todo|to\s+do)$", low):
        return None  # "Decision needed:", "Resolution Needed:": not decided yet
    for role, pattern in _ROLES:
        if pattern.search(low):
            return role
    if heading and low.endswith("?"):
        return "problem"  # "### Should Daemon Mode Exist?"
    if heading:
        bare = rx.sub(r"\([^)]*\)", " ", low)
        if _DECISION_WORD.search(bare) and _words(bare) <= 5 and not rx.search(r"\d{4}-\d\d|\bbug\b|\bsession\b", bare):
            return "decision"  # "Best Practice Solution", "HoloIndex Configuration Fix (x.py)"; not "Session: ... Fixes"
        if rx.search(r"\b(?:added|implemented|introduced|applied|taken)$", bare.strip()) or rx.search(
                r"\((?:refined|improved|revised|corrected|fixed)\b", low):
            return "decision"  # "### System Integration Protocols Added", "#### Iteration 2 Results (Refined Algorithm)"
    return None


@lru_cache(maxsize=16384)
def parse_label(body: str) -> tuple[str, str] | None:
    """(label, value) of a "**Label**: value"-style text (value may be ""), or None."""
    s = body.strip()
    if s.startswith("**") and s.endswith("**") and s.count("**") == 2 and ":" in s:
        s = s[2:-2]  # "**ANSWER: NO heartbeat system exists**"
    if s.startswith("**"):
        m = _BOLD_LABEL.match(s)
        if not m:
            return None
        key = m["k"].strip()
        if m["p"] and principle_of(m["p"]):  # "**Root Cause** (via first principles analysis):"
            key = f"{key} ({m['p']})"
        return key, m["v"].strip()
    m = _PLAIN_LABEL.match(s)
    if not m or _words(m["k"]) > 6 or rx.search(r"[.!?]\s", m["k"]) or m["k"].count("(") != m["k"].count(")"):
        return None
    return m["k"].strip(), (m["v"] or "").strip()


# -- the passage as segments --------------------------------------------------------------------


@dataclass
class Unit:
    """One piece of a segment's content: a list item, a line of prose, a table row or a code block."""

    line: int
    text: str
    kind: str  # item, text, row, code
    depth: int = 0
    cells: dict[str, str] | None = None
    lead: bool = False  # it ends with a colon: it introduces what follows ("..., breaking:")
    lang: str = ""  # a code block's language
    unfinished: bool = False  # a list item marked in progress, pending or open ("🔄 Investigating ...", "[ ] ...")


@dataclass
class Segment:
    line: int
    label: str
    value: str
    role: str | None
    principle: str | None
    level: int  # heading level (1-7), 0 for a label line, 9 for the lead-in before the first label
    end: int = 0
    units: list[Unit] = field(default_factory=list)
    lead: bool = False  # its value ends with a colon: "**Core Issue**: 80% of the file ... that mixes:"

    def text(self, limit: int = 3) -> str:
        """What the segment says: its value, else its first prose units."""
        if self.value and not self.lead:
            return self.value
        parts = [u.text for u in self.units if u.kind != "code" and u.text]
        return _upto([p for p in ([self.value] if self.value else []) + parts if p], limit)


_QA = regex.compile(r"(?i)^(?:q|a|question|answer)\b")


def _step_of(seg: Segment, label: str, role: str) -> bool:
    """Whether a label is a step of the analysis `seg` opens ("**First Principles Analysis**:" then
    "- **Occam's Razor**: ...", "- Question: ...", "- Answer: ..."), not a segment of its own."""
    return (seg.role in ("reasoning", "cause") and seg.level != 0 and not seg.value
            and (role in ("reasoning", "cause") or bool(_QA.match(norm_label(label)))
                 or (seg.role == "cause" and role == "problem")))  # "**Root Cause**:" then "- Issue: ..."


def _content_of(seg: Segment, role: str) -> bool:
    """Whether a labelled item is the content of the bare label just before it ("**Violations**:"
    then "- **WSP 85**: Root directory pollution"), not a segment of its own."""
    if seg.role == "options" and seg.level in (0, 7):  # "**Option 1**: X" then "- **Complexity**: LOW"
        return role in ("meta", "evidence", "result")
    # "**Violations**:" then "- WSP 85: ...", "- **WSP 3**: ...": the list goes on while it is a list
    listed = not seg.units or seg.units[-1].kind == "item"
    return seg.level in (0, 7) and seg.role is not None and not seg.value and listed and role in ("meta", "evidence", "result")


def _heading_segment(h, n: int) -> Segment:
    """A heading as a segment: "Solution Implemented: Correct Qwen->0102 Architecture" is a decision
    whose value is what follows the colon; "Issue 1: LM Studio NOT Auto-Launching" a problem."""
    title = h.title
    lab = parse_label(h.raw) if h.style == "bold" else None
    value = lab[1] if lab else ""
    role = role_of(title, heading=True)
    if lab and value:  # "**Step 1: Determine Proper Location**": the label, then its value
        title = norm_label(lab[0])
        role = role_of(title, heading=True) or role
    if not value and ": " in title:
        key, _, rest = title.partition(": ")
        r = role_of(key, heading=True)
        if (r == "decision" and not principle_of(rest) or r == "problem") and _words(rest) >= 2:
            # "Issue 4: OAuth Token Refresh (Documented, Not Automated)": the parenthesis tells the outcome
            role, value = r, (rx.sub(r"\s*\([^()]*\)\s*$", "", rest) if r == "problem" else rest)
    if not value and role == "problem" and title.rstrip(")").endswith("?") and not _ROLE_RX["problem"].search(
            norm_label(title).lower()):
        value = title  # "### Should Daemon Mode Exist?" (not "### What Was the Problem?", which heads it)
    return Segment(n, title, clean(value), role, principle_of(title), h.level)


_STARTS: dict[int, tuple[object, list[int], list[int]]] = {}


def _starts(doc: Document) -> tuple[list[int], list[int]]:
    """The document's section and fence start lines (in order), computed once per document: a scope
    finds its headings and fences by bisection, not by a pass over the whole document."""
    got = _STARTS.get(id(doc))
    if got is None or got[0] is not doc:
        if len(_STARTS) > 8:
            _STARTS.clear()
        got = _STARTS[id(doc)] = (doc, [s.start for s in doc.sections], [f.start for f in doc.fences])
    return got[1], got[2]


def segments(doc: Document, first: int, last: int) -> list[Segment]:
    """The labelled segments of lines first..last, in order. A heading always opens a segment; a
    label opens one when its role is known and it is not nested under an item that opened one; an
    item back at or above the depth of the item that opened a segment closes it."""
    starts, fstarts = _starts(doc)
    heads = {s.start: s for s in doc.sections[bisect_left(starts, first): bisect_right(starts, last)] if s.heading}
    fences = {f.start: f for f in doc.fences[bisect_left(fstarts, first): bisect_right(fstarts, last)]}
    segs = [Segment(first, "", "", None, None, 9)]
    opened: dict[int, int] = {}  # list item -> the depth it opened a segment at
    seg_depth = -1  # depth of the item that opened the current segment (-1: a heading or a line)
    n = first
    while n <= last:
        text = doc.text(n)
        if n in fences:
            f = fences[n]
            # only the lines kept are cleaned: a fence can hold hundreds
            body = [clean(t, 300) for t in islice((t for t in f.body if t.strip()), 12)]
            if body:
                segs[-1].units.append(Unit(n, "\n".join(body[:12]), "code", lang=f.lang))
            n = f.end + 1
            continue
        sec = heads.get(n)
        if sec is not None:
            segs.append(_heading_segment(sec.heading, n))
            seg_depth = -1
            n += 2 if sec.heading.style == "setext" else 1
            continue
        if not text.strip():
            n += 1
            continue
        blk = doc.block_at(n)
        kind = blk[0] if blk else None
        if kind == "table":
            t = blk[1]
            for row in t.rows:
                if first <= row.line <= last:
                    cells = [clean(_status_word(c), 200) for c in row.cells]
                    segs[-1].units.append(Unit(row.line, ": ".join(c for c in cells if c), "row",
                                               cells=dict(zip([clean(h, 80) for h in t.header], cells))))
            n = t.end + 1
            continue
        if kind == "item":
            it = blk[1]
            if it.line != n:  # a continuation line: part of its item's text
                if segs[-1].units and segs[-1].units[-1].line == it.line:
                    segs[-1].units[-1].text = clean(segs[-1].units[-1].text + " " + text)
                n += 1
                continue
            depth, p = 0, it.parent
            nested = False
            while p is not None:
                depth += 1
                nested = nested or p in opened
                p = doc.items[p].parent
            lab = parse_label(it.text)
            role = role_of(lab[0]) if lab else None
            if lab and role and not nested and not _step_of(segs[-1], lab[0], role) and not _content_of(segs[-1], role):
                segs.append(Segment(n, norm_label(lab[0]), clean(lab[1]), role, principle_of(norm_label(lab[0])), 0,
                                    lead=lab[1].rstrip("* ").endswith(":")))
                opened[it.index] = depth
                seg_depth = depth
            else:
                if 0 <= depth <= seg_depth:  # a sibling of the item that opened the segment: not its content
                    segs.append(Segment(n, "", "", None, None, 0))
                    seg_depth = -1
                body = f"{norm_label(lab[0])}: {clean(lab[1])}" if lab and lab[1] else clean(it.text)
                if body:
                    segs[-1].units.append(Unit(n, body, "item", depth, lead=it.text.rstrip("* ").endswith(":"),
                                               unfinished=it.check in _UNFINISHED))
            n += 1
            continue
        if kind == "record":
            r = blk[1]
            segs[-1].units.append(Unit(n, clean(r.message), "text"))
            n = r.end + 1
            continue
        lab = parse_label(text)
        role = role_of(lab[0]) if lab else None
        if lab and role and not _step_of(segs[-1], lab[0], role):
            segs.append(Segment(n, norm_label(lab[0]), clean(lab[1]), role, principle_of(norm_label(lab[0])), 0,
                                lead=lab[1].rstrip("* ").endswith(":")))
            seg_depth = -1
        elif lab and lab[1]:
            segs[-1].units.append(Unit(n, f"{norm_label(lab[0])}: {clean(lab[1])}", "text"))
        else:
            body = clean(text)
            if body:
                segs[-1].units.append(Unit(n, body, "text", lead=text.rstrip("* ").endswith(":")))
        n += 1
    segs = [s for s in segs if s.label or s.units or 1 <= s.level <= 7]
    for s in segs:
        # a lesson told as a story ("**CRITICAL LESSON LEARNED**: During X, emojis were removed ...") is context
        if _LESSON_ANY.match(s.label) and not _ACTIONISH.match(s.value or next((u.text for u in s.units), "")):
            s.role = "context"
    for i, s in enumerate(segs):
        s.end = segs[i + 1].line - 1 if i + 1 < len(segs) else last
    return segs


# -- reading one passage ------------------------------------------------------------------------

MAX_TOPIC_LINES = 80  # a heading naming a principle over more lines than this is a title, not a passage
MAX_SCOPE = 220  # lines: a larger enclosing section is read as the few sections around the anchor
MAX_STEPS = 12
_PART_ROLES = {"problem", "evidence", "context", "cause", "reasoning", "options", "decision", "result", "meta"}
# a heading that names a topic, not a part: "Issue 1: LM Studio NOT Auto-Launching" -> the topic
_TOPIC_PREFIX = regex.compile(r"(?i)^(?:(?:issue|problem|gap|bug|violation|fix|v|step|phase|part|sprint)\s*[\w.]{0,6}\s*[:.)-]\s*|"
                              r"\d+(?:\.\d+)*[.)]?\s+|\[[^\]]{1,30}\]\s*)+")
_GENERIC_TOPIC = regex.compile(r"(?i)^(?:what changed|changes?(?: made)?|overview|summary|details|notes|implementation"
                               r"(?: summary| details)?|key (?:findings|insights|learnings|patterns learned)|lessons learned|"
                               r"conclusion|system-wide changes|what's working|approach|background)\b")
_FIXED = regex.compile(r"(?i)^(?:identified\s+and\s+)?(?:fixed|resolved|corrected|addressed)\s+(?P<rest>.+)$")
_WHERE = regex.compile(r"(?i)^[^.]{0,80}?\b(?:where|when|in which|that caused|causing)\s+(?P<p>.+)$")
_CAUSED_BY = regex.compile(r"(?i)^(?P<p>.{8,200}?)\s+(?:caused|triggered)\s+by\s*:?\s*(?P<c>.*)$")
_META_TEXT = regex.compile(r"(?i)^(?:status|date|wsp(?:\s+\w+)?|files?(?: modified| changed)?|token cost|by|agent|type)\s*:")
_ERROR_LINE = regex.compile(r"(?i)\b(?:error|exception|failed|failure|traceback|fatal|invalid|cannot|can't|not running|"
                            r"detected|warning)\b")
_COMMENT = regex.compile(r"^\s*(?:#|//)\s*(?P<c>.+?)\s*$")
_ACTIONISH = regex.compile(r"(?i)^(?:always|never|must|do not|don'?t|use|add|added|apply|applied|remove|removed|move|moved|"
                           r"create|created|delete|deleted|replace|replaced|split|merge|return|run|restart|kill|ask|"
                           r"implement|implemented|enhance|enhanced|integrate|integrated|change|changed|set|sets|keep|"
                           r"defer|accept|extract|document|import|reduce|reduced|refactor|refactored|unify|fix|fixed|"
                           r"made|make|switch|only|skip|check|separate|separated)\b")


@dataclass
class Item:
    anchor: int  # the line the example is read at (the block naming the principle)
    label: str
    problem: str
    explicit: bool  # the problem is stated as one, not taken from a heading or the context
    evidence: list[str]
    steps: list[str]
    decision: str
    cause: str  # the root cause as stated, for the `fix` task
    options: list[str]
    chosen: str
    rejected: list[str]
    span: tuple[int, int]
    evidence_text: str  # a verbatim substring of the anchor line
    dspan: tuple[int, int] = (0, -1)  # the lines of the decision block
    lesson: str = ""  # the rule the entry draws from the decision, when it states one
    learned: bool = False  # the decision is the entry's "**Learning**:" rule: no fix it says was applied
    row: bool = False  # a row of an Issue | Root Cause | Fix table
    approach: bool = False  # the problem is an approach the passage reasons against ("Anti-Pattern: ...")
    free: tuple[int, int] = (0, -1)  # a later block in the span that is an item of its own
    passage: str = ""  # the span's prose, cleaned (`analyse` task); empty when too long to give whole
    justified: bool = False  # a choice or design given with its reasons, no problem stated (`justify` task)
    doc: Document | None = None  # the document it was read from, for its passage (read when a task asks for it)


def _topic(title: str) -> str:
    """What a heading names as its topic ("Issue 1: LM Studio NOT Auto-Launching" -> "LM Studio NOT
    Auto-Launching"), or "" for a generic or part heading."""
    t = clean(title, 200)
    t = rx.sub(r"\s*\[\d{4}-\d\d-\d\d\]\s*$|\s*\((?:DEFERRED|COMPLETE[^)]*|CRITICAL[^)]*)\)\s*$", "", t)
    t = _TOPIC_PREFIX.sub("", t).strip(" :.-")
    if _words(t) < 3 or _GENERIC_TOPIC.match(t) or role_of(t) in ("decision", "cause", "reasoning", "result") or (
            role_of(t) == "meta" and not rx.match(r"(?i)wsp", t)):
        return ""
    return t


def scope_of(doc: Document, line: int) -> tuple[int, int, int]:
    """(first, last, level) of the entry a passage at `line` belongs to: its section (a bold label
    is a part of the section it sits in), or, for a heading that is a part of an entry ("### Root
    Cause"), the entry around it; `level` is the entry heading's level (the passage stops at a topic
    heading of that level or above)."""
    s = doc.section_at(line)
    while s.heading is not None and s.heading.style == "bold" and s.parent is not None:
        s = doc.sections[s.parent]
    part = s.heading is not None and (s.start == line or role_of(s.title) in _PART_ROLES or principle_of(s.title))
    if part and s.parent is not None:
        p = doc.sections[s.parent]
        if p.heading is not None and p.end - p.start <= MAX_SCOPE and not (p.level == 1 and p.index == 1 and p.end - p.start > 120):
            return p.start, p.end, p.level
        # a part of a long document: the sections around it, the part's own level bounding the passage
        sib = p.children
        k = sib.index(s.index)
        lo, hi = doc.sections[sib[max(0, k - 2)]], doc.sections[sib[min(len(sib) - 1, k + 3)]]
        return lo.start, min(hi.end, lo.start + 2 * MAX_SCOPE), s.level
    if s.heading is None:
        return max(doc.start, line - 40), min(doc.end, line + 60), 0
    if s.end - s.start > MAX_SCOPE:
        return max(s.start, line - 60), min(s.end, line + 80), s.level
    return s.start, s.end, s.level


def _changes_text(seg: Segment) -> str:
    """What a "Files"/"Changes" table says was changed (its change column)."""
    rows = [u for u in seg.units if u.kind == "row" and u.cells]
    if not rows:
        return ""
    keys = list(rows[0].cells)
    col = next((k for k in keys if rx.match(r"(?i)^(?:changes?|fix|solution|action|what)$", k)), None)
    old = next((k for k in keys if rx.match(r"(?i)^(?:old|before|from|previous)\b", k)), None)
    new = next((k for k in keys if rx.match(r"(?i)^(?:new|after|to|now)\b", k)), None)
    if col is None and old and new and keys[0] not in (old, new):
        # "| Criterion | Old Value | New Value |": each row, "criterion: old → new"
        said = [f"{r.cells[keys[0]]}: {r.cells[old]} \u2192 {r.cells[new]}" for r in rows
                if r.cells.get(keys[0]) and r.cells.get(old) and r.cells.get(new)]
    elif col is not None:
        # the rows that change code, not the ModLog/README rows that record the change
        said = [r.cells[col] for r in rows if r.cells.get(col) and not any(
            rx.search(r"(?i)\b(?:modlog|testmodlog|readme|interface|roadmap)\.md\b", v) for k, v in r.cells.items() if k != col)]
    else:
        return ""
    return "; ".join(t.rstrip(".") for t in said[:6]) + (f" (and {len(said) - 6} more)" if len(said) > 6 else "")


def _problem_text(seg: Segment) -> tuple[str, list[str]]:
    """(problem statement, extra evidence) of a problem or context segment."""
    evidence: list[str] = []
    text = seg.value.rstrip(":") if seg.value else ""
    units = [u for u in seg.units if u.text]
    if text and seg.lead:  # "**Core Issue**: 80% of the file is a single main() function that mixes:" and its list
        listed = [u.text for u in units if u.kind == "item"]
        if listed:
            text = f"{text}: {_upto(listed, 6)}"
            units = [u for u in units if u.text not in listed]
    if not text:
        prose = [u for u in units if u.kind in ("text", "item") and u.depth == 0]
        if prose and prose[0].lead and _words(prose[0].text) <= 6 and not _PROBLEM_WORDS.search(prose[0].text):
            prose = []  # "Root Directory Files Found:" captions its list; it states no problem
        if prose:
            text = prose[0].text
            k = units.index(prose[0])
            listed = []
            while k + 1 < len(units) and units[k + 1].kind == "item" and (prose[0].kind == "text" or (
                    prose[0].lead and units[k + 1].depth > prose[0].depth)):
                k += 1
                listed.append(units[k].text)
            if listed:  # "During X, emojis were removed from production code, breaking:" and its list
                text = f"{text}: {_upto(listed, 6)}"
            units = [u for u in units if u is not prose[0] and u.text not in listed]
    top = min((u.depth for u in units if u.kind == "item"), default=0)
    kids: dict[int, list[str]] = {}
    for u in units:
        if u.kind == "code":
            evidence.extend(t for t in u.text.split("\n")[:4] if _words(t) >= 2 and not _CODE_NOISE.match(t))
        elif u.kind == "item" and u.depth > top and evidence:
            kids.setdefault(len(evidence) - 1, []).append(u.text)  # an item's details stay with it
        elif not u.lead or u.kind != "text":
            evidence.append(u.text)
    for k, more in kids.items():
        evidence[k] = f"{evidence[k]} ({_upto(more, 6)})"
    if seg.role == "options" and evidence and len(evidence) <= 4:  # "**Before**:" and its short list
        text, evidence = "; ".join([text] + evidence), []
    return text, evidence[:8]


def _from_context(seg: Segment) -> tuple[str, list[str]]:
    """A problem read from a context segment: "Fixed X where Y" -> Y; "X caused by: Y" -> X; a user
    directive or question as written. A summary that only says what was built is not a problem."""
    text, evidence = _problem_text(seg)
    t = rx.match(r"(?i)^(?:transforms?|turns?|converts?|replaces?)\s+(?P<old>.+?)\s+(?:into|with)\s+", text)
    if t:  # "Impact Analysis: Transforms monolithic 491-line file into maintainable modules": what it was
        return t["old"][:1].upper() + t["old"][1:], []
    m = _FIXED.match(text)
    if m:
        # its first sentence: the next ones tell the fix ("... in root directory. Enhanced prevention systems ...")
        rest = rx.split(r"(?<=[.!?])\s+(?=[A-Z`\"'])", m["rest"])[0]
        w = _WHERE.match(rest)
        said = clean(w["p"] if w else rest).rstrip(".")
        return said[:1].upper() + said[1:], []
    if rx.match(r"(?i)summary", seg.label):
        return "", []
    return text, evidence


def _restates(text: str, others: list[str]) -> bool:
    """Whether a text only restates others: each of its parts ("Violations: A; B" -> A, B) is in one of them."""
    parts = [p for p in text.split("; ") if p]
    if parts:
        parts[0] = parts[0].split(": ", 1)[-1] if _words(parts[0].split(": ", 1)[0]) <= 3 else parts[0]
    return bool(parts) and all(any(p in o for o in others) for p in parts)


def _said(seg: Segment) -> list[str]:
    """What a segment states, one statement each: its value, then its lines ("**Violations**:" then "- WSP 85:
    ...", "- WSP 3: ..." -> the two violations); the first with the segment's label when it is a value."""
    out = [f"{seg.label}: {seg.value}" if seg.label else seg.value] if seg.value else []
    out += [u.text for u in seg.units if u.kind in ("text", "item") and u.text]
    out += [t for t in _code_lines(seg)[:4]]
    return out


def _split_cause(text: str) -> tuple[str, str]:
    """(symptom, cause) of a root cause stated with its symptom: "Headless broadcaster launch failures
    caused by:" -> ("Headless broadcaster launch failures", ""); "Production logs showed Chrome browser
    contention: `asyncio.to_thread` ... leaked" -> (the symptom, the cause); else ("", text)."""
    m = _CAUSED_BY.match(text)
    if m:
        return m["p"], m["c"]
    head, sep, rest = text.partition(": ")
    if sep and 3 <= _words(head) <= 15 and _words(rest) >= 3 and "`" not in head and (
            _PROBLEM_WORDS.search(head) or rx.search(r"(?i)\b(?:showed|shows|reported|observed|contention)\b", head)):
        return head, rest
    return "", text


_LOG_PREFIX = regex.compile(r"^\d{4}-\d\d-\d\d[ T][\d:,.]+\s+-\s+(?:[\w.]+\s+-\s+)?(?:[A-Z]+\s+-\s+)?")


def _step(seg: Segment) -> list[str]:
    """A reasoning or cause segment as steps: its value, then its list (nested items folded in)."""
    items = [u.text for u in seg.units if u.kind == "item" and u.text]
    if seg.label.endswith("?") and not seg.value and seg.level and len(items) >= 2:
        # "**WHO can do it?**" and its answers: one step, the question answered, not answers without their question
        return [f"{seg.label} {_upto(items, 6)}"]
    out = []
    if seg.value:
        out.append(seg.value if seg.level or not seg.label or principle_of(seg.label) else f"{seg.label}: {seg.value}")
    base = min((u.depth for u in seg.units), default=0)
    kids: dict[int, list[str]] = {}
    for u in seg.units:
        if u.kind in ("item", "text", "row") and u.text and _words(u.text) >= 2 and not (u.lead and _words(u.text) <= 4):
            if u.depth > base and out:
                kids.setdefault(len(out) - 1, []).append(u.text)
            else:
                out.append(u.text)
    for k, more in kids.items():  # "Urgency Override" and its items: "Urgency Override (a, b)", one parenthesis
        if len(out[k]) < 200:
            out[k] = f"{out[k]} ({_upto(more, 6, ', ')})"
    return out


def _option_text(seg: Segment, bare: bool = False) -> str:
    """An option as compared: "Option 1: Make X call Y (Complexity: LOW; Impact: HIGH)". `bare`: as
    it is put to the reader, without the mark that gives the answer away ("Option B (Occam's Razor
    alternative)" -> "Option B")."""
    label = rx.sub(r"\s*\([^()]*(?:occ[au]m|simplest|recommended|chosen|default|preferred)[^()]*\)", "", seg.label,
                   flags=regex.I) if bare else seg.label
    head = (f"{label}: {seg.value}" if label else seg.value) if seg.value else label
    details = [u.text for u in seg.units if u.kind in ("item", "text")]
    if not seg.value and seg.units and seg.units[0].kind == "code":
        # "**Option B** (Occam's Razor alternative):" over a sketch: the sketch's first line describes it
        # (a comment line says it in words: "// Split into A and B" -> "Split into A and B")
        details = [m["c"] if (m := _COMMENT.match(t)) else t for t in seg.units[0].text.split("\n")[:1]
                   if _words(t) >= 2] + details
    if details and seg.value:
        return f"{head} ({_upto(details, 6)})"
    return f"{head}: {_upto(details, 6)}" if details else head


def _chosen_option(opts: list[Segment], decision: str) -> tuple[str, list[str]]:
    """(the option chosen, the ones rejected) among option segments, by the decision's words or the
    option the text marks as simplest."""
    names = [(s, _option_text(s).split(" (", 1)[0] if s.value else _option_text(s).split("; ", 1)[0]) for s in opts]
    dec = decision.lower()
    chosen = next((n for s, n in names if s.label and s.label.lower().split(" (")[0] in dec), "")
    if not chosen:  # "- A) Make X (LOW complexity)" chosen by "Option A - ..."
        letter = rx.search(r"(?i)\boption\s+([A-Z0-9])\b", decision)
        if letter:
            chosen = next((n for s, n in names if rx.match(rf"(?i)\(?{letter[1]}[).:]\s", n)), "")
    if not chosen:
        chosen = next((n for s, n in names if _CHOSEN.search(s.label)), "")
    return chosen, [n for _, n in names if n != chosen]


_PROBLEM_WORDS = regex.compile(
    r"(?i)\b(?:not|no|never|without|cannot|can't|couldn't|didn't|doesn't|won't|fail\w*|error\w*|broken|bug\w*|"
    r"issues?|problems?|violat\w*|missing|wrong|incompatible|conflict\w*|block\w*|crash\w*|stuck|locked|"
    r"duplicat\w*|bloat\w*|monolith\w*|over-?engineer\w*|noisy|slow|leak\w*|pollut\w*|mismatch\w*|expired|"
    r"invalid|unavailable|gap|limitation|constraint)s?\b")
_STRONG_PROBLEM = regex.compile(r"(?i)\b(?:not|no|never|without|cannot|can't|fail\w*|error\w*|broken|bug\w*|"
                             r"missing|wrong|incompatible|conflict\w*|crash\w*|stuck|leak\w*|mismatch\w*)\b")
_IMPACT = regex.compile(r"(?i)^impact\s*:\s*")
_TITLE_END = regex.compile(r"(?i)\b(?:analysis|enhancement|report|audit|summary|overview|integration|implementation|"
                          r"architecture|protocol|ux|refactoring|session|results?)(?:\s*\([^()]*\))?$")
# a heading that tells what went wrong as a sentence ("Created report_v2.py instead of extending report.py"), not a title
_TOLD = regex.compile(r"(?i)^[a-z]+ed\b.{8,}|\binstead\s+of\b")
_PROBLEM_TOPIC = regex.compile(r"(?i)^(?:issue|problem|bug|gap|violation|error|v\d+)\b")


def _is_decision(text: str) -> bool:
    """An action the text takes or recommends: not a question, not the principle's name alone, not
    metadata or a status."""
    t = rx.sub(r"\s*\([^()]*\)\s*$", "", text.strip())
    if not t or t.endswith("?") or _META_TEXT.match(t):
        return False
    rest = _PRINCIPLE.sub(" ", t)
    rest = rx.sub(r"(?i)\b(?:apply|applied|use|razor|analysis|'s)\b", " ", rest)
    return _words(rest) >= 2


MAX_DECISION = 700  # characters: a decision's list is kept whole up to here, then counted


_UNFINISHED = frozenset(("in_progress", "pending", "open", "future"))


def _prose_children(seg: Segment, limit: int = 8) -> list[str]:
    """A decision's list: its top items, each with the items under it when it is only a title."""
    out: list[str] = []
    size = 0
    # (not an item still in progress or open: "🔄 Investigating why X did not trigger" is no part of what was done)
    units = [u for u in seg.units if (u.kind in ("item", "text") and not _META_TEXT.match(u.text) and not u.unfinished)
             or u.kind == "code"]
    base = min((u.depth for u in units if u.kind != "code"), default=0)
    i = 0
    while i < len(units) and len(out) < limit:
        u = units[i]
        if u.kind != "code" and u.depth == base:
            kids = []
            k = i + 1
            # "**Root X** (219 lines, was 360+):" then its list: a caption's items are its own, as a title's are
            captioned = u.kind == "text" and u.lead
            while k < len(units) and (units[k].kind == "code" or units[k].depth > base
                                      or captioned and units[k].kind == "item"):
                if units[k].kind != "code":
                    kids.append(units[k].text)
                else:  # "1. **Immediate Fix**" over "mv a.py scripts/": the moves are what it did
                    kids += [f"Move `{m['a']}` to `{m['b']}`" for t in units[k].text.split("\n") if (m := _MV.match(t))]
                k += 1
            text = f"{u.text.rstrip(':')}: {_upto(kids, 6, ', ')}" if kids and (
                _words(u.text) <= 4 or u.text.endswith(":") or captioned) else u.text
            if out and size + len(text) > MAX_DECISION:
                break
            out.append(text)
            size += len(text) + 2
            i = k
        else:
            i += 1
    return out


_LOCATION = regex.compile(r"(?i)^(?:proper|correct|right|target|new|intended|expected)\s+(?:location|home|place|path)$")
_IMPL = regex.compile(r"(?i)^(?:implementation|how\s+it\s+was\s+(?:fixed|done)|files?\s+(?:modified|changed|updated)|"
                      r"changes?(?:\s+made)?)$")


def _implemented(doc: Document, segs: list[Segment], k: int) -> str:
    """A solution stated as a summary ("**Solution**: Full integration of X into Y.") whose steps the next label
    lists ("**Implementation**:", "**Files Modified**:" and the list under it): the summary with those steps, which
    say what was done about the cause; "" when no such list follows."""
    s = segs[k]
    if s.level or k + 1 >= len(segs) or not rx.match(r"(?i)(?:the\s+)?(?:solution|fix)\b", s.label):
        return ""
    if any(u.kind == "item" for u in s.units) and not s.lead:
        return ""  # "**Solution**: X" over its own list of what was done: that list is the fix
    nxt = segs[k + 1]
    if nxt.level not in (0, 7) or not _IMPL.match(nxt.label) or nxt.value and not nxt.lead:
        return ""
    run, last = [], nxt.line
    for it in doc.items_in(nxt.line + 1, nxt.line + 60):
        if it.line > last + 2:
            break
        run.append(it)
        last = max(last, it.end)
    ids = {it.index for it in run}
    top = [it for it in run if it.parent not in ids]
    steps: list[str] = []
    size = 0
    for it in top:
        text = clean(it.text)
        kids = [clean(doc.items[c].text) for c in it.children]
        if kids and (_words(text) <= 4 or text.endswith(":") or rx.fullmatch(r"`[^`]+`|\S+\.\w{1,5}", text)):
            text = f"{text.rstrip(':')}: {_upto(kids, 6, ', ')}"
        if steps and size + len(text) > MAX_DECISION:
            break
        steps.append(text)
        size += len(text) + 2
    if not steps:
        return ""
    more = f" (and {len(top) - len(steps)} more)" if len(top) > len(steps) else ""
    return f"{_STATUS_WORD.sub('', s.value).rstrip(':. ')}: {'; '.join(steps)}{more}"


def _decision_text(seg: Segment) -> str:
    """The action a decision segment states: its value or its list of actions; "" when it states
    none (a title, metadata, code alone)."""
    v = _STATUS_WORD.sub("", seg.value)
    if v and not seg.lead and not _META_TEXT.match(v):
        # "**Proper Location**: `modules/x/data/y.txt`": the label says what the value does
        plain = rx.match(r"(?i)(?:the\s+)?(?:solutions?|fix(?:es)?|decision|resolution|answer|winner|recommendation)\b", seg.label)
        if plain or not seg.label or seg.level or not rx.match(r"`|[\w./\\-]+$", v):
            return v
        # "**Proper Location**: `path`" is where the thing belongs: the fix is to move it there
        return f"Move to {v}" if _LOCATION.match(seg.label) else f"{seg.label}: {v}"
    ch = _changes_text(seg)
    if ch:
        return ch
    items = _prose_children(seg)
    base = min((u.depth for u in seg.units), default=0)
    n_top, caption = 0, False
    for u in seg.units:
        caption = u.lead if u.kind == "text" else caption
        n_top += u.kind in ("item", "text") and u.depth == base and not (caption and u.kind == "item") and not u.unfinished
    if items:
        text = "; ".join(items) + (f" (and {n_top - len(items)} more)" if n_top > len(items) else "")
        return f"{v.rstrip(':')}: {text}" if v else text
    # a comment inside code is not a statement of what was decided; a one-line change shown as its old and
    # new code ("# OLD: x", "# NEW: y") is the change itself
    return _code_change(seg)


_OLD_NEW = regex.compile(r"^\s*(?:#|//)\s*(?P<k>OLD|NEW|BEFORE|AFTER)\s*:\s*(?P<c>\S.{0,200}?)\s*$", regex.I)


def _code_change(seg: Segment) -> str:
    """"Replace `old` with `new`" of a code block that shows one line's old and new code as a comment pair."""
    for u in seg.units:
        if u.kind != "code":
            continue
        got = {m["k"].upper(): m["c"] for t in u.text.split("\n") if (m := _OLD_NEW.match(t))}
        old, new = got.get("OLD", got.get("BEFORE")), got.get("NEW", got.get("AFTER"))
        if old and new and len(got) == 2:
            return f"Replace `{old}` with `{new}`"  # said as the change, not as two lines of code
        # "# 1. Quality: 0.8 -> 0.5 (line 381)", "# 2. Time: 22:00-06:00 -> 02:00-06:00 (line 602)": the changes, each
        # told by the numbered comment over its code
        told = [clean(rx.sub(r"\s*\((?:lines?|l\.)\s*[\d, -]+\)\s*$", "", m["c"])) for t in u.text.split("\n")
                if (m := _NUMBERED_COMMENT.match(t))]
        if len(told) >= 2 and all(len(t.split()) >= 2 for t in told):
            return "; ".join(told[:6]) + (f" (and {len(told) - 6} more)" if len(told) > 6 else "")
        # "# Before (lines 596-602):" ... "# After (lines 594-597):" then "# Direct assignment - removed buggy check":
        # the prose comment that heads the new code says what the change is
        code = u.text.split("\n")
        marks = [k for k, t in enumerate(code) if _MARKER.match(t)]
        if len(marks) == 2 and _MARKER.match(code[marks[0]])["k"].lower() in ("before", "old") and marks[1] + 1 < len(code):
            m = _COMMENT.match(code[marks[1] + 1])
            said = clean(m["c"]) if m else ""
            if _words(said) >= 3 and "..." not in said and not rx.search(r"(?i)\blines?\s+\d", said):
                # ... with the line of code it heads, which says what it does ("videos_to_check = video_ids[:3]")
                stmt = next((t.strip() for t in code[marks[1] + 2:] if t.strip()), "")
                shown = 0 < len(stmt) <= 80 and "`" not in stmt and not _COMMENT.match(stmt) and not _CODE_NOISE.match(stmt) \
                    and not rx.match(r"(?:logger|logging|print|console)\b", stmt)
                return f"{said}: `{stmt}`" if shown else said
    return ""


_VERDICT_WHY = regex.compile(r"^(?:[A-Z][A-Z'/-]*\s+)*[A-Z][A-Z'/-]*\s*\((?P<r>[^()]{8,200})\)$")
_NUMBERED_COMMENT = regex.compile(r"^\s*(?:#|//)\s*\d{1,2}[.)]\s+(?P<c>\S.{3,200}?)\s*$")
_MARKER = regex.compile(r"^\s*(?:#|//)\s*(?P<k>before|after|old|new|fixed)\b[^:]{0,40}:?\s*$", regex.I)


def _comments(seg: Segment) -> list[str]:
    """The prose comments of the code a segment shows ("# Direct assignment - removed buggy check"),
    without the before/after markers."""
    out = []
    for u in seg.units:
        if u.kind == "code":
            out += [rx.sub(r"^NEW:\s*", "", _NUMBERING.sub("", clean(m["c"]))) for t in u.text.split("\n")
                    if (m := _COMMENT.match(t)) and _words(m["c"]) >= 2 and not rx.match(r"(?i)(?:before|after|old)\b", m["c"])]
    return [c for c in out if c]


def _entry(segs: list[Segment], j: int, level: int) -> tuple[list[int], int | None, int | None]:
    """(problems, context, topic) for the anchor at j: the problem statements before it in its
    entry (nearest first, up to the first that states one in prose), the nearest context, and the
    nearest heading over it (the entry's topic).

    Walking back, the lines before a heading belong to the section before it: they are read only
    when that section is a part of the same entry ("### Problem Detected" before "### Root Cause
    Analysis") or the body of a heading over the anchor; a section of another topic ends the walk,
    as do the entry's own heading and an earlier entry's decision."""
    problems: list[int] = []
    context = topic = None
    ctx = segs[j].level if 1 <= segs[j].level <= 7 else 8
    pending: list[int] = []
    sibling: int | None = None

    def take(ks: list[int], first: bool = False) -> bool:
        nonlocal context
        for k in ks:
            s = segs[k]
            if _rule(s):
                continue
            if s.role == "problem" or (s.role == "options" and _REJECTED.match(s.label)) or (
                    s.role == "decision" and rx.match(r"(?i)answer\b", s.label) and s.value):
                problems.append(k)  # an "ANSWER: NO heartbeat system exists" before the analysis is its finding
                if _problem_text(s)[0]:
                    return True
            elif s.role == "context" and context is None:
                context = k
            elif s.role == "decision" and s.principle is None and s.level == 0 and k < j - 1 and first:
                return True  # an entry before this one has ended
            elif first and s.level == 0 and s.principle and s.role in ("cause", "reasoning"):
                return True  # an earlier analysis in the same section: what lies between is this one's
        return False

    label_anchor = ctx == 8
    for k in range(j - 1, -1, -1):
        s = segs[k]
        if not (1 <= s.level <= ctx) or (label_anchor and s.level == 7 and topic is not None):
            pending.append(k)
            continue
        if label_anchor and s.level < 7:
            # a label's passage is the section it sits in: its heading ends the walk
            take(pending + [k], first=True)
            if topic is None and s.role not in ("decision", "cause", "reasoning", "evidence", "result", "meta"):
                topic = k
            return problems, context, (topic, sibling)
        if s.level < ctx:  # a heading over the anchor: what lay between is its body
            if take(pending + [k], first=label_anchor):
                return problems, context, (topic, sibling)
            pending = []
            ctx = s.level
            if topic is None and s.role not in ("decision", "cause", "reasoning", "evidence", "result", "meta"):
                topic = k
            if s.level <= level:
                break  # the entry's own heading
        elif s.role in _PART_ROLES and (s.role not in ("decision", "result", "meta") or rx.match(r"(?i)answer\b", s.label)):
            # a part beside the anchor
            if take(pending + [k], first=label_anchor):
                return problems, context, (topic, sibling)
            pending = []
        else:
            if s.level <= level:
                # the section before the anchor's: its problem may be the one the anchor analyses
                take(pending)
                break
            pending = []
            sibling = sibling if sibling is not None else k  # "### React Rules of Hooks Limitation" before the analysis
            # a section of the entry about something else ("### WSP 97: ...") : not read, but the walk goes on
    else:
        take(pending)
    return problems, context, (topic, sibling)


def _rule(seg: Segment) -> bool:
    """A "Pattern:" label told as a rule ("Pattern: Enhance existing, don't create parallel systems")
    is a lesson, not a problem."""
    return seg.role == "problem" and bool(rx.match(r"(?i)pattern$", seg.label)) and bool(_ACTIONISH.match(seg.value))


def _code_lines(seg: Segment) -> list[str]:
    """The lines of the log excerpts and error messages a segment shows: not a caption left of a log line ("[DEPS]
    DEPENDENCY STATUS:"), a code comment or a signature ("def main() -> None:")."""
    return [_LOG_PREFIX.sub("", t) for u in seg.units if u.kind == "code" for t in u.text.split("\n")
            if _words(t) >= 2 and (u.lang in ("", "text", "log", "console", "bash", "shell") or _RAISED.search(t))
            and not _CODE_NOISE.match(t) and not (t.upper() == t and _words(t) <= 2)]


_CODE_NOISE = regex.compile(r"^\s*(?:#|//|/\*|\*|def\s|class\s|async\s+def\s|function\s|import\s|from\s+\S+\s+import\s)|^[^\w]*\.\.\.")


def _row_text(u: Unit) -> str:
    """A table row as a statement: "SAI Score: manual 222, ricdae v1 111"."""
    if not u.cells:
        return u.text
    cells = [(k, v) for k, v in u.cells.items() if v]
    if not cells:
        return u.text
    return f"{cells[0][1]}: " + ", ".join(f"{k} {v}" for k, v in cells[1:]) if len(cells) > 1 else cells[0][1]


def _titled(name: str, parts: list[Segment]) -> str:
    """A heading's topic as a problem: as it is when it states a failure ("LM Studio NOT Auto-Launching"); a
    title ("Multiple Instance UX") with what the passage says it costs ("Impact: User must manually run 4
    commands + relaunch")."""
    if _STRONG_PROBLEM.search(name) and not _TITLE_END.search(name):
        return name
    told = next((t for x in parts if x.role == "evidence" for t in _said(x) if _IMPACT.match(t)), None)
    return f"{name}: {_IMPACT.sub('', told)}" if told else name


def _weak(text: str) -> bool:
    """A question that names no problem: "What is the SIMPLEST solution?"."""
    return _words(_PRINCIPLE.sub(" ", rx.sub(r"(?i)\b(?:what|is|the|solution|fix|approach|question)\b", " ", text))) < 2


def _problem(doc: Document, segs: list[Segment], j: int, inner_end: int, level: int
             ) -> tuple[str, bool, list[str], int | None, str, int | None]:
    """(problem, stated as one, evidence, its segment, the cause split off a "symptom: cause" root
    cause, the segment it was read from) for the anchor at j."""
    a = segs[j]
    if a.role == "problem" and a.principle:  # "### 1. First Principles Question" then the question
        own = a.value or (segs[j + 1].label if j < inner_end and segs[j + 1].role is None and segs[j + 1].level == 7 else "")
        own = own or next((u.text for u in a.units if u.kind in ("text", "item")), "")
        if own:
            return own, True, [], j, "", j
    inner = [k for k in range(j + 1, inner_end + 1) if (segs[k].role == "problem" and not _rule(segs[k]))
             or (segs[k].role == "options" and _REJECTED.match(segs[k].label) and not rx.match(r"(?i)before\b", segs[k].label))]
    asked = next((u.text.split(": ", 1)[1] for u in a.units[:2] if _QA.match(u.text) and ": " in u.text
                  and u.text.rstrip('"\'').endswith("?")), "")
    problems, context, topics = (inner, None, (None, None)) if inner else _entry(segs, j, level)
    if inner and all(_weak(_problem_text(segs[k])[0]) for k in inner):
        more, context, topics = _entry(segs, j, level)
        problems = inner + more
    stated = any(segs[k].role == "problem" and (t := _problem_text(segs[k])[0]) and not _weak(t) for k in problems)
    if not inner and asked and not _weak(asked) and not stated:
        return asked, True, [], None, "", j  # "### Occam's Razor Applied" then "**Question**: What's the SIMPLEST fix ...?"
    evidence: list[str] = []
    # a statement of the problem first; a heading over a log excerpt gives its lines as evidence, and its
    # first labelled block ("#### VIOLATION DETAILS" then "**Root Directory Scripts Folder**:") only when no
    # statement is found
    fallback = None
    for k in problems:
        text, ev = _problem_text(segs[k])
        if text and _weak(text):
            text = ""  # "What is the SIMPLEST solution?" asks, it does not state a problem
        if text and 1 <= segs[k].level <= 6 and text == segs[k].value:
            text = _titled(text, segs[k + 1: j])  # "## Issue 3: Multiple Instance UX"
        if text:  # an "Anti-Pattern:" or "Original Plan:" is the approach the passage reasons against
            return text, True, ev + evidence, k, "", k
        evidence = _code_lines(segs[k])[:4] + evidence  # "### Problem Detected" over a log excerpt
        if fallback is None and 1 <= segs[k].level <= 7:
            end = doc.section_at(segs[k].line).end
            sub = next((t for t in segs[k + 1:] if t.line <= end and t.line < a.line and t.role in (None, "evidence", "problem")
                        and _problem_text(t)[0]), None)
            if sub is not None:
                text, ev = _problem_text(sub)
                # "**Root Directory Files Found**:" over its list captions what was found: the list is
                # evidence, and the problem is the record's own description when it has one
                said = [text] + ev if sub.label and not sub.value else ev
                fallback = ("" if sub.label and not sub.value else text), said, k
    if fallback is not None:
        text = fallback[0] or _described(segs, j, level)
        if text:
            return text, True, fallback[1] + evidence, fallback[2], "", fallback[2]
    if context is not None:
        text, ev = _from_context(segs[context])
        if text and not text.endswith(":") and _words(text) >= 3 and not _FILE_REF.match(text):
            return text, True, ev + evidence, None, "", context
    if a.role == "cause":
        text, cause = _split_cause(a.value or (a.units[0].text if a.units else ""))
        if text:
            return text, True, evidence, None, cause, None
    # "**Rationale**: 012 identified over-engineering. FoundUp tiers ... Follows Occam's Layers principle"
    reach = inner_end + 1 if a.level else min(len(segs), j + 3)
    why = next((k for k in range(j, min(len(segs), reach)) if rx.search(r"(?i)\b(?:rationale|reason)\b|^why\b", segs[k].label)
                and (segs[k].value or segs[k].units)), None)
    if why is not None:
        said = segs[why].value or next((u.text for u in segs[why].units if u.kind == "text"), "")
        first, _, rest = said.partition(". ")
        if rest and 3 <= _words(first) <= 25:
            # "**Rationale**: 012 identified over-engineering. X and Y are two systems. ...": a first sentence too short
            # to say what is wrong ("012 identified over-engineering") keeps the next, which says where
            if _words(first) < 5 and ". " in rest:
                more, _, rest = rest.partition(". ")
                first = f"{first}: {more}"
            return first, False, evidence, None, rest, why
    if a.role == "decision" and a.principle and a.level == 0:
        # "**Occam's Razor Decision**: X" at the end of a report: the problem stated in a section before
        passed = 0
        for k in range(j - 1, -1, -1):
            s = segs[k]
            if 1 <= s.level <= 6:
                passed += 1
                if passed > 2:
                    break
            if s.role == "problem" and s.level == 0 and s.value and _words(s.value) >= 4:
                return s.value, True, evidence, k, "", k
    for topic in topics:
        if topic is None:
            continue
        t = segs[topic]
        name = _topic(t.label)
        failing = [_row_text(u) for x in segs[topic: j] for u in x.units if u.kind == "row" and _FAILED.search(doc.text(u.line))]
        around = [t for x in segs[topic + 1: j] if x.role in ("evidence", "context") for t in _said(x)]
        # "**Cannot Do This**:" over code whose comment says why: "VIOLATES REACT RULES (hooks must be called ...)"
        # (a verdict in capitals with its reason in brackets is said by the reason: "hooks must be called ...")
        said_by = {f"{x.label}: {c}": _VERDICT_WHY.sub(r"\g<r>", c) for x in segs[topic + 1: j]
                   if x.role is None and x.level == 7 for c in _comments(x)[:1]}
        around += [f"{k.split(': ', 1)[0]}: {v}" for k, v in said_by.items()]
        seen = (failing or [u.text for u in t.units if u.kind != "code"])[:4] + around + evidence
        if name and seen and (_PROBLEM_TOPIC.match(clean(t.label)) or _PROBLEM_WORDS.search(name) or (
                a.role == "cause" and (failing or any(x.role == "evidence" for x in segs[topic + 1: j])))):
            # "#### Iteration 1 Results" over rows marked [FAIL], then "**Root Cause Analysis**:"; never a
            # heading alone
            if len(name.split()) < 3 and around:  # "### 1. stream_trigger.txt" and its violations
                name = f"{name}: {around[0]}"
                seen = [t for t in seen if t != around[0]]
            elif (not _STRONG_PROBLEM.search(name) or _TITLE_END.search(name)) and not _TOLD.search(name):
                # a title names the topic; what it costs, or the first thing found, states the problem
                told = next((t for t in around if _IMPACT.match(t)), None) or (around[0] if around else None)
                if told is None and failing:  # "#### Iteration 1 Results" over rows marked [FAIL]: the rows that failed
                    told = _upto(failing, 6)
                    seen = [t for t in seen if t not in failing]
                if told is None:
                    continue
                seen = [t for t in seen if t != told]
                if told.split(": ", 1)[-1] in said_by.values():
                    told = told.split(": ", 1)[-1]  # "Cannot Do This: X": the caption is the heading's to give
                name = f"{name}: {_IMPACT.sub('', told)}"
            return name, False, seen[:6], None, "", topic
        if a.level == 0 and a.principle and a.role == "reasoning" and ". " in a.value and topic == topics[0] \
                and 1 <= t.level <= 6:
            named = rx.sub(r"\s*\((?:DEFERRED|COMPLETE[^)]*|DONE|PLANNED)\)\s*$", "", clean(t.label, 200))
            if _words(named) >= 3:  # "## Sprint 4 - Skill Routing (DEFERRED)" then "Occam's Razor: X already does Y. Defer."
                # the sprint is what its tasks say it would build
                tasks = [u.text for x in segs[topic: j + 1] for u in x.units if u.kind == "item" and u.depth == 0]
                return (f"{named}: {_upto(tasks, 6)}" if tasks else named), False, evidence, None, "", topic
        # "**Phase 3O - Dual Chrome Architecture:**" then "- Separate Chrome instances for incompatible workflows:"
        lead = next((u for u in t.units if u.kind in ("item", "text") and _STRONG_PROBLEM.search(u.text)), None
                    ) if t.level == 7 and topic == topics[0] else None
        if lead is not None:
            return (lead.text, True, [u.text for u in t.units if u is not lead and u.kind != "code"][:3] + evidence,
                    None, "", topic)
    arrows = _arrow_list(a)
    if arrows:  # the first choice's situation: "Console logs ≠ persistent data"
        said = _ARROW.split(arrows[0])[0].strip()
        return said, True, evidence + _stated_before(doc, a.line, said), None, "", j
    # an error in the log excerpt the passage shows ("Rotation check failed: ...")
    for s in segs[max(0, j - 4): j]:
        if s.role in ("evidence", "problem", None):
            logs = _code_lines(s)
            errs = [t for t in logs if _ERROR_LINE.search(t) and not rx.match(r"\s*(?:#|//|def\b|class\b)", t)]
            if errs:
                return clean(errs[-1], 300), False, [t for t in logs if t != errs[-1]][:3] + evidence, None, "", None
    # a worked example opens with its question: "**Gemma Example**: "Is this log line a genuine bug?"" then its steps;
    # the question is the problem, not the label that says it is an example
    if a.level == 0:
        for k in range(j - 1, max(-1, j - 7), -1):
            # (the last lines under a heading may be the first example's: "## Research Chain", its prose, then
            # "**Checker Example**: "Is this a bug?"")
            units = segs[k].units[-1:] if 1 <= segs[k].level <= 6 else reversed(segs[k].units)
            q = next((u.text for u in units if u.kind == "text" and u.text.rstrip('"\'').endswith("?")
                      and ": " in u.text), "")
            if q:
                return q.split(": ", 1)[1].strip('"\' '), True, evidence, None, "", k
            if 1 <= segs[k].level <= 6:
                break
    return "", False, evidence, None, "", None


def _stated_before(doc: Document, line: int, said: str) -> list[str]:
    """The problem its entry stated earlier ("- **Problem**: ... 60+ breadcrumb console logs ...") that a short
    situation ("Console logs ≠ persistent data") sums up: the "Problem:" line before `line` in the entry sharing the
    most words (at least two) with it, as "Problem: ..."; [] when none does."""
    entry = next((x for x in doc.ancestors(doc.section_at(line)) if x.heading is not None and x.level <= 2), None)
    if entry is None:
        return []
    have = {w.lower() for w in rx.findall(r"[A-Za-z]{4,}", said)}
    best, score = "", 1
    for n in range(entry.start, line):
        lab = parse_label(rx.sub(r"^\s*[-*+]\s+", "", doc.text(n)).strip()) if "roblem" in doc.text(n) else None
        if lab and lab[1] and rx.match(r"(?i)problem$", norm_label(lab[0])):
            t = clean(lab[1])
            k = len(have & {w.lower() for w in rx.findall(r"[A-Za-z]{4,}", t)})
            if k > score:
                best, score = t, k
    return [f"Problem: {best}"] if best else []


_TYPED = regex.compile(r"^[A-Z][A-Z0-9 /&-]{2,60}?\s[-\u2013\u2014:]\s+(?P<d>\S.{8,})$")


def _described(segs: list[Segment], j: int, level: int) -> str:
    """The description a record's type line gives ("- **Type**: **FRAMEWORK-LEVEL VIOLATION** - Test/utility
    files placed in project root" -> "Test/utility files placed in project root"), searched from the anchor
    back to the record's heading; "" when it has none."""
    for k in range(j - 1, -1, -1):
        s = segs[k]
        if 1 <= s.level <= min(level, 6):
            break
        if s.role == "meta" and rx.match(r"(?i)(?:violation\s+)?type$", s.label):
            m = _TYPED.match(s.value)
            if m and _words(m["d"]) >= 3:
                return m["d"]
    return ""


_STRONG_DECISION = regex.compile(r"(?i)^(?:the\s+|final\s+|occam'?s\s+(?:razor\s+)?)?(?:decision|solution|fix|"
                                 r"simplest\s+(?:fix|solution)|recommend\w*(?:\s+\w+)?|resolution)$")


def _after_diagram(doc: Document, subs: list[Segment]) -> str:
    """The parts an "AFTER" block's diagram names: the unindented lines of its first code block ("[OK] ReportPlanner
    (Primary Orchestrator)"), not the lines under each that describe it."""
    after = next((t for t in subs if rx.match(r"(?i)after\b", t.label) and 1 <= t.level <= 7), None)
    fence = next(iter(doc.fences_in(after.line, after.end)), None) if after is not None else None
    if fence is None:
        return ""
    parts = [clean(t, 120) for t in fence.body if t.strip() and not t[:1].isspace()][:8]
    return "; ".join(p for p in parts if _words(p) >= 1) if len(parts) >= 2 else ""


def _own_decision(doc: Document, segs: list[Segment], k: int) -> tuple[str, list[str]]:
    """(decision, the reasons given with it) of a decision segment: for a heading, a decision block
    under it first ("### Occam's Razor Solution" then "**Simplest Fix:** ...", "### Solution - First
    Principles Analysis" then "- Decision: ..."), its own lines then being the reasons; else its
    value or list; else what the blocks under it say together."""
    s = segs[k]
    own = _decision_text(s)
    if not 1 <= s.level <= 7:
        return (_implemented(doc, segs, k) if s.value else "") or own, []
    end = doc.section_at(s.line).end
    subs = [t for t in segs[k + 1:] if t.line <= end]
    reasons = [x for t in subs if t.role == "reasoning" for x in _step(t)]
    prose = [u for u in s.units if u.kind in ("item", "text")]
    if own and prose and prose[-1].lead and subs and 1 <= subs[0].level <= 7 and subs[0].label:
        # "**Enhanced X** with new section:" then "#### X.6. Creation Check" and its list: the section is what it added
        sec = doc.section_at(subs[0].line)
        top = [it for it in doc.items_in(sec.start, sec.end) if it.parent is None]
        held = [f"{norm_label(lab[0])}: {clean(lab[1])}" if (lab := parse_label(it.text)) and lab[1] else clean(it.text)
                for it in top[:6]]
        return f"{own}: {subs[0].label}" + (f" ({'; '.join(held)})" if held else ""), reasons
    for strong in (True, False):
        if not strong and own and s.units:
            return own, reasons  # "### RESOLUTION APPLIED" then its list of actions
        for t in subs:
            if t.role == "decision" and (not strong or _STRONG_DECISION.match(t.label)) and _is_decision(
                    text := _decision_text(t)):
                # "### Occam's Razor Solution" then "**Simplest Fix:** ..."; the heading's own prose argues it
                # ... but a part it names ("**Manual Refresh Script:** (Already exists)") is of the solution, not a reason
                # (not a part named with only a note on it, its code left out: "**Manual Refresh Script:** (Already exists)")
                own_lines = [x for x in _step(s) if not any(u.kind == "row" and u.text == x for u in s.units)
                             and not rx.fullmatch(r"[^:()]{1,60}:\s*\([^()]*\)", x)]
                parts = [x for x in own_lines if not _argues(x) and not _benefit(x)]
                if parts and t.label:
                    text = "; ".join(parts + [f"{t.label}: {text}"])
                return text, [x for x in own_lines if _argues(x)] + reasons
    if own and not s.units and (drawn := _after_diagram(doc, subs)):
        # "#### Solution Implemented: Planner-First Architecture" over "##### AFTER: Modular" and its diagram: the
        # diagram's parts are what the title names
        return f"{own}: {drawn}", reasons
    if own:
        return own, reasons
    if subs and subs[0].level == 7 and subs[0].role is None and not subs[0].units and _is_decision(subs[0].label):
        return subs[0].label, reasons  # "## Occam's Razor Solution" then "**Don't add X - fix the broken logic**"
    parts, size, used, coded = [], 0, [], False
    for t in subs:
        if t.role in ("meta", "result", "evidence", "problem", "context", "cause", "options"):
            continue
        body = _decision_text(t)
        if not body and t.label and 1 <= t.level <= 6 and _is_decision(t.label):
            # "#### Automatic System Time Access:" over "def get_system_timestamp():": what was added, and the
            # function that adds it
            defined = [m[1] for u in t.units if u.kind == "code" for m in rx.finditer(r"(?m)^\s*(?:async\s+)?def\s+(\w+)\s*\(", u.text)]
            body = ", ".join(f"`{d}()`" for d in defined[:3])
            coded = coded or bool(body)
        part = f"{t.label}: {body}" if t.label and body else (body or "")
        if part and size + len(part) <= MAX_DECISION:
            parts.append(part)
            used.append(t)
            size += len(part) + 2
    # titles over code say what was added only by their names; the entry's own description of the change says it
    # in prose ("**Description**: Enhanced X with automatic time access, log integration and ...")
    described = _entry_described(doc, s.line) if coded else ""
    return described or "; ".join(parts), [x for t in subs if t.role == "reasoning" and t not in used for x in _step(t)]


def _entry_described(doc: Document, line: int) -> str:
    """The change the entry holding `line` describes in its own "**Description**:" or "**Summary**:" field (a
    sentence telling what was done), or ""."""
    top = next((sec for sec in [doc.section_at(line), *doc.ancestors(doc.section_at(line))]
                if sec.heading is not None and sec.level <= 2), None)
    if top is None:
        return ""
    for f in doc.fields_in(top.start, line):
        v = clean(f.value, 300)
        if rx.match(r"(?i)(?:description|summary)$", clean(f.key, 40)) and (rx.match(r"(?i)[a-z]+ed\b", v) or _ACTIONISH.match(v)) \
                and _words(v) >= 5:
            return v
    return ""


_IMPERATIVE = regex.compile(r"(?i)^(?:evaluate|apply|determine|check|run|use|follow|create|build|implement|add|make|"
                           r"ensure|execute|perform|conduct)\b")
_CITED = regex.compile(r"(?i)(?:→|->)\s*(?:occ[au]m|first[- ]principles?)|(?:occ[au]m'?s?(?:\s+razor)?|first[- ]principles?)\s*(?:→|->|chain)")
_RAISED = regex.compile(r"\b\w+(?:Error|Exception)\b|\bTraceback\b|\bERROR\b")
_FAILED = regex.compile(r"\[FAIL\]|❌|\u2717|\[U\+274C\]")
_FILE_REF = regex.compile(r"(?i)^(?:from|see|per|in)\s+\S+\.(?:md|py|txt|json)\b")
_REASON_CUE = regex.compile(r"(?i)\b(?:simplest|simpler|simple|no|not|because|since|avoids?|only|already|fewer|less|"
                         r"minimal|reuses?|existing|complexity|impact|overhead|bottleneck|faster|cheaper)\b")
_SIMPLEST_IS = regex.compile(r"(?i)\bsimplest\s+(?:fix|solution|approach|path|way)\s+(?:is|=|would\s+be)\s+\S")
_CONCLUDES = regex.compile(r"(?i)^(?:decision(?:\s+point)?|conclusion|verdict|solution|simplest\s+(?:fix|solution))\b")


_ARROW = regex.compile(r"\s(?:\u2192|->|=>)\s")


def _arrow_list(a: Segment) -> list[str]:
    """An Occam's Razor block that is a list of choices, "X → Y" each ("- Console logs ≠ persistent data →
    SQLite is simplest durable storage"): its items, else []."""
    items = [u.text for u in a.units if u.kind == "item"]
    arrows = [t for t in items if _ARROW.search(t) and rx.search(r"\u2260|\s[<>]\s|\svs\.?\s|\sover\s", _ARROW.split(t)[0])]
    return arrows if a.principle == "occams_razor" and len(arrows) >= 2 and len(arrows) == len(items) else []


def _conclusion(segs: list[Segment], j: int, inner_end: int) -> str:
    """What an analysis concludes in its own lines: "**Occam's Razor**: Qwen should decide AND
    execute (simplest, no bottleneck)", "Decision: ...", or its own value."""
    own = []
    for s in segs[j: inner_end + 1]:
        for u in s.units:
            m = _SIMPLEST_IS.search(u.text)
            if m and u.kind in ("text", "item"):
                own.append(u.text)  # "The SIMPLEST fix is adding HoloAdapter to X so Qwen can search before deciding."
        for u in s.units:
            head, sep, rest = u.text.partition(": ")
            if sep and (rx.match(r"(?i)(?:occ[au]m|simplest)", head) or _CONCLUDES.match(head)):
                own.append(rest)  # "**Occam's Razor**: X", not "Step 1 (Occam's Razor): found X"
    return next((t for t in own if _is_decision(t)), "")


_MARKED = regex.compile(r"(?i)\((?:default|recommended|chosen|selected|preferred)\)")
_APPLIED = regex.compile(r"(?i)\b(?:applied|implemented|executed|taken|completed|done|resolved|final|chosen|selected)\b")
_PLANNED = regex.compile(r"(?i)\b(?:plan|proposed|proposal|options?|candidates?)\b")
_NUMBERED = regex.compile(r"(?i)^(?:fix|solution|option|approach|resolution)\s*(?:#\s*)?(?:\d+|[a-d])\b")
_CODE = regex.compile(r"`([^`\n]{2,80})`|\b([A-Za-z_][\w.]*(?:\(\)|_[\w.]+|\.py))")


def _code_elements(text: str) -> set[str]:
    return {(a or b).strip("()").lower() for a, b in _CODE.findall(text)}


def _pick(segs: list[Segment], j: int, found: list[tuple[int, str, list[str]]]) -> tuple[str, int, list[str]]:
    """The decision among several the entry states: the one it applied ("Resolution Applied" after a
    "Correction Plan"; "Fix 2 (applied)"), else, among numbered alternatives, the one that names the
    code element the root cause names, else the first. Numbered alternatives not applied are returned
    as rejected (in the reasons, marked); a plan before the applied decision is neither a reason nor
    the decision."""
    if len(found) == 1:
        return found[0][1], found[0][0], found[0][2]
    applied = [f for f in found if _APPLIED.search(segs[f[0]].label) and not _PLANNED.search(segs[f[0]].label)]
    numbered = [f for f in found if _NUMBERED.match(segs[f[0]].label)]
    cause = _code_elements(" ".join([segs[j].value] + [u.text for u in segs[j].units]))
    if applied:
        best = applied[-1]
    elif len(numbered) >= 2 and cause:
        best = max(numbered, key=lambda f: (len(_code_elements(f[1]) & cause), -f[0]))
    else:
        best = found[0]
    reasons = list(best[2])
    for f in found:
        if f is best:
            continue
        if f in numbered and best in numbered:
            reasons.append(f"{_REJECT_MARK}{segs[f[0]].label}: {f[1]}")
    return best[1], best[0], reasons


_REJECT_MARK = "\x00rejected\x00"


def _decision(doc: Document, segs: list[Segment], j: int, inner_end: int, level: int, p: int | None
              ) -> tuple[str, int | None, list[str]]:
    # p: the segment the problem was read from (the decision may lie between it and the anchor)
    """(decision, its segment, reasons given with it) for the anchor at j: the anchor's own when it
    is a decision block; else the first decision block under it, else the conclusion its own lines
    state; else the first decision block after it in its entry (a lesson, an answer or next steps
    only when nothing better follows); else one between the problem and the anchor."""
    a = segs[j]
    if a.role == "decision":
        text, reasons = _own_decision(doc, segs, j)
        if _is_decision(text):
            return text, j, reasons
    low: tuple[int, str, list[str]] | None = None
    strong: list[tuple[int, str, list[str]]] = []
    concluded = False
    ctx = a.level if 1 <= a.level <= 7 else 8
    for k in range(j + 1, len(segs)):
        s = segs[k]
        if k > inner_end and not concluded:
            concluded = True
            text = _conclusion(segs, j, inner_end)
            if text:
                return text, None, []
        if k > inner_end and (s.role == "problem" and _OPENERS.match(s.label)
                              or (1 <= s.level <= level and s.role is None)
                              or (1 <= s.level < 7 and s.level <= ctx and s.role is None)):
            break
        if s.role == "decision" or (s.role == "meta" and _changes_text(s)):
            text, reasons = _own_decision(doc, segs, k)
            if not _is_decision(text):
                continue
            if s.role == "decision" and _LESSON.match(s.label) and not _ACTIONISH.match(text):
                continue  # a lesson told as a story, not a rule
            if s.role == "decision" and not _DECISION_LOW.match(s.label):
                strong.append((k, text, reasons))
                if len(strong) >= 4 or not (_APPLIED.search(s.label) or _PLANNED.search(s.label) or _NUMBERED.match(s.label)):
                    break
                continue
            low = low or (k, text, reasons)
    if strong:
        return _pick(segs, j, strong)
    if not concluded and (text := _conclusion(segs, j, inner_end)):
        return text, None, []
    if low:
        return low[1], low[0], low[2]
    if p is not None:
        for k in range(j - 1, p, -1):
            s = segs[k]
            if s.role == "decision":
                text, reasons = _own_decision(doc, segs, k)
                if _is_decision(text):
                    return text, k, reasons
    for s in segs[j + 1: j + 4]:
        marked = [u for u in s.units if u.kind in ("item", "text") and _MARKED.search(u.text)]
        if len(marked) == 1 and len([u for u in s.units if u.kind == "item"]) >= 2:
            # "**Execution Modes:**" then "- subprocess (default): Strongest kill switch", "- thread: ..."
            others = [u.text for u in s.units if u.kind == "item" and u is not marked[0]]
            return marked[0].text, None, [_REJECT_MARK + t for t in others]
    arrows = _arrow_list(a)
    if arrows:  # the first choice; the others are choices of their own, not reasons for it
        return _ARROW.split(arrows[0])[-1], None, []
    if a.role in ("reasoning", "decision") and a.lead and (listed := _prose_children(a)):
        # "**Occam's Razor**: Split into:" then its items: the items are what the lead-in decides, not steps
        return f"{a.value.rstrip(':')}: {'; '.join(listed)}", j, []
    if a.role in ("reasoning", "decision") and _is_decision(a.value):
        # "Occam's Razor: MessageProcessor already routes commands. Defer until skills exist.": the reason, then
        # the decision
        said = [t for t in rx.split(r"(?<=[.!?])\s+(?=[A-Z])", a.value) if t]
        if len(said) >= 2 and _ACTIONISH.match(said[-1]) and not _ACTIONISH.match(said[0]):
            return said[-1].rstrip("."), j, said[:-1]
        return a.value, None, []  # "**Occam's Razor**: Qwen should decide AND execute", nothing else decided
    # a ModLog entry that says what changed before it says why: "### What Changed" then "### Why This Change"
    for k in range(min(j, p if p is not None else j) - 1, -1, -1):
        s = segs[k]
        if 1 <= s.level <= level:
            break
        if 1 <= s.level <= 6 and rx.match(r"(?i)what\s+changed$|changes?(?:\s+made)?$", s.label):
            first = next((u.text for u in s.units if u.kind in ("text", "item")), "")
            if _ACTIONISH.match(first) or rx.match(r"(?i)\w+ed\b", first):
                return first, k, []
    if a.role == "result" and 1 <= a.level <= 6:
        # "### Why This Matters (First Principles)" argues for what its entry's "### What Changed" did: its principle
        # ("**Qwen as Oracle Principle:**" and its list) is the reasoning that leads there
        ruled = next((t for t in segs[j + 1: inner_end + 1] if t.role is None and rx.search(r"(?i)\bprinciples?$", t.label)), None)
        said = [u.text for u in ruled.units if u.kind == "item" and u.depth == 0][:6] if ruled is not None else []
        changed = _what_changed(doc, a.line)
        return (changed, None, said) if said else ("", None, [])
    return "", None, []


_CHANGED = regex.compile(r"(?i)^(?:what\s+changed|changes?(?:\s+made)?|implementation(?:\s+details)?)$")
_SOLVED = regex.compile(r"(?i)^problems?\s+(?:solved|addressed|fixed)$")


def _changed(doc: Document, line: int) -> bool:
    """Whether `line` sits in a "What Changed" section (a list of changes made)."""
    return any(x.heading is not None and x.level <= 6 and _CHANGED.match(clean(x.heading.title, 80))
               for x in doc.ancestors(doc.section_at(line)))


def _solved(doc: Document, line: int, said: str) -> str:
    """The item of the entry's "Problem Solved" list that the change at `line` answers: the one sharing the most
    words (at least two) with what the change says; "" when there is none."""
    sec = next((x for x in doc.ancestors(doc.section_at(line)) if x.heading is not None and x.level <= 6
                and _CHANGED.match(clean(x.heading.title, 80))), None)
    if sec is None or sec.parent is None:
        return ""
    have = {w.lower() for w in rx.findall(r"[A-Za-z!]{4,}", said)}
    best, score = "", 1
    for sib in doc.subsections(doc.sections[sec.parent]):
        if sib.heading is None or not _SOLVED.match(clean(sib.heading.title, 80)):
            continue
        for it in doc.items_in(sib.start, sib.end):
            t = clean(it.text)
            n = len(have & {w.lower() for w in rx.findall(r"[A-Za-z!]{4,}", t)})
            if n > score:
                best, score = t, n
    return best


_APPLIED_LABEL = regex.compile(r"(?i)^applied\s+(?:occ[au]m'?s?(?:\s+razor)?|first[- ]principles?|root[- ]cause(?:\s+analysis)?)$")


def _applied(doc: Document, line: int) -> str:
    """The rule an entry's approach states for the principle its part at `line` names in its title ("### Phase 1:
    Core Fixes (Occam's Razor)" under an entry whose "## Approach" says "**Applied Occam's Razor**: Fixed broken logic
    before adding complexity"): the part applies it, so it is the lesson; "" when none is stated."""
    sec = doc.section_at(line)
    named = next((x for x in doc.ancestors(sec) if x.heading is not None and x.level <= 6), None)
    if named is None or not rx.search(r"\([^()]*\)\s*$", named.heading.title):
        return ""
    principle = principle_of(rx.search(r"\(([^()]*)\)\s*$", named.heading.title)[1])
    top = doc.ancestors(sec)[-1]
    if principle is None:
        return ""
    for it in doc.items_in(max(top.start, named.start - 60), named.start - 1):
        lab = parse_label(it.text)
        if lab and _APPLIED_LABEL.match(norm_label(lab[0])) and principle_of(lab[0]) == principle \
                and _ACTIONISH.match(value := clean(lab[1])):
            return value
    return ""


def _what_changed(doc: Document, line: int) -> str:
    """The first change an entry's "What Changed" section (before `line`, under the same parent) states in prose:
    its first line of prose; "" when code comes first (a comment in code is not a decision stated: GUIDE.md)."""
    sec = doc.section_at(line)
    if sec.parent is None:
        return ""
    for sib in doc.subsections(doc.sections[sec.parent]):
        if sib.start >= sec.start:
            break
        if sib.heading is None or not rx.match(r"(?i)what\s+changed$|changes?(?:\s+made)?$", sib.heading.title.strip()):
            continue
        for n in range(sib.start + 1, min(sib.end, sib.start + 40) + 1):
            raw = doc.text(n).strip()
            if _in_fence(doc, n) or raw.startswith("```"):
                return ""
            if not raw or raw.startswith(("#", "|")) or rx.match(r"\*\*[^*]+\*\*:?\s*$", raw):
                continue
            said = clean(raw, 300)
            if said and (_ACTIONISH.match(said) or rx.match(r"(?i)[a-z]+ed\b", said)) and not _META_TEXT.match(said):
                return said
            if said:
                return ""
    return ""


_FOUND = regex.compile(r"(?i)^(?:discovery|discovered|finding|found)$")


def _cause_of(segs: list[Segment], j: int, inner_end: int, cause_split: str, steps: list[str]) -> str:
    """The root cause a root-cause block states: its value, the cause split off its symptom, its own
    lines, or what the cause blocks under it say ("**Why This Happens:**", "**The Paradox:**", not
    "**Observed Behavior:**"); a list is given whole, or counted."""
    a = segs[j]
    if principle_of(a.label) != "root_cause":
        return ""
    if a.value and a.role == "cause":
        return cause_split or a.value
    found = next((x for x in segs[j + 1: inner_end + 1] if x.value and x.level == 0 and _FOUND.match(norm_label(x.label))), None)
    if found is not None:
        return clean(found.value)  # "### Root Cause Analysis" -> "- **Issue**: X", "- **Discovery**: Y": Y is what it found
    own = [t for t in _step(a) if t in steps]
    if not own:
        own = [t for x in segs[j + 1: inner_end + 1] if x.role == "cause" and not rx.match(r"(?i)observed", x.label)
               for t in _step(x) if t in steps]
    own = own or steps
    more = f" (and {len(own) - 6} more)" if len(own) > 6 else ""
    return "; ".join(t.rstrip(".") for t in own[:6]) + more


_MV = regex.compile(r"^\s*(?:git\s+)?mv\s+(?:-\w+\s+)?(?P<a>[^\s;&|]{2,200})\s+(?P<b>[^\s;&|]{2,200})\s*$")


def _moves(doc: Document, first: int, last: int) -> list[str]:
    """"Move `a` to `b`" for each move command in the shell blocks of a plan (lines first..last)."""
    out = []
    for f in doc.fences_in(first, last):
        if f.lang in ("", "bash", "sh", "shell", "console", "powershell", "cmd"):
            out += [f"Move `{m['a']}` to `{m['b']}`" for t in f.body if (m := _MV.match(t))]
    return out[:6]


_PREVENT = regex.compile(r"(?i)^prevention(?:\s+(?:measures?|strategy|strategies|enhancements?|steps))?$")
_NUMBERED_CAUSE = regex.compile(r"(?i)^root\s+cause\s*#?\d+$")


def _next_anchor(segs: list[Segment], j: int, hi: int) -> int | None:
    """A second labelled cause or analysis after the anchor, with its own context between them
    ("**Root Cause**: ..." / "**Impact**:" / "**ROOT CAUSE OF MISTAKE**: ..."): it is an item of its
    own, not a step of this one."""
    if segs[j].level != 0:
        return None
    apart = False
    for k in range(j + 1, min(hi, len(segs))):
        s = segs[k]
        if s.role in ("evidence", "context", "problem") or (s.level == 7 and s.role is None):
            apart = True
        elif apart and s.level == 0 and s.principle and s.role in ("cause", "reasoning"):
            return k
    return None


_GAIN = regex.compile(r"(?i)(?:size|reduction|maintainability|testability|performance|efficiency|compliance|"
                      r"readability|reusability|scalability|impact|result|benefit)s?$")


def _benefit(text: str) -> bool:
    """A labelled line that tells what a decision brings ("File Size Reduction: 491 -> 194 lines", "Testability:
    ..."), not why it was taken."""
    head, sep, _ = text.partition(": ")
    return bool(sep) and _words(head) <= 4 and (role_of(head) in ("result", "meta") or bool(_GAIN.search(head.strip())))


def _argues(text: str) -> bool:
    """Whether a line under a decision argues for it: prose, or a label of reasoning ("Reason: ..."), not
    a labelled property or benefit ("Future-proof: ...", "Location: ...")."""
    head, sep, _ = text.partition(": ")
    if not sep or _words(head) > 4:
        return True
    return role_of(head) in ("reasoning", "cause")


MAX_EVIDENCE = 8
_HEAD_MARK = regex.compile(r"^\s{0,3}#{1,6}\s+(?:\[\d{4}-\d\d-\d\d[^\]]{0,20}\]\s*)?")
# what names a thing: `code`, a path, a file name, a snake_case or CamelCase name, a WSP number
_REF = regex.compile(r"`([^`\n]{2,80})`|(?<![\w./\\-])((?:[\w.{}-]+[/\\])+[\w.{}-]*|[\w-]+\.(?:py|md|txt|json|ya?ml|env|js|tsx?|db|sh|bat|toml)\b"
                  r"|[A-Za-z]+_[A-Za-z0-9_]+|[A-Z][a-z]+(?:[A-Z][a-z0-9]+)+|WSP[\s_]?\d+)")


def refs(text: str) -> set[str]:
    """The names a text uses (lower case), a path also by its parts ("modules/communication/livechat/x.txt"
    -> "livechat", "communication", ...)."""
    out: set[str] = set()
    for a, b in _REF.findall(text):
        name = (a or b).lower().strip("./\\")
        if not name:
            continue
        out.add(name.replace("_", " ") if name.startswith("wsp") else name)
        if "/" in name or "\\" in name:
            out.update(p for p in rx.split(r"[/\\]", name) if len(p) >= 4 and "{" not in p)
    return out


def _grounds(doc: Document, first: int, last: int, given: list[str], said: list[str]) -> list[str]:
    """The lines of the passage before its decision that name what the output names and the input does
    not (a module, a path, a WSP): an example's input holds what its output refers to."""
    have = " ".join(given).lower().replace("_", " ")
    missing = {r for t in said for r in refs(t) if r.replace("_", " ") not in have}
    told = [t.lower() for t in said if t]
    out: list[str] = []
    if not missing:
        return out
    n = first
    while n <= last and missing and len(out) < 4:
        raw = doc.text(n)
        text = _HEAD_MARK.sub("", raw)
        low = text.lower().replace("_", " ")
        found = {r for r in missing if r.replace("_", " ") in low}
        # not a heading: a title names the topic, often the answer with it ("Command Routing Fix"); not the code
        # that carries the decision out; not a line that states a solution or a result ("Solution: Implemented X"),
        # a lead-in without its list ("..., breaking:") or a citation ("From X.md")
        head = clean(text, 200).partition(": ")
        sec = doc.section_at(n)
        if found and any(x.heading is not None and (role_of(x.heading.title, heading=True) == "decision" or
                                                    x.level <= 6 and rx.match(r"(?i)files?\s+(?:modified|changed|created|updated)\b|"
                                                             r"(?:impact|results?|benefits?|outcome)$",
                                                             clean(x.heading.title, 80)))
                         for x in [sec, *doc.ancestors(sec)]):
            # a line under "### Solution: X" (or "#### CORRECTION PLAN" / "**Step 1**") tells the answer; so does the
            # record of the files the change touched
            found = set()
        if found and (raw.rstrip().endswith(":") or rx.match(r"(?i)from\s+\S+$", clean(text, 200)) or (
                head[1] and _words(head[0]) <= 4 and role_of(head[0]) in ("decision", "result"))):
            found = set()
        if found and text == raw and not _in_fence(doc, n) and not _META_TEXT.match(clean(text, 200)) and not rx.match(r"\s*\*\*[^*]+\*\*\s*$", raw):
            line = clean(text, 300)
            low = line.lower()
            # not a line the output states (a reason, the decision): that would give the answer away
            if line and low not in have and not any(low in t or t in low for t in told):
                listed = _listed(doc, n)
                if listed is not None and rx.search(r"(?i)benefit|result|outcome|achiev|success", listed[0]):
                    n += 1
                    continue  # what the change brought, said after it
                if listed is not None and not any(t.lower() in x.lower() for t in told if len(t) > 12 for x in listed[1]) \
                        and not any(x.lower().replace("_", " ") in have for x in listed[1]):
                    # one item of a captioned list ("**What's Working**:" then its items): the list, whole or counted
                    line = f"{listed[0]}: {_upto(listed[1], 6)}"
                    n = listed[2]
                out.append(line)
                missing -= found
        n += 1
    return out


def _listed(doc: Document, line: int) -> tuple[str, list[str], int] | None:
    """(caption, items, last line) of the top-level list holding the item at `line` when a caption line
    ("**What's Working**:") heads it; else None."""
    hit = doc.block_at(line)
    if hit is None or hit[0] != "item" or hit[1].parent is not None:
        return None
    first = hit[1].index
    while first > 0 and doc.items[first - 1].parent is None and doc.items[first - 1].end + 1 >= doc.items[first].line - 1 \
            and doc.items[first - 1].section == doc.items[first].section:
        first -= 1
    cap = doc.text(doc.items[first].line - 1).strip() or doc.text(doc.items[first].line - 2).strip()
    lab = parse_label(cap)
    if lab is None or lab[1] or not cap.rstrip("*").endswith(":"):
        return None
    items, k = [], first
    while k < len(doc.items) and (k == first or (doc.items[k].parent is not None or doc.items[k].line <= last + 2)):
        it = doc.items[k]
        if it.section != doc.items[first].section:
            break
        if it.parent is None:
            items.append(clean(it.text))
        last = it.end
        k += 1
    return norm_label(lab[0]), items, last


def _in_fence(doc: Document, line: int) -> bool:
    hit = doc.block_at(line)
    return hit is not None and hit[0] == "fence"


_STEP_NO = regex.compile(r"(?i)^step\s*\d+[a-z]?(?:\s*\([^()]{1,40}\))?\s*:\s*")  # "Step 1 (Occam's Razor): "


def _said_after(text: str) -> bool:
    """A labelled line that reports what came of the decision ("Result: 60 min vs ~2K tokens", "AFTER: 1
    keypress") or a property of it (metadata), not a step towards it."""
    head, sep, _ = text.partition(": ")
    if sep and _WSP_NAMED.match(head):
        return False  # "WSP 77 Coordination: Internal agents provide ...": a step citing a protocol, not metadata
    return bool(sep) and _words(head) <= 4 and (role_of(head) in ("result", "meta") or bool(rx.match(r"(?i)after\b", head)))


_BACK_REF = regex.compile(r"(?i)\b(?:this|that|the\s+same)\s+(?P<n>bug|issue|error|problem|failure|crash|violation)\b")


def _referent(doc: Document, line: int, noun: str) -> list[str]:
    """The statement just before `line` (in its section) that names the bug a question calls "this bug": "How
    should we fix this bug?" after "SIMPLEST explanation = console encoding bug" asks about that bug."""
    sec = doc.section_at(line)
    asked = next((n for n in range(line, max(sec.start, line - 15) - 1, -1) if _BACK_REF.search(doc.text(n))), line)
    for n in range(asked - 1, max(sec.start, asked - 15) - 1, -1):
        t = clean(doc.text(n))
        if t and not t.rstrip("\"'*").endswith("?") and rx.search(rf"(?i)\b{noun}\b", t):
            return [_STEP_NO.sub("", rx.sub(r"^\d{1,2}[.)]\s+", "", t))]
    return []


# what a change achieved or is hoped to become ("**Anti-Vibecoding Success:**", "**Federation Vision:**"): not reasons
_WSP_NAMED = regex.compile(r"(?i)^wsp[\s_-]?\d+\s+[a-z]{3,}")
_ACHIEVED = regex.compile(r"(?i)\b(?:success(?:es)?|achieved|achievements?|wins|gains|vision)$")


_EXAMPLE_LABEL = regex.compile(r"(?i)^\s*(?:[-*]\s+)?\*\*[^*\n]{0,40}\bexamples?\*\*\s*:?\s*(?P<q>.*)$")


def _named_change(doc: Document, line: int) -> str:
    """The change an earlier item of the same list states with its parts ("Separate Chrome instances for incompatible
    workflows: Port 9222: ..., Port 9223: ..."), for the short name of it at `line`; "" when there is none."""
    hit = doc.block_at(line)
    if hit is None or hit[0] != "item":
        return ""
    it = hit[1]
    before = [x for x in doc.items_in(max(0, line - 15), line - 1) if x.parent == it.parent and x.children]
    if not before:
        return ""
    head = before[-1]
    kids = [clean(doc.items[c].text) for c in head.children]
    return f"{clean(head.text).rstrip(':')}: {_upto(kids, 6, ', ')} ({clean(parse_label(it.text)[1]) if parse_label(it.text) else ''})".replace(" ()", "")


_DECLINED = regex.compile(r"(?i)^(?:did\s+not|didn't|do\s+not|don't|will\s+not|won't)\s+(?P<v>create|add|build|"
                          r"write|introduce|implement|make|split|use|adopt)\s+(?P<x>\S.{3,200})$")
_GAP = regex.compile(r"(?i)^(?:missing|no|lack(?:ing|\s+of)?|absent|absence\s+of|without)\s+\w")


def build(doc: Document, segs: list[Segment], j: int, level: int, anchor_line: int) -> Item | None:
    """The item whose principle is named at segment j: its problem, evidence, chain and decision."""
    a = segs[j]
    inner_end = j
    if 1 <= a.level <= 7:  # a heading: the segments under it are its own
        sec = doc.section_at(a.line)
        while inner_end + 1 < len(segs) and segs[inner_end + 1].line <= sec.end:
            inner_end += 1
    problem, explicit, evidence, p, cause_split, src = _problem(doc, segs, j, inner_end, level)
    evidence = [e for e in evidence if clean(e) != clean(problem)]
    declined = ""
    if (not problem or _words(problem) < 2) and a.role == "reasoning" and j >= 1 and segs[j - 1].role == "decision" \
            and (m := _DECLINED.match(clean(segs[j - 1].value))):
        # "**Decision**: Did NOT create X classes." over "**Rationale**:" and its reasons: the approach turned down
        # is what the reasons argue against
        declined = f"{m['v'][:1].upper()}{m['v'][1:]} {m['x'].rstrip('.')}"
        problem, explicit, evidence, p, cause_split, src = declined, True, [], None, "", None
    if not problem or _words(problem) < 2:
        return None
    if src is not None and segs[src].role is None and _changed(doc, segs[src].line):
        # a line under "### What Changed" names the change, not the problem: the entry's "### Problem Solved" list
        # states the problem it answers; without one there is no problem to reason from
        solved = _solved(doc, segs[src].line, " ".join([problem, *evidence]))
        if not solved:
            return None
        problem, evidence, explicit = solved, [], True
    if not evidence and (ref := _BACK_REF.search(problem)):
        evidence += _referent(doc, segs[p].line if p is not None else a.line, ref["n"])
    if p is not None and rx.match(r"(?i)before\b", segs[p].label) and not segs[p].value and not problem.startswith(segs[p].label):
        # "**Before (two-pass scan)**:" over its measures: the caption says what they measure
        problem = f"{segs[p].label}: {problem}"
    decision, d, reasons = _decision(doc, segs, j, inner_end, level, src)
    if d is not None and rx.match(r"(?i)after\b", segs[d].label):
        # "**After (Occam's Razor)**: DOM check only: 10ms", "- After: file paths + owners": the state a change
        # reached, shown beside the state before, is what it gained (a result), not a decision stated (GUIDE.md)
        return None
    if declined:
        decision, d, reasons = clean(segs[j - 1].value).rstrip("."), j - 1, []
    elif d == j and a.level == 0 and decision == a.value and _words(decision) <= 6:
        # "- **First Principles Solution**: Multi-browser over navigation coordination" below the item that states
        # the change ("- **Separate Chrome instances** for incompatible workflows:" and its parts): the principle's
        # few words name the change, the item says what it is
        decision = _named_change(doc, a.line) or decision
    passed_over = [r[len(_REJECT_MARK):] for r in reasons if r.startswith(_REJECT_MARK)]
    reasons = [r for r in reasons if not r.startswith(_REJECT_MARK)]
    steps: list[str] = [t for t in rx.split(r"(?<=[.!?])\s+(?=[A-Z0-9`\"'])", cause_split) if t] if cause_split else []
    if d == j and a.role == "reasoning":
        evidence += [] if a.lead else [u.text for u in a.units if u.kind in ("item", "text")][:4]  # what the decision is about
    elif d == j:
        # the anchor states the decision: its other lines are the reasons ("because ...:", "- Not X")
        units = [u.text for u in a.units if u.kind in ("item", "text") and u.text]
        if not a.value and units and decision.startswith(units[0]):
            # "- **Separation of Concerns**: Split X into 5 modules" then its modules, then "- **Testability**: ...":
            # the parts of the decision and what it brings are not reasons for it
            top = min((u.depth for u in a.units if u.kind in ("item", "text")), default=0)
            decision = units[0]
            steps += [t for t in (u.text for u in a.units if u.kind in ("item", "text") and u.text and u.depth == top)
                      if t != units[0] and not _benefit(t)]
        elif a.value and decision == a.value:
            # "- **Occam's Razor Decision**: X" then "- because ...": its reasons; not "- **Future-proof**: ..."
            steps += [t for t in units + ([u.text for u in segs[j + 1].units if u.kind in ("item", "text")]
                                          if j + 1 < len(segs) and segs[j + 1].level == 0 and not segs[j + 1].label else [])
                      if _argues(t)]
    lo = (src + 1) if src is not None and src < j else j
    hi = d if d is not None and d > j else inner_end + 1
    nxt = _next_anchor(segs, j, hi)
    hi = min(hi, nxt) if nxt is not None else hi
    options: list[Segment] = []
    for k in sorted(set(range(lo, max(hi, j + 1))) | {k for k in range(j + 1, inner_end + 1) if segs[k].role == "reasoning"}):
        s = segs[k]
        if k in (d, p) or (k == src and cause_split):
            continue
        if k != j and s.role is None and _ACHIEVED.search(s.label):
            continue
        if s.role in ("cause", "reasoning") or k == j or (j < k <= inner_end and s.role is None) or (
                s.role is None and not s.label and k < j and a.level == 0):  # the plain steps of a numbered chain
            if k != j or d != j and not (d == j and a.role == "reasoning"):
                steps.extend(_step(s))
        elif s.role == "context" and k > (src if src is not None else j) and (j - 2 <= k < j or j < k <= inner_end):
            # "User question: Does MCP need to be fired up?", a quoted finding under "## Background"
            steps += [t for t in _step(s) if _words(t) >= 3 and not _FILE_REF.match(t)]
        elif s.role == "options":
            options.append(s)
        elif s.role == "evidence":  # "**Impact:** ...", "### Evidence" over a log excerpt
            t = s.text(8)
            evidence += ([f"{s.label}: {t}"] if t else []) + _code_lines(s)[:4]
    steps += reasons
    if d is not None and d > inner_end:
        # options argued under the decision ("**Option A** ... **Option B** (Occam's Razor alternative)")
        dsec_end = doc.section_at(segs[d].line).end if 1 <= segs[d].level <= 7 else segs[d].end
        options += [s for s in segs[d + 1:] if s.line <= dsec_end and s.role == "options"]
    if d is not None and rx.match(r"(?i)after\b", segs[d].label):
        # "- Before: status summaries" beside the decision "- After: file paths + owners": the old state it replaces
        evidence += [f"{s.label}: {s.value}" for s in options if rx.match(r"(?i)before\b", s.label) and s.value
                     and s is not (segs[p] if p is not None else None)]
    options = [s for s in options if not rx.match(r"(?i)before\b", s.label)]  # the old state, not an option
    listed = [o for o in options if not o.value and len([u for u in o.units if u.kind in ("item", "text")]) >= 2
              and rx.match(r"(?i)options?$|alternatives?$", o.label)]
    if listed:  # "**Options**:" then "- A) ...", "- B) ..."
        options = [Segment(u.line, "", u.text, "options", None, 0) for o in listed for u in o.units if u.kind in ("item", "text")]

    if not decision:
        marked = [o for o in options if _CHOSEN.search(o.label)]
        if len(options) >= 2 and len(marked) == 1:
            decision = _option_text(marked[0])  # "**Option B** (Occam's Razor alternative)" among the options
        else:
            vs = next((t for t in segs[j: inner_end + 1] + segs[j + 1: j + 3] if t.role == "result"
                       and rx.search(r"\svs\.?\s", t.value)), None)
            if vs is not None:
                decision = vs.value  # "**Result:** 4-line .env change vs 200-line rewrite": the choice and what it beat
    if not decision or not _is_decision(decision):
        return None
    # the rule the entry draws from it ("**Learning**: NEVER create enhanced_* files - ALWAYS enhance existing")
    lesson = ""
    for k in range(max(j, d or 0) + 1, len(segs)):
        s = segs[k]
        if s.role == "problem" and _OPENERS.match(s.label) or (1 <= s.level <= level and s.role is None):
            break
        if s.role == "decision" and _LESSON.match(s.label) and _ACTIONISH.match(text := _decision_text(s)) \
                and clean(text) != clean(decision):
            lesson = text
            break
    if not lesson and d is not None and 1 <= segs[d].level <= 6 and d + 1 < len(segs) and segs[d + 1].level == 7 \
            and segs[d + 1].role is None and not segs[d + 1].units and segs[d + 1].label not in decision \
            and _is_decision(segs[d + 1].label):
        # "## Occam's Razor Solution" opens with the rule it follows ("**Don't add X - fix the broken logic**"),
        # then the changes it made: the changes are the decision, the rule its lesson
        lesson = segs[d + 1].label
    if not lesson:
        lesson = _applied(doc, anchor_line)
    # the other decision blocks of the entry argue the choice ("**Winner**: Simple solution (complexity > gain)")
    if d is not None:
        steps += [_won_by(t.value) if rx.match(r"(?i)(?:winner|verdict|choice)$", t.label) else f"{t.label}: {t.value}"
                  for t in segs[d + 1: inner_end + 1] if t.role == "decision" and t.value
                  and t.level == 0 and not _LESSON.match(t.label)]
    whole = f"{problem}: {cause_split}" if cause_split else None
    steps = [t for t in (_STEP_NO.sub("", t) for t in steps) if not _said_after(t)] if not _arrow_list(a) else []
    # "**Applied first principles to X**:" over "**Root X** (219 lines):" and its list, "**.claude/X**:" and its list:
    # a block of captioned lists describes what was done, its lines are parts of the decision, not reasons
    parts = {u.text for x in segs[j: inner_end + 1] if x.role == "reasoning"
             and sum(1 for u in x.units if u.kind == "text" and u.lead) >= 2 for u in x.units}
    steps = [t for t in steps if t not in parts]
    if a.role == "result" and 1 <= a.level <= 6:
        # "### Why This Matters (First Principles)": its own lines are the reasoning, not what the entry listed before;
        # argued after the change its entry's "What Changed" made, they are what it brings: neither steps towards it
        # nor evidence for it (the problem stated before the change is what the change answers)
        sec = doc.section_at(a.line)
        own = " ".join(clean(doc.text(n), 1000) for n in range(sec.start, min(sec.end, sec.start + 80) + 1))
        # ... except the principle it names as a list ("**Qwen as Oracle Principle:**"), which _decision gives as
        # the reasons the change follows from
        steps = [t for t in steps if t in reasons] if d is None else [t for t in steps if t in own]
        evidence = [e for e in evidence if e not in own] if d is None else evidence
    said = clean(problem)
    evidence = [e for e in dict.fromkeys(evidence) if said not in e and e not in said]
    kept: list[str] = []
    for e in sorted(evidence, key=len):  # the separate statements before the list that joins them
        if not _restates(e, [said] + kept):
            kept.append(e)
    evidence = [e for e in evidence if e in kept]
    shown = " ".join(evidence)
    steps = [t for t in steps if not (len(said) >= 20 and said in t and len(t) < 1.5 * len(said)) and t not in said
             and t.split(": ", 1)[-1] != clean(decision) and t not in shown]
    steps = [s for s in dict.fromkeys(steps) if s and s not in (decision, problem, whole) and not _META_TEXT.match(s)
             and not (len(cause_split) > 20 and cause_split in s and s != cause_split)
             and not (len(s) >= 10 and s in decision) and not (decision in s and problem in s)]
    if not steps:
        # "The SIMPLEST fix is adding X so Qwen can search. This enables ...": the sentences after the first argue it;
        # "Add X to Y (LOW complexity, HIGH impact)": so does its parenthesis
        head, sep, rest = decision.partition(". ")
        why = rx.search(r"\((?P<w>[^()]{6,120})\)\s*$", decision)
        if sep and _words(rest) >= 4 and _words(head) >= 4:
            decision, steps = head + ".", [rest]
        elif why and _words(why["w"]) >= 2 and _REASON_CUE.search(why["w"]):
            steps = [why["w"]]
    if not steps and d == j and 1 <= a.level <= 6 and inner_end + 1 < len(segs) and segs[inner_end + 1].level == a.level \
            and _is_part(segs[inner_end + 1]) and segs[inner_end + 1].role == "reasoning":
        # "#### Architecture Refactoring (First Principles)" (the split) then "#### First Principles Applied" and its
        # principles: what the split rests on
        steps = [t for t in _step(segs[inner_end + 1]) if not _benefit(t)]
    if not steps and p is not None and p > j and principle_of(a.label) == "root_cause" and evidence:
        # "### Root Cause Analysis" then "**Problems Identified**:" and its list: the one gap it names ("Missing
        # integration between X and Y") is what the others come from; else the rest explain the first
        gap = [e for e in [problem, *evidence] if _GAP.match(e)]
        if len(gap) == 1 and len(evidence) >= 2:
            problem, steps, evidence = "; ".join(e for e in [problem, *evidence] if e != gap[0]), gap, []
        else:
            steps, evidence = evidence, []
    if declined and len(steps) >= 2 and rx.match(r"(?i)(?:direct|use|reuse|integrat\w*|extend|enhance)\b.*\bexisting\b", steps[0]):
        # "Direct integration with existing X": what was done instead of the approach turned down
        decision, steps = f"{decision}; {steps[0]}", steps[1:]
    label = a.principle or principle_of(doc.text(anchor_line)) or "first_principles"
    chosen, rejected = "", list(passed_over)
    if not steps and not explicit and not (len(options) >= 2 and _chosen_option(options, decision)[0]):
        return None  # a decision with nothing that argues for it, for a problem the text does not state
    # "Complex Solution: Split into 3 components", "Anti-Pattern: ...", "Original Plan: ...": not a problem but the
    # approach the passage reasons against
    approach = bool(declined) or p is not None and segs[p].role == "options" and bool(_REJECTED.match(segs[p].label)) \
        and not rx.match(r"(?i)before\b", segs[p].label)
    span_segs = sorted(set(range(lo, max(hi, j + 1))) | {j} | ({d} if d is not None else set()))
    occam = next((k for k in span_segs if segs[k].principle == "occams_razor" or principle_of(segs[k].value) == "occams_razor"
                  or any(principle_of(u.text) == "occams_razor" for u in segs[k].units[:8] if u.kind != "code")), None)
    if occam is not None and (options or rx.search(r"(?i)\svs\.?\s", decision + " " + a.value)):
        label = "occams_razor"
        if options:
            chosen, rejected = _chosen_option(options, decision)
    elif options:
        evidence += [_option_text(o) for o in options]  # "**Arguments FOR:** ...", "**Arguments AGAINST:** ..."
    dspan = (segs[d].line, doc.section_at(segs[d].line).end if 1 <= segs[d].level <= 7 else segs[d].end
             ) if d is not None and d != j else (0, -1)
    if d is not None and d > j and label == "root_cause":
        moves = _moves(doc, segs[inner_end].end + 1, segs[d].line - 1)
        if moves:
            # "#### CORRECTION PLAN" ... "mv scripts/x.py modules/y/scripts/" then "#### RESOLUTION EXECUTED" and its
            # summary: the commands say what was done to this incident's files; the summary is boilerplate
            decision = "; ".join(moves)
    cause = _cause_of(segs, j, inner_end, cause_split, steps)
    if not cause and len(steps) == 1 and any(principle_of(segs[k].label) == "root_cause" and segs[k].level == 0
                                             and clean(segs[k].value) == steps[0] for k in range(j, inner_end + 1)):
        # "- **Problem**: X", "- **Root Cause**: Y", "- **Simplest Solution**: Z": the one step is the cause it states,
        # so the example is cause -> fix, not a chain of one
        cause = steps[0]
    if cause and d is not None and d > j and not _PREVENT.match(segs[d].label):
        # "#### RESOLUTION STATUS" (the files deleted) then "#### PREVENTION MEASURES": the cleanup answers the
        # symptom, the measures answer the cause; the fix is both
        # (or before it: "#### PREVENTION MEASURES" then "#### IMPLEMENTATION STATUS" and the moves it applied)
        prevent = next((k for k in [*range(d + 1, len(segs)), *range(j + 1, d)]
                        if 1 <= segs[k].level <= 6 and _PREVENT.match(segs[k].label) or 1 <= segs[k].level <= level), None)
        if prevent is not None and _PREVENT.match(segs[prevent].label):
            # its list read from the document: a labelled item in it ("- **Violation Consequences**: ...") is one of
            # the measures, not a segment of its own
            psec = doc.section_at(segs[prevent].line)
            measures = []
            for it in doc.items_in(psec.start, psec.end):
                if it.parent is not None:
                    continue
                said = f"{norm_label(lab[0])}: {clean(lab[1])}" if (lab := parse_label(it.text)) and lab[1] else clean(it.text)
                kids = [clean(doc.items[c].text) for c in it.children]
                # "**ALWAYS maintain 0102 state**:" over what it means: the title with its items
                measures.append(f"{said.rstrip(':')}: {_upto(kids, 4, ', ')}" if kids and (
                    _words(said) <= 5 or said.endswith(":")) else said)
            name = segs[prevent].label
            if measures:
                decision = f"{decision}; {name.capitalize() if name.isupper() else name}: {_upto(measures, 8)}"
    if cause and a.value and _NUMBERED_CAUSE.match(a.label):
        # "- **Root Cause 1**: X" then "- **Root Cause 2**: Y": the causes are one list, the fix answers all of them
        more = [t.value for t in segs[j + 1: j + 6] if t.level == a.level and _NUMBERED_CAUSE.match(t.label) and t.value]
        cause = "; ".join([cause, *more])
    # the lines before the decision (and before the anchor's own lines when it states the decision)
    upto = segs[d].line - 1 if d is not None and d != j else (a.line if d == j else segs[inner_end].end)
    # from the entry's own lines: not a line of the entry before it
    entry = [x for x in doc.ancestors(doc.section_at(anchor_line)) if x.heading is not None and x.level >= 2]
    evidence += _grounds(doc, max(segs[0].line, entry[-1].start) if entry else segs[0].line, upto, [problem, cause, *evidence], [decision, *steps, lesson])
    return Item(anchor=anchor_line, label=label, problem=clean(problem), explicit=explicit, evidence=evidence[:MAX_EVIDENCE],
                steps=steps[:MAX_STEPS], decision=_fit(decision, MAX_DECISION + 100),
                cause=cause,
                options=[_option_text(s, bare=True) for s in options], chosen=chosen, rejected=rejected,
                span=(segs[p].line if p is not None and p < j else a.line,
                      max(dspan[1], segs[inner_end].end, segs[d].end if d is not None else 0)),
                evidence_text=doc.text(anchor_line).strip(), dspan=dspan, lesson=clean(lesson), approach=approach,
                free=(segs[nxt].line, segs[nxt].end) if nxt is not None else (0, -1),
                learned=d is not None and segs[d].role == "decision" and bool(_LESSON.match(segs[d].label)))


def _won_by(value: str) -> str:
    """Why a winner won: "Simple solution (complexity cost > performance gain)" -> "complexity cost > performance
    gain" (the name only repeats the decision); the value as it is when it gives no reason in brackets."""
    m = rx.match(r"^[^()]{1,40}\((?P<r>[^()]{6,200})\)\s*$", value)
    return m["r"][:1].upper() + m["r"][1:] if m else value


def _fit(text: str, limit: int) -> str:
    """A decision within `limit` characters: whole parts ("; ") and a count of those left out, never a list cut
    silently at a sentence."""
    text = clean(text, 100000)
    if len(text) <= limit:
        return text
    parts = text.split("; ")
    kept: list[str] = []
    for p in parts:
        if kept and len("; ".join(kept + [p])) > limit - 20:
            break
        kept.append(p)
    if len(kept) == 1 and len(kept[0]) > limit:
        return clean(kept[0], limit)
    return "; ".join(kept) + (f" (and {len(parts) - len(kept)} more)" if len(kept) < len(parts) else "")


_PER_PRINCIPLE = regex.compile(
    r"(?i)^(?:[^:]{1,60}:\s+)?(?P<d>[^()]{6,200}?)\s+(?:per|following|by|via|applying)\s+(?:the\s+)?"
    r"(?:first[- ]principles?|occ[au]m'?s?\s+razor)(?:\s+analysis)?\s*\((?P<why>[^()]{10,300})\)\s*\.?$")


def inline_item(doc: Document, line: int) -> Item | None:
    """A one-line choice with its reasons: "- **WSP 64 Compliance**: Subprocess remains DEFAULT per
    first-principles (Selenium blocking cannot be interrupted by asyncio.wait_for, only SIGKILL
    guarantees Chrome recovery)" -> the decision and the two reasons."""
    hit = doc.block_at(line)
    text = clean(hit[1].text if hit is not None and hit[0] == "item" else doc.text(line), 600)
    m = _PER_PRINCIPLE.match(text)
    if not m:
        return None
    why = m["why"].strip()
    head, sep, rest = why.partition(", ")
    if not sep or _words(head) < 3 or _words(rest) < 2:
        return None
    # the parenthesis gives the reasons for the choice, not a problem it answers: the `justify` task
    return Item(anchor=line, label=principle_of(text) or "first_principles", problem="", explicit=False,
                evidence=[], steps=[head, rest], decision=m["d"].strip(), cause="", options=[], chosen="", rejected=[],
                span=(line, line), evidence_text=doc.text(line).strip(), justified=True)


# -- a choice or a design and the reasons given for it ---------------------------------------------

_CHOSEN_FOR = regex.compile(r"(?i)^(?P<d>.{6,200}?)\s*\((?:occ[au]m'?s?\s+(?:razor|simplest)|simplest|first[- ]principles?)\)"
                            r"\s*(?P<tail>[^()]{0,60})$")
_DERIVATION = regex.compile(r"(?i)^(?:first[- ]principles?|occ[au]m'?s?(?:\s+razor)?)\s+(?:derivation|rationale|reasoning|justification)$")
_MADE = regex.compile(r"(?i)\b(?:created|added|adopted|introduced|implemented|chosen|decided|decision)\b")
MIN_REASONS = 2
_BARE_LABEL = regex.compile(r"^\*\*(?P<k>[^*\n]{2,120}?)(?::\*\*|\*\*:)$")  # a label line with nothing after it


def _list_after(doc: Document, first: int, parent: int | None) -> list:
    """The items of one list from line `first` on, at one level (under `parent`): it ends at a line that is
    neither such an item, one nested under it, nor blank."""
    out, n = [], first
    while n <= doc.end:
        hit = doc.block_at(n)
        if hit is not None and hit[0] == "item" and hit[1].line == n:
            it = hit[1]
            if it.parent == parent:
                out.append(it)
            elif it.parent is None or not out:
                break
            n = it.end + 1
        elif not doc.text(n).strip() and out:
            n += 1
            if n <= doc.end and not doc.text(n).strip():
                break
        else:
            break
    return out


def _reason(text: str) -> bool:
    return _REASON_CUE.search(text) is not None and not _benefit(text) and _words(text) >= 3


def chosen_item(doc: Document, line: int) -> Item | None:
    """A choice that names its principle ("- **Hybrid Option A**: System audio loopback (Occam's simplest)",
    "- Option A chosen over B (Occam's simplest) for LIVE") heading a list whose other items give its reasons
    ("- Works with protected streams (no auth issues)"): the decision, its reasons, no problem stated."""
    hit = doc.block_at(line)
    if hit is None or hit[0] != "item" or hit[1].line != line:
        return None
    it = hit[1]
    siblings = _list_after(doc, line, it.parent)
    if not siblings or siblings[0] is not it or (it.index > 0 and doc.items[it.index - 1].parent == it.parent
                                                 and doc.items[it.index - 1].end >= line - 2):
        return None  # the choice heads its list; the items after it argue it
    text = clean(it.text, 300)
    lab = parse_label(it.text)
    said = f"{clean(lab[0], 80)}: {clean(lab[1], 240)}" if lab and lab[1] else text
    m = _CHOSEN_FOR.match(said)
    if not m:
        return None
    decision = said  # as written: "(Occam's simplest)" is what tells the principle it was chosen by
    reasons = [t for t in (clean(s.text, 300) for s in siblings[1:]) if _reason(t)]
    if len(reasons) < MIN_REASONS or _words(decision) < 3:
        return None
    return Item(anchor=line, label=principle_of(said) or "occams_razor", problem="", explicit=False, evidence=[],
                steps=reasons, decision=decision, cause="", options=[], chosen="", rejected=[],
                span=(line, siblings[-1].end), evidence_text=doc.text(line).strip(), justified=True)


def derived_item(doc: Document, line: int) -> Item | None:
    """A design and the derivation given for it: "**New Protocol Created:**" over "- Compact K:V schema for
    ...", then "**First Principles Derivation:**" over its steps: the design (the first item the label that
    says it was made heads), its steps, no problem stated."""
    lab = parse_label(doc.text(line).strip())
    if lab is None or lab[1] or not _DERIVATION.match(norm_label(lab[0])):
        return None
    steps_at = _list_after(doc, line + 1, None)
    steps = [clean(s.text, 300) for s in steps_at]
    if len(steps) < MIN_REASONS:
        return None
    for n in range(line - 1, max(doc.start, line - 40) - 1, -1):
        if _HEAD_MARK.match(doc.text(n)):
            return None  # (within its own "#" section: a bold label alone is read as a heading of its own)
        made = _BARE_LABEL.match(doc.text(n).strip())  # "**New Protocol Created (x/WSP_99.md):**"
        if made is None or not _MADE.search(rx.sub(r"\([^()]*\)", " ", made["k"])):
            continue
        first = _list_after(doc, n + 1, None)
        if not first:
            return None
        decision = clean(first[0].text, 300)
        if _words(decision) < 3 or parse_label(first[0].text):
            return None  # the design is named in a sentence, not a labelled part ("- **Files**: ...")
        passage = [_passage_line(doc, k) for k in (n, *range(first[0].line, first[-1].end + 1), line,
                                                   *range(steps_at[0].line, steps_at[-1].end + 1))]
        item = Item(anchor=line, label=principle_of(lab[0]) or "first_principles", problem="", explicit=False,
                    evidence=[], steps=steps, decision=decision, cause="", options=[], chosen="", rejected=[],
                    span=(n, steps_at[-1].end), evidence_text=doc.text(line).strip(), justified=True)
        item.passage = "\n".join(t for t in passage if t)
        return item
    return None


def _justify_task(item: Item) -> list[Draft]:
    """The `justify` task of a choice or design given with its reasons: the passage -> the decision, the reasons
    it states, the principle (derivable by construction: each is read from the passage)."""
    doc = item.doc
    passage = item.passage or ("\n".join(t for n in range(item.span[0], item.span[1] + 1) if (t := _passage_line(doc, n)))
                               if doc is not None else "")
    if not passage or len(passage) > MAX_PASSAGE or not all(_quoted(t, passage) for t in (item.decision, *item.steps)):
        return []
    words = rx.findall(r"[a-z0-9]+", item.decision.lower())
    return [Draft(instruction_key="justify", input={"passage": passage},
                  output={"decision": item.decision, "reasons": item.steps, "principle": item.label},
                  evidence=item.evidence_text[:300], kind="rationale_chains", label=item.label,
                  required=("decision", "reasons", "principle"), rationale=1.0, line=item.anchor, span=item.span,
                  ambiguity=0.25, ambiguities=["the problem the decision answers is not stated"],
                  identity="choice:" + " ".join(words[:12]))]


def _passed_over(doc: Document, line: int) -> bool:
    """A mention no passage can grow from, told from its line alone (before its passage is read):
    code, a citation ("WSP References: WSP 00 (Occam's Razor)"), a method named in a chain."""
    hit = doc.block_at(line)
    if hit is not None and hit[0] in ("fence", "record"):
        return True
    text = doc.text(line)
    if _CITED.search(text) and not rx.match(r"\s*(?:#|[-*]?\s*\*\*)[^:]{0,40}(?:occ[au]m|first[- ]princ|root[- ]?cause)", text, regex.I):
        return True
    lab = parse_label(hit[1].text if hit is not None and hit[0] == "item" else text.strip())
    return lab is not None and role_of(lab[0]) == "meta" and not principle_of(lab[0])


def passages(doc: Document, lines: list[int]) -> list[Item]:
    """The items of the passages that name a principle at `lines` (in line order): each entry once,
    anchored at the block that names its principle."""
    items: list[Item] = []
    consumed: set[int] = set()
    scopes: dict[tuple[int, int, int], list[Segment]] = {}
    for line in lines:
        if line in consumed or _passed_over(doc, line):
            continue
        key = scope_of(doc, line)
        segs = scopes.get(key)
        if segs is None:
            segs = scopes[key] = segments(doc, key[0], key[1])
        j = next((k for k, s in enumerate(segs) if s.line <= line <= s.end), None)
        if j is None:
            continue
        s = segs[j]
        if s.line == line and 1 <= s.level <= 7 and not _is_part(s) and (
                s.level == 1 or doc.section_at(line).end - line > MAX_TOPIC_LINES):
            continue  # a title over a long text: the parts under it are read where they name the principle
        if _CITED.search(doc.text(line)) and not s.principle:
            continue  # "the Deep Think → HoloIndex → Occam's Razor chain" names a method, it does not apply it
        if s.line == line and _IMPERATIVE.match(norm_label(s.label)):
            continue  # "**Evaluate retrieval quality (first principles)**:" instructs, it does not reason
        if not (s.line == line and (s.principle is not None or (s.role not in ("meta", None) and principle_of(s.value)))):
            u = next((u for u in s.units if u.line == line), None)
            if s.role not in ("reasoning", "cause", "decision", "options") or u is None or u.kind == "code" \
                    or not principle_of(u.text):
                continue  # "WSP References: WSP 00 (Occam's Razor)" cites, it does not reason
        item = _anchored(doc, segs, j, key[2], line)
        if item is None and s.level in (0, 7) and s.role == "cause":
            # a label's passage may end in the next section ("#### Iteration 1 Results" ... "**Root Cause
            # Analysis**:", then "#### Iteration 2 Results (Refined Algorithm)"): read the section over both
            sec = doc.section_at(key[0])
            if sec.parent is not None and sec.heading is not None and doc.sections[sec.parent].heading is not None:
                up = doc.sections[sec.parent]
                if up.end - up.start <= MAX_SCOPE:
                    wide = (up.start, up.end, up.level)
                    segs = scopes.get(wide) or scopes.setdefault(wide, segments(doc, up.start, up.end))
                    j = next((k for k, t in enumerate(segs) if t.line <= line <= t.end), None)
                    item = _anchored(doc, segs, j, up.level, line) if j is not None else None
        if item is None:
            continue
        consumed.update(n for n in range(item.span[0], item.span[1] + 1) if not item.free[0] <= n <= item.free[1])
        if not any(i.anchor == item.anchor for i in items):
            items.append(item)
    return items


def _is_part(seg: Segment) -> bool:
    """A block that is a part of an analysis ("Root Cause Analysis", "**First Principles**:"), not
    a heading naming a topic ("MCP Server First Principles Optimization")."""
    if seg.principle is None or seg.role not in ("cause", "reasoning", "problem"):
        return False
    rest = [w.lower() for w in rx.findall(r"[A-Za-z]+", _PRINCIPLE.sub(" ", norm_label(seg.label)))]
    return seg.role == "cause" or all(w in _PART_WORDS for w in rest)


# the words a heading may add to a principle's name and still be a part of an analysis
_PART_WORDS = set("""analysis applied application approach assessment breakdown check confirmed derivation
    found identified insight insights question questions reasoning review s step thinking via why this it
    matters works the of a an and to re razor razors principle principles layer layers""".split())


def _anchored(doc: Document, segs: list[Segment], j: int, level: int, line: int) -> Item | None:
    """The item of the entry around segment j, anchored where the entry names its principle: a
    labelled cause or analysis before a decision that names one, a part before a topic heading."""
    item = build(doc, segs, j, level, line)
    if item is None:
        return None
    lo, hi = item.span
    if not _is_part(segs[j]) or segs[j].line != line:
        parts = [k for k, s in enumerate(segs) if lo <= s.line <= hi and k != j and _is_part(s)
                 and clean(s.value) != item.decision and not item.dspan[0] <= s.line <= item.dspan[1]]
        for k in parts:
            better = build(doc, segs, k, level, segs[k].line)
            if better is not None and better.decision == item.decision:
                item = better
                break
    if item.label == "occams_razor":
        # the Occam block that picks among the options is the anchor
        occ = next((s for s in segs if item.span[0] <= s.line <= item.span[1] and s.principle == "occams_razor"), None)
        if occ is not None and occ.line != item.anchor:
            item.anchor, item.evidence_text = occ.line, doc.text(occ.line).strip()
    return item


# -- tables and logs ----------------------------------------------------------------------------

_ISSUE_COL = regex.compile(r"(?i)^(?:issue|problem|symptom|bug)s?$")
_CAUSE_COL = regex.compile(r"(?i)^root[- ]?causes?$")
_FIX_COL = regex.compile(r"(?i)^(?:fix|solution|resolution|change|action|remedy)(?:es|s)?(?:\s+applied)?$")


def _told(doc: Document, heads: list, issue: str, line: int):
    """The heading above a summary table that told the issue its row names: its title holds the row's words ("LM
    Studio" -> "Issue 1: LM Studio NOT Auto-Launching"), or one of them while its first lines hold the others
    ("Multiple PIDs" -> "Issue 3: Multiple Instance UX" over "Found 4 instances ... PID 1744")."""
    stems = [w.lower()[:max(3, len(w) - 1)] for w in rx.findall(r"[A-Za-z][\w-]{2,}", issue)]
    if not stems:
        return None
    for h in reversed(heads):
        title = h.title.lower()
        if doc.section_at(h.line).end >= line or _words(h.title) <= _words(issue) or not any(s in title for s in stems):
            continue
        if issue.lower() in title:
            return h
        sec = doc.section_at(h.line)
        body = " ".join(doc.text(n) for n in range(h.line, min(sec.end, h.line + 20) + 1)).lower()
        if all(s in body for s in stems):
            return h
    return None


def _said_whole(doc: Document, line: int, short: str) -> str:
    """The line of the section at `line` that says `short` whole: it starts with the same words and goes on
    (a label before it, "**Simplest Fix:**", is not part of it); `short` when none does."""
    sec = doc.section_at(line)
    key = _norm(short)
    for n in range(line + 1, min(sec.end, line + 60) + 1):
        text = clean(doc.text(n))
        lab = parse_label(doc.text(n))
        body = clean(lab[1]) if lab and lab[1] else text
        if _norm(body).startswith(key) and len(body) > len(short) and _words(body) <= 3 * _words(short) + 6:
            return body
    return short


_FIX_WORD = regex.compile(r"(?i)\b(?:solutions?|fix|fixes|resolution|corrective|correct\s+approach)\b")


def _labelled_fix(doc: Document, line: int) -> str:
    """The fix the section at `line` states on a labelled line of its own ("**Simplest Fix:** Ask once, ..."), or ""."""
    sec = doc.section_at(line)
    for n in range(line + 1, min(sec.end, line + 80) + 1):
        lab = parse_label(doc.text(n))
        if lab and lab[1] and role_of(lab[0]) == "decision" and _FIX_WORD.search(norm_label(lab[0])) \
                and _words(value := clean(lab[1]).rstrip(":")) >= 4:
            return value
    return ""


def _impact(doc: Document, line: int) -> list[str]:
    """The problem or impact the section at `line` states first ("**Impact:** Falls back to DOM-only mode")."""
    sec = doc.section_at(line)
    for n in range(line + 1, min(sec.end, line + 30) + 1):
        lab = parse_label(doc.text(n))
        if lab and lab[1] and rx.match(r"(?i)(?:impact|problem|symptoms?)$", norm_label(lab[0])):
            return [f"{norm_label(lab[0])}: {clean(lab[1]).rstrip(':')}"]
    return []


def _analysed(doc: Document, line: int) -> list[str]:
    """What the analysis under the section at `line` found ("### Root Cause Analysis" and its list): the facts a
    summary row's few words stand for, given whole or counted."""
    sec = doc.section_at(line)
    for sub in doc.subsections(sec):
        if sub.heading is None or role_of(sub.heading.title, heading=True) not in ("cause", "reasoning"):
            continue
        said = [clean(it.text) for it in doc.items_in(sub.start, sub.end) if it.parent is None]
        said = [t for t in said if _words(t) >= 3]
        if said:
            return [f"{clean(sub.heading.title, 80)}: {_upto(said, 8)}"]
    # no analysis: the log excerpt the section shows under its problem ("### Problem Detected" over a fence)
    for sub in doc.subsections(sec):
        if sub.heading is not None and role_of(sub.heading.title, heading=True) == "problem":
            f = next(iter(doc.fences_in(sub.start, sub.end)), None)
            shown = [t for t in (clean(x, 300) for x in (f.body if f is not None else [])) if _words(t) >= 2
                     and not _CODE_NOISE.match(t) and not (t.upper() == t and _words(t) <= 2)]
            return shown[:6] if len(shown) <= 6 else []
    return []


def table_items(doc: Document, line: int) -> list[Item]:
    """"| Issue | Root Cause | Fix |": each row is a problem, its root cause and its fix."""
    hit = doc.block_at(line)
    if hit is None or hit[0] != "table" or hit[1].start != line:
        return []
    t = hit[1]
    head = [clean(h, 80) for h in t.header]
    col = {name: next((i for i, h in enumerate(head) if pattern.match(h)), None)
           for name, pattern in (("issue", _ISSUE_COL), ("cause", _CAUSE_COL), ("fix", _FIX_COL))}
    if None in col.values():
        return []
    topic = _topic(doc.section_at(line).title) if doc.section_at(line).heading else ""
    if rx.search(r"(?i)\b(?:fix|fixes|solutions?|resolutions?)\b", topic):
        topic = ""  # "main.py Startup Performance Fix", "Summary of Fixes": the title says a fix follows, no more
    heads = [h for h in doc.headings() if h.line < line and h.level <= 6]
    out = []
    for row in t.rows:
        cells = [clean(c, 300) for c in row.cells]
        if len(cells) < len(head):
            continue
        issue, cause, fix = cells[col["issue"]], cells[col["cause"]], cells[col["fix"]]
        said: list[str] = []
        if _words(issue) < 1 or _words(cause) < 2 or _words(fix) < 2:
            continue
        if _words(issue) <= 3:
            # a summary row names its issue ("LM Studio"); the section that told it above states it ("## Issue 1: LM
            # Studio NOT Auto-Launching")
            told = _told(doc, heads, issue, line)
            if told is not None:
                # what the section said the issue costs is what the row's cells stand for
                # (its title's parenthesis tells the outcome: "OAuth Token Refresh (Documented, Not Automated)")
                issue = rx.sub(r"\s*\([^()]*\)\s*$", "", _topic(told.title))
                # a title names the issue; what it costs ("**Impact:** ...") states it
                impact = _impact(doc, told.line)
                issue = f"{issue}: {impact[0].split(': ', 1)[1]}" if impact else issue
                said = _analysed(doc, told.line)
                # the row's fix in a few words ("Add correct path"); the section says it whole ("**Simplest Fix:** Add
                # correct path to `.env`")
                whole = _said_whole(doc, told.line, fix)
                # or, said otherwise, the fix it labels ("Interactive y/n prompt" -> "**Simplest Fix:** Ask once, kill
                # all if Y, continue launch automatically."): the cell, then what it stands for
                fix = whole if whole != fix else (f"{fix}: {how}" if (how := _labelled_fix(doc, told.line)) else fix)
        out.append(Item(anchor=row.line, label="root_cause", problem=issue, explicit=_words(issue) >= 3,
                        evidence=([topic] if topic else []) + said, steps=[cause], decision=fix, cause=cause, options=[],
                        chosen="", rejected=[], span=(row.line, row.line), evidence_text=doc.text(row.line).strip(),
                        row=True))
    return out


_QWEN_Q = regex.compile(r"QWEN-FIRST-PRINCIPLES")
_QWEN_TAG = regex.compile(r"^QWEN-[A-Z-]+$")
_NEED = regex.compile(r"(?i)\s[-\u2013\u2014]\s(?P<a>(?:need|needs|should|skip|use|check|scan|run|wait|retry|rotate|"
                      r"switch|fall\s*back|go)\b.*)$")


def qwen_items(doc: Document, line: int) -> list[Item]:
    """"[QWEN-FIRST-PRINCIPLES] Is the last video still live?" and the QWEN records that answer it;
    a question the log does not answer makes nothing."""
    hit = doc.block_at(line)
    if hit is None or hit[0] != "record":
        return []
    rec = hit[1]
    question = clean(rec.message)
    if _words(question) < 3:
        return []
    evidence, steps, decision = [], [], ""
    for r in doc.records[rec.index + 1: rec.index + 9]:
        qtags = [t for t in r.tags if _QWEN_TAG.match(t)]
        msg = clean(r.message)
        if not msg or msg.endswith("..."):
            continue  # "Evaluating global system state...": what it is doing, not what it found
        if "QWEN-FIRST-PRINCIPLES" in qwen_tags_of(r):
            break
        if not qtags:
            if r.level in ("ERROR", "WARNING", "CRITICAL") and len(evidence) < 3:
                evidence.append(msg)
                continue
            if steps:
                break
            continue
        if qtags[0] in ("QWEN-PRIORITIZE", "QWEN-SCORE", "QWEN-INIT"):
            break
        m = _NEED.search(msg)
        if m and not decision:
            # "No cached stream or last stream ended - need full channel scan": the finding, then what it calls for;
            # the records after it (a global check, the time of day) answer other questions. What it found is what
            # the log gives, not a step to infer: it goes with the evidence
            evidence.append(msg[: m.start()].strip())
            decision = m["a"].strip()
            decision = decision[:1].upper() + decision[1:]
            break
        steps.append(msg)
        if rx.search(r"(?i)\bdecision\s*:", msg):
            break
    if not decision or not (steps or evidence):
        return []
    end = rec.line
    return [Item(anchor=rec.line, label="first_principles", problem=question, explicit=True, evidence=evidence,
                 steps=steps, decision=decision, cause="", options=[], chosen="", rejected=[], span=(rec.line, end),
                 evidence_text=doc.text(rec.line).strip()[-200:])]


def qwen_tags_of(r) -> list[str]:
    return [t for t in r.tags if t.startswith("QWEN-")]


# -- examples -----------------------------------------------------------------------------------


# a label that only says what kind of statement follows ("Action: Deleted X", "Issue: Y")
_GENERIC_LABEL = regex.compile(r"(?i)^(?:actions?|issue|problem|description|enhancement(?:\s+applied)?|changes?|fix|"
                               r"solution|resolution)\s*:\s+(?=\S)")


def unlabelled(text: str) -> str:
    """A text without the generic labels of its parts ("Action: Deleted X; Enhancement Applied: Enhanced Y" ->
    "Deleted X; Enhanced Y")."""
    if ": " not in text:
        return text
    return "; ".join(_GENERIC_LABEL.sub("", p) for p in text.split("; "))


_DONE_MARK = regex.compile(r"(?i)\s*\((?:removed|deleted|moved|fixed|resolved|done|completed?|archived|relocated|applied)\)")


def _unmarked(text: str) -> str:
    """An input text without the marks that tell what was done about it ("`check_db.py` (removed)"): they
    would give the decision away."""
    return _DONE_MARK.sub("", text) if "(" in text else text


# what comes of a decision, said after it ("This enables the X chain", "YES - Build succeeds"): not a step towards it
_CONSEQUENCE = regex.compile(r"(?i)^(?:(?:this|that|it|which)\s+(?:now\s+)?(?:enables?|allows?|lets|means|makes|gives|ensures|"
                             r"provides|unlocks|results?)\b|this\s+(?:\w+\s+){0,2}(?:transformed|turned|changed|led\s+to)\b)")
# the answer to "Does it work?" ("YES - Build succeeds"): how the decision turned out, neither a step nor evidence
_OUTCOME = regex.compile(r"(?i)^(?:(?:yes|no)\b\s*[-:\u2013\u2014(]|build\s+succeed|tests?\s+pass)")
# the principle named as the label of the statement that applies it ("Occam's Razor: Simplest solution is X")
_PRINCIPLE_LEAD = regex.compile(r"(?i)^(?:occam'?s\s+razor|first[\s-]+principles?(?:\s+analysis)?|root[\s-]+cause(?:\s+analysis)?)"
                                r"(?:\s*\([^()]{0,40}\))?\s*:\s+(?=\S)")
# a caption over what it found ("Systemic Violations Analysis: Critical Violations Identified: X"): X is the problem
_CAPTION = regex.compile(r"(?i)^(?P<h>[^:]{3,90}?\b(?:analysis|enhancement|report|audit|summary|overview|identified|found|"
                         r"detected|discovered))(?:\s*\([^()]{0,40}\))?:\s+(?P<r>\S.*)$")
# an option's own verdict on the comparison ("Complexity Ratio: 3:1 (current solution is 3x more complex than ...)")
_VERDICT = regex.compile(r"(?i)\b(?:more|less)\s+complex\s+than\b|complexity\s+ratio|\bsimplest\b|occam|minimum\s+viable|"
                         r"over-?engineer|overkill|\bwinner\b|\brecommended\b")


def _uncaptioned(text: str) -> str:
    """A problem without the captions heading it ("Analysis: Issues Identified: X" -> "X")."""
    for _ in range(2):
        m = _CAPTION.match(text)
        if not m or _words(m["h"]) > 10 or _words(m["r"]) < 4 or _STRONG_PROBLEM.search(m["h"]):
            break
        text = m["r"]
    return text


def _no_verdict(option: str) -> str:
    """An option as it is put to the reader: without the parts that judge it against the others."""
    parts = [p for p in option.split("; ") if not _VERDICT.search(p)]
    return "; ".join(parts) if parts else option


def _joined(lines: list[str]) -> list[str]:
    """Lines with a sentence's continuation ("... which fails", "because Chrome locks ...") put back on its line."""
    out: list[str] = []
    for t in lines:
        # a word that goes on the sentence ("which fails", "because Chrome ..."), not a name that opens an entry
        # ("micro_task.py: Test script")
        if out and rx.match(r"[a-z]+[ ,]", t) and not out[-1].rstrip().endswith((".", ";", ":", "!", "?")):
            out[-1] = f"{out[-1]} {t}"
        else:
            out.append(t)
    return out


def _method(decision: str) -> bool:
    """A decision that is the principle itself ("Analyze code from first principles, challenge assumptions"), not
    an action it chose; "The SIMPLEST fix is adding X" names what Occam's Razor chose, "Applied first principles to
    X: <what changed>" what first principles did."""
    named = principle_of(decision)
    return named is not None and _words(_PRINCIPLE.sub(" ", decision)) < (3 if named == "occams_razor" else 8)


# a question put in the passage ("User question: "Can main.py fire up X?"", "Question: "What is the SIMPLEST
# solution?""): what the reasoning starts from, not a step of it; a question the step answers ("Why does X? → Y") is one
_QUESTION = regex.compile(r"(?i)^(?:(?:the\s+|user\s+|012\s+)?question\s*:|[^\u2192]{0,200}\?[\"']?$)")


_GATHERED = regex.compile(r"(?i)^(?:used|using|ran|read)\s+\S.{0,60}?\bto\s+(?:research|search|find|locate|look\s+up)\b")
_ALREADY = regex.compile(r"(?i)\balready\s+(?:exists?|does|do|has|have|handles?|routes?|covers?|works?|is|are|provides?|supports?)\b")
_INFERS = regex.compile(r"(?i)\b(?:so|therefore|thus|hence|because|since)\b|→|->")
def _asked(step: str) -> bool:
    """A question put to the reasoning, not a step of it: "Question: ...", a bare question; not a step of a numbered
    chain that asks as it goes ("Deep Think: Apply first principles - does this indicate malfunction?")."""
    if not _QUESTION.match(step):
        return False
    head, sep, _ = step.partition(": ")
    return not (sep and _words(head) <= 3 and not rx.search(r"(?i)question|ask", head) and "?" not in head)


_STATED = regex.compile(r"(?i)^(?:context|impact|severity|priority|background|scope|symptoms?)\s*:")
_FINDING = regex.compile(r"(?i)^(?:found|discovered|observed|searched|located|detected|confirmed|verified|evidence|"
                         r"research\s+findings?)\b")


_DONE = regex.compile(r"(?i)^(?:created|added|implemented|built|enhanced|deleted|removed|moved|replaced|fixed|"
                      r"integrated|introduced|extracted|split|merged)\b")


def _stems(text: str) -> set[str]:
    return {w[:5] for w in rx.findall(r"[a-z0-9]{3,}", text.lower())}


def _tells(evidence: str, decision: str) -> bool:
    """Whether the evidence is the change itself said as done ("Created PQN MCP Server with internal agents ..."):
    it names at least half of what the decision names."""
    d = _stems(decision)
    return bool(_DONE.match(evidence)) and len(d) >= 3 and 2 * len(d & _stems(evidence)) >= len(d)


_RELOCATION = regex.compile(r"(?i)^(?:`?(?:git\s+)?mv\b|move[ds]?\b|relocat\w*|should\s+be\s+in\b|proper\s+location\b|"
                            r"correct\s+location\b|delete[ds]?\b|remove[ds]?\b|archive[ds]?\b)")
_PROCESS_CAUSE = regex.compile(r"(?i)\b(?:did\s+not|didn'?t|failed\s+to|without|skipped|bypass\w*|vibecod\w*|process|"
                               r"assumed|not\s+(?:follow|check|consult|verif)\w*|ignor\w*|insufficient|"
                               r"missing\s+[\w\s-]{0,30}?(?:verification|checks?|checklist|enforcement|validation))")


def _relocates_only(fix: str, cause: str) -> bool:
    """Whether the fix only moves or deletes what was misplaced while the cause is how it came to be (a step not
    followed, a habit): the fix clears the symptom, it does not remove the cause."""
    parts = [p for p in rx.split(r";\s+", fix) if p.strip()]
    return bool(parts) and all(_RELOCATION.match(p.strip()) for p in parts) and bool(_PROCESS_CAUSE.search(cause))


def drafts(item: Item) -> list[Draft]:
    """The item's examples, each with an input that holds what its output needs.

    - `reason` (problem + evidence -> chain + decision): what the text found ("Found X ALREADY
      EXISTS") is evidence, so it goes in the input; the chain is the inference. A root cause is
      found, not inferred, so a root-cause item reasons only from evidence the text gives with it.
    - `fix` (problem + root cause -> the fix): every root-cause item whose cause is stated.
    - `choose` (problem + options -> the simplest, and what it rules out): where options are compared.
    """
    if item.justified:
        return _justify_task(item)
    item.problem = _uncaptioned(unlabelled(_unmarked(item.problem)))
    item.decision, item.cause = _PRINCIPLE_LEAD.sub("", unlabelled(item.decision)), unlabelled(item.cause)
    item.evidence = _joined([_unmarked(e) for e in item.evidence])
    if _MARKED.search(item.decision):
        # "Subprocess mode (DEFAULT): SIGKILL guarantee" beside the decision "subprocess (default): ...": the mark
        # in the input would give the choice away
        item.evidence = [rx.sub(r"(?i)\s*\((?:default|recommended|chosen|selected|preferred)\)", "", e) for e in item.evidence]
    item.options = [_no_verdict(_unmarked(o)) for o in item.options]
    if _MARKED.search(item.decision):
        # "subprocess (default)" over "thread", "inproc": the others are modes kept beside the default, not rejected
        item.rejected = []
    # what comes of the decision ("This enables ...") is said after it: in the input it would give the answer away;
    # so does the entry's summary of what it did ("Created X Server with internal agents ..." for the decision
    # "dedicated X server with internal agents")
    item.evidence = [e for e in item.evidence if not _CONSEQUENCE.match(e) and not _tells(e, item.decision)]
    # what the text found, the state before and the question put: said with the problem, not steps that lead to
    # the decision
    # ... and the answer found to that question ("Answer: YES - X HAS access, BUT ...")
    asked = any(rx.match(r"(?i)(?:the\s+|user\s+)?question\s*:", e) for e in item.evidence + item.steps)
    findings = [t for t in item.steps if _FINDING.match(t) or rx.match(r"(?i)before\s*:", t) or (
        asked and rx.match(r"(?i)answer\s*:\s*(?:yes|no)\b", t)) or (
        _asked(t) and _words(_PRINCIPLE.sub(" ", rx.sub(
        r"(?i)\b(?:user|question|what|is|the|simplest|solution)\b", " ", t))) >= 3)]
    findings = [t for t in findings if not _OUTCOME.match(t)]
    # "Context: ...", "Impact: HIGH - ...": what the entry states about the problem, not a step of reasoning
    findings += [t for t in item.steps if _STATED.match(t) and t not in findings]
    # how the evidence was gathered ("Used HoloIndex to research existing architecture") is no step of the reasoning
    chain = [t for t in item.steps if t not in findings and not _OUTCOME.match(t) and not _CONSEQUENCE.match(t)
             and not _asked(t) and not _GATHERED.match(t)]
    if len(chain) == 1 and _ALREADY.search(chain[0]) and not _INFERS.search(chain[0]) and not item.approach \
            and item.label != "root_cause":
        # the one step is a fact found ("MessageProcessor already routes commands."): what the decision is derived
        # from, so it is evidence, and the example is the decision task
        findings, chain = findings + chain, []
    if item.approach and len(chain) >= 2 and 2 * sum(bool(_ARROW.search(f" {t} ")) for t in chain) >= len(chain):
        # a chain of inferences ("Why does X trigger? -> Y", "Z already works -> why run Y?") with a bare fact among
        # them ("Z uses an authenticated session"): the fact is given, not inferred; the input must hold it
        given = [t for t in chain if not _INFERS.search(t) and "?" not in t and not _IMPERATIVE.match(t)
                 and not _ACTIONISH.match(t)]
        if given and len(given) < len(chain):
            findings, chain = findings + given, [t for t in chain if t not in given]
    for q in [t for t in findings if rx.match(r"(?i)(?:the\s+|user\s+)?question\s*:", t)]:
        at = next((k for k, t in enumerate(chain) if rx.match(r"(?i)answer\s*:", t)), None)
        if at is not None:
            # "Question: What does X need?" then "Answer: pattern recall, not computation": asking the fundamental
            # question and answering it is one step of the reasoning, not a finding beside it
            findings.remove(q)
            chain.insert(at, q)
    evidence = item.evidence + findings
    inp: dict = {"problem": item.problem}
    if evidence:
        inp["evidence"] = evidence
    ambiguity, ambiguities = 0.0, []
    if not item.explicit:
        ambiguity = 0.25
        ambiguities.append("the problem is read from the entry's context or heading, not stated as one")
    n = len(chain)
    rationale = 1.0 if n >= 2 else 0.5 if n == 1 else 0.0
    note = "" if n >= 2 else f"Partial rationale (the text gives {n} reasoning step(s))"
    out: dict = {"reasoning_chain": chain, "decision": item.decision, "principle": item.label}
    if item.rejected:
        out["rejected"] = item.rejected
    if item.lesson:
        out["lesson"] = item.lesson
    # the incident is its problem and decision as stated: the same problem decided alike in a later document (a
    # session summary of a fix a ModLog already recorded) is a restatement; the same question decided otherwise is
    # another item; a short problem ("CAPTCHA") names too little to tell
    words = rx.findall(r"[a-z0-9]+", item.problem.lower())
    identity = ("problem:" + " ".join(words) + "\x00" + " ".join(rx.findall(r"[a-z0-9]+", item.decision.lower())[:8])
                if len(words) >= 5 else None)
    common = dict(evidence=item.evidence_text[:300], label=item.label, line=item.anchor, span=item.span,
                  ambiguity=ambiguity, ambiguities=ambiguities, identity=identity)
    made = []
    derivable = item.label != "root_cause" or bool(evidence)
    stated = bool(item.cause) and (item.label == "root_cause" or chain == [item.cause]) and _words(item.cause) >= 3
    # a stated root cause is the `fix` task's: a chain that only restates the cause is not derived from the
    # evidence; a table row states a cause and its fix, no chain; a choice argued only by its options is the
    # `choose` task's
    if not n and not stated and not item.row and not item.approach and not _method(item.decision) and (
            evidence or not item.problem.rstrip("\"'").endswith("?")) and not (
            item.label == "occams_razor" and len(item.options) >= 2 and item.chosen):
        # the text states the problem and the decision but no step between them: the decision task, not a chain
        # (nor a decision that is the principle itself: "First principles analysis challenges assumptions"; nor an
        # answer to a bare question, which the input gives nothing to derive from)
        made.append(Draft(instruction_key="decide", input=inp, output={"decision": item.decision, "principle": item.label},
                          kind="decision_trees", required=("decision", "principle"), rationale=1.0, **common))
    if item.approach and n:
        # the approach tried or proposed, questioned: the reasoning against it and what to do instead
        made.append(Draft(instruction_key="rethink", input={"approach": item.problem, **({"evidence": evidence} if evidence else {})},
                          output=out, kind="rationale_chains" if n >= 2 else "decision_trees",
                          required=("reasoning_chain", "decision", "principle"), rationale=rationale,
                          rationale_note=note, **common))
    elif not item.row and n and derivable and not stated and not (n < 2 and item.label == "occams_razor" and len(
            item.options) >= 2 and item.chosen):  # one step beside a choice among options: the `choose` task's
        made.append(Draft(instruction_key="reason", input=inp, output=out,
                          kind="rationale_chains" if n >= 2 else "decision_trees",
                          required=("reasoning_chain", "decision", "principle"), rationale=rationale,
                          rationale_note=note, **common))
    if stated:
        fix_in = {"problem": item.problem, "root_cause": item.cause}
        if item.evidence:
            fix_in["evidence"] = item.evidence
        # the task names its principle (a root cause was found); the output is the fix, not a label to choose
        fix_out = {"fix": item.decision, **({"lesson": item.lesson} if item.lesson else {})}
        # a fix that only moves or deletes what was misplaced, for a cause that is a step not followed, clears the
        # symptom: it is asked for as the correction applied, not as the fix that removes the cause
        key = "relocate" if _relocates_only(item.decision, item.cause) else "fix_lesson" if item.lesson else "fix"
        if item.learned:  # the entry's "Learning:" rule is what it learned from the cause, not a fix it applied
            key, fix_out = "learn", {"lesson": item.decision}
        made.append(Draft(instruction_key=key, input=fix_in, output=fix_out,
                          kind="decision_trees", required=(next(iter(fix_out)),), rationale=1.0,
                          **{**common, "ambiguities": list(ambiguities)}))
    if item.label == "occams_razor" and len(item.options) >= 2 and item.chosen:
        # the decision as more than the choice restated: what it adds ("; Complexity Ratio: 3:1 ..."), if anything
        said = item.decision
        for head in (item.chosen, item.chosen.split(": ", 1)[-1]):
            if said.startswith(head):
                said = said[len(head):].strip(" ;:-")
                break
        # "Option 1 - Simplest and immediate impact" for the choice "1) Make Y call X": the option named again, then
        # why; "Option A - Add X parameter (60 lines)": then what it comes to, no reason
        named = [rx.match(r"(?i)(?:option\s+)?([a-d1-9])(?=[)\s:.-])", t) for t in (said, item.chosen)]
        why = "reason"
        if all(named) and named[0][1].lower() == named[1][1].lower():
            said = said[named[0].end():].lstrip(" )-:.\u2013\u2014")
            why = "reason" if _REASON_CUE.search(said) else "decision"
        made.append(Draft(instruction_key="choose", input={"problem": item.problem, "options": item.options},
                          output={"choice": item.chosen, "rejected": item.rejected,
                                  **({why: said} if said and _words(said) >= 3 else {}), "principle": item.label},
                          kind="decision_trees", required=("choice", "rejected"),
                          rationale=1.0 if chain else 0.5, **{**common, "ambiguities": list(ambiguities)}))
    # where the passage can be given whole, it is the item's reasoning task: the chain and the decision are read in
    # their context, not reasoned out of a problem line (a `reason`, `decide` or `rethink` input is a line or two,
    # and its answer holds what it does not); a fix or a choice whose input holds its answer stays beside it, one
    # that names what its input does not (ports, file names, figures: EXAMPLES.md 1) gives way to it
    analysed = _analyse_task(item, chain, evidence, {**common, "ambiguities": list(ambiguities)}) if made else None
    if analysed is not None:
        stays = [d for d in made if d.instruction_key in ("fix", "fix_lesson", "relocate", "choose")
                 and len(unsupported(d.output, _flat(d.input))) <= MAX_UNSUPPORTED]
        if len(stays) < len(made):
            made = stays + [analysed]
    # a `reason` task left (its passage too long to give whole) is made derivable from its input, or not made
    return [r for d in made for r in (_reasoned(d) if d.instruction_key == "reason" else [d])]


def _reasoned(d: Draft) -> list[Draft]:
    """The `reason` task, derivable from its input (EXAMPLES.md 1): a step that states what a reader could not
    know (a measurement, a file, a name) is given as evidence, not asked for; where no step is left, the task is
    to decide from the evidence; an alternative its input does not name is left out; an answer that still names
    what the input does not is no task."""
    inp, out = d.input, d.output
    chain = out["reasoning_chain"]
    given = [t for t in chain if unsupported({"t": t}, _flat(inp))]
    if len(unsupported(out, _flat(inp))) > MAX_UNSUPPORTED and given:
        inp = {**inp, "evidence": [*inp.get("evidence", []), *given]}
        chain = [t for t in chain if t not in given]
        out = {**out, "reasoning_chain": chain}
    if out.get("rejected") and len(unsupported({"r": out["rejected"]}, _flat(inp))) > MAX_UNSUPPORTED:
        out = {k: v for k, v in out.items() if k != "rejected"}
    if len(unsupported(out, _flat(inp))) > MAX_UNSUPPORTED:
        return []
    if out is d.output:
        return [d]
    if not chain:
        out = {k: v for k, v in out.items() if k != "reasoning_chain"}
        return [replace(d, instruction_key="decide", input=inp, output=out, kind="decision_trees",
                        required=("decision", "principle"), rationale=0.5,
                        rationale_note="Partial rationale (its steps are given as evidence)")]
    n = len(chain)
    return [replace(d, input=inp, output=out, kind="rationale_chains" if n >= 2 else "decision_trees",
                    rationale=1.0 if n >= 2 else 0.5,
                    rationale_note="" if n >= 2 else f"Partial rationale (the text gives {n} reasoning step(s))")]


def _analyse_task(item: Item, chain: list[str], evidence: list[str], common: dict) -> Draft | None:
    """The `analyse` task (the passage read whole -> its problem, what it found, its cause, options and steps,
    the decision and the principle): derivable by construction, made where every field is read from the
    passage (not from code)."""
    if not item.passage and item.doc is not None and not item.row:
        item.passage = passage_of(item.doc, item, [item.problem, item.decision, item.cause, *item.steps])
    if not item.passage:
        return None
    cause = item.cause if item.cause and item.label == "root_cause" else ""
    passage = item.passage
    if not all(_quoted(t, passage) for t in (item.problem, item.decision, *([cause] if cause else []))):
        return None
    # what the passage gives of the rest: a step, finding or option it does not hold is not asked for (the
    # output states what the input holds)
    steps = [t for t in chain if (not cause or t.rstrip(" .;") not in cause) and _quoted(t, passage)]
    found = [e for e in evidence if _quoted(e, passage) and e.rstrip(" .;") not in cause]
    # a question put ("User Question: can we automate X?") is given with the answer the passage gives it
    said = passage.split("\n")
    for e in [e for e in found if rx.match(r"(?i)(?:the\s+|user\s+)?question\s*:", e)]:
        at = next((k for k, t in enumerate(said) if t.strip() == e.strip()), None)
        if at is not None and at + 1 < len(said) and rx.match(r"(?i)answer\s*:\s*\S", said[at + 1]) \
                and said[at + 1] not in found:
            found.insert(found.index(e) + 1, said[at + 1].strip())
    options = item.options if item.options and item.chosen and all(_quoted(o, passage) for o in item.options) else []
    rejected = item.rejected if item.rejected and all(_quoted(r, passage) for r in item.rejected) else []
    # (a decision that is the entry's "Learning:" rule is given as the lesson it draws)
    fields = {"approach_rejected" if item.approach else "problem": item.problem,
              **({"findings": found} if found else {}), **({"root_cause": cause} if cause else {}),
              **({"options": options} if options else {}), **({"reasoning_chain": steps} if steps else {}),
              "lesson" if item.learned else "decision": item.decision, **({"rejected": rejected} if rejected else {})}
    # the instruction asks for what the output gives: the reasoning where there is some, else the cause and its
    # fix, else the decision alone (an instruction that asks for steps the passage does not give reads as a gap)
    # (a passage that questions an approach is asked for the approach it rejects, not for a problem it does not state)
    # (and one whose decision is the rule it learned, for the lesson, not a fix: "**Pattern Stored**: Always ...")
    key = "analyse_approach" if item.approach else "analyse_lesson" if item.learned and not steps and not options \
        else "analyse" if steps or found or options or rejected else "analyse_cause" if cause else "analyse_decision"
    return Draft(instruction_key=key, input={"passage": item.passage}, output={**fields, "principle": item.label},
                 kind="rationale_chains" if len(steps) >= 2 else "decision_trees",
                 required=("lesson" if item.learned else "decision", "principle"), rationale=1.0, **common)


# -- derivability and the `analyse` task ----------------------------------------------------------

MAX_UNSUPPORTED = 1  # specifics an answer may name that its input does not and still be derivable from it
MAX_PASSAGE = 1600  # characters (~400 tokens, well inside the trainer's 1024-token prompt); a longer span is not given
# what a reader cannot guess: a number, a path or dotted name, a name in code or CamelCase
_SPECIFIC = regex.compile(r"`[^`\n]+`|[\w./\\-]*\d[\w./\\:%-]*|\b\w+(?:[_./\\]\w+)+\b|\b[a-z]+[A-Z]\w*\b"
                          r"|\b[A-Z][a-z]+[A-Z]\w*\b")
_HEADING = regex.compile(r"^\s{0,3}(#{1,6})\s+")


def _flat(value) -> str:
    if isinstance(value, dict):
        return " ".join(_flat(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_flat(v) for v in value)
    return str(value)


def _norm(text: str) -> str:
    return " " + " ".join(rx.findall(r"[a-z0-9]+", text.lower())) + " "


def unsupported(output: dict, given: str) -> list[str]:
    """The specifics (numbers, paths, code names) the output states that `given` does not: facts a reader
    holding only the input could not write (EXAMPLES.md 1)."""
    told = _norm(given)
    found = []
    for s in _SPECIFIC.findall(_flat({k: v for k, v in output.items() if k != "principle"})):
        n = _norm(s.strip("`.,;:()"))
        if n.strip() and n not in told and n not in found:
            found.append(n)
    return [f.strip() for f in found]


def _located(doc: Document, item: Item, texts: list[str]) -> list[int]:
    """The lines near the item that the parts of `texts` (fields, their parts joined by "; ") begin on."""
    window = [(n, _norm(clean(t, MAX_PASSAGE))) for n, t in doc.span(item.span[0] - 60, item.span[1] + 60) if t.strip()]
    found = []
    for part in (p for text in texts for p in text.split("; ")):
        words = rx.findall(r"[a-z0-9]+", part.lower())[:5]
        if len(words) < 2:
            continue
        key = " " + " ".join(words) + " "
        near = [n for n, t in window if key in t]
        if near:
            found.append(min(near, key=lambda n: abs(n - item.anchor)))
    return found


def _passage_line(doc: Document, n: int) -> str:
    """Line `n` as prose to read ("" for none): a heading with its marks, a list item indented by its nesting, a
    table row as its cells, a log record without its time and logger; code and table rules give none."""
    t = doc.text(n)
    hit = doc.block_at(n)
    kind = hit[0] if hit is not None else None
    if not t.strip() or kind == "fence":
        return ""  # code (its fence lines too) is not prose: a fact only code gives is not quoted from the passage
    if kind == "record":
        t = _LOG_PREFIX.sub("", t)
    # a `#` heading and a list item's first line, as the document's structure reads them
    sec = doc.section_at(n)
    head = _HEADING.match(t) if sec.start == n and sec.heading is not None and sec.heading.style == "atx" else None
    item = hit[1] if kind == "item" and hit[1].line == n else None
    if kind == "table":
        row = hit[1].row_at(n)
        if row is None and n != hit[1].start:
            return ""  # the rule under the header
        text = " | ".join(clean(_status_word(c), MAX_PASSAGE) for c in (row.cells if row is not None else hit[1].header))
    else:
        text = clean(t[head.end():] if head else t, MAX_PASSAGE)
    if not text:
        return ""
    if t.rstrip().endswith(":") and not text.endswith(":"):
        text += ":"  # "**Impact**:" over its list: the caption keeps its colon
    if head:
        return f"{head[1]} {text}"
    if item is not None:
        return "  " * min(3, item.indent // 2) + f"- {text}"
    return text


def _without_empty_headings(out: list[str]) -> list[str]:
    """A heading whose lines were all code ("### Evidence" over a log excerpt) says nothing: it goes with them."""
    levels = [len(h[1]) if (h := _HEADING.match(t)) else 0 for t in out]
    return [t for k, t in enumerate(out)
            if not levels[k] or (k + 1 < len(out) and (not levels[k + 1] or levels[k + 1] > levels[k]))]


def _whole_lists(doc: Document, first: int, last: int) -> tuple[int, int]:
    """first..last widened to the whole of a list it holds part of ("a list is whole, or its count says what was
    left out": a passage that stops after the first of three modes hides the other two). A passage that is one
    item of a list is that item: the list's other items are other things."""
    def listed(n: int) -> bool:
        hit = doc.block_at(n) if n in doc else None
        return hit is not None and hit[0] == "item"
    if first == last:
        return first, last
    if listed(first) and listed(first + 1):
        while first - 1 >= doc.start and listed(first - 1):
            first -= 1
    if listed(last):
        while last + 1 <= doc.end and listed(last + 1):
            last += 1
    return first, last


def passage_of(doc: Document, item: Item, fields: list[str]) -> str:
    """The lines that hold the item and its fields as prose to read (`_passage_line`), "" when longer than
    MAX_PASSAGE (a passage is given whole or not at all)."""
    if MAX_PASSAGE <= 0:
        return ""
    at = _located(doc, item, fields)
    first, last = _whole_lists(doc, min([item.span[0], *at]), max([item.span[1], *at]))
    while last > max(first, item.anchor) and (_EXAMPLE_LABEL.match(doc.text(last)) or not doc.text(last).strip()):
        last -= 1  # the next worked example's opener ("**Qwen Example**: ...") is not part of this one
    lines = [t for n in range(max(first, doc.start), min(last, doc.end) + 1)
             if not item.free[0] <= n <= item.free[1] and (t := _passage_line(doc, n))]
    out = _without_empty_headings(lines)
    return "\n".join(out) if sum(len(t) + 1 for t in out) <= MAX_PASSAGE else ""


def _quoted(text: str, passage: str) -> bool:
    """Whether `text` is read from the passage: its specifics all there, and nine in ten of its words."""
    if unsupported({"t": text}, passage):
        return False
    words = rx.findall(r"[a-z0-9]{3,}", text.lower())
    have = set(rx.findall(r"[a-z0-9]{3,}", passage.lower()))
    return bool(words) and 10 * sum(w in have for w in words) >= 9 * len(words)


_PROSE_FENCE = regex.compile(r"^(?:markdown|md|text|txt)?$")
_MARKDOWN_LINE = regex.compile(r"^\s{0,3}#{1,6}\s+\S|^\s*(?:[-*]\s+)?\*\*[^*]{2,60}\*\*\s*:")


def _prose_fence(doc: Document, line: int):
    """The fenced block holding `line` when it is markdown prose (a pasted report: no language or
    `markdown`, with headings or labels), else None."""
    hit = doc.block_at(line)
    if hit is None or hit[0] != "fence":
        return None
    f = hit[1]
    if not _PROSE_FENCE.match(f.lang) or sum(1 for t in f.body if _MARKDOWN_LINE.match(t)) < 2:
        return None
    return f


def extract(doc: Document, hits: list[Match], pack: DomainPack) -> list[Draft]:
    items: list[Item] = []
    plain: list[int] = []
    fenced: dict[int, list[int]] = {}
    for line in sorted({m.line for m in hits}):
        text = doc.text(line)
        if _QWEN_Q.search(text):
            items.extend(qwen_items(doc, line))
        elif text.lstrip().startswith("|"):
            items.extend(table_items(doc, line))
        elif principle_of(text):
            f = _prose_fence(doc, line)
            if f is None:
                plain.append(line)
            else:
                fenced.setdefault(f.start, []).append(line)
    found = passages(doc, plain)
    items.extend(found)
    for line in plain:
        if not any(i.span[0] <= line <= i.span[1] for i in found) and (
                one := inline_item(doc, line) or chosen_item(doc, line) or derived_item(doc, line)) is not None:
            items.append(one)
    for item in items:
        item.doc = doc  # its passage is read from it (a table row's is not: the row is its whole text)
    for start, lines in fenced.items():
        # markdown inside a bare fence is a report pasted after a stray or unclosed fence line: the rest
        # of the document is read as the markdown it is, without that line
        rest = doc.lines[start + 1 - doc.start:]
        inner = parse_document(rest, start + 1, doc.index, doc.part)
        for item in passages(inner, lines):
            item.doc = inner
            items.append(item)
    out: list[Draft] = []
    seen: set[str] = set()
    for item in sorted(items, key=lambda i: i.anchor):
        key = item.problem + "\x00" + "\x00".join(item.evidence)
        if key in seen:
            continue  # one input, one answer: a second passage on the same problem adds nothing
        seen.add(key)
        out.extend(drafts(item))
    return out


EXTRACTOR = Extractor(document=extract)
