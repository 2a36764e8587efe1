"""first_principles: problem -> reasoning chain -> decision, from Occam's Razor, first-principles and
root-cause passages.

The text gives these passages in three shapes:
- a section: a heading or bold label ("### Root Cause Analysis", "**First Principles Analysis**:")
  whose bullets are the reasoning, with the decision in a "Solution:"/"Decision:"/"Simplest Fix:"
  line inside it or in the "... Solution" section right after it;
- an inline label: "**Occam's Razor**: Qwen should decide AND execute (simplest, no bottleneck)",
  "Root cause: `disconnect()` only cleared the driver reference", "A vs B -> A wins";
- a `[QWEN-FIRST-PRINCIPLES]` log line: a question, answered by the log lines after it.
The problem is the nearest "Problem:"/"Question:"/"Issue:" statement in the same section, else the
topic the heading names (flagged as ambiguous). Every field is text from the passage, never invented;
a passage without a problem, a reasoning step and a decision yields nothing. `rationale` is the share
of the chain the text spells out (one reason 0.5, two steps 0.75, three or more 1.0).
"""

from __future__ import annotations

import regex

from training_data_miner.skills.extractors import Draft, EMOJI_ESCAPE, Extractor, STATUS_TAGS, context_lines, plain_ascii
from training_data_miner.skills.extractors import rx
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import DomainPack

_PRINCIPLES = (
    ("occams_razor", regex.compile(r"(?i)occ[au]m|\bsimplest\b")),
    ("root_cause", regex.compile(r"(?i)root[- _]?causes?")),
    ("first_principles", regex.compile(r"(?i)first[- _]principles?|1st\s+principles?")),
)
_TERM = (r"(?:occ[au]m'?s?(?:\s+razor)?|first[- ]principles?|root[- ]causes?|"
         r"simplest\s+(?:fix|solution|path|approach))")
_HEADING = regex.compile(r"^\s{0,3}(?P<hashes>#{1,6})\s+(?P<title>\S.*?)\s*#*\s*$")
# A bold label alone on its line: "**First Principles Analysis**:", "- **Root Cause**:".
_LABEL_ONLY = regex.compile(
    r"^(?P<indent>\s*)(?:[-*]\s+|\d+[.)]\s+)?\*\*(?P<label>[^*]{2,80}?):?\*\*\s*(?:\([^)]{0,60}\))?\s*:?\s*$"
)
# A label with a value: "**Occam's Razor**: value", "- Root cause: value", "**Simplest Fix:** value".
_LABEL_VALUE = regex.compile(
    r"^(?P<indent>\s*)(?:[-*+]\s+|\d+[.)]\s+)?(?:\[[A-Z]+\]\s*)?\**(?P<label>[A-Za-z0-9][\w' ()/&-]{1,60}?)"
    r"(?::\*\*|\*\*\s*:|:)\s*(?P<value>\S.*)$"
)
# "**Solution** - Multi-threshold rotation engine:".
_LABEL_DASH = regex.compile(
    r"^(?P<indent>\s*)(?:[-*+]\s+|\d+[.)]\s+)?\*\*(?P<label>[A-Za-z][^*]{1,60}?)\*\*\s+[-\u2013\u2014]\s+(?P<value>\S.*)$"
)
_INLINE = regex.compile(
    r"(?i)(?P<label>" + _TERM + r"(?:\s+[A-Za-z]+){0,2}?)\**\s*(?:\([^)]{0,40}\))?\s*\**\s*:\**\s*(?P<value>\S.{5,})$"
)
_QWEN = regex.compile(r"\[QWEN-FIRST-PRINCIPLES\]\s*(?:\[U\+[0-9A-F]+\]\s*)?(?P<q>.+)$")
_QWEN_NEXT = regex.compile(r"\[QWEN-[A-Z-]+\]\s*(?:\[[A-Z+0-9]+\]\s*)*(?P<t>.+)$")
_DECISION_LABEL = regex.compile(
    r"(?i)^(?:occ[au]m'?s\s+(?:razor\s+)?(?:decision|solution|choice|fix)|decisions?|solutions?(?:\s+applied)?|"
    r"simplest\s+(?:fix|solution|path|approach)|the\s+fix|fix(?:es)?|answer|conclusion|recommendations?|"
    r"proper\s+location|correct\s+location|correct\s+approach|the\s+right\s+approach|"
    r"recommended|choice|verdict|resolution|correction(?:\s+plan)?|corrective\s+actions?|remediation|"
    r"prevention|pattern\s+stored|lessons?(?:\s+learned)?|actions?\s+taken|first\s+principles?\s+solution)\b"
)
_PROBLEM_LABEL = regex.compile(
    r"(?i)^(?:problem(?:\s+statement)?|question|issue|the\s+question|user\s+question|symptom|"
    r"first\s+principles?\s+question|core\s+question|bug|challenge|problems?\s+identified|anti-pattern|"
    r"user\s+(?:request|directive|question)|012(?:'s)?\s+(?:request|directive|question|correction)|violations?)\b"
)
# Sub-labels whose lines argue the decision.
_WHY_LABEL = regex.compile(
    r"(?i)^(?:why\b|because|rationale|reason|reasoning|analysis|observed|impact|the\s+paradox|insight|"
    r"key\s+insight|what\b|who\b|when\b|how\b|where\b|does\b|is\b|can\b|root\s+cause)"
)
# Sub-labels whose lines are not reasoning (what was edited, how it performs now).
_NOT_REASONING = regex.compile(
    r"(?i)^(?:files?(?:\s+\w+)?|changes?(?:\s+made)?|key\s+changes|implementation|code|performance|"
    r"metrics|testing|tests?|test\s+results|validation|usage|next\s+steps|status|results?|before|after|"
    r"wsp\s+\w+|references?|commands?|output|example|location|module\s+structure|architecture)\b"
)
# Words a heading may use around the principle's name and still be a reasoning section.
_SECTION_WORDS = set(
    "analysis solution applied application decision approach question questions insight insights fix "
    "validation derivation thinking reasoning review breakdown check step why this it works identified "
    "found diagnosis and summary conclusion razor principle principles first root cause causes occam "
    "occams occum simplest the of a via with lesson lessons assessment re-evaluation re-assessment "
    "corrected correction rca over vs result resolution confirmed".split()
)
# Words that make a parenthesis or dash clause a reason rather than a detail.
_REASON_CUE = regex.compile(
    r"(?i)\b(?:simplest|simpler|simple|no|not|never|because|since|avoids?|only|already|fewer|less|"
    r"minimal|reuses?|existing|wins?|over|instead|without|bottleneck|cheaper|faster|redundant|needed|"
    r"unnecessary|duplicate|complexity|overhead)\b"
)
_IMPERATIVE = regex.compile(
    r"(?i)^(?:evaluate|apply|determine|check|run|use|follow|create|build|implement|add|make|ensure|execute)\b"
)
_ARROW = regex.compile(r"\s*(?:->|→|=>|⇒)\s*")
_MAX_STEPS = 8


def _clean(text: str, limit: int = 240) -> str:
    if not plain_ascii(text):
        text = EMOJI_ESCAPE.sub("", text)
    text = rx.sub(r"\*\*|__", "", text)
    text = rx.sub(r"^\s*(?:[-*+>•]|\d+[.)]|[✅❌✓✗]|\[[ xX]\])\s+", "", text)
    text = STATUS_TAGS.sub("", text.strip())
    text = " ".join(text.split()).strip(" -|")
    return text if len(text) <= limit else text[: limit - 3].rsplit(" ", 1)[0] + "..."


def principle_of(text: str) -> str | None:
    """The principle a line names first: occams_razor, root_cause or first_principles."""
    found = [(m.start(), name) for name, rx in _PRINCIPLES if (m := rx.search(text))]
    return min(found)[1] if found else None


def _words(text: str) -> int:
    return len(rx.findall(r"[A-Za-z]{2,}", text))


def _heading(line: str) -> tuple[int, str] | None:
    h = _HEADING.match(line)
    return (len(h["hashes"]), _clean(h["title"])) if h else None


def _label(line: str) -> tuple[str, str, int] | None:
    """(label, value, indent) of a "**Label**: value", "**Label** - value" or "Label: value" line;
    value may be empty."""
    m = _LABEL_ONLY.match(line)
    if m and (":" in line[m.start("label"):] or _words(m["label"]) <= 4):
        # a whole bold sentence ("**Don't add complexity - fix the logic**") is prose, not a label
        return _clean(m["label"]).rstrip(":"), "", len(m["indent"])
    m = _LABEL_DASH.match(line)
    if m and _words(m["label"]) <= 4:
        return _clean(m["label"]), _clean(m["value"]), len(m["indent"])
    m = _LABEL_VALUE.match(line)
    if (m and _words(m["label"]) <= 6 and not rx.match(r"(?i)https?$", m["label"])
            and m["label"].count("(") == m["label"].count(")")):  # not "Evening hours (22" of "(22:00)"
        return _clean(m["label"]), _clean(m["value"]), len(m["indent"])
    return None


def section_title(title: str) -> tuple[bool, str, bool]:
    """For a heading or label naming a principle: (is it a reasoning section, the topic it names,
    is it the decision half). "Root Cause Analysis: Why I Violated WSP 85" -> (True, "Why I Violated
    WSP 85", False); "Phase 5: First Principles Analyzer" -> (False, "", False)."""
    parts = [p.strip() for p in rx.split(r"\s*(?::|\s[-\u2013\u2014]\s|\(|\)|\[|\])\s*", title) if p.strip()]
    is_section, topic = False, []
    for part in parts:
        words = [rx.sub(r"['\u2019]s?$", "", w.lower()) for w in rx.findall(r"[A-Za-z][\w'\u2019-]*", part)]
        if principle_of(part):
            if words and all(w in _SECTION_WORDS or w.rstrip("s") in _SECTION_WORDS for w in words):
                is_section = True
            else:
                return False, "", False
        elif rx.search(r"[A-Za-z]{2,}", part) and not rx.fullmatch(r"(?i)step\s*\d+|\d+", part):
            if not all(w in _SECTION_WORDS for w in words):  # "Why This Works" names no topic
                topic.append(part)
    decision = bool(rx.search(r"(?i)\b(?:solution|fix|decision)\b", title))
    if topic and _IMPERATIVE.match(topic[0]):
        return False, "", False  # "Evaluate retrieval quality (first principles)" names a procedure step
    return is_section, " - ".join(topic), decision


def _unfenced(rows: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Rows outside ``` code blocks (fences counted from the first row)."""
    out, fence = [], False
    for n, line in rows:
        if line.lstrip().startswith("```"):
            fence = not fence
            continue
        if not fence:
            out.append((n, line))
    return out


def _block(after: list[tuple[int, str]], level: int | None, indent: int) -> list[tuple[int, str]]:
    """The lines a section anchor owns: for a heading, up to the next heading of its level or
    higher; for a bold label, up to the next label at its indentation or a heading."""
    out: list[tuple[int, str]] = []
    for n, line in after[:70]:
        if rx.match(r"^\s*(?:-{3,}|={5,}|\*{3,})\s*$", line):
            break
        h = _heading(line)
        if h and (level is None or h[0] <= level):
            break
        if level is None and out:
            lab = _label(line)
            bulleted = rx.match(r"^\s*(?:[-*+•]|\d+[.)])\s", line)
            if (lab and lab[2] <= indent and not bulleted and not _WHY_LABEL.match(lab[0])
                    and not _DECISION_LABEL.match(lab[0])):
                break
            if not line.strip() and out and not out[-1][1].strip():
                break
        out.append((n, line))
    return out


def _table_row(lines: list[tuple[int, str]], i: int) -> str:
    """A markdown table row as "cell: cell" (header and separator rows give "")."""
    line = lines[i][1]
    if rx.match(r"^\s*\|[-:| ]+\|\s*$", line):
        return ""
    if i + 1 < len(lines) and rx.match(r"^\s*\|[-:| ]+\|\s*$", lines[i + 1][1]):
        return ""  # the header row
    cells = [c for c in (_clean(c) for c in line.strip().strip("|").split("|")) if c]
    return ": ".join(cells) if any(_words(c) >= 2 for c in cells) else ""


def _read(lines: list[tuple[int, str]], decision_section: bool,
          cause_section: bool = False) -> tuple[list[str], str, str, str]:
    """(reasoning steps, decision, problem, question) from a section's lines. In a decision
    section ("Occam's Razor Solution") only lines under a why-label count as reasoning; in a root
    cause section an "Issue:"/"Bug:" line names the cause, so it is a step."""
    steps: list[str] = []
    decision = problem = question = ""
    mode = "why" if not decision_section else "other"
    for i, (_, line) in enumerate(lines):
        h = _heading(line)
        if h:
            mode = "skip" if _NOT_REASONING.match(h[1]) else ("why" if not decision_section else "other")
            continue
        lab = _label(line)
        if lab:
            name, value, _ = lab
            if _DECISION_LABEL.match(name) or (principle_of(name) and value and not rx.match(r"(?i)root", name)):
                if not decision:
                    decision = value if value and not value.endswith(":") else (
                        f"{value} {_follow(lines[i + 1 :])}".strip())
                # the lines a bare "Solution:" label introduces are the decision, not reasoning
                mode = "skip" if decision_section or not value or value.endswith(":") else mode
                continue
            if _PROBLEM_LABEL.match(name) and not (cause_section and value and rx.match(r"(?i)issue|bug", name)):
                if rx.match(r"(?i)(?:the\s+|user\s+|core\s+|first\s+principles?\s+)?question", name) and value:
                    question = question or value
                    steps.append(f"Question: {value}")  # a question asked on the way is a step
                else:
                    problem = problem or value or _follow(lines[i + 1 :])
                    mode = "skip" if not value else mode
                continue
            if _NOT_REASONING.match(name):
                if not value:
                    mode = "skip"  # "**Files Modified:**" introduces lines that are not reasoning
                continue
            if not value:
                if _WHY_LABEL.match(name) or not decision_section:
                    mode = "why"  # "**Why This Happens:**" opens more reasoning
                continue
            if mode == "skip" and not _WHY_LABEL.match(name):
                continue  # "1. **Dependency Fix**: ..." under "Solution:" is part of the decision
            text = f"{name}: {value}"
        else:
            if mode != "why" or not line.strip():
                continue
            if line.lstrip().startswith("|"):
                text = _table_row(lines, i)
            elif line.rstrip().endswith(":") and not rx.match(r"^\s*(?:[-*+•]|\d+[.)])\s", line):
                continue  # an unlabelled lead-in ("Found:"), not a step
            else:
                text = _clean(line)
        if mode != "why" or _words(text) < 2 or text in steps:
            continue
        if rx.fullmatch(r"`?[\w./\\-]+\.\w{1,5}`?(?:\s*\([^)]*\))?", text):
            continue  # a bare file name is not a reasoning step
        if not decision and rx.search(r"(?i)\bsimplest\s+(?:fix|solution|approach|path)\s+(?:is|=)", text):
            decision = text  # "The SIMPLEST fix is adding X so that Y" states the decision
            continue
        steps.append(text)
    return steps, decision, problem, question


def _follow(lines: list[tuple[int, str]], items: int = 3, labels: bool = False) -> str:
    """The content a "Label:" line or heading introduces: its next few lines, joined. With
    `labels`, "**Impact:** text" lines count as content too."""
    parts = []
    for _, line in lines[:8]:
        if not line.strip():
            if parts:
                break
            continue
        lab = _label(line)
        if _heading(line):
            break
        if lab and not lab[1]:
            if parts:
                break
            continue  # "1. **CLAUDE.md Enhancement**:" heads the lines that say what was done
        if lab and not labels and not rx.match(r"^\s*(?:[-*+•]|\d+[.)])\s", line):
            break
        if line.lstrip().startswith("|"):
            # a "file | change" table: the last cell says what was done
            row = [c for c in (_clean(c) for c in line.strip().strip("|").split("|")) if c]
            text = row[-1] if row and not rx.fullmatch(r"[-: ]+", row[-1]) else ""
            if not rx.search(r"(?i)^(?:change|changes|fix|description|what|action)$", text) and _words(text) >= 2:
                parts.append(text)
            if len(parts) >= items:
                break
            continue
        text = f"{lab[0]}: {lab[1]}" if lab and lab[1] else _clean(line)
        if _words(text) >= 2 and not text.endswith(":"):  # "Guard pattern:" leads into code
            parts.append(text)
        if len(parts) >= items:
            break
    return "; ".join(parts)


_PROBLEM_HEAD = regex.compile(
    r"(?i)^(?:the\s+)?(?:problem|issue|question|bug|symptom|violation|error|failure)s?"
    r"(?:\s+(?:detected|statement|found|identified))?\b\s*\d*\s*[:.-]?\s*"
)
_CONTEXT_HEAD = regex.compile(r"(?i)^(?:summary|context|background|situation|what happened)\b")
_GENERIC_HEAD = regex.compile(r"(?i)^(?:what changed|overview|key insights|details|notes|implementation|changes)\b")


def _problem_before(before: list[tuple[int, str]]) -> tuple[str, bool]:
    """The nearest problem statement above the anchor (explicit=True): a "Problem:" label, an
    "Issue 1: X" heading, or the text under a "Problem" heading; else a summary or the topic a
    heading names (explicit=False)."""
    fallback = ""
    for i in range(len(before) - 1, max(-1, len(before) - 30), -1):
        _, line = before[i]
        lab = _label(line)
        if lab and _PROBLEM_LABEL.match(lab[0]):
            text = lab[1] or _follow(before[i + 1 :])
            if text:
                return text, True
        h = _heading(line)
        if not h:
            continue
        title = rx.sub(r"^(?:\d+(?:\.\d+)*[.)]?\s*|[A-Z]\d*[.:]\s+|\[[^\]]*\]\s*)", "", h[1]).strip()
        p = _PROBLEM_HEAD.match(title)
        if p:
            rest = title[p.end():].strip()
            if _words(rest) >= 2:
                return rest, True
            text = _follow(before[i + 1 :], items=2, labels=True)
            if text:
                return text, True
            continue  # "### Problem Detected" over a code block: the heading above names it
        if _CONTEXT_HEAD.match(title):
            text = _follow(before[i + 1 :], items=2)
            if text:
                return text, False
        if principle_of(title):
            ok, topic, _ = section_title(title)
            title = topic if ok else ""
        bare = rx.sub(r"\S+\.(?:md|py|json|txt|tsx?|js)\b", "", title)  # "From X.md:" names no topic
        if not fallback and _words(bare) >= 3 and not _GENERIC_HEAD.match(title) and not title.endswith(":"):
            fallback = title
        if h[0] <= 2:
            break
    return fallback, False


_DECISION_HEAD = regex.compile(
    r"(?i)\b(?:solution|decision|fix|answer|conclusion|recommendation|correction|corrective|prevention|"
    r"remediation|resolution)\b|^(?:changes?|what changed|changes made|files?(?: changed| modified)?)$"
)


def _decision_after(after: list[tuple[int, str]]) -> str:
    """A decision stated just after the reasoning: a "Solution:"/"Fix:" line, or the content of a
    following "... Solution" / "Fix" / "Changes" / "Correction Plan" section."""
    passed = 0
    for i, (_, line) in enumerate(after[:16]):
        if rx.match(r"^\s*(?:-{3,}|={5,}|\*{3,})\s*$", line):
            return ""  # a separator ends the passage
        lab = _label(line)
        if lab and _DECISION_LABEL.match(lab[0]):
            text = lab[1] if lab[1] and not lab[1].endswith(":") else f"{lab[1]} {_follow(after[i + 1 :])}".strip()
            if text:
                return text
            continue
        if lab and _PROBLEM_LABEL.match(lab[0]):
            return ""  # the next problem starts
        h = _heading(line)
        if not h:
            continue
        if _DECISION_HEAD.search(h[1]):
            named = rx.match(r"(?i)^[^:]*\b(?:solution|fix|decision)\b[^:]*:\s*(?P<x>.{8,})$", h[1])
            if named:
                return named["x"]  # "Solution Implemented: Correct Qwen->0102 Architecture"
            for _, nxt in after[i + 1 : i + 8]:
                lab2 = _label(nxt)
                if lab2 and lab2[1] and (_DECISION_LABEL.match(lab2[0]) or principle_of(lab2[0])):
                    return lab2[1]
            return _follow(after[i + 1 :], items=2, labels=True)
        passed += 1
        if h[0] <= 2 or passed > 1:
            return ""  # a new top-level section, or two sections on: the decision is not stated
    return ""


def _decision_before(before: list[tuple[int, str]]) -> str:
    """A fix stated in the section just above a root cause ("### Corrective Actions Taken:")."""
    for i in range(len(before) - 1, max(-1, len(before) - 20), -1):
        line = before[i][1]
        h = _heading(line)
        lab = _label(line)
        if h and _DECISION_HEAD.search(h[1]) or (lab and not lab[1] and _DECISION_LABEL.match(lab[0])):
            return _follow(before[i + 1 :], labels=bool(h))
        if h and h[0] <= 2:
            break
    return ""


def _covered(before: list[tuple[int, str]]) -> bool:
    """Whether an inline label sits inside a principle section (which makes the example itself)."""
    for _, line in reversed(before[-30:]):
        h = _heading(line)
        lab = _LABEL_ONLY.match(line)
        if h or lab:
            title = h[1] if h else _clean(lab["label"])
            if principle_of(title) and section_title(title)[0]:
                return True
            if h:
                return False
    return False


def _split_arrow(value: str) -> tuple[list[str], str]:
    """"A vs B -> B wins" -> (["A vs B"], "B wins"); no arrow -> ([], value)."""
    parts = [p.strip(" .") for p in _ARROW.split(value) if p.strip(" .")]
    if len(parts) >= 2:
        return parts[:-1], parts[-1]
    return [], value


def _draft(problem: str, explicit: bool, steps: list[str], decision: str, principle: str,
           evidence: str, line: int, cap: float = 1.0) -> list[Draft]:
    # a step that only restates the problem or the decision is not reasoning
    steps = [s for s in steps if s.split(": ", 1)[-1] not in (decision, problem)][:_MAX_STEPS]
    if not (problem and steps and decision):
        return []  # without all three there is no problem -> reasoning -> decision to learn
    ambiguities: list[str] = []
    ambiguity = 0.0
    if not explicit:
        ambiguities.append("problem taken from the section heading, not a stated problem")
        ambiguity += 0.25
    rationale = min({1: 0.5, 2: 0.75}.get(len(steps), 1.0), cap)
    note = "" if rationale >= 1 else f"Partial rationale (the text gives {len(steps)} reasoning step(s))"
    out = {"problem": problem, "reasoning_chain": steps, "decision": decision, "principle": principle}
    return [Draft(
        instruction_key="reason", input={"problem": problem}, output=out, evidence=evidence,
        kind="rationale_chains" if len(steps) >= 2 else "decision_trees", label=principle,
        required=("problem", "reasoning_chain", "decision", "principle"), rationale=rationale,
        rationale_note=note, ambiguity=ambiguity, ambiguities=ambiguities, line=line,
    )]


def _qwen(match: Match) -> list[Draft]:
    """"[QWEN-FIRST-PRINCIPLES] Is the last video still live?" and the log's answer below it."""
    q = _QWEN.search(match.text)
    if not q:
        return []
    steps: list[str] = []
    decision = ""
    for line in match.context_after[:4]:
        m = _QWEN_NEXT.search(line)
        if not m:
            continue
        text = _clean(m["t"])
        if " - " in text and rx.search(r"(?i)\b(?:need|should|skip|use|check|scan)\b", text.rsplit(" - ", 1)[1]):
            step, decision = text.rsplit(" - ", 1)
            steps.append(step)
            break
    # A log line answers the question but does not argue it: at most one step of reasoning.
    return _draft(_clean(q["q"]), True, steps, decision, "first_principles", q.group(0).strip()[:300],
                  match.line, cap=0.5)


_TABLE_ROW = regex.compile(r"^\s*\|.*\|\s*$")


def _table(match: Match) -> list[Draft]:
    """"| Issue | Root Cause | Fix | Impact |": one problem -> root cause -> fix example per row."""
    head = [_clean(c).lower() for c in match.text.strip().strip("|").split("|")]

    def col(pattern: str) -> int | None:
        return next((i for i, c in enumerate(head) if rx.search(pattern, c)), None)

    issue, cause = col(r"issue|problem|symptom|bug"), col(r"root")
    fix = col(r"^(?:fix|solution|resolution|change|action)")
    if None in (issue, cause, fix):
        return []
    drafts: list[Draft] = []
    for n, line in enumerate(match.context_after[:25], start=match.line + 1):
        if not _TABLE_ROW.match(line):
            break
        cells = [_clean(c) for c in line.strip().strip("|").split("|")]
        if len(cells) != len(head) or rx.fullmatch(r"[-: ]*", "".join(cells)):
            continue
        problem, root, decision = cells[issue], cells[cause], cells[fix]
        if _words(problem) < 2 or _words(root) < 2 or _words(decision) < 2:
            continue
        for d in _draft(problem, True, [root], decision, "root_cause", line.strip()[:300], n):
            if _words(problem) < 3:
                d.ambiguities.append("the problem is named, not described")
                d.ambiguity = 0.25
            drafts.append(d)
    return drafts


def extract(match: Match, pack: DomainPack) -> list[Draft]:
    if "[QWEN-FIRST-PRINCIPLES]" in match.text:
        return _qwen(match)
    if _TABLE_ROW.match(match.text):
        return _table(match)
    text = match.text
    principle = principle_of(text)
    if principle is None:
        return []
    rows = context_lines(match)
    before = _unfenced([r for r in rows if r[0] < match.line])
    after = _unfenced([r for r in rows if r[0] > match.line])
    evidence = text.strip()[:300]
    h = _heading(text)
    lab = _label(text)

    if h or (lab and not lab[1]):
        title = h[1] if h else lab[0]
        ok, topic, decision_section = section_title(title)
        if not ok:
            return []
        block = _block(after, h[0] if h else None, lab[2] if lab and not h else 0)
        steps, decision, problem, question = _read(block, decision_section, principle == "root_cause")
        explicit = bool(problem)
        if not problem:
            problem, explicit = _problem_before(before)
            if not explicit and question:
                problem, explicit = question, True
            elif topic and not explicit:
                problem, explicit = topic, False
        if decision_section and not steps:
            return []  # a solution with no argument for it is not a reasoning chain
        if not decision:
            rest = [r for r in after if not block or r[0] > block[-1][0]]
            decision = _decision_after(rest)
        if not decision and principle == "root_cause":
            decision = _decision_before(before)
        if not decision and len(steps) >= 3:
            tail, concl = _split_arrow(steps[-1])
            if tail:
                steps[-1], decision = " -> ".join(tail), concl  # "What's missing? -> Configuration only"
        return _draft(problem, explicit, steps, decision, principle, evidence, match.line)

    m = _INLINE.search(text)
    if not m or _covered(before):
        return []
    value = _clean(m["value"], limit=300)
    label = m["label"].lower()
    steps, decision = _split_arrow(value)
    if "root" in label and "cause" in label:
        if not rx.fullmatch(r"(?i)root[- ]causes?(?:\s+(?:identified|found|confirmed))?", label.strip()):
            return []  # "Root Cause Analysis: Determine whether..." names a procedure step
        # a root cause is a reason; the fix stated with it decides
        steps, decision = [value], _decision_after(after) or _decision_before(before)
    elif not steps:
        # "**Occam's Razor**: do X (simplest, no bottleneck)": the decision with its reason.
        r = rx.match(r"^(?P<d>.+?)\s*(?:\((?P<why>[^)]{4,})\)|\s[-\u2013\u2014]\s(?P<why2>.{4,}))$", value)
        why = (r["why"] or r["why2"]) if r else ""
        if r and (not _REASON_CUE.search(why) or _words(why) < 2 or why.rstrip().endswith("?")):
            r = None  # "(doc_dae + AI_Overseer)" details the decision; it does not argue for it
        if r:
            decision, steps = r["d"], [why]
        elif value.endswith(":"):
            decision = f"{value} {_follow(after, items=4)}".strip()
    lead = _clean(text[: m.start()])
    problem, explicit = "", False
    if _words(lead) >= 4 and not rx.search(r"[:*]\s*$", text[: m.start()]):
        problem, explicit = lead, True
    if not problem:
        problem, explicit = _problem_before(before)
    return _draft(problem, explicit, steps, decision, principle, evidence, match.line)


EXTRACTOR = Extractor(extract=extract)
