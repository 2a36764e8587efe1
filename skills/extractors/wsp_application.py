"""wsp_application: a line that invokes WSPs -> which WSPs, applied/complied/violated, on what, why.

The text names WSPs in many shapes (`WSP 22`, `WSP_84`, `(WSP 22)` at the end of a line, lists
such as `WSP 3, 22, 49`, compliance tables `| WSP 5 | Test Coverage | FAIL | ... |`) and states the
relation in words that often sit elsewhere on the line (`[HEALTH][VIOLATION] ... (WSP 22)`).
WSP *titles* carry the same words - "WSP 64 (Violation Prevention)", "WSP 54 ComplianceAgent" -
so titles are removed before the relation is read. Lines that write or edit a WSP document
("Created WSP 84 ...") are not applications and give no example.

Rationale is only what the line itself gives: a reason clause ("to prevent ...", "because ..."),
a table's evidence cell, the defect a violation names ("missing tests/TestModLog.md"), or, for
partial credit, the action taken under the WSP. Headings, bare mentions and open checklist items
are scored as ambiguous, so they do not pass the quality threshold.
"""

from __future__ import annotations

from typing import Any

import regex

from training_data_miner.skills.extractors import Draft, Extractor, plain_ascii
from training_data_miner.skills.extractors import rx
from training_data_miner.skills.models import Match, PatternType
from training_data_miner.skills.packs import DomainPack

MAX_STATEMENT = 320  # a longer line is cut to a verbatim window around its first WSP
MAX_CONTEXT = 160
MAX_SUBJECT_WORDS = 8
REQUIRED = ("wsp_numbers", "relation", "subject")

# -- cleaning ----------------------------------------------------------------------------------

_LOG_PREFIX = regex.compile(
    r"^\s*(?:\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[,.]\d+)?\s*-\s*[\w.]+\s*-\s*[A-Z]+\s*-\s*"
    r"|\[\d\d:\d\d:\d\d\]\s*)"
)
# `[U+2701]E` / `[U+2741]E` are mis-decoded check and cross marks; other escapes stand for emoji.
_ESCAPE = regex.compile(r"\[U\+27[0-4][0-9A-F]\]E|\[U\+[0-9A-Fa-f]{4,6}\]\s?")
_MOJIBAKE = regex.compile(r"ↁE")
_SYMBOL = regex.compile(r"[^\P{So}✅❌⚠]|[\ufe0f\ufffd]")  # pictographs, except the three that carry meaning
_LEAD = regex.compile(r"^(?:\s*(?:[-*+>•]|\d+(?:\.\d+)*[.)]|#{1,6}|\[[ xX]\])\s+)+")
_SPACE = regex.compile(r"\s+")


def _one_space(text: str) -> str:
    """Each run of whitespace as one space. Most texts already are: a space is the only printable
    whitespace character, so a printable text without a double space has nothing to change."""
    if "  " not in text and text.isprintable():
        return text
    return _SPACE.sub(" ", text)


def clean(text: str) -> str:
    """The line as a reader sees it: no log prefix, emoji escapes, markdown bold or bullets."""
    text = _LOG_PREFIX.sub("", text)
    if not plain_ascii(text):
        text = _ESCAPE.sub("", text)
        text = _MOJIBAKE.sub(" -> ", text)
        text = _SYMBOL.sub("", text)
    text = text.replace("**", "").replace("`", "")
    text = _LEAD.sub("", text)
    return _one_space(text).strip(" \t-:*")


# -- WSP references ----------------------------------------------------------------------------

# `WSP_50_Pre_Action...md` is a file name, not a reference: the number must not run into a word.
_REF = regex.compile(
    r"\bWSP[\s_-]*(\d{1,3})(?:\.\d+)?(?![\w])"
    r"(?:\s*(?:,|/|&|\+|\band\b)\s*(?:WSP[\s_-]*)?(\d{1,3})(?:\.\d+)?(?![\w%])"
    r"(?!\s*(?:%|x\b|tests?\b|files?\b|lines?\b|modules?\b|days?\b|hours?\b|items?\b|of\b)))*",
    regex.IGNORECASE,
)


def wsp_numbers(text: str) -> list[int]:
    """Every WSP number the text names, in order of first mention."""
    found: dict[int, None] = {}
    for m in _REF.finditer(text):
        for n in (m.group(1), *m.captures(2)):
            found[int(n)] = None
    return list(found)


# A parenthesis of Title Case words right after a reference is the WSP's name ("WSP 64
# (Violation Prevention)"); a lower-case one says how the WSP was met and stays.
_TITLE_PAREN = regex.compile(r"(\bWSP[\s_-]*\d{1,3}[^()\w]{0,3})\(([^()]{2,80})\)")
_TITLE_COLON = regex.compile(
    r"(\bWSP[\s_-]*\d{1,3})\s*:\s*((?:[A-Z0-9][\w'-]*|of|and|the|for|to|in|&)(?:\s+|$)){1,8}(?=$|[|,;(-])"
)
_SMALL = {"of", "and", "the", "for", "to", "in", "on", "a", "&", "-", "/", "+", "vs"}
_NAMES = rx.Alternation(  # one pattern per alternative: 6 -> 1 us per line (rx.Alternation)
    r"violations?(?:/\w+)?[\s-]+(?:prevention|tracking|detection|detector|fixer|warnings?|preventer|patterns?|rules?)",
    r"compliance\s*(?:agent|guardian|checker|checking|checks?|validator|validation|auditor|audit|engine|protocol"
    r"|section|framework|improvements?|rules?|fixer|report|score|scoring|status)",
    r"\w+\s+compliance\s+protocol",
    flags=regex.IGNORECASE,
)


def _is_title(words: str) -> bool:
    parts = [w for w in rx.split(r"[\s/]+", words) if w]
    return bool(parts) and all(not w[0].isalpha() or w[0].isupper() or w.lower() in _SMALL for w in parts)


def _name_like(words: str) -> bool:
    return _is_title(words) or len(words.split()) == 1  # "(Violation Prevention)", "(parent)", "(awakening)"


def drop_titles(text: str) -> str:
    """The text without the WSP titles that follow references ("WSP 64 (Violation Prevention)")."""
    text = _TITLE_PAREN.sub(lambda m: m.group(1) if _name_like(m.group(2)) else m.group(0), text)
    return _TITLE_COLON.sub(lambda m: m.group(1), text)


def strip_titles(text: str) -> str:
    """The text without WSP titles or agent names, so that their words are not read as the relation."""
    return _one_space(_NAMES.sub(" ", drop_titles(text)))


# A line that writes or edits a WSP document is about the WSP, not an application of it.
_AUTHORING = regex.compile(
    r"\b(?:creat|add|updat|enhanc|deprecat|remov|renam|modif|wr[io]t|draft|amend|extend|augment|deleted?)\w*"
    r"\s+(?:the\s+|new\s+|a\s+|existing\s+)?WSP[\s_-]*\d"
    r"|\bWSP[\s_-]*\d{1,3}\b\S{0,3}\s+(?:enhanced|updated|created|deprecated|amended|augmented|renamed|removed|extended)\b"
    r"|\b(?:added|adds?)\b[^.]{0,60}\bto\s+(?:the\s+)?WSP[\s_-]*\d"
    r"|\b(?:remov|delet|mov|archiv|renam|relocat)\w*\s+(?:\S+\s+){0,2}WSP_\d"
    r"|\bWSP[\s_-]*\d{1,3}\b[^.|]{0,40}\b(?:docs?|document|protocol\s+(?:text|file|document))\s+(?:updated|created|enhanced)"
    r"|\bWSP[\s_-]*\d{1,3}\s+(?:entry|section|reference|number)\s+(?:added|created|updated|assigned)|WSP_MASTER_INDEX",
    regex.IGNORECASE,
)
# "WSP 49: Enforces module structure" describes the protocol; it applies it to nothing.
_DEFINITION = regex.compile(
    r"^\W*(?:This\s+protocol|WSP[\s_-]*\d{1,3})\b[^a-z]{0,6}(?:\([^)]*\)\s*)?(?:[:-]\s*)?(?:also\s+|now\s+|only\s+)?"
    r"(?:establishes|defines|provides|describes|specifies|requires|mandates|governs|enforces|covers|documents|says"
    r"|states|is|was|extends|introduces|exists|addresses|prevents|ensures|enables|focuses|handles|tracks|contains)\b",
    regex.IGNORECASE,
)
_NOISE = rx.Alternation(  # one pattern per alternative: 25 -> 4 us per line (rx.Alternation)
    # searches, shells, code
    r"^\s*(?:Query:|\$\s|>>>|python\s|def\s|class\s|import\s|from\s+\S+\s+import|#\s*(?:TODO|NOTE)\b)",
    r"\]\(#",  # table-of-contents links
    # code and JSON
    r"\w+\s*=\s*[\[{(\"']", r"\"\w+\"\s*:\s*[\[{\"]", r"^\s*(?:[\"'{]|\[\s*(?:[\"'{\]]|\d+\s*[,\]]))", r"[)\]]\s*,\s*$",
    r"\b(?:print|log(?:ger)?\.\w+|append|format)\(", r"\bf[\"']", r"^\s*(?:if|elif|for|while|return|assert)\b",
    flags=regex.IGNORECASE,
)

# -- relation ----------------------------------------------------------------------------------

_NO_VIOLATION = regex.compile(
    r"\b(?:no|zero|0|without|prevent\w*|avoid\w*|catch\w*|detect\w*|report\w*|track\w*|future)\s+(?:\w+\s+){0,3}"
    r"violations?\b|\bviolations?\s*:\s*(?:0|none)\b|\bfor\s+(?:\w+\s+){0,2}violations\b"
    r"|\bviolations?\s+(?:remediation|resolution|handling|reports?|records?|logging|logs?|checks?|scanning|rules?)\b",
    regex.IGNORECASE,
)
_VIOLATED = regex.compile(
    r"\bviolat(?:ion|ions|ed|es|ing)\b|healthviolation|\bnon-?compliant\b|\bnot\s+(?:\w+\s+)?compliant\b|❌"
    r"|\bno\s+(?:corresponding\s+|matching\s+)?(?:test|tests|readme|interface|modlog|documentation|docs?)\b"
    r"|\bwithout\s+(?:proper\s+|any\s+)?(?:tests?|docs?|verification|documentation|pre-action)\b"
    r"|\bmissing\b|\bnot\s+updated\b|\bexceeds?\b|\bwrong\s+(?:domain|location|place|folder|directory)\b|\bFAIL(?:ED|S)?\b",
    regex.IGNORECASE,
)
_RESOLVED = regex.compile(
    r"\b(?:resolved|fixed|corrected|remediated|now\s+compliant|moved\s+to|eliminated|cleaned\s+up)\b", regex.IGNORECASE
)
_COMPLIED = regex.compile(
    r"\bcomplian(?:ce|t)\b|\bcomplies\b|\bPASS(?:ED)?\b|✅|\[OK\]|\bverified\b|\bachieved\b|\bmaintained\b",
    regex.IGNORECASE,
)
_APPLIED = regex.compile(
    r"\bfollow(?:ing|s|ed)?\b|\bper\b|\bappl(?:ied|ying|y|ies)\b|\bunder\b|\baccording\s+to\b|\benforc\w*\b"
    r"|\busing\b|\bvia\b|\bcites?\b",
    regex.IGNORECASE,
)
# A clause that opens with one of these verbs works on violations rather than reporting one.
_CHECKING = regex.compile(
    r"^(?:detect|check|validat|verif|scan|report|log|flag|find|identif|audit|generat|creat|add|prevent|track|enforc)"
    r"(?:e|es|s|ing|y|ies)?\b",
    regex.IGNORECASE,
)
_REMEDY = regex.compile(
    r"^(?:fixed|resolved|corrected|removed|moved|relocated|cleaned|archived|restored|deleted|remediated|identified\s+and"
    r"\s+(?:corrected|fixed|resolved))\b",
    regex.IGNORECASE,
)
_TRAILING_TAG = regex.compile(r"\(WSP[\s_-]*\d{1,3}\b[^()]{0,60}\)\W{0,4}$", regex.IGNORECASE)
_WSP_PAREN = regex.compile(r"\([^()]{0,30}\bWSP[\s_-]*\d{1,3}\b[^()]{0,60}\)", regex.IGNORECASE)
_SENTENCE = regex.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def relation_of(text: str) -> tuple[str | None, bool]:
    """(applied | complied | violated | None, resolved) as the title-free text states it."""
    plain = _NO_VIOLATION.sub(" ", text)
    if _VIOLATED.search(plain):
        return "violated", bool(_RESOLVED.search(plain))
    if _COMPLIED.search(plain):
        return "complied", False
    if _APPLIED.search(plain) or _TRAILING_TAG.search(text):
        return "applied", False
    return None, False


# -- subject, action and reason ----------------------------------------------------------------

_PATH = rx.Alternation(  # one pattern per alternative: 36 -> 15 us per line (rx.Alternation)
    r"(?<![\w/\\.])(?:modules|tests?|docs|src|holo_index|WSP_\w+|scripts|tools|data|memory)[/\\][\w./\\-]*",
    r"(?<![\w/\\.])(?:[\w.-]+[/\\]){2,}(?:[\w-]*\.[A-Za-z]{1,5}\b|(?![\w.]))",  # a file or a folder/
    r"(?<![\w/\\.])[\w.-]*[a-z_][\w.-]*/(?![\w])",
    r"(?<![\w.])[\w-]+\.(?:py|md|json|ya?ml|txt|toml|ps1|sh|js|ts|db)\b",
    r"(?<![\w.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+\(?\)?(?![\w.])",  # snake_case module or function names
)
_URL = regex.compile(r"https?://\S+")
_REASON = regex.compile(
    r"(?:\b(?:because|since|so\s+that|in\s+order\s+to|due\s+to)\b"
    r"|\bto\s+(?:prevent|avoid|ensure|enable|keep|maintain|reduce|allow|support|preserve|guarantee|stop|protect"
    r"|eliminate|capture|improve|comply|track|catch|score|stay|remove|separate|cut|speed)\b"
    r"|\b(?:prevents?|preventing|ensures?|ensuring|enables?|enabling|avoids?|avoiding|reduces?|reducing)\b)"
    r"\s*[^|]{6,}",
    regex.IGNORECASE,
)
_REASON_LABEL = regex.compile(r"\b(?:reason|why|rationale)\s*:\s*([^|]{6,})", regex.IGNORECASE)
_DEFECT = regex.compile(
    r"\b(?:missing|not\s+updated|not\s+documented|exceeds?|wrong|instead\s+of|before\s+\w+|duplicat\w*|orphan\w*"
    r"|failed\s+to|did\s+not|didn't|lacks?|lacking|without"
    r"|in\s+(?:the\s+)?root|no\s+\w+)\b[^|]{3,}",
    regex.IGNORECASE,
)
# A clause that opens with a verb reports an action taken under the WSP.
_VERB = regex.compile(
    r"^(?:[A-Z]?[a-z]+ed|Built|Made|Wrote|Split|Kept|Ran|Put|Found|Held|Brought|Taken|Done"
    r"|(?:Add|Creat|Mov|Remov|Delet|Reus|Enhanc|Fix|Archiv|Consolidat|Document|Integrat|Updat|Extract|Align"
    r"|Refactor|Renam|Replac|Enforc|Keep|Reduc|Validat|Establish|Preserv|Migrat|Restructur|Register|Restor"
    r"|Verif|Writ|Generat|Separat|Relocat|Organiz|Implement|Ensur|Consult|Apply|Appli|Us)"
    r"(?:e|ed|es|ing|s|d|y|ies|ied)?)\b",
    regex.IGNORECASE,
)
_LABEL = regex.compile(r"^([^:]{2,60}?)\s*:\s+(.+)$")
_TRIGGER = regex.compile(
    r"\s*(?:[,;(-]\s*)?(?:\b(?:per|following|follows?|under|according\s+to|applying|applied|complies\s+with"
    r"|compliant\s+with|in\s+compliance\s+with|meets?|for|with|of)\s+)?(?:proper\s+|full\s+|the\s+)?(?:\bWSP\b|\(WSP)",
    regex.IGNORECASE,
)
_FILLER_WORDS = (
    r"WSP|protocols?|compliance|compliant|complies|standards?|requirements?|references?|status|note|violations?"
    r"|violated|violates|detected|achieved|maintained|verified|perfect|full|100%|fully|critical|enhanced|proper|ok|pass"
    r"|fail|warning|summary|result|applied|implementation|integration|per|the|and|with|now|both|all|follows?"
    r"|following|under|according|to|of|for|by|in|complete|completed|done|success|successful|[A-Z]"
    # meta labels name a kind of remark, not a thing
    r"|impact|changes?|results?|scored|notes?|reason|purpose|validation|actions?|fix|problem|solution|outcome"
    r"|benefits?|priority|why|what|how|location|files?|evidence|description|details|key|insight|learning|lesson"
    r"|principle|core|mandate|goal|objective|rule|effect|architecture|true|revealed|new|old|current|next|steps?"
)
_FILLER = regex.compile(rf"^(?:(?:{_FILLER_WORDS})\b|[\W\d_])*$", regex.IGNORECASE)
_RELATION_WORDS = regex.compile(
    r"\bWSP[\s-]compliant\b"
    r"|\b(?:violations?|violated|violates|violating|compliance|compliant|detected|achieved|maintained|verified|both)\b"
    r"|\b(?:per|following|follows?|uses?|under|according\s+to|via|using|with|by|of|for|to|and|the|explicit|proper"
    r"|full)\s*$",
    regex.IGNORECASE,
)
_STATUS_LEAD = regex.compile(
    # upper case only: "DOCUMENTED - ..." is a status, "documented the ..." an action
    r"^(?:(?:ACHIEVED|COMPLETED?|DONE|VERIFIED|PASS(?:ED)?|OK|FIXED|RESOLVED|YES|IDENTIFIED|DOCUMENTED|LOGGED|FAIL)\b\W*)+"
)
# "WSP 3 (wrong directory)": a lower-case parenthesis says how this WSP was met or broken.
_ASPECT = regex.compile(r"\bWSP[\s_-]*(\d{1,3})[^()\w]{0,3}\(([^()]{3,80})\)", regex.IGNORECASE)
# "-ed" words that open a noun phrase rather than report an action
_ADJECTIVE = regex.compile(
    r"^(?:advanced|automated|detailed|integrated|unified|centralized|structured|expected|enhanced|improved|based"
    r"|required|proposed|related|dedicated|distributed|extended|embedded|shared|combined|isolated|balanced|limited"
    r"|specialized|optimized|advanced|red|need|speed|seed|feed|embed)\b",
    regex.IGNORECASE,
)


def _words(text: str, limit: int) -> str:
    parts = text.split()
    return " ".join(parts[:limit]) + (" ..." if len(parts) > limit else "")


def _tidy(text: str) -> str:
    text = rx.sub(r"^(?:\s*\[[A-Z+ ]+\]\s*)+", "", text)  # status tags such as [OK]
    text = _STATUS_LEAD.sub("", text.strip(" \t,;:.-*|>"))
    text = rx.sub(r"\s+,", ",", text).strip(" \t,;:.-*|>=").strip()
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip()
    while text.count("(") > text.count(")"):  # "... (Test documentation" after a cut
        text = text[: text.rfind("(")].rstrip(" ,;:-")
    return text


# a subject or reason ends where the text turns to how, why or what else
_CUT = regex.compile(r"\s(?:-|–|->|=|by|because|so\s+that|which|that|via|through|while|when|but|instead\s+of)\s|\s[(\[]",
                    regex.IGNORECASE)


_TRAILING_WORD = regex.compile(r"\s+(?:that|which|and|or|of|the|to|with|for|per|a|an|by|in|on|as)$", regex.IGNORECASE)


def _first_part(text: str) -> str:
    text = _tidy(_CUT.split(text, maxsplit=1)[0])
    m = _REASON.search(text)
    if m and m.start() > 0:
        text = _tidy(text[: m.start()])
    while _TRAILING_WORD.search(text):
        text = _tidy(_TRAILING_WORD.sub("", text))
    return text


def _is_filler(text: str) -> bool:
    return not text or bool(_FILLER.match(text))


def aspects_of(text: str) -> list[str]:
    """`WSP n: how` for each lower-case parenthesis attached to a reference."""
    return [f"WSP {m.group(1)}: {m.group(2).strip()}" for m in _ASPECT.finditer(text) if not _name_like(m.group(2))]


def _drop_refs(text: str) -> str:
    """The text without WSP references, their parentheses and the words that attach them."""
    text = _ASPECT.sub(" ", text)
    text = _WSP_PAREN.sub(" ", text)
    text = rx.sub(r"\b(?:per|following|follows?|under|according\s+to|applying|applied|complies\s+with|compliant"
                     r"\s+with|in\s+compliance\s+with)?\s*(?:proper\s+|full\s+|the\s+)?" + _REF.pattern
                     + r"(?:\s+(?:protocols?|standards?|requirements?|guidelines?|rules?)\b)?", " ", text,
                     flags=regex.IGNORECASE)
    return _one_space(text)


def clause_of(statement: str) -> tuple[str, str | None, str]:
    """(the clause the WSPs are attached to, the topic label before a colon when there is one,
    the words right after the first reference)."""
    text = _URL.sub(" ", drop_titles(statement))
    label, body = None, text
    lm = _LABEL.match(text)
    if lm:
        label, body = lm.group(1).strip(), lm.group(2)
    if label is not None and rx.fullmatch(r"(?i)reason|why|rationale|because", label):
        return "", None, ""  # the line gives a reason; what it is about is on another line
    # "(WSP 22 compliance)" and "WSP 3 (wrong directory)" attach the WSP; they are not the clause
    body = _one_space(_WSP_PAREN.sub(" ", _ASPECT.sub(" ", body)))
    parts = _TRIGGER.split(body, maxsplit=1)
    post = _REF.sub(" ", "WSP" + parts[1]) if len(parts) == 2 else ""
    post = rx.split(r"[.;:]\s|,", post, maxsplit=1)[0]
    if label is not None and (wsp_numbers(label) or _is_filler(label)):
        clause = body if not wsp_numbers(body) else _drop_refs(body)
        label = None  # "WSP 34 Compliance: Test documentation framework established"
    elif _is_filler(_tidy(parts[0])):
        # "Following WSP 50 verification, documented ..." - the clause follows the reference
        m = rx.match(r"^\W*\w+\s+WSP[^,]{0,60},\s*(.+)$", body, flags=regex.IGNORECASE)
        clause = m.group(1) if m else _drop_refs(body)
    else:
        clause = parts[0]
    return _strip_relation(_drop_refs(clause)), label, _strip_relation(post)


def _strip_relation(text: str) -> str:
    for _ in range(3):  # dangling "... via explicit", "... found violating"
        text = _tidy(_one_space(_RELATION_WORDS.sub(" ", _one_space(text))))
    return text


_LEADING = regex.compile(
    r"^(?:(?:for|to|on|in|of|the|no|missing|all|any|from|by|with|major|minor|critical|\d+\+?)\s+)+", regex.IGNORECASE
)
# words a noun phrase does not end on: the thing is elsewhere ("Fixed major WSP 3 violations in root")
_DANGLING = regex.compile(
    r"(?:\b(?:critical|major|minor|all|the|a|and|or|of|with|per|to|in|only|both)|ed)$", regex.IGNORECASE
)


def _noun_phrase(text: str, single_ok: bool = False) -> str | None:
    thing = _first_part(_LEADING.sub("", _tidy(text)))
    if _is_filler(thing) or len(thing) < 4 or rx.match(r"(?i)(?:to|it|they|we|he|she)\b", thing):
        return None  # "It ensures": a pronoun names nothing the reader can see
    if len(thing.split()) == 1 and not single_ok and not rx.search(r"[._/]|[a-z][A-Z]", thing):
        return None  # a lone plain word ("major", "ONLY") names nothing
    return _words(thing, MAX_SUBJECT_WORDS)


def subject_of(statement: str, clause: str, label: str | None, action: bool, post: str = "") -> str | None:
    """The module, file or thing the WSPs apply to."""
    for p in _PATH.finditer(statement):
        path = p.group(0).rstrip("\\.,;:)")
        if rx.search(r"WSP_\d|^https?|^WSP_", path, flags=regex.IGNORECASE) or len(path) < 3:
            continue
        return path
    thing = clause
    if action:
        thing = clause.split(None, 1)[1] if " " in clause else ""
    found = None if _DANGLING.search(thing) else _noun_phrase(thing)
    if found is None and post:
        # "Following WSP 15 for scoring": a word the reference is applied for names the thing
        found = _noun_phrase(post, single_ok=bool(rx.match(r"(?i)(?:for|on|to)\s", post)))
    if found is None and label and not _is_filler(label):
        found = _noun_phrase(label)
    return found


def reason_of(text: str, relation: str | None) -> tuple[str | None, float]:
    """(the reason the title-free text gives, its share of the reasoning)."""
    m = _REASON_LABEL.search(text)
    if m:
        return _words(_tidy(_drop_refs(m.group(1))), 24), 1.0
    lm = _LABEL.match(text)
    body = lm.group(2) if lm else text
    # "Ensure X" / "To maintain X" opening the line is the action itself, not a reason for it
    m = next((m for m in _REASON.finditer(body) if m.start() > 0), None)
    if m:
        return _words(_tidy(_TRAILING_TAG.sub("", m.group(0))), 24), 1.0
    aspects = aspects_of(text)
    if relation == "violated":
        if aspects:
            return "; ".join(aspects), 0.75
        d = _DEFECT.search(_TRAILING_TAG.sub("", text))
        if d:
            first = rx.split(r"\s[-–]\s|;|\.\s|\(?\bWSP\b", d.group(0), flags=regex.IGNORECASE)[0]
            defect = _tidy(_RELATION_WORDS.sub(" ", _drop_refs(first)))
            if len(defect.split()) >= 2:
                return _words(_one_space(defect), 20), 0.75
    return None, 0.0  # "WSP 3 (domain separation)" names the part of the WSP met, not why


# -- context -----------------------------------------------------------------------------------

def _window(text: str) -> str:
    """A verbatim slice of the line, at most MAX_STATEMENT characters, around its first WSP."""
    text = text.strip()
    if len(text) <= MAX_STATEMENT:
        return text
    m = _REF.search(text)
    start = max(0, (m.start() if m else 0) - MAX_STATEMENT // 3)
    while 0 < start < len(text) and not text[start - 1].isspace():
        start += 1
    end = min(len(text), start + MAX_STATEMENT)
    while end < len(text) and end > start + 40 and not text[end - 1].isspace():
        end -= 1
    return text[start:end].strip()


def _heading(match: Match) -> str | None:
    """The nearest markdown heading above the line, cleaned."""
    for row in reversed(match.context_before):
        if rx.match(r"^\s*#{1,6}\s+\S", row):
            c = clean(row)
            if c:
                return c[:MAX_CONTEXT]
    return None


def context_of(match: Match) -> str | None:
    """The nearest heading above the line, else the line before it: what the statement is about."""
    head = _heading(match)
    if head:
        return head
    shape = clean(match.text)[:18]
    for row in reversed(match.context_before):
        if _NOISE.search(row):
            continue
        c = clean(row)
        # a sibling line of the same shape (the previous health warning) says nothing about this one
        if len(c) > 3 and c[:18] != shape and "BREADCRUMB" not in c:  # nor do breadcrumb log lines
            return c[:MAX_CONTEXT]
    return None


# -- compliance tables -------------------------------------------------------------------------

_CELL_SPLIT = regex.compile(r"(?<!\\)\|")
_STATUS_OK = regex.compile(r"✅|\bPASS(?:ED)?\b|\bCOMPLIANT\b|\bCOMPLETE\b|\bCLEAN\b|\bOPERATIONAL\b|\bEXEMPLARY\b|\bMET\b", regex.I)
_STATUS_BAD = regex.compile(r"❌|\bFAIL(?:ED)?\b|\bVIOLAT\w*|\bNON-?COMPLIANT\b|\bMISSING\b", regex.I)
_STATUS_WARN = regex.compile(r"⚠|\bWARN(?:ING)?\b|\bPARTIAL\b", regex.I)


def _cells(row: str) -> list[str]:
    return [c.strip() for c in _CELL_SPLIT.split(row.strip().strip("|"))]


def _table_row(match: Match) -> Draft | None:
    """A compliance-table row: `| WSP 5 | Test Coverage | FAIL | test_x.py missing |`."""
    raw = match.text
    if not raw.lstrip().startswith("|") or rx.match(r"^\s*\|[\s:|-]+\|?\s*$", raw):
        return None
    cells = _cells(raw)
    if len(cells) < 3 or not wsp_numbers(cells[0]):
        return None
    status_i = next((i for i, c in enumerate(cells[1:], 1) if _STATUS_OK.search(c) or _STATUS_BAD.search(c)
                     or _STATUS_WARN.search(c)), None)
    if status_i is None:
        return None
    status = clean(cells[status_i])
    if _STATUS_BAD.search(status):
        relation, ambiguities = "violated", []
    elif _STATUS_WARN.search(status):
        if rx.search(r"\bN/?A\b", status):
            return None  # not applicable: nothing was applied
        relation, ambiguities = "violated", ["a warning, not a failure"]
    else:
        relation, ambiguities = "complied", []
    evidence_cells = [clean(c) for c in cells[status_i + 1:] if clean(c) and not rx.fullmatch(r"[A-F][+-]?", clean(c))]
    reason = _words("; ".join(evidence_cells), 30) if evidence_cells else None
    # the audited file is named in the section above the table
    subject, heading = None, _heading(match)
    rows = match.context_before[::-1]  # nearest first
    for row in rows:
        if rx.match(r"^\s*(?:\*\*)?Location(?:\*\*)?\s*:", row) or rx.match(r"^\s*#{1,6}\s", row):
            p = _PATH.search(clean(row))
            if p:
                subject = p.group(0).rstrip("\\.,;:)")
                heading = clean(row)[:MAX_CONTEXT]  # the input must show where the subject comes from
                break
            if rx.match(r"^\s*#{1,6}\s", row):
                break
    header = next((t for t in rows if t.lstrip().startswith("|") and not rx.search(r"WSP[\s_-]*\d", t)
                   and not rx.match(r"^\s*\|[\s:|-]+\|?\s*$", t)), None)
    context = " / ".join(x for x in (heading, "columns: " + ", ".join(_cells(clean(header))) if header else None) if x)
    statement = " | ".join(clean(c) for c in cells)
    output: dict[str, Any] = {"wsp_numbers": wsp_numbers(cells[0]), "relation": relation}
    if subject:
        output["subject"] = subject
    if reason:
        output["rationale"] = reason
    weight = 0.25 * len(ambiguities)
    if subject is None:
        ambiguities.append("the table does not say which module it audits")
        weight += 0.75
    input_: dict[str, Any] = {"statement": statement}
    if context:
        input_["context"] = context
    return Draft(
        instruction_key="classify", input=input_, output=output, evidence=raw.strip(), kind="decision_trees",
        label=relation, required=REQUIRED, rationale=1.0 if reason else 0.0,
        rationale_note="" if reason else "the row gives no evidence for its status",
        ambiguity=min(1.0, weight), ambiguities=ambiguities,
    )


# -- the extractor -----------------------------------------------------------------------------

def extract(match: Match, pack: DomainPack) -> list[Draft]:
    raw = match.text
    if _NOISE.search(raw):
        return []
    table = _table_row(match)
    if table is not None:
        return [table]
    if raw.lstrip().startswith("|"):
        return []  # other table rows (file lists, catalogues) name WSPs without applying them
    evidence = _window(raw)
    statement = clean(evidence)
    numbers = wsp_numbers(statement)
    if not numbers or not statement or _AUTHORING.search(statement) or _DEFINITION.search(statement):
        return []
    # the sentence that names the WSP is the one that says what happened under it
    focus = next((s for s in _SENTENCE.split(statement) if _REF.search(s)), statement)
    plain = strip_titles(focus)
    relation, resolved = relation_of(plain)
    clause, label, post = clause_of(focus)
    action = (len(clause.split()) >= 2 and bool(_VERB.match(clause)) and not _ADJECTIVE.match(clause)
              and not _is_filler(clause.split()[0]))
    subject = subject_of(focus, clause, label, action, post)
    if relation == "violated" and _CHECKING.match(clause):
        relation, resolved = "applied", False  # "Detect WSP 34 violations": the WSP is applied to find them
    elif relation == "violated" and _REMEDY.match(clause):
        resolved = True
    reason, share = reason_of(drop_titles(focus), relation)
    note = ""
    if share == 0 and action and relation is not None:
        share, note = 0.5, "the text gives the action taken under the WSP, not why"
    elif share == 0:
        note = "the text names the WSP but gives no reason or action"

    # (why, how much of the single correct reading it costs)
    doubts: list[tuple[str, float]] = []
    if rx.match(r"^\s*(?:#{1,6}\s|\*\*[^*]+\*\*:?\s*$)", raw) or raw.rstrip().endswith(":"):
        # a heading or lead-in names a topic; what happened is on the lines below
        share, note = 0.0, "a heading names a topic, it gives no reasoning"
        doubts.append(("a heading, not a statement", 0.25))
    if relation is None:
        doubts.append(("no relation stated (a bare WSP mention)", 1.0))
    if rx.match(r"^\s*(?:[-*]\s*)?\[ \]", raw):
        doubts.append(("an open checklist item: planned, not done", 0.5))
    if subject is None:
        doubts.append(("no subject named", 0.75))
    if rx.match(r"^[a-z]+\b(?![._/])", raw.strip()):
        doubts.append(("a fragment that continues the line above", 0.5))
    if relation == "violated" and _COMPLIED.search(_NO_VIOLATION.sub(" ", plain)) and not resolved:
        doubts.append(("states both compliance and a violation", 0.5))

    output: dict[str, Any] = {"wsp_numbers": numbers}
    if relation:
        output["relation"] = relation
    if subject:
        output["subject"] = subject
    if action and clause != subject:
        output["action"] = _words(clause, 20)
    if reason:
        output["rationale"] = reason
    if relation == "violated":
        output["resolved"] = resolved
    input_: dict[str, Any] = {"statement": statement}
    ctx = context_of(match)
    if ctx and ctx != statement:
        input_["context"] = ctx
    kind: PatternType = "rationale_chains" if reason else "decision_trees"
    return [Draft(
        instruction_key="classify", input=input_, output=output, evidence=evidence, kind=kind, label=relation,
        required=REQUIRED, rationale=share, rationale_note=note,
        ambiguity=min(1.0, sum(w for _, w in doubts)), ambiguities=[d for d, _ in doubts],
    )]


EXTRACTOR = Extractor(extract=extract)
