"""mps_scoring: the tasks a document scores by WSP 15, read from its structure.

An item is a named task, module or work item with a WSP 15 score: the four dimensions
(complexity, importance, deferability, impact, 1-5 each) and/or an MPS total. The forms read here:

- a line: `MPS Score: 10 (C:2, I:3, D:3, P:2)`, `C:1 I:4 D:4 Im:3 -> Total: 12 (P2)`, `(MPS 14)`,
  `name = 14 (P1)`, `Priority: P2 (MPS: 12)`, `Batch 001 Score: 9 (Priority: P3)`, `Score 17/20`,
  `MPS=7: task`, `Complexity(4) + Importance(5) + ... = 16`, `MPS 7 = 1+2+2+2 (complexity+...)`;
- a block of lines, one dimension each (markdown lists, YAML, keyword arguments, JSON keys), with
  the reason beside each score and the total line under it;
- a table: rows with C | I | D | P or MPS columns (`Item | 18/20` too), or a dimension table
  (`| **Complexity** | 3 | reason |` with an `MPS Total` row) whose module is named by the heading;
- a JSON or dict object (`mps_score` with a reason per dimension, `"batch_001": {"mps": 9}`),
  read from its text, so that a Python dict that does not parse as JSON reads the same way.

The task is named by the line, its row, its JSON object, the `ACTION: task` line above an
arbitration row, a task field above a score in a code block (`create_fix(task_description=...)`),
the label or list item it sits in, or the nearest heading that names something; a numbered
illustration heading ("Example 2: ...") names none. A machine-written row's task loses its detector
tag ("ORPHAN-", "SIZE"); a name's status tail ("- Resolved in this session") is cut; a numbered
name ("Batch 001", "batch_004") comes with what the text says of it (the rest of its line, its
reason) or is no task. Not items: scales and legends (ranges; a default or typical score, "Usually
4", "Default WSP_VIOLATION: ..."), template placeholders, rows whose finding is a run summary or a
nothing-found status, a priority with no score.

Each item gives up to three examples, as its text allows: `score` (rate the four dimensions, with
the text's reasons; only where every WSP, number and name a reason cites is in the input),
`compute` (total and priority from the four given dimensions) and `priority` (priority, range and
action from a stated total); a template row may give `record` (read the raw row, its stated
priority and proposed action cut out: name the task, its dimensions, total and priority). Totals
and priorities always come from skills/wsp15.py. Where the text claims a total that is not C+I+D+P
or a priority that the table does not give, `compute` and `priority` become `check`: the claim is
in the input (`claimed_total` / `claimed_priority`) and the output corrects it, keeping what the
text claimed as `stated_total` / `stated_priority`; the other tasks leave a wrong claim out. The
input never holds the answer: no right priority, no proposed action, no total for `compute`.

One item stated twice is one item: a later restatement in the same document (the same task, or
a task whose words the earlier one holds, with the same total; or, among machine-written rows, a
file's finding reported again by another detector, whatever its score) is dropped here, one in a
later document by its `identity`. Template dumps are capped per identical answer (EXAMPLES.md 6):
each draft names its template (Draft.template: a machine-written row's form and score vector or
total; for a score with reasons, the reasons too, so that score tables of modules that differ only
in their name are one template), and the run keeps two drafts per template (the first row of a
template in a document a `compute` example, the second a `record`); the others are made and
scored below the threshold with the cap as the reason, so the rejected file shows them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import regex

from training_data_miner.skills import wsp15
from training_data_miner.skills.extractors import Draft, Extractor
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import DomainPack
from training_data_miner.skills.structure import Document, Fence, Section, Table, parse_document

MAX_TASK = 240
MAX_DETAILS = 700
DETAILS_REACH = 80  # lines between a heading and a score for the heading's text to describe the task

DIMS = wsp15.DIMENSIONS
_DIM_OF = {"complexity": "complexity", "importance": "importance", "deferability": "deferability",
           "deferrability": "deferability", "impact": "impact",
           "c": "complexity", "i": "importance", "d": "deferability", "p": "impact", "im": "impact",
           "imp": "impact"}

# -- what a score looks like --------------------------------------------------------------------

_Q = r"[\"'*`_]{0,3}"  # quotes, bold and code marks around a key or a number
# one dimension and its score: "Complexity: 3", "**Importance (I)**: 5", "complexity=1", "Impact(4)",
# '"deferability": 4', "Deferability: Usually 4", "(C=3)"; never a scale ("1-5", "3/10")
_DIM = regex.compile(
    r"(?i)(?<![\w-])" + _Q + r"(?P<name>complexity|importance|deferr?ability|impact)" + _Q
    + r"(?:\s*\((?:[CIDP]|Im)\))?" + _Q + r"\s*(?:[:=]|(?=\())\s*" + _Q
    + r"\(?\s*(?:(?P<hedge>usually|typically|default)\s*|(?:about|~)\s*)?(?P<score>[1-5])(?:\s*/\s*5)?\s*\)?"
    + r"(?![\w.%]|\s*[-\u2013]\s*\d|\s*/\s*\d|\s*[+*x]\s*\d)" + _Q
)
_ABBREV_ONE = regex.compile(r"\((?P<name>C|I|D|P|Im)\s*[:=]\s*(?P<score>[1-5])\)")  # "(C=3)" ending a line
# the four in one run: "C:2, I:3, D:3, P:2", "C:1 I:4 D:4 Im:3" (P is imPact here, never priority)
_VECTOR = regex.compile(
    r"(?<![\w])C\s*[:=]\s*(?P<c>[1-5])\s*[,;/|]?\s*I\s*[:=]\s*(?P<i>[1-5])\s*[,;/|]?\s*"
    r"D\s*[:=]\s*(?P<d>[1-5])\s*[,;/|]?\s*(?:P|Im|Imp)\s*[:=]\s*(?P<p>[1-5])(?!\d)"
)
# "MPS 7 = 1+2+2+2 (complexity+importance+deferability+impact)": a sum with its order named
_NAMED_SUM = regex.compile(
    r"(?i)(?P<a>[1-5])\s*\+\s*(?P<b>[1-5])\s*\+\s*(?P<c>[1-5])\s*\+\s*(?P<d>[1-5])\s*\(\s*"
    r"(?P<order>(?:complexity|importance|deferr?ability|impact)(?:\s*\+\s*(?:complexity|importance|deferr?ability|impact)){3})\s*\)"
)
_NUM_END = r"(?![\d.]|\s*[-\u2013]\s*\d|\s?[a-z%]|\s*x\b|\s*[<>\u2264\u2265])"
# a stated total that needs no dimensions beside it to be one
_TOTAL = regex.compile(
    r"(?i)(?:"
    r"\b(?:total\s+mps|mps\s+total|mps(?:-m)?(?:\s+score)?|mps\s*\(wsp\s*15\))" + _Q + r"\s*[:=|]?\s*" + _Q
    + r"(?:[1-5]\s*\+\s*[1-5]\s*\+\s*[1-5]\s*\+\s*[1-5]\s*=\s*)?" + _Q
    + r"|\bscore\s*:?\s*(?=\d{1,2}\s*(?:/\s*20\b|\(\s*priority|->|\u2192|=>))"
    + r"|(?<=\b[A-Za-z_][\w.-]{0,60})\s*=\s*(?=\d{1,2}\s*\(\s*P[0-4]\s*\))"
    + r"|[\"'](?:mps|mps_score|mps_total|total_mps)[\"']\s*:\s*"
    r")(?P<total>\d{1,2})(?:\s*/\s*20\b)?" + _NUM_END
)
# a total that is one only beside dimensions ("Total: 14 -> P1", '"total": 17', "= 16", "# Total: 12")
_LOOSE_TOTAL = regex.compile(
    r"(?i)(?:\btotal\b" + _Q + r"\s*[:=]\s*" + _Q + r"(?:[1-5]\s*\+\s*[1-5]\s*\+\s*[1-5]\s*\+\s*[1-5]\s*=\s*)?"
    + _Q + r"|[\"']total[\"']\s*:\s*|^\s*=\s*|(?<=\)|\d)\s*=\s*" + _Q + r")(?P<total>\d{1,2})" + _NUM_END
)
_PRIORITY = regex.compile(r"(?<![\w-])P(?P<p>[0-4])(?![\w-]|\s*[:=]\s*\d|\s*[-\u2013]\s*P?\d)")
_PRIORITY_KEY = regex.compile(r"(?i)[\"']priority[\"']\s*:\s*[\"']P(?P<p>[0-4])[\"']")
# a scale or legend, not a score: "16-20: P0", "P0 (16-20)", "MPS 16-20", "[4-20]", "P0-P4"
_RANGE = regex.compile(r"(?<![\d.])(?:[4-9]|1\d|20)\s*[-\u2013]\s*(?:[4-9]|1\d|20)(?![\d.])|\bP[0-4]\s*[-\u2013]\s*P[0-4]\b")
_PLACEHOLDER = regex.compile(r"\[(?:[A-Z][A-Z0-9_ /-]{2,}|[1-9]-\d{1,2}|P0-P4)\]|<[a-z_ ]{3,}>|\{[a-z_]\w*(?:\[[^\]]*\])?\}|\bX{2,}\b|\bYYYY\b")

# a run summary or a nothing-found status is no task ("No high-risk patterns detected")
_STATUS = regex.compile(
    r"(?i)^\W*(?:[A-Z][\w-]*\s+){0,2}(?:no\s+(?:[\w-]+\s+){0,4}(?:detected|found|anomal\w*|issues?|violations?|problems?|"
    r"interventions?|changes?|findings?)\b|executed components\b|patterns?\s+stable\b|all\s+(?:checks\s+)?passed\b|"
    r"nothing\s+to\b)|\bno\s+(?:[\w-]+\s+){0,3}(?:anomalies|interventions)\s+(?:detected|required)\b"
)
_ACTION_LINE = regex.compile(r"^\s*(?:[-*]\s+)?(?P<action>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,}):\s+(?P<task>\S.*)$")
_JSON_KEY = regex.compile(r"^\s*[\"'](?P<key>[^\"']{1,60})[\"']\s*:\s*")
_QUOTED = regex.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_REASON_KEY = regex.compile(r"(?i)^(?P<dim>complexity|importance|deferr?ability|impact)_(?:reason|rationale|why|justification)$")
_TAGS = regex.compile(r"^\s*(?:\d{4}-\d\d-\d\d[ T][\d:,.]+\s+-\s+[\w.-]+\s+-\s+[A-Z]+\s+-\s+|\[\d\d:\d\d:\d\d[,.\d]*\]\s*)?"
                      r"(?:\[[^\[\]]{1,40}\]\s*)*")
_ESCAPES = regex.compile(r"\[U\+[0-9A-Fa-f]{4,6}\][\uFE0F\u200D]?|[\uFE0F\u200D]|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF]")
_LINK = regex.compile(r"\[(?P<t>[^\]]{1,200})\]\([^)]{0,300}\)")
_WORD = regex.compile(r"[A-Za-z][A-Za-z0-9]*(?:[_.][A-Za-z0-9]+)*")

# headings and labels that say where a score is, not what is scored
_GENERIC = frozenset("""
mps wsp llme score scores scoring scored breakdown example examples output outputs result results total
totals priority priorities prioritization calculation calculate calculated formula dimension dimensions
analysis decision decisions matrix step steps metric metrics module status current expected test tests testing
summary overview validation evaluation evaluate process instructions details detail data stats report plan
modlog changelog entries entry history log actions principles root cause problem solution reasoning occam
razor check context background approach options whys first works
implementation ranking rank ranked reference references table tables classification level levels value values
assessment review notes note findings finding sample item items task tasks list scale criteria rationale
ground truth default defaults custom protocol usage returns return calculation phase key points
the and of for with from by to in on a an at as is are this that these those vs via per using
""".split())
_FILLER = frozenset("why because what how yes no then so if else also just here there".split())
_SKIP_KEYS = regex.compile(r"(?i)priority|decision|action|proposed|verdict|recommend(?:ed)?_?action|^mps|score|^total|"
                           r"_reason$|^(?:complexity|importance|deferr?ability|impact)$|command|criteria|line_number|"
                           r"autonomous|confidence|estimated|agent|timestamp|^id$")
_TASK_KEYS = ("task", "task_description", "title", "name", "recommendation", "description", "issue", "finding",
              "summary", "referenced_skill", "file", "module", "roadmap", "component", "target")


_THRESHOLD = regex.compile(r"[<>\u2264\u2265]=?\s*$")
_MARKUP = regex.compile(r"\*\*|__|`|^\s*(?:[-*+>]|\d{1,3}[.)])\s+|^\s*#+\s*|^\s*[|]\s*|\s*[|]\s*$")
# what gives a priority away: "P2 medium priority, schedule ...", "(P1 High Priority)", "P3 DEFER", "MPS 12"
_ANSWER = (
    regex.compile(r"(?i)\bP[0-4]\s+(?:\w+\s+){0,2}?(?:critical|high|medium|low|backlog|priority)\b[^.|]*\.?"),
    regex.compile(r"\bP[0-4](?:\s*(?:or|vs\.?|/|,|->|\u2192)\s*P[0-4])+(?:\s+for\b)?"),  # "P1 or P3 for ..."
    regex.compile(r"\s*(?:->|\u2192|=>)\s*\**P[0-4]\b\**"),
    regex.compile(r"\([^()]{0,80}\bP[0-4]\b[^()]{0,80}\)|\bMPS\b[^.|;()\d]{0,24}\d+[^.|;()]{0,40}"),
    regex.compile(r"\bP[0-4]\b(?:\s*[-:]?\s*(?:(?i:critical|high|medium|low|backlog|priority)|[A-Z][A-Z_]{3,})\b)*"),
    regex.compile(r"(?i)\b(?:critical|high|medium|low|backlog)[ -]priority\b"),
    regex.compile(r"(?:^|(?<=\s))(?:\(\s*\)|\[\s*\])"),  # what is left of "(P1)"; "reset()" stays
)
_SEPARATORS = regex.compile(r"\s*([:|])\s*[-\u2013\u2014:|]+\s*")
# the action a priority calls for, written before the task ("Batch For Session (MPS 14): ...",
# "SCHEDULE_FOR_SPRINT: ..."), is the answer, not the task; it marks a machine-written row
_ACTION_LABEL = regex.compile(r"(?i)^(?:(?:fix|batch|schedule|add|defer|reconsider|monitor|skip|review|escalate|for|to|"
                              r"the|this|next|upcoming|session|sprint|backlog|immediately|now|later|soon)\b[\s_-]*){2,}:\s*")
# what opens or closes a line without naming its task: score labels, versions and dates, status tags
_NOT_TASK = (
    regex.compile(r"(?i)^(?:(?:mps|wsp\s*15|score|total|priority|expected|result|returns?|task)\b\W*)+"),
    regex.compile(r"(?i)[\s:|.,-]*\b(?:priority|mps|score|total)\s*:?\s*$"),
    _ACTION_LABEL,
    regex.compile(r"^(?:\[?v?\d+(?:\.\d+)+\]?\s*[-:]?\s*)?(?:\[?\d{4}-\d\d-\d\d\]?\s*[-:]?\s*)?"),
    regex.compile(r"\s*\((?:COMPLETED?|DONE|PENDING|IN PROGRESS|FIXED|RESOLVED|OK|TODO)\)"),
    # a status after the name ("- Resolved in this session"), not a description of the task
    regex.compile(r"(?i)\s+[-\u2013\u2014]\s+(?:resolved|fixed|done|completed|closed|merged|shipped|implemented|"
                  r"superseded|deferred|blocked|pending|in progress)\b[^-\u2013\u2014]{0,40}$"),
)
_SPACE_COLON = regex.compile(r"\s+:(?=\s|$)")
_FRAGMENT = regex.compile(r"\s[,;:>]\s|\s[,;:>]$|^(?i:or|and|but|vs)\b|\b(?i:is|are|was|not|to|of|and|or|the|a|an)$")
# words that say what to do about a task, that is, its priority in other words ("so it goes in this sprint")
_ACTION_WORDS = regex.compile(r"(?i)\b(?:batch|fix|schedule|do|handle|ship|goes|go|put|add)\b[^.,;]{0,20}\b(?:this|next|upcoming)\s+"
                              r"(?:sprint|session)\b|\b(?:add(?:ed)?\s+to|in(?:to)?\s+the)\s+backlog\b|\bimmediately\b|"
                              r"\bright now\b|\bdo it (?:first|now|today)\b|\blater planning\b")
_TEMPLATE_TEXT = regex.compile(r"\[[A-Za-z][^\]]{3,}\](?!\()")  # "[List key dependencies]", not a link
_SCORE_WORDS = regex.compile(r"(?i)\bmps\b|\bpriority\b|\bscor(?:e|ed|ing)\b")
_BOLD = regex.compile(r"\*\*(?P<b>[^*]{3,120})\*\*")
_PAREN_LABEL = regex.compile(r"^\(\s*(?P<n>[^()]{2,60})\)")
_REASON_AFTER = (  # a dimension's reason after its score: "(reason)", "# reason", "- reason"
    regex.compile(r"\s*\((?P<r>[^()]{3,200})\)"),
    regex.compile(r"\s*[,;]?\s*#\s*(?P<r>\S.{2,200})$"),
    regex.compile(r"\s*[-\u2013\u2014:]\s*(?P<r>[^\s\d].{2,200})$"),
)
_ARITHMETIC = regex.compile(r"(?i)[\d\s+=/*().PCDI-]*")
_REASON_LINE = regex.compile(r"(?i)^\s*(?:[-*]\s*)?\**(?:reason|rationale|why)\**\s*:\**\s*(?P<r>\S.{2,300})$")
_STRINGS = regex.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_COMMENT_END = regex.compile(r"#.*$")
_OPEN_KEY = regex.compile(r"""^\s*(?:[\w.]+\s*=\s*)?["']?(?P<k>[\w .-]{1,60}?)["']?\s*:\s*[\[{]\s*$""")


# table headers and cells
_NOT_LETTER = regex.compile(r"[^a-z]")
_DIM_HEADER = {d: regex.compile(r"(?:%s|%s)(?:\s*\(\w+\))?" % (d, d[0])) for d in DIMS}
_TOTAL_HEADER = regex.compile(r"\b(?:mps|score|total)\b")
_OTHER_SCORE_HEADER = regex.compile(r"\b(?:llme|confidence|quality|test|coverage)\b")
_TASK_HEADER = regex.compile(r"\b(?:task|item|module|finding|option|phase|name|feature|component|work|issue|file|"
                             r"candidate|action)\b")
_SCORE_HEADER = regex.compile(r"\b(?:score|value|rating)\b")
_WHY_HEADER = regex.compile(r"\b(?:rationale|reason|why|justification|notes?|explanation)\b")
_OUT_OF_20 = regex.compile(r"\**\s*\d{1,2}\s*/\s*20\s*\**")
_SCORE_CELL = regex.compile(r"\**\s*([1-5])\s*\**(?:\s*\([^)]*\))?")
_TOTAL_CELL = regex.compile(r"\**\s*(\d{1,2})\s*(?:/\s*20)?\s*\**(?:\s*\([^)]*\))?")
_DIM_CELL = regex.compile(r"[`*]*\s*([1-5])\s*[`*]*")
_SUM_CELL = regex.compile(r"[`*]*\s*(\d{1,2})\s*[`*]*")


@dataclass
class Item:
    """A scored task as read from the text, before it becomes drafts."""

    line: int  # the line that states the score (the total, where there is one)
    first: int
    last: int
    evidence: str
    form: str  # line, block, table or arbitration (a template cap counts rows of one form)
    dims: dict[str, int] | None = None
    reasons: dict[str, str] = field(default_factory=dict)
    reason: str | None = None  # a reason for the score as a whole
    stated_total: int | None = None
    stated_priority: str | None = None
    task: str = ""
    name: str = ""  # the part of the task that names it (what a restatement repeats)
    context: str = ""  # where the task is (document, section), when the task does not say
    details: str = ""  # what the text says about the task (for rating)
    template: bool = False  # a row of a machine-written dump (arbitration rows, log lines)
    legend: bool = False  # a default or typical score ("Usually 4", "Default X: ..."): a legend, not a task

    @property
    def total(self) -> int | None:
        if self.dims is not None and len(self.dims) == 4:
            return wsp15.mps_total(*(self.dims[d] for d in DIMS))
        return self.stated_total


# -- reading one line ---------------------------------------------------------------------------


def _unmangle(text: str) -> str:
    """"\u2181E" is how "\u2192" (an arrow) reads after a wrong decoding; the same length, so spans
    found on the result are spans of the raw line."""
    return text.replace("\u2181E", "\u2192 ") if "\u2181" in text else text


def _dims_on(text: str) -> list[tuple[str, int, tuple[int, int]]]:
    """The single dimensions named on a line: (dimension, score, span)."""
    out = [(_DIM_OF[m["name"].lower()], int(m["score"]), m.span()) for m in _DIM.finditer(text)]
    if not out:
        m = _ABBREV_ONE.search(text)
        if m and not text[m.end():].strip(" *.,;"):
            out.append((_DIM_OF[m["name"].lower()], int(m["score"]), m.span()))
    return out


def _vector_on(text: str) -> tuple[dict[str, int], tuple[int, int]] | None:
    """The four dimensions on one line, as an abbreviation run, a named sum or four spelled dimensions."""
    m = _VECTOR.search(text)
    if m:
        return dict(zip(DIMS, (int(m[k]) for k in "cidp"))), m.span()
    m = _NAMED_SUM.search(text)
    if m:
        order = [_DIM_OF[w.strip().lower()] for w in m["order"].split("+")]
        if len(set(order)) == 4:
            return {d: int(m[k]) for d, k in zip(order, "abcd")}, m.span()
    found = _dims_on(text)
    if len(found) == 4 and len({d for d, _, _ in found}) == 4:
        return {d: s for d, s, _ in found}, (found[0][2][0], found[-1][2][1])
    return None


def _total_on(text: str, loose: bool = False) -> tuple[int, tuple[int, int]] | None:
    m = _TOTAL.search(text)
    if m is None and loose:
        m = _LOOSE_TOTAL.search(text)
    if m is None:
        return None
    before = text[max(0, m.start() - 4):m.start()]
    if _THRESHOLD.search(before):
        return None  # "MPS >= 16" is a threshold
    return int(m["total"]), m.span()


def _priority_near(text: str, span: tuple[int, int], skip: tuple[int, int] | None = None) -> str | None:
    """The priority the line states for its score: the first after it, else the last before it."""
    found = [m for m in _PRIORITY.finditer(text) if not (skip and skip[0] <= m.start() < skip[1])]
    after = [m for m in found if m.start() >= span[1]]
    if after:
        return "P" + after[0]["p"]
    before = [m for m in found if m.end() <= span[0]]
    return "P" + before[-1]["p"] if before else None


def _is_scale(text: str) -> bool:
    return bool(_RANGE.search(text) or _PLACEHOLDER.search(text))


# -- cleaning text -------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """A line without log prefixes, tags, escapes, link targets, list markers and markup."""
    text = _TAGS.sub("", text)
    if not text.isascii() or "[U+" in text:
        text = _ESCAPES.sub(" ", text)
    text = _LINK.sub(lambda m: m["t"], text)
    text = _MARKUP.sub("", text.strip())
    return " ".join(text.split())


def _scrub(text: str) -> str:
    """Text without what would give the answer away: stated priorities (with the words and the
    parenthesis that carry them), scores and totals."""
    for rx in _ANSWER:
        text = rx.sub(" ", text)
    text = _SEPARATORS.sub(r"\1 ", " ".join(text.split())).lstrip(" -:|,;\u2192>=")
    if not _DOTTED.match(text):  # keep the dot of a dotfile path (".claude/skills/...")
        text = text.lstrip(" -:|,;.\u2192>=")
    return text.rstrip(" -:|,;.\u2192>=")


_DOTTED = regex.compile(r"\.\w")
# A deferability reason that reads the scale backwards (WSP 15: 1 = highly deferrable, 5 = cannot
# defer): "Must fix before orchestration" beside D=1, "Can defer but should clean" beside D=5.
_DEFERRABLE = regex.compile(r"\b(?:can|could|may)\s+(?:be\s+)?(?:defer|wait|postpone)|(?<!\bnot\s)(?<!\bnon-)"
                            r"\bdeferr?able\b|\bnot\s+(?:urgent|blocking|critical)\b|\blow\s+urgency\b", regex.I)
_URGENT = regex.compile(r"\bmust\b|\bblock(?:s|ing|er)\b|\bimmediate(?:ly)?\b|\bcannot\s+(?:be\s+)?defer"
                        r"|\burgent\b|\bcritical\b|\bbefore\b|\basap\b", regex.I)


def _backwards(score: int, reason: str | None) -> bool:
    """The reason given for a deferability score says the opposite of the score."""
    if not reason:
        return False
    deferrable = bool(_DEFERRABLE.search(reason))
    return (score >= 4 and deferrable) or (score <= 2 and not deferrable and bool(_URGENT.search(reason)))


def _cut_spans(text: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for s, e in sorted(spans):
        out.append(text[pos:s])
        pos = max(pos, e)
    out.append(text[pos:])
    return " ".join(out)


def _content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if len(w) > 2 or "_" in w]


def _names_something(text: str) -> bool:
    """Whether a label or heading names a task (words beyond the generic ones of scoring)."""
    if not text or _PLACEHOLDER.search(text) or _STATUS.search(text):
        return False
    words = [w.lower() for w in _content_words(text)]
    specific = [w for w in words if w not in _GENERIC and w not in _FILLER]
    if any(("_" in w or "." in w) and len(w) > 3 for w in specific):
        return True
    return len(specific) >= 2 or (len(specific) == 1 and len(words) <= 3 and len(specific[0]) >= 4)


def _task_text(text: str) -> str:
    """A task name cleaned of answer-giving words and trailing punctuation, cut at a word."""
    text = _scrub(_plain(text))
    for rx in _NOT_TASK:
        text = rx.sub("", text)
    text = _SPACE_COLON.sub(":", text)
    text = text.strip(" -:|,;.\u2192>=")
    if len(text) > MAX_TASK:
        cut = text[:MAX_TASK].rsplit(" ", 1)[0]
        text = cut.rstrip(" ,;:-") + " ..."
    return text


# -- where a line sits ---------------------------------------------------------------------------


@dataclass
class _View:
    """The lines an item is read from: the document, or a fenced block's body read as markdown
    (its headings and lists), inside the document."""

    doc: Document
    fence: Fence | None = None
    outer: Document | None = None

    def text(self, n: int) -> str:
        return _unmangle(self.doc.text(n))

    def raw(self, n: int) -> str:
        """The line as written (evidence is quoted from it; `text` has the same length)."""
        return self.doc.text(n)

    def sections(self, n: int) -> list[tuple[Document, Section]]:
        """The headed sections over line n, innermost first (a fence's own, then its document's)."""
        out = [(self.doc, s) for s in self.doc.ancestors(self.doc.section_at(n)) if s.heading]
        if self.outer is not None and self.fence is not None:
            out += [(self.outer, s) for s in self.outer.ancestors(self.outer.section_at(self.fence.start)) if s.heading]
        return out

    @property
    def title(self) -> str | None:
        return (self.outer or self.doc).title


def _view_of(doc: Document, line: int, cache: dict[int, _View]) -> _View:
    hit = doc.block_at(line)
    if hit is None or hit[0] != "fence":
        return cache.setdefault(-1, _View(doc))
    fence: Fence = hit[1]
    if fence.index not in cache:
        inner = parse_document(fence.body, fence.start + 1, doc.index) if fence.body else doc
        cache[fence.index] = _View(inner, fence, doc)
    return cache[fence.index]


def _prev_nonblank(view: _View, n: int, lines: int) -> tuple[int, str] | None:
    for k in range(n - 1, max(view.doc.start, n - lines) - 1, -1):
        t = view.text(k)
        if t.strip():
            return k, t
    return None


_ILLUSTRATION = regex.compile(r"(?i)^(?:example|sample|illustration)\s*#?\d+\b")


def _heading_task(view: _View, n: int) -> tuple[str, str, tuple[Document, Section] | None]:
    """The nearest heading that names something (with the next one up, or the document title, as
    context), else the document title."""
    secs = view.sections(n)
    for i, (d, sec) in enumerate(secs):
        t = _task_text(sec.title)
        if _ILLUSTRATION.match(t):
            return "", "", None  # "Example 2: ...": an illustration, which names no task of its own
        if _names_something(t):
            up = [_task_text(x.title) for _, x in secs[i + 1:]] + [_task_text(view.title or "")]
            ctx = next((u for u in up if _names_something(u) and u.lower() not in t.lower()), "")
            return t, ctx, (d, sec)
    t = _task_text(view.title or "")
    return (t, "", None) if _names_something(t) else ("", "", None)


def _lead_in(view: _View, n: int) -> str:
    """The line that introduces the list a line is an item of ("**Proto Transition** (Training data):")."""
    doc = view.doc
    hit = doc.block_at(n)
    if hit is None or hit[0] != "item":
        return ""
    k = n - 1
    while k >= doc.start and (not view.text(k).strip() or (doc.block_at(k) or ("",))[0] == "item"):
        k -= 1
    sec = doc.section_at(k)
    if k < doc.start or (sec.heading is not None and sec.start == k):
        return ""
    p = _plain(view.text(k))
    return p[:-1].strip() if p.endswith(":") and len(p) < 150 and not _META.match(p) else ""


# a heading's status after its name ("Phase 2 Status: COMPLETE"): where a task is, not what it is
_HEADING_STATUS = regex.compile(r"(?i)\s*[-:|]?\s*\bstatus\s*[:=-]\s*\S.*$")


def _context_for(view: _View, n: int, task: str) -> str:
    """Where a task named on its own line is: the line that introduces its list, the nearest
    heading or the title that names something."""
    lead = _task_text(_lead_in(view, n))
    if lead and _names_something(lead) and lead.lower() not in task.lower():
        return lead
    for _, sec in view.sections(n):
        if n - sec.start > DETAILS_REACH:
            break  # a heading this far above is not where this line is
        t = _HEADING_STATUS.sub("", _task_text(sec.title))
        if (_names_something(t) or _BARE.match(t)) and t.lower() not in task.lower():
            return t
    t = _task_text(view.title or "")
    return t if _names_something(t) and t.lower() not in task.lower() else ""


_META = regex.compile(r"(?i)^\W*(?:last\s+scored|scored\s+by|date|status|by|author|owner|version|updated|created|"
                      r"change\s+type|wsp(?:\s+\w+){0,3}|files?(?:\s+(?:changed|modified|created|updated|touched))?|"
                      r"domain|agent|reason|rationale|why|expected|result|decision|action|priority|references?|related)"
                      r"\**\s*:")


def _details(place: tuple[Document, Section] | None, first: int) -> str:
    """What a task's section says about it before its score: prose, fields and list items, whole
    lines up to MAX_DETAILS characters (the number of lines left out said). Metadata, scores and
    placeholders are left out."""
    if place is None:
        return ""
    doc, sec = place
    if first - sec.start > DETAILS_REACH:
        return ""  # a heading this far above says little about this one task
    hi = min(first - 1, sec.end) if doc.start <= first <= doc.end else sec.body_end
    lines: list[str] = []
    left = 0
    in_fence = False
    for k in range(sec.start + 1, hi + 1):
        raw = _unmangle(doc.text(k))
        s = raw.strip()
        if s.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence or not s or s.startswith(("#", "|")) or _META.match(_plain(raw)):
            continue
        if _dims_on(raw) or _total_on(raw, loose=True) or _PRIORITY.search(raw) or _is_scale(raw) \
                or _SCORE_WORDS.search(raw):
            continue
        p = _plain(raw)
        if len(_content_words(p)) < 2 or p.endswith(":") or _TEMPLATE_TEXT.search(p):
            continue  # a label over a list, or template text ("[Primary capability 1]")
        if sum(len(x) + 3 for x in lines) + len(p) > MAX_DETAILS:
            left += 1
            continue
        lines.append(p)
    if left and lines:
        lines.append(f"(+{left} more lines)")
    return " | ".join(lines)


def _short_name(rest: str) -> str:
    """The name part of a line's text: its bold words, a short label before a colon, or the
    label in parentheses that opens it ("(Tests): 25 min")."""
    m = _BOLD.search(rest)
    if m and _content_words(_task_text(m["b"])):
        return _task_text(m["b"])
    p = _plain(rest)
    m = _PAREN_LABEL.match(p)
    if m and _content_words(_task_text(m["n"])):
        return _task_text(m["n"])
    head = p.split(": ", 1)[0] if ": " in p else ""
    if head and len(head.split()) <= 3 and _names_something(head):
        return head
    return ""


# -- readers: each finds the items of one form ------------------------------------------------


def _dim_reason(text: str, span: tuple[int, int]) -> tuple[str | None, bool]:
    """The reason written beside one dimension's score (after it in parentheses, after a dash or a
    colon, in a trailing comment) or, for "14 files changed (C=3)", before it; and whether it came
    before (then it is a fact about the task, not a judgment)."""
    after = text[span[1]:]
    m = next((x for x in (rx.match(after) for rx in _REASON_AFTER) if x), None)
    first = False
    if m:
        r = m["r"]
    else:
        before = _plain(text[:span[0]])
        first = len(_content_words(before)) >= 2 and not after.strip(" *.,;)")
        r = before if first else None
    if not r:
        return None, False
    r = _plain(r).strip(" *.,;\"'")
    if len(_content_words(r)) < 1 or _ARITHMETIC.fullmatch(r) or _is_scale(r):
        return None, False
    return r, first


def _json_value(text: str, m: regex.Match[str]) -> str:
    """The value of a `"key": value` line: a quoted string whole, else up to a comment, without the
    trailing comma (string operations, so a 10,000-character line costs one pass)."""
    rest = text[m.end():]
    q = _QUOTED.match(rest)
    if q:
        return q.group(0)
    return rest.split("#", 1)[0].strip().rstrip(",").strip()


def _json_reason(text: str) -> tuple[str, str] | None:
    m = _JSON_KEY.match(text)
    if not m:
        return None
    k = _REASON_KEY.match(m["key"])
    if not k:
        return None
    raw = _json_value(text, m)
    try:
        value = json.loads(raw) if raw.startswith('"') else raw.strip("'")
    except ValueError:
        return None
    return (_DIM_OF[k["dim"].lower()], _plain(str(value))) if isinstance(value, str) and value.strip() else None


def _hedged_dims(text: str) -> bool:
    return any(m["hedge"] for m in _DIM.finditer(text))


def _single_dim(t: str) -> tuple[str, int, tuple[int, int]] | None:
    found = _dims_on(t)
    return found[0] if len(found) == 1 and not _vector_on(t) else None


class _Reader:
    """Reads one document's items, each once, from its hit lines."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.views: dict[int, _View] = {}
        self.done: set[int] = set()  # lines already read as part of an item, a block or a table
        self.tables: set[int] = set()
        self.items: list[Item] = []

    def read(self, line: int) -> None:
        if line in self.done:
            return
        hit = self.doc.block_at(line)
        if hit is not None and hit[0] == "table":
            if hit[1].index not in self.tables:
                self.tables.add(hit[1].index)
                self._table(hit[1])
            return
        view = _view_of(self.doc, line, self.views)
        text = view.text(line)
        if text.count("\\n") > 1:
            return  # a script or message quoted in a JSON string: its scores belong to other items
        if _is_scale(text) and not _VECTOR.search(text):
            return
        if _single_dim(text):
            self._block(view, line)
            return
        self._line(view, line, text)

    # -- one line holding the four dimensions or a total

    def _line(self, view: _View, n: int, text: str) -> None:
        vec = _vector_on(text)
        tot = _total_on(text, loose=vec is not None)
        if vec is None and tot is None:
            return
        if vec is None:
            nxt = _next_nonblank(view, n)
            if nxt is not None and _single_dim(view.text(nxt)):
                self._block(view, nxt)  # "**MPS Score**: 14" over its dimension lines
                if n in self.done:
                    return
        stated_total = tot[0] if tot else None
        if vec is None and stated_total is not None and stated_total > 25:
            return  # another scale (a weighted score), not WSP 15
        spans = [s for s in (vec[1] if vec else None, tot[1] if tot else None) if s]
        last = n
        if vec is not None and tot is None:  # "C:2 I:3 D:3 Im:2" with its total on the next line
            nxt = _next_nonblank(view, n)
            if nxt is not None and nxt - n <= 2 and not _vector_on(view.text(nxt)):
                t2 = _total_on(view.text(nxt), loose=True)
                if t2:
                    stated_total, last = t2[0], nxt
        item = Item(line=n, first=n, last=last, evidence=_evidence(view.raw(n), spans), form="line",
                    dims=vec[0] if vec else None, stated_total=stated_total, legend=_hedged_dims(text),
                    stated_priority=_priority_near(text, tot[1] if tot else vec[1], vec[1] if vec else None))
        self.done.update(range(n, last + 1))
        hit = view.doc.block_at(n)
        item.template = hit is not None and hit[0] == "record"  # a log line: a machine-written row
        self._name(view, item, _cut_spans(text, spans), n)
        self._reason_below(view, item)
        self._settle(view, item)
        self.items.append(item)

    # -- a block of lines, one dimension each

    def _block(self, view: _View, n: int) -> None:
        doc = view.doc
        lo, k = n, n - 1
        # back to the block's first dimension line (reason lines and single blanks may sit between)
        while k >= doc.start and n - k <= 16:
            t = view.text(k)
            if _single_dim(t):
                lo = k
            elif not (_json_reason(t) or (not t.strip() and k + 1 <= n and view.text(k + 1).strip())):
                break
            k -= 1
        dims: dict[str, int] = {}
        reasons: dict[str, str] = {}
        facts: list[str] = []
        lines: list[int] = []
        hi, k, last_dim = lo, lo, None
        hedged = False  # "Usually 4": the block is a default scale, a legend
        while k <= doc.end and k - lo <= 24:
            t = view.text(k)
            one = _single_dim(t)
            jr = _json_reason(t) if one is None else None
            if one is not None:
                d, score, span = one
                if d in dims:
                    self.done.update(lines or [k])
                    return  # a dimension twice: branches of code, not one score
                dims[d] = score
                hedged = hedged or _hedged_dims(t)
                r, before = _dim_reason(t, span)
                if r:
                    reasons[d] = r
                    if before:
                        facts.append(r)
                lines.append(k)
                hi, last_dim = k, d
            elif jr is not None and last_dim is not None:
                reasons[jr[0]] = jr[1]
                hi = k
            elif not t.strip() and k + 1 <= doc.end and _single_dim(view.text(k + 1)):
                pass  # one blank line inside the block
            else:
                break
            k += 1
        self.done.update(range(lo, hi + 1))
        if len(dims) != 4:
            return
        anchor, tot, text = self._block_total(view, lo, hi)
        span = tot[1] if tot else _single_dim(view.text(lines[-1]))[2]
        if anchor is None:
            anchor, text = lines[-1], view.text(lines[-1])
        raw = view.raw(anchor)
        self.done.update(range(min(lo, anchor), max(hi, anchor) + 1))
        prio = _priority_near(text, span) if tot else None
        if prio is None and anchor + 1 <= doc.end:
            m = _PRIORITY_KEY.search(view.text(anchor + 1))
            prio = "P" + m["p"] if m else None
        item = Item(line=anchor, first=min(lo, anchor), last=max(hi, anchor), evidence=_evidence(raw, [span]),
                    form="block", dims=dims, reasons=reasons, stated_total=tot[0] if tot else None,
                    stated_priority=prio, legend=hedged)
        self._name(view, item, None, lo)
        if facts:  # "14 files changed (C=3)": what the text observed, before each score
            item.details = " | ".join(x for x in [item.details, *facts] if x)
        self._reason_below(view, item)
        self._settle(view, item)
        self.items.append(item)

    def _block_total(self, view: _View, lo: int, hi: int) -> tuple[int | None, Any, str]:
        """The total of a dimension block: under it (a closing bracket, a blank or a reason line
        may sit between), else right above it."""
        k, steps = hi + 1, 0
        while k <= view.doc.end and steps < 3:
            t = view.text(k)
            s = t.strip()
            if not s or s in (")", "}", "},", "]", "```") or _json_reason(t):
                k += 1
                continue
            steps += 1
            got = _total_on(t, loose=True)
            if got and not _dims_on(t) and not _is_scale(t):
                return k, got, t
            if s.startswith("#") and not s.startswith("# "):
                break
            k += 1
        prev = _prev_nonblank(view, lo, 3)
        if prev and not _is_scale(prev[1]) and not _dims_on(prev[1]):
            got = _total_on(prev[1])
            if got:
                return prev[0], got, prev[1]
        return None, None, ""

    # -- tables

    def _table(self, table: Table) -> None:
        view = _view_of(self.doc, table.start, self.views)
        self.done.update(range(table.start, table.end + 1))
        header = [_plain(h).lower() for h in table.header]
        keys = [_NOT_LETTER.sub("", _plain(r.cells[0]).lower()) if r.cells else "" for r in table.rows]
        if sum(1 for k in keys if len(k) > 2 and _DIM_OF.get(k) in DIMS) >= 3:
            self._dimension_table(view, table, header)
            return
        cols = {}
        for i, h in enumerate(header):
            for d in DIMS:
                if _DIM_HEADER[d].fullmatch(h) or (d == "impact" and h in ("im", "imp")):
                    cols.setdefault(d, i)
        # an MPS column; beside the four dimensions a "Total" or "Score" column is their total too
        total_col = next((i for i, h in enumerate(header) if "mps" in h and not _OTHER_SCORE_HEADER.search(h)), None)
        if total_col is None and len(cols) == 4:
            total_col = next((i for i, h in enumerate(header) if _TOTAL_HEADER.search(h)
                              and not _OTHER_SCORE_HEADER.search(h)), None)
        if total_col is None and len(cols) < 4:
            # "Item | 18/20": a column of scores out of 20
            total_col = next((i for i in range(len(header)) if table.rows and all(
                i < len(r.cells) and _OUT_OF_20.fullmatch(r.cells[i].strip())
                for r in table.rows)), None)
        if len(cols) < 4 and total_col is None:
            return
        prio_col = next((i for i, h in enumerate(header) if "priority" in h), None)
        used = set(cols.values()) | {total_col, prio_col}
        task_col = next((i for i, h in enumerate(header) if i not in used and _TASK_HEADER.search(h)),
            next((i for i in range(len(header)) if i not in used), None))
        for row in table.rows:
            self._table_row(view, table, row, cols, total_col, prio_col, task_col)

    def _table_row(self, view: _View, table: Table, row: Any, cols: dict[str, int], total_col: int | None,
                   prio_col: int | None, task_col: int | None) -> None:
        cells = row.cells
        text = self.doc.text(row.line)
        if any(_is_scale(c) for c in cells):
            return
        dims = {}
        if len(cols) == 4:
            for d, i in cols.items():
                m = _SCORE_CELL.fullmatch(cells[i].strip()) if i < len(cells) else None
                if m:
                    dims[d] = int(m[1])
        total = None
        if total_col is not None and total_col < len(cells):
            m = _TOTAL_CELL.fullmatch(cells[total_col].strip())
            total = int(m[1]) if m else None
        if total is not None and total > 25:
            return  # another scale
        if len(dims) < 4:
            if total is None:
                return
            dims = {}
        prio_cells = [cells[prio_col]] if prio_col is not None and prio_col < len(cells) else \
            [c for i, c in enumerate(cells) if i not in cols.values() and i != task_col]
        m = next((x for x in (_PRIORITY.search(c) for c in prio_cells) if x), None)
        ev = cells[total_col] if total is not None else cells[cols["complexity"]]
        item = Item(line=row.line, first=table.start, last=row.line, evidence=_evidence(text, [_find(text, ev)]),
                    form="table", dims=dims or None, stated_total=total, stated_priority="P" + m["p"] if m else None)
        task = _task_text(cells[task_col]) if task_col is not None and task_col < len(cells) else ""
        if _names_something(task) or _content_words(task):
            item.task, item.name = task, task
            item.context = _context_for(view, table.start, task)
        else:
            item.task, item.context, _ = _heading_task(view, table.start)
            item.name = item.task
        self.items.append(item)

    def _dimension_table(self, view: _View, table: Table, header: list[str]) -> None:
        """`| **Complexity** | 3 | reason |` rows and an `MPS Total` row: one item, named by the
        heading or the document above the table."""
        score_col = next((i for i, h in enumerate(header) if _SCORE_HEADER.search(h)), 1)
        why_col = next((i for i, h in enumerate(header)
                        if _WHY_HEADER.search(h)), None)
        dims: dict[str, int] = {}
        reasons: dict[str, str] = {}
        total = prio = anchor = None
        for row in table.rows:
            cells = row.cells
            key = _NOT_LETTER.sub("", _plain(cells[0]).lower()) if cells else ""
            d = _DIM_OF.get(key) if len(key) > 2 else None
            cell = cells[score_col].strip() if score_col < len(cells) else ""
            if d in DIMS:
                m = _DIM_CELL.fullmatch(cell)
                if not m or d in dims:
                    return  # a placeholder ("[1-5]") or a dimension twice: not a score
                dims[d] = int(m[1])
                if why_col is not None and why_col < len(cells) and _content_words(_plain(cells[why_col])):
                    reasons[d] = _plain(cells[why_col])
            elif "total" in key or "mps" in key:
                m = _SUM_CELL.fullmatch(cell)
                if m:
                    total, anchor = int(m[1]), row
                    p = _PRIORITY.search(" ".join(cells[1:]))
                    prio = "P" + p["p"] if p else None
        if len(dims) != 4:
            return
        row = anchor or table.rows[-1]
        text = self.doc.text(row.line)
        cell = row.cells[score_col] if score_col < len(row.cells) else row.cells[0]
        item = Item(line=row.line, first=table.start, last=table.end, evidence=_evidence(text, [_find(text, cell)]),
                    form="table", dims=dims, reasons=reasons, stated_total=total, stated_priority=prio)
        item.task, item.context, place = _heading_task(view, table.start)
        item.name = item.task
        item.details = _details(place, table.start)
        self.items.append(item)

    # -- naming

    def _name(self, view: _View, item: Item, rest: str | None, first: int) -> None:
        """The task: the line itself (what is left of it without its scores), else the object the
        score is in, the `ACTION: task` line above it, the list item it is nested in, the nearest
        heading that names something, the document title."""
        n = item.line
        inline = _inline_object(view.text(n))
        if inline is not None:  # a one-line object: {"task": "...", "mps": 12}
            task, details, reason, prio = inline
            if task:
                item.task = item.name = task
                item.context = _context_for(view, n, task)
                item.details, item.reason = details, item.reason or reason
                item.stated_priority = item.stated_priority or prio
            return
        if rest and (_META.match(_plain(rest)) or _JSON_KEY.match(view.text(n))):
            rest = None  # "WSP References: WSP 15 (MPS 17/20), ...", '"mps": 9,  # safe' name no task
        short = _short_name(rest) if rest else ""
        if rest:
            task = _task_text(rest)
            if _FRAGMENT.search(task) or _ACTION_WORDS.search(task):
                # what is left of a sentence once its priority is cut out ("the work is , not"), or a
                # sentence that says what to do ("so it goes in this sprint"): no task to give
                return
            if _names_something(task):
                item.task, item.name = task, short or task
                item.context = _context_for(view, n, task)
                item.template = item.template or bool(_ACTION_LABEL.match(_scrub(_plain(rest))))
                return
        obj = _object_task(view, first)
        if obj is not None:
            item.task, item.context, item.details, reason, prio = obj
            item.name = short or item.task
            item.reason = item.reason or reason
            item.stated_priority = item.stated_priority or prio
            return
        prev = _prev_nonblank(view, first, 2)
        act = _ACTION_LINE.match(prev[1]) if prev else None
        if act:
            item.task = item.name = _task_text(act["task"])
            item.first = prev[0]
            item.form, item.template = "arbitration", True
            return
        hit = view.doc.block_at(first)
        if hit is not None and hit[0] == "item" and hit[1].parent is not None:
            parent = _task_text(view.doc.items[hit[1].parent].text)
            if _names_something(parent):
                item.task, item.name = parent, short or parent
                item.context = _context_for(view, n, parent)
                return
        field = _fence_task(view, first)
        if field:  # create_fix(task_description="...") above the score it returns, in a code block
            item.task = item.name = field
            item.context = _context_for(view, n, field)
            return
        item.task, item.context, place = _heading_task(view, first)
        item.name = short or item.task
        item.details = _details(place, first)
        if item.stated_priority is None and hit is not None and hit[0] == "item":
            # "### P0 Items" over a list of scored items states their priority
            secs = view.sections(first)
            found = list(_PRIORITY.finditer(secs[0][1].title)) if secs else []
            if len(found) == 1:
                item.stated_priority = "P" + found[0]["p"]

    def _settle(self, view: _View, item: Item) -> None:
        """A machine-written row's task without its detector tag ("ORPHAN-", "SIZE"); a numbered
        name ("Batch 001", "batch_004: Safe") with what the text says it stands for as its details:
        the rest of its line, its reason, or a reason line under it; without any, no task."""
        if item.template:
            item.task, item.name = _untag(item.task), _untag(item.name)
        if _BARE.match(item.name) and item.task != item.name:
            tail = item.task[len(item.name):] if item.task.startswith(item.name) else ""
            item.task, item.details = item.name, item.details or tail.strip(" :-\u2013\u2014")
        if _BARE.match(item.task) and not item.details:
            item.details = item.reason or _reason_under(view, item.last) or ""
            if not item.details:
                item.task = ""

    def _reason_below(self, view: _View, item: Item) -> None:
        """A `Reason:` line right under the score gives a reason for the score as a whole."""
        k = item.last + 1
        if k > view.doc.end:
            return
        m = _REASON_LINE.match(view.text(k))
        if m and not _total_on(m["r"]):
            item.reason = _plain(m["r"])
            item.last = k


# a reason written by a log under its score: "[0102-REASON] Active reference found - ..."
_TAG_REASON = regex.compile(r"^\s*(?:\[[^\[\]]{1,40}\]\s*)*\[[\w-]*REASON[\w-]*\]\s*(?P<r>\S.{2,300})$")
# a numbered name that says nothing of what it is
_BARE = regex.compile(r"(?i)^(?:batch|test|item|option|step|phase|task|case|example|sample|run|entry|row|issue)"
                      r"[\s_#-]*\d+$")
# a detector's tag opening a machine-written row: "ORPHAN- ", "WSP-GUARDIANSTALE- ", "SIZE ", "HEALTHVIOLATION "
_DETECTOR_TAG = regex.compile(r"^(?:[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-|[A-Z][A-Z0-9]{3,}(?:-[A-Z0-9]+)*)\s+(?=\S)")
# a task field above a score in a code block: task_description="...", "title": "..."
_TASK_FIELD = regex.compile(r"""(?i)\b(?:task_description|task|title|description)["']?\s*[=:]\s*(["'])(?P<v>[^"'\n]{3,200})\1""")
FIELD_REACH = 20  # lines above a score in its code block where a task field names it


def _untag(task: str) -> str:
    rest = _DETECTOR_TAG.sub("", task, count=1)
    return rest if _names_something(rest) else task


def _reason_under(view: _View, n: int) -> str | None:
    """A log's reason line within three lines under line n, no other score between."""
    for k in range(n + 1, min(view.doc.end, n + 3) + 1):
        t = view.text(k)
        m = _TAG_REASON.match(t) or _REASON_LINE.match(t)
        if m:
            return _plain(m["r"])
        if _total_on(t, loose=True) or _dims_on(t):
            return None
    return None


def _fence_task(view: _View, first: int) -> str:
    """The task a code block names above a score in it (a task field of the call or object that
    returns the score), nearest first; no score between."""
    if view.fence is None:
        return ""
    for k in range(first - 1, max(view.doc.start, first - FIELD_REACH) - 1, -1):
        t = view.text(k)
        m = _TASK_FIELD.search(t)
        if m:
            task = _task_text(m["v"])
            return task if _names_something(task) else ""
        if _total_on(t, loose=True) or _dims_on(t):
            return ""
    return ""


def _next_nonblank(view: _View, n: int) -> int | None:
    for k in range(n + 1, min(view.doc.end, n + 3) + 1):
        if view.text(k).strip():
            return k
    return None


def _find(text: str, cell: str) -> tuple[int, int]:
    c = cell.strip()
    i = text.find(c) if c else -1
    return (i, i + len(c)) if i >= 0 else (0, len(text))


def _evidence(text: str, spans: list[tuple[int, int]]) -> str:
    spans = [s for s in spans if s and s[1] > s[0]]
    if not spans:
        return text.strip()[:300]
    s = min(a for a, _ in spans)
    e = max(b for _, b in spans)
    return text[s:e].strip() or text.strip()[:300]


# -- objects (JSON and dicts), read from their text, so that a dict that is not JSON reads the same


_SCORE_KEYS = frozenset({"mps_score", "mps", "score", "scores", "scoring", "wsp_15", "wsp15", "wsp_15_mps", "mps_scores"})


def _object_task(view: _View, first: int) -> tuple[str, str, str, str | None, str | None] | None:
    """For a score inside a `{...}` object in a fenced block: (task, context, details, reason,
    stated priority), from the object's key (`"batch_001": {"mps": 9}`) or, for an `mps_score`
    object, from its parent's fields (a gap record's recommendation, its module, its file)."""
    if view.fence is None:
        return None
    doc = view.doc
    opened = _enclosing_open(doc, first)
    if opened is None or opened[1] != "{":
        return None
    own = _open_key(doc.text(opened[0]))
    fields = _object_fields(doc, opened[0])
    reason = next((v for k, v in fields if k.lower() in ("reason", "rationale", "why")), None)
    prio = next(("P" + m["p"] for k, v in fields if k.lower() == "priority" for m in [_PRIORITY.search(v)] if m), None)
    container = ""
    if own is None or own.lower() in _SCORE_KEYS:
        parent = _enclosing_open(doc, opened[0])
        if parent is None or parent[1] != "{":
            return None
        fields = _object_fields(doc, parent[0])
        own = _open_key(doc.text(parent[0]))
        up = _enclosing_open(doc, parent[0])
        container = (_open_key(doc.text(up[0])) or "") if up else ""
    values = {k: v for k, v in fields if not _SKIP_KEYS.search(k) and not _PLACEHOLDER.search(v)}
    name = next((values[k] for k in _TASK_KEYS if k in values and _content_words(values[k])), None)
    if own and own.lower() not in _SCORE_KEYS and (_names_something(own.replace("_", " ")) or "_" in own):
        task = own
    elif name:
        kind = " ".join(container.replace("_", " ").split())
        task = f"{kind}: {name}" if kind and " " not in name.strip() else name
    else:
        return None
    task = _task_text(task)
    if not task:
        return None
    parts, size = [], 0
    for k, v in values.items():
        if v == name or k.lower() in ("reason", "rationale", "why"):
            continue
        part = f"{k}: {_scrub(v)}"
        if size + len(part) > MAX_DETAILS:
            break
        parts.append(part)
        size += len(part) + 2
    kind = " ".join(container.replace("_", " ").split())
    context = kind if kind and kind.lower() not in task.lower() else _context_for(view, first, task)
    return task, context, "; ".join(parts), reason, prio


def _inline_object(text: str) -> tuple[str, str, str | None, str | None] | None:
    """A line that is a whole JSON object: (task, details, reason, stated priority) from its
    fields, the task empty when no field names one; None for any other line."""
    t = _TAGS.sub("", text).strip().rstrip(",")
    if not (t.startswith("{") and t.endswith("}")):
        return None
    try:
        obj = json.loads(t)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    fields = {str(k): _plain(str(v)) for k, v in obj.items() if isinstance(v, (str, int, float)) and not isinstance(v, bool)}
    values = {k: v for k, v in fields.items() if not _SKIP_KEYS.search(k) and not _PLACEHOLDER.search(v)}
    name = next((values[k] for k in _TASK_KEYS if k in values and _content_words(values[k])), "")
    reason = next((v for k, v in fields.items() if k.lower() in ("reason", "rationale", "why")), None)
    m = _PRIORITY.search(fields.get("priority", ""))
    details = "; ".join(f"{k}: {_scrub(v)}" for k, v in values.items() if v != name and k.lower() not in ("reason", "rationale", "why"))
    return _task_text(name), details[:MAX_DETAILS], reason, "P" + m["p"] if m else None


def _enclosing_open(doc: Document, n: int) -> tuple[int, str] | None:
    """The line that opens the `{` or `[` holding line n, and which (brackets counted back, strings
    and comments skipped)."""
    depth = 0
    for k in range(n - 1, max(doc.start, n - 300) - 1, -1):
        for ch in reversed(_strip_strings(doc.text(k))):
            if ch in "}]":
                depth += 1
            elif ch in "{[":
                if depth == 0:
                    return k, ch
                depth -= 1
    return None


def _strip_strings(t: str) -> str:
    return _COMMENT_END.sub("", _STRINGS.sub('""', t))


def _open_key(t: str) -> str | None:
    m = _OPEN_KEY.match(t)
    return m["k"].strip() if m else None


def _object_fields(doc: Document, open_line: int) -> list[tuple[str, str]]:
    """The object's own `"key": value` fields: scalars, and lists of strings joined (nested
    objects skipped)."""
    out: list[tuple[str, str]] = []
    depth = 0
    k = open_line + 1
    while k <= doc.end and k - open_line < 400:
        raw = doc.text(k)
        if depth == 0:
            m = _JSON_KEY.match(raw)
            value = _json_value(raw, m) if m else ""
            if m and value.endswith("[") and not value.startswith("{"):
                vals, j = [], k + 1
                while j <= doc.end and j - k < 30 and not doc.text(j).strip().startswith("]"):
                    s = doc.text(j).strip().rstrip(",")
                    if s.startswith(("{", "[")):
                        vals = []
                        break
                    vals.append(_plain(s.strip("\"'")))
                    j += 1
                if vals:
                    out.append((m["key"], ", ".join(vals)))
            elif m and not value.endswith("{"):
                v = value
                try:
                    value = json.loads(v) if v[:1] in "\"-0123456789tfn" else v.strip("'")
                except ValueError:
                    value = v.strip("\"'")
                if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
                    out.append((m["key"], _plain(str(value))))
        for ch in _strip_strings(raw):
            if ch in "{[":
                depth += 1
            elif ch in "}]":
                depth -= 1
        if depth < 0:
            break
        k += 1
    return out


# -- from items to drafts ----------------------------------------------------------------------

# the word before a number that makes it a name, not a count ("Phase 2", "Batch 001", "WSP 3")
_NAMER = regex.compile(r"(?i)\b(phase|batch|test|option|step|wsp|sprint|version|part|item|issue|example|case|tier|"
                       r"stage|task|fix|bug|level|round)[\s_#-]*(\d+)\b")
_STOP = frozenset("the and for with from into that this are was were has have had not but its our all any via "
                  "in on at of to by as is be or an a".split())


def _identity(name: str) -> frozenset[str]:
    """What a task is, whatever its counts and sizes: its words and names, lowercased ("113 days"
    and "114 days" both read as "days"; "Batch 001" reads as "batch_001"); a path is one name, with
    its last part ("modules/a/run.py" and "run.py"), so that modules/a and modules/b differ."""
    text = _NAMER.sub(r"\1_\2", name.replace("\\", "/"))
    paths = [p.lower() for p in _PATH.findall(text) if "/" in p]
    words = {w.lower() for w in _WORD.findall(_PATH.sub(" ", text) if paths else text) if w.lower() not in _STOP}
    return frozenset([*words, *paths, *(p.rsplit("/", 1)[1] for p in paths)])


def _names(ident: frozenset[str]) -> frozenset[str]:
    """The words of an identity that are names (paths, identifiers, numbered names)."""
    return frozenset(w for w in ident if "_" in w or "/" in w or "." in w or any(c.isdigit() for c in w))


def _restates(later: frozenset[str], names: frozenset[str], earlier: frozenset[str]) -> bool:
    """Whether a later task (its words, and among them its names) names what an earlier one with
    the same total did: its names (paths, identifiers) all in the earlier one's, and at least half
    its words."""
    if not later or not earlier:
        return False
    if later == earlier:
        return True
    if names and not names <= earlier:
        return False
    shared = len(later & earlier)
    return shared >= min(2, len(later)) and shared * 2 >= len(later)


def _vector(item: Item) -> tuple[int, ...] | None:
    return tuple(item.dims[d] for d in DIMS) if item.dims and len(item.dims) == 4 else None


_FORM_ROWS = {"arbitration": "arbitration rows", "line": "machine-written rows", "table": "table rows",
              "block": "score blocks"}
# a legend, not a task: the default or typical score of a kind of issue ("Default WSP_VIOLATION")
_DEFAULT_TASK = regex.compile(r"(?i)^(?:the\s+)?(?:default|typical)\b")
# what a finding is about: paths and file names ("modules/demo/x.py", "ModLog.md")
_PATH = regex.compile(r"[\w.-]*[/\\][\w./\\-]*\w|\b[\w-]+\.(?:py|md|json|jsonl|txt|ya?ml|toml|js|ts|db|sh|cfg|ini)\b")
_FINDING_STOP = frozenset("found detected detect file files module modules contains with from that this into "
                          "python implementation expected".split())


def _finding(task: str) -> tuple[frozenset[str], frozenset[str]]:
    """A machine-written finding as (the paths it names, the stems of its other words): two
    detectors reporting one file's finding name the same paths and share a stem ("lacking tests",
    "lacks matching tests")."""
    paths = frozenset(p.replace("\\", "/").lower() for p in _PATH.findall(task))
    rest = _PATH.sub(" ", task)
    stems = frozenset(w.lower()[:4] for w in regex.findall(r"[A-Za-z]{4,}", rest)
                      if not w.isupper() and w.lower() not in _FINDING_STOP)
    return paths, stems


def _template(item: Item) -> str | None:
    """The template an item's drafts share with other rows, named by its answer (Draft.template):
    a machine-written row's form and score vector (or total), and for a score with reasons, the
    reasons too (score tables that differ only in their name); None for other items."""
    vec = _vector(item)
    answer = f"scored C:{vec[0]} I:{vec[1]} D:{vec[2]} P:{vec[3]} (MPS {item.total})" if vec else f"with MPS {item.total}"
    reasons = [item.reasons[d] for d in DIMS if d in item.reasons] + ([item.reason] if item.reason else [])
    if item.template:
        what = _FORM_ROWS.get(item.form, "template rows")
    elif reasons:
        what = "items"
    else:
        return None
    return f"{what} {answer}" + (f" with the reasons \"{'; '.join(reasons)}\"" if reasons else "")


def _select(items: list[Item]) -> list[tuple[Item, str | None, int]]:
    """The document's items in line order, restatements and legends dropped, each with its
    template (None for an item that is none) and its turn among the document's items of that
    template (0 for the first)."""
    items.sort(key=lambda it: it.line)
    # a dimension block without a total, followed by a line with the same four scores and a total
    # ("Default: C:1 I:4 D:4 Im:3 -> Total: 12"), is that line's item: its reasons join it
    for i, it in enumerate(items):
        if it.form == "block" and it.stated_total is None:
            nxt = next((o for o in items[i + 1:i + 3] if o.line - it.last <= 10 and _vector(o) == _vector(it)), None)
            if nxt is not None:
                nxt.reasons = {**it.reasons, **nxt.reasons}
                nxt.legend = nxt.legend or it.legend
                it.task = ""
    kept: dict[int, list[frozenset[str]]] = {}  # total -> identities of the items kept with it
    # (total, name) -> identities holding that name: a task with names restates only one of these,
    # so a dump of a thousand rows is not compared pairwise
    by_name: dict[tuple[int, str], list[frozenset[str]]] = {}
    # path -> findings of the machine-written rows kept that name it (paths, stems)
    findings: dict[str, list[tuple[frozenset[str], frozenset[str]]]] = {}
    # an item written out again word for word -> its template and turn (None: not made)
    copies: dict[tuple, tuple[str | None, int] | None] = {}
    out: list[tuple[Item, str | None, int]] = []
    turns: dict[str, int] = {}
    for it in items:
        if not it.task or it.total is None or _STATUS.search(it.task):
            continue
        word_for_word = (it.task, it.context, it.total, _vector(it), it.form)
        if word_for_word in copies:
            # a pasted copy: its drafts are byte-identical, and the quality filter rejects them as
            # exact duplicates, on record
            if copies[word_for_word] is not None:
                out.append((it, *copies[word_for_word]))
            continue
        ident = _identity(it.name or it.task)
        names = _names(ident)
        if names:  # only an earlier task holding every one of these names can be restated
            candidates = min((by_name.get((it.total, n), []) for n in names), key=len)
        else:
            candidates = kept.get(it.total, [])
        if any(_restates(ident, names, e) for e in candidates):
            continue  # the same task in other words (a summary, a recap): one item, at its first place
        if it.template:
            paths, stems = _finding(it.task)
            if paths and any(paths <= p and stems & st for q in paths for p, st in findings.get(q, ())):
                continue  # one file's finding reported again by another detector, whatever its score
            for q in paths:
                findings.setdefault(q, []).append((paths, stems))
        kept.setdefault(it.total, []).append(ident)
        for name in names:
            by_name.setdefault((it.total, name), []).append(ident)
        if it.legend or _DEFAULT_TASK.match(it.task):
            copies[word_for_word] = None  # a legend, and its restatements with it, makes no example
            continue
        template = _template(it)
        turn = 0
        if template is not None:
            turn = turns[template] = turns.get(template, -1) + 1
        copies[word_for_word] = (template, turn)
        out.append((it, template, turn))
    return out


_ACTION_PREFIX = regex.compile(r"^\s*[A-Z][A-Z_]{3,}:\s+")
_AFTER_SCORES = regex.compile(r"(\((?:C|Complexity)\s*[:=][^)]*\)).*$")
_PRIORITY_WORD = regex.compile(r"\bP[0-4]\b|\b(?:critical|high|medium|low|backlog)\s+priority\b", regex.I)


def _record(doc: Document, item: Item) -> str | None:
    """The item's raw lines as a record to read, its answer cut out: the proposed action before
    the task and what follows the (C:, I:, D:, P:) scores (the stated priority and its action).
    None when a priority would still show."""
    rows = []
    for _, text in doc.span(item.first, item.last):
        text = _AFTER_SCORES.sub(r"\1", _ACTION_PREFIX.sub("", text)).strip()
        if text:
            rows.append(" ".join(text.split()))
    record = "\n".join(rows)
    if not record or _PRIORITY_WORD.search(record) or len(record) > MAX_DETAILS:
        return None
    return record


# what a reason cites that its reader must be given: a WSP, a number, a path or an identifier
_WSP_NUM = regex.compile(r"(?i)\bWSP[\s_-]?(\d+)\b")
_CITED = regex.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w.])|[\w.-]*[/\\][\w./\\-]*\w|"
                       r"\b[A-Za-z]\w*(?:[_.]\w+)+\b")


def _derivable(item: Item, inp: dict[str, Any]) -> bool:
    """Whether every WSP, number, path and identifier the item's reasons cite is in the rating
    input (a reason citing WSP 49 when the input names none is not derivable from it)."""
    given = " ".join(str(v) for v in inp.values()) + " " + item.details
    wsps, low = set(_WSP_NUM.findall(given)), given.lower()
    for r in [*item.reasons.values(), item.reason or ""]:
        if not set(_WSP_NUM.findall(r)) <= wsps:
            return False
        if any(m.lower() not in low for m in _CITED.findall(_WSP_NUM.sub(" ", r))):
            return False
    return True


def _drafts(item: Item, template: str | None, turn: int, doc: Document) -> list[Draft]:
    total = item.total
    assert total is not None
    prio = wsp15.nearest_priority(total)
    lo, hi = wsp15.PRIORITY_RANGES[prio]
    inp: dict[str, Any] = {"task_description": item.task}
    if item.context:
        inp["context"] = item.context
    if _BARE.match(item.task) and item.details:
        inp["details"] = item.details  # what a numbered name ("Batch 001") stands for
    stated: dict[str, Any] = {}
    if item.stated_total is not None and item.dims and item.stated_total != total:
        stated["stated_total"] = item.stated_total
    if item.stated_priority and item.stated_priority != prio:
        stated["stated_priority"] = item.stated_priority
    # a wrong claim is a lesson only where the reader sees it: the `check` task shows it in the input
    # (claimed_total, claimed_priority) and the output corrects it; the other tasks leave it out
    claimed = {k.replace("stated_", "claimed_"): v for k, v in stated.items()}
    check = "check" if stated else None
    if stated:
        stated["claim_holds"] = False
    ambiguities = [f"{total} is outside WSP 15's 4-20 range; {prio} is the nearest band"] if not 4 <= total <= 20 else []
    common: dict[str, Any] = dict(
        evidence=item.evidence, label=prio, line=item.line, span=(item.first, item.last),
        identity=f"{total}|" + " ".join(sorted(_identity(item.name or item.task))),
        ambiguity=0.25 if ambiguities else 0.0, ambiguities=ambiguities, template=template)
    action = wsp15.PRIORITY_ACTIONS[prio]
    vec = _vector(item)
    if vec is None:
        out = {"mps_total": total, "priority": prio, "mps_range": f"{lo}-{hi}", "action": action,
               **({"range_note": ambiguities[0]} if ambiguities else {}), **stated}
        return [Draft(instruction_key=check or "priority", input={**inp, "mps_total": total, **claimed}, output=out,
                      kind="decision_trees",
                      required=("mps_total", "priority", "mps_range", "action"), rationale=1.0, **common)]
    if item.template and turn == 1:
        # the second row of a template in a document is read as a record (its answer naming its own
        # task), so that the two rows a template keeps teach two skills
        record = _record(doc, item)
        if record is not None:
            out = {"task": item.task, **dict(zip(DIMS, vec)), "mps_total": total,
                   "calculation": " + ".join(map(str, vec)) + f" = {total}", "priority": prio}
            return [Draft(instruction_key="record", input={"record": record}, output=out, kind="numeric_examples",
                          required=("task", "mps_total", "priority"), rationale=1.0, **common)]
    out = {"mps_total": total, "calculation": " + ".join(map(str, vec)) + f" = {total}", "priority": prio,
           "mps_range": f"{lo}-{hi}", "action": action, **stated}
    drafts = [Draft(instruction_key=check or "compute", input={**inp, **dict(zip(DIMS, vec)), **claimed}, output=out,
                    kind="numeric_examples", required=("mps_total", "priority", "action"), rationale=1.0, **common)]
    if item.details and (not item.template or item.reasons or item.reason) and _derivable(item, inp) \
            and not _backwards(vec[DIMS.index("deferability")], item.reasons.get("deferability")):
        # rating: only where the text says what the task is beyond its name, so that a reader of
        # the input could rate it; the reasons only where the text gives them
        out = {}
        for d, score in zip(DIMS, vec):
            out[d] = score
            if d in item.reasons:
                out[f"{d}_reason"] = item.reasons[d]
        if item.reason:
            out["reason"] = item.reason
        out.update({"mps_total": total, "priority": prio})
        given = len(item.reasons) / 4
        rationale = 1.0 if given == 1 or (item.reason and given >= 0.5) else max(given, 0.75 if item.reason else 0.0)
        drafts.append(Draft(
            instruction_key="score", input={**inp, "details": item.details}, output=out, kind="rationale_chains",
            required=(*DIMS, "mps_total", "priority"), rationale=rationale,
            rationale_note="" if rationale else "Incomplete example (missing rationale: the text gives no reasons for the scores)",
            **common))
    return drafts


def extract(doc: Document, hits: list[Match], pack: DomainPack) -> list[Draft]:
    reader = _Reader(doc)
    for m in hits:
        if m.line in doc:
            reader.read(m.line)
    drafts: list[Draft] = []
    for item, template, turn in _select(reader.items):
        drafts.extend(_drafts(item, template, turn, doc))
    return drafts


EXTRACTOR = Extractor(document=extract)
