"""mps_scoring: a task and its WSP 15 scores -> dimensions, recomputed total and priority.

Every number is recomputed: `mps_total` is always C+I+D+P when the four dimensions are known, and
`priority` always comes from the WSP 15 table. A stated total or priority that disagrees is kept
beside the corrected one (`stated_total`, `stated_priority`) so the model learns the right label.
In `(C:, I:, D:, P:)` the P is imPact, never priority.
"""

from __future__ import annotations

import regex

from training_data_miner.skills import wsp15
from training_data_miner.skills.extractors import Draft, Extractor, context_lines
from training_data_miner.skills.extractors import rx
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import DomainPack

_DIM = regex.compile(
    r"(?i)\b(?P<dim>complexity|importance|deferability|impact)\b(?:\s*\([CIDP]\))?\**\s*[:=]\s*\**\s*"
    r"(?P<score>[1-5])\b(?!\s*[-+*/]\s*\d)(?:\s*/\s*5)?\**"
    r"(?:\s*\((?P<paren>[^)]{3,160})\)|\s*[-\u2013\u2014:]\s*(?P<tail>\S.{2,160}))?"
)
_ABBREV = regex.compile(
    r"\bC\s*[:=]\s*(?P<c>[1-5])\s*[,/ ]\s*I\s*[:=]\s*(?P<i>[1-5])\s*[,/ ]\s*D\s*[:=]\s*(?P<d>[1-5])"
    r"\s*[,/ ]\s*(?:P|Im)\s*[:=]\s*(?P<p>[1-5])\b"
)
# A stated MPS total: "MPS Score: 12", "MPS: 12", "(MPS 14)", "Total MPS: 1+5+1+3 = **10", "= 14 (P1)",
# "Batch 001 Score: 9", "Score: 14 -> P0", "MPS 17/20".
_TOTAL = regex.compile(
    r"(?i)(?:\b(?:total\s+mps|mps\s+total|mps\s+score|mps)\b\**\s*[:=|]?\s*\**\s*"
    r"(?:(?:[1-5]\s*\+\s*){3}[1-5]\s*=\s*)?\**|\bscore\s*:\s*|(?<=[A-Za-z_]\w*)\s*=\s*(?=\d{1,2}\s*\(P[0-4]\)))"
    r"(?P<total>\d{1,2})\b(?!\s*[-%.]\d)(?:\s*/\s*20)?"
)
_PRIORITY = regex.compile(r"\b(?P<p>P[0-4])\b(?!\s*[:=])")
_RANGE = regex.compile(r"(?i)\bMPS\s*[:=]?\s*\d{1,2}\s*[-\u2013]\s*\d{1,2}\b")
_TAG = regex.compile(r"\[[^\]]{0,40}\]|^\s*\d{4}-\d\d-\d\d[ T][\d:,.]+\s*-\s*[\w.]+\s*-\s*\w+\s*-\s*")
_ACTION_LINE = regex.compile(r"^\s*(?P<action>[A-Z][A-Z_]{3,}):\s+(?P<task>\S.+)$")
_HEADING = regex.compile(r"^\s*#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
_ACTION_TEXT = regex.compile(
    r"(?i)\bP[0-4]\s+(?:critical|high|medium|low|backlog)\b[^.,]*(?:,\s*(?P<act>[^.]+))?"
)
_BOLD_TITLE = regex.compile(r"^\s*(?:[-*]\s*)?\*\*(?P<title>[^*]{4,120})\*\*:?\s*$")
_NOISE = regex.compile(
    r"(?i)^(?:(?:mps|wsp\s*15|score|total|priority|formula|scoring|breakdown|agent|calculation|rationale|decision|classification)\W*)+$"
    r"|^(?:agent|status|priority|owner|date)\s*:"
)


def _dims_on(text: str) -> dict[str, tuple[int, str | None]]:
    dims: dict[str, tuple[int, str | None]] = {}
    a = _ABBREV.search(text)
    if a:
        for key, dim in zip("cidp", wsp15.DIMENSIONS):
            dims[dim] = (int(a[key]), None)
        return dims
    found = list(_DIM.finditer(text))
    for m in found:
        reason = m["paren"] if m["paren"] else (m["tail"] if len(found) == 1 else None)
        if reason:
            reason = reason.strip(" *`.;,")
            if rx.fullmatch(r"(?i)[\d\s+=/*()PC-]*", reason):
                reason = None
        dims.setdefault(m["dim"].lower(), (int(m["score"]), reason or None))
    return dims


def _is_dim_line(text: str) -> bool:
    return bool(_DIM.search(text)) and not _ABBREV.search(text) and len(_DIM.findall(text)) == 1


def _clean(text: str) -> str:
    text = _TAG.sub(" ", text)
    text = rx.sub(r"[*`_]{2,}|^\s*[-*>|]+\s*|\s*\|\s*$", " ", text)
    return " ".join(text.split()).strip(" -:|")


def _task_from_line(text: str, spans: list[tuple[int, int]]) -> str:
    """What is left of the line once the scores are cut out, if it reads like a task."""
    parts, pos = [], 0
    for s, e in sorted(spans):
        parts.append(text[pos:s])
        pos = max(pos, e)
    parts.append(text[pos:])
    rest = " ".join(parts)
    rest = _ACTION_TEXT.sub(" ", rest)
    rest = rx.sub(r"\bP[0-4]\b", " ", rest)
    rest = rx.sub(r"\(\s*(?:C\s*:\s*\d[^)]*)?\)|[=:|]\s*$", " ", rest)
    rest = _clean(rest)
    rest = rx.sub(r"^(?:Priority|MPS|Score|Total|Batch For Session)\W*$", "", rest, flags=regex.I)
    if rest[:1] in "\"{[" or "\\n" in rest or _NOISE.match(rest.rstrip(":")):
        return ""  # code or JSON around a score is not a task description
    words = rx.findall(r"[A-Za-z]{2,}", rest)
    if len(words) >= 2 or (words and rx.search(r"[a-z]_[a-z]|/", rest)):
        return rest[:300]
    return ""


def _task_from_context(rows: list[tuple[int, str]], at: int) -> tuple[str, str | None]:
    """The line above that names the task: an "ACTION: task" line or a heading within a dozen
    lines, else the nearest plain line of text within three."""
    above = [r for r in rows if r[0] < at][-12:]
    for _, text in reversed(above):
        a = _ACTION_LINE.match(text)
        if a:
            return _clean(a["task"])[:300], a["action"]
        h = _HEADING.match(text) or _BOLD_TITLE.match(text)
        if h:
            title = _clean(h["title"]).rstrip(":")
            if title and not _NOISE.match(title) and len(rx.findall(r"[A-Za-z]{2,}", title)) >= 2:
                return title[:300], None
    for _, text in reversed(above[-3:]):
        if not text.strip() or _DIM.search(text) or _TOTAL.search(text) or text.lstrip().startswith(("```", "|")):
            continue
        title = _clean(text).rstrip(":")
        if title and not _NOISE.match(title) and len(rx.findall(r"[A-Za-z]{2,}", title)) >= 2:
            return title[:300], None
    return "", None


def _block(rows: list[tuple[int, str]], at: int) -> list[tuple[int, str]]:
    """The contiguous run of dimension/total lines around line `at` (one dimension per line)."""
    idx = next(i for i, r in enumerate(rows) if r[0] == at)

    def part(t: str) -> bool:
        return _is_dim_line(t) or bool(_TOTAL.search(t)) and "mps" in t.lower()

    lo = hi = idx
    while lo > 0 and part(rows[lo - 1][1]):
        lo -= 1
    while hi + 1 < len(rows) and part(rows[hi + 1][1]):
        hi += 1
    return rows[lo : hi + 1]


_PRIORITY_SPAN = regex.compile(r"\bP[0-4]\s*(?:-|\u2013|/|to)\s*P[0-4]\b")


# A priority stated of something: "Priority: P1", "P1 priority", not a scale row ("16-20 | P0").
_PRIORITY_STATED = regex.compile(r"(?i)(?<!\d\s*[-\u2013]\s*\d+\W{0,4})(?:\bpriority\W{0,3}P[0-4]\b|\bP[0-4]\s+priority\b)")


def extract(match: Match, pack: DomainPack) -> list[Draft]:
    if match.text.lstrip()[:1] in ('"', "{"):
        return []  # a JSON line quotes a score; the example is the object it belongs to
    # "Priority (P0-P4)" names the scale, not a priority: blank such spans (lengths kept for spans)
    text = _PRIORITY_SPAN.sub(lambda m: " " * len(m[0]), match.text)
    if _RANGE.search(text) and not _ABBREV.search(text):
        return []  # "P0 tasks: MPS 16-20" describes the table, not a task
    rows = context_lines(match)
    dims = _dims_on(text)
    evidence_line = match.line
    reasons_from_block = False

    if _is_dim_line(text) or (not dims and _TOTAL.search(text)):
        block = _block(rows, match.line)
        dim_rows = [r for r in block if _is_dim_line(r[1])]
        if len(dim_rows) >= 2:
            if dim_rows[0][0] != match.line:
                return []  # the block's first dimension line speaks for the whole block
            dims = {}
            for _, t in block:
                for k, v in _dims_on(t).items():
                    dims.setdefault(k, v)
            reasons_from_block = True
            totals = [(n, t) for n, t in block if _TOTAL.search(t) and not _is_dim_line(t)]
        else:
            totals = []
    else:
        totals = []

    spans: list[tuple[int, int]] = []
    stated_total = None
    stated_priority = None
    total_sources = [(match.line, text)] + totals
    seen_totals: set[int] = set()
    for n, t in total_sources:
        for m in _TOTAL.finditer(t):
            seen_totals.add(int(m["total"]))
            if n == match.line:
                spans.append(m.span())
            if stated_total is None:
                stated_total = int(m["total"])
                after = t[m.end():]
                p = _PRIORITY.search(after) or _PRIORITY.search(t[: m.start()])
                stated_priority = p["p"] if p else None
    if stated_priority is None and not totals:
        p = _PRIORITY.search(text)
        stated_priority = p["p"] if p else None
    for m in list(_ABBREV.finditer(text)) + list(_DIM.finditer(text)):
        spans.append(m.span())

    full = len(dims) == 4
    if not full and stated_total is None and stated_priority is None:
        return []
    if not full and stated_total is None and not _PRIORITY_STATED.search(text):
        return []  # a bare label ("P1" in a table row or a scale "13-15 = P1") is no prioritised task

    task = _task_from_line(text, spans)
    action = None
    if not task:
        task, action = _task_from_context(rows, match.line)
    ambiguities: list[str] = []
    ambiguity = 0.0
    if not task:
        ambiguities.append("the task is not stated near the score")
        ambiguity += 0.5
    if len(seen_totals) > 1 and not full:
        ambiguities.append(f"several totals on the line: {sorted(seen_totals)}")
        ambiguity += 0.5

    act = _ACTION_TEXT.search(text)
    stated_action = act["act"].strip() if act and act["act"] else None
    inp: dict = {"task_description": task or _clean(text)[:300]}
    if action:
        inp["proposed_action"] = action
    out: dict = {}
    note = ""
    if full:
        for dim in wsp15.DIMENSIONS:
            score, reason = dims[dim]
            out[dim] = score
            if reason:
                out[f"{dim}_reason"] = reason
            else:  # the text gives no reason: name the WSP 15 rubric level instead of inventing one
                out[f"{dim}_level"] = wsp15.level(dim, score)
        total = wsp15.mps_total(*(dims[d][0] for d in wsp15.DIMENSIONS))
        out["mps_total"] = total
        if stated_total is not None and stated_total != total:
            out["stated_total"] = stated_total
            ambiguities.append(f"stated total {stated_total} is not C+I+D+P = {total}")
            ambiguity += 0.25
        key = "score"
        required = (*wsp15.DIMENSIONS, "mps_total", "priority")
        text_reasons = sum(1 for d in wsp15.DIMENSIONS if dims[d][1])
        rationale = (text_reasons + (1 if stated_action else 0)) / 4
        if not text_reasons and not stated_action:
            note = "Incomplete example (missing rationale: no reasons for the scores)"
        kind = "rationale_chains" if text_reasons >= 2 else "numeric_examples"
    elif stated_total is not None:
        total = stated_total
        out["mps_total"] = total
        key = "total"
        required = ("mps_total", "priority", "action")
        rationale = 1.0 if stated_action or task else 0.5
        kind = "numeric_examples"
    else:
        total = None
        key = "priority"
        required = ("priority", "mps_range", "action")
        rationale = 1.0 if task else 0.5
        kind = "decision_trees"

    if total is not None:
        prio = wsp15.priority(total)
        if prio is None:
            return [Draft(instruction_key=key, input=inp, output=out, evidence=_evidence(match.text, spans),
                          kind=kind, required=required, rationale=0, ambiguity=1.0,
                          ambiguities=[f"MPS total {total} is outside WSP 15's 4-20 range"])]
        out["priority"] = prio
        if stated_priority and stated_priority != prio:
            out["stated_priority"] = stated_priority
            out["priority_corrected"] = True
        lo, hi = wsp15.PRIORITY_RANGES[prio]
        out["mps_range"] = f"{lo}-{hi}"
    else:
        prio = stated_priority
        out["priority"] = prio
        lo, hi = wsp15.PRIORITY_RANGES[prio]
        out["mps_range"] = f"{lo}-{hi}"
    out["action"] = stated_action or wsp15.PRIORITY_ACTIONS[out["priority"]]
    if reasons_from_block:
        kind = "rationale_chains" if rationale >= 0.5 else kind
    return [Draft(
        instruction_key=key, input=inp, output=out, evidence=_evidence(match.text, spans), kind=kind,
        label=out["priority"], required=required, rationale=min(rationale, 1.0), rationale_note=note,
        ambiguity=min(ambiguity, 1.0), ambiguities=ambiguities, line=evidence_line,
    )]


def _evidence(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text.strip()[:300]
    s = min(a for a, _ in spans)
    e = max(b for _, b in spans)
    return text[s:e].strip() or text.strip()[:300]


EXTRACTOR = Extractor(extract=extract)
