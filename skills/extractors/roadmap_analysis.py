"""roadmap_analysis: the phases of a roadmap or plan, each with its stated status and its checklist.

A roadmap in the log is a run of phases (milestones, sprints, stages, layers, levels, tranches) in
one of a few shapes, all read from the source's structure (skills/structure.py):

- a heading per phase with its checklist under it (`## Phase 2: DAE Integration ✅ COMPLETE`);
- a bold title line per phase with its list under it (`**Phase 0: Architecture** (✅ Complete)`);
- a list item per phase (`- Layer 1: Shell (COMPLETE)`, `- [x] **Phase 0:** ...` with its tasks
  nested under it, `- **PoC (Current)**: ...`);
- a table row per phase, in a table with a phase column and a status column;
- a one-line progression (`Phase 0.1 (current) -> 0.2 (enhanced) -> 1.0`);
- a ModLog entry or a status line that reports on one phase (`## [2025-10-24] WRE Phase 1
  Complete`, `**Status**: [OK] Phase 1 Complete`).

A phase is an item when its status can be told from the text: its own stated status (its title,
its status line), its own checklist, the group it is listed under ("Completed Phases", "Next
Steps"), its place before or after the phase marked current, or the plan's own status ("Ready for
Implementation"). The stated status comes first; where it and the checklist disagree (`Status: NOT
STARTED` over ticked items, `COMPLETE` over open ones) the phase needs an update, and the example
says both what the text claims and what the checks show. A phase's checklist is all its lists: ticked
boxes and marks, and plain lists under a title that says their state ("Completed Components", "Missing
Components"); items put off to later ("(FUTURE)") are listed apart, not as open work or a next step
(a phase marked complete that still lists them unticked needs its checklist moved on). Priority words (P0, Urgent, HIGH) are not
statuses, nor are scope and notes ("Next 2 WSPs", "25K tokens"); a status that only says what a
phase is not ("NOT COMPLETE") settles nothing without a checklist. Lists that are not phases
(metrics, tests, verification, integration points, approvals under a heading that is not a phase;
a group of TODOs; a ModLog entry quoted in a report) are not items. A phase placed by its
neighbour is told what the neighbour says of itself, as its input shows it.

Three task kinds: a phase's status with what is done, what is left and the next step; a roadmap
summarised across its phases (at its first phase's line); and the audit question "is this roadmap
up to date, and what should change" (at its first stale phase, else its first phase with both a
stated status and a checklist). Nothing in an example depends on line numbers, so a roadmap pasted
twice gives the same examples (the filter drops the copy). A template roadmap written out word for
word in several modules' documents says the same in each: its examples name their answer without
the roadmap's name (Draft.template), so the run keeps each answer only a couple of times.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import hashlib
import json

import regex

from training_data_miner.skills.extractors import Draft, Extractor, rx
from training_data_miner.skills.extractors.mojibake import unmangle
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import DomainPack
from training_data_miner.skills.structure import Document, ListItem, Table, parse_document

MAX_INPUT_CHARS = 1400  # a phase's text in an example (the trainer's prompt holds 1024 tokens)
MAX_ROADMAP_CHARS = 1800  # a whole roadmap's status lines in an example; a longer one is not summarised
MAX_ITEM_CHARS = 110
MAX_EVIDENCE = 300
MAX_CHECKS = 30  # more checks than this under one title is a tracker dump, not a phase's checklist
MAX_BODY_LINES = 220
PLACE_LINES = 40  # a phase stated alone is placed by a roadmap of its own only this near it
FENCE_LINES = 12  # lines of a fenced block shown in a phase's text (a phase's commands, whole where they are few)

_F = regex.IGNORECASE | regex.VERSION0

# -- text --------------------------------------------------------------------------------------

_ESCAPE = regex.compile(r"\[U\+([0-9A-Fa-f]{4,6})\]")
_MANGLED_E = regex.compile(r"\]E(?=\*|[A-Z][a-z])")  # "[U+1F901]EMeeting": the E is what was left of the emoji
_SPACES = regex.compile(r"[ \t]{2,}")
_TAG = regex.compile(r"\[[A-Z][A-Z0-9_+-]{1,20}\]")  # [OK], [REFRESH], [ROCKET]: emoji put into ASCII
_PICTO = regex.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF\uFE0F\u200D\u20E3"
                       "\u25A0-\u25FF]")
_LINK = regex.compile(r"\[([^\]\n]{1,200})\]\([^)\s]{1,300}\)")
_RULE = regex.compile(r"^\s*(?:[-*_=]\s*){3,}$")
_CODE_SPAN = regex.compile(r"`([^`\n]{1,300})`")
_BOLD = regex.compile(r"(?<!/)\*\*(?!/)")  # bold markup, not a glob's "**" ("skillz/**/SKILL.md", "**/*.py")


def _decode(m: regex.Match[str]) -> str:
    code = int(m.group(1), 16)
    return chr(code) if code <= 0x10FFFF else m.group(0)


def plain(text: str) -> str:
    """The text as a reader sees it: escapes decoded, markup and link targets gone, spaces single."""
    if "[U+" in text or not text.isascii():
        text = unmangle(text)  # symbols mangled on the way into the log ("泙", "笨・", "[U+2701]E", "ↁE")
    if "[U+" in text:
        text = _ESCAPE.sub(_decode, _MANGLED_E.sub("]", text))
    if "_EQUAL]" in text:  # a sign written out in ASCII: the sign, not a tag to drop ("[GREATER_EQUAL]90%")
        text = text.replace("[GREATER_EQUAL]", "\u2265").replace("[LESS_EQUAL]", "\u2264")
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    if not text.isascii():
        text = text.replace("]\uFE0F", "]")  # a selector left on a tag
    if "`" in text:  # a code span is kept as written ("`**kwargs`"), only its backticks go
        parts = _CODE_SPAN.split(text)
        text = "".join(p if i % 2 else _BOLD.sub("", p).replace("`", "") for i, p in enumerate(parts))
    elif "*" in text:  # ("__" is left: in these logs it is a dunder, __init__.py, never bold)
        text = _BOLD.sub("", text)
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text.replace("\t", " "))
    return text.strip()


def bare(text: str) -> str:
    """Plain text without status tags and pictographs: a name or a stated status in an output."""
    text = plain(text)
    if "[" in text:
        text = _TAG.sub(" ", text)
    if not text.isascii():
        text = _PICTO.sub(" ", text)
    return " ".join(text.split()).strip(" -:|,;*\u2013\u2014")


def _cut(text: str, limit: int = MAX_ITEM_CHARS) -> str:
    if len(text) <= limit:
        return text
    ends = [m.start() for m in _SENTENCE_END.finditer(text[: limit + 1])]
    if ends and ends[-1] > limit // 2:
        return text[: ends[-1]]  # whole sentences, not one stopped mid-phrase ("(like Kick). Increases ...")
    cut = text[:limit]
    space = cut.rfind(" ")
    cut = cut[:space] if space > limit // 2 else cut
    if cut.count("(") > cut.count(")") and cut.rfind("(") > limit // 4:
        cut = cut[: cut.rfind("(")]  # not a parenthesis cut open ("(See Tokenized IP..."): the text before it
    return cut.rstrip(" ,;:-(") + "..."


# -- statuses ----------------------------------------------------------------------------------

# Status words; the leftmost wins ("COMPLETE - next: Phase 3" is complete). Words come before
# marks, so "⏳ IN PROGRESS" is in progress. "Not yet operational" is under way, "not implemented"
# is not started. Priority words (P0, urgent, high) are not statuses and are not here.
_WORDS = regex.compile(
    r"(?P<c>\bready\s+for\s+(?:production|deployment|release)\b|\bproduction[\s-]ready\b)"
    r"|(?P<ns>\bnot\s+(?:yet\s+)?(?:started|begun|implemented)\b|\bpending\b|\bplanned\b|\bfuture\b|\bplaceholder\b"
    r"|\bdeferred\b|\b(?:double-|single-)?blocked\b|\bto-?do\b|\bupcoming\b|\bnext(?:\s+(?:phase|sprint|session|step))?\b"
    r"(?!\s+\d+\s*(?!(?:min(?:ute)?s?|hours?|days?|weeks?|months?|sessions?|sprints?)\b)[A-Za-z])"
    r"|\bfollowing\s+sprint\b|\bready\s+(?:to\s+(?:start|begin)|for)\b|\bawaiting\b"
    r"|^\W*(?:optional|vision|the\s+goal)\W*$|\bbacklog\b|\bcannot\s+start\b|\bproposed\b|\bto\s+begin\b"
    r")"
    r"|(?P<ip>\bin[\s-]+progress\b|\bin\s+development\b|\bcurrent(?:\s+phase)?\b|\bwhere\s+we\s+are\s+now\b"
    r"|\bongoing\b|\bpartial(?:ly)?\b|\bscaffolded\b|\bunderway\b|\bwip\b|\bstarting\b|\bstarted\b"
    r"|\bnot\s+(?:yet\s+)?(?:complete[d]?|done|finished|operational)\b|\bincomplete\b)"
    r"|(?P<c2>\bcomplete[d]?\b|\bdone\b|\bfinished\b|\bimplemented\b|\boperational\b|\bestablished\b|\bachieved\b"
    r"|\bdeployed\b|\bdelivered\b|\bshipped\b|\bresolved\b)",
    _F,
)
_PERCENT = regex.compile(r"\b(\d{1,3}(?:\.\d+)?)\s?%\s+(?:complete[d]?|done|finished|compliant|implemented)\b"
                         r"|\(\s*(\d{1,3}(?:\.\d+)?)\s?%\s*\)", _F)
# "132/454 enhanced", "2/2 phases complete": a count of the work done, read as its share
_FRACTION = regex.compile(r"(?<![\d./])(\d{1,5})\s*/\s*(\d{1,5})\s+(?:[A-Za-z][\w-]*\s+){0,2}?"
                          r"(?:complete[d]?|done|finished|implemented|[a-z]{3,}ed)\b", _F)
_MARKS = regex.compile(
    "(?P<c>\u2705|\u2714|\u2713|\u2611|\U0001F7E2|\\[OK\\]|\\[DONE\\]|\\[COMPLETED?\\]|\\[x\\])"
    "|(?P<ip>\U0001F6A7|\U0001F504|\u26A0|\\[REFRESH\\]|\\[WIP\\]|\\[CURRENT\\])"
    "|(?P<ns>\u23F3|\U0001F52E|\U0001F4C5|\u23F8|\\[PENDING\\]|\\[UPCOMING\\]|\\[FUTURE\\]|\\[TODO\\])"
)
_LABEL = {"c": "complete", "c2": "complete", "ip": "in_progress", "ns": "not_started"}
_SAYS = {"complete": "complete", "in_progress": "in progress", "not_started": "not started"}
# "(all must be complete)", "once Phase 1 is done": a condition, not a status
_HYPOTHETICAL = regex.compile(r"\b(?:must|should|will|would|needs?\s+to|until|once|if|unless|assuming|requires?|after"
                           r"|before)\b", _F)
# "Complete Orphan Inventory", "Implement Phase 2": an order to do the work, not a report that it is done
_IMPERATIVE = regex.compile(r"^(?-i:(?:Complete|Finish|Implement|Deploy|Establish|Achieve|Resolve|Deliver|Ship|Start)"
                            r"\s+(?:[A-Z0-9]|the\b|all\b|a\b))", _F)


# "Complete coverage - all 93 WSPs": the word describes the work, it does not report a status
_ADJECTIVE = regex.compile(r"^(?:complete|implemented|operational|finished)\s+(?!with\b|and\b|in\b|for\b|on\b|at\b|as\b"
                           r"|since\b|but\b|except\b|via\b|by\b|from\b|to\b)(?-i:[a-z])", _F)


# "Operational DAE", "Complete Orphan Inventory": a title-case word before a name is part of it
_NAMED = regex.compile(r"^(?-i:[A-Z][a-z]+)\s+(?-i:[A-Z])", _F)


def status_of(text: str) -> str | None:
    """The status a stated status gives (complete, in_progress, not_started), or None."""
    if not text:
        return None
    pct = _PERCENT.search(text)
    if pct and float(pct.group(1) or pct.group(2)) <= 100:
        value = float(pct.group(1) or pct.group(2))
        return "complete" if value == 100 else "not_started" if value == 0 else "in_progress"
    frac = _FRACTION.search(text)
    if frac and 0 < int(frac.group(2)) and int(frac.group(1)) <= int(frac.group(2)):
        done, total = int(frac.group(1)), int(frac.group(2))
        return "complete" if done == total else "not_started" if done == 0 else "in_progress"
    m = _WORDS.search(text)
    if m:
        return _LABEL[m.lastgroup]
    m = _MARKS.search(plain(text) if "[U+" in text else text)
    return _LABEL[m.lastgroup] if m else None


_NOT_DONE = regex.compile(r"^(?:not\s+(?:yet\s+)?(?:complete[d]?|done|finished|operational)|incomplete)$", _F)


def _unsettled(stated: str) -> bool:
    """Whether a stated status only says what the phase is not ("NOT COMPLETE", "incomplete"):
    under way, or not begun? Without a checklist it does not say."""
    m = _WORDS.search(stated)
    return m is not None and _NOT_DONE.match(m.group(0)) is not None and _PERCENT.search(stated) is None


def _last_status(text: str) -> str | None:
    """The status of the last status word in a text ("Design Complete - Ready for" -> not_started)."""
    found = None
    for m in _WORDS.finditer(text):
        found = _LABEL[m.lastgroup]
    return found


def _stated_status(bit: str) -> str | None:
    """A title's tail as a stated status: a status, and not a condition or an order."""
    inner = bit.strip().strip("()").strip()
    if not inner or _PRIORITY.match(inner) or _IMPERATIVE.match(inner):
        return None
    st = status_of(inner)
    if st is None:
        return None
    m = _WORDS.search(inner)
    if m and _HYPOTHETICAL.search(inner[: m.start()]):
        return None
    return st


def _leading_status(text: str) -> bool:
    """Whether a text opens with a status ("✅ Complete (5 skills)", "NOT IMPLEMENTED", "65% ...")."""
    t = text.lstrip()
    lead = _MARK_LEAD.match(t)
    if lead:
        if _MARKS.search(lead.group(0)):
            return True
        t = t[lead.end():]
    if _IMPERATIVE.match(t) or _ADJECTIVE.match(t) or _NAMED.match(t):
        return False
    return bool(_WORDS.match(t) or _PERCENT.match(t) or _FRACTION.match(t))


# A checklist item's state where the structure found no box: a leading mark, tag or DONE:/TODO:,
# or a trailing mark ("Pattern frequency tracking (DONE ✓)").
_ITEM_MARK = regex.compile(
    "^(?:(?P<done>\u2705|\u2714|\u2713|\\[OK\\]|\\[DONE\\]|\\[COMPLETED?\\]|DONE\\s*:|COMPLETED?\\s*:)"
    "|(?P<in_progress>\U0001F6A7|\U0001F504|\\[REFRESH\\]|\\[WIP\\])"
    "|(?P<pending>\u23F3|\\[PENDING\\]|TODO\\s*:)|(?P<future>\U0001F52E|\U0001F4C5)"
    "|(?P<failed>\u274C|\\[FAIL\\]|\\[BLOCKED\\]))\uFE0F?\\s*"
)
_ITEM_TAIL = regex.compile(
    "(?:\\((?P<done>(?:complete[d]?|done|implemented)(?:\\s*[\u2713\u2714\u2705])?)\\)|\\s(?P<done2>[\u2713\u2714\u2705]|\\[OK\\]))[.;]?\\s*$",
    _F,
)


def check_of(item: ListItem) -> str | None:
    """An item's check state (done, open, failed, pending, in_progress, future), "done_unticked"
    for an open box whose text says it is done, or None for a plain item."""
    text = item.text
    tail = _ITEM_TAIL.search(plain(text)) if text.rstrip(" .;")[-1:] in ")\u2713\u2714\u2705]" else None
    if item.check is not None:
        if item.check == "struck":
            return None
        if item.check == "open" and tail:
            return "done_unticked"
        return item.check
    if text[:1] in "[*\u2705\u2714\u2713\u23F3\u274C\U0001F6A7\U0001F504\U0001F52E\U0001F4C5DTC":
        m = _ITEM_MARK.match(plain(text))
        if m:
            return m.lastgroup
    return "done" if tail else None


def _is_done(state: str) -> bool:
    return state in ("done", "done_unticked")


# -- phase titles ------------------------------------------------------------------------------

_UNIT = (r"(?:Phase|Sprint|Stage|Milestone|Layer|Tranche|Level|Step)"
         r"(?:[ \t]*[-#]?[ \t]*-?\d+(?:\.(?:\d+|x))*[A-Za-z]?\b|[ \t]+(?-i:[A-Z])\d{0,2}\b)"
         r"(?:[ \t]*[-+&/][ \t]*\d+(?:\.\d+)?\b)?")
_STAGE = r"(?:Proof\s+of\s+Concept|PoC|POC|Prototype|Proto|MVP|Minimum\s+Viable\s+Product)\b"
_HORIZON = r"(?:Immediate|Short[\s-]term|Medium[\s-]term|Mid[\s-]term|Long[\s-]term)\b"
# what may stand before a phase's name in its title: an ordinal, a keycap digit, a tense word
_LEAD = ("(?P<lead>(?:\\d{1,2}(?:\\.\\d{1,2})*[.)]|[0-9]\uFE0F?\u20E3)\\s+|(?P<tense>Future|Next|Upcoming|Planned)\\s+"
         "|(?P<now>Current|Now)(?:\\s+(?:Phase|Sprint|Stage|Milestone))?\\s*:?\\s+|(?:Phase|Sprint|Stage|Milestone)\\s*:\\s+)?")
_TITLE = regex.compile(f"^{_LEAD}(?P<unit>{_UNIT}|{_STAGE}|{_HORIZON})", _F)
# a line that could name a phase holds one of these words, lowered (a cheap test before the rest: a
# literal alternation, which the standard engine scans fastest, with no backtracking to bound)
_UNIT_LITERALS = ("phase", "sprint", "stage", "milestone", "layer", "tranche", "level", "step", "poc", "proto", "mvp",
                  "proof", "immediate", "term")
# a heading that names a stage by its status or groups tasks ("Current Status: ...", "... TODOs")
_HEADING_HINTS = ("current st", "todo", "complete", "progress", "done", "pending", "planned")
_INNER = regex.compile(f"(?P<unit>\\b{_UNIT}|\\b{_STAGE})", _F)
_MARK_LEAD = regex.compile("^(?:(?:\\[[A-Z][A-Z0-9_+-]{1,20}\\]|[^\\w\\s\\[(\"'`*])\\s*)+")
# "Phase 2 Tasks Breakdown", "Phase 3 WSP Compliance Checklist": a title about a phase, not one
_ABOUT = regex.compile(
    r"\b(?:scope|analysis|breakdown|checklist|criteria|metrics?|dependenc(?:y|ies)|requirements?|requires"
    r"|estimates?|effort|summary|files?|results?|readiness|impact|matters|success|audit|pre-audit"
    r"|report|assessment|review|verification|lessons|notes|overview|targets|details|tasks?|blockers?|violations?"
    r"|prerequisites|comparison|timeline|budget|examples?|status|fixes|integration\s+test|must|follows|fixed|depends"
    r"|actions|benefits?|value|gate|priorities|created|modified|can|cannot|actual)\b",
    _F,
)
# sections whose lists are measurements, explanations or options, not a roadmap's phases
_NOT_ROADMAP = regex.compile(
    r"\b(?:metrics|performance|benchmarks?|test(?:s|ing)?\s+results?|verification|risks?|integration\s+(?:with|points)"
    r"|monitoring|lessons|troubleshooting|how\s+it\s+works|examples?|usage|algorithm|comparison|economics"
    r"|requirements|if|scenario|option|alternatives?|approach(?:es)?|capabilit(?:y|ies)|benefits?|what\s+changed"
    r"|changes|technical\s+details|impact|results?|files|solution|design|flow|pipeline|workflow|process"
    r"|protocol|architecture|definitions?|principles?|strategy|rationale|why|problem|fix(?:es)?|evidence"
    r"|actions|objectives|goals)\b",
    _F,
)
# (of those, the ones that list measurements or what-ifs even where a phase there states a status)
_MEASURES = regex.compile(r"\b(?:metrics|performance|benchmarks?|test(?:s|ing)?\s+results?|verification|risks?"
                          r"|integration\s+(?:with|points)|monitoring|comparison|examples?|scenario|if|option|alternatives?|impact"
                          r"|testing|triggers?)\b", _F)
# ... and sections that define what a phase must hold, whatever their lists are ticked with
_DEFINES = regex.compile(r"\b(?:requirements|definitions?|templates?|specification|guidelines|criteria\s+for)\b", _F)
# group headings whose phases share a status
_GROUPS = (
    (regex.compile(r"\bcompleted\s+(?:phases|milestones|sprints|stages|work)\b|^\W*(?:\[[A-Z]+\]\s*)?(?:implementation\s+)?"
                   r"(?:complete[d]?|done)\W*$", _F), "complete"),
    (regex.compile(r"\bcurrent\s+(?:phase|sprint|milestone|stage)\b", _F), "in_progress"),
    (regex.compile(r"\b(?:upcoming|future|planned)\s+(?:phases?|milestones?|sprints?|stages?|work|implementation"
                   r"|development|enhancements?|changes|features|integration)\b|^\W*(?:next\s+(?:steps?|actions?|phases?)"
                   r"|remaining\s+work|future\s+work|what'?s\s+missing|deferred)\b", _F), "not_started"),
)
_CRITERIA = regex.compile(r"\b(?:success|acceptance|exit|completion)\s+criteria\b|\bdefinition\s+of\s+done\b", _F)
_ALL_DONE = regex.compile(r"^\W*(?:all\s+(?:\w+\s+)?)?(?:complete[d]?|done)\b|\ball\s+(?:phases|sprints|milestones|stages)"
                          r"\s+(?:are\s+)?complete[d]?\b|\b100\s?%\s+complete\b", _F)
# "Completed: ...", "In Progress: ...", "Next: ...": an item's state said as a label before its text
_STATE_LABEL = regex.compile(r"^(?:completed?|done|in\s+progress|next|pending|planned|todo|future)\s*:\s+", _F)
# "Add the adapter - IMPLEMENTED": a state said in capitals after a dash (it is the item's mark)
_STATE_TAIL = regex.compile(r"\s[-\u2013\u2014]\s+(?=(?-i:[A-Z]{2}))(?:(?:complete[d]?|done|implemented|in\s+progress|pending"
                            r"|deferred|blocked|operational|achieved|exceeded|met)\s*){1,2}$", _F)
_DATED = regex.compile(r"^[^\w\[]*(?:\[\d{4}-\d\d-\d\d[^\]\n]{0,24}\]|\d{4}-\d\d-\d\d)\s*(?:[-:\u2013]\s*)?"
                    r"|^\W*(?:MODLOG|V\d+(?:\.\d+)+)\s*[-:\u2013]\s*", _F)
_STATUS_KEY = regex.compile(f"^\\W*(?:(?P<unit>{_UNIT})\\s+status|(?:\\w+\\s+){{0,2}}status|current\\s+state"
                            r"|ready\s+for|claimed(?:\s+status)?|actual(?:\s+status)?)\W*$", _F)
_PLAN_NOT_BEGUN = regex.compile(r"\bready\s+for\s+(?:\w+\s+){0,2}(?:implementation|execution|phase\s+[01]\b|development)"
                                r"|\bawaiting\b|\bimplementation\s+pending\b"
                                r"|\bnot\s+(?:yet\s+)?started\b|\bto\s+begin\b", _F)
_PRIORITY = regex.compile(r"^\W*(?:P[0-4]|urgent|high|medium|low|critical|immediate)\b", _F)
_PHASE_COLUMN = regex.compile(r"^\W*(?:phase|sprint|stage|milestone|layer|level|tranche|step|wave)s?\W*$", _F)
_STATUS_COLUMN = regex.compile(r"^\W*(?:status|state|progress)\W*$", _F)
_NAME_COLUMN = regex.compile(r"^\W*(?:module|component|description|name|title|goal|feature|deliverable)s?\W*$", _F)
_TOTAL_ROW = regex.compile(r"^\W*(?:sub)?total\b", _F)
_PROGRESS_STATE = regex.compile(r"current|in\s+progress|complete[d]?|done|next|planned|pending|future|now|active", _F)
_ARROW = regex.compile(r"\s(?:->|\u2192|=>)\s")
_SEGMENT = regex.compile(r"^(?P<name>[^()]{1,60}?)\s*\((?P<state>[^()]{1,40})\)\s*$")
# "[CURRENT_PHASE_NAME]", "[MODULE_NAME]": a template's slot ("[GREATER_EQUAL]" is a symbol written in ASCII)
_SLOT = regex.compile(r"\[(?:[A-Z]+_)+(?:NAME|TITLE|DESCRIPTION|DATE|PATH|PHASE|STATUS|MODULE|DOMAIN)\]"
                      r"|\[(?:MODULE|PROJECT|CURRENT|YOUR)_[A-Z_]+\]")
_PLACEHOLDER = regex.compile(r"\[(?:[A-Za-z]+\s+){1,4}[A-Za-z0-9]+\]|\[(?:TBD|X|date|name|description)\]", _F)
_MARKDOWN_LANGS = ("", "markdown", "md", "text", "txt")

# tails of a title that may state its status, tried in this order: marks (with words after them),
# a parenthesis, trailing status words, a clause after a dash
_TAILS = (
    regex.compile("\\s*(?:\\[[A-Z][A-Z0-9_+-]{1,20}\\]|[\u2705\u2714\u2713\u23F3\U0001F52E\U0001F6A7\U0001F504\u26A0"
                  "\U0001F4C5\U0001F4CB\u23F8\u274C\U0001F680\U0001F7E2])\uFE0F?(?:\\s+[A-Za-z][\\w ]{0,40})?\\s*$"),
    regex.compile(r"\s*\([^()]{1,80}\)\s*$"),
    regex.compile(r"\s+(?:COMPLETE[D]?|DONE|IMPLEMENTED|PLANNED|FUTURE|IN PROGRESS|NOT STARTED|PENDING|DEFERRED"
                  r"|OPERATIONAL|Complete[d]?|Done)\s*$"),
    regex.compile("\\s+[-\u2013\u2014|]\\s+(?:\\S+\\s+){0,9}\\S+\\s*$"),
)
_PAREN_CLAUSE = regex.compile("^\\((?P<note>[^()]{1,60}?)\\s+[-\u2013\u2014;]\\s+(?P<state>[^()]{1,40})\\)$")
_AFTER_UNIT = regex.compile(r"^\s+(?:\w+\s+)?(?P<state>complete[d]?|done|implemented|operational|finished|achieved)\b"
                            r"(?!\s+(?:[a-z]|[A-Z][a-z]+\s+[a-z]))", _F)
_BOLD_NAME = regex.compile(r"^(?:\[[A-Z][A-Z0-9_+-]{1,20}\]\s*|[^\w\s*]\s*|\d{1,2}[.)]\s*)*"
                        r"\*\*(?P<name>[^*]{2,160})\*\*(?P<rest>.*)$")
_HEAD = regex.compile(f"^{_LEAD}(?P<unit>{_UNIT}|{_STAGE}|{_HORIZON})(?P<note>\\s*\\([^()]*\\))?"
                      "\\s*(?::|\\s[-\u2013\u2014]\\s)\\s*(?P<rest>.*)$", _F)


def split_title(title: str) -> tuple[str, str]:
    """(the name, the stated status) of a plain title: the status is what follows the name as
    marks, in parentheses, as last words or after a dash, where it states a status; or what leads
    it as marks ("[OK] Foundation Complete")."""
    t = title.strip().rstrip(":").strip()
    stated: list[str] = []
    lead = _MARK_LEAD.match(t)
    head = ""
    if lead:
        if status_of(lead.group(0)):
            head = lead.group(0).strip()
        t = t[lead.end():]
    for _ in range(4):
        for pat in _TAILS:
            m = pat.search(t)
            if m is None or m.start() == 0 or m.group(0).count("(") != m.group(0).count(")"):
                continue  # (a clause after a dash inside a parenthesis is not a tail: "(75K tokens - VISION)")
            inner = _PAREN_CLAUSE.match(m.group(0).strip()) if pat is _TAILS[1] else None
            if inner and _stated_status(inner.group("state")) and not _stated_status(inner.group("note")):
                # "(25K tokens - FUTURE)": a note and a status; the note stays with the name
                stated.insert(0, inner.group("state"))
                t = f"{t[: m.start()]} ({inner.group('note')})"
                break
            if _stated_status(m.group(0).strip(" -:|\u2013\u2014")):
                stated.insert(0, m.group(0).strip(" -:|\u2013\u2014"))
                t = t[: m.start()].rstrip(" -:|\u2013\u2014")
                break
        else:
            break
    if head:
        stated.insert(0, head)
    return bare(t).rstrip(" -\u2192>").strip(), _tidy(" ".join(filter(None, (bare(s) or s.strip() for s in stated))))


_MANGLED_MARK = regex.compile(r"[\p{Han}\p{Co}]+[\u30FB\uFF65]?\s*")


def _unmangled(text: str) -> str:
    """Without the marks mangled into CJK or private characters ("泙 Complete", "COMPLETE 笨・")."""
    return _MANGLED_MARK.sub("", text).strip() if not text.isascii() else text


def _tidy(stated: str) -> str:
    """A stated status without the parentheses around it, the gaps a dropped tag leaves, or a tag
    beside its words ("[OK] Complete"); a tag alone is kept (it is what the phase is marked with)."""
    s = rx.sub(r"\(\s+", "(", rx.sub(r"\s+\)", ")", stated)).strip()
    if not s.isascii():
        s = _unmangled(s)
    if "[" in s:
        words = " ".join(_TAG.sub(" ", s).split())
        if rx.search(r"[A-Za-z]{2}", words):
            s = words
    if s.startswith("(") and s.endswith(")") and s.count("(") == 1:
        s = s[1:-1].strip()
    if s.endswith(".") and not s.endswith(".."):
        s = s[:-1]  # ("Not started (MVP gate requires evidence)." quoted in a reason that ends its own sentence)
    return s


def parse_title(text: str) -> tuple[str, str, str] | None:
    """(name, stated status, unit) of a phase's title as written (markup kept, so that a bold name
    ends where its bold does), or None when it does not open with a phase's name."""
    raw = text.strip()
    p = plain(raw)
    lead = _MARK_LEAD.match(p)
    lead_stated = lead.group(0).strip() if lead and status_of(lead.group(0)) else ""
    body = p[lead.end():] if lead else p
    m = _TITLE.match(body)
    if m is None:
        return _unit_in_parentheses(body, lead_stated)
    tense = m.group("tense") or m.group("now") or ""
    desc_stated = ""
    unit = m.group("unit")
    body = body[m.start("unit"):]
    after_unit = _AFTER_UNIT.match(body[len(unit):])
    bold = _BOLD_NAME.match(raw)
    if bold and _TITLE.match(plain(bold.group("name"))):
        head, rest = plain(bold.group("name")), plain(bold.group("rest"))
        note = rx.match(r"^\s*(\([^()]{1,60}\))", rest)
        if note:
            head, rest = f"{head} {note.group(1)}", rest[note.end():]
        rest = rest.strip().lstrip(":\u2013\u2014-").strip()
        hm = _TITLE.match(head)
        if hm and (hm.group("tense") or hm.group("now")):
            tense, head = hm.group("tense") or hm.group("now"), head[hm.start("unit"):]
        hm = _HEAD.match(head)
        if hm and not rest:  # "**Phase 1: Initial Setup** - ...": the bold part holds name and title
            head, rest = head[: hm.start("rest")].rstrip(" :-\u2013\u2014"), hm.group("rest")
        elif hm and hm.group("rest").strip() and rx.match(r"^\s*[-\u2013\u2014]\s", plain(bold.group("rest"))) \
                and not _leading_status(rest):
            rest = ""  # "**Phase 2: Enhancement** - Add advanced features": a description, not the name
        elif hm is None and rest and not _leading_status(rest) and split_title(head)[1] \
                and rx.match("^\\s*[-\u2013\u2014]\\s", plain(bold.group("rest"))):
            rest = ""  # "**POC Complete** - Fully implemented and tested": name and status in bold, then a description
        elif hm is None and rest and not _leading_status(rest) and len(rx.sub(r"\s*\([^()]*\)", "", split_title(head)[0])) > len(unit) + 3 \
                and rx.match(r"^\s*:", plain(bold.group("rest"))):
            # "**Phase 4 Collective Building**: Multi-founder coordination, ...": the bold part is the
            # name, what follows it describes the phase (a status at its end is still its status)
            desc_stated, rest = split_title(_cut(rest, 160))[1], ""
    else:
        hm = _HEAD.match(body)
        head, rest = (body, "") if hm is None else (body[: hm.start("rest")].rstrip(" :-\u2013\u2014"), hm.group("rest"))
    name, stated = split_title(head)
    rest = rest.strip()
    if rest:
        if _leading_status(rest):
            stated = stated or bare(_status_clause(rest)) or _status_clause(rest)
        else:
            rname, rstated = split_title(rest if len(rest) <= 160 else _cut(rest, 160))
            if rname:
                name = f"{name}: {rname}"
            stated = stated or rstated
    if after_unit and not stated:
        stated = after_unit.group("state")
        at = name.find(" " + stated)
        name = name if at < 0 else (name[:at] + name[at + 1 + len(stated):]).strip()
    stated = stated or desc_stated or lead_stated or tense
    return _undated(name), stated, unit


def _undated(name: str) -> str:
    """A name without the date its entry was written on ("... Menu Integration (2026-01-22)")."""
    return rx.sub(r"\s*\(\d{4}-\d\d-\d\d\)$", "", name) or name


_UNIT_IN_PARENS = regex.compile(f"^(?P<name>[^()]{{2,80}}?)\\s*\\((?P<unit>{_UNIT})"
                                 "(?:\\s*[-:\u2013]\\s*(?P<more>[^()]{2,80}))?\\)"
                                 "(?P<rest>\\s*:.*|\\s*)$", _F)


def _unit_in_parentheses(body: str, lead_stated: str) -> tuple[str, str, str] | None:
    """`Video Enhancement (Phase 1.1): 132/454 enhanced`, `Future Work (Phase 5 - Vision-Based
    Switching)`, `- Enhanced routing algorithms (Phase 1)`: a phase named by its unit in
    parentheses; a group word before it ("Future Work", "Deferred") is its stated status."""
    m = _UNIT_IN_PARENS.match(body)
    if m is None:
        return None
    unit, name = m.group("unit"), bare(m.group("name"))
    if rx.match(r"^week\s*\d", name, _F):
        return None  # "Week 5: Live Testing (Phase 6)": a timeline entry
    if rx.match(r"^(?:for|to|in|of|with|by|after|before|during)\b", name, _F) \
            or _ABOUT.search(name):
        return None  # "Next Steps (Phase 2)", "Success Metrics (Phase 1)": about a phase, not one
    rest = m.group("rest").strip().lstrip(":").strip()
    stated = ""
    if any(pat.search(name) for pat, _ in _GROUPS) or _stated_status(name) and len(name.split()) <= 3:
        stated, name = name, bare(m.group("more") or "")
    elif m.group("more"):
        name = f"{name} - {bare(m.group('more'))}"
    if rest and _leading_status(rest):
        stated = stated or bare(_status_clause(rest)) or _status_clause(rest)
    full = f"{unit}: {name}" if name else unit
    return full, stated or lead_stated, unit


def _stated_text(text: str) -> str:
    """A stated status for an output: without tags and pictographs, unless they are all it says."""
    b = bare(text)
    return b if b and status_of(b) else plain(text)


def _status_clause(text: str) -> str:
    """The first clause of a status text: up to a dash, bar or sentence end, without a parenthesis
    it leaves open."""
    first = rx.split(r"\s[-\u2013\u2014|]\s|\.\s|;\s", text, maxsplit=1)[0]
    if first.count("(") > first.count(")"):
        first = first[: first.rfind("(")].rstrip()
    return _cut(first if status_of(first) else text, 120)


def _about(name: str, unit: str) -> bool:
    """Whether a title is about a phase rather than the phase ("Phase 2 Tasks Breakdown")."""
    i = name.lower().find(unit.lower())
    rest = name[i + len(unit):] if i >= 0 else name
    if not rest.strip() or rx.match(r"^\s*[:(\u2013\u2014-]", rest):
        return False
    return bool(_ABOUT.search(rest[:48]))


def _norm(unit: str) -> str:
    return rx.sub(r"[\s#*-]+", "", unit).lower()


def _number(unit: str) -> float | None:
    m = rx.search(r"-?\d+(?:\.\d+)?", unit)
    return float(m.group(0)) if m else None


# -- phases ------------------------------------------------------------------------------------

@dataclass
class Phase:
    line: int  # the line that states it: its title, item, row or status line
    last: int  # the last line of its text
    name: str  # as written, without markup or status
    unit: str  # the unit it names ("Phase 2", "Sprint 1+2", "PoC")
    stated: str = ""  # its stated status, as written (plain)
    form: str = "heading"  # heading, entry, line, item, row, progression, status, claim
    section: int = 0  # the section it sits in
    container: tuple = ()  # phases with the same container form one roadmap
    checks: list[tuple[str, str]] = field(default_factory=list)  # (state, text): its own checklist
    scope: list[str] = field(default_factory=list)  # its plain items
    text: list[str] = field(default_factory=list)  # its lines, for an example's input
    context: str = ""  # the line that gives its status when it states none
    context_label: str | None = None
    own: str | None = None  # the status its stated status gives
    actual: str = ""  # a claim's actual status, as written
    derived: str | None = None  # the status its checklist gives
    label: str | None = None
    basis: str = ""  # what the label rests on: both, stated, checklist, group, plan, sequence
    previous: Phase | None = None  # the phase whose status its place follows from
    needs_checks: bool = False  # named by its status alone: a phase only over a checklist of its own
    gaps: list[tuple[int, int]] = field(default_factory=list)  # the phases inside its text
    doc: Document | None = None  # where its text is rendered from, when it has not been given
    status_line: str = ""  # a status line elsewhere that names it
    unsettled: bool = False  # its stated status says only what it is not ("NOT COMPLETE"): no label
    checks_label: str = ""  # the label over the one list that holds its checklist ("Success Criteria")
    silent: bool = False  # a current stage whose own status is unclear: it places the others, no example of its own
    deferred: list[str] = field(default_factory=list)  # items put off ("(FUTURE)"): not open work of this phase
    between: list[str] = field(default_factory=list)  # the phases between it and `previous`
    put_off: bool = False  # stated complete, its own items done, put-off items still unticked in its checklist
    lists: list[tuple[str, int, int]] = field(default_factory=list)  # (title, done, total) of each titled list counted
    finishing: bool = False  # its completion is what its group lists next: it is under way
    update: str = ""  # a later status line's word on it ("Phase 2 starting"), over its "NEXT"
    remaining: int = 0  # its open items are the sub-items of a "Remaining:" item, those above it are done
    logged: bool = False  # an entry logging its completion: its stated status is its description's sentence
    gap_in_list: bool = False  # its table has a row whose status is none of the four: no summary leaves it out

    def lines(self) -> list[str]:
        """Its lines for an example's input."""
        if not self.text and self.doc is not None:
            self.text = _render(self.doc, self.line, min(self.last, self.line + MAX_BODY_LINES), self.gaps)
        return self.text or [self.name]

    @property
    def done(self) -> list[str]:
        return [t for s, t in self.checks if _is_done(s)]

    @property
    def left(self) -> list[str]:
        return [t for s, t in self.checks if not _is_done(s)]

    @property
    def unticked_done(self) -> list[str]:
        return [t for s, t in self.checks if s == "done_unticked"]


class _Reader:
    """The phases of one document (or of a markdown block inside one), with their own text,
    checklist, stated status and group."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.phases: list[Phase] = []
        self.heading_lines = {s.start for s in doc.sections if s.heading}
        self.item_lines = [it.line for it in doc.items]
        self.named = _lines_naming_units(doc)
        # scope -> the plan's own statuses: (as written, label, the phase it names: the plan is not begun
        # while its first phase waits)
        self.plans: dict[int, list[tuple[str, str, str | None]]] = {}

    def scope_of(self, line: int) -> int:
        """Where a plan's status holds: a ModLog entry (a section of level 1 or 2 in a log of
        entries), else the whole document."""
        if self.doc.kind != "modlog":
            return 0
        for sec in self.doc.ancestors(self.doc.section_at(line)):
            if sec.heading and sec.level <= 2 and _DATED.match(plain(sec.heading.raw)):
                return sec.index
        return 0

    def read(self) -> list[Phase]:
        self.headings()
        self.title_lines()
        self.named_titles()
        self.list_items()
        self.milestone_lists()
        self.table_rows()
        self.phases.sort(key=lambda p: p.line)
        self.bodies()
        self.status_fields()
        self.groups()
        return self.phases

    # -- forms -----------------------------------------------------------------------------

    def headings(self) -> None:
        doc = self.doc
        for sec in doc.sections[1:]:
            h = sec.heading
            raw = h.raw
            low = raw.lower()
            if sec.start - doc.start not in self.named and not any(w in low for w in _HEADING_HINTS):
                continue
            dated = _DATED.match(plain(raw))
            if dated:
                raw = plain(raw)[dated.end():]
            entry = (bool(dated) or h.level <= 2) and doc.kind == "modlog" or h.level == 1 and sec.parent == 0
            got = parse_title(raw)
            if got is None and entry:
                got = _entry_title(plain(raw))
            needs_checks = False
            if got is None and h.style == "bold":
                got = _named_title(raw, heading=True)
            if got is None:
                got = _status_heading(plain(raw))
                needs_checks = got is not None and not _CURRENT_HEADING.match(plain(raw))
            if got is None or _NEXT_STEPS.match(plain(raw)):
                continue  # ("## Next Steps (Phase 2)" heads a plan of its own, with its stages under it)
            name, stated, unit = got
            if not name or _about(name, unit):
                continue
            ph = Phase(sec.start, sec.end, name, unit, stated, "entry" if entry else "heading", section=sec.index)
            ph.needs_checks = needs_checks
            if entry and stated.lower() == "completion":
                # "MODLOG - [PHASE 3 ... COMPLETION]": the entry logs the phase's completion; its stated
                # status is the description's sentence that says so (the title's last word alone is no status)
                stated = _completion_sentence(doc, sec.start, sec.end)
                if not stated:
                    continue
                ph.stated, ph.own, ph.logged = stated, "complete", True
            ph.container = ("entry", sec.start) if entry else ("sec", _roadmap_section(doc, sec.parent))
            self.phases.append(ph)

    def title_lines(self) -> None:
        """`**Phase 0: Architecture** (✅ Complete)`, `**Phase 1** (Design): ✅ Complete`, plain
        `Phase 1: Pattern Learning (WHERE WE ARE NOW)`: each over the list below it."""
        doc = self.doc
        for i, raw in enumerate(doc.lines):
            s = raw.lstrip()
            if i not in self.named or not s or s[0] in "#|-+>`~" or s[0] == "*" and not s.startswith("**") \
                    or len(s) > 400:
                continue
            n = doc.start + i
            if n in self.heading_lines or doc.block_at(n) is not None:
                continue
            p = plain(s)
            lead = _MARK_LEAD.match(p)
            body = p[lead.end():] if lead else p
            if _ARROW.search(s) and self.progression(n, s):
                continue
            bold = s.startswith("**") or "**" in s[:12] and rx.match(r"^(?:\[[A-Z][A-Z0-9_+-]{1,20}\]|[^\w\s*])+\s*\*\*", s)
            if not bold and not rx.match(f"^{_LEAD}{_UNIT}\\s*:\\s*\\S", body, _F):
                continue  # a sentence about a phase, not its title
            head = rx.match(r"^\*\*([^*]{1,80})\*\*\s*:", s)
            if head and _STATUS_KEY.match(plain(head.group(1))):
                continue  # "**Phase 3 Status**: ..." is a status line (status_fields)
            if rx.match(r"^\*\*[^*]{0,40}\b(?:is|are|was|were|has|have|will|can|cannot|must|should)\b", s):
                continue  # "**Phase 2 is well-scoped** and ...": a sentence in bold
            got = parse_title(s) or _named_title(s) or _next_field(s)
            if got is None:
                continue
            name, stated, unit = got
            if not name or _about(name, unit):
                continue
            ph = Phase(n, self._line_body_end(i), name, unit, stated, "line", section=doc.section_at(n).index)
            ph.container = ("sec", _roadmap_section(doc, ph.section))
            self.phases.append(ph)

    def named_titles(self) -> None:
        """`**Integration** (Not Started)` right after the list of a `**Phase 3: ...** (Not Started)` title
        line: the next step of the same plan, named without a number, with its own stated status."""
        doc = self.doc
        for ph in [p for p in self.phases if p.form == "line"]:
            i = self._line_body_end(ph.line - doc.start) - doc.start + 1
            while i < len(doc.lines) and not doc.lines[i].strip():
                i += 1
            if i >= len(doc.lines) or i in self.named or doc.block_at(doc.start + i) is not None:
                continue
            m = _NAMED_TITLE.match(doc.lines[i].strip())
            if m is None or _stated_status(m.group("state")) is None or _ABOUT.search(m.group("name")) \
                    or _NOT_ROADMAP.search(m.group("name")) or any(q.line == doc.start + i for q in self.phases):
                continue
            n = doc.start + i
            name = bare(m.group("name"))
            got = Phase(n, self._line_body_end(i), name, name, bare(m.group("state")), "line", section=doc.section_at(n).index)
            got.container = ph.container
            self.phases.append(got)

    def progression(self, n: int, raw: str, item: ListItem | None = None) -> bool:
        """`Phase 0.1 (current) -> 0.2 (enhanced) -> 1.0`: the phase the line marks with a status."""
        p = plain(raw)
        inner = _INNER.search(p)
        if inner is None:
            return False
        parts = _ARROW.split(p[inner.start():])
        if len(parts) < 3:
            return False
        for k, part in enumerate(parts):
            seg = _SEGMENT.match(part.strip())
            if seg and _PROGRESS_STATE.fullmatch(seg.group("state").strip()):
                name = seg.group("name").strip()
                if k and rx.match(r"^[\d.]+$", name):
                    name = f"{rx.match(r'[A-Za-z]+', inner.group('unit')).group(0)} {name}"
                ph = Phase(n, n, bare(name), name, bare(seg.group("state")), "progression",
                           section=self.doc.section_at(n).index)
                ph.container = ("progression", n)
                if item is not None:
                    ph.section = item.section
                ph.text = [p]
                ph.scope = [bare(x) for x in parts[k + 1:]]
                self.phases.append(ph)
                return True
        return False

    def _line_body_end(self, i: int) -> int:
        """A title line's text: the list under it (and blank lines inside it), up to the next
        heading, title line, rule or paragraph."""
        doc = self.doc
        last, blank = i, False
        # "**MVP**: 10+ platforms" over "**Vision**: ...": a run of fields, each line its own
        field_title = rx.match(r"^\*\*[^*]{1,80}\*\*\s*:\s*\S", doc.lines[i].lstrip()) is not None
        for j in range(i + 1, min(len(doc.lines), i + MAX_BODY_LINES)):
            t = doc.lines[j]
            s = t.strip()
            n = doc.start + j
            if not s:
                blank = True
                continue
            if n in self.heading_lines or s[0] in "-*_=" and _RULE.match(s):
                break
            in_block = doc.block_at(n) is not None
            if not in_block and s.startswith("**") and (field_title and not _status_field(s) or _is_title(s)):
                break
            if not in_block and rx.match(f"^{_LEAD}{_UNIT}\\s*:", plain(s), _F):
                break
            if blank and not in_block and not t.startswith((" ", "\t")):
                break
            last, blank = j, False
        return doc.start + last

    def list_items(self) -> None:
        """`- Layer 1: Shell (COMPLETE)`, `- **PoC (Current)**: ...`, `- [x] **Phase 0:** ...` over its
        tasks, `1. **Phase 1: Setup** - ...`, `- ✅ Phase 1 is 100% complete`."""
        doc = self.doc
        for it in doc.items:
            if it.line - doc.start not in self.named:
                continue  # (most items: no phase, stage or horizon word at all)
            text = plain(it.text)
            if _ARROW.search(text):
                self.progression(it.line, it.text, item=it)
                continue  # "Phase 3R -> Phase 4H -> Phase 5": a flow of phases, read as a progression
            lead = _MARK_LEAD.match(text)
            body = text[lead.end():] if lead else text
            m = _TITLE.match(body)
            if m is None:
                if _UNIT_IN_PARENS.match(body) is None or len(body) > 160 or not _sibling_in_parens(doc, it):
                    continue
                m = _INNER.search(body)
            after = body[m.end():]
            sentence = rx.match(r"^\s+is\s+(?P<state>.{3,80})$", after)
            bold_name = rx.match(r"^(?:\[[ xX]\]\s*|[^\w\s*]\s*)*\*\*(?P<b>[^*]{2,80})\*\*\s*(?:[:(\u2013\u2014-]|$)", it.text)
            named = bold_name is not None and _TITLE.match(plain(bold_name.group("b"))) is not None
            if sentence is None and not named and not _UNIT_IN_PARENS.match(body) \
                    and not rx.match("^\\s*(?:\\([^()]*\\)\\s*)?(?:[:\u2013\u2014-]|$|\\()", after) \
                    and not _AFTER_UNIT.match(after):
                continue  # "- Phase 1 proves the architecture": a sentence, not a phase
            if sentence and rx.match(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+\[[ xX]\]", doc.text(it.line)):
                continue  # "- [ ] Phase 2 is complete": a precondition to tick, not a phase
            head = rx.match(r"^(?:\[[ xX]\]\s*)?\*\*([^*]{1,80})\*\*\s*:", it.text)
            if head and _STATUS_KEY.match(plain(head.group(1))):
                continue
            if sentence:
                name, unit = bare(m.group("unit")), m.group("unit")
                stated = bare(_status_clause(sentence.group("state")))
                if not _stated_status(stated):
                    continue
            else:
                got = parse_title(it.text)
                if got is None:
                    continue
                name, stated, unit = got
            if not name or _about(name, unit):
                continue
            ph = Phase(it.line, _item_end(doc, it), name, unit, stated, "item", section=it.section)
            ph.container = ("list", it.parent, it.section, _list_head(doc, it))
            box = check_of(it)
            if box and not it.children and not stated:
                # a ticked or open box, or a mark, on a phase with no tasks under it: its stated status
                lead_mark = _BOX.match(doc.text(it.line))
                ph.stated = ("[x]" if lead_mark.group(1) in "xX" else "[ ]") if lead_mark else \
                    (_ITEM_MARK.match(plain(_MARKER.sub("", doc.text(it.line), count=1))).group(0).strip()
                     if _ITEM_MARK.match(plain(_MARKER.sub("", doc.text(it.line), count=1))) else "")
                ph.own = "complete" if _is_done(box) else "in_progress" if box == "in_progress" else "not_started"
            elif box and it.children and not stated and _is_done(box) and _BOX.match(doc.text(it.line)):
                # "- [x] **Phase 1:** ..." over its tasks: the ticked box says the phase is done, which its
                # tasks' boxes confirm or contradict
                ph.stated, ph.own = "[x]", "complete"
            self.phases.append(ph)

    def milestone_lists(self) -> None:
        """`- **Vision Documentation**: ✅ COMPLETE - ...` under a heading about milestones or a
        roadmap: each item a milestone named by its bold name, with the status that opens the rest."""
        doc = self.doc
        for sec in doc.sections[1:]:
            low = sec.title.lower()
            if ("milestone" not in low and "road" not in low) or not _MILESTONES.search(sec.title):
                continue
            for it in doc.items_in(sec.start, sec.body_end):
                if it.parent is not None:
                    continue
                m = _BOLD_NAME.match(it.text)
                rest = plain(m.group("rest")).lstrip(":").strip() if m else ""
                if m is None or not rest or not _leading_status(rest) or _TITLE.match(plain(m.group("name"))):
                    continue
                name = bare(m.group("name")).rstrip(":")
                ph = Phase(it.line, _item_end(doc, it), name, name, _stated_text(_status_clause(rest)), "item",
                           section=it.section)
                ph.container = ("list", it.parent, it.section, _list_head(doc, it))
                self.phases.append(ph)

    def table_rows(self) -> None:
        """Rows of a table with a phase column and a status column."""
        for t in self.doc.tables:
            header = [bare(c) for c in t.header]
            status_col = next((i for i, c in enumerate(header) if _STATUS_COLUMN.match(c)), None)
            phase_col = next((i for i, c in enumerate(header) if _PHASE_COLUMN.match(c)), None)
            if status_col is None or phase_col is None:
                continue
            name_col = next((i for i, c in enumerate(header)
                             if _NAME_COLUMN.match(c) and i not in (status_col, phase_col)), None)
            word = header[phase_col].rstrip("s").title()
            made, skipped = [], False
            for row in t.rows:
                cells = [bare(c) for c in row.cells]
                if len(cells) <= max(status_col, phase_col) or not cells[phase_col] or _TOTAL_ROW.match(cells[0]):
                    continue
                own = _stated_status(plain(row.cells[status_col]))
                if own is None:
                    skipped = skipped or bool(bare(row.cells[status_col]) if len(row.cells) > status_col else "")
                    continue
                first = cells[phase_col]
                unit = f"{word} {first}" if rx.match(r"^[\d.]+$", first) else first
                extra = cells[name_col] if name_col is not None and name_col < len(cells) else ""
                if name_col is not None and name_col < phase_col:
                    name = f"{extra}: {first}" if extra else unit
                else:
                    name = f"{unit}: {extra}" if extra else unit
                ph = Phase(row.line, row.line, name, unit, bare(row.cells[status_col]) or plain(row.cells[status_col]),
                           "row", section=t.section)
                ph.container = ("table", t.index)
                ph.own = own
                ph.text = _table_lines(t, row)
                self.phases.append(ph)
                made.append(ph)
            for ph in made:  # ("| V3 | ... | Redundant (A2) |": a row whose status says none of the four)
                ph.gap_in_list = skipped

    # -- each phase's own text and checklist -------------------------------------------------

    def bodies(self) -> None:
        doc = self.doc
        for k, ph in enumerate(self.phases):
            if ph.form in ("row", "progression"):
                continue
            # a phase's own text is its lines less those of the phases inside it (a heading's
            # sub-headings that are phases; a title line's next title line); a rule closes a section
            if ph.form == "heading":
                ph.last = _before_rule(doc, ph.line, ph.last)
                inner = [(q.line, q.last) for q in self.phases[k + 1:] if ph.line < q.line <= ph.last and q.form == "heading"]
            else:
                nxt = next((q for q in self.phases[k + 1:] if ph.line < q.line <= ph.last), None)
                if nxt is not None:
                    ph.last = nxt.line - 1
                inner = []
            ph.gaps = inner
            if ph.form == "item":
                items = _descendants(doc, doc.block_at(ph.line)[1])
            elif ph.form == "entry":
                items = []  # a ModLog entry's lists report what was done; its status is its title's
            else:
                lo, hi = bisect_left(self.item_lines, ph.line + 1), bisect_right(self.item_lines, ph.last)
                items = [it for it in doc.items[lo:hi] if not any(a <= it.line <= b for a, b in inner)]
            lists = _list_keys(doc, items)
            # a list under "**ISSUE**: We lost some features:" reports problems found, not the phase's tasks
            issues = {key for key in set(lists.values()) if key[0] is None
                      and _ISSUE_TITLE.match(plain(_line_above_list(doc, key[1]) or ""))}
            if issues:
                def top(it: ListItem) -> ListItem:
                    while it.parent is not None and it.parent in lists:
                        it = doc.items[it.parent]
                    return it
                items = [it for it in items if lists[top(it).index] not in issues]
            states = [(it, check_of(it)) for it in items]
            marked = {lists[it.index] for it, st in states if st is not None}
            # its scope: the plain list right under its title (not notes further down or under sub-headings)
            first_list = lists[items[0].index] if items and _opens_body(doc, ph, items[0]) else None
            checks, scope, checked_lists, remaining = [], [], set(), []
            titled: dict[tuple[int | None, int], tuple[str, str | None]] = {}
            per_list: dict[tuple[int | None, int], list[str]] = {}
            for it, state in states:
                text = _item_text(it).rstrip(":")
                if not text:
                    continue
                key = lists[it.index]
                if state is None and key in marked:
                    state = "open"  # an unmarked item in a list of checked ones is not done
                if state is None and key[0] is None and ph.form != "item":
                    # a plain list under a title that says its items' state ("[OK] Completed Components",
                    # "Missing Components"): its items are the phase's checks as much as ticked ones
                    if key not in titled:
                        title = _line_above_list(doc, key[1]) or _subheading_over(doc, ph, key[1])
                        titled[key] = (title, _list_state(title))
                    state = titled[key][1]
                if state is not None:
                    item = _STATE_LABEL.sub("", text, count=1)
                    later = _DEFERRED.search(item) if not _is_done(state) else None
                    if later:  # "Pattern extraction (FUTURE)": put off, not open work of this phase
                        state, item = "deferred", item[: later.start()].rstrip(" -:;,")
                    item = _STATE_TAIL.sub("", item) or text
                    checks.append((state, item))
                    checked_lists.add(key)
                    per_list.setdefault(key, []).append(state)
                elif key == first_list and (it.parent is None or ph.form == "item") and not _METADATA.match(text):
                    if it.children and it.parent is None and _REMAINING.match(_item_text(it)):
                        # "- Remaining:" over sub-items, after the phase's plain items: these are what is
                        # left, the items above it what is done
                        remaining.extend(t for t in (_item_text(doc.items[c]).rstrip(",;.") for c in it.children) if t)
                        continue
                    if _item_text(it).endswith(":") and it.children and it.parent is None:
                        # "Read-model emitters for:" over its sub-items: the item is the line and its list
                        subs = [t for t in (_item_text(doc.items[c]).rstrip(",;.") for c in it.children) if t]
                        shown: list[str] = []
                        for t in subs:  # (whole sub-items, as many as fit; the count of the rest is said)
                            if len(text) + sum(len(x) + 2 for x in shown) + len(t) > MAX_ITEM_CHARS + 40 and shown:
                                break
                            shown.append(t)
                        joined = ", ".join(shown) + (f", and {len(subs) - len(shown)} more" if len(shown) < len(subs) else "")
                        if subs:  # "emitters for: a, b" reads on as "emitters for a, b"; "Targets: a" as "Targets (a)"
                            text = (f"{text} {joined}" if rx.search(r"\b(?:for|to|of|in|on|with|including)$", text)
                                    else f"{text} ({joined})")
                    scope.append(text)
            if remaining and scope and not checks and len(scope) + len(remaining) <= MAX_CHECKS:
                checks, scope = [("done", t) for t in scope] + [("open", t) for t in remaining], []
                ph.remaining = len(remaining)
            later = [t for st, t in checks if st == "deferred"]
            if later and len(later) < len(checks):
                ph.deferred = later
                checks = [c for c in checks if c[0] != "deferred"]
            else:  # (all of them put off: the phase itself is)
                checks = [("future" if st == "deferred" else st, t) for st, t in checks]
            if any(st is not None for _, st in titled.values()) and len(per_list) > 1:
                # lists told apart by their titles: the reason counts each ("Completed Components: 5 of 5")
                named = [(_list_title(doc, ph, key[1]), sts) for key, sts in per_list.items()]
                if all(t for t, _ in named):
                    ph.lists = [(t, sum(1 for x in sts if _is_done(x)), sum(1 for x in sts if x != "deferred"))
                                for t, sts in named]
            if checks and len(checks) <= MAX_CHECKS and ph.form != "item" or ph.form == "item" and checks:
                ph.checks = checks
                if ph.form != "item" and all(parent is None for parent, _ in checked_lists):
                    # one labelled list holds them all ("**Success Criteria**:"): the reason names it
                    labels = {_line_above_list(doc, head) or _subheading_over(doc, ph, head) for _, head in checked_lists}
                    label = labels.pop() if len(labels) == 1 else ""
                    label = bare(label[:-1]) if label.endswith(":") else ""
                    if label and all(head - 1 != ph.line and head - 2 != ph.line for _, head in checked_lists):
                        ph.checks_label = label
            if sum(1 for t in scope if rx.match(r"^[^:]{1,40}:\s", t)) * 2 < len(scope) \
                    and sum(1 for t in scope if _FINDING.search(t)) * 2 < len(scope) \
                    and not any(_REPORTS.search(t) for t in doc.heading_path(ph.line)[-1:]):
                # ("lora_trainer.py: Exists", "0 audio files extracted", a list under "Findings": what was
                # found, not the phase's tasks)
                ph.scope = scope[:MAX_CHECKS]
            ph.doc = doc  # its text is rendered when an example is made of it (most phases read are not)

    def status_fields(self) -> None:
        """`**Phase 3 Status**: BLOCKED`, `**Status**: [OK] Phase 1 Complete`: the status of the
        phase whose text they are in, else of the one phase they name. One that names a phase with
        no title here, at the head of its document or entry, is an item itself. One that names no
        phase is the plan's own status ("Ready for Implementation")."""
        doc = self.doc
        by_unit: dict[tuple[int, str], list[Phase]] = {}
        for ph in self.phases:
            by_unit.setdefault((self.scope_of(ph.line), _norm(ph.unit)), []).append(ph)
        fields = [(f.line, f.key, f.value) for f in doc.fields]
        for sec in doc.sections[1:]:  # "#### **Resolution Status**: ... in progress" as a heading
            raw = sec.heading.raw
            if ":" not in raw or "stat" not in raw.lower():
                continue
            hm = rx.match(r"^(?P<key>[^:]{3,40}):\s*(?P<value>.+)$", plain(raw))
            if hm:
                fields.append((sec.start, hm.group("key"), hm.group("value")))
        claimed: dict[int, tuple[int, str]] = {}
        for line, key, value in sorted(fields):
            low = key.lower()
            if "next" in low and _NEXT_KEY.match(plain(key)):
                begin = _BEGIN_FIRST.search(plain(value))
                if begin:  # "**Next Action**: ... begin Phase 1 analysis": the plan has not begun
                    self.plans.setdefault(self.scope_of(line), []).append(
                        (f"{plain(key)}: {_cut(plain(value), 160)}", "not_started", begin.group("unit")))
                continue
            if "stat" not in low and "ready" not in low and "claim" not in low and "actual" not in low:
                continue
            km = _STATUS_KEY.match(key)
            if not km:
                continue
            key, value = plain(key), _unmangled(plain(value))
            low = key.lower().lstrip("*_ ")
            if low.startswith("claimed"):
                claimed[self.scope_of(line)] = (line, value)
                continue
            if low.startswith("actual"):
                got = claimed.pop(self.scope_of(line), None)
                if got is not None and line - got[0] <= 3:
                    self.claim(got[0], got[1], line, value)
                continue
            self.said_later(line, key, value, by_unit)
            ready = low.startswith("ready for")
            status = "not_started" if ready else status_of(value)
            current = rx.match(r"^\W*current\s+(?:status|phase|state|stage)\W*$", key, _F) and _TITLE.match(value)
            if current and status == "complete" and rx.match(_STAGE, current.group("unit"), _F):
                # "Current State: POC (architecture complete)": the stage the work is in, or one it has passed?
                # No example of its own; but the stages after it have not begun
                sec = doc.section_at(line)
                unit = current.group("unit")
                ph = Phase(line, line, bare(unit), unit, f"{key}: {value}", "status", section=sec.index)
                ph.container = ("sec", _roadmap_section(doc, sec.index))
                ph.own, ph.silent = "in_progress", True
                self.phases.append(ph)
                continue
            if status is None and current:
                status = "in_progress"  # "Current Status: Phase 1 - Setup": the phase it names, if listed here, is under way
            elif status is None:
                continue
            scope = self.scope_of(line)
            inner = _INNER.search(value)
            named = km.group("unit") or (inner.group("unit") if inner else None)
            if _PLAN_NOT_BEGUN.search(value) or ready:
                self.plans.setdefault(scope, []).append((f"{key}: {value}", "not_started", named))
            owner = _owner(self.phases, line)
            if owner is not None and owner.form == "entry" and line - owner.line > 12:
                owner = None  # an entry's status is in its head, not in a report further down
            if owner is not None and named and _norm(named) not in _norm(owner.name) and _norm(owner.unit) != _norm(named):
                owner = None
            if owner is not None:
                if not owner.stated and owner.form != "row":
                    owner.stated = _stated_text(_status_clause((named and _naming_part(value, named)) or value))
                continue
            if named:
                sec = doc.section_at(line)
                head = sec.start if sec.heading else doc.start
                stage_ok = rx.match(r"^\W*current\s+(?:state|stage)\W*$", key, _F) is not None
                label = None if ready or not (rx.match(_UNIT, named, _F) or stage_ok) else \
                    (_status_after(value, named) or (status_of(value) if stage_ok else None))
                cands = by_unit.get((scope, _norm(named)), [])
                if cands and (label is None or line - head > 12):
                    target = min(cands, key=lambda c: abs(c.line - line))
                    if abs(target.line - line) <= 80 and not target.stated and target.form not in ("row", "progression"):
                        target.stated = _cut(_naming_part(value, named) or f"{key}: {value}", 120)
                        target.own = "in_progress" if current else "not_started" if ready else _status_near(value, named)
                        if not target.line <= line <= target.last:
                            target.status_line = f"{key}: {value}"  # said elsewhere: the input shows it
                    continue
                if line - head > 12 or label is None or current and not _WORDS.search(value):
                    continue  # deep in a report, or not saying where the phase stands: it repeats a status
                ph = Phase(line, line, bare(named), named, bare(_status_clause(value)) or value, "status",
                           section=sec.index)
                ph.container = ("sec", _roadmap_section(doc, sec.index))
                ph.text = ([plain(sec.heading.raw)] if sec.heading and sec.start < line else []) + [f"{key}: {value}"]
                ph.own = label
                self.phases.append(ph)
                by_unit.setdefault((scope, _norm(named)), []).append(ph)
            elif not _PLAN_NOT_BEGUN.search(value) and rx.search(r"\bin\s+progress\b", value, _F):
                self.plans.setdefault(scope, []).append((f"{key}: {value}", "in_progress", None))
            elif _ALL_DONE.search(value):  # "Document Status: ALL SPRINTS COMPLETE": the whole plan claims it is done
                self.plans.setdefault(scope, []).append((f"{key}: {value}", "complete", None))
        self.phases.sort(key=lambda p: p.line)

    def said_later(self, line: int, key: str, value: str, by_unit: dict[tuple[int, str], list[Phase]]) -> None:
        """`**Status**: Phase 1 complete, Phase 2 starting` below a plan whose Phase 2 is marked "NEXT":
        a status line naming several phases, each with its own status, says where the later ones
        stand now. It moves a phase marked as next (or not marked) that it says has started."""
        units = list(dict.fromkeys(_norm(m.group("unit")) for m in _INNER.finditer(value)))
        if len(units) < 2:
            return
        for m in _INNER.finditer(value):
            unit = m.group("unit")
            clause = rx.split(r",|;|\|", value[m.start():], maxsplit=1)[0].strip()
            st = _status_after(clause, unit)
            cands = by_unit.get((self.scope_of(line), _norm(unit)), [])
            if st != "in_progress" or not cands:
                continue
            target = min(cands, key=lambda c: abs(c.line - line))
            if abs(target.line - line) > 80 or target.form not in ("heading", "line", "item") or target.checks \
                    or target.stated and not _TENSE_ONLY.match(target.stated):
                continue
            target.update, target.own = bare(clause), st
            target.status_line = f"{key}: {value}"

    def claim(self, line: int, claimed: str, actual_line: int, actual: str) -> None:
        """`Claimed Status: deployed` over `Actual Status: IMPLEMENTATION INCOMPLETE`: a milestone
        whose stated status its evidence contradicts."""
        own, real = status_of(claimed), status_of(actual)
        if own is None or real is None:
            return
        sec = self.doc.section_at(line)
        name = bare(sec.heading.raw) if sec.heading else _cut(bare(claimed), 80)
        ph = Phase(line, actual_line, name, name, bare(claimed), "claim", section=sec.index)
        ph.container = ("claim", line)
        ph.own, ph.actual = own, bare(actual)
        ph.derived = real
        ph.text = _render(self.doc, sec.start if sec.heading else line, actual_line)
        self.phases.append(ph)

    def groups(self) -> None:
        """The status a phase's group heading gives it ("Completed Phases", "Next Steps"); phases
        listed under a heading that is not a roadmap's (metrics, options, explanations) are
        dropped unless they have a checklist of their own."""
        doc = self.doc
        keep = []
        for ph in self.phases:
            sec = doc.sections[ph.section]
            chain = doc.ancestors(sec)
            if ph.form in ("heading", "entry"):
                chain = chain[1:]
            titles = [plain(s.heading.raw) for s in chain[:3] if s.heading]
            if ph.form in ("line", "item") or sec.heading and sec.heading.style == "bold":
                over = next((c for c in chain if c.heading and c.heading.style != "bold"), None)
                if over is not None and _rule_between(doc, over.start, ph.line):
                    titles = []  # after a rule, a line is the document's footer, not under the heading above it
            if ph.form == "item":
                above = _line_above_list(doc, ph.container[3])
                if above:
                    titles.insert(0, above)
            if ph.form in ("heading", "line", "item"):
                for t in titles:
                    label = next((lab for pat, lab in _GROUPS if pat.search(t)), None)
                    if label:
                        ph.context, ph.context_label = bare(t) or t, label
                        break
            if ph.needs_checks and not ph.checks:
                continue
            horizon = rx.match(_HORIZON, ph.unit, _F) is not None
            if horizon and not ph.checks and ph.form != "heading":
                continue  # "**Immediate**:" over plain bullets is a list of actions, not a phase
            if rx.match(r"step\b", ph.unit, _F) and not ph.checks and not ph.stated:
                ph.context_label = None  # the steps of a procedure share no status with their group
            if titles and _DEFINES.search(titles[0]):
                continue
            if titles and _CRITERIA.search(titles[0]) and ph.form in ("heading", "line") and ph.stated \
                    and ph.checks and status_of(ph.stated) == "complete":
                # "## Success Criteria / ### Phase 1 Complete (Week 2)": what must hold for Phase 1 to be
                # complete, not a claim that it is; its checklist says where it stands
                ph.name, ph.stated = bare(doc.text(ph.line).lstrip("#")), ""
                ph.checks_label = bare(titles[0])  # (its items are criteria: what is left, not steps to take)
            not_roadmap = _MEASURES if ph.stated else _NOT_ROADMAP
            # (a bold line over the list is a label inside its section: the section's heading says more)
            under = titles[:2] if ph.form != "item" and len(chain) > 1 and chain[0].heading \
                and chain[0].heading.style == "bold" and chain[0].level > chain[1].level else titles[:1]
            if not ph.checks and ph.form not in ("row", "entry", "status", "claim") \
                    and any(not_roadmap.search(t) and not _ROADMAP_WORDS.search(t) and not _GROUPS[2][0].search(t)
                            for t in under):
                continue
            keep.append(ph)
        self.phases = keep


_FINDING = regex.compile(r"^\W*\d[\d,./%]*\s+(?:\w+\s+){0,3}(?:\w+ed|found|done|left|remaining|pending|missing)\b"
                         r"|\bnot\s+(?:yet\s+)?(?:installed|found|present|available|configured|created|implemented"
                         r"|extracted|wired|running|started|built|tested|integrated)\b"
                         r"|\b(?:exists|verified|missing|broken|failing)\W*$", _F)
_REPORTS = regex.compile(r"\b(?:findings|audit|results?|issues|problems|gaps|violations|verification)\b", _F)


def _opens_body(doc: Document, ph: Phase, first: ListItem) -> bool:
    """Whether a list opens the phase's text: nothing but a line or two of notes between its title
    and the list, and no sub-heading."""
    if ph.form == "item":
        return True
    between = [t for _, t in doc.span(ph.line + 1, first.line - 1) if t.strip()]
    if len(between) > 2 or any(t.lstrip().startswith(("#", "|", "```")) for t in between):
        return False
    label = plain(between[-1]).rstrip() if between else ""
    # "**Root Causes**:", "Problem:" over the list: it lists something else than the phase's work
    return not label.endswith(":") or _TASK_LABEL.search(label) is not None


_NAMED_TITLE = regex.compile(r"^\*\*(?P<name>[A-Z][^*:]{1,60})\*\*\s*\((?P<state>[^()]{2,40})\)\s*:?$")
_TASK_LABEL = regex.compile(r"\b(?:tasks?|deliverables?|scope|steps?|objectives?|goals?|features?|work|todos?|checklist"
                            r"|actions?|items?|includes?|plan|milestones?|components?|targets?|outputs?|next|changes)\b", _F)


def _status_field(line: str) -> bool:
    """Whether a bold-led line is a status field ("**Status**: ..."): the title's own status."""
    m = rx.match(r"^\*\*([^*]{1,80})\*\*\s*:", line)
    return m is not None and _STATUS_KEY.match(plain(m.group(1))) is not None


def _rule_between(doc: Document, first: int, last: int) -> bool:
    return any(t[:1] in "-*_" and _RULE.match(t) and not t.startswith("- ") for _, t in doc.span(first + 1, last - 1))


def _before_rule(doc: Document, first: int, last: int) -> int:
    for n, t in doc.span(first + 1, last):
        if t[:1] in "-*_" and _RULE.match(t) and not t.startswith("- "):
            return n - 1
    return last


def _lines_naming_units(doc: Document) -> set[int]:
    """Indexes of the document's lines that hold a phase, stage or horizon word: a scan of the
    whole lowered text per word (str.find, faster than a regex alternation), on from the next line
    after each line found."""
    text = "\n".join(doc.lines).lower()
    starts = list(accumulate((len(t) + 1 for t in doc.lines), initial=0))
    last = len(doc.lines) - 1
    out: set[int] = set()
    for word in _UNIT_LITERALS:
        at = text.find(word)
        while at >= 0:
            i = bisect_right(starts, at) - 1
            out.add(i)
            at = text.find(word, starts[i + 1]) if i < last else -1
    return out


def _list_keys(doc: Document, items: list[ListItem]) -> dict[int, tuple[int | None, int]]:
    """Item index -> the list it is in: (its parent, the line of the list's first item); a list
    runs while its items follow one another with at most a blank line between them."""
    out: dict[int, tuple[int | None, int]] = {}
    runs: dict[int | None, tuple[int, int, int]] = {}  # parent -> (first line, last line, section)
    for it in items:
        run = runs.get(it.parent)
        if run is None or it.line - run[1] > 2 or it.section != run[2] \
                or any(t.strip() for _, t in doc.span(run[1] + 1, it.line - 1)):
            run = (it.line, it.line, it.section)  # a gap or a line of text between items ends a list
        run = (run[0], _item_end(doc, it), it.section)
        runs[it.parent] = run
        out[it.index] = (it.parent, run[0])
    return out


_CURRENT_HEADING = regex.compile(r"^\W*current\s+(?:status|state)\s*:\s*(?P<rest>.{3,120})$", _F)
_STATUS_TITLE = regex.compile(r"^(?P<name>[A-Z][\w /&+-]{2,50}?)\s+"
                              r"(?P<state>complete[d]?|in\s+progress|done|pending|planned)$", _F)


def _status_heading(title: str) -> tuple[str, str, str] | None:
    """A heading that names a stage by what it reports: "Current Status: [OK] Core Navigation
    Complete", "[OK] Foundation Complete" (the latter only over a checklist of its own). A group of
    TODOs ("Production Deployment TODOs") is a task list, not a stage."""
    m = _CURRENT_HEADING.match(title)
    if m:
        name, stated = split_title(m.group("rest"))
        if stated and name and _WORDS.search(stated):  # a word says the status, not a mark alone
            return name, stated, name
        return None
    lead = _MARK_LEAD.match(title)
    body = title[lead.end():] if lead else title
    sm = _STATUS_TITLE.match(bare(body))
    if sm and lead and len(sm.group("name").split()) <= 3 and not _ABOUT.search(sm.group("name")):
        lead_state = lead.group(0).strip() if status_of(lead.group(0)) else ""
        return sm.group("name"), f"{lead_state} {sm.group('state')}".strip(), sm.group("name")
    return None


def _sibling_in_parens(doc: Document, it: ListItem) -> bool:
    """Whether another item of the list names its phase in parentheses too ("... (Phase 2)")."""
    for j in (it.index - 1, it.index + 1):
        if 0 <= j < len(doc.items):
            o = doc.items[j]
            if o.parent == it.parent and abs(o.line - it.line) <= 2 and _UNIT_IN_PARENS.match(plain(o.text)):
                return True
    return False


_MILESTONES = regex.compile(r"\bmilestones?\b|\broad\s*map\b", _F)
_DONE_TITLE = regex.compile(r"^(?P<state>completed|done|in\s+progress)\s*:\s*(?P<name>\S.{2,80})$", _F)
_NEXT_PHASE = regex.compile(r"^(?P<tense>next|future|current|upcoming)\s+phase\s*:\s*(?P<name>\S.{2,80})$", _F)


def _named_title(raw: str, heading: bool = False) -> tuple[str, str, str] | None:
    """A title line that names its phase otherwise: "**NEXT PHASE: Advanced Analytics**" (in one
    bold; "**Next Phase**: ..." is a note of what comes next), or a module's stage with its status at
    the end ("**LinkedIn Agent** - Prototype Phase (v1.x.x) Complete:")."""
    line = plain(raw)
    body = line[_MARK_LEAD.match(line).end():] if _MARK_LEAD.match(line) else line
    m = _NEXT_PHASE.match(body)
    bold = _BOLD_NAME.match(raw)
    if m and (heading or bold is not None and ":" in bold.group("name")):
        name = bare(m.group("name"))
        return name, bare(line[: line.lower().find("phase") + 5]), name
    m = _DONE_TITLE.match(body)
    if m and (heading or bold is not None and ":" in bold.group("name")):  # "COMPLETED: Peer Review Integration"
        name = bare(m.group("name"))
        return name, m.group("state"), name
    inner = _INNER.search(body)
    if line.rstrip().endswith(":") and inner is not None and " - " in body[: inner.start()] \
            and body[: inner.start()].count("(") == body[: inner.start()].count(")"):
        got = _entry_title(body.rstrip().rstrip(":"))  # "LinkedIn Agent - Prototype Phase (v1.x.x) Complete:"
        if got is not None and got[1]:
            return got
    return None


_BOOKKEEPING = regex.compile(r"^\W*(?:version|agent|architect|author|auditor|date|git\s+hash|wsp\s+(?:references?|compliance|grade)"
                             r"|change\s+type|who|type|duration|maintainer)\b[^:\n]{0,12}:", _F)
_ISSUE_TITLE = regex.compile(r"^\W*(?:\[[A-Z]+\]\s*)?(?:issues?|problems?|bugs?|risks?|findings?|gaps?|violations?"
                             r"|known\s+issues|what\s+(?:went\s+wrong|we\s+lost))\b", _F)
_SESSION = regex.compile(r"\b(?:session|summary|report|handoff|retrospective)\b", _F)
_NEXT_KEY = regex.compile(r"^\W*next\s+(?:actions?|steps?)\W*$", _F)
# "begin Phase 1 analysis", "start Sprint 0": the first phase is still to begin
_BEGIN_FIRST = regex.compile(r"\b(?:begin|start)\b\s+(?:\w+\s+){0,2}?(?P<unit>(?:Phase|Sprint|Stage)\s*[01])\b", _F)
_NEXT_STEPS = regex.compile(r"^\W*next\s+(?:steps?|actions?)\b", _F)
_NEXT_FIELD = regex.compile(r"^\*\*(?P<tense>next|upcoming|following)\s+(?P<word>phase|sprint|stage|layer|milestone|level"
                            r"|tranche)\*\*\s*:\s*(?P<rest>\S.{2,200})$", _F)


def _next_field(line: str) -> tuple[str, str, str] | None:
    """`**Next Layer**: Dashboard (Layer 2) - Real data integration`: the phase a plan names as its
    next one, by its unit ("Layer 2") and its name, with "Next Layer" as its stated status."""
    m = _NEXT_FIELD.match(line.strip())
    if m is None:
        return None
    rest = plain(m.group("rest"))
    inner = next((u for u in _INNER.finditer(rest) if u.group("unit").lower().startswith(m.group("word").lower())), None)
    if inner is None:
        return None
    said = rest[: inner.start()] if inner.start() else rest[inner.end():].lstrip(" :-\u2013\u2014")
    name = bare(rx.split(r"\s*\(|\s[-\u2013\u2014]\s", said, maxsplit=1)[0]).strip(" :-")
    unit = inner.group("unit")
    return (f"{unit}: {name}" if name else unit), f"{m.group('tense')} {m.group('word')}", unit


_WRAPPED_ENTRY = regex.compile(r"^\W*(?:(?:mod\s*log|change\s*log)\s*[-:\u2013\u2014]\s*)?\[(?P<title>[^\[\]]{3,200})\]\W*$", _F)
_DESCRIPTION = regex.compile(r"^\W*(?:description|summary)\W*:\s*(?P<text>\S.*)$", _F)
_SENTENCE_END = regex.compile(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z])")


def _completion_sentence(doc: Document, first: int, last: int) -> str:
    """The sentence of an entry's description that says its phase is complete ("Phase 3 ... IDE
    implementation complete."): what a title ending in "COMPLETION" rests on, whole."""
    for _, raw in doc.span(first + 1, min(last, first + 12)):
        m = _DESCRIPTION.match(plain(raw))
        if m:
            sentence = _SENTENCE_END.split(m.group("text"), maxsplit=1)[0].strip()
            return sentence if len(sentence) <= MAX_ITEM_CHARS + 40 and status_of(sentence) == "complete" else ""
    return ""


def _entry_title(title: str) -> tuple[str, str, str] | None:
    """A ModLog entry or document title that reports on one phase: "WRE Phase 1 Complete - ...",
    "MAGADOOM Phase 2 Features Implemented": its name without the status words, and those words."""
    wrapped = _WRAPPED_ENTRY.match(title)
    if wrapped:  # "MODLOG - [PHASE 3 ... COMPLETION]:": the entry's title is what is in its brackets
        title = wrapped.group("title").strip()
    m = _INNER.search(title)
    if m is None or m.start() > 60 or _ABOUT.search(title[m.end():]) or _SESSION.search(title[: m.start()]):
        return None  # "WRE Phase 2 - COMPLETION AUDIT", "Session Complete: Phase 3C ...": a report about a phase
    after = title[m.end():]
    sm = _AFTER_UNIT.match(after)
    if sm is None:
        sm = rx.match(r"^\s*[-:]?\s*(?P<state>COMPLETE[D]?)\b", after, _F) \
            or rx.search(r"\s(?P<state>COMPLETION)\b", after)  # "[PHASE 3 ... CAPABILITIES COMPLETION]"
    if sm is None:  # "LinkedIn Agent - Prototype Phase (v1.x.x) Complete:"
        sm = regex.search(r"\s(?P<state>complete[d]?|implemented|done)\s*:?\s*$", after, _F)
    if sm is None:
        return bare(title), "", m.group("unit")
    name = rx.sub(r"\s+(?=[:,])", "", bare(title[: m.end()] + after[: sm.start("state")] + after[sm.end():]))
    return _undated(rx.sub(r"\s+-\s*$", "", name)), sm.group("state"), m.group("unit")


def _roadmap_section(doc: Document, index: int | None) -> int:
    """The section a roadmap's phases share: above a group heading ("Completed Phases") if they
    sit under one."""
    if index is None:
        return 0
    sec = doc.sections[index]
    if sec.heading and sec.parent is not None and any(pat.search(sec.title) for pat, _ in _GROUPS):
        return sec.parent
    return index


def _owner(phases: list[Phase], line: int) -> Phase | None:
    best = None
    for ph in phases:
        if ph.line < line <= ph.last and ph.form in ("heading", "entry", "line", "item"):
            if best is None or ph.line > best.line:
                best = ph
    return best


def _status_near(value: str, unit: str) -> str | None:
    """The status a line gives the phase it names: the words right after the name ("Phase 1 is
    100% complete"), else the last status before it ("Ready for Phase 1"), else the line's."""
    m = _find_unit(value, unit)
    if not m:
        return status_of(value)
    after = rx.split(r",|;|\s-\s|\bphase\b", value[m.end(): m.end() + 60], maxsplit=1, flags=_F)[0]
    return _stated_status(after) or _last_status(value[: m.start()]) or _stated_status(value)


def _naming_part(value: str, unit: str) -> str:
    """Of a status line in parts ("3 of 93 WSPs augmented | Methodology complete | Ready for Phase 1
    execution", or sentences), the part that names the phase, where the line has several parts."""
    parts = [t.strip().rstrip(".") for t in rx.split(r"\s\|\s|;\s|(?<=[a-z)])\.\s+(?=[A-Z])", value)]
    if len(parts) < 2:
        return ""
    return next((t for t in parts if _find_unit(t, unit)), "")


def _find_unit(value: str, unit: str) -> regex.Match[str] | None:
    """Where a line names the phase `unit` ("Phase 1" in "PHASE 1 NOT COMPLETE")."""
    return next((m for m in _INNER.finditer(value) if _norm(m.group("unit")) == _norm(unit)), None)


def _status_after(value: str, unit: str) -> str | None:
    """The status a line states right after naming a phase ("Phase 1 Complete", "Phase 3 is 100%
    COMPLETE", "PHASE 1 NOT COMPLETE"), or None."""
    m = _find_unit(value, unit)
    if not m:
        return None
    after = rx.split(r",|;|\s-\s|\bphase\b", value[m.end(): m.end() + 60], maxsplit=1, flags=_F)[0]
    return _stated_status(after)


def _is_title(s: str) -> bool:
    """A bold line that titles a list: `**Name**`, `**Name**:`, `**Name** (note):`."""
    close = s.find("**", 2)
    if close < 0:
        return False
    tail = s[close + 2:].strip()
    return not tail or tail == ":" or (tail.startswith("(") and tail.endswith((")", "):")) and len(tail) < 60)


def _item_end(doc: Document, it: ListItem) -> int:
    last, stack = it.end, list(it.children)
    while stack:
        child = doc.items[stack.pop()]
        last = max(last, child.end)
        stack.extend(child.children)
    return last


def _descendants(doc: Document, it: ListItem) -> list[ListItem]:
    out, stack = [], list(reversed(it.children))
    while stack:
        child = doc.items[stack.pop()]
        out.append(child)
        stack.extend(reversed(child.children))
    return out


def _list_head(doc: Document, it: ListItem) -> int:
    """The line of the first item of the list `it` is in: its earlier siblings, without a gap of
    more than a blank line between them."""
    first = it
    j = it.index - 1
    while j >= 0:
        prev = doc.items[j]
        if prev.parent != first.parent:
            if prev.parent is None or (first.parent is not None and prev.line <= doc.items[first.parent].line):
                break
            j -= 1  # a nested item of an earlier sibling
            continue
        if prev.section != first.section or first.line - _item_end(doc, prev) > 2:
            break
        first = prev
        j -= 1
    return first.line


def _line_above_list(doc: Document, head: int) -> str:
    """The title line right above a list ("**Sprint Status**:", "Next Steps (Sprint 2):")."""
    for n in range(head - 1, max(doc.start, head - 3) - 1, -1):
        t = doc.text(n).strip()
        if not t:
            continue
        if doc.block_at(n) is not None:
            return ""
        p = plain(t)
        return p if len(p) <= 60 and (p.endswith(":") or t.startswith("**")) else ""
    return ""


def _subheading_over(doc: Document, ph: Phase, head: int) -> str:
    """The title of a sub-heading of the phase right over a list ("### Success Criteria"), with a
    colon as a label line has one; else empty."""
    sec = doc.section_at(head)
    if sec.heading is None or sec.start <= ph.line or sec.start < head - 2 or sec.heading.style == "bold":
        return ""
    title = plain(sec.heading.raw.lstrip("#"))
    return f"{title.rstrip(':')}:" if len(title) <= 60 else ""


def _list_title(doc: Document, ph: Phase, head: int) -> str:
    """The title a list sits under inside a phase ("Success Criteria"), without its tag; else empty."""
    title = _line_above_list(doc, head) or _subheading_over(doc, ph, head)
    return bare(title[:-1]) if title.endswith(":") else ""


# a list's title that says its items' state: done ("[OK] Completed Components", "Done:") or not
# ("Missing Critical Components", "Remaining work", "TODO:")
_LIST_DONE = regex.compile(r"^\W*(?:\[(?:OK|DONE|COMPLETED?)\]\s*|\u2705\s*)?(?:completed?|done|finished|achieved|delivered)"
                           r"(?:\s+[\w-]+){0,3}\W*$", _F)
_REMAINING = regex.compile(r"^\W*(?:remaining|still\s+(?:to\s+do|open)|left\s+to\s+do|to\s+do)(?:\s+(?:work|items|tasks))?\s*:\s*$", _F)
_LIST_OPEN = regex.compile(r"^\W*(?:\[[A-Z]+\]\s*)?(?:missing|remaining|outstanding|open|todos?|to\s+do"
                           r"|not\s+(?:yet\s+)?(?:done|implemented|started))(?:\s+[\w-]+){0,3}\W*$", _F)


def _list_state(title: str) -> str | None:
    if not title:
        return None
    t = plain(title)
    return "done" if _LIST_DONE.match(t) else "open" if _LIST_OPEN.match(t) else None


# "(FUTURE)", "[DEFERRED]", "- LATER" after an item: put off to a later phase
_DEFERRED = regex.compile(r"\s*(?:[(\[](?:future|deferred|later|postponed|backlog)[)\]]"
                          r"|\s[-\u2013\u2014]\s+(?-i:FUTURE|DEFERRED|LATER|POSTPONED))\.?$", _F)


def _item_text(it: ListItem, keep_marks: bool = False) -> str:
    """An item's text without its leading check mark (shown apart); marks inside it are kept for
    an input (they are what says its state) and dropped for an output."""
    text = plain(it.text)
    m = _ITEM_MARK.match(text)
    if m:
        text = text[m.end():]
    if keep_marks:
        return _cut(" ".join(text.replace("\uFE0F", "").split()), MAX_ITEM_CHARS + 40)
    text = bare(text) if not text.isascii() or "[" in text else text.strip()
    return _cut(rx.sub(r"\(\s+\)|\s+\)", lambda m: "" if m.group(0).startswith("(") else ")", text))


_METADATA = regex.compile(r"^(?:MPS|Priority|Status|Duration|Goal|Owner|Effort|Estimate|Tokens?|Score|Target|Timeline)\b[^:]{0,20}:",
                          _F)
_BOX = regex.compile(r"^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+\[([ xX])\]")
_MARKER = regex.compile(r"^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+")


def _render(doc: Document, first: int, last: int, gaps: list[tuple[int, int]] = ()) -> list[str]:
    """A phase's lines for an example's input: plain, each checklist item's state shown one way;
    the phases inside it (`gaps`) are left out but for their titles."""
    out = []
    for n, raw in doc.span(first, last):
        s = raw.lstrip()
        if not s or s[0] in "-*_=" and _RULE.match(s) or any(a < n <= b for a, b in gaps):
            continue
        hit = doc.block_at(n)
        if hit is not None and hit[0] == "item":
            it = hit[1]
            if it.line != n:
                continue  # a continuation line of an item
            indent = "  " * min(3, it.indent // 2)
            box = _BOX.match(raw)
            if box:  # a box shows its state one way, "[x]" or "[ ]"
                out.append(f"{indent}- {'[x]' if box.group(1) in 'xX' else '[ ]'} {_item_text(it, keep_marks=True)}")
            else:  # a mark ("✅", "⏳", "[OK]") is shown as written
                written = plain(_MARKER.sub("", raw, count=1)).replace("\uFE0F", "")
                # (room for its mark or label: the input shows at least what the output's item says; an item, a
                # field's value ("Description: ..."), given to a sentence's end where it fits a long line: one
                # stopped mid-phrase is a fragment to read)
                written = " ".join(written.split())
                out.append(f"{indent}- {_cut_at_sentence(written, 2 * MAX_ITEM_CHARS + 80)}")
        elif hit is not None and hit[0] == "fence":
            f = hit[1]
            if n == f.start + 1 or f.start < n < f.end and n - f.start <= FENCE_LINES:
                out.append("    " + _cut(_code_line(raw.strip()), 120))  # the first lines of a command or code block it holds
            elif n == f.start + FENCE_LINES + 1 and f.end - f.start > FENCE_LINES + 1:
                out.append(f"    ({f.end - n} more lines)")
        else:
            p = plain(raw)
            if p:
                out.append(_cut_at_sentence(p, 200))
    return out




def _cut_at_sentence(text: str, limit: int) -> str:
    """A long line of a phase's text cut after its last whole sentence that fits (a description
    read to its end, not stopped mid-phrase), else where _cut cuts it."""
    if len(text) <= limit:
        return text
    ends = [m.start() for m in _SENTENCE_END.finditer(text[: limit + 1])]
    return text[: ends[-1]] if ends and ends[-1] > limit // 3 else _cut(text, limit)


def _code_line(text: str) -> str:
    """A line of a fenced block as written, but for its mangled symbols and emoji escapes."""
    text = unmangle(text)
    return _ESCAPE.sub(_decode, text) if "[U+" in text else text


def _table_lines(t: Table, row) -> list[str]:
    return ["| " + " | ".join(bare(c) for c in t.header) + " |", "| " + " | ".join(plain(c) for c in row.cells) + " |"]


# -- roadmaps ----------------------------------------------------------------------------------


@dataclass
class Roadmap:
    name: str
    phases: list[Phase]  # all it lists, for its summary and audit
    restated: set[int] = field(default_factory=set)  # (ids of) phases stated better elsewhere: no example of their own
    template: bool = False  # its section has a template's slots ("[CURRENT_PHASE_NAME]"): not a real plan
    partial: bool = False  # a phase it lists says only what it is not ("NOT YET OPERATIONAL"): left out, unlabelled
    left_out: bool | None = None  # it leaves out a stage its source lists with its phases (`_left_out`, read once)


def settle(phases: list[Phase], plans: list[tuple[str, str, str | None]]) -> None:
    """Each phase's label: from its own stated status and its own checklist first (needs_update
    where they disagree), then from its group, the plan's own status, or its place after (or
    before) the phase in progress."""
    units = {_norm(p.unit) for p in phases}
    plans = [p for p in plans if p[2] is None or _norm(p[2]) in units]  # a plan names one of these phases
    plan = next((p for p in plans if p[1] == "not_started"), None) or (plans[0] if plans else None)
    # a plan under way with one phase done is as it should be; with every phase done, its status is stale
    all_done = all(len(p.done) == len(p.checks) for p in phases if p.checks)
    for ph in phases:
        ph.stated = _tidy(ph.stated)
        if ph.own is None and ph.stated:
            ph.own = _stated_status(ph.stated) or status_of(ph.stated)
        if ph.own == "in_progress" and not ph.checks and _unsettled(ph.stated):
            ph.own, ph.unsettled = None, True  # (nor do its group or its place settle what it says it is not)
            continue
        if ph.form == "claim":
            ph.label, ph.basis = ("needs_update" if ph.own != ph.derived else ph.own), "claim"
            continue
        if ph.own in ("in_progress", "not_started") and ph.checks and _CRITERIA.search(ph.checks_label) \
                and (ph.own == "not_started" and ph.done or ph.own == "in_progress" and len(ph.done) == len(ph.checks)):
            # ("Sprint 1 (CURRENT)" over "Success Criteria: ✅ ...": what the sprint is to achieve, marked as
            # targets; not a checklist that shows its status stale. Its stated status stands.)
            ph.checks, ph.checks_label = [], ""
        d, t = len(ph.done), len(ph.checks)
        if t:
            started = any(s == "in_progress" for s, _ in ph.checks)
            ph.derived = "complete" if d == t else "not_started" if d == 0 and not started else "in_progress"
        if ph.own and t:
            stale = (ph.own == "complete" and d < t) or (ph.own == "not_started" and d > 0) \
                or (ph.own == "in_progress" and d == t and t >= 2 and not ph.deferred) or bool(ph.unticked_done)
            # complete, its own items done, but items put off to later still unticked in its checklist:
            # not open work, yet the checklist still lists them here (they belong to a later phase)
            # (complete, its own items done, items put off to later still unticked: those are not this phase's
            # open work, so the stated status holds; the reason sets them apart)
            ph.label, ph.basis = ("needs_update" if stale else ph.own), "both"
        elif ph.own:
            ph.label, ph.basis = ph.own, "stated"
            if ph.own == "not_started" and _finishing(ph) and rx.search(r"\bnext\b", ph.stated, _F):
                ph.label, ph.finishing = "in_progress", True  # "Phase 5 Completion (Next 20 minutes)"
        elif t:
            against = plan[1] if plan and ph.form in ("heading", "line") and _number(ph.unit) is not None else None
            if ph.unticked_done:
                ph.label, ph.basis = "needs_update", "checklist"
            elif against and ((against == "not_started" and d > 0) or (against == "in_progress" and all_done)
                              or (against == "complete" and d < t)):
                ph.label, ph.basis, ph.context = "needs_update", "plan_checks", plan[0]
                ph.own = against
            else:
                ph.label, ph.basis = ph.derived, "checklist"
        elif ph.context_label and not any(p is not ph and p.context == ph.context and p.own in ("complete", "in_progress")
                                          and ph.context_label == "not_started" for p in phases):
            # (not where a phase of the same group says it is done or under way: "## Future Enhancements" over
            # "Roadmap Milestones: Phase 1 (Complete), Phase 2 (In Progress), Phase 3": the group is not its status)
            ph.label, ph.basis = ph.context_label, "group"
            if ph.label == "not_started" and _finishing(ph):
                # "Phase 5 Completion" under "Next Actions": finishing a phase is next, so it is under way
                ph.label, ph.finishing = "in_progress", True
        elif plan and plan[1] == "not_started" and ph.form in ("heading", "line") and _number(ph.unit) is not None:
            ph.label, ph.basis, ph.context = "not_started", "plan", plan[0]
    # what a phase says of itself places the others ("Sprint 1 (CURRENT)" even where its checks are all ticked)
    said = {id(p): p.own or p.label for p in phases if p.basis in ("both", "stated", "checklist")}
    anchors = [p for p in phases if said.get(id(p)) in ("in_progress", "not_started") and p.form not in ("entry", "claim")]
    current = next((p for p in anchors if said[id(p)] == "in_progress"), None)
    for i, ph in enumerate(phases):
        if ph.label or ph.unsettled or ph.form in ("entry", "status", "claim", "progression"):
            continue
        if current is not None:
            after = _after(ph, current, phases)
            ph.label, ph.basis, ph.previous = ("not_started" if after else "complete"), "sequence", current
            if after:  # what it follows most closely: a later phase under way or not begun, if there is one
                for p in anchors:
                    if p is not ph.previous and _after(p, ph.previous, phases) and _after(ph, p, phases):
                        ph.previous = p
            continue
        before = next((p for p in reversed(phases[:i]) if p in anchors and said[id(p)] == "not_started"), None)
        if before is None and not any(p.label in ("complete", "in_progress") for p in phases[i + 1:]):
            # "Phase 1 (implemented) / Phase 2 / Phase 3": what follows the last finished phase is still to do
            before = next((p for p in reversed(phases[:i]) if p.basis in ("both", "stated", "checklist")
                           and p.label == "complete" and p.form not in ("entry", "claim")), None)
        if before is not None:
            ph.label, ph.basis, ph.previous = "not_started", "sequence", before
    for ph in phases:  # the phases between it and the one that places it ("MVP" after "Proto" after "PoC")
        if ph.basis == "sequence" and ph.label == "not_started" and ph.previous is not None:
            ph.between = [p.name for p in phases if p is not ph and p is not ph.previous and p.form == ph.form
                          and p.basis == "sequence" and _after(p, ph.previous, phases) and _after(ph, p, phases)]


_TENSE_ONLY = regex.compile(r"^\W*(?:\[[A-Z]+\]\s*)?(?:next|upcoming|planned)\b\s*(?:\([^()]{0,40}\))?\W*$", _F)
_FINISHING = regex.compile(r"^\W*(?:\w+\s+)?(?:completion|finish(?:ing)?|wrap[\s-]?up|close[\s-]?out)\b", _F)


def _finishing(ph: Phase) -> bool:
    """Whether a phase is named as the finishing of one ("Phase 5 Completion")."""
    return _FINISHING.search(ph.name[len(ph.unit):] if ph.name.startswith(ph.unit) else ph.name) is not None


def _after(ph: Phase, current: Phase, phases: list[Phase]) -> bool:
    """Whether a phase comes after the current one: by their numbers where both have one (a plan
    may list its sprints last first), else by their order in the text."""
    a, b = _number(ph.unit), _number(current.unit)
    if a is not None and b is not None and a != b:
        return a > b
    return phases.index(ph) > phases.index(current)


def _scopes(doc: Document) -> Iterator[tuple[Document, tuple[str, ...]]]:
    """The document, and each markdown block inside it (a roadmap quoted in a ```markdown fence, or
    a fence that holds markdown), parsed as a document of its own."""
    yield doc, ()
    for f in doc.fences:
        if f.lang not in _MARKDOWN_LANGS or len(f.body) < 3 or _quotes_an_entry(f.body):
            continue
        if f.lang in ("", "text", "txt") and not _holds_phases(f.body):
            continue
        yield parse_document(f.body, f.start + 1, doc.index), tuple(doc.heading_path(f.start))


def _quotes_an_entry(body: list[str]) -> bool:
    """Whether a block quotes a ModLog entry (`## [2025-10-23] Phase 1 Complete` over its files and
    TODOs): an entry drafted or checked in a report, not a roadmap."""
    first = next((t.strip() for t in body if t.strip()), "")
    return first.startswith("#") and _DATED.match(plain(first.lstrip("#"))) is not None


def _holds_phases(body: list[str]) -> bool:
    n = 0
    for t in body:
        s = t.lstrip()
        if s[:1] in ("#", "-", "*", "|") or _TITLE.match(s[:40]):
            if s.startswith("#") or "[" in s[:6] or _TITLE.match(plain(s)):
                n += 1
                if n >= 2:
                    return True
    return False


_BASIS_RANK = {"both": 0, "stated": 0, "checklist": 0, "claim": 0, "plan_checks": 0, "group": 1, "plan": 1, "sequence": 2}


def roadmaps(doc: Document) -> list[Roadmap]:
    """The document's roadmaps: its phases grouped by what they are listed in, each settled; a
    phase stated twice in one document (or ModLog entry) is kept once, where it is best evidenced."""
    found: list[tuple[Document, tuple[str, ...], tuple[int, int], list[Phase]]] = []
    main = None
    for scope_doc, outer in _scopes(doc):
        reader = _Reader(scope_doc)
        main = main or reader
        phases = reader.read()
        groups: dict[tuple, list[Phase]] = {}
        for ph in phases:
            groups.setdefault(ph.container, []).append(ph)
        for members in groups.values():
            horizons = [p for p in members if rx.match(_HORIZON, p.unit, _F)]
            if len(horizons) == 1:
                members.remove(horizons[0])  # "Immediate" alone is an action list; with "Long-term" it is a plan
            if not members:
                continue
            scope = (id(scope_doc), main.scope_of(members[0].line))
            settle(members, reader.plans.get(reader.scope_of(members[0].line), [])
                   or main.plans.get(main.scope_of(members[0].line), []))
            if all(p.basis in ("checklist", "sequence", "") for p in members) and not _in_roadmap(scope_doc, outer, members[0]):
                continue  # checklists no status word calls a roadmap's: a protocol's or a mission's steps
            found.append((scope_doc, outer, scope, members))
    found = _continued(found)
    kept_by_unit: dict[tuple[tuple[int, int], str], list[Phase]] = {}
    dropped: set[int] = set()
    labelled = [(scope, ph) for _, _, scope, members in found for ph in members if ph.label]
    # the first statement of a phase is the item; but a status line ("Status: Layer 1 Complete") gives way
    # to the phase's own place in a roadmap of three or more (its heading, title line or table row)
    structural = {(scope, _norm(ph.unit)) for _, _, scope, members in found if len(members) >= 3
                  for ph in members if ph.label and ph.form in ("heading", "line", "row")}
    # (so does a group line named by its unit alone: "**Not Yet Implemented** (Phase 2):")
    for scope, ph in sorted(labelled, key=lambda sp: (sp[1].form == "status" and (sp[0], _norm(sp[1].unit)) in structural
                                                       or sp[1].form == "line" and _norm(sp[1].name) == _norm(sp[1].unit),
                                                       _BASIS_RANK[sp[1].basis], sp[1].line)):
        if not rx.search(r"\d|\b[A-Z]\d*$", ph.unit):
            continue
        same = kept_by_unit.setdefault((scope, _norm(ph.unit)), [])
        if any(_same_phase(ph, q) for q in same):
            dropped.add(id(ph))
        else:
            same.append(ph)
    out: list[Roadmap] = []
    for scope_doc, outer, _, members in sorted(found, key=lambda f: f[3][0].line):
        listed = [p for p in members if p.label]
        kept_units = {_norm(p.unit) for p in listed if id(p) not in dropped}
        listed = [p for p in listed if id(p) not in dropped or _norm(p.unit) not in kept_units]
        if any(id(p) not in dropped for p in listed):
            out.append(Roadmap(_roadmap_name(scope_doc, outer, listed[0]), listed,
                               {id(p) for p in listed if id(p) in dropped}, _has_slots(scope_doc, listed[0]),
                               partial=any(p.unsettled or p.gap_in_list for p in members)))
    return out


def _continued(found: list[tuple[Document, tuple[str, ...], tuple[int, int], list[Phase]]]) \
        -> list[tuple[Document, tuple[str, ...], tuple[int, int], list[Phase]]]:
    """Roadmaps of phase headings that go on from one another in one document (Sprints 0-5, then
    under a new heading Sprints 6-8) as one: its summary covers all of it or none, never a part
    named as the whole."""
    out: list[tuple[Document, tuple[str, ...], tuple[int, int], list[Phase]]] = []
    for entry in found:
        members = entry[3]
        prev = next((f for f in reversed(out) if f[0] is entry[0] and f[2] == entry[2]
                     and f[3][-1].form == "heading" and f[3][-1].container[0] == "sec"), None)
        if prev is not None and members[0].form == "heading" and members[0].container[0] == "sec" \
                and _word(members[0].unit) == _word(prev[3][-1].unit) is not None:
            a, b = _number(prev[3][-1].unit), _number(members[0].unit)
            if a is not None and b is not None and b == int(a) + 1 and members[0].line > prev[3][-1].line:
                prev[3].extend(members)
                continue
        out.append(entry)
    return out


def _word(unit: str) -> str | None:
    m = rx.match(r"[A-Za-z]+", unit)
    return m.group(0).lower() if m else None


_ROADMAP_WORDS = regex.compile(
    r"\broad\s*map|\bplan\b|\bphases\b|step-by-step|\bmigration\b|\bmissing\b|\bchecklist\b|\bexecution\s+path"
    r"|\blifecycle\b|\bsprints?\b|\bmilestones?\b|\bremaining\b|\bnext\s+steps\b|\bdevelopment\b|\bprogress\b"
    r"|\bstatus\b|\btodos?\b|\bdeliverables\b|\bevolution\b|\btimeline\b|\btracking\b", _F)


_NAME_WORD = regex.compile(r"[a-z0-9]{3,}")
_NAME_STOP = frozenset("the and for with from phase sprint stage milestone layer level step tranche token tokens hours "
                       "minut weeks days".split())


def _same_phase(a: Phase, b: Phase) -> bool:
    """Whether two phases with the same unit are the same phase stated twice: one is named by its
    unit alone, or their names share half their words."""
    def stems(ph: Phase) -> set[str]:
        name = rx.sub(r"\([^()]*\d[^()]*\)", " ", ph.name.lower())  # "(6-7 hours)", "(Week 2)": when, not what
        return {w[:5] for w in _NAME_WORD.findall(name) if not w.isdigit()} - _NAME_STOP \
            - {w[:5] for w in _NAME_WORD.findall(ph.unit.lower())}

    wa, wb = stems(a), stems(b)
    if not wa or not wb:
        return True
    return len(wa & wb) * 2 >= min(len(wa), len(wb))


def _in_roadmap(doc: Document, outer: tuple[str, ...], first: Phase) -> bool:
    """Whether a phase sits in a roadmap or plan by its document or the headings over it."""
    if doc.kind == "roadmap":
        return True
    path = doc.heading_path(first.line)
    if first.form in ("heading", "entry"):
        path = path[:-1]
    return any(_ROADMAP_WORDS.search(t) for t in (*outer, doc.title or "", *path))


def _short_title(title: str) -> str:
    """A heading's title without the note after it ("TODO List *Use [+todo] ...*")."""
    return rx.split(r"\s+\*|\s+\(see\b|\s+-\s+@", title, maxsplit=1, flags=_F)[0].strip()


def _roadmap_name(doc: Document, outer: tuple[str, ...], first: Phase) -> str:
    """What the roadmap is: its document (or module) and the heading it sits under."""
    above = doc.heading_path(first.line)
    if first.form in ("heading", "entry"):
        above = above[:-1]
    titles = [_short_title(bare(_DATED.sub("", t)) or bare(t)) for t in (*outer, *above)]
    titles = [t for t in titles if t and parse_title(t) is None and not any(pat.search(t) for pat, _ in _GROUPS)
              and not _ARROW.search(t)]
    base = bare(doc.title or doc.path or "")
    if not base or parse_title(_DATED.sub("", base)) is not None:
        base = bare(outer[0]) if outer else ""  # a quoted block's title is its phase's, not its roadmap's
    names = [base] if base else []
    if titles and titles[-1] not in names:
        names.append(titles[-1])
    if not names:  # a document named by its phase, over a group heading: better than no name
        names = [t for t in (bare(doc.title or ""), bare(above[-1]) if above else "") if t]
    return " > ".join(dict.fromkeys(names)) or "untitled document"


# -- drafts ------------------------------------------------------------------------------------


_KIND_WORDS = {"phase_status": "phase status", "phase_state": "phase status", "roadmap_summary": "summary", "roadmap_overview": "summary",
               "roadmap_audit": "audit", "phase_in_plan": "phase in its plan"}


def _template(key: str, inp: dict[str, Any], out: dict[str, Any]) -> str:
    """What an example says but for its roadmap's name, in words with a digest of the rest: the same
    for a template roadmap written out for several modules, whose examples are then kept only a
    couple of times (Draft.template)."""
    said = json.dumps([key, {k: v for k, v in inp.items() if k != "roadmap"},
                       {k: v for k, v in out.items() if k != "roadmap"}], sort_keys=True, ensure_ascii=False)
    what = f' of "{out["phase"]}" ({out["status"]})' if "phase" in out and "status" in out else ""
    digest = hashlib.blake2b(said.encode("utf-8"), digest_size=6).hexdigest()
    return f"roadmaps giving the same {_KIND_WORDS[key]}{what} [{digest}]"


_PHASE_REQUIRED = ("phase", "status", "reason")
_TAG_ONLY = regex.compile(r"^(?:\[[A-Z][A-Z0-9_+-]{1,20}\]\s*)+$")
_STATUS_LINE = regex.compile(r"^\W*(?:\w+\s+){0,3}(?:status|state)\s*:", _F)


def _evidence(doc_line: str) -> str:
    raw = doc_line.strip()
    if len(raw) <= MAX_EVIDENCE:
        return raw
    cut = raw[:MAX_EVIDENCE]
    return cut[: cut.rfind(" ")] if " " in cut[60:] else cut


def _is_check_line(line: str) -> bool:
    s = line.lstrip()
    return s.startswith(("- [x] ", "- [ ] ")) or s.startswith("- ") and _ITEM_MARK.match(s[2:]) is not None


def _phase_text(ph: Phase) -> str:
    """The phase's lines, cut to MAX_INPUT_CHARS by leaving out notes before any checklist item
    (the count of lines left out is said); empty when the checklist alone does not fit."""
    lines = ph.lines()
    if ph.form == "entry":  # a log entry's bookkeeping (its version, agent, git hash) says nothing of the phase
        lines = [lines[0], *(t for t in lines[1:] if not _BOOKKEEPING.match(t))]
    while len(lines) > 1 and lines[-1].lstrip().startswith("#"):
        lines = lines[:-1]  # ("### Results" over a phase of its own, shown apart: a heading over nothing here)
    if sum(len(t) + 1 for t in lines) <= MAX_INPUT_CHARS:
        return "\n".join(lines)
    head, rest = lines[0], lines[1:]
    budget = MAX_INPUT_CHARS - len(head) - 60
    keep: set[int] = set()
    # its checklist, status lines and the titles over its lists first ("### Success Criteria" over its boxes:
    # without its title a list reads as the items of the list above it)
    heads: set[int] = set()  # the title lines over checklist items (up to the next title)
    title = None
    for i, t in enumerate(rest):
        if _is_title_line(t):
            title = i
        elif title is not None and _is_check_line(t):
            heads.add(title)
    for i in sorted(range(len(rest)), key=lambda i: (0 if _is_check_line(rest[i]) or "status" in rest[i].lower()
                                                      else 1 if i in heads else 2, i)):
        if len(rest[i]) + 1 > budget:
            if _is_check_line(rest[i]):
                return ""
            break
        keep.add(i)
        budget -= len(rest[i]) + 1
    if any(_is_check_line(rest[i]) for i in range(len(rest)) if i not in keep):
        return ""
    notes = sorted((i for i in keep if not (_is_check_line(rest[i]) or "status" in rest[i].lower() or i in heads)),
                   reverse=True)
    while True:
        out = [head]
        gap = 0
        for i, t in enumerate(rest):  # (each run of lines left out is said where it was)
            if i in keep:
                if gap:
                    out.append(f"({gap} line{'s' if gap > 1 else ''} not shown)")
                    gap = 0
                out.append(t)
            else:
                gap += 1
        if gap:
            out.append(f"({gap} more line{'s' if gap > 1 else ''} not shown)")
        text = "\n".join(out)
        if len(text) <= MAX_INPUT_CHARS or not notes:
            return text
        keep.discard(notes.pop(0))  # (room for the notes saying where lines are left out: a note less)


def _is_title_line(line: str) -> bool:
    """A heading or a list's title line ("**Success Criteria**:") inside a phase's text."""
    s = line.strip()
    return s.startswith("#") or not s.startswith(("- ", "(")) and s.endswith(":") and len(s) <= 80


def _reason(ph: Phase) -> str:
    d, t = len(ph.done), len(ph.checks)
    counted = f"{d} of {t} checklist items {'is' if d == 1 else 'are'} done"
    if ph.lists:
        counted = (f"{d} of {t} items {'is' if d == 1 else 'are'} done ("
                   + "; ".join(f'"{name}": {a} of {b}' for name, a, b in ph.lists) + ")")
    elif ph.checks_label:
        counted = f'{d} of {t} items under "{ph.checks_label}" {"is" if d == 1 else "are"} marked done'
    elif ph.remaining:
        counted = (f'{d} of {t} items {"is" if d == 1 else "are"} done (the {ph.remaining} under "Remaining" '
                   f'{"is" if ph.remaining == 1 else "are"} left)')
    if ph.deferred:
        n = len(ph.deferred)
        counted += f" ({n} more {'is' if n == 1 else 'are'} put off to later, not open work of this phase)"
    said = f'it is marked "{ph.stated}"'
    if ph.stated in _BOX_SAYS:
        said = _BOX_SAYS[ph.stated]
    elif ph.own and (not rx.search(r"[A-Za-z]{3}", ph.stated) or _TAG_ONLY.match(ph.stated)):
        said += f" ({_SAYS[ph.own]})"  # a mark alone: say what it means
    if ph.basis == "claim":
        return (f'The claimed status ("{ph.stated}") says {_SAYS[ph.own]}, but the actual status '
                f'("{ph.actual}") says {_SAYS[ph.derived]}.')
    if ph.label == "needs_update" and ph.unticked_done:
        return (f"{counted}, but {len(ph.unticked_done)} of them "
                f"{'says' if len(ph.unticked_done) == 1 else 'say'} done in {'its' if len(ph.unticked_done) == 1 else 'their'} "
                "text with the box still unticked: the checklist is out of date.")
    if ph.put_off:
        n = len(ph.deferred)
        return (f'It is marked "{ph.stated}" and {d} of {t} of its own items {"is" if d == 1 else "are"} done, but '
                f"{n} unticked item{'s' if n > 1 else ''} put off to later {'are' if n > 1 else 'is'} still in its "
                f"checklist: not open work of this phase, but listed as if {'they were' if n > 1 else 'it were'}.")
    if ph.basis in ("both", "plan_checks") and ph.label == "needs_update":
        claim = f'The text says "{ph.stated}"' if ph.basis == "both" else f'The plan says "{ph.context}"'
        if ph.stated in _BOX_SAYS and ph.basis == "both":
            claim = "Its own box is " + ("ticked" if ph.stated == "[x]" else "unticked")
        if ph.basis == "plan_checks" and ph.own == "in_progress":
            return (f"{claim} (in progress), but {counted}, as are those of every other phase of the plan: the "
                    "plan's status and its checklists disagree.")
        return (f"{claim} ({_SAYS[ph.own]}), but {counted}, which means {_SAYS[ph.derived]}: "
                "the stated status and the checklist disagree.")
    if ph.basis == "both":
        return f"{said[0].upper()}{said[1:]} and {counted}."
    if ph.basis == "stated" and ph.update:
        marked = f'It is marked "{ph.stated}", but' if ph.stated else "It states no status of its own, but"
        return f'{marked} the status line below says "{ph.update}": it has begun since, so it is in progress.'
    if ph.basis == "stated" and ph.finishing:
        return (f"{said[0].upper()}{said[1:]}: what comes next is its completion, so the phase is under way, "
                "not yet finished.")
    if ph.basis == "stated" and ph.logged:
        return f'The log entry\'s title reports its completion, and its description says "{ph.stated}".'
    if ph.basis == "stated" and ph.label == "in_progress" and ph.status_line and ph.stated \
            and ph.stated in ph.status_line and not ph.stated.startswith(ph.name):
        # ("Current Status: Phase 1 - Initial Setup" below the list: the line names it, it states no word of its own)
        return (f'The status line "{ph.stated}" names it as where the plan stands now: it is the current phase, '
                "so it is in progress.")
    if ph.basis == "stated":
        return f"{said[0].upper()}{said[1:]}."
    if ph.basis == "checklist":
        return f"No status is stated; {counted}."
    if ph.basis == "group" and ph.finishing:
        return (f'No status of its own; its completion is listed under "{ph.context}": what is next is to finish it, '
                "so it is under way.")
    if ph.basis == "group":
        return f'No status of its own; it is listed under "{ph.context}".'
    if ph.basis == "plan":
        return (f'No status of its own; the plan it is part of says "{ph.context}": the plan has not begun, '
                "so neither has this phase.")
    prev = ph.previous
    where = "after" if ph.label == "not_started" else "before"
    if ph.label == "not_started" and ph.between:
        # the order as the reader sees it: the phase that places it, then those between, then this one
        n = len(ph.between)
        between = (f"{', '.join(ph.between[:-1])} and {ph.between[-1]}" if n > 1 else ph.between[0])
        then = f"then {between}, {'which states no status' if n == 1 else 'none of which states a status'} of its own"
        if (prev.own or prev.label) == "complete":
            return (f"No status of its own; before it come {prev.name}, which {_placed_by(prev)}, {then}. "
                    f"Nothing after {prev.name} is marked as begun, so this later phase has not begun.")
        return (f"No status of its own; before it come {prev.name}, which {_placed_by(prev)}, {then}. "
                f"A phase after one that is not finished has not begun.")
    return f"No status of its own; it comes {where} {prev.name}, which {_placed_by(prev)}."


_BOX_SAYS = {"[x]": "its own box is ticked ([x])", "[ ]": "its own box is unticked ([ ])"}


def _placed_by(prev: Phase) -> str:
    """What the phase that places another says of itself, as the other's input shows it (its stated
    status, else its checklist's count): not its own label, which may rest on more than that."""
    if prev.silent:
        return f'is the current stage ("{prev.stated}")'
    says = _SAYS[prev.own or prev.label]
    if prev.stated in _BOX_SAYS:
        return f"has its box {'ticked' if prev.stated == '[x]' else 'unticked'} ({says})"
    if prev.stated:
        return f'is marked "{prev.stated}" ({says})'
    return f"has {len(prev.done)} of {len(prev.checks)} checklist items done ({says})"


def _previous_context(prev: Phase) -> str:
    if prev.silent:
        return prev.stated
    if prev.stated:
        return f"{prev.name} ({prev.stated})"
    return f"{prev.name} ({len(prev.done)} of {len(prev.checks)} checklist items done)" if prev.checks else prev.name


def phase_draft(doc: Document, rm: Roadmap, ph: Phase) -> Draft | None:
    text = _phase_text(ph)
    if not text:
        return None
    inp: dict[str, Any] = {"roadmap": rm.name, "phase_text": text}
    if ph.basis in ("group", "plan", "plan_checks") and ph.context:
        inp["context"] = ph.context
    elif ph.basis == "sequence" and ph.previous is not None:
        inp["context"] = _previous_context(ph.previous) + "".join(f"; then {b}" for b in ph.between)
    if ph.status_line:
        inp["status_line"] = ph.status_line
    if ph.basis == "plan_checks" and ph.own == "in_progress":  # what shows the plan's status stale: every phase done
        inp["other_phases"] = [f"{p.name} ({len(p.done)} of {len(p.checks)} checklist items done)"
                               for p in rm.phases if p is not ph and p.checks]
    out: dict[str, Any] = {"phase": ph.name, "status": ph.label}
    if ph.stated and not _TAG_ONLY.match(ph.stated):  # (a tag is an emoji written in ASCII: the reason quotes it)
        out["stated_status"] = ph.stated
    done, left = ph.done, ph.left
    if ph.checks:
        if done:
            out["done"] = done
        if left:
            out["left"] = left
        out["done_count"] = len(done)
        out["total"] = len(ph.checks)
        if ph.deferred:
            out["deferred"] = ph.deferred
    elif ph.scope and (ph.label in ("complete", "not_started") or ph.finishing) and ph.form != "progression":
        # a phase's plain items are its scope: all done once it is complete, all left before it starts (or
        # before it is finished, where finishing it is what is next)
        out["done" if ph.label == "complete" else "left"] = ph.scope
    if ph.label == "needs_update" and ph.own and ph.derived:
        out["claimed"] = _SAYS[ph.own]
        out["evidence_shows"] = _shows(ph) if ph.put_off else _SAYS[ph.derived]
    nxt = left or (ph.scope if (ph.label == "not_started" or ph.finishing) and not ph.checks
                   and ph.form != "progression" else [])
    if ph.label != "complete" and nxt and not _CRITERIA.search(ph.checks_label):
        out["next_step"] = nxt[0]  # (a success criterion still open is what is left, not a step to take)
    out["reason"] = _reason(ph)
    # (nothing done, left or next to give: the question asks only for its status and why)
    key = "phase_status" if any(k in out for k in ("done", "left", "next_step", "total")) else "phase_state"
    doubts = _doubts(ph, rm)
    rationale = 1.0 if ph.basis in ("both", "checklist", "claim", "plan_checks") else 0.75
    return Draft(
        instruction_key=key, input=inp, output=out, evidence=_evidence(doc.text(ph.line)),
        kind="numeric_examples" if ph.checks else "decision_trees", label=ph.label, required=_PHASE_REQUIRED,
        rationale=rationale,
        rationale_note="" if rationale == 1 else "the status rests on a stated word or the phase's place, not on a checklist",
        ambiguity=min(1.0, sum(w for _, w in doubts)), ambiguities=[d for d, _ in doubts],
        line=ph.line, span=(ph.line, ph.last), identity=f"{rm.name}|{ph.name}|{ph.label}",
        # (a stale status written out in several modules' template, "- [x] Phase 1" over open tasks, is one
        # lesson: its copies are kept once, like a line marked only by a sign)
        template=_template("phase_status", inp, out), template_once=_marked_line(ph, text) or ph.label == "needs_update",
    )


# a stated status that is the label's own word ("COMPLETE", "In Progress", "Phase 2 is COMPLETE")
_LABEL_WORD = regex.compile(r"^(?:(?:\w+\s+){1,3}is\s+|(?:phase|sprint|stage|milestone|layer|level|step)\s+\S+\s+)?"
                            r"(?:100\s?%\s+)?(?:complete[d]?|in\s+progress|not\s+started)\b(?!\s*:)", _F)


def _says_its_label(ph: Phase) -> bool:
    """Whether a phase is one line whose stated status is its label's own word: its own example would
    only copy the word over ("Sprint 3: ... - COMPLETE" -> complete)."""
    return ph.basis == "stated" and not ph.checks and not ph.scope and not ph.update and not ph.finishing \
        and ph.label == ph.own and bool(_LABEL_WORD.match(bare(ph.stated)))


def _stated_alone(ph: Phase) -> bool:
    """Whether a phase is one line and its stated status, nothing more (no items, no later word on it)."""
    return ph.basis == "stated" and not ph.checks and not ph.scope and not ph.update and not ph.finishing \
        and not ph.logged and ph.label == ph.own and bool(ph.stated) and not ph.status_line \
        and (ph.form == "row" or len(ph.lines()) == 1)


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _neighbour(p: Phase | None, none: str) -> dict[str, Any] | str:
    return {"phase": p.name, "status": p.label or "no status stated"} if p is not None else none


def _which_is(p: Phase) -> str:
    said = _SAYS[p.label] if p.label in _SAYS else "in need of an update" if p.label else "of no stated status"
    return f"{p.name}, which is {said}"


def _left_out(doc: Document, rm: Roadmap) -> bool:
    """Whether the roadmap's phases leave out a stage the source lists with them, so that no place in it can be
    counted: an item of their list written like them ("- PoC: Local classification (8K tokens - EXISTING)" beside
    "- Proto: ... (FUTURE)") that is no phase, numbers that skip ("Phase 1.3", then "Phase 6": 1.1 and 1.2 are
    told elsewhere), or a first phase past one the roadmap's title names."""
    if rm.left_out is None:
        rm.left_out = _leaves_out(doc, rm)
    return rm.left_out


def _leaves_out(doc: Document, rm: Roadmap) -> bool:
    lines = {p.line for p in rm.phases}
    for p in rm.phases:
        hit = doc.block_at(p.line) if p.line in doc else None
        if hit is None or hit[0] != "item" or hit[1].parent is not None:
            continue
        k = p.line
        while k - 1 >= doc.start and (b := doc.block_at(k - 1)) is not None and b[0] == "item":
            k -= 1
        while k <= doc.end and (b := doc.block_at(k)) is not None and b[0] == "item":
            if b[1].parent is None and b[1].line == k and k not in lines and _LABELLED_STAGE.match(b[1].text):
                return True
            k += 1
    numbers = [_number(p.unit) for p in rm.phases]
    if all(n is not None for n in numbers):
        if numbers[0] > numbers[-1]:
            numbers.reverse()  # ("Working Backwards: Sprint 6, Sprint 5, ...")
        steps = [b - a for a, b in zip(numbers, numbers[1:])]
        if any(d > 1.0 or d <= 0 for d in steps):
            return True
        # ("Phase 2..4" under "Graduated Autonomy - Phase 1 Implementation": the roadmap's own title tells an
        # earlier phase; a list of next phases alone starts where it starts)
        word = rx.match(r"[A-Za-z]+", rm.phases[0].unit)
        if word and numbers[0] > 1 and any(0 <= n < numbers[0] for n in map(float, rx.findall(
                rf"(?i)\b{word.group(0)}\s*(\d+(?:\.\d+)?)\b", rm.name))):
            return True
    return False


# a list item that names a stage the way a phase line does ("PoC: ...", "Phase 2: ...", "Sprint 3 - ...")
_LABELLED_STAGE = regex.compile(r"(?i)^\W*(?:poc|proof\s+of\s+concept|proto(?:type)?|mvp|alpha|beta|ga|v\d[\w.]*"
                                r"|(?:phase|sprint|stage|milestone|step|level|layer|tier)\s*[\w.-]+)\b[^:]{0,30}:")


def plan_draft(doc: Document, rm: Roadmap, ph: Phase) -> Draft | None:
    """A phase whose stated status is its label's own word, asked of in its roadmap: its status and
    where it stands in the plan (its place, the phase before it and the phase after it, each with
    its status), read from the roadmap's status lines."""
    listed = rm.phases
    if len(listed) < 2 or rm.template or rm.partial or _left_out(doc, rm):
        return None  # (a place counted over a list with a phase left out would be false against the source)
    text = _fitting_text(rm)
    if not text:
        return None
    at = listed.index(ph)
    before = listed[at - 1] if at else None
    after = listed[at + 1] if at + 1 < len(listed) else None
    inp: dict[str, Any] = {"roadmap": rm.name, "roadmap_text": text, "phase": ph.name}
    context = next((p.context for p in (before, after) if p is not None and p.basis in ("group", "plan", "plan_checks")
                    and p.context), "")
    if context:  # (what places a neighbour stating no status of its own)
        inp["context"] = context
    if _status_lines(rm):
        inp["status_lines"] = _status_lines(rm)
    out: dict[str, Any] = {"phase": ph.name, "status": ph.label, "stated_status": ph.stated,
                           "position": f"{at + 1} of {len(listed)}",
                           "previous": _neighbour(before, "none: it is the first phase"),
                           "next": _neighbour(after, "none: it is the last phase")}
    where = f"the {_ordinal(at + 1)} of {len(listed)} phases"
    if before and after:
        where += f", after {_which_is(before)}, and before {_which_is(after)}"
    elif after:
        where += f"; next comes {_which_is(after)}"
    elif before:
        where += f", after {_which_is(before)}"
    out["reason"] = f'It is marked "{ph.stated}", so it is {_SAYS[ph.label]}; it is {where}.'
    return Draft(
        instruction_key="phase_in_plan", input=inp, output=out, evidence=_evidence(doc.text(ph.line)),
        kind="decision_trees", label=ph.label, required=("phase", "status", "position", "previous", "next", "reason"),
        rationale=0.75, rationale_note="the status rests on a stated word; the phase's place is read from the roadmap",
        line=ph.line, span=(ph.line, ph.last), identity=f"{rm.name}|{ph.name}|{ph.label}",
        template=_template("phase_in_plan", inp, out),
        # (a line marked only by a sign, in a template block written out for several modules: kept once)
        template_once=not ph.checks and not ph.scope and not rx.search(r"[A-Za-z]{3}", _TAG.sub("", ph.stated)),
    )


def _near(doc: Document, line: int, other: int, level: int) -> bool:
    """Whether two lines are close and in one part of the document: no heading of the first's
    section's level or above between them (a log's next entry is another story)."""
    lo, hi = sorted((line, other))
    return hi - lo <= PLACE_LINES and not any(lo < s.start <= hi and s.level <= level for s in doc.sections[1:])


def _placed_elsewhere(doc: Document, found: list[Roadmap], ph: Phase) -> Draft | None:
    """A phase stated alone ("**Status**: Phase 2 is COMPLETE" at the head of an audit) whose
    document lists it in a roadmap of its own ("Current Status: Phase 1 ... Phase 2 ... Phase 3"):
    asked of in that roadmap, its own line shown beside it."""
    level = doc.section_at(ph.line).level
    for rm in found:
        twin = next((p for p in rm.phases if _norm(p.unit) == _norm(ph.unit) and p.label == ph.label
                     and _near(doc, ph.line, p.line, level)), None) if len(rm.phases) > 1 and ph not in rm.phases else None
        d = plan_draft(doc, rm, twin) if twin is not None else None
        if d is not None:
            d.input["status_line"] = "\n".join(ph.lines())
            d.line, d.span, d.evidence = ph.line, (ph.line, ph.last), _evidence(doc.text(ph.line))
            d.identity = f"{rm.name}|{ph.name}|{ph.label}|stated apart"
            d.template = _template("phase_in_plan", d.input, d.output)
            return d
    return None


def _marked_line(ph: Phase, text: str) -> bool:
    """Whether a phase is one line marked only by a sign ("- Level 2 - Integration: Agent coordination
    ⏳"): it teaches what the sign means, and a copy of it in another module's document (a template
    block written out word for word, its module's name left out of its template) teaches nothing more."""
    return "\n" not in text and not ph.checks and not ph.scope and bool(ph.stated) \
        and not rx.search(r"[A-Za-z]{3}", _TAG.sub("", ph.stated))


def _has_slots(doc: Document, first: Phase) -> bool:
    """Whether the section a roadmap sits in, or a heading over it ("# [MODULE_NAME] - Roadmap"),
    holds a template's slots ("[CURRENT_PHASE_NAME]")."""
    sec = doc.sections[_roadmap_section(doc, doc.section_at(first.line).index)]
    if any(s.heading and "_" in s.heading.raw and _SLOT.search(s.heading.raw) for s in doc.ancestors(sec)):
        return True
    return any("_" in t and _SLOT.search(t) for _, t in doc.span(sec.start, min(sec.end, sec.start + MAX_BODY_LINES)))


_TEMPLATE = ("placeholder items: a template, not a real plan", 1.0)


def _doubts(ph: Phase, rm: Roadmap) -> list[tuple[str, float]]:
    out = [_TEMPLATE] if rm.template else []
    if any(_PLACEHOLDER.fullmatch(t) for t in (ph.name.split(": ", 1)[-1], *(t for _, t in ph.checks), *ph.scope)):
        out.append(_TEMPLATE)
    return out[:1]


def _fitting_text(rm: Roadmap, with_scope: bool = False) -> str:
    """A roadmap as its phases' status-bearing lines: each title, status line and checklist item (a
    phase's notes say nothing about where it stands; its plain items, `with_scope`, are what a phase
    not begun is to do); empty when that is too long."""
    blocks = []
    for ph in rm.phases:
        lines = ph.lines()
        if ph.form in ("item", "row", "progression", "status"):
            # an item, a progression: its line; a row: the header once, then its row; a status: its line
            blocks.extend(lines if ph.form == "row" and not blocks else lines[:1] if ph.form in ("item", "progression")
                          else lines[-1:])
            if ph.form == "item" and ph.checks:  # ("- [x] Phase 1" over its tasks: what its box is held against)
                blocks.extend(ln for ln in lines[1:] if _is_check_line(ln))
            continue
        blocks.append(lines[0])
        # (also items whose mark is a label: "- [CLIPBOARD] Next: ..."; an item cut to fit matched by what it keeps)
        items = tuple(t.removesuffix("...") for _, t in ph.checks)
        if with_scope and not ph.checks:
            items = tuple(ph.scope)
        # the titles of the lists it counts ("### ✅ Completed Components"): they say which items are done
        titles = tuple(name for name, _, _ in ph.lists)
        blocks.extend(ln for ln in lines[1:] if _is_check_line(ln) or _STATUS_LINE.match(ln)
                      or ph.remaining and ln.lstrip().startswith("- ") and _REMAINING.match(ln.lstrip()[2:])
                      or items and ln.lstrip().startswith("- ") and any(t in ln for t in items)
                      or titles and ln.lstrip().startswith("#") and any(ln.rstrip(" :").endswith(t) for t in titles))
    text = "\n".join(blocks)
    return text if len(text) <= MAX_ROADMAP_CHARS else ""


def _status_lines(rm: Roadmap) -> str:
    """The status lines said elsewhere of its phases ("Current Status: Phase 1 - Setup" below the
    list): in the input beside the roadmap's text, not inside it under a phase they are not in."""
    out: list[str] = []
    for ph in rm.phases:
        if ph.status_line and ph.status_line not in out:
            out.append(ph.status_line)
    return "; ".join(out)


def _kind(ph: Phase) -> str:
    """What sort of step a phase is: a numbered unit (Phase, Sprint, Level...), a stage (PoC, MVP),
    a time horizon (Immediate, Long-term), a table row or a named milestone."""
    if ph.form == "row":
        return "row"
    if rx.match(_HORIZON, ph.unit, _F):
        return "horizon"
    if rx.match(_STAGE, ph.unit, _F):
        return "stage"
    m = rx.match(r"(?:phase|sprint|stage|milestone|layer|tranche|level|step)\b", ph.unit, _F)
    return m.group(0).lower() if m else "named"


def summary_draft(doc: Document, rm: Roadmap) -> Draft | None:
    if len(rm.phases) < 2 or len({_kind(p) for p in rm.phases} - {"named"}) > 1 or any(p.silent for p in rm.phases):
        return None  # (a phase with next-step horizons under it is not one roadmap to sum up; nor one whose current stage is unclear)
    if len(rm.phases) == 2 and not any(p.checks for p in rm.phases) and rm.phases[0].label == rm.phases[1].label:
        return None  # two titles with one status: nothing to sum up that their own examples do not say
    if rm.partial or _left_out(doc, rm):
        return None  # (a summary without one of its phases would pass over it in silence)
    if any(p.basis == "plan_checks" for p in rm.phases):
        # phases held against the plan's own status ("ALL SPRINTS COMPLETE" over unticked criteria): a
        # question for the audit, which says what is claimed and what the checks show; a summary would
        # name a current phase and a next step the plan says are long done
        return None
    text = _fitting_text(rm, with_scope=True) or _fitting_text(rm)
    if not text:
        return None
    first = rm.phases[0]
    rows = []
    for ph in rm.phases:
        row: dict[str, Any] = {"phase": ph.name, "status": ph.label}
        if ph.checks:
            row["done"] = f"{len(ph.done)} of {len(ph.checks)}"
        rows.append(row)
    out: dict[str, Any] = {"roadmap": rm.name, "phases": rows}
    for lab in ("complete", "in_progress", "not_started", "needs_update"):
        n = sum(1 for p in rm.phases if p.label == lab)
        if n:
            out[lab] = n
    # in the order of their numbers where each has one (a plan may list its sprints last first)
    order = sorted(rm.phases, key=lambda p: _number(p.unit)) \
        if all(_number(p.unit) is not None for p in rm.phases) else rm.phases
    current = next((p for p in order if p.label == "in_progress"
                    or p.label == "needs_update" and p.own == "in_progress"), None) \
        or next((p for p in order if p.label in ("not_started", "needs_update")), None)
    inp: dict[str, Any] = {"roadmap": rm.name, "roadmap_text": text}
    context = next((p.context for p in rm.phases if p.basis in ("group", "plan", "plan_checks") and p.context), "")
    if context:
        inp["context"] = context
    if _status_lines(rm):
        inp["status_lines"] = _status_lines(rm)
    after = _next_line(doc, rm)
    if after and not context:
        inp["next_line"] = after
    if current is None and all(p.label == "complete" for p in rm.phases):
        out["current_phase"] = "none: every phase is complete"
    if current is not None:
        # (a plan none of whose phases has begun has no phase being worked on; its next step is its first phase's)
        out["current_phase"] = current.name if any(p.label != "not_started" for p in rm.phases) \
            else "none: no phase has started yet"
        # the next step the roadmap states: a "Next Action:" line, else the current phase's first open
        # item, else (a phase not begun, or one whose finishing is next, its plain items shown) its first item
        stated_next = _NEXT_VALUE.match(context) or _NEXT_VALUE.match(inp.get("next_line", ""))
        if stated_next:
            out["next_step"] = stated_next.group("next").rstrip(" .")
        elif current.left and not _CRITERIA.search(current.checks_label):
            out["next_step"] = current.left[0]
        elif (current.label == "not_started" or current.finishing) and current.scope and not current.checks \
                and f"- {current.scope[0]}" in text:
            out["next_step"] = current.scope[0]
    return Draft(
        instruction_key="roadmap_summary" if "next_step" in out else "roadmap_overview", input=inp, output=out,
        evidence=_evidence(doc.text(first.line)), kind="decision_trees", label=first.label,
        required=("roadmap", "phases"), rationale=1.0, line=first.line, span=(first.line, rm.phases[-1].last),
        ambiguity=1.0 if rm.template else 0.0, ambiguities=[_TEMPLATE[0]] if rm.template else [],
        identity=f"{rm.name}|summary|" + ",".join(f"{p.name}={p.label}" for p in rm.phases),
        template=_template("roadmap_summary", inp, out),
    )


_NEXT_VALUE = regex.compile(r"^\W*next(?:\s+(?:actions?|steps?))?\W*:\s*(?P<next>\S.{5,300})$", _F)


def _next_line(doc: Document, rm: Roadmap) -> str:
    """A "**Next**: ..." line right after a roadmap's last phase (blank lines between): the next
    step the roadmap states."""
    last = rm.phases[-1].last
    for n, raw in doc.span(last + 1, last + 3):
        text = plain(raw)
        if text:
            return text if _NEXT_VALUE.match(text) and len(text) <= 300 else ""
    return ""


def audit_draft(doc: Document, rm: Roadmap) -> Draft | None:
    """Is this roadmap up to date? Asked of a roadmap with a phase whose stated status can be held
    against its checklist; the answer names each stale phase, what it claims, what its checks show
    and what should change."""
    both = [p for p in rm.phases if p.basis in ("both", "plan_checks", "claim")
            or p.basis == "checklist" and p.unticked_done]
    if not both or len(rm.phases) < 2 or _left_out(doc, rm):
        return None  # (a roadmap of one phase: its own example asks the same question; one that leaves out a
        # stage it lists cannot be said up to date as a whole)
    text = _fitting_text(rm)
    if not text:
        return None
    stale = [p for p in both if p.label == "needs_update"]
    anchor = stale[0] if stale else both[0]
    out: dict[str, Any] = {"up_to_date": not stale}
    if stale:
        out["stale_phases"] = [{"phase": p.name, "claims": _claims(p), "evidence_shows": _shows(p),
                                "change": _change(p)} for p in stale]
    ok = [p.name for p in both if p.label != "needs_update"]
    if ok:
        out["consistent_phases"] = ok
    n = len(both)
    out["verdict"] = (f"{len(stale)} phase{'s' if len(stale) > 1 else ''} need{'' if len(stale) > 1 else 's'} an update"
                      if stale else "up to date: " + (f"the stated status of {both[0].name} agrees with its checklist"
                                                       if n == 1 else f"the stated statuses of all {n} phases that "
                                                       "state one agree with their checklists"))
    inp: dict[str, Any] = {"roadmap": rm.name, "roadmap_text": text}
    context = next((p.context for p in stale if p.basis == "plan_checks"), "")
    if context:
        inp["context"] = context
    if _status_lines(rm):
        inp["status_lines"] = _status_lines(rm)
    return Draft(
        instruction_key="roadmap_audit", input=inp, output=out,
        evidence=_evidence(doc.text(anchor.line)), kind="decision_trees", label=anchor.label,
        required=("up_to_date", "verdict"), rationale=1.0, line=anchor.line, span=(anchor.line, anchor.last),
        ambiguity=1.0 if rm.template else 0.0, ambiguities=[_TEMPLATE[0]] if rm.template else [],
        identity=f"{rm.name}|audit|" + ",".join(f"{p.name}={p.label}" for p in both),
        template=_template("roadmap_audit", inp, out),
    )


def _claims(p: Phase) -> str:
    """What a stale phase says of itself: its stated status (a mark with what it means), the plan's
    status held against it, or, with no status stated, its boxes."""
    if p.basis == "checklist":
        ticked = sum(1 for s, _ in p.checks if s != "done_unticked" and _is_done(s))
        return f"{ticked} of {len(p.checks)} boxes ticked"
    if p.basis == "plan_checks" or not p.stated:
        return p.context or p.stated
    if p.own and (not rx.search(r"[A-Za-z]{3}", p.stated) or _TAG_ONLY.match(p.stated)):
        return f"{p.stated} ({_SAYS[p.own]})"
    return p.stated


def _shows(p: Phase) -> str:
    if p.basis == "claim":
        return p.actual
    if p.put_off:
        return (f"{len(p.done)} of {len(p.checks)} own items done; {len(p.deferred)} put off to later, "
                "still unticked in its checklist")
    shown = f"{len(p.done)} of {len(p.checks)} items done"
    if p.unticked_done:
        shown += f", {len(p.unticked_done)} of them with an unticked box"
    return shown


def _change(p: Phase) -> str:
    if p.basis == "claim":
        return f"restate the milestone as {_SAYS[p.derived]} until the actual status supports the claim"
    if p.put_off:
        n = len(p.deferred)
        return f"move the {n} item{'s' if n > 1 else ''} put off to later out of its checklist, into a later phase"
    if p.unticked_done and (p.own is None or p.basis == "checklist"):
        return "tick the boxes of the items whose text says they are done"
    left = len(p.left)
    if p.basis == "plan_checks" and p.own == "complete":
        return (f"tick its {left} open item{'s' if left > 1 else ''} if {'they are' if left > 1 else 'it is'} met, "
                f"or restate the plan's status: it is not complete while {'they are' if left > 1 else 'it is'} open")
    if p.own == "complete":
        return (f"mark it {_SAYS[p.derived]} until the {left} open item{'s' if left > 1 else ''} "
                f"{'are' if left > 1 else 'is'} done, or tick {'them' if left > 1 else 'it'} if finished")
    if p.own == "not_started":
        done = len(p.done)
        return f"restate it as {_SAYS[p.derived]}: {done} item{'s are' if done > 1 else ' is'} already done"
    return ("every item is marked done: mark it complete, or, if the work is still under way, clear the marks "
            "of the items not yet achieved")


# an emoji put into ASCII ("[OK]", "[ROCKET]"): a status mark is shown as the sign it was, an ornament not at all
_SIGNS = {"OK": "\u2705", "DONE": "\u2705", "COMPLETE": "\u2705", "REFRESH": "\U0001F504", "FAIL": "\u274C",
          "ERROR": "\u274C", "WARNING": "\u26A0", "PENDING": "\u23F3", "HOURGLASS": "\u23F3", "CHECK": "\u2705"}
_ORNAMENT = regex.compile(r"\[(?:ROCKET|DATA|TOOL|CLIPBOARD|GRADUATE|SEARCH|LINK|TARGET|BOT|FACTORY|HANDSHAKE|IDEA|NOTE"
                          r"|MEMO|STAR|FIRE|LOCK|KEY|BOOK|BOOKS|PIN|CHART|GEAR|BRAIN|GLOBE|SHIELD|ART|PARTY|MUSIC"
                          r"|CAMERA|VIDEO|PHONE|MAIL|FOLDER|FILE|PACKAGE|BUILD|TEST|BUG|LIGHTNING|SPARKLES|EYES"
                          r"|HAMMER|WRENCH|MAGNIFY|TROPHY|MEDAL|FLAG|BELL|CALENDAR|CLOCK|MONEY|GIFT|HEART|U\+[0-9A-F]{4,6})\]"
                          r"[ \t]?")
_SIGN_TAG = regex.compile(r"\[(?P<w>" + "|".join(_SIGNS) + r")\]")


def _untagged(value: Any) -> Any:
    """A field with its ASCII emoji tags cleaned (recursively through lists and dicts)."""
    if isinstance(value, str):
        if "[" not in value:
            return value
        value = _ORNAMENT.sub("", value)
        value = _SIGN_TAG.sub(lambda m: _SIGNS[m.group("w")], value)
        return value
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    if isinstance(value, dict):
        return {k: _untagged(v) for k, v in value.items()}
    return value


def extract(doc: Document, hits: list[Match], pack: DomainPack) -> list[Draft]:
    drafts: list[Draft] = []
    found = list(roadmaps(doc))
    for rm in found:
        for ph in rm.phases:
            if id(ph) in rm.restated or ph.silent:
                continue
            d = None
            if _says_its_label(ph):
                d = plan_draft(doc, rm, ph) if len(rm.phases) > 1 else _placed_elsewhere(doc, found, ph)
            elif _stated_alone(ph) and len(rm.phases) > 1:
                d = plan_draft(doc, rm, ph)  # (a line and its status word or sign: its place in the plan says more)
            d = d or phase_draft(doc, rm, ph)
            if d is not None:
                drafts.append(d)
        for make in (summary_draft, audit_draft):
            d = make(doc, rm)
            if d is not None:
                drafts.append(d)
    for d in drafts:
        d.input, d.output = _untagged(d.input), _untagged(d.output)
    return drafts


EXTRACTOR = Extractor(document=extract)
