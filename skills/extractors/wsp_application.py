"""wsp_application: statements that a WSP was applied, complied with or violated, read in their document.

An item (../shared/gold/GUIDE.md) is one statement that a specific WSP, by number, was applied
(used to do something), complied with (its subject is stated to meet it) or violated by a subject
that the statement or its section names. Much of that is not on the statement's line:

- a list's lead-in or heading says what its lines are: `**WSP Compliance Achieved**:` over
  `- **WSP 49**: Full module structure`, `### Protocols Applied`, `### Violations Fixed`;
- the subject is usually the entry the statement sits in (a ModLog entry's title, the module a
  log is about) unless the line names a file or module itself;
- whether a violation was resolved is said by its section ("Violations Fixed") or its entry's
  status field (`**Status**: RESOLVED`) more often than by its line.

On a line of its own a relation counts only when it is tied to the reference ("WSP 3
compliant", "per WSP 49", "violated WSP 85", "(WSP 57 naming violation)"): the other words of a
line ("complete", a check mark, "violations" in a tool's name) are not about the WSP. "X per
WSP 3" is applied when X was done ("Moved x.py to src/ per WSP 3") and compliant when X is a
state ("Root directory now clean per WSP 85").

Not items: lines that cite WSPs without a result (`**WSP References**: WSP 22`), plans, open
checklist items, WSP documents describing their own protocol, edits to WSP documents,
guidelines, examples and templates, boilerplate about a document itself, and code. Each item
gives up to three examples, one per task kind, in one output schema (`wsp`, `relation`,
`subject`, `protocol` where the text names it, `resolved` for a violation whose status the text
gives, `reason`): detection (the statement with its WSP numbers masked: which WSP, and why),
classification (applied, compliant or violation, with the subject) and, for a violation, its
resolution. Nothing in an example depends on its line number, so an item pasted again gives
byte-identical examples, which the filter rejects as duplicates.

The relation patterns read each line with its references replaced by one token (`WSP#`): they
stay small, and a reference's number never reads as a word.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

from training_data_miner.skills.extractors import Draft, Extractor
from training_data_miner.skills.extractors.rx import Gated
from training_data_miner.skills.packs import DomainPack
from training_data_miner.skills.structure import Document, Section, clean_title, parse_document

MAX_STATEMENT = 300  # characters of a statement kept (a long one is cut at words around its first reference)
MAX_READ = 1500  # characters of a line read for its relation (lines can be 10,000+ characters)
MAX_EVIDENCE = 400
MAX_SUBJECT = 90
MAX_CONTEXT = 100
ENTRY_HEAD = 40  # lines after an entry's heading its status field is read from (a long entry's later ones are its parts')
LIST_REACH = 15  # lines after a bare heading or lead-in its list is read from
HEADING_WORDS = 4  # a heading of at most this many words besides its references is read with the lines under it
NAMED_WORDS = 7  # a heading of this many words names its entry even when each word is generic
REQUIRED = ("wsp", "relation", "subject")
_I = re.IGNORECASE

# -- WSP references ----------------------------------------------------------------------------

# "WSP 22", "WSP_22", "WSP-54", "WSP 54.3.9", "WSP_22a", "WSP 38/39", "WSP 3, 22, 49", "WSP 79 + WSP 88";
# "[U+2701]EWSP 5" is mojibake of "✅WSP 5". A number running into a word ("WSP_96_WRE...md") is a
# file name, not a reference; "WSP 3, 5 modules" names one WSP. (`regex`: the numbers of a list
# are the repeated captures of one group.)
_NUM = r"(?P<n>\d{1,3})(?:\.\d{1,3}){0,2}(?:[a-z](?![A-Za-z]))?(?![\w%])"
_UNIT = r"(?!\s*(?:%|x\b|tests?\b|files?\b|lines?\b|modules?\b|days?\b|hours?\b|items?\b|of\b|errors?\b|warnings?\b))"
_REF = regex.compile(
    r"(?:(?<![A-Za-z0-9])|(?<=\]E))WSP[ _-]?" + _NUM
    + r"(?:\s*(?:,|/|&|\+|\band\b)\s*(?:WSP[ _-]?)?" + _NUM + _UNIT + r")*"
)
_RANGE = r"\s*(?:-|–|\s+through\s+)\s*(?:WSP[ _-]?)?(\d{1,3})(?![\d.%])"  # "WSP 26-29", "WSP-26 through WSP-29"
_RANGE_END = re.compile(_RANGE)
_LIST_TAIL = re.compile(r"(?:\s*,\s*(?:WSP[ _-]?)?\d{1,3}(?![\d.%\w])" + _UNIT + r")+")
_REF_SPAN = re.compile(_REF.pattern.replace("(?P<n>", "(?:") + "(?:" + _RANGE.replace(r"(\d{1,3})", r"\d{1,3}") + ")?")
_GLUED = re.compile(r"(?i:wsp)_?\d+")  # a WSP number glued into a name ("fix_wsp90_utf8.py")
_TOKEN = "WSP#"
R = re.escape(_TOKEN)  # a reference, as the relation patterns see it
_TITLE = r"(?:\s*\([^()]{1,60}\))?"  # "WSP# (Violation Prevention)"


def wsp_numbers(text: str) -> list[int]:
    """Every WSP number the text names, in order of first mention; a range names every number in it."""
    found: dict[int, None] = {}
    for m in _REF.finditer(text):
        numbers = m.captures("n")
        found.update(dict.fromkeys(map(int, numbers)))
        r = _RANGE_END.match(text, m.end())
        if r:
            first, last = int(numbers[-1]), int(r.group(1))
            if first < last <= first + 20:
                found.update(dict.fromkeys(range(first + 1, last + 1)))
            more = _LIST_TAIL.match(text, r.end())  # "WSP 3, 1-13, 22, 60": the list goes on after a range
            if more:
                found.update(dict.fromkeys(int(k) for k in re.findall(r"\d{1,3}", more.group(0))))
    return list(found)


def mask(text: str) -> str:
    """The text with every WSP number hidden, for the detection task."""
    return _GLUED.sub("WSP___", _REF_SPAN.sub("WSP ___", text))


def tokens(text: str) -> tuple[str, list[str]]:
    """The text with each reference replaced by the token, and the references in order."""
    refs: list[str] = []

    def keep(m: re.Match[str]) -> str:
        refs.append(m.group(0))
        return _TOKEN

    return _REF_SPAN.sub(keep, text), refs


def _original(text: str, refs: list[str], m: re.Match[str]) -> str:
    """The matched part of a tokenized text, with its references written out again."""
    k = text.count(_TOKEN, 0, m.start())
    parts = m.group(0).split(_TOKEN)
    return parts[0] + "".join((refs[k + i] if k + i < len(refs) else "WSP") + p for i, p in enumerate(parts[1:]))


# -- cleaning ----------------------------------------------------------------------------------

_MARKS = (
    (re.compile(r"\[U\+2705\]|\[U\+2701\]E|\[U\+2714\]|\[U\+2713\]|✔️?|☑️?"), "✅"),
    (re.compile(r"\[U\+274C\]|\[U\+2741\]E|\[U\+2716\]|✖️?"), "❌"),
    (re.compile(r"\[U\+26A0\](?:E+|\[U\+FE0F\])?"), "⚠️"),
    (re.compile(r"\[GREATER_EQUAL\]"), "≥"),
    (re.compile(r"\[LESS_EQUAL\]"), "≤"),
    (re.compile(r"ↁE"), "→"),
)
# an escaped emoji leaves one 'E' behind, or four after a wide one ("[U+1F3D7]EEEE"); more are the text's own
# the marks as one pattern: each alternative a group named by its mark's index in _MARKS
_MARK_ANY = re.compile("|".join(f"(?P<m{i}>{pat.pattern})" for i, (pat, _) in enumerate(_MARKS)))
_MARK_OF = {f"m{i}": mark for i, (_, mark) in enumerate(_MARKS)}


def _mark(m: re.Match[str]) -> str:
    return _MARK_OF[m.lastgroup]


_ESCAPE = re.compile(r"\[U\+([0-9A-Fa-f]{4,6})\](?:EEEE|E)?")
_SYMBOL = regex.compile(r"[^\P{So}✅❌⚠→≥≤✓]|[\u200d\ufffd]|\ufe0f(?<!⚠\ufe0f)")
# status tags stay; the tags an emoji was turned into ("[ROCKET]", "[CLIPBOARD]") go
_STATUS_TAG = frozenset({"OK", "FAIL", "FAILED", "PASS", "PASSED", "WARNING", "VIOLATION", "ERROR", "DONE",
                         "COMPLETE", "CRITICAL", "RESOLVED", "FIXED", "HEALTH"})
_TAG = re.compile(r"\[([A-Z][A-Z0-9_+-]{1,20})\]")
_LOG_PREFIX = re.compile(r"^\s*\[\d\d:\d\d:\d\d(?:[,.]\d+)?\]\s*")
_LEAD = re.compile(r"^\s*(?:(?:[-*+•>]|\d{1,3}[.)]|#{1,6})\s+)+")
_TREE = re.compile(r"^[\s│├└─┌┐┘┬┴┼|+`-]*(?:--\s*)?")
_SPACE = re.compile(r"\s+")
_LINK = re.compile(r"\[([^\[\]]{1,200})\]\([^()\s]{1,300}\)")


def _unescape(m: re.Match[str]) -> str:
    """An escaped punctuation mark or letter back as itself ("[U+00A7]" -> §, "[U+201C]" -> “); an
    escaped emoji, box-drawing line or other symbol as a space."""
    cp = int(m.group(1), 16)
    return chr(cp) if cp < 0x2300 else " "


def clean(text: str) -> str:
    """The line as a reader sees it: marks kept (✅ ❌ ⚠️ [OK] [FAIL]), escapes decoded, emoji,
    decorative tags, link targets, markdown emphasis, bullets and heading marks dropped."""
    text = _LOG_PREFIX.sub("", text)
    if not text.isascii() or "[" in text:
        text = _MARK_ANY.sub(_mark, text)
        text = _ESCAPE.sub(_unescape, text)
        text = _SYMBOL.sub(" ", text)
        text = _TAG.sub(lambda m: m.group(0) if m.group(1) in _STATUS_TAG else " ", text)
    if "](" in text:
        text = _LINK.sub(r"\1", text)  # a link's text, without its target
    text = text.replace("**", "").replace("__", "").replace("`", "")
    text = _LEAD.sub("", text)
    return _SPACE.sub(" ", text).strip(" \t:-|*")


def _cut(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word and marked with '...'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:-(") + "..."


_LAST_SENTENCE = re.compile(r"(?<=[.!?])\s+[^.!?:]{1,80}:?\s*$")  # "... applied to X. Same pattern as:"


def _without_lead_in(statement: str, raw: str) -> str:
    """The statement without a last sentence that only introduces the list after its line ("This is WSP 77
    applied to X. Same pattern as:"): the list is not in the statement, so its lead-in says nothing."""
    if not raw.rstrip(" *").endswith(":"):
        return statement
    lead = _LAST_SENTENCE.search(statement)
    return statement[:lead.start()] if lead and _REF_SPAN.search(statement, 0, lead.start()) else statement


def _window(text: str, limit: int = MAX_STATEMENT) -> str:
    """A long statement cut to the part around its first reference, at words."""
    if len(text) <= limit:
        return text
    m = _REF_SPAN.search(text)
    start = max(0, (m.start() if m else 0) - limit // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    body = _cut(text[start:], limit - (3 if start else 0))
    return ("..." + body) if start else body


def _evidence(raw: str) -> str:
    """The anchor line as written, or a verbatim window of it around its first reference."""
    raw = raw.strip()
    return raw if len(raw) <= MAX_EVIDENCE else _window(raw, MAX_EVIDENCE).removeprefix("...").removesuffix("...")


_CLAUSE_MARKS = re.compile(r"\(\s*[,/&+: ]*\)|\[(?:OK|FAIL|x|X|PASS)\]|[✅❌✓]|⚠️?")
_CLAUSE_TRAIL = re.compile(r"\b(?:per|following|follows?|under|according\s+to|via|using)\s*(?=$|[.,;:)])", _I)


_LEFT_HYPHEN = re.compile(r"(?:^|(?<=\s))-(?=\w)")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_BRACKET_SPACE = re.compile(r"\(\s+|\s+\)")  # "( creation validated)" after its reference left


def _clause(statement: str) -> str:
    """The statement without its references, marks and empty brackets: what it ties the WSP to."""
    t = _CLAUSE_TRAIL.sub(" ", _CLAUSE_MARKS.sub(" ", _REF_SPAN.sub(" ", statement)))
    t = _LEFT_HYPHEN.sub(" ", t)  # "Implemented WSP 34-compliant README" without its reference
    t = _SPACE.sub(" ", t).strip(" :-–,;.|")
    if t.count("(") != t.count(")"):  # "consultation per (WSP 74 creation validated)" without its reference
        t = t.replace("(", " ").replace(")", " ")
    t = _BRACKET_SPACE.sub(lambda m: m.group(0).strip(), _SPACE.sub(" ", _EMPTY_BRACKETS.sub(" ", t))).strip(" :-–,;.|")
    while t[:1] == "(" and t.count("(") > t.count(")") or t[-1:] == ")" and t.count(")") > t.count("("):
        t = t[1:] if t[:1] == "(" and t.count("(") > t.count(")") else t[:-1]  # an outer bracket left alone
        t = t.strip(" :-–,;.|")
    return t


# -- what a line says about a WSP --------------------------------------------------------------


# WSP titles and tool names carry relation words ("WSP 64 (Violation Prevention)", "compliance
# checker", "prevent violations"); they are taken out before a line's relation is read.
_NOT_RELATION = Gated(
    r"violations?(?:/\w+)?[\s-]+(?:prevention|tracking|detection|detector|fixer|warnings?|preventer|patterns?|rules?"
    r"|analysis|reports?|records?|logs?|logging|checks?|checking|scanning|remediation|handling|monitor\w*|count)"
    r"|\bcompliance[\s-]*(?:agent|guardian|checker|checking|validator|auditor|audit|engine|framework"
    r"|rules?|fixer|scoring|tool|system|sub-?agent|monitor|dashboard|template|baseline|rollout|planning|gate)s?\b"
    r"|\b(?:prevent\w*|avoid\w*|detect\w*|track\w*|catch\w*|flag\w*|log\w*|report\w*|scan\w*|find\w*|learn\w*|future"
    r"|any|for)\s+(?:\S+\s+){0,3}violations?\b",
    ("violation", "compliance"), _I,
)
_NO_VIOLATION = Gated(r"\b(?:no|zero|0)\s+(?:new\s+)?(?:\w+\s+)?violations?\b"
                       r"|\bviolations?\s*(?::|=)\s*(?:0|none|zero)\b|\bwithout\s+(?:any\s+)?violations?\b"
                       r"|\bfree\s+of\s+violations?\b", ("violation",), _I)
_VIOLATION_TIED = Gated(
    R + _TITLE + r"(?:[\s-]+[\w/.&'-]+){0,3}?[\s-]+(?:violations?|violated)\b"
    r"|\b(?:violat(?:ed|es|ing)|violation\s+of|breach(?:ed|es)?|broke)\s+(?:the\s+|both\s+)?(?:[\w-]+\s+){0,2}?" + R
    + r"|\b(?:did\s+not|didn't|failed\s+to|forgot\s+to|neglected\s+to)\s+(?:[\w-]+\s+){0,4}?" + R
    + r"|\b(?:skipp(?:ed|ing)|bypass(?:ed|ing)?|ignor(?:ed|ing)|circumvent(?:ed|ing)?)\s+(?:the\s+)?(?:mandatory\s+)?" + R
    + r"|\bnon-?compliant\s+(?:with\s+)?" + R + r"|\bnot\s+" + R + r"[\s-]+compliant\b"
    + r"|\b(?:insufficient|missing|no)\s+" + R + r"\s+(?:enforcement|compliance|verification|structure)"
    + r"|^\W*(?:[\w ]{1,30}:\s*)?(?:missing|no|lacks?|lacking)\s+(?:[^.;()]|\.(?=\w)){1,80}?(?:\bper\s+" + R
    + r"|\(\s*" + R + r"\s*(?:violation\s*)?\))"
    + r"|" + R + r"[^.;]{0,40}?\b\d+\s+(?:[\w-]+\s+)?violations?\s+(?:detected|found|identified)"
    + r"|\b(?:over|exceeds?|exceeding|above|beyond)\s+(?:the\s+)?" + R + r"\s+(?:limits?|thresholds?|budget|maximum)"
    + r"|\b(?:insufficient\s+to|fails?\s+to|does\s+not|doesn't|not)\s+(?:meet|satisfy|comply\s+with)\s+(?:the\s+)?" + R,
    ("violat", "breach", "broke", "did not", "didn't", "failed to", "forgot to", "neglected to", "skipp", "bypass",
     "ignor", "circumvent", "compliant", "insufficient", "missing", "no", "lack", "limit", "threshold", "budget",
     "maximum", "meet", "satisfy", "comply"),
    _I,
)
_COMPLIANT_TIED = Gated(
    R + _TITLE + r"(?:[\s-]+[\w/.&'-]+){0,3}?[\s-]+(?:compliant|compliance|conformant|conformance)\b"
    r"|\b(?:compliant|complies|complied|compliance|conform\w*|aligned|adheres?|adherence|adhering|consistent)\s+(?:with|to)\s+"
    r"(?:the\s+)?(?:[\w-]+\s+)?" + R
    # the words between stay in the reference's sentence ("through WSP# implementation. Achieved ..." does not tie)
    + r"|" + R + _TITLE + r"(?:\s+(?!and\b)\w[\w/&'-]*(?:\.\w[\w/&'-]*)*){0,3}?\s+(?:achieved|maintained|verified|restored|preserved|enforced"
    r"|validated|met|satisfied|confirmed|PASS(?:ED)?|COMPLIANT|honou?red|respected|upheld|intact|reinforced)\b(?!\s+as\b)"
    r"|\b(?:within|meets?|meeting|satisf\w+|exceeds?)\s+(?:the\s+)?" + R
    + r"|\bas\s+(?:required|specified|mandated|defined)\s+(?:by|in)\s+" + R
    + r"|\bcompliance\s*:\s*" + R
    + r"|" + R + r"\s*\((?:complete|full|100%|perfect)[^()]*\bcomplian\w*[^()]*\)"
    + r"|\b(?:full|fully|proper|complete|perfect|100%)\s+" + R + r"\s+(?:[\w-]+\s+)?(?:compliance|compliant|structure"
    r"|standards?|requirements|conformance)\b"
    + r"|(?:✅|\[OK\]|\[x\]|\[PASS\])\s*" + R + r"|" + R + _TITLE + r"\s*[:-]\s*(?:✅|\[OK\]|\[PASS\]|PASS(?:ED)?\b|COMPLIANT\b)",
    ("complian", "complie", "conform", "aligned", "adher", "consistent", "achieved", "maintained", "verified",
     "restored", "preserved", "enforced", "validated", "met", "satisf", "confirmed", "pass", "honor", "honour",
     "respected", "upheld", "intact", "reinforced", "within", "meet", "exceed", "as required", "as specified", "as mandated",
     "as defined", "full", "proper", "complete", "perfect", "100%", "✅", "[ok]", "[x]", "[pass]"),
    _I,
)
_APPLIED_TIED = Gated(
    r"\b(?:per|following|follows?|followed|under|according\s+to|applying|applied|apply|using|uses?|used|via|through"
    r"|implement(?:s|ed|ing)?|leverag\w+|runs?|orchestrated\s+by|governed\s+by|based\s+on|in\s+line\s+with"
    r"|consulted?|consulting|guided\s+by|driven\s+by|due\s+to|thanks\s+to|migrated\s+to|(?:to\s+)?comply\s+with)"
    r"\s+(?:the\s+|proper\s+|existing\s+|full\s+|standard\s+)?(?:[\w-]+\s+)?" + R
    + r"|" + R + _TITLE + r"(?:[\s-]+[\w/.&'-]+){0,3}?[\s-]+(?:applied|implementation|implemented|followed|used"
    r"|orchestrated|enforcement|added\s+to)\b",
    ("per", "follow", "under", "according", "appl", "using", "use", "via", "through", "implement", "leverag", "run",
     "orchestrated", "governed", "based on", "in line with", "consult", "guided", "driven", "due to", "thanks to",
     "migrated", "comply", "enforcement", "added to"),
    _I,
)
# a code file of a list of files, and what was built into it under a WSP: "`x_server.py` - Full MCP server
# with WSP 77 agent coordination", "`x.py` - Full WSP 97 integration", "`x.py`: Added WSP 91 bracket logging"
_FILE_LED = re.compile(r"^\W*(?:[\w.-]+/)*[\w.-]+\.(?:py|js|ts|tsx|ps1|sh|rs|go)\b[^-:–]{0,40}[-:–]\s")
_FILE_APPLIED = re.compile(
    r"\b(?:server|module|agent|system|tool|engine|daemon|service|client|pipeline|class|dae|orchestrator)\s+with\s+"
    r"(?:full\s+|complete\s+)?" + R + r"(?:\s+[a-z][\w-]*){1,2}"
    r"|\b(?:added|adds|implements|implemented)\s+(?:full\s+|complete\s+)?" + R
    + r"(?:\s+(?!(?:protocol|entry|section|references?|header|document|spec\w*|number|text|to|and|or|in|as|for)\b)[a-z][\w-]*){1,2}"
    r"|\b(?:full|complete|proper)\s+" + R + r"\s+(?:[\w-]+\s+)?integration\b", _I)
# a line that is not a report: a hypothesis, a definition of what counts as a violation, a rule
_HYPOTHETICAL = Gated(
    r"\b(?:would|could|might|will|may|can)\s+(?:\w+\s+)?(?:violate|breach|break)|\bif\s+[^.]{0,60}\bviolat"
    r"|=\s*(?:automatic\s+)?" + R + r"\s+violation|\bviolations?\s+(?:of|to)\s+" + R + r"\s+(?:are|is|include)\b"
    r"|\bexample\s+violation|\bcounts?\s+as\s+(?:a\s+)?" + R + r"|^\W*(?:(?:expected|required|correct)\s+)?(?:per|following)\s+" + R
    # "Per WSP 49:" over rules; not "Following WSP 3: Enterprise Domain Organization, the modules are ..."
    + r"\s*(?::(?!\s*[A-Z][\w &'-]{2,60},)|$)"
    r"|\b(?:recogni[sz]ed|connected\s+to|identified|classified|established|defined)\s+" + R + r"\s+as\b"
    r"|" + R + r"\s+(?:only|also|now|just)\s+(?:prevents|covers|requires|defines|handles)\b"
    # what a tool or design does ("It ensures WSP 49 compliance", "DAE-first execution (WSP 80) provides ...")
    r"|\b(?:provides|ensures|enables|supports|prevents|enforces|guarantees)\s+(?:\S+\s+){0,3}?" + R + r"\s+complian"
    r"|" + R + r"\)?\s+(?:provides|ensures|enables|supports|guarantees)\b",
    ("violat", "breach", "break", "example", "count", "per", "following", "recogni", "connected", "identified",
     "classified", "established", "defined", "only", "also", "now", "just", "provides", "ensures", "enables",
     "supports", "prevents", "enforces", "guarantees"),
    _I,
)
# a line that plans, asks or prescribes rather than reports what happened
_PLAN = re.compile(
    r"\b(?:TODO|will|planned|plan\s+to|should|must|need(?:s|ed)?\s+to|to\s+be\s+\w+ed|next\s+step|future|upcoming"
    r"|proposed|propose|recommend\w*|consider|target(?:s|ed)?|expected|goal|would|could|shall|requires?|required"
    r"|mandatory|ensure|always|never|pending|awaiting|ready\s+for|prepare|preparing)\b|⏳|\?\s*$",
    _I,
)
_STRONG_PLAN = re.compile(r"\b(?:TODOs?|will|planned|plan\s+to|next\s+step|future|upcoming|pending|awaiting|ready\s+for"
                          r"|approaching|in\s+progress|not\s+yet|to\s+be\s+(?:done|added|created|implemented|determined)|TBD"
                          r"|needs?\s+measurement|not\s+(?:yet\s+)?measured)\b"
                          r"|⏳|\?\s*$", _I)
_NOT_YET = re.compile(r"\b(?:TBD|to\s+be\s+determined|needs?\s+measurement|not\s+(?:yet\s+)?(?:measured|started|implemented|done)"
                      r"|pending|in\s+progress|not\s+yet)\b|⏳", _I)
_NEXT = re.compile(r"\b(?:next\s+(?:iteration|step|phase|sprint)|to\s+address|address\s+(?:the\s+)?remaining)\b", _I)
# a line that writes, edits or describes a WSP document, not an application of it
_AUTHORING = re.compile(
    r"\b(?:creat(?:e|ed|es|ing)|add(?:ed|s|ing)?|updat(?:e|ed|es|ing)|enhanc(?:e|ed|es|ing)|deprecat(?:e|ed|es|ing)"
    r"|remov(?:e|ed|es|ing)|renam(?:e|ed|es|ing)|modif(?:y|ied|ies|ying)|wr(?:ote|ite|ites|itten|iting)|draft(?:ed|s|ing)?"
    r"|amend(?:ed|s|ing)?|extend(?:ed|s|ing)?|augment(?:ed|s|ing)?|delet(?:e|ed|es|ing)|defin(?:e|ed|es|ing)"
    r"|introduc(?:e|ed|es|ing)|expand(?:ed|s|ing)?|archiv(?:e|ed|es|ing)|merg(?:e|ed|es|ing)|revis(?:e|ed|es|ing)"
    r"|rewr(?:ote|ite|itten)|reserv(?:e|ed|es|ing)|allocat(?:e|ed|es|ing)|assign(?:ed|s|ing)?|number(?:ed|ing)"
    r"|codif(?:y|ied|ies))\s+(?:the\s+|new\s+|a\s+|existing\s+|protocol\s+)?" + R
    # the WSP is the verb's object ("Created WSP 73: ...", "Updated WSP 96 to v1.3"), not the kind of
    # thing made ("Added WSP 91 bracket logging", "Created WSP 60 compliant directory")
    + r"(?=\s*(?:$|[:(.,;]|\s+(?:to|with|for|as|from|in|into|and|v\d|protocol|document|doc|spec\w*|section|entry"
    r"|file|number)\b))"
    + r"|" + R + r"\s+(?:\(\w[^)]*\)\s*)?(?:v?\d[\d.]*\s+)?(?:was\s+|is\s+|has\s+been\s+|now\s+)?(?:enhanced|updated"
    r"|created|deprecated|amended|augmented|renamed|removed|extended|expanded|revised|rewritten|written|drafted|merged"
    r"|modified|changed|upgraded|reorganized|restructured|numbering|number|entry|section|version|text|document|spec\w*"
    r"|protocol\s+(?:created|updated|document|file|text)|includes|now\s+includes|reserved|allocated|exists)\b"
    r"|\b(?:to|in|into)\s+(?:the\s+)?" + R + r"(?:\s+(?:protocol|document|doc|spec\w*|header))?\s*(?:$|[.,;:)])"
    r"|\b(?:to|in|into)\s+(?:the\s+)?" + R + r"\s+(?:header|section|document|protocol\s+(?:text|document|file)|spec\w*)\b"
    r"|" + R + r"\s+(?:section\s+\d|§)|\bnext\s+(?:available\s+)?(?:number|slot)"
    r"|^\W*" + R + r"\s*:\W*(?:enhanced|extended|revised|amended|deprecated|augmented|renumbered|rewritten|cleaned\s+up)\b"
    r"|^\W*(?:added|updated|created|revised|rewrote|extended|expanded)\b[^.]{0,30}(?:§|\bsection\s+\d|\b\d+\.\d+\s*“)"
    # "**WSP 42 - Universal Platform Protocol**: Created and codified a new protocol"
    r"|^\W*" + R + r"[^:]{0,60}:\W*(?:created|codified|drafted|wrote|authored)(?:\s+and\s+\w+)?\s+(?:a\s+|the\s+)?"
    r"(?:new\s+)?(?:[\w-]+\s+){0,3}(?:protocol|standards)\b",
    _I,
)
_NOTE_IN_DOC = re.compile(r"\b(?:added|written|inserted|appended|noted|recorded)\s+(?:to|in|into)\s+(?:the\s+)?" + R
                          + r"\s+(?:header|section|document|doc|spec\w*|text)\b", _I)
# "WSP 49: Enforces module structure", "This protocol requires": a protocol describing itself
_DEFINITION = re.compile(
    r"^\W*(?:This\s+(?:protocol|WSP)|" + R + r"[^a-z]{0,4}(?:\([^)]*\)\s*)?(?:[:-]\s*)?)(?:also\s+|now\s+|only\s+)?"
    r"(?:establishes|defines|provides|describes|specifies|requires|mandates|governs|enforces|covers|documents|says"
    r"|states|is|was|are|extends|introduces|exists|addresses|prevents|ensures|enables|focuses|handles|tracks|contains"
    r"|means|becomes|serves|builds|integrates|complements|supersedes|replaces|works|operates|answers|asks|tells"
    r"|remains|stays|has|had|lists|explains)\b",
    _I,
)
# a document's boilerplate about itself ("*This ModLog maintains ... per WSP 22 protocol*")
_FOOTER = re.compile(
    r"^\W*(?:this\s+(?:mod\s*log|log|roadmap|document|file|readme|report)\b"
    r"|(?:mod\s*log|roadmap|log|document|file)\s+(?:is\s+)?(?:maintained|generated|updated|tracked)\b"
    r"|module\s+evolution\s+tracked|documented\s+per|generated\s+by|maintained\s+by)",
    _I,
)
# an instruction ("Add tests per WSP 34", "Apply WSP 62 refactoring"): a plan, not a report
_IMPERATIVE = re.compile(
    r"^(?:Add|Create|Generate|Apply|Execute|Analy[sz]e|Ensure|Use|Run|Verify|Consider|Fix|Move|Remove|Delete|Rename"
    r"|Refactor|Integrate|Extend|Enhance|Write|Follow|Consult|Keep|Make|Validate|Include|Define|Establish|Merge"
    r"|Consolidate|Migrate|Convert|Replace|Adopt|Avoid|Prevent|Configure|Deploy|Detect|Register|Propose|Investigate"
    r"|Explore|Prepare|Assign|Require|Enforce|Never|Always|Only|Must|Should|Do|Don't|Evaluate|Identify|Assess"
    r"|Determine|Achieve)\b"
    r"|^(?:Update|Document|Test|Review|Check|Track|Log|Report|Plan|Audit|Scan|Monitor|Store|Index|Mark|Note)\s+"
    r"(?:all|the|a|an|each|every|any|new|existing|affected|remaining|module|modules|[a-z]+s)\b"
)
# an action reported in the past or third person ("Moved x.py to src/", "Reuses existing code")
_ACTION = re.compile(
    r"^(?:(?:[A-Z][a-z]+(?:ed|ied))|Built|Made|Wrote|Split|Kept|Ran|Put|Found|Held|Brought|Done|Reuses|Uses|Adds|Moves"
    r"|Creates|Follows|Implements|Applies|Runs|Searched|Read|Set|Cut|Led|Took|Chose|Left)\b"
)
# "X per WSP 3" where X is a state, not an act ("Root directory now clean per WSP 85")
# "X per WSP 3" states compliance when X is a state rather than an act: "All modules follow WSP 3",
# "Root directory now clean per WSP 85", "Infrastructure domain following WSP 3", "Complete per WSP 83"
_STATE_HEAD = re.compile(r"^(?:all|complete|full|maintained|compliant|aligned|consistent)\b"
                         r"|\b(?:now|properly|already|correctly|fully|formally|complian\w*)\b", _I)
_STATE_START = re.compile(r"(?:maintained|aligned|preserved|kept\s+consistent)\b", _I)
# work done on a line ("Re-implemented with ...", "reuses code", "Complete activation implementation"):
# the WSP was applied to do it, whatever the section or a tick says of the result
_WORK = re.compile(r"\b(?:(?:re-?)?implement(?:ed|s|ation)|reuses?|reused|code\s+reuse)\b", _I)
_TRIGGER = re.compile(r"\b(?:per|follows?)\s+(?:the\s+|proper\s+|existing\s+"
                      r"|full\s+|standard\s+)?(?:[\w-]+\s+)?" + R + r"$", _I)


def _states(tok: str, m: re.Match[str]) -> bool:
    """Whether an application tie ("per WSP 3", "following WSP 3") reads as a state: what comes
    before it is not an act (no action verb opens the statement) and is a state or a thing that
    follows the WSP."""
    trigger = _TRIGGER.search(m.group(0))
    if trigger is None:
        return False
    at = m.start() + trigger.start()
    opened = tok.rfind(". ", 0, at) + 1  # the tie's own sentence: "Completed X. Module now properly follows WSP 84"
    before = _MARK_LEAD.sub("", tok[opened:at]).strip()
    head = _FIELD_LABEL.sub("", before)
    word = trigger.group(0).split()[0].lower()
    if head and word in ("per", "follows", "follow") and _STATE_START.match(head) and not _WORK.search(head):
        return True  # "Framework Integrity: Maintained per WSP 31": a state, though it reads like a past act
    if not head or _ACTION.match(before) or _ACTION.match(head) or word not in ("per", "follows", "follow"):
        return False  # "Follows WSP 64 ...", "**Created**: ... per WSP 49", "Moved x.py to src/ per WSP 3"
    if _WORK.search(head):
        return False  # "Module properly reuses code per WSP 84": work done, not a state
    return word != "per" or bool(_STATE_HEAD.search(head))  # "All modules follow WSP 3", "now clean per WSP 85"


_ACTION_PAREN = re.compile(r"\(" + R + r"[^()]{0,40}\)")  # "Reuses existing LiveChat MessageProcessor (WSP 84)"
_PAREN_REF = re.compile(r"\(\s*(?:per\s+)?" + R + r"[^()]{0,40}\)")
_WSP_LED = re.compile(r"^(?:(?:✅|❌|⚠️|\[(?:OK|FAIL|x|X|PASS)\])\s*)?" + R)
_WSP_FIELD = re.compile(r"^(?:(?:✅|❌|⚠️|\[(?:OK|FAIL|x|X|PASS)\])\s*)?" + R + _TITLE + r"[^:]{0,40}:\s|^" + R + r"\s+-\s")
# a WSP-led line whose description reports a result ("WSP 22: Traceable narrative maintained")
_CLAIM = re.compile(r"\b(?:maintained|achieved|established|complete|completed|verified|passed|compliant|restored"
                    r"|preserved|enforced|validated|satisfied|confirmed|operational|in\s+place|followed|applied)\b"
                    r"(?!\s+as\b)", _I)
_MARKED = re.compile(r"^(?:✅|\[OK\]|\[x\]|\[PASS\])|^(?:[^:]{0,60}):\s*(?:✅|\[OK\])|-\s*(?:✅|\[OK\])")
_MARKED_BAD = re.compile(r"❌|\[FAIL\]|\bFAIL(?:ED)?\b|\bVIOLATIONS?\b")
# a WSP-led line whose description reports a breach ("WSP 49: Module structure standards violated")
_BREACH = re.compile(r"❌|\[FAIL\]|\bFAIL(?:ED)?\b|\bviolat(?:ion|ions|ed|es|ing)\b|\bexceeds?\s+(?:[\w-]+\s+)?limits?\b"
                    r"|\b(?:fragmented|compromised|undermined)\b", _I)  # "WSP 40: Architectural coherence fragmented by duplicates"
_POSITIVE = re.compile(r"\bappl(?:ied|ying)\b|\bcomplian", _I)
# a finding that says it breaks nothing, whatever the list it is in says
_LEGIT = re.compile(r"\blegitimate\b(?:\s+\w[\w-]*){0,3}|\bno\s+(?:[\w-]+\s+)?(?:action|consolidation|changes?|fix|remediation"
                    r"|refactor\w*|migration)\s+(?:is\s+)?(?:required|needed|necessary)\b|\bnot\s+a\s+violation\b"
                    r"|\bfalse\s+positive\b|\b(?:acceptable|allowed|permitted|valid)\s+(?:pattern|exception|design)\b", _I)
_MARK_LEAD = re.compile(r"^(?:(?:✅|❌|⚠️|\[(?:OK|FAIL|x|X|PASS|DONE)\])\s*)+")
_DONE_TIE = re.compile(r"complian|achieved|established|maintained|verified|passed|adhering|applied|followed", _I)
_FOLLOWED = re.compile(r"\b(?:follow\w*|implement\w*|appl\w+|us(?:e|es|ed|ing))\b", _I)
_FIELD = re.compile(r"^\s*\*?(?:[-*+]\s+)?\*?\*?(?P<key>[A-Za-z][\w /&()'.-]{0,48}?)\*?\*?\s*:\*?\*?\s+(?P<value>\S.*)$")
_FIELD_LABEL = re.compile(r"^[^:]{1,40}:\s+")
_WORD = re.compile(r"[A-Za-z]{3,}")
_CODE_LINE = re.compile(r"^\s*\w+\s*=\s*\S")

# field keys
_CITE_KEY = re.compile(  # a field that only cites WSPs ("**WSP References**: WSP 22, WSP 50")
    r"^\W*(?:wsp\s+)?(?:protocol\s+)?(?:references?|refs?|related(?:\s+\w+)?|see(?:\s+also)?|protocols?(?:\s+used)?"
    r"|wsps?|dependencies|depends\s+on|relevant\s+wsps?|governing\s+wsps?|wsp\s+protocols?|sources?|triggers?"
    r"|cross[\s-]reference|links?|architecture|version|git\s+tag|agent|architect|owner|author|by|phase)\W*$",
    _I,
)
_META_KEY = re.compile(r"^\W*(?:architect|agent|author|owner|by|version|git\s+tag|phase)\W*$", _I)
_COMPLIANCE_KEY = re.compile(r"^\W*(?:[\w/&-]+\s+){0,3}(?:compliance|compliant|conformance|adherence)(?:\s+status)?\W*$"
                             r"|^\W*wsp\s+(?:grade|alignment)\W*$", _I)
_APPLIED_KEY = re.compile(r"^\W*(?:wsp\s+)?(?:protocols?\s+)?(?:applied|used|followed|implemented|established)\W*$", _I)
_VIOLATION_KEY = re.compile(r"^\W*(?:wsp\s+)?violations?(?:\s+detected)?\W*$", _I)
_RULE_KEY = re.compile(r"\b(?:rules?|requirements?|principles?|definitions?|mandates?|goals?|target|objective|intent"
                       r"|expected)\W*$", _I)
# a WSP-led key that names a change to the WSP itself ("**WSP 54 Enhancement**:")
_FEATURE_KEY = re.compile(r"\b(?:enhancements?|enhanced|updates?|updated|matrix|mapping|creation|created|changes"
                          r"|opportunities|duties|agents?|handler|definition|specification|section)\b", _I)
_VALUE_STATUS = re.compile(r"^\W*(?:✅|\[OK\]|\[PASS\]|PASS(?:ED)?\b|COMPLIANT\b|COMPLETE\b)")  # "PASSED - 100% ..."
_PER = re.compile(r"(?:per|following|under)\b", _I)
_ROLE = re.compile(r"^\w+\s+as\b", _I)  # "WSP 25/44: Established as foundational driver": the WSP's role
_CITE_CONTEXT = re.compile(r"^\W*(?:wsp\s+)?(?:protocol\s+)?references?\W*$", _I)
_RESOLUTION_KEY = re.compile(r"\b(?:resolution|fix|fixes|remediation|solution|corrective|status)\b", _I)
_HEADING_APPLIED = re.compile(r"^(?:per|follow(?:s|ing|ed)?)\b|\b(?:orchestrated|applied|followed)$", _I)
_FOLLOWED_WORD = re.compile(r"(?:followed|applied|used)\b", _I)
_APPLIED_WORD = re.compile(r"\bapplied\s+to\b", _I)
_HEADING_NOT_ITEM = re.compile(r"\b(?:fix|fixes|fixed|correct\w*|restor\w*|resolution|note|initiated|analysis|audit"
                               r"|check|review|plan|prevention|enhancement|learning|event|assessment|progress|target"
                               r"|phase|log|integrated|section|checklist|status|framework|requirements?)\b", _I)


def _planned_sentence(text: str, m: re.Match[str]) -> bool:
    """Whether the sentence holding the match plans rather than reports ("Next iteration: address
    WSP 11 violations")."""
    start = max(text.rfind(". ", 0, m.start()), text.rfind("; ", 0, m.start())) + 1
    ends = [i for i in (text.find(". ", m.end()), text.find("; ", m.end())) if i >= 0]
    sentence = text[start: min(ends) if ends else len(text)]
    return bool(_STRONG_PLAN.search(sentence) or _NEXT.search(sentence))


# "Following WSP 57 naming cleanup, installed ...": after an event named by the WSP, not in line with it
_TEMPORAL = re.compile(r"(?:following|after)\s+(?:the\s+)?" + R + r"(?:\s+[\w-]+){0,3}?\s+(?:cleanup|clean-up|completion"
                       r"|migration|refactor\w*|fix(?:es)?|updates?|session|audit|work|changes|consolidation|reorgani[sz]ation"
                       r"|rollout|enhancements?|creation|renam\w+|restructur\w+|implementation|integration|violations?"
                       r"|incident|review|analysis|upgrade)\b\s*[,;]", _I)


def _said(words: str) -> str:
    return f"the statement says '{_cut(_SPACE.sub(' ', words).strip(), 80)}'"


def tied_relation(plain: str, tok: str, refs: list[str], low: str) -> tuple[str | None, str]:
    """(relation, the words that state it) of a relation tied to a reference on the line, read in
    `plain` (the tokenized line without WSP titles and tool names) or `tok` (tokenized), with
    `low` the lower case of `tok`."""
    m = _NO_VIOLATION.search(plain, low)
    if m and not _VIOLATION_TIED.search(_NO_VIOLATION.regex.sub(" ", plain)):
        return "compliant", m.group(0)
    for relation, rx_ in (("violation", _VIOLATION_TIED), ("compliant", _COMPLIANT_TIED), ("applied", _APPLIED_TIED)):
        text = plain if relation != "applied" else tok
        m = next((m for m in rx_.finditer(text, low) if not _planned_sentence(text, m)
                  and not (relation == "applied" and _TEMPORAL.match(text, m.start()))), None)
        if m:
            if relation == "applied" and _states(tok, m):
                return "compliant", _original(tok, refs, m)
            return relation, _original(text, refs, m)
    m = _ACTION_PAREN.search(tok)
    if m and _ACTION.match(_FIELD_LABEL.sub("", tok)):
        return "applied", _original(tok, refs, m)
    m = _FILE_APPLIED.search(tok) if _FILE_LED.match(tok) else None
    if m:
        return "applied", _original(tok, refs, m)
    return None, ""


# -- what a context says -----------------------------------------------------------------------

@dataclass(frozen=True)
class _Kind:
    """What a context (a list's lead-in, a heading) says the lines under it are."""

    relation: str | None  # applied, compliant, violation; None: its lines are not items by position
    text: str
    resolved: bool | None = None
    strong: bool = False  # without a relation: not even a line stating its own relation is an item


# a context whose lines are not results whatever else it says ("Planned WSP Compliance Improvements")
_CONTEXT_NOT_FIRST = re.compile(
    r"\b(?:planned|plans?|future|next\s+(?:steps?|actions?|phase(?!\s+ready)|sprint|milestone|session|development)"
    r"|todo|upcoming|(?:wsp|protocol)\s+(?:protocol\s+)?references?|documentation\s+references|related\s+(?:wsps?|protocols?)"
    r"|requirements?|prerequisites|integration\s+points"
    r"|compliance\s+framework|coverage|criteria|guidelines?|rules|examples?|templates?|how\s+to|tasks?"
    r"|recommendations?|proposals?|duties|enforcement\s+points|vision|strategy|roadmap|backlog|definitions?"
    r"|ready\s+for|target(?:s|ed)?\b(?!.*\[OK\]))\b"
    r"|\b(?:wsps?|protocols?)\s+(?:documentation\s+)?(?:updated|enhanced|modified|changes|enhancements)\b"
    r"|\bdocumentation\s+updated\b|\bupdated\s+(?:wsp|protocol)|\bthis\s+protocol\b|^\W*(?:references?|related|next)\b"
    r"|\bmetrics\s+tracking\b|\bmissing\s+(?:critical\s+)?(?:components|sections|documentation|protocols|wsps)\b"
    r"|\bviolation\s+(?:reports?|types|categories|patterns|detection)\b|\bopportunit(?:y|ies)\b"
    r"|\b(?:wsp|protocol)[ _-]?\w*\s+creation\b|\boriginal\s+wsp|\bsolution\s+(?:involves|requires|would|will|is\s+to)\b",
    _I,
)
# a context whose lines are not results: references, requirements, plans, guidelines
_CONTEXT_NOT = re.compile(
    r"\b(?:references?|related|see\s+also|dependencies|depends|requirements?|prerequisites?|todo|to\s+do|future"
    r"|planned|plans?|upcoming|criteria|test\s+(?:set|cases?)|examples?|what\s+to\s+check|how\s+to|guidelines?|rules?"
    r"|capabilities|features?|updates?\s+to|protocol\s+updates|wsp\s+updates|documentation\s+references|duties"
    r"|sections?\s+added|checklist\s+for|tasks?|required|recommendations?|proposal|options?|questions?|template|schema"
    r"|mandate|enforcement\s+points|triggers?|protocols?\s+involved|number|assignments|what\s+gets|next|prevention"
    r"|definitions?|glossary|index|catalog|remembered|wsp\s+protocols?\s*:?\s*$|protocols?\s*:?\s*$|wsps?\s*:?\s*$"
    r"|relationships|dependency|vision|strategy|backlog|roadmap|deliverables|(?<!first\s)principles|workflow|(?:execution|process)\s+flow|(?:data\s+)?sources)\b",
    _I,
)
# a context of its own kind (file lists, change lists, architecture notes) that declares nothing
# about WSPs: a WSP-led line in it is not a result, a line stating its own relation still is
_CONTEXT_NEUTRAL = re.compile(
    r"\b(?:changes?|created|added|modified|updated|files?|framework|enhancements?|enhanced|key\s+sections"
    r"|coverage|foundation|core\s+protocols|architecture|integration\s+points|chain|sequence|flow|steps?"
    r"|actions?|overview|summary|scope|purpose|sources?|components?|structure|modules?)\b",
    _I,
)
_CONTEXT_VIOLATION = re.compile(
    r"\bviolat\w*|\bgaps?\b|\bissues?\b|\bproblems?\b|\bfail\w*|\bblockers?\b|\bnon-?complian\w*|\bthreats?\b|\bweakness\w*"
    r"|\berrors?\b|\bwhat\s+went\s+wrong\b|\bmissing\b|\bdefects?\b|\bbroken\b|\bmistakes?\b",
    _I,
)
_CONTEXT_APPLIED = re.compile(r"\b(?:wsps?|protocols?|rules?|principles?|standards?)\s+(?:applied|implementations?"
                              r"|implemented|used|followed)\b|^\W*(?:applied|implementations?|wsp\s+usage)\W*$", _I)
_CONTEXT_COMPLIANT = re.compile(
    r"\bcomplian\w*|\bcompliant\b|\balign\w*|\bachieved\b|\bmaintained\b|\bverified\b|\badheren\w*|\bconformance\b"
    r"|\bwsp\s+(?:framework\s+|protocol\s+)?integration\b|\bthis\s+follows\b|\bfollows\s*:|\bstrengths\b"
    r"|\bwsp\s+status\b|\bwsp\s+grade\b|\bprotocol\s+impact\b|\bcompliance\s+impact\b",
    _I,
)
_NOT_COMPLIANT_CONTEXT = re.compile(r"\bcompliance\s+framework\b|\brequire|\btargets?\b", _I)
_RESOLVED_CONTEXT = re.compile(
    r"\b(?:fixed|fixes|fix\s+applied|resolved|resolution|corrected|correction|remediated|addressed|cleaned\s+up"
    r"|closed|eliminated|before)\b",
    _I,
)
_OPEN_CONTEXT = re.compile(r"\b(?:active|open|outstanding|remaining|unresolved|pending|blockers?|critical\s+gaps|gaps"
                           r"|to\s+fix|needs?\s+fix\w*|pre-?audit|current\s+violations|detected|found|identified|initiated|audit)\b", _I)
_PREVENTION = re.compile(r"\bprevent\w*|\bavoid\w*|\bcommon\s+violations\b|\bwhat\s+counts\b|\bdefinitions?\b"
                         r"|\btypes?\s+of\s+violations\b|\bviolation\s+(?:types|categories|patterns)\b", _I)
# contexts whose violations are no one's: kinds of violation, rules and examples, plans
_NOT_VIOLATIONS = re.compile(
    r"\b(?:prevention|common\s+violations|violation\s+(?:reports?|types|categories|patterns|detection)|examples?"
    r"|templates?|rules|guidelines?|next\s+(?:steps?|actions?)|todo|planned|future|recommendations?|opportunit\w+"
    r"|capabilities|features|sources)\b", _I)
_STATUS_WORD = re.compile(r"\bstatus\b", _I)


@lru_cache(maxsize=4096)  # headings and lead-ins repeat over the lines under them
def context_kind(text: str) -> _Kind | None:
    """What a lead-in or heading says about the lines under it; None when it says nothing."""
    t = _NOT_RELATION.sub(" ", text)
    if _CONTEXT_APPLIED.search(t):
        return _Kind("applied", text)
    if _CONTEXT_NOT_FIRST.search(text):
        return _Kind(None, text, strong=True)
    if _CONTEXT_VIOLATION.search(t) and not _NO_VIOLATION.search(text):
        if _PREVENTION.search(text):
            return _Kind(None, text, strong=True)
        resolved = True if _RESOLVED_CONTEXT.search(text) else False if _OPEN_CONTEXT.search(text) else None
        return _Kind("violation", text, resolved)
    if _CONTEXT_COMPLIANT.search(t) and not _NOT_COMPLIANT_CONTEXT.search(t):
        return _Kind("compliant", text)
    if _CONTEXT_NOT.search(t):
        return _Kind(None, text, strong=True)
    if _CONTEXT_NEUTRAL.search(t):
        return _Kind(None, text)
    return None


# headings whose lines are examples, templates, guidelines or instructions, never reports
_EXCLUDED_SECTION = re.compile(
    r"^\W*(?:\d+(?:\.\d+)*[.)]?\s*|step\s+\d+\s*[:.-]\s*)?(?:examples?|templates?|samples?|instructions?|guidelines?"
    r"|constraints|how\s+to|when\s+to|procedures?|usage|prohibited|incorrect|common\s+violations|what\s+to\s+check|purpose\b"
    r"|anti-?patterns?|why\s+bad|do\s+not|don't|test\s+(?:\d+|cases?|set|scenarios?)|benchmarks?|task\s*:|skill\s*:"
    r"|prompts?\b)"
    r"|\b(?:prevention\s+(?:measures|rules)|identify\s+violated|decision\s+(?:tree|matrix)|expected\s+(?:structure|output"
    r"|results?|behaviou?r)|checklist\s+for|verification\s+steps|validation\s+steps|protocol\s+steps"
    r"|enforcement\s+rules|module_name|(?<!initial\s)placeholder|mandatory\s+(?:checks|steps)|(?:bad|good|code)\s+example"
    r"|example\s+(?:output|entry|usage|violation)|anti-?patterns?)\b|\[module",
    _I,
)


@lru_cache(maxsize=4096)
def _excluded(title: str) -> bool:
    return _EXCLUDED_SECTION.search(title) is not None


# -- subjects ----------------------------------------------------------------------------------

_PATH = re.compile(
    r"(?<![\w/\\.])(?:(?:modules|holo_index|docs|tests?|src|scripts|tools|data|memory)[/\\]|[\w.-]+[/\\][\w.-]+[/\\])"
    r"[\w./\\-]*\w"  # modules/communication/video_comments, a/b/c
    r"|(?<![\w/\\.])(?:[\w.-]+[/\\])+[\w.-]*(?:\.[A-Za-z]{1,5}\b|[/\\])"  # x/c.py, src/
    r"|(?<![\w.])[\w-]+\.(?:py|md|json|ya?ml|txt|toml|ps1|sh|js|ts|tsx|db|jsonl)\b"  # name.py
)
_NOT_SUBJECT_PATH = re.compile(r"WSP_(?:framework|knowledge|agentic)|WSP_\d|(?-i:WSP_[A-Z])|^https?|^\.\.", _I)
# a file read, consulted or cited is what the subject used, not the subject ("Did not read WSP_MASTER_INDEX.md")
_READ_OBJECT = re.compile(r"\b(?:read|reading|consult\w*|check(?:ed|ing)?|see|cit(?:e|es|ed|ing)|referenc\w+)\s+(?:the\s+)?\W*$"
                          # "created x.py instead of enhancing existing y.py": y.py is the road not taken
                          r"|\binstead\s+of\s+(?:\w+\s+){0,3}\W*$"
                          # "Missing module.json per WSP 12": the file is what the subject lacks
                          r"|\bmissing\s+(?:(?:the|a|an|mandatory|required)\s+)?(?:file\s*:\s*)?(?:\S+\s+(?:or|and)\s+)?\W*$", _I)
_FILE_ITEM = r"[\w.-]+(?:\.[A-Za-z]{1,5}|/)"
_ENUMERATED = re.compile(r"(?<![\w/.-])" + _FILE_ITEM + r"(?:\s*,\s*(?:and\s+)?" + _FILE_ITEM + r"){2,}")
_WSP_DOC_FILE = re.compile(r"WSP_\d+_\w+\.md$")
_ALTERNATIVES = re.compile(r"^[A-Z0-9][A-Za-z0-9]*(?:/[A-Z0-9][A-Za-z0-9]*)+$")  # "Qwen/Gemma/0102": names, not a path
_GENERIC_WORDS = (
    r"wsp|compliance|compliant|protocols?|applied|references?|related|status|summary|changes?|what|changed|why"
    r"|impact|analysis|files?|created|modified|updated|new|results?|achievements?|key|technical|implementation|details?"
    r"|overview|notes?|rationale|problem|solution|root|cause|violations?|fixed|metrics|verification|validation|testing"
    r"|tests?|documentation|architecture|integration|framework|benefits?|next|steps?|lessons?|learned|alignment"
    r"|achieved|maintained|verified|checklist|requirements?|updates?|session|findings|actions?|taken|this"
    r"|matters|how|it|works|description|purpose|scope|context|background|approach|decisions?|outcome|evidence"
    r"|structure|system|section|core|principles?|improvements?|enhancements?|added|removed|moved|relocated"
    r"|issues?|gaps?|critical|major|minor|the|and|of|for|to|in|with|on|a|by|all|final|complete|completed"
    r"|protocol|implemented|implementations|standards|strengths|weaknesses|opportunities|threats|swot|score"
    r"|scores|scoring|mps|priority|p\d|phase|current|state|reality|assessment|audit|report|check|checks|health"
    r"|level|coherence|usage|duties|layer|reference|table|matrix|list|items?|examples?|output|latest|update"
    r"|progress|success|confirmed|operational|enhanced|corrected|correction|immediate|data"
    r"|sources?|performance|quality|executive|fail|failed|pass|passed|ok|risks?|mitigations?|conclusion|learnings?|insights?|observations?|patterns?"
    r"|impacts?|deployment|readiness|review|measures|agents?|tools?|commands?|kept|essential|reasoning|diagnosis"
    r"|pattern|timeline|signal|one|two|three|first|ultrathink|ultra_think|deep|dive|breakdown|plan"
    r"|chronological|change|log|modlog|entries|history|ready|module|modules|specific|research|significance"
    r"|depends|dependency|dependencies|requires|required|prerequisites?|blockers?|points|established|auto|fix|fixes"
    r"|recursive|zen|learning|foundation|design|codified|coverage|identified|detected|found|interfaces?|timeline|resolution|rules|non|negotiable|efficiency|successful|ultimate|rate|overhead|git|commits?|made|cross|effects?|highlights?|deliverables?|accomplishments?|integrated|enabled|delivered|built|development|priorities|excellence|perfect"
    r"|actual|went|right|wrong|well|document|documented"  # "What Went Right", "ACTUAL ACHIEVEMENTS TO DOCUMENT"
)
_GENERIC_HEADING = re.compile(r"^(?:(?:" + _GENERIC_WORDS + r")\b|[\W\d_]|" + R + r"|[a-z]\b)*$", _I)
_DATE_HEAD = re.compile(
    r"^\W*(?:MODLOG\s*-\s*)?\[?(?:v?\d+(?:\.\d+)+\]?\s*-\s*)?\[?\d{4}-\d\d-\d\d(?:[T ][\d:.]+)?(?:\s+SESSION\s+\d+)?\]?"
    r"\s*[-:–]*\s*|^\W*\[?Current\s+Session\]?\s*[-:–]*\s*|^\W*MODLOG\s*-\s*\[?|^\W*V\d{3}(?:\.\d+)?\s*:\s*",
    _I,
)
_LABEL_HEAD = re.compile(r"^(?:context|background|summary|overview|problem|solution|goal|purpose|scope|(?:module|file|component)(?:\s+[A-Z0-9])?"
                         r"|success)\s*:\s*(?=\S)", _I)
# a dependency analysis lists what another part must provide: its findings are about that part, which the
# heading does not name ("Phase 2 Depends on Phase 1", "Critical Dependencies")
_DEPENDENCY_HEAD = re.compile(r"\b(?:depends?\s+on|dependenc(?:y|ies)|prerequisites?)\b", _I)
# the part a dependency list is about, from its lead-in ("Phase 1 must provide", "Phase 2 REQUIRES Phase 1 to be")
_DEPENDENCY_LEAD = re.compile(r"\brequires?\s+(?P<a>[\w./-]+(?:\s+[\w./-]+){0,3}?)\s+to\s+(?:be|have|provide)\b"
                              r"|^\W*(?P<b>[\w./-]+(?:\s+[\w./-]+){0,3}?)\s+(?:must|should)\s+(?:provide|have|include|be)\b", _I)
# success metrics, goals and targets: what a plan aims at (its ticks mark targets as often as results)
_TARGET_HEAD = re.compile(r"\bsuccess\s+(?:metrics|criteria|measures|indicators)\b|\btarget\s+(?:metrics|outcomes|state)\b"
                          r"|\bmetrics\s*\(\s*(?:week|month|quarter|day|sprint)\s*\d|\bkpis?\b|\bacceptance\s+criteria\b", _I)
_CREATION_HEAD = re.compile(r"^\W*(?:original\s+|new\s+)?(?P<a>" + _REF_SPAN.pattern + r")(?:\s+(?:creation|created|drafted)\s*$"
                            r"|\s*:[^:]{0,80}?\b(?:protocol\s+)?(?:created|creation)\b)"
                            r"|^\W*(?:created|drafted|creation\s+of)\s+(?:the\s+)?(?P<b>" + _REF_SPAN.pattern + r")\s*$", _I)


def _created(title: str) -> list[int]:
    """The WSPs a heading says were created ("Original WSP_00 Creation"), whose entry then describes them."""
    m = _CREATION_HEAD.match(_DATE_HEAD.sub("", title))
    return wsp_numbers(m.group("a") or m.group("b")) if m else []
_SUB_RECORD = re.compile(r"^\W*V\d{3}\.\d+\s*:")
_RECORD_LINE = re.compile(r"^\W*(V\d{3}(?:\.\d+)?)\s*:\s*([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,4}?)\s+" + R)
_RECORD_ID = re.compile(r"^\W*(V\d{3}(?:\.\d+)?)\s*:")
_TODO_HEADING = re.compile(r"\b(?:todo|to\s+do|planned|backlog)\b", _I)  # a list of plans names no subject
_LEAD_TAG = re.compile(r"^\[([^\[\]]{1,80})\]\s*")
_CAPS_TAG = re.compile(r"\s*\[[A-Z][A-Z0-9 _-]{2,39}\]\s*$")  # "... [CRITICAL RECURSIVE VIOLATION]" after a title
_TAGGED_TAIL = re.compile(r"\s*\[(?:OK|DONE|COMPLETE|PASS|FIXED|RESOLVED|WARNING|FAIL)\](?:\s+[A-Z0-9][A-Z0-9_-]*)*\s*$")  # "... [OK] HOLO SCAN COMPLETED"
_TRAIL_DATE = re.compile(r"\s*[-–]\s*\d{4}-\d\d-\d\d\s*$")
_TRAIL_TAG = re.compile(r"(?:\s*\[[^\[\]]{1,20}\]?)+\s*$")  # "Testing Framework Established [OK]", "... [2025-09-28]"
_DATED = re.compile(r"^\W*(?:MODLOG\s*-\s*)?\[?(?:v?\d+(?:\.\d+)+\]?\s*-\s*)?\[?\d{4}-\d\d-\d\d")
_SECTION_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*[.)]?|[A-Z][.)]|Step\s+\d+\s*[:.-]?)\s+")
_DOC_TYPE = re.compile(
    r"\s*[-–:]?\s*\b(?:mod\s*log|change\s*log|changelog|readme|roadmap|interface|development\s+log|module\s+change\s+log"
    r"|testing\s+evolution\s+log)\b\s*[-–:]?\s*",
    _I,
)
_MODULE_WORD = re.compile(r"\bmodule\b", _I)
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_NOT_MODULE = re.compile(r"^(?:foundups|wsp|the|main|system|root)\b", _I)


@lru_cache(maxsize=4096)
def _heading_subject(title: str) -> str | None:
    """A heading as a subject: dates, wrappers and numbering dropped; None for a generic one
    ("WSP Compliance", "What Changed") that names no thing."""
    full = _EMPTY_BRACKETS.sub(" ", clean(title))
    t = _DATE_HEAD.sub("", full).strip()  # "Cleanup (WSP 78 Compliance)" without it
    lead = _LEAD_TAG.match(t)
    if lead:  # "[WARNING] FILE SIZE VIOLATIONS": a status tag goes; "[Remote Builder] - ...": a name stays
        t = t[lead.end():] if lead.group(1).upper() == lead.group(1) and " " not in lead.group(1) \
            else lead.group(1) + " " + t[lead.end():]
    t = _TRAIL_DATE.sub("", _TRAIL_TAG.sub("", _CAPS_TAG.sub("", _TAGGED_TAIL.sub("", t)))).strip(" []:-–")
    t = _SECTION_NUMBER.sub("", t).strip(" []:-–")
    t = _LABEL_HEAD.sub("", t)  # "Context: LLM Model Installation": the label names no thing
    if t.endswith("]") and "[" not in t:
        t = t[:-1].strip()
    if t.count("(") > t.count(")"):
        t = t[: t.rfind("(")].rstrip(" (")  # "Test Coverage (WSP 5 compliance)" without its reference
    t = _SPACE.sub(" ", t).strip(" *-–:")
    if len(t) < 3 or _excluded(t) or t.endswith("?"):
        return None  # ... or a question ("Why NOT Create New Database?") names no thing
    head, sep, tail = t.rpartition(" - ")
    if sep and len(head) >= 3 and _GENERIC_HEADING.match(tokens(tail)[0]) and not _GENERIC_HEADING.match(tokens(head)[0]):
        t = head  # "WRE Phase 1 - WSP Compliance Audit Report": the thing, without what the document is
    if _GENERIC_HEADING.match(tokens(t)[0]) and len(_WORD.findall(t)) < NAMED_WORDS:
        record = _RECORD_ID.match(full)  # "V015: FRAMEWORK-LEVEL VIOLATION ANALYSIS": the record's id names it
        return _cut(f"{record.group(1)}: {t}", MAX_SUBJECT) if record and len(t) < MAX_SUBJECT else None
    return _cut(t, MAX_SUBJECT)


# "This log tracks changes specific to the **src** module in the **blockchain** enterprise domain."
_INTRO_MODULE = re.compile(r"\bthe\s+\**`?(?P<m>[a-z][\w.-]*)`?\**\s+module\s+in\s+the\s+\**`?(?P<d>[a-z][\w-]*)`?\**"
                           r"\s+(?:enterprise\s+)?domain\b")
INTRO_LINES = 6  # lines after a document's title its introduction is read from


def _module_of(doc: Document) -> str | None:
    """The module a module's own document (its ModLog, README, roadmap) is about: as its introduction
    names it with its domain (two modules of one name, "src", live in different domains), else from
    its title."""
    if not doc.title or doc.kind not in ("modlog", "readme", "roadmap", "other", "report"):
        return None
    if doc.title_line is not None:
        for k in range(doc.title_line + 1, min(doc.end, doc.title_line + INTRO_LINES) + 1):
            intro = _INTRO_MODULE.search(doc.text(k))
            if intro:
                return f"{intro.group('m')} module ({intro.group('d')} domain)"
    if _IDENTIFIER.match(doc.title):
        return doc.title  # "youtube_dae": a module's README titled by its name
    if not _DOC_TYPE.search(doc.title) and not _MODULE_WORD.search(doc.title):
        return None
    name = _SPACE.sub(" ", _DOC_TYPE.sub(" ", _DATE_HEAD.sub("", doc.title))).strip(" -–:")
    if not name or len(name.split()) > 5 or _NOT_MODULE.match(name):
        return None
    return name


# where a rule says things belong ("test files MUST be in module/tests/") is no one's subject
_DESTINATION = re.compile(r"\b(?:must|should|to|shall|need\s+to)\s+(?:be|reside|live|go|stay)\s+(?:in|into|under|at|inside)\s+\W*$"
                          r"|\bbelongs?\s+(?:in|to|under|inside)\s+\W*$", _I)


def _in_parens(text: str, at: int) -> bool:
    return text.rfind("(", 0, at) > text.rfind(")", 0, at)


def _line_subject(statement: str, skip_parens: bool = False, wsp_docs: bool = False) -> str | None:
    """A file or module path the statement names (not a WSP document's own file; with `skip_parens`,
    not one in brackets: "WSP 49: Module Structure (requirements.txt)" gives the evidence there; with
    `wsp_docs`, a WSP document's file too: a list of the files changed names them)."""
    if "/" not in statement and "\\" not in statement and "." not in statement:
        return None
    if _ENUMERATED.search(statement):
        return None  # "Full WSP 49 compliance: README.md, INTERFACE.md, tests/": what the subject has, not the subject
    for m in _PATH.finditer(statement):
        p = m.group(0).rstrip("\\.,;:)")
        if len(p) >= 4 and not (_NOT_SUBJECT_PATH.search(p) and not (wsp_docs and _WSP_DOC_FILE.search(p))) \
                and not _ALTERNATIVES.match(p) \
                and not _DESTINATION.search(statement, 0, m.start()) and not _READ_OBJECT.search(statement, 0, m.start()) \
                and not (skip_parens and _in_parens(statement, m.start())):
            return p
    return None


# -- places ------------------------------------------------------------------------------------

# a fenced block under such a heading quotes text proposed to fill a gap, or a template
_PROPOSAL = re.compile(r"\b(?:gaps?|missing|fix|fixes|proposed|suggested|recommended|todo|next\s+steps?|remediation"
                       r"|templates?|examples?|not\s+updated|incomplete)\b", _I)
# a document of the WSP framework ("WSP_knowledge: The Memory Layer") describes protocols
_WSP_DOC = re.compile(r"^\W*WSP[ _-]?(?:knowledge|framework|agentic)\b(?!.*\b(?:mod\s*log|change\s*log)\b)", _I)
_PROSE_FENCES = frozenset({"", "markdown", "md", "text", "txt", "plain", "output", "console"})
_HEALTH = re.compile(r"\[HEALTH\]\s*\[VIOLATION\]")
_BOLD_TAG = re.compile(r"^\s*#{1,6}\s+\*\*(?P<a>[^*]{3,200})\*\*(?:\s|\[U\+[0-9A-Fa-f]{4,6}\]E*|[^\w\s*])*"
                       r"\*\*(?P<b>[A-Z][A-Z0-9 _-]{2,39})\*\*\s*$")
_ESCAPE_RUN = re.compile(r"(\[U\+[0-9A-Fa-f]{4,6}\])(?:EEEE|E)")
_HASHES = re.compile(r"^\s*#{1,6}\s+")
_OPEN_CHECKS = frozenset({"open", "pending", "future", "in_progress", "struck"})


@dataclass
class _Place:
    """Where a line sits: the document (or fenced block) whose structure holds it, the sections
    over it (innermost first, a fenced block's inside the enclosing document's) and its block."""

    doc: Document
    sections: list[Section]
    block: str  # text, item, table, record


class _Reader:
    """One document read for items: its module, whether it is a WSP document, its fenced blocks
    parsed as documents of their own, its status fields."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.module = _module_of(doc)
        self.protocol = doc.kind == "wsp_protocol" or bool(doc.title and _WSP_DOC.match(doc.title))
        self.fences: dict[int, Document | None] = {}
        self.status: dict[int, tuple[list[int], list[Any]]] = {}
        self.titles: dict[int, str] = {}
        self._names: dict[int, list[frozenset[str]]] | None = None

    def names(self) -> dict[int, list[frozenset[str]]]:
        """The names the document gives each WSP ("WSP 96 (MCP Governance)"), as sets of words."""
        if self._names is None:
            self._names = {}
            for raw in self.doc.lines:
                if "WSP" in raw and ("(" in raw or ":" in raw or "-" in raw):
                    text = raw[:MAX_READ].replace("**", "").replace("`", "")  # enough of clean() for a name
                    for m in _PAREN_NAME.finditer(text):
                        name = _protocol_name(m.group(0))
                        number = _REF.match(m.group(0))
                        if name and number:
                            self._names.setdefault(int(number.captures("n")[0]), []).append(_name_words(name))
        return self._names

    def name_clashes(self, number: int, name: str) -> bool:
        """Whether the document gives this WSP another name that shares no word with this one, or this
        name to another WSP: then the name does not tell the number."""
        words = _name_words(name)
        names = self.names()
        if any(not (w & words) for w in names.get(number, ())):
            return True
        return any(words in ws for k, ws in names.items() if k != number)

    def place(self, n: int) -> _Place | None:
        """The place of line n, or None for a line of code."""
        doc = self.doc
        block = doc.block_at(n)
        if block is not None and block[0] == "fence":
            fence = block[1]
            if fence.lang not in _PROSE_FENCES or n in (fence.start, fence.end):
                return None
            inner = self.fences.get(fence.index, False)
            if inner is False:
                inner = parse_document(fence.body, fence.start + 1) if fence.body else None
                self.fences[fence.index] = inner
            if inner is None or n not in inner:
                return None
            outer = doc.ancestors(doc.section_at(fence.start))
            if any(_PROPOSAL.search(self.title(s)) for s in outer[:2] if s.heading):
                return None
            inner_block = inner.block_at(n)
            return _Place(inner, inner.ancestors(inner.section_at(n)) + outer, inner_block[0] if inner_block else "text")
        return _Place(doc, doc.ancestors(doc.section_at(n)), block[0] if block else "text")

    def title(self, s: Section) -> str:
        """A heading's title, without the 'E's an escaped emoji leaves behind ("[U+2701]EALL MODULES"
        is titled "EALL MODULES")."""
        got = self.titles.get(s.start)
        if got is None:
            got = s.title
            if "E" in got and s.start in self.doc:
                raw = self.doc.text(s.start)
                if "]E" in raw:
                    got = clean_title(_HASHES.sub("", _ESCAPE_RUN.sub(lambda m: m.group(1), raw))) or got
            if s.start in self.doc:
                tagged = _BOLD_TAG.match(self.doc.text(s.start))
                if tagged:  # "**V022: X** [U+2705] **RESOLVED**": the tag apart, not fused onto the title
                    got = f"{clean_title(tagged.group('a')) or tagged.group('a')} [{tagged.group('b').strip()}]"
            self.titles[s.start] = got
        return got

    def status_fields(self, doc: Document, first: int, last: int) -> list[Any]:
        """The status fields (`**Status**: RESOLVED`) of lines first..last of `doc`."""
        got = self.status.get(id(doc))
        if got is None:
            fields = [f for f in doc.fields if _STATUS_KEY.match(f.key)]
            got = ([f.line for f in fields], fields)
            self.status[id(doc)] = got
        lines, fields = got
        return fields[bisect_left(lines, first): bisect_left(lines, last + 1)]


def _leadin(doc: Document, n: int) -> str | None:
    """The text that introduces the list line n belongs to: its parent item, else the line above
    the list's first item (a bold label or a sentence ending in ':'), else None."""
    block = doc.block_at(n)
    if block is None or block[0] != "item":
        return None
    item = block[1]
    if item.parent is not None:
        return doc.items[item.parent].text
    floor = doc.section_at(n).start
    k = item.line - 1
    while k > floor:
        t = doc.text(k).strip()
        if not t:
            k -= 1
            continue
        b = doc.block_at(k)
        if b is not None and b[0] == "item":  # an earlier item of the same list
            k = b[1].line - 1 if b[1].parent is None else doc.items[b[1].parent].line - 1
            continue
        return t if len(t) <= 200 else None
    return None


# -- items -------------------------------------------------------------------------------------

@dataclass
class Item:
    line: int
    evidence: str  # the anchor line as written (its first 400 characters)
    statement: str  # cleaned
    wsp: list[int]
    relation: str
    subject: str
    section: str | None  # the entry the statement sits in, when the subject is read from it
    document: str | None  # the module a module's own document is about
    reason: str
    listed_under: str | None = None  # the lead-in or heading the relation is read from
    resolved: bool | None = None
    resolved_why: str | None = None
    resolution_context: str | None = None  # the heading or status field the resolution is read from
    protocol: str | None = None  # the WSP's name as the text gives it
    clause: str = ""  # what the statement ties the WSP to
    partial: bool = False  # the line ties its other WSPs to another relation (no detection: its blanks would mix)
    clashes: bool = False  # the document gives the WSP another name, or the name to another WSP (no detection)
    file_line: str | None = None  # the item over the statement or beside it that names its file (the subject)


@dataclass
class _Line:
    """What one line says, before its context is read."""

    statement: str
    tok: str  # the statement with each reference as the token
    refs: list[str]
    plain: str  # the tokenized statement without WSP titles and tool names
    clause: str
    relation: str | None  # tied to a reference on the line
    said: str
    key: str | None  # a field's key ("WSP Compliance" of "**WSP Compliance**: WSP 3, WSP 49")
    wsp_led: bool
    is_heading: bool
    block: str
    no_violations: bool = False  # a context says its violations are no one's (kinds, rules, plans)
    violation_entry: bool = False  # the entry the line sits in reports a violation ("## WSP 64 Violation: ...")
    work_label: bool = False  # a bold label in a change log entry ("**WSP 11 Interface Documentation:**") over its list


_PAREN_NAME = re.compile(r"WSP[ _-]?\d{1,3}[a-z]?\s*\(([A-Z][^()]{2,60})\)"
                         r"|WSP[ _-]?\d{1,3}[a-z]?\s*[:–-]\s*([A-Z][\w'&/-]+(?:\s+(?:[A-Z0-9][\w'&/-]*|of|and|for|the|to|in|&)){1,6})"
                         r"(?=\s*(?:$|[–(,;]|\s-\s))")
_NOT_NAME = re.compile(r"\d|\b(?:compliance|compliant|violations?|violated|applied|implemented|PASS|FAIL|OK|COMPLETE"
                       r"|ACHIEVED)\b", _I)


_NAME_FILLER = frozenset({"protocol", "wsp", "the", "and", "of", "for", "to", "in", "&", "standard", "standards"})


def _name_words(name: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in _NAME_FILLER)


def _protocol_name(statement: str) -> str | None:
    """The WSP's name when the statement gives it ("WSP 64 (Violation Prevention)")."""
    m = _PAREN_NAME.search(statement)
    if not m:
        return None
    name = (m.group(1) or m.group(2) or "").strip(" -")
    return None if not name or _NOT_NAME.search(name) else name


@lru_cache(maxsize=4096)  # a lead-in is read for each item under it
def _clean_lead(text: str) -> str:
    return clean(text)


def _contexts(reader: _Reader, doc: Document, n: int, line: _Line, secs: list[Section]) -> _Kind | None:
    """What the line's list lead-in, else its heading, else the heading over that, says its lines
    are: the first of them that says anything (a heading that names no kind of list, such as
    "Documentation Standards", defers to the one over it; a dated entry heading says nothing)."""
    texts: list[str] = []
    if line.block == "item":
        lead = _leadin(doc, n)
        if lead:
            texts.append(_clean_lead(lead))
    heads = [s for s in (secs[1:] if line.is_heading else secs) if s.heading][:2]
    near = len(texts) + 1  # the lead-in and the nearest heading
    texts += [t for t in map(reader.title, heads) if not _DATED.match(t)]
    found = None
    for i, t in enumerate(texts):
        k = context_kind(t)
        if k is None:
            continue
        if found is None:
            found = k
        if i < near and k.strong and _NOT_VIOLATIONS.search(t):  # "### Violation Reports" over a report's
            line.no_violations = True  # description: kinds of violation, not anyone's
    return found


def _decide(line: _Line, kind: _Kind | None, protocol_doc: bool) -> tuple[str, str] | None:
    """(relation, reason) of a line, or None when it states no item. In order: a WSP document's
    own lines, rule and feature keys; a violation tied to the reference; a field whose key states
    the relation ("**WSP Compliance**: WSP 3, WSP 49"); the list or section the line is in; a
    relation tied to the reference on the line."""
    statement, relation, key = line.statement, line.relation, line.key
    listed = kind is not None and kind.relation is not None
    if protocol_doc and not (line.wsp_led and listed and not line.is_heading and _STATUS_WORD.search(kind.text)):
        return None  # a WSP document describes its own protocol; only a compliance status list reports
    if key is not None and _RULE_KEY.search(key):
        return None  # "**WSP 85 Rule**: ...": a rule or an aim, not a result
    if key is not None and _REF.match(_MARK_LEAD.sub("", key)) and _FEATURE_KEY.search(key) \
            and not _VALUE_STATUS.match(_FIELD_LABEL.sub("", _MARK_LEAD.sub("", statement))):
        return None  # "**WSP 54 Enhancement**: ...": a change to the WSP itself
    if relation == "violation":
        if line.no_violations:
            return None  # kinds of violation, rules against them, plans to fix them: no one's violation
        return relation, _said(line.said)
    if key is not None and not line.wsp_led and not _REF.search(key):
        for rx_, rel in ((_COMPLIANCE_KEY, "compliant"), (_APPLIED_KEY, "applied"), (_VIOLATION_KEY, "violation")):
            if rx_.match(key):
                if rel == "compliant" and line.violation_entry:
                    return None  # a violation entry's "**WSP Compliance**: WSP 64, WSP 66" names the WSPs it concerns
                if rel == "compliant" and relation == "applied" and _FOLLOWED.search(line.said) \
                        and not _states(line.tok, _APPLIED_TIED.regex.search(line.tok)):
                    return "applied", _said(line.said)  # "WSP Compliance: Following WSP 34 testing protocol"
                return rel, f"it is given as the '{key}' of its entry"
        if _CITE_KEY.match(key) and relation is None:
            return None  # "**WSP References**: WSP 22, WSP 50"
        if _META_KEY.match(key) and not _PER.match(line.said):
            return None  # "**Architect**: 0102 Agent (WSP 96 Implementation)" names who, not what was done
    if line.is_heading:
        if relation is not None:
            if relation == "compliant" and _HEADING_NOT_ITEM.search(statement):
                return None  # "WSP 3 Compliance Fix": the entry reports a violation and its fix
            if relation == "applied" and not _HEADING_APPLIED.search(line.said):
                return None  # "WSP 34 Protocol Implementation" names a topic
            return relation, _said(line.said)
        if listed and (line.wsp_led or kind.relation == "violation" and _PAREN_REF.search(line.tok)) \
                and not _FEATURE_KEY.search(statement):
            return kind.relation, f"it is a heading under '{_cut(kind.text, 80)}'"
        if line.work_label and line.wsp_led and (kind is None or not kind.strong):
            return "applied", "it heads the work a change log entry lists as done under the WSP"
        return None
    if kind is not None and kind.relation == "violation" and relation != "violation" and key is not None \
            and _RESOLUTION_KEY.search(key):
        return None  # "**Resolution Status**: RESOLVED - files moved per WSP 85": the fix of the entry's violation
    if line.wsp_led:
        breach = _BREACH.search(_FIELD_LABEL.sub("", _MARK_LEAD.sub("", line.plain))) if relation == "compliant" \
            and key is not None and _REF.match(_MARK_LEAD.sub("", key)) else None
        if breach and not _NO_VIOLATION.search(statement):
            return "violation", _said(breach.group(0))  # "**WSP 54 Compliance**: Resolved missing agent violation"
        if listed:
            if kind.relation == "violation" and relation is None and not _BREACH.search(line.plain) \
                    and _DEFINITION.search(line.tok):
                return None  # "WSP_00 is the first protocol to read - CLAUDE.md should point to it": a rule
            if kind.relation != "violation" and _BREACH.search(line.plain) and not _NO_VIOLATION.search(statement):
                return "violation", "it is marked as failed" if _MARKED_BAD.search(line.plain) else \
                    _said(_BREACH.search(line.plain).group(0))
            if kind.relation == "violation" and relation is not None and _POSITIVE.search(line.said):
                return relation, _said(line.said)  # "WSP 71 Applied: ✅ analysis performed" in a violation log
            if kind.relation == "violation" and _MARKED.search(statement):
                return "compliant", "it is marked as met"
            legit = _LEGIT.search(line.plain) if kind.relation == "violation" and relation != "violation" else None
            if legit:  # "WSP 40 Analysis: LEGITIMATE PATTERN - No consolidation required" under "V019: ... VIOLATIONS"
                return "compliant", _said(legit.group(0))
            if kind.relation == "compliant" and relation == "applied" and _FOLLOWED.search(line.said):
                return "applied", _said(line.said)  # "WSP 50 followed (verified before changes)"
            applied = _APPLIED_WORD.search(_FIELD_LABEL.sub("", line.clause))
            if kind.relation == "compliant" and applied:
                return "applied", _said(applied.group(0))  # "WSP 1: Framework principles applied to validation"
            return kind.relation, f"it is listed under '{_cut(kind.text, 80)}'"
        if kind is not None and kind.strong:
            if _CITE_CONTEXT.search(kind.text) and _ACTION.match(_FIELD_LABEL.sub("", line.clause)) \
                    and not _AUTHORING.search(line.tok):
                return "applied", "it names what was done under the WSP"  # "WSP 50: Searched HoloIndex before creating"
            return None  # a list of references, requirements or plans
        if relation is not None:
            return relation, _said(line.said)
        if _WSP_FIELD.match(line.tok) and _BREACH.search(line.plain) and not _NO_VIOLATION.search(statement):
            return "violation", _said(_BREACH.search(line.plain).group(0))  # "WSP 64: 1 violation (data/x.jsonl)"
        claim = _CLAIM.search(_FIELD_LABEL.sub("", line.clause)) if _WSP_FIELD.match(line.tok) else None
        if claim:
            return ("applied" if _FOLLOWED_WORD.match(claim.group(0)) else "compliant"), _said(claim.group(0))
        done = _FIELD_LABEL.sub("", line.clause)
        if _ACTION.match(done) and not _AUTHORING.search(line.tok) and not _ROLE.match(done):
            return "applied", "it names what was done under the WSP"
        if kind is not None:
            return None
        if _MARKED.search(statement):
            return "compliant", "it is marked as met"
        if _MARKED_BAD.search(statement):
            return "violation", "it is marked as failed"
        return None
    if kind is not None and kind.strong and not (_MARKED.search(statement) and _DONE_TIE.search(line.said)):
        return None  # references, requirements, plans, guidelines: not results, unless ticked off as done
    if listed and line.block == "item" and relation is None and (
            _PAREN_REF.search(line.tok) or _MARKED.search(statement) or _MARKED_BAD.search(statement)
            or kind.relation == "applied" and _ACTION.match(_FIELD_LABEL.sub("", _MARK_LEAD.sub("", statement)))):
        return kind.relation, f"it is listed under '{_cut(kind.text, 80)}'"
    if relation is None:
        return None
    return relation, _said(line.said)


@dataclass
class _Text:
    """What a line's text says by itself, whatever its place (computed once per distinct line: logs
    paste the same lines again and again)."""

    statement: str
    numbers: list[int]
    tok: str
    refs: list[str]
    hypothetical: bool
    plain: str
    relation: str | None
    said: str
    clause: str
    wsp_led: bool


_TEXTS: dict[tuple[str, bool], _Text | None] = {}
_TEXTS_LIMIT = 4096


def _text_of(raw: str, tree: bool) -> _Text | None:
    """The line read as text (`tree`: drawn inside a tree), or None when it cites no WSP."""
    key = (raw, tree)
    if key in _TEXTS:
        return _TEXTS[key]
    statement = clean(_TREE.sub("", raw) if tree else raw)
    if len(statement) > MAX_READ:
        statement = _window(statement, MAX_READ)
    numbers = wsp_numbers(statement)
    got = None
    if numbers and len(statement) >= 8:
        tok, refs = tokens(statement)
        low = tok.lower()
        hypothetical = _HYPOTHETICAL.search(tok, low) is not None
        plain = _NOT_RELATION.sub(" ", tok, low)
        relation, said = tied_relation(plain, tok, refs, low) if not hypothetical else (None, "")
        got = _Text(statement, numbers, tok, refs, hypothetical, plain, relation, said, _clause(statement),
                    bool(_WSP_LED.match(tok)))
    if len(_TEXTS) >= _TEXTS_LIMIT:
        _TEXTS.clear()
    _TEXTS[key] = got
    return got


def read_item(reader: _Reader, n: int) -> Item | None:
    """The item line n states, or None."""
    place = reader.place(n)
    if place is None:
        return None
    raw = reader.doc.text(n)
    text = _text_of(raw, raw[:1] in " │├└+|`" and place.block == "text")
    if text is None:
        return None
    statement, numbers = text.statement, text.numbers
    if _HEALTH.search(raw):
        return _health_item(n, raw, statement, numbers)
    if place.block == "record" or raw.lstrip()[:1] in ("{", '"') or _CODE_LINE.match(raw):
        return None  # a log record, JSON or code in a prose block
    doc, secs = place.doc, place.sections
    if any(_excluded(reader.title(s)) for s in secs if s.heading):
        return None
    dependency = None
    titles = [_clean_lead(reader.title(s)) for s in [s for s in secs if s.heading][:3]]
    if any(_TARGET_HEAD.search(t) for t in titles[:2]):
        return None  # a sprint's success metrics are targets, ticked or not
    created = {k for t in titles[:2] if "reat" in t or "raft" in t for k in _created(t)}
    if created and set(numbers) <= created:
        return None  # "### Original WSP_00 Creation": what the new protocol itself meets is its own definition
    if any(_DEPENDENCY_HEAD.search(t) and not _REF_SPAN.search(t) and _heading_subject(t) is None for t in titles):
        # a dependency analysis: its findings are about the part its list's lead-in (a line or a bold
        # label) names, not about its heading
        leads = [clean(t) for t in (_leadin(place.doc, n), *titles) if t]
        m = next((m for m in map(_DEPENDENCY_LEAD.search, leads) if m), None)
        if m is None:
            return None
        dependency = (m.group("a") or m.group("b"), m.string)
    if reader.protocol and (place.block == "table" or not text.wsp_led):
        return None  # a WSP document's own lines; only a WSP-led line of a status list reports (see _decide)
    block = doc.block_at(n)
    if text.hypothetical:
        return None
    if block is not None and block[0] == "item":
        if block[1].check in _OPEN_CHECKS:
            return None
    if place.block == "table":
        return _table_item(reader, place, n, numbers)
    tok, refs, plain, relation, said = text.tok, text.refs, text.plain, text.relation, text.said
    if relation in (None, "compliant") and block is not None and block[0] == "item" and block[1].children \
            and raw.rstrip(" *").endswith(":"):
        return None  # "3. **WSP 3 Compliance**:" introduces the items under it
    field = _FIELD.match(raw) or (_FIELD.match(_MARK_LEAD.sub("", statement)) if _MARK_LEAD.match(statement) else None)
    key = clean(field.group("key")) if field else None
    line = _Line(statement, tok, refs, plain, text.clause, relation, said, key, text.wsp_led,
                 secs[0].heading is not None and secs[0].start == n, place.block)
    if line.is_heading and secs[0].heading.style == "bold" and doc.kind == "modlog" and raw.rstrip(" *").endswith(":") \
            and not _STRONG_PLAN.search(plain) and not _PLAN.search(plain):
        line.work_label = _lists_files(doc, n)
    head = next((s for s in secs if s.heading), None)
    if head is not None and key is not None:
        title = reader.title(head)
        line.violation_entry = bool(_CONTEXT_VIOLATION.search(title)) and not _NO_VIOLATION.search(title) \
            and not _RESOLVED_CONTEXT.search(title)  # after "Violation Corrected", compliance is claimed
    kind = _contexts(reader, doc, n, line, secs)
    decided = _decide(line, kind, reader.protocol)
    if decided is None:
        return None
    # what _decide does not read: edits of WSP documents, footers, instructions, plans
    listed_violation = line.wsp_led and kind is not None and kind.relation == "violation"
    authoring = _AUTHORING.search(tok)
    if authoring and authoring.start() <= 3 and not listed_violation:
        return None  # "WSP 39 Enhanced (Corrected from WSP 76 violation)": an edit of a WSP document
    if relation == "violation" and _NOTE_IN_DOC.search(tok):
        return None  # "Warning added to WSP 74 header documenting violation": an edit of a WSP document
    if relation != "violation" and not listed_violation:
        if _FOOTER.search(statement) or not _WORD.search(line.clause) or _IMPERATIVE.match(
                _FIELD_LABEL.sub("", line.clause) if line.wsp_led else _MARK_LEAD.sub("", _FIELD_LABEL.sub("", statement))):
            return None
        unplanned = plain.replace(_TOKEN, " ")
        if authoring or _DEFINITION.search(tok) or _STRONG_PLAN.search(unplanned) or (
                _MODAL_RULE.search(unplanned) and not (kind is not None and kind.relation == "applied")):
            return None  # ... or "Violations must be tracked (WSP 47)" outside a list of rules applied: a rule
        by_position = kind is not None and kind.relation is not None and (
            line.wsp_led or line.is_heading or line.block == "item" and _PAREN_REF.search(tok) is not None)
        keyed = key is not None and bool(_COMPLIANCE_KEY.match(key) or _APPLIED_KEY.match(key))
        if relation is None and not by_position and not keyed and _PLAN.search(unplanned):
            return None
    relation, reason = decided
    if block is not None and block[0] == "item" and block[1].children and raw.rstrip(" *").endswith(":") \
            and len(_WORD.findall(_REF_SPAN.sub(" ", statement))) <= 4:
        # "1. **WSP 3 Violations Corrected**:" over what was done: the claim is in the sub-items
        subs = [clean(doc.items[c].text) for c in block[1].children[:4]]
        statement = _cut(statement.rstrip(" :") + ": " + "; ".join(t for t in subs if t), MAX_STATEMENT)
    if line.is_heading and relation == "violation" and any(
            _VIOLATION_LIST.match(doc.text(k)) for k in range(n + 1, min(secs[0].body_end, n + 40) + 1) if k in doc):
        return None  # "## V016: WSP 74 NUMBER REUSE VIOLATION" over "**WSP Violations**: - WSP 64 ...": the list says which
    if reason.startswith("it is given as the") and field is not None:
        # "**WSP Compliance**: WSP 22, WSP 50. Enhances existing WSP 26 ...": the field's list is its first sentence
        first = _SENTENCE_END.split(clean(field.group("value")), maxsplit=1)[0]
        numbers = wsp_numbers(first) or numbers
    if len(numbers) > 1 and relation == "violation" and reason.startswith("the statement says"):
        # "WSP 64 PROTOCOL VIOLATION - IMPROPER WSP 71 CREATION": 71 names what was created, 64 what was violated
        own = wsp_numbers(line.said)
        at = statement.find(line.said)
        more = _MORE_REFS.match(statement, at + len(line.said)) if at >= 0 else None
        if more:  # "violated both WSP 3 (wrong directory) and WSP 49 (no structure)"
            own += wsp_numbers(more.group(0))
            reason = _said(line.said + more.group(0))
        if own and set(own) < set(numbers):
            numbers = [k for k in numbers if k in own]
    if len(numbers) > 1 and relation in ("applied", "compliant") and reason.startswith("the statement says"):
        # "Following WSP 50, documented the state to enable WSP 88 enhancement": WSP 88 is an aim
        aims = {k for m in _AIM_REF.finditer(statement) for k in wsp_numbers(m.group(1))}
        if aims - set(wsp_numbers(line.said)) and set(numbers) - aims:
            numbers = [k for k in numbers if k not in aims or k in wsp_numbers(line.said)]
    if len(numbers) > 1:
        # "WSP 50 (verified against WSP_00, WSP 46)": the WSPs in a reference's brackets are its scope, not claims
        inner, outer = _scoped(tok, refs)
        if outer and inner - outer:
            numbers = [k for k in numbers if k in outer or k not in inner]
    if len(numbers) > 1:
        # 'tried to create "WSP 73: Proactive Protocol"': a WSP named in quotes is a title the text mentions
        outside = set(wsp_numbers(_QUOTED.sub(" ", statement)))
        if outside:
            numbers = [k for k in numbers if k in outside]
    if relation == "violation" and _FIX_LINE.match(statement):
        return None  # "Solution: moved the violating files to WSP 3 locations" brings things into compliance
    name = _protocol_name(statement)
    bare = _REF_SPAN.sub(" ", statement.replace(name, " ") if name else statement)
    said_words = len(_WORD.findall(_PAREN.sub(" ", bare)))
    # a heading of a few words ("Why This Matters (WSP 83 Compliance)") names a topic its lines report on
    lead_in = (line.is_heading or raw.rstrip(" *").endswith(":") or _WHOLE_BOLD.match(raw)) \
        and said_words <= (HEADING_WORDS if line.is_heading else 2) \
        and not (block is not None and block[0] == "item")
    own = statement  # the subject is read from the line itself, not from the lines it introduces
    if lead_in:
        # "### WSP 46 (WRE Protocol)", "**WSP 22: ModLog Updates**": the claim is in the lines under it
        # (its bullets, else its first lines), which the statement then holds
        intro, bullets = _body(doc, n, secs[0], line.is_heading, numbers)
        if intro:
            bullets = [intro] + bullets[:3]
        if not bullets and not said_words:
            return None
        if bullets:
            statement = _cut(statement.rstrip(" :") + ": " + "; ".join(bullets), MAX_STATEMENT)
            if relation != "violation" and any(_NOT_YET.search(b) for b in bullets):
                return None  # "WSP 5 - Test Coverage: Target: 90%; Current: TBD (needs measurement)": not yet a result
    elif line.is_heading:
        # "## WSP 58 PATENT PORTFOLIO COMPLIANCE + ...": an entry's title, read with the description under it
        described = next((clean(f.value) for f in doc.fields_in(n + 1, min(secs[0].body_end, n + ENTRY_FIELDS))
                          if _DESCRIPTION_KEY.match(f.key)), None)
        if described:
            statement = _cut(statement.rstrip(" :") + ": " + described, MAX_STATEMENT)
    partial = False
    if len(numbers) > 1 and reason.startswith("the statement says"):
        tied = _tied_numbers(statement, line.said, relation, numbers)
        if tied:
            numbers, partial = tied, True
    # the subject: a path on the line, else the entry the line sits in, else the module or document
    entry = _entry(reader, secs[1:] if line.is_heading else secs)
    module = reader.module
    if module and entry and reader.doc.title and entry == _heading_subject(reader.doc.title):
        entry = None  # "Cursor Bridge - ModLog" over a module's log: the module is the subject
    subject = None if line.is_heading and line.wsp_led else _line_subject(own, skip_parens=line.wsp_led)
    if line.is_heading and line.wsp_led and ":" in line.clause and relation == "violation":
        subject = _heading_subject(line.clause.split(":", 1)[1])  # "WSP 64 Violation: WSP Creation Without ..."
    tagged = line.is_heading and _BOLD_TAG.match(raw)
    if tagged:  # "**V014: WSP 64 VIOLATION - X** [U+1F6A8] **SELF-DETECTED**": the title, its tag apart
        statement = clean(reader.title(secs[0]))
        if not line.wsp_led:
            subject = _heading_subject(statement)
    if subject is None and line.is_heading and not line.wsp_led and not _SENTENCE.search(own):
        subject = _heading_subject(line.clause.replace("Compliance", " ").replace("compliance", " "))
    named_by = None
    if subject is None and block is not None and block[0] == "item" and block[1].parent is not None:
        # "- File 1: `x.py`" over "- Source: ...", "2. `WSP_framework/src/WSP_65_....md`" over what was changed in it
        parent = clean(doc.items[block[1].parent].text)
        subject = _line_subject(parent, wsp_docs=True)
        named_by = (subject, _cut(parent, MAX_CONTEXT)) if subject else None
    if subject is not None and entry and _DOC_FILE.search(subject) and (_line_subject(entry) or relation == "compliant"):
        # "INTERFACE.md not updated" under "x.py (Integration)": x.py is what was audited; "WSP 22 Compliance -
        # ModLog.md present" under "Reports Archive": the archive complies, its ModLog is the evidence
        subject = entry
    if subject is None and block is not None and block[0] == "item":
        named_by = _sibling_subject(doc, block[1])  # "- **File**: `x.py`" beside "- **Size**: 1,405 lines (violates WSP 62)"
        subject = named_by[0] if named_by else None
    if subject is None and dependency is not None:
        subject = dependency[0]
    lead_named = None
    if subject is None and block is not None and block[0] == "item" and block[1].parent is None:
        lead = _leadin(doc, n)
        named = _LEAD_NAME.match(lead) if lead else None
        lead_named = _heading_subject(named.group(1)) if named else None
        if lead_named:  # "**LinkedIn Agent** - Prototype Phase Complete:" over its list: the list is about it
            subject = lead_named
    if subject is None and not line.is_heading:
        record = _RECORD_LINE.match(tok)
        if record:  # "V019.3: Livechat WSP 62 violation + bug fix integration": the record names its subject
            subject = f"{record.group(1)}: {record.group(2)}"
    if subject is None and relation == "applied" and not line.is_heading:
        made = _MADE.match(tokens(_FIELD_LABEL.sub("", _MARK_LEAD.sub("", own)))[0])
        if made and not _GENERIC_HEADING.match(made.group("obj")):
            subject = made.group("obj")  # "Created consolidation plan per WSP 65": the plan was made under it
    if subject is None:
        subject = entry or module or (_heading_subject(reader.doc.title) if reader.doc.title else None)
    if not subject:
        return None
    subject = _subject(subject)
    # the input holds where the subject is read from: the entry, else the module, else the subject itself
    section = entry if entry and entry not in statement and not (line.is_heading and subject in statement) else None
    if section:
        section = _unstatus(section) or section  # "X VIOLATION [ACTIVE VIOLATION]", "Sprint 5: X (COMPLETE)"
    document = module if module and module != section else None
    file_line = named_by[1] if named_by and subject == _subject(named_by[0]) else None
    if subject not in statement and not any(v and subject in v for v in (section, document, file_line)):
        section = subject
    listed = kind.text if kind is not None and reason.startswith(("it is listed under", "it is a heading under")) else None
    if lead_named and subject == lead_named and lead:
        section = _cut(clean(lead), MAX_CONTEXT)  # the lead-in is where the subject is read
    if dependency is not None and subject == dependency[0]:
        section, listed = None, dependency[1]  # the lead-in is where the subject is read
    resolved, resolved_why, resolution_context = (None, None, None)
    if relation == "violation":
        resolved, resolved_why, resolution_context = _resolution(reader, place, statement, kind, n)
    value = clean(field.group("value")) if field and key and not _REF.search(key) else statement
    protocol = _protocol_name(statement) if len(numbers) == 1 else None  # one name for several WSPs misleads
    statement = _without_lead_in(statement, raw) if statement == own else statement
    return Item(line=n, evidence=_evidence(raw), statement=_window(statement), wsp=numbers, relation=relation,
                subject=subject, section=_cut(section, MAX_CONTEXT) if section else None, document=document, reason=reason,
                listed_under=_cut(listed, MAX_CONTEXT) if listed and listed != section else None,
                resolved=resolved, resolved_why=resolved_why, resolution_context=resolution_context,
                protocol=protocol, clashes=bool(protocol) and reader.name_clashes(numbers[0], protocol),
                clause=_cut(_clause(value), 160), partial=partial, file_line=file_line)


_LABEL_LINE = re.compile(r"^\s*\*\*[^*]{1,80}\*\*\s*$|^\s*\**[^:]{1,60}:\**\s*$")  # "**Result:**"


def _lists_files(doc: Document, n: int) -> bool:
    """Whether the list straight under line n names a file in each of its (first four, at least two)
    items: what a change log entry made ("- `README.md` - Complete module overview"), not roles or figures."""
    items = []
    for k in range(n + 1, min(doc.end, n + LIST_REACH) + 1):
        block = doc.block_at(k)
        if block is None or block[0] != "item":
            break
        if block[1].line == k and block[1].parent is None:
            items.append(doc.text(k))
    return len(items) >= 2 and all(_PATH.search(t) for t in items[:4])


def _body(doc: Document, n: int, sec: Section, heading: bool, numbers: list[int]) -> tuple[str | None, list[str]]:
    """(the first line of prose, the first list) under the lead-in or heading at line n. A heading's body
    runs on over the bold labels under it ("**Result:**"); its prose may cite its own WSPs again."""
    reach = min(sec.body_end, n + LIST_REACH)
    sub = None  # a subsection straight under the heading ("#### V013.5: Core Module Size Violations"): its first part
    if heading:
        reach = n + LIST_REACH
        for k in range(n + 1, n + LIST_REACH + 1):
            s = doc.section_at(k) if k in doc else None
            if s is not None and s.start == k and s.heading is not None and s.heading.style != "bold" and sub is None \
                    and sec.heading is not None and s.heading.level > sec.heading.level \
                    and not any(doc.text(j).strip() for j in range(n + 1, k)):
                sub = k
                continue
            if s is None or s.start == k and s.heading is not None and s.heading.style != "bold":
                reach = k - 1
                break
    intro, bullets, listed = None, [], False
    for k in range(n + 1, reach + 1):
        raw = doc.text(k)
        if not raw.strip():
            continue
        if k == sub:
            intro = _clean_lead(doc.section_at(k).title)
            continue
        block = doc.block_at(k)
        if block is not None and block[0] == "item":
            listed = True
            if block[1].parent is None and block[1].line == k and len(bullets) < 4:  # its own list only
                bullets.append(clean(block[1].text))
            continue
        if listed:
            break  # the list ended
        if intro is None and (block is None or block[0] == "text") and not (heading and _LABEL_LINE.search(raw)):
            t = clean(raw)
            if _WORD.search(t) and (not _REF_SPAN.search(t) or heading and set(wsp_numbers(t)) <= set(numbers)):
                intro = t
    if intro is None and not bullets and not heading:
        body = (clean(doc.text(k)) for k in range(n + 1, min(sec.body_end, n + 4) + 1) if k in doc)
        bullets = [t for t in body if _WORD.search(t) and not _REF_SPAN.search(t)][:2]
    return intro, [b for b in bullets if b]


# the references a tie's own goes on to ("WSP 3 (wrong directory) and WSP 49"), a note in brackets between
_MORE_REFS = re.compile(r"(?:\s*\([^()]{0,60}\))?(?:\s*(?:,|&|\band\b)\s*" + _REF_SPAN.pattern + r"(?:\s*\([^()]{0,60}\))?)+")
ENTRY_FIELDS = 8  # lines under an entry's heading its description field is read from
_DESCRIPTION_KEY = re.compile(r"^\W*(?:description|summary)\W*$", _I)
_SCOPE = re.compile(R + r"\s*\(([^()]*)\)")


def _scoped(tok: str, refs: list[str]) -> tuple[set[int], set[int]]:
    """(the WSPs named only in another reference's brackets, the others) of a tokenized line."""
    nested: set[int] = set()
    for m in _SCOPE.finditer(tok):
        first = tok.count(_TOKEN, 0, m.start(1))
        nested.update(range(first, first + m.group(1).count(_TOKEN)))
    inner: set[int] = set()
    outer: set[int] = set()
    for i, ref in enumerate(refs):
        (inner if i in nested else outer).update(wsp_numbers(ref))
    return inner - outer, outer


_SUBJECT_KEY = re.compile(r"^\W*(?:file|module|path|component|script|location|target\s+file)s?\W*$", _I)
SIBLINGS = 8  # items of a list read for the field that names its file


def _sibling_subject(doc: Document, item: Any) -> tuple[str, str] | None:
    """(the file a list's `File:` item names, that item) for another item of the same list (one record's fields)."""
    lo, hi = item.index, item.index
    while lo > 0 and item.index - lo < SIBLINGS and doc.items[lo - 1].parent == item.parent \
            and doc.items[lo - 1].section == item.section and doc.items[lo - 1].end + 2 >= doc.items[lo].line:
        lo -= 1
    while hi + 1 < len(doc.items) and hi - item.index < SIBLINGS and doc.items[hi + 1].parent == item.parent \
            and doc.items[hi + 1].section == item.section and doc.items[hi].end + 2 >= doc.items[hi + 1].line:
        hi += 1
    for k in range(lo, hi + 1):
        if k == item.index:
            continue
        field = _FIELD.match("- " + doc.items[k].text)
        if field and _SUBJECT_KEY.match(clean(field.group("key"))):
            found = _line_subject(clean(field.group("value")))
            if found:
                return found, _cut(clean(doc.items[k].text), MAX_CONTEXT)
    return None


def _tied_numbers(statement: str, said: str, relation: str, numbers: list[int]) -> list[int] | None:
    """The WSPs of the words that state the relation, when the rest of the line ties its other
    WSPs to another relation ("violated WSP 85. Files moved per WSP 49": 85 is the violation)."""
    own = wsp_numbers(said)
    if not own or set(own) >= set(numbers):
        return None
    rest = statement.replace(said, " ", 1)
    if rest == statement:
        return None
    tok, refs = tokens(rest)
    low = tok.lower()
    other, _ = tied_relation(_NOT_RELATION.sub(" ", tok, low), tok, refs, low)
    return own if other is not None and other != relation else None


def _entry(reader: _Reader, secs: list[Section]) -> str | None:
    """The entry a line sits in: the nearest heading that names a thing (a markdown heading
    before a bold label standing alone)."""
    bold = None
    for s in secs:
        if s.heading is None:
            continue
        if reader.module and s.heading.level == 1:
            continue  # a module document's top headings title it (or a banner pasted into it): the module names it
        title = reader.title(s)
        if s is not secs[0] and _SUB_RECORD.match(title):
            continue  # "### V019.5: X" names only its own lines; a "#### CONSOLIDATION PRIORITIES" after it is V019's
        named = _heading_subject(title) if not _TODO_HEADING.search(title) else None
        if named and s.heading.style != "bold":
            return named
        bold = bold or named
    return bold


_STATUS_WORDS = re.compile(r"(?:\s*(?:\[(?:OK|FAIL|PASS|DONE|COMPLETE)\]|[✅❌⚠️]+|-))*\s*(?:\b(?:FULLY\s+)?(?:OPERATIONAL|COMPLETE"
                           r"|COMPLETED|RESOLVED|FIXED|ACTIVE|OPEN|LOGGED|CLOSED|ACHIEVED|VERIFIED|DELETED|REMOVED|ARCHIVED|CURRENT)\b(?:\s+VIOLATION)?\W*)+$")


def _subject(subject: str) -> str:
    """A subject without status marks and the status words after it ("X [OK] FULLY OPERATIONAL")."""
    return _cut(_unstatus(subject) or subject, MAX_SUBJECT)


def _unstatus(text: str) -> str:
    """The text without the status words after it, and without the bracket they were in."""
    return _STATUS_WORDS.sub("", text).strip(" -–:[]").removesuffix("(").rstrip(" -–:[]")


def _health_item(n: int, raw: str, statement: str, numbers: list[int]) -> Item | None:
    """A health check's violation record: `[HEALTH][VIOLATION] modules/x missing tests/TestModLog.md (WSP 22)`.
    Only the record itself is read, so every repeat of it gives the same examples."""
    subject = _line_subject(statement)
    if subject is None:
        return None
    record = statement[statement.find("[HEALTH]"):]
    return Item(line=n, evidence=_evidence(raw[raw.find("[HEALTH]"):]), statement=_window(record), wsp=numbers,
                relation="violation", subject=subject, section=None, document=None,
                reason="a health check reports it as a [VIOLATION]", resolved=False,
                resolved_why="the health check reports it as a current [VIOLATION]",
                clause=_cut(_clause(record.replace("[HEALTH]", "").replace("[VIOLATION]", "")), 160))


_FIX_LINE = re.compile(r"^\W*(?:proposed\s+)?(?:solution|fix(?:es)?|resolution|remediation|correction|action(?:\s+taken)?"
                       r"|corrective\s+action)\s*:", _I)
_PAREN = re.compile(r"\([^()]*\)")
# what an act made or changed under the WSP ("Created consolidation plan per WSP 65")
_MADE = re.compile(r"(?:Created|Added|Built|Wrote|Drafted|Designed|Generated|Refactored|Split|Extracted|Consolidated"
                   r"|Restructured|Reorganized|Documented|Archived|Renamed)\s+(?:a\s+|an\s+|the\s+|new\s+)?"
                   r"(?P<obj>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,3}?)(?:\s+(?:per|following|under|according\s+to)\s+|\s*\()"
                   + R)
_SENTENCE = re.compile(r"\w[.!]\s*$")  # "**Automated WSP 10 compliant ModLog entry generation.**": a sentence, no title
_MODAL_RULE = re.compile(r"\b(?:must|shall|should)\s+(?!have\s+been\b)(?:not\s+|never\s+|always\s+|stay\s+|be\s+|\w+\s+)", _I)
_DOC_FILE = re.compile(r"(?:^|/)(?:INTERFACE|ModLog|README|ROADMAP|TestModLog|CHANGELOG)\.md$", _I)
_WHOLE_BOLD = re.compile(r"^\s*(?:\S{1,12}\s+)?\*\*[^*]{3,120}\*\*\s*$")  # "✅ **WSP 91: DAEMON Observability**"
_LEAD_NAME = re.compile(r"^\s*\*\*([^*]{3,60})\*\*\s*(?:[-–:]|$)")
_VIOLATION_LIST = re.compile(r"^\W*(?:wsp\s+)?violations?(?:\s+details)?\W*$", _I)
_AIM_REF = re.compile(r"\b(?:to\s+(?:enable|prepare|support|allow|prevent)|enabl\w+|prepar\w+|for\s+(?:future|upcoming|next))\s+"
                      r"(?:\w+\s+){0,3}?(" + _REF_SPAN.pattern + ")", _I)
_QUOTED = re.compile(r'"[^"]{1,200}"|“[^”]{1,200}”')
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)])\.\s+(?=[A-Z])")
_STATUS_KEY = re.compile(r"^\W*(?:(?:wsp|fix|resolution)\s+)?(?:status|resolution|outcome|state)\W*$", _I)
# a section of a violation's entry that reports its fix
_FIX_SECTION = re.compile(r"\b(?:resolution|fix(?:es)?|correction|remediation)\s+(?:applied|complete[d]?|implemented|done)\b"
                          r"|^\W*(?:resolved|fixed|corrected)\s*(?:$|[:\-–(]|(?:wsp\s+)?(?:violations?|issues?|problems?)\b)", _I)
_GONE = re.compile(r"[-–(\[]\s*(?:DELETED|REMOVED)\b")
_STATUS_RESOLVED = re.compile(r"\b(?:resolved|fixed|corrected|completed?|done|closed|remediated|addressed)\b", _I)
_STATUS_OPEN = re.compile(r"\b(?:active|open|logged|pending|in\s+progress|unresolved|outstanding|tracked|deferred"
                          r"|planned|awaiting|ready\s+to|to\s+implement|(?:analysis|audit|review|assessment)\s+complete"
                          r"|not\s+(?:yet\s+)?(?:complete|done|fixed|resolved)|incomplete)\b|(?<![\d.])0%\s+complete", _I)
_LINE_RESOLVED = re.compile(r"\bviolations?\s+resolution\b(?!\s+plan)"
                            r"|\b(?:resolved|fixed|corrected|remediated|eliminated|addressed|cleaned|consolidated"
                            r"|moved|relocated|removed|deleted|restored)\b|\bbefore\s*:"
                            # a violation of a former state: "OLD location violated WSP 3", "previously violated"
                            r"|^\W*(?:the\s+)?(?:old|previous|original|former)\s+[^.;]{0,40}?\bviolated\b"
                            r"|\b(?:previously|formerly|originally)\s+violat\w+|\bhad\s+violated\b|\bused\s+to\s+violate\b", _I)
_LINE_OPEN = re.compile(r"\b(?:detected|found|identified|remains?|still|currently|exists?|missing|not\s+updated"
                        r"|incomplete)\b|❌|\[FAIL\]", _I)


def _resolution(reader: _Reader, place: _Place, statement: str, kind: _Kind | None,
                place_line: int = -1) -> tuple[bool | None, str | None, str | None]:
    """(resolved, the words that say so, the heading or field they come from when not the line)
    for a violation: its line, its list or section, then its entry's status field; an audit
    finding that nothing says was fixed is open."""
    text = _REF_SPAN.sub(" ", statement)
    m = _LINE_RESOLVED.search(text)
    if m:
        return True, _said(m.group(0)), None
    if kind is not None and kind.resolved is not None:
        return kind.resolved, f"it is listed under '{_cut(kind.text, 80)}'", f"section: {_cut(kind.text, 80)}"
    if any(s.heading is not None and _GONE.search(reader.title(s)) for s in place.sections[:2]):
        return None, None, None  # "### Module: x.py - DELETED": the subject is gone; nothing says the violation was fixed
    doc = place.doc
    own = doc.ancestors(place.sections[0])  # the sections of the line's own document (a fence's, in a fence)
    for entry in [s for s in own if s.heading is not None][:2]:  # the line's section and its entry
        for sub in doc.subsections(entry):
            t = reader.title(sub)
            if sub.heading is not None and _FIX_SECTION.search(t):  # "### RESOLUTION APPLIED" in the entry
                title = _cut(clean(t), 80)
                return True, f"its entry has the section '{title}'", f"section: {title}"
    for s in place.sections:
        if s.heading is None or s.start == place_line:
            continue  # a heading's own title is its statement, read above
        t = reader.title(s)
        if _RESOLVED_CONTEXT.search(t) or _OPEN_CONTEXT.search(t):
            title = _cut(clean(t), 80)
            resolved = bool(_RESOLVED_CONTEXT.search(t))
            own = None if resolved else _LINE_OPEN.search(text)
            if own:  # "test files missing" under an audit: the line's own words say it is current
                return False, f"it is reported as a current finding ('{own.group(0)}') and nothing says it was fixed", None
            return resolved, f"its section is '{title}'", f"section: {title}"
        if s.start in doc and s.heading.level > 1:  # a document's title heads no one entry's status
            for f in reader.status_fields(doc, s.start, min(s.end, s.start + ENTRY_HEAD)):
                v = _cut(clean(f.value), 60)
                open_ = _STATUS_OPEN.search(v)
                if open_ or _STATUS_RESOLVED.search(v):
                    return not open_, f"its entry's {f.key.lower()} is '{v}'", f"{f.key}: {v}"
    m = _LINE_OPEN.search(text)
    if m:
        return False, f"it is reported as a current finding ('{m.group(0)}') and nothing says it was fixed", None
    return None, None, None


_STATUS_CELL_OK = re.compile(r"✅|\[OK\]|\bPASS(?:ED)?\b|\bCOMPLIANT\b|\bCOMPLETE\b|\bCLEAN\b|\bOPERATIONAL\b|\bEXEMPLARY\b"
                             r"|\bMET\b|\bYES\b", _I)
_STATUS_CELL_BAD = re.compile(r"❌|\bFAIL(?:ED)?\b|\bVIOLAT\w*|\bNON-?COMPLIANT\b|\bMISSING\b|⚠️|\bWARNING\b|\bPARTIAL\b", _I)
_NOT_APPLICABLE = re.compile(r"\bN/?A\b")
_WSP_COLUMN = re.compile(r"\b(?:wsp|protocol|standard|requirement)", _I)
_THING_COLUMN = re.compile(r"\b(?:file|module|component|path|script|directory|folder|package)s?\b", _I)
_REASON_COLUMN = re.compile(r"\b(?:reason|why|rule|basis|justification|rationale)\b", _I)


def _reason_row(reader: _Reader, place: _Place, n: int, cells: list[str], header: list[str], wsp_cell: int,
                numbers: list[int]) -> Item:
    """A row of a table of changes whose reason column cites a WSP (`| x.txt | docs/audits/ | WSP 22 archive |`):
    the WSP was applied to the file the row names."""
    text = " | ".join(f"{h}: {c}" if h and c else c for h, c in zip(header + [""] * len(cells), cells) if c)
    entry = _entry(reader, place.sections)
    return Item(line=n, evidence=_evidence(place.doc.text(n)), statement=_window(text), wsp=numbers, relation="applied",
                subject=_subject(_line_subject(cells[0]) or cells[0]), section=entry, document=None,
                reason=f"its {header[wsp_cell]} column cites the WSP for it", clause=_cut(_clause(cells[wsp_cell]), 160))


def _table_item(reader: _Reader, place: _Place, n: int, numbers: list[int]) -> Item | None:
    """A table row that gives a WSP a status (`| WSP 5 | Test Coverage | ❌ FAIL | ... |`)."""
    block = place.doc.block_at(n)
    if block is None or block[0] != "table" or reader.protocol:
        return None
    table = block[1]
    row = table.row_at(n)
    if row is None:
        return None
    cells = [clean(c) for c in row.cells]
    wsp_cell = next((i for i, c in enumerate(cells) if _REF.search(c)), None)
    status = next((c for c in cells if _STATUS_CELL_OK.search(c) or _STATUS_CELL_BAD.search(c)), None)
    header = [clean(h) for h in table.header]
    if wsp_cell is not None and status is None and wsp_cell > 0 and wsp_cell < len(header) \
            and _REASON_COLUMN.search(header[wsp_cell]) and _line_subject(cells[0]):
        return _reason_row(reader, place, n, cells, header, wsp_cell, numbers)
    if wsp_cell is None or status is None or _REF.search(status) or _NOT_APPLICABLE.search(status):
        return None
    if wsp_cell > 0 and not (wsp_cell < len(header) and _WSP_COLUMN.search(header[wsp_cell])):
        return None  # a WSP cited in a description column: the row is about something else
    relation = "violation" if _STATUS_CELL_BAD.search(status) else "compliant"
    entry = _entry(reader, place.sections)
    # the row's own file or module (its first column when that names one), else what the table is about
    # (its section): a file the evidence column mentions ("no INTERFACE.md") is not what was audited
    first = cells[0] if wsp_cell != 0 and cells else ""
    named = header[0] if header else ""
    subject = _line_subject(first) or (first if first and _THING_COLUMN.search(named) else None) or entry or reader.module
    if not subject:
        return None
    text = " | ".join(f"{h}: {c}" if h and c else c for h, c in zip(header + [""] * len(cells), cells) if c)
    protocol = _protocol_name(cells[wsp_cell]) if len(numbers) == 1 else None
    resolved, why = (False, "the table reports it as a current finding") if relation == "violation" else (None, None)
    subject = _subject(subject)
    # the input holds where the subject is read from, as for a line
    section = entry if entry and entry not in text else None
    document = reader.module if reader.module and reader.module not in (subject, section) else None
    if subject not in text and not any(v and subject in v for v in (section, document)):
        section = subject
    return Item(line=n, evidence=_evidence(place.doc.text(n)), statement=_window(text), wsp=numbers,
                relation=relation, subject=subject, section=_cut(section, MAX_CONTEXT) if section else None,
                document=document,
                reason=f"its status is '{_cut(status, 60)}'", resolved=resolved, resolved_why=why,
                protocol=protocol, clashes=bool(protocol) and reader.name_clashes(numbers[0], protocol), clause=_cut(_clause(" | ".join(cells[wsp_cell + 1:])), 160))


# -- examples ----------------------------------------------------------------------------------

def _input(item: Item, statement: str, hide: bool = False) -> dict[str, Any]:
    """The statement and what the answer reads besides it: the entry it sits in (when the subject
    comes from it), the list it is in (when the relation does), the module, and the heading or
    status field a violation's resolution comes from."""
    conceal = mask if hide else (lambda t: t)
    inp: dict[str, Any] = {"statement": statement}
    context = item.resolution_context if item.relation == "violation" else None
    if context and item.listed_under and context.removeprefix("section: ") == item.listed_under:
        context = None  # the list the statement is under already says it
    for key, value in (("section", item.section), ("file_line", item.file_line), ("listed_under", item.listed_under),
                       ("document", item.document), ("resolution_context", context)):
        if value:
            inp[key] = conceal(value)
    return inp


def _recoverable(item: Item) -> bool:
    """Whether a reader of the masked input can recover the hidden number: the statement names the
    protocol beside it, and every blank hides that one number (a blank over "WSP 3 / 85" has no one
    answer, and a masked subject would no longer be the thing's name)."""
    if not item.protocol or item.clashes or item.partial or len(item.wsp) != 1 or _REF_SPAN.search(item.subject):
        return False
    shown = [item.statement] + [v for v in (item.section, item.file_line, item.listed_under, item.document,
                                             item.resolution_context) if v]
    return all(wsp_numbers(m.group(0)) == item.wsp for text in shown for m in _REF_SPAN.finditer(text))


def drafts_of(item: Item, scope: str = "") -> list[Draft]:
    """The item's examples: classification always; detection when the statement names the protocol
    so its number can be recovered; resolution for a violation whose status the passage gives."""
    out = []
    # what the item is: two lines of one list about different things are not near-copies of each other,
    # and a later copy of the same document (`scope`: its title) restating the claim is not made again
    identity = "|".join((scope, item.relation, ",".join(map(str, item.wsp)), item.subject.lower(),
                         " ".join(_WORD.findall(mask(item.clause).lower()))))
    classified: dict[str, Any] = {"wsp": item.wsp, "relation": item.relation, "subject": item.subject}
    if item.protocol:
        classified["protocol"] = item.protocol
    if item.relation == "violation" and item.resolved is not None:
        classified["resolved"] = item.resolved
    classified["reason"] = item.reason
    out.append(Draft(instruction_key="classify", input=_input(item, item.statement), output=classified,
                     evidence=item.evidence, kind="decision_trees", label=item.relation, required=REQUIRED,
                     rationale=1.0, line=item.line, identity=identity))
    if _recoverable(item):
        detected: dict[str, Any] = {"wsp": item.wsp, "relation": item.relation, "subject": item.subject,
                                    "protocol": item.protocol,
                                    "reason": f"the statement names the protocol '{item.protocol}', which is WSP {item.wsp[0]};"
                                              f" {item.reason}"}
        out.append(Draft(instruction_key="detect", input=_input(item, mask(item.statement), hide=True),
                         output=detected, evidence=item.evidence, kind="rationale_chains", label=item.relation,
                         required=REQUIRED, rationale=1.0, line=item.line, identity=identity))
    if item.relation == "violation" and item.resolved is not None and item.resolved_why:
        out.append(Draft(instruction_key="resolution", input=_input(item, item.statement),
                         output={"wsp": item.wsp, "relation": "violation", "subject": item.subject,
                                 "resolved": item.resolved, "reason": item.resolved_why},
                         evidence=item.evidence, kind="decision_trees", label="violation",
                         required=REQUIRED + ("resolved",), rationale=1.0, line=item.line, identity=identity))
    return out


def extract(doc: Document, hits: list, pack: DomainPack) -> list[Draft]:
    """The examples of every item among the document's hits (lines that name a WSP)."""
    reader = _Reader(doc)
    drafts: list[Draft] = []
    seen: set[int] = set()
    for hit in hits:
        if hit.line in seen or hit.line not in doc:
            continue
        seen.add(hit.line)
        item = read_item(reader, hit.line)
        if item is not None:
            drafts += drafts_of(item, reader.module or doc.title or "")
    return drafts


EXTRACTOR = Extractor(document=extract)
