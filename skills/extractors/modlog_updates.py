"""modlog_updates: ModLog and changelog entries, read from their document's structure.

An entry is a dated or versioned heading in a changelog (`## [2025-10-13] Title`,
`### 2025-10-13 - Title`, `## Version 0.3 - Title`, `## V0.5.2 - Title (2026-01-21)`,
`## [Title] - 2024-12-20`, `### **2025-10-15: Title**`, `## MODLOG - [Title]:`), or an undated
heading whose first lines carry a `Date:` or `Version:` field, with its body up to the next entry
or the next heading of its level; in a changelog a bullet record with a bold timestamp
(`- **2025-10-06 13:28:04**: text`) is an entry too. A changelog is a document whose kind is
modlog, a section whose heading names a ModLog or change log (a README's ModLog section), or a
markdown block quoted as a ModLog entry; an entry in the house format (a Change Type field beside
a By or WSP References field) is one wherever it was pasted. Other dated headings outside a
changelog (audits, plans) and template placeholders (`[YYYY-MM-DD]`, `[Title]`) are not entries.

Each entry gives two tasks: write the entry in the WSP 22 house format from the facts of the
change (what changed, the problem or context, the files, the module), and read the fields out of
the raw entry. Every fact is the entry's own: the why only where the entry states a problem,
cause, request or motivation (an impact or result is not a why); link targets, emoji escapes and
status tags are removed; a list is whole, or (in the field task) its last item says how many
were left out, or that it goes on in the lines of a cut entry not shown, while the written entry
lists its first items without a placeholder. Entries a tool writes alike into many modules' logs
give each task twice at most (EXAMPLES.md 6). A change is
what a section's content says (never a chain of heading names), a decision record's change is its
decision, and the files are the lists the entry states as changed (not ones it says were there
already or are still to come).
Nothing depends on line numbers, so an entry pasted twice gives the same examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
import hashlib
import json
import unicodedata

import regex

from training_data_miner.skills.extractors import Draft, Extractor, rx
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import DomainPack
from training_data_miner.skills.structure import DOC_KINDS, Document, Section, parse_document

MAX_ITEMS = 8  # changes, why and impact items listed; a longer list ends with a count
MAX_FILES = 12
MAX_ITEM_CHARS = 300
PART_CHARS = 440
PART_ITEM_CHARS = 200  # an item of a part, with its sub-items  # a part of the change with what its content says
MAX_RAW_CHARS = 1200  # the raw entry shown to the field-extraction task
MAX_RAW_LINES = 24
CODE_NOT_SHOWN = "[... code block not shown]"
CODE_MARK = "```"  # where a code block was, in a group's lines
MAX_HEAD_CHARS = 400  # heading text parsed (a longer line is not a heading of an entry)

CHANGELOG = dict(DOC_KINDS)["modlog"]  # a heading that names a log
_MENTIONS_LOG = regex.compile(r"(?i)mod\s*log|change\s*log")
_D = r"20\d\d-[01]\d-[0-3]\d"
_TIME = r"(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?)?"
_SEP = r"\s*[-\u2013\u2014:|]\s*"
# The forms of an entry heading, tried in order on its text without markup.
_FORMS = (
    # "[2025-10-13] Title", "[2025-10-13 16:54] - Title", "[2025-10-17 SESSION 4] Title"
    regex.compile(r"^\[(?P<date>" + _D + r")" + _TIME + r"(?P<extra>[^\]]{0,40})\](?:" + _SEP + r"|\s+)(?P<title>.+)$"),
    # "2025-10-13 - Title", "2025-01-15: TITLE", "2025-07-10T22:54:07.409371 - Title", "2026-02-07 Title"
    regex.compile(r"^(?P<date>" + _D + r")" + _TIME + r"(?:" + _SEP + r"|\s+)(?P<title>\S.*)$"),
    # "Version 0.6.2 - Title", "V0.5.2 - Title (2026-01-21)", "[v0.0.1] - 2025-06-30 - Title"
    regex.compile(r"^\[?(?:[Vv](?:ersion)?\s?)(?P<version>\d+(?:\.\d+)+[\w.+-]{0,20})\]?"
                  r"(?:" + _SEP + r"(?:\[?(?P<date>" + _D + r")\]?" + _SEP + r")?(?P<title>.*?))?"
                  r"(?:\s*\((?P<date2>20\d\d-[01]\d-(?:[0-3]\d|XX|xx))\))?\s*$"),
    # "MODLOG - [Title]:"
    regex.compile(r"^MODLOG" + _SEP + r"\[(?P<title>[^\]]+)\]:?\s*$", regex.IGNORECASE),
    # "[Title] - 2024-12-20", "Title (2025-10-23)", "Title (COMPLETE - 2026-01-03)", "Title [2025-09-28 - Part 2]"
    regex.compile(r"^(?P<title>.{3,300}?)\s*(?:[-\u2013\u2014]\s*\[?|\(|\[)(?:[A-Za-z ]{0,20}[-\u2013:]\s*)?"
                  r"(?P<date>" + _D + r")" + _TIME + r"(?P<extra>[^\])]{0,30})[\])]?\s*$"),
    # "[Current Session] - Title": an entry whose date was not written down
    regex.compile(r"^\[(?:current|this|today'?s?)\s+(?:session|date)\]" + _SEP + r"(?P<title>.+)$", regex.IGNORECASE),
)
# Template placeholders: "[YYYY-MM-DD]", "[Date]", "{title}", "[Title]", "<Module Name>"
_PLACEHOLDER = regex.compile(
    r"YYYY|MM-DD|\[(?:date|title|description|summary|change|module|name)[^\]]{0,20}\]|\{[a-z_ ]{2,20}\}|<[A-Za-z_ ]{2,20}>",
    regex.IGNORECASE)
_MAYBE_ENTRY = regex.compile(r"\d|MODLOG|session|today", regex.IGNORECASE)  # what every entry form has
_NUMBER = regex.compile(r"\d+(?:\.\d+)*")
_NAMES_NUMBER = regex.compile(r"(?:\b[A-Z][A-Za-z]+[ _-]?|\b[vV])$")  # what precedes a number that names something
_RECORD = regex.compile(r"^\*\*(?P<date>" + _D + r")" + _TIME + r"\*\*\s*:?\s*(?P<text>\S.*)$")

# Markup and noise removed from fields.
_LINK = regex.compile(r"!?\[(?P<text>[^\[\]\n]{1,300})\]\((?:[^()\s]|\([^()\s]*\)){0,500}\)")
# An escape and the mojibake after it: one "E" for the pictograph, three more for a variation
# selector ("[U+2701]EWSP", "[U+26A0]EEEE**WSP", "[U+1F916]EENHANCED" -> "ENHANCED", "[U+2701]Emodules/x" ->
# "modules/x": a path); "[U+2705]Enabled" keeps its E.
_ESCAPE = regex.compile(r"\[U\+[0-9A-Fa-f]{4,6}\](?:EEEE(?:(?![a-z])|(?=[a-z_][\w.-]{0,60}/))|E(?=[A-Z*\s\[`(]|E[a-z]|[a-z_][\w.-]{0,60}/|$))?[\uFE0F\u200D]?\s?")
# a lead-in that is half a sentence ("failures caused by:"): its list finishes it, so they stay one item
_LEADS_ON = regex.compile(r"(?i)\b(?:by|for|to|of|with|from|in|on|at|as|the|a|an|and|or|via|using|like|including|"
                          r"because|that|which|are|is|were|was|include|includes)$")
_POINTER = regex.compile(r"(?i)^(?:see(?: also)?|refer to|references?|full details|more details|details)\s*:?\s+\S*(?:[/.]|modlog)")
_DANGLING = regex.compile(r"(?:\s+(?:for|with|to|of|the|a|an|and|or|by|via|using|like|as|from|in|on|at|into|->|=|\+|:))+\s*$",
                          regex.IGNORECASE)
# an emoji and the "EEEE" its variation selector was decoded to ("⏸EEEEOLD STREAM"); "ℹ" (a letter
# to Unicode) and "‼", "⁉" (punctuation) are drawn as emoji too
_EMOJI_MOJIBAKE = regex.compile(r"(?![\u25A0-\u25A9\u25AC-\u25B5\u25B7-\u25BF\u25C1-\u25F7])[\p{So}\p{Cs}\uFE0F\u200D\uFFFD\u2139\u203C\u2049](?:EEEE(?![a-z]))?")
_EMPTIED = regex.compile(r"\s*\(\s(?:[\s,/+]|vs\.?|->)*(?:\)|$)")  # "( vs )" once its emoji are gone
# "ↁE": the right arrow decoded in the wrong code page, with the character after it (most often a space: put back
# where the arrow has one before it, "A ↁEB" -> "A -> B"; "000ↁE22" is left "000->22")
_MOJIBAKE = ((" \u2181E", " -> "), ("\u2181E", "->"), ("\u2192", "->"))
_TAGS = regex.compile(r"^(?>(?:\[(?:[A-Z][A-Z0-9_ -]{0,24}|x|X| )\]\s*)+)(?![,/&])")  # not a list of names
# "Bug Fixed [OK]": a status tag after text; not one of a list of names ("[ARCHIVE STATUS], [ORIGIN] headers")
_INNER_TAGS = regex.compile(r"(?<![,/&]\s*)\s*\[[A-Z][A-Z_]{1,15}(?:-[A-Z][A-Z_]{1,15})?\](?=\s|$)(?!\s*[,/&])")
_BULLET = regex.compile(r"^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+")
_HEADING = regex.compile(r"^ {0,3}(?P<hashes>#{1,6})\s+(?P<text>\S.{0,400}?)\s*#*\s*$")
_LABEL = regex.compile(r"^\s*(?:[-*+]\s+)?\*\*(?P<key>[^*\n]{2,80}?)(?::\*\*|\*\*\s*:?)\s*$")
_PLAIN_LABEL = regex.compile(r"^(?P<key>[A-Z][A-Za-z /&()-]{2,40}):\s*$")
_MORE_FIELDS = regex.compile(r"\s+(?=\*\*[^*\n]{1,40}?(?::\*\*|\*\*\s*:)\s)")
_FIELD = regex.compile(r"^\s*(?:[-*+]\s+)?\*\*(?P<key>[^*\n]{1,40}?)(?::\*\*|\*\*\s*:)\s*(?P<value>\S.*)$")
_PLAIN_FIELD = regex.compile(r"^\s*(?:[-*+]\s+)?(?P<key>[A-Z][A-Za-z]{1,15}(?:[ /][A-Za-z]{2,15}){0,2}):[ \t]+(?P<value>\S.*)$")
_ITALIC_META = regex.compile(r"^[*_](?:status|result|state|updated|last updated|completed?)\s*:.*[*_]$", regex.IGNORECASE)
_RULE = regex.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,}|={3,})\s*$")
_TABLE_DELIM = regex.compile(r"^\s*\|?\s*:?-{2,}")
_PATH = regex.compile(
    r"`(?P<code>[^`\s]{3,200})`"
    r"|(?<![\w/.-])(?P<bare>(?:[\w.-]{1,80}/){1,12}[\w-]{1,80}\.[A-Za-z]{1,5}|(?:[\w.-]{1,80}/){2,12}[\w.-]{0,80}|[\w-]{1,80}\.(?:py|md|json|jsonl|toml|ya?ml|txt|js|ts|tsx|jsx|sh|ps1|env|html|css|sql|db|ini|cfg))"
    r"(?::\d{1,6}(?:-\d{1,6})?)?(?![\w/])")
_FILE_LIKE = regex.compile(r"[/\\]|\.[A-Za-z]{1,5}(?::\d+(?:-\d+)?)?$")
_WSP_LIST = regex.compile(r"\bWSP[\s_-]?(?P<n>\d{1,3})(?!\d)(?P<more>(?:\s*(?:/|,|&|and)\s*(?:WSP[\s_-]?)?\d{1,3}(?![\d.%]))*)")

# Section and field names (lower case, words only) by what they hold, matched whole.
_WHY = regex.compile(
    r"^(?:the |critical |key |original |underlying |initial )?(?:why(?: this matters| it matters| now)?|rationale|objectives?|"
    r"(?:first principles? |design )(?:derivation|rationale|reasoning|justification)|"
    r"reasons?(?: for (?:the )?change)?|motivation|problems?(?: solved| statement| identified| description| fixed| addressed)?|violations? (?:identified|detected|found)(?! (?:&|and) )|"
    r"root ?causes?(?: analysis)?|context|background|issues?(?: identified| found| description| fixed| resolved| addressed)?|triggers?|"
    r"triggered by|requested by|(?:user |012 )?(?:request|directive|feedback)|(?:user|012) (?:insight|quote|question)|"
    r"requirements?)(?: (?:&|and) [a-z ]{1,30})?$")
_AMBIGUOUS_WHY = regex.compile(r"^(?:context|background|issues?|triggers?|requirements?|(?:user |012 )?feedback)$")
_IMPACT = regex.compile(r"^(?:(?:expected |key )?(?:impact(?: analysis)?|results?|outcomes?|benefits?|effects?)|[a-z]{3,20} impact)"
                     r"(?: (?:&|and) [a-z ]{1,30})?$")
_FILES = regex.compile(r"^(?:(?:key |new |modified |created |updated |changed |deleted |affected )?files?(?: [a-z/ &-]{1,40})?|"
                       r"locations?|file changes|(?:created|modified|updated|changed|touched|new|removed|deleted) files?|"
                       r"(?:[a-z]+ )?(?:components?|modules?|scripts?|docs|documents?|documentation|tests?|code) "
                       r"(?:modified|created|updated|changed|added|removed|deleted|touched))$")
_SUMMARY = regex.compile(
    r"^(?:summary|description|overview|what(?: changed| was done| we did)?|(?:key |main )?changes?(?: made| implemented| applied)?|"
    r"actions?(?: taken)?|solution(?: implemented)?|fix(?:es)?(?: applied| implemented)?|implementation(?: details)?|"
    r"success|(?:key )?achievements|details|updates?|work (?:done|completed)|(?:[a-z]+ )?summary|"
    r"added|changed|fixed|removed|created|modified|updated|new(?: features?)?|(?:key )?(?:features?|improvements?|enhancements?))$")
# sections of an entry that are not a part of the change
_NOT_A_CHANGE = regex.compile(
    r"^(?:next (?:steps?|actions?|phases?|development|iteration|session)|todos?|to do|future(?: work| enhancements?)?|"
    r"(?:[a-z]+ )?opportunities|(?:future |improvement )?ideas|current state|limitations?(?: discovered| found| identified)?|pending|open (?:items|questions)|"
    r"test(?:ing|s)?(?: results?| status| coverage)?|verification|validation|status|metrics|lessons?(?: learned)?|"
    r"notes?|references?|cross[ -]?references?|related(?: docs| documents| changes)?|see also|wsp (?:compliance|references?|protocols?)|"
    r"compliance(?: status)?|known (?:issues|limitations)|conclusions?|(?:git )?commits?(?: summary| details)?|"
    r"(?:immediate |required )?actions? (?:required|needed|items)|action items)\b|"
    r"^.*\b(?:metrics|statistics|stats|status|checklist|breakdown|findings|discover(?:y|ies)|research|validation|scoring|violations(?: detected| found)?)$")
_DUNDER = regex.compile(r"(?<![\w])__(?=[A-Za-z]\w{0,40}__(?!\w))|(?<=(?<!\w)__[A-Za-z]\w{0,40})__(?!\w)")
_FIX_ITEM = regex.compile(r"(?i)^(?:fix|fixes|fixed|solution|resolution|resolved|fix applied)\s*:")
_DECISION = regex.compile(r"^(?:final |the |architectural |design )?decisions?(?: made)?$|^(?:chosen|selected) (?:approach|option|solution)$|^verdict$")
# a lead-in over a list of paths that says they were changed ("Updated the protocols:", "Removed stub modules:")
_CHANGE_VERB = regex.compile(r"(?i)\b(?:creat(?:e|ed|ing)|modif(?:y|ied)|remov(?:e|ed)|delet(?:e|ed)|add(?:ed)?|updat(?:e|ed)|"
                             r"moved?|renamed?|changed?|touched|edited|refactored|rewr(?:ote|itten)|new|archived|consolidated|enhanced|"
                             r"fixed|implemented|migrated|deprecated|deliver(?:ed|ables?))\b")
# a file the entry says was there before is not a changed file
_ALREADY = regex.compile(r"(?i)\balready\b|\bpre-?existing\b|\bunchanged\b|\bnot (?:changed|modified|touched)\b|"
                         r"\bretained\b|\bkept\b|\baudited\b|\breviewed\b|\binventor(?:y|ied)\b|\bsurveyed\b")
# what a why section may hold that is not a reason: the fix, the solution, when another choice is better
_NOT_A_REASON = regex.compile(r"(?i)^(?:our |the |proposed |chosen )?(?:solutions?|fix(?:es)?|approach|resolution|answer|"
                              r"implementation)\b|^when\b[^:]{0,60}\b(?:better|preferred|appropriate)\b")
# a file the entry lists as still to come is not a changed file
_NOT_DONE = regex.compile(r"(?i)\bpending\b(?!-)|\bplanned\b|\bnot yet\b|\bto be (?:created|added|written)\b|\btodo\b")
_TELLS_CHANGE = regex.compile(r"^(?:[Ff]ollowing\b|(?:[A-Z][a-z]+ed|Built|Made|Wrote|Ran|Set up)\b)")
_WHY_TITLE = regex.compile(r"(?i)^(?:the )?(?:problems?|issues?|root causes?|context|background|motivation)\s*(?::|[-\u2013\u2014]\s)")
_CHANGE_LIST = regex.compile(r"^(?:(?:key )?changes?(?: made| implemented| applied)?|what changed)$")
_PART_FIX_KEYS = frozenset(("issue", "problem", "root cause", "result", "bug", "symptom", "error"))
_FIX_KEYS = ("fix", "fixes", "solution", "resolution", "fix applied")
_TYPE_KEYS = ("change type", "type", "category")
_BY_KEYS = ("by", "agent", "author", "architect", "who")
_WSP_KEYS = ("wsp references", "wsp reference", "wsp protocol references", "wsp protocols", "wsp protocol", "wsp refs",
             "wsp compliance", "wsp")
_DATE_KEYS = ("date",)
_VERSION_KEYS = ("version",)
_CORE_META = frozenset((*_TYPE_KEYS, *_BY_KEYS, *_WSP_KEYS, *_DATE_KEYS, *_VERSION_KEYS, "status", "phase", "session",
                         "session id", "commit", "commit hash", "git hash", "git tag", "priority"))
_META_KEYS = frozenset((*_TYPE_KEYS, *_BY_KEYS, *_WSP_KEYS, *_DATE_KEYS, *_VERSION_KEYS, "wsp grade", "git hash",
                        "git tag", "status", "token budget", "token investment", "session id", "phase", "domain",
                        "priority", "notes", "last updated", "duration", "enhancement tracking", "tracking",
                        "session", "token cost", "tokens", "effort", "commit", "commit hash", "lines added", "lines changed",
                        "vision", "quote", "motto", "tagline", "validation tool", "tool", "tools used"))


@lru_cache(maxsize=8192)
def role(key: str) -> str:
    """What a section or field named `key` holds: meta, decision, why, impact, files, changes, other (the
    entry's sections and fields use a few hundred names, so each is classified once)."""
    if not key:
        return "other"
    if key in _META_KEYS:
        return "meta"
    for name, pattern in (("decision", _DECISION), ("why", _WHY), ("impact", _IMPACT), ("files", _FILES), ("changes", _SUMMARY),
                          ("not_a_change", _NOT_A_CHANGE)):
        if pattern.match(key):
            return name
    return "other"


# -- text ---------------------------------------------------------------------------------------


_MATH = {"\u2265": ">=", "\u2264": "<=", "\u2260": "!=", "\u2190": "<-", "\u2192": "->", "\u2194": "<->"}


def _unescape(m: regex.Match[str]) -> str:
    """An escaped symbol: a math sign or arrow ("[U+221A]N", "[U+2265]90%") is text and stays; an
    emoji's escape goes."""
    code = int(m.group(0)[3:m.group(0).index("]")], 16)
    ch = chr(code) if code < 0x110000 else ""
    if ch and unicodedata.category(ch) == "Sm":
        return _MATH.get(ch, ch) + (" " if m.group(0).endswith(" ") else "")
    return " "


@lru_cache(maxsize=65536)
def clean(text: str) -> str:
    """Text without link targets, emoji and their escapes, bold marks, leading bullets and status
    tags, on one line."""
    if text.isascii() and not any(c in text for c in "[*_-+|\u2022\t") and text[:1] not in "0123456789 ":
        return " ".join(text.split())  # nothing here for the patterns below (most lines)
    if "](" in text:
        text = _LINK.sub(lambda m: m["text"], text)
    symbols = not text.isascii() or "[U+" in text
    if not text.isascii():
        for bad, good in _MOJIBAKE:
            text = text.replace(bad, good)
        text = _EMOJI_MOJIBAKE.sub(" ", text)
    if "[U+" in text:
        text = _ESCAPE.sub(_unescape, text)
    if "[GREATER_EQUAL]" in text:
        text = text.replace("[GREATER_EQUAL]", ">=")
    if symbols and "(" in text:
        text = _EMPTIED.sub("", text)
    text = text.replace("**", "")
    if "__" in text:  # bold underscores go, a dunder name ("__init__.py") stays
        text = "__".join(part.replace("__", "") for part in _DUNDER.split(text))
    text = _BULLET.sub("", text)
    text = _TAGS.sub("", text.strip())
    if "[" in text:
        text = _INNER_TAGS.sub(" ", text)
    # (a stray dash or pipe at either end goes; a flag's dashes stay: "--init-dae CLI Command")
    text = rx.sub(r"^[\s|]*(?:-(?!-)[\s|-]*)?|[\s|-]*$", "", " ".join(text.split()))
    if "` " in text or " `" in text:
        spans = text.split("`")
        if len(spans) > 2 and len(spans) % 2:  # "`[TERMINAL] Entrypoint`" once its tag is gone: "`Entrypoint`"
            text = "`".join(t.strip() if k % 2 else t for k, t in enumerate(spans))
    if symbols:  # "responses for [U+270A][U+270B]": the words that led to the symbols go with them
        text = " ".join(rx.sub(r"`\s*`", "", text).split())  # "Pulsing `○` icon": the quoted symbol is gone
        text = _DANGLING.sub("", text)
    return text


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """A label reduced to its words: "### [TOOL] Files Changed:" -> "files changed"."""
    text = clean(text).lower()
    text = rx.sub(r"\([^)]*\)|[^a-z0-9 /&-]", " ", text)  # "**WSP 97**:" keeps its number: not a WSP field
    return " ".join(text.split()).strip(" -/&")


def _cut(text: str, limit: int = MAX_ITEM_CHARS) -> str:
    """`text` whole, or its first whole sentences within `limit` (the first sentence alone when it
    is longer, up to three times the limit); a text with no sentence end whole up to twice the limit
    (a clause list cut would leave a fragment: "... to avoid ..."), or its first words and an ellipsis."""
    if len(text) <= limit:
        return text
    ends = [m.end() for m in rx.finditer(r"[.!?](?=\s|$)", text[:3 * limit])]
    within = [e for e in ends if e <= limit]
    if within:
        return text[:within[-1]]
    if ends:
        return text[:ends[0]]
    if len(text) <= 2 * limit:
        return text
    return text[:limit - 4].rsplit(" ", 1)[0].rstrip(",;:-") + " ..."


NOT_SHOWN_MORE = "... and more in the lines of the entry not shown"  # a list cut where the entry shown is cut


def _listed(items: list[str], limit: int, what: str) -> list[str]:
    """The list whole, or its first `limit` items and one saying how many were left out."""
    if len(items) <= limit:
        return items
    more = len(items) - limit
    return [*items[:limit], f"... and {more} more {what if more > 1 else what.rstrip('s')}"]


def wsp_numbers(text: str) -> list[str]:
    """The WSPs a text cites, in order: "WSP 3, 49" and "WSP 26/29" cite two."""
    out: list[str] = []
    if "WSP" not in text:
        return out
    for m in _WSP_LIST.finditer(text):
        for n in [m["n"], *rx.findall(r"\d{1,3}", m["more"])]:
            ref = f"WSP {n.lstrip('0') or '00'}"
            if ref not in out:
                out.append(ref)
    return out


# -- entry headings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    date: str | None
    title: str
    version: str | None = None


def _plain_heading(raw: str) -> str:
    text = clean(raw.replace("`", ""))
    return text.rstrip(":").strip()


def parse_heading(raw: str) -> Head | None:
    """The date, title and version of an entry heading's text (without its `#`s), or None when it
    is not one of the entry forms (or is a template placeholder)."""
    if len(raw) > MAX_HEAD_CHARS or _PLACEHOLDER.search(raw):
        return None
    text = _plain_heading(raw)
    for form in _FORMS:
        m = form.match(text)
        if m is None:
            continue
        groups = m.groupdict()
        title = (groups.get("title") or "").strip().strip(":").strip()
        if title.startswith("[") and title.endswith("]") and "[" not in title[1:]:
            title = title[1:-1].strip()
        extra = (groups.get("extra") or "").strip(" -:")
        if extra and rx.fullmatch(r"(?i)part\s*\d+", extra):
            title = f"{title} ({extra})"
        date = groups.get("date") or groups.get("date2")
        if date and not rx.fullmatch(_D, date):
            date = None  # "2026-01-XX": the day was never written
        if not rx.search(r"[A-Za-z]{2}", title):
            return None
        return Head(date, title, groups.get("version"))
    return None


def _undated_title(raw: str) -> str | None:
    """The title of a heading that has no date: "[Remote Builder] - Module Initialized" -> the
    words without their brackets."""
    if len(raw) > MAX_HEAD_CHARS or _PLACEHOLDER.search(raw):
        return None
    text = _plain_heading(raw).replace("[", "").replace("]", "")
    text = " ".join(text.split()).strip(" -:")
    return text if rx.search(r"[A-Za-z]{2}", text) else None


# -- where the entries are ----------------------------------------------------------------------


@dataclass
class Region:
    """Lines of a document that are a changelog, and the log they belong to."""

    doc: Document
    first: int
    last: int
    log: str | None  # the module or log the entries belong to, as the text names it
    title_line: int | None = None  # the heading that names the log (not an entry)


def _log_name(title: str | None, path: str | None = None) -> str | None:
    """The module a ModLog belongs to, from its path ("modules/x/wre_core/ModLog.md" -> "wre_core")
    or its title ("Utils Module - ModLog" -> "Utils", "ModLog: Tokenization System" -> "Tokenization System")."""
    if path:
        parts = rx.split(r"[/\\]", path)
        if len(parts) >= 2 and _MENTIONS_LOG.match(parts[-1]) and parts[-1].lower().endswith(".md"):
            return parts[-2]
    if not title:
        return None
    name = clean(title)
    name = rx.sub(r"\([^()]*\)", " ", name)
    name = CHANGELOG.sub(" ", name)
    name = rx.sub(r"(?i)\bmodule\s*(?=[-:|\u2013\u2014]?\s*$)|^\s*(?:module\s*)?[-:|\u2013\u2014]\s*", " ", name)
    name = rx.sub(r"\s+([:,])", r"\1", " ".join(name.split())).strip(" -:|\u2013\u2014")
    name = rx.sub(r"(?i)\s+module$", "", name) if len(name.split()) > 1 else name
    return name if rx.search(r"[A-Za-z]{2}", name) else None


def _regions(doc: Document) -> list[Region]:
    """The changelogs of a document. A level-1 heading that is not an entry opens a new piece (a
    log pasted after another without a separator line); a piece is a changelog when its heading
    names a log, or when it is the first and the document is one (its kind, from its title or
    path); in the other pieces, a section whose heading names a log is one (a README's ModLog)."""
    out: list[Region] = []
    starts = [s for s in doc.sections if s.heading and s.level == 1 and s.heading.style != "bold"
              and s.start != doc.title_line and not parse_heading(s.heading.raw)]
    pieces = [(doc.start, None), *((s.start, s.heading) for s in starts)]
    if len(pieces) > 1 and not any(s.heading and s.start < pieces[1][0] for s in doc.sections):
        pieces = [(doc.start, pieces[1][1]), *pieces[2:]]  # the lines before the first heading go with it
    ends = [start - 1 for start, _ in pieces[1:]] + [doc.end]
    for (first, head), last in zip(pieces, ends):
        if head is not None and CHANGELOG.search(head.title):
            out.append(Region(doc, first, last, _log_name(head.title), head.line))
        elif head is None and doc.kind == "modlog":
            out.append(Region(doc, first, last, _log_name(doc.title, doc.path), doc.title_line))
        elif head is None and (hidden := _title_behind_bom(doc)) is not None:
            out.append(Region(doc, first, last, _log_name(hidden), None))
        else:
            out += _sections_named_log(doc, first, last)
    return out


def _title_behind_bom(doc: Document) -> str | None:
    """The title of a pasted log whose first line keeps its byte order mark ("\ufeff# X - ModLog"):
    the structure does not read that line as a heading, so the title is read here, when it names a
    log."""
    for _, text in doc.span(doc.start, doc.start + 2):
        if text.startswith("\ufeff"):
            m = _HEADING.match(text[1:])
            return m["text"] if m and len(m["hashes"]) == 1 and CHANGELOG.search(clean(m["text"])) else None
    return None


def _sections_named_log(doc: Document, first: int, last: int) -> list[Region]:
    out: list[Region] = []
    first_heading = next((s for s in doc.sections if s.heading and first <= s.start <= last), None)
    for sec in doc.sections:
        h = sec.heading
        if h is None or not first <= sec.start <= last or h.style == "bold" or not CHANGELOG.search(h.title):
            continue
        if parse_heading(h.raw) or (out and out[-1].first <= sec.start <= out[-1].last):
            continue  # an entry, or a section inside a changelog already
        # the lines before a piece's first heading belong with the log it opens
        start = first if sec is first_heading else sec.start
        name = _log_name(h.title) or _log_name(doc.title, doc.path)
        out.append(Region(doc, start, min(sec.end, last), name, h.line))
    return out


def _fenced_regions(doc: Document) -> list[Region]:
    """Markdown blocks quoted as a ModLog entry ("**Required Entry** in `x/ModLog.md`:" then a
    fence whose first line is an entry heading), each read as a document of its own."""
    out: list[Region] = []
    for fence in doc.fences:
        if fence.lang not in ("", "markdown", "md"):
            continue
        body = fence.body
        first = next((t for t in body if t.strip()), "")
        if _HEADING.match(first) is None:
            continue
        above = [t for _, t in doc.span(fence.start - 4, fence.start - 1) if t.strip()][-3:]
        context = " ".join([*above, *doc.heading_path(fence.start)])
        if not _MENTIONS_LOG.search(context):
            continue
        sub = parse_document(body, fence.start + 1, doc.index)
        path = rx.search(r"[\w./\\-]*\b(?:ModLog|CHANGELOG|ChangeLog)\.md", context)
        name = _log_name(None, path.group(0)) if path else None
        out.append(Region(sub, sub.start, sub.end, name))
    return out


def _loose_entries(doc: Document, regions: list[Region]) -> list[Region]:
    """Entries in the house format pasted outside any changelog: a dated or versioned heading whose
    first lines carry a Change Type field and a By or WSP References field (a format no other
    kind of document uses), each read as a changelog of one entry."""
    out: list[Region] = []
    for sec in doc.sections:
        h = sec.heading
        if h is None or h.style == "bold" or any(r.first <= h.line <= r.last for r in [*regions, *out]):
            continue
        if not _MAYBE_ENTRY.search(h.raw) or parse_heading(h.raw) is None:
            continue
        keys = {f[0] for _, t in doc.span(h.line + 1, min(sec.body_end, h.line + 8)) for f in _fields_of(t)}
        if "change type" in keys and keys & {"by", "wsp references"}:
            out.append(Region(doc, h.line, sec.end, None))
    return out


def _date_field(doc: Document, sec: Section) -> tuple[bool, str | None, str | None]:
    """Whether an undated heading's first lines carry a Date or Version field (an entry's
    metadata), with the date and the version they give."""
    lines = [t for _, t in doc.span(sec.start + 1, min(sec.body_end, sec.start + 8)) if t.strip()][:4]
    found, date, version = False, None, None
    for text in lines:
        if "ate" not in text and "ersion" not in text:
            continue  # no Date or Version field here (most lines under a heading)
        for key, value in _fields_of(text):
            if key in _DATE_KEYS and not _PLACEHOLDER.search(value):
                found = True
                d = rx.search(_D, value)
                date = date or (d.group(0) if d else None)
            elif key in _VERSION_KEYS and rx.search(r"\d+\.\d+", value):
                found = True
                version = version or clean(value)
    return found, date, version


@lru_cache(maxsize=65536)  # a change log pasted twice reads the same lines twice
def _fields_of(text: str) -> tuple[tuple[str, str], ...]:
    """The `**Key**: value` fields of a line, several where a line holds several
    ("**Change Type**: Fix   **By**: 0102   **WSP References**: WSP 22")."""
    f = _field_of(text)
    if f is None:
        return ()
    if "**" not in f[1]:
        return (f,)
    out: list[tuple[str, str]] = []
    for part in _MORE_FIELDS.split(f"**{f[0]}**: {f[1]}" if "**" in text[:12] else f[1]):
        m = _FIELD.match(part)
        if m:
            out.append((_key(m["key"]), m["value"].strip()))
        elif out:
            out[-1] = (out[-1][0], f"{out[-1][1]} {part}")
    return tuple(out) or (f,)


def _field_of(text: str) -> tuple[str, str] | None:
    if "**" in text[:12]:
        m = _FIELD.match(text)
    elif ":" in text[:48]:
        m = _PLAIN_FIELD.match(text)
    else:
        return None
    return (_key(m["key"]), m["value"].strip()) if m else None


@dataclass
class Entry:
    region: Region
    line: int  # the heading (or record) line
    head: Head
    record: str | None = None  # a bullet record's text
    last: int = 0


def _entries(region: Region) -> list[Entry]:
    doc = region.doc
    found: list[Entry] = []
    for sec in doc.sections:
        h = sec.heading
        if h is None or not region.first <= h.line <= region.last or h.line == region.title_line:
            continue
        head = parse_heading(h.raw) if _MAYBE_ENTRY.search(h.raw) else None
        if head is None:
            has_field, date, version = _date_field(doc, sec)
            title = _undated_title(h.raw) if has_field else None
            if title is None or CHANGELOG.search(title):
                continue
            head = Head(date, title, version)
        found.append(Entry(region, h.line, head))
    # a heading entry runs to the next entry, or to the next heading of its level or above
    for e, nxt in zip(found, [*found[1:], None]):
        sec = doc.section_at(e.line)
        end = sec.end if sec.level < 7 and not _metadata_only(doc, e.line + 1, sec.end) else _bold_end(doc, sec)
        if nxt is not None:
            end = min(end, nxt.line - 1)
        e.last = _trim(doc, e.line, _before_template(doc, e.line, min(end, region.last)))
    # a bullet record outside them is an entry of its own
    spans = [(e.line, e.last) for e in found]
    seen: set[str] = set()
    for item in doc.items:
        if not region.first <= item.line <= region.last or not item.text.startswith("**"):
            continue
        m = _RECORD.match(item.text)
        if m is None or any(a <= item.line <= b for a, b in spans):
            continue
        # records that differ only in time or counts are one entry, at its first place
        shape = _shape(m["text"])
        if shape in seen:
            continue
        seen.add(shape)
        text = clean(m["text"])
        found.append(Entry(region, item.line, Head(m["date"], _record_title(text.replace("`", ""))), record=text,
                           last=item.end))
    return sorted(found, key=lambda e: e.line)


def _metadata_only(doc: Document, first: int, last: int) -> bool:
    """Whether an entry heading's own lines hold nothing but its fields: its parts are then the
    headings of its level that follow it ("### [date] Title", its fields, "### What Changed")."""
    # metadata only: "- **Problem**: ..." and "- **Files**: ..." are the entry's content
    return all(not t.strip() or _RULE.match(t) or ((fs := _fields_of(t)) and all(role(k) == "meta" for k, _ in fs))
               for _, t in doc.span(first, last))


def _bold_end(doc: Document, sec: Section) -> int:
    """A bold-line entry (or one whose parts are headings of its own level) runs to the end of the
    section above it (bold lines or such headings inside it are its parts)."""
    parent = doc.sections[sec.parent] if sec.parent is not None else None
    return parent.end if parent is not None else doc.end


# a log's own "what to document here" template, pasted below an entry ("[FAIL] DO NOT DOCUMENT HERE:")
_TEMPLATE = regex.compile(r"(?i)^\s*(?:\[[A-Z]{1,8}\]\s*|[^\w\s]{1,3}\s*)?(?:do not |don't )?document (?:here|in this)\b")


def _before_template(doc: Document, first: int, last: int) -> int:
    """The entry's last line before a stray template block inside its span: the block is the
    template line and the run of lines indented as deep as it just above it."""
    for n, text in doc.span(first + 1, last):
        if ("ocument" not in text and "OCUMENT" not in text) or not _TEMPLATE.match(text):
            continue
        indent = len(text) - len(text.lstrip())
        k = n - 1
        while k > first:
            t = doc.text(k)
            if t.strip() and (len(t) - len(t.lstrip()) < indent or indent == 0):
                break
            k -= 1
        return max(k, first)
    return last


def _trim(doc: Document, first: int, last: int) -> int:
    while last > first and (not doc.text(last).strip() or _RULE.match(doc.text(last))):
        last -= 1
    return last


class _Seen:
    """A document's entries so far, compared by their text with times and counts blanked (the
    whole text only when the heading's shape and the length already agree: most never do)."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, int], list[list]] = {}

    def add(self, lines: list[str]) -> bool:
        """False when an earlier entry has the same shape."""
        earlier = self.by_key.setdefault((_shape(lines[0]), len(lines)), [])
        whole = _shape("\n".join(lines)) if earlier else None
        for e in earlier:
            if e[1] is None:
                e[1] = _shape("\n".join(e[0]))
            if e[1] == whole:
                return False
        earlier.append([lines, whole])
        return True


def _shape(text: str) -> str:
    """The text with its times and counts blanked; numbers that name something (WSP 49, Phase 2,
    v0.3) are kept."""
    def blank(m: regex.Match[str]) -> str:
        return m.group(0) if _NAMES_NUMBER.search(text, max(0, m.start() - 12), m.start()) else "#"

    return _NUMBER.sub(blank, text)


def _record_title(text: str) -> str:
    """A record's title: its first clause when that has a few words, else the whole text."""
    m = rx.match(r"^(.{12,160}?)(?::\s|;\s|\.\s|\s\()", text)
    return _cut(m.group(1) if m and len(m.group(1).split()) >= 3 else text, 160)


# -- an entry's facts ---------------------------------------------------------------------------


@dataclass
class Group:
    """Body lines under one heading or bold label (the lead group has no key)."""

    key: str
    title: str
    level: int  # 1-6 for `#` headings, 7 for a bold or plain label, 0 for the lead group
    line: int
    depth: int  # 0 the lead, 1 a section of the entry itself, 2+ a section inside one
    lines: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Fld:
    key: str
    value: str  # with the sub-items of a value that ends with a colon
    line: int
    depth: int
    end: int  # the last line it takes
    group: int = 0  # the group it is in


@dataclass
class Facts:
    groups: list[Group]
    fields: list[Fld]
    memo: dict = field(default_factory=dict)  # what is read from them more than once (parts, asides)


def _once(fn):
    """`fn(facts)` computed once per Facts (summarise asks for the parts and file lists several times)."""
    def wrapper(facts: Facts):
        if fn.__name__ not in facts.memo:
            facts.memo[fn.__name__] = fn(facts)
        return facts.memo[fn.__name__]
    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper


def _visible(doc: Document, first: int, last: int) -> list[tuple[int, str | None]]:
    """The entry's lines, a code block or an HTML comment given as one line of None (their text is
    not read for facts)."""
    out: list[tuple[int, str | None]] = []
    fence = comment = False
    for n, text in doc.span(first, last):
        s = text.strip()
        if comment:
            comment = "-->" not in s
            continue
        if fence:
            fence = not (s.startswith("```") or s.startswith("~~~"))
            continue
        if s.startswith("```") or s.startswith("~~~") or s.startswith("<!--"):
            fence = s[0] != "<"
            comment = s[0] == "<" and "-->" not in s
            out.append((n, None))
            continue
        out.append((n, text))
    return out


def read_facts(lines: list[tuple[int, str | None]]) -> Facts:
    """Body lines (after the heading) grouped by the heading or bold label above them, with their
    depth in the entry, and the entry's `**Key**: value` fields (a field that the entry's fields
    are read from is not a group's content)."""
    first = lines[0][0] if lines else 0
    groups = [Group("", "", 0, first, 0)]
    fields: list[Fld] = []
    heads: list[int] = []  # levels of the `#` sections open above the current line
    open_field: Fld | None = None
    open_kept = False  # the open field's line is content: its list is content too
    meta_indent: int | None = None  # a metadata line left out: the lines deeper than it go with it
    for n, text in lines:
        s = text.strip() if text else ""
        if s and meta_indent is not None:
            if len(text) - len(text.lstrip()) > meta_indent and s[0] != "#":
                continue
            meta_indent = None
        if not s:
            open_field = None
            # a blank line parts two paragraphs; a code block (not read) is marked where it was
            groups[-1].lines.append((n, "" if text is not None else CODE_MARK))
            continue
        c = s[0]
        if s[:3] in ("---", "***", "___", "===") and _RULE.match(s):
            open_field = None
            groups[-1].lines.append((n, "---"))  # what follows a rule is no longer the block's list
            continue
        if open_field is not None and _BULLET.match(text):
            open_field.value += ("; " if not open_field.value.endswith(":") else " ") + clean(s)
            open_field.end = n
            if open_kept:
                groups[-1].lines.append((n, text))
            continue
        open_field = None
        label, level = None, 7
        if c == "#":
            h = _HEADING.match(text)
            if h:
                label, level = h["text"], len(h["hashes"])
        elif "**" in s[:4] and s[-1] in ":*":  # a bold label ends its line with a colon or the bold mark
            m = _LABEL.match(text)
            if m:
                label = m["key"]
        elif s[-1] == ":" and len(s) < 44:
            m = _PLAIN_LABEL.match(s)
            if m:
                label = m["key"]
            elif c in "-*+" and (m := _PLAIN_LABEL.match(_BULLET.sub("", s))) and role(_key(m["key"])) != "other":
                label = m["key"]  # "- Files Modified:" over its own list, in a list of fields
        if label is not None:
            if level < 7:
                while heads and heads[-1] >= level:
                    heads.pop()
                heads.append(level)
                depth = len(heads)
            else:
                depth = len(heads) + 1
            groups.append(Group(_key(label), clean(label).rstrip(":").strip(), level, n, depth))
            continue
        if groups[-1].level == 7 and text[:2] == "**" and (f := _FIELD.match(text)) and role(_key(f["key"])) in (
                "other", "changes") and _after_list(groups[-1].lines):
            # "**Methodology Captured**:" over its numbered steps, a blank line, then "**First Implementation**:
            # `x` skill" over bullets of its own: a part beside the list, not one more of its items
            groups.append(Group(_key(f["key"]), clean(f["key"]), 7, n, groups[-1].depth))
            groups[-1].lines.append((n, f["value"]))
            continue
        found = _fields_of(text) if ":" in text[:64] else ()
        for key, value in found:
            fields.append(Fld(key, value, n, groups[-1].depth + 1, n, len(groups) - 1))
        if found:
            roles = {role(k) for k, _ in found}
            if found[-1][1].rstrip("* ").endswith(":"):
                open_field = fields[-1]
                open_kept = roles <= {"other", "changes", "decision"}
            if "files" in roles and _paths([found[0][1]]):
                continue  # read from the fields, not as content
            # a part's own "**Issue**:", "- **Context**:", "- **Duration**:" lines say what the part is;
            # the entry's own why, impact and metadata are read from the fields only
            in_part = groups[-1].depth >= 2 and role(groups[-1].key) in ("changes", "other")
            if roles & {"meta", "why", "impact"} and not (in_part and (_BULLET.match(text) or found[0][0] in _PART_FIX_KEYS)):
                if roles == {"meta"} and open_field is None:
                    meta_indent = len(text) - len(text.lstrip())
                continue
        groups[-1].lines.append((n, text))
    return Facts(groups, fields)


def _after_list(lines: list[tuple[int, str]]) -> bool:
    """Whether a group's lines so far end in a list and then a blank line."""
    seen = [t for _, t in lines]
    while seen and seen[-1] == "" and len(seen) > 1 and seen[-2] == "":
        seen.pop()
    return len(seen) >= 2 and seen[-1] == "" and bool(_BULLET.match(seen[-2]))


def _upto(facts: Facts, last: int) -> Facts:
    """What the entry's first lines, up to `last`, hold."""
    groups = [Group(g.key, g.title, g.level, g.line, g.depth, [r for r in g.lines if r[0] <= last])
              for g in facts.groups if g.line <= last]
    return Facts(groups, [f for f in facts.fields if f.end <= last])


def _cells(row: str) -> list[str]:
    """A pipe table row's cells ("| `a.txt` | `docs/` | archive |")."""
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _items(lines: list[tuple[int, str]], heads_only: bool = False) -> list[str]:
    """A group's content as items: its paragraphs (lines not parted by a blank line are one) and
    top-level bullets, cleaned; a wrapped line continues its item. Bullets under a line that
    introduces them (it ends with a colon, or is a `**Key**: value` line) or nested deeper are that
    line's sub-items, joined to it whole (so no item dangles or is cut inside a sub-item); a table
    gives one item per row, each cell named by its header. With `heads_only`, an item is given
    without its sub-items (for the parts of a larger whole, each already a sub-item), except a
    line that introduces them (its list is what it says)."""
    items: list[list] = []  # [text, sub-items]
    takes = False  # the last item (a line that introduces a list) takes the bullets that follow
    parent_indent = 0
    prev = ""  # what the line before was: "" (blank or none), para, bullet, sub, row, field
    header: list[str] = []
    texts = [t for _, t in lines]
    coded: set[int] = set()  # items a code block follows
    part_heads: set[str] = set()  # bullets that say something of their own (not "Changes:" over a list)
    skip_under: int | None = None  # the indent of a metadata line left out: what is deeper goes with it
    for k, text in enumerate(texts):
        s = text.strip()
        if not s or s == CODE_MARK:
            if s and items and prev:
                coded.add(len(items) - 1)
            prev = ""
            continue
        if s == "---":
            break  # a rule ends the block: a trailer after it ("*Status: Complete*") is not its item
        if s[0] in "*_" and _ITALIC_META.match(s):
            continue  # "*Status: Complete - ...*": a status line in italics
        if s.startswith("|"):
            cells = _cells(s)
            if _TABLE_DELIM.match(s):
                continue
            if k + 1 < len(texts) and _TABLE_DELIM.match(texts[k + 1].strip()):
                header = [clean(c) for c in cells]  # a row names what each cell of the rows under it is
                continue
            if k + 1 == len(texts) and prev != "row" and not (k and _TABLE_DELIM.match(texts[k - 1].strip())):
                continue  # a table's first row where the lines shown end: its header, the rows not shown
            if len(header) == len(cells) > 1:
                row = "; ".join(f"{h}: {c}" if h else c for h, c in zip(header, cells) if c)
            else:
                row = " - ".join(c for c in cells if c)
            row = clean(row)
            if row:
                items.append([row, []])
            prev, takes = "row", False
            continue
        f = _FIELD.match(text)
        indent = len(text) - len(text.lstrip())
        bullet = bool(_BULLET.match(text))
        if skip_under is not None and (indent > skip_under or not bullet and indent > 0):
            continue  # the lines under a metadata line are its own
        skip_under = None
        if f and role(k := _key(f["key"])) == "meta" and (not bullet or k in _CORE_META or k.endswith("status")):
            prev, takes, skip_under = "", False, indent
            continue  # a list's "- **Duration**: 1 hour" is one of its items; "**Status**: done" is not
        t = clean(s)
        if not t:
            continue
        if not bullet and f is None and items and (prev == "para" or (prev in ("bullet", "sub") and (
                indent > 0 or t[0].islower() or t[0] in "\"'`("))):
            if prev == "sub":
                items[-1][1][-1] += " " + t
            else:
                items[-1][0] += " " + t  # a wrapped line of the paragraph or item above
            continue
        if items and bullet and (indent > parent_indent or takes):
            items[-1][1].append(t.rstrip(":"))
            prev = "sub"
            continue
        items.append([t, []])
        if bullet and not t.endswith(":"):
            part_heads.add(t)
        parent_indent = indent
        takes = not bullet and (t.endswith(":") or f is not None)  # a bullet takes only deeper bullets
        prev = "bullet" if bullet else "field" if f is not None else "para"
    # a label whose content is a code block (not read) says nothing: "Fix (Lines 4-9):"; one that
    # says what was done ("Guard pattern added to key files:") stays
    items = [(head, subs) for k, (head, subs) in enumerate(items) if rx.search(r"[A-Za-z]{2}", head)
             and (subs or k not in coded or not head.endswith(":") or _CHANGE_VERB.search(head))]
    # "See: `x/ModLog.md` for details" points elsewhere: it is no change
    items = [(head, [t for t in subs if not _POINTER.match(t)]) for head, subs in items if not _POINTER.match(head)]
    if not heads_only and len(items) == 1 and len(items[0][1]) > 1 and not _LEADS_ON.search(items[0][0].rstrip(": ")) \
            and items[0][0] not in part_heads:
        # one line that introduces a list: the list is the content, each of its items whole (a
        # list's bullet, "1. **SSE Server**: NEW", and its sub-bullets are one part, not split from it)
        return [_cut(items[0][0].rstrip(":").rstrip()), *(_cut(t) for t in items[0][1])]
    # a part's item keeps what its sub-items say, as far as they fit, and counts the rest (never
    # dropped silently); the head alone only where it has none
    # (a lone part, its list whole as far as a part's size allows)
    return [_join(head, subs, PART_ITEM_CHARS if heads_only and not head.endswith(":")
                  else PART_CHARS if len(items) == 1 and head in part_heads else MAX_ITEM_CHARS)
            for head, subs in items]


# a sub-item left with a hole where its symbols were ("Changed [U+1F6F8] to [AI] to ..." -> "Changed to to ...")
_HOLE = regex.compile(r"(?i)\b(to|from|with|into|and|or|by|as|->)\s+\1\b")


def _join(head: str, subs: list[str], limit: int = MAX_ITEM_CHARS) -> str:
    """An item with as many of its sub-items as fit whole, and how many did not."""
    head = _cut(head.rstrip(":").rstrip(), limit)
    subs = [t for t in subs if " " not in t or not _HOLE.search(t)]
    if not subs:
        return head
    shown: list[str] = []
    size = len(head) + 2
    for sub in subs:
        if shown and size + len(sub) + 2 > limit:
            break
        shown.append(_cut(sub, limit))
        size += len(shown[-1]) + 2
    more = len(subs) - len(shown)
    # "Added x.; Renamed y." reads "Added x; Renamed y."
    shown = [t[:-1] if k < len(shown) - 1 and t.endswith((".", ",", ";")) and not t.endswith("..") else t
             for k, t in enumerate(shown)]
    if more and _COUNT.search(shown[-1]):  # the last shown has its own count: say what this one counts
        return f"{head}: {'; '.join(shown)}; and {more} more {'items' if more > 1 else 'item'}"
    sep = " " if head.endswith((".", "!", "?")) else ": "  # "Added x. Loads ...", not "Added x.: Loads ..."
    return f"{head}{sep}{'; '.join(shown)}" + (f" (and {more} more)" if more else "")


_LIBRARY = regex.compile(r"[A-Z][a-z0-9]*\.js")
_DOTFILE = regex.compile(r"\.[A-Za-z][\w-]{1,30}(?:\.[A-Za-z][\w-]{0,15})?")


def _paths(lines: list[tuple[int, str]] | list[str]) -> list[str]:
    out: list[str] = []
    for row in lines:
        text = row[1] if isinstance(row, tuple) else row
        if not text or ("." not in text and "/" not in text):
            continue  # no path here (most lines)
        out += [p for p in _line_paths(text) if p not in out]
    return out


@lru_cache(maxsize=65536)  # the same lines are read for the changes, the files and the shown entry
def _line_paths(text: str) -> tuple[str, ...]:
    out: list[str] = []
    if "](" in text:
        text = _LINK.sub(lambda m: m["text"], text)
    if "[U+" in text:  # "[U+2701]EEEEWSP_agentic/x.py": the escape and its mojibake are no part of the path
        text = _ESCAPE.sub(" ", text)
    for m in _PATH.finditer(text):
        # a leading dot stays (".cursor/rules/x.mdc"), a trailing one ends the sentence
        p = (m["code"] or m["bare"]).rstrip(".,;:()'\"").lstrip(",;:()'\"")
        if m["code"] is None and m.end() > m.start("bare") + len(m["bare"]):
            p = m.group(0).rstrip(".,;:()'\"").lstrip(",;:()'\"")
        elif m["code"] and _DOTFILE.fullmatch(m["code"]):
            out += [m["code"]] if m["code"] not in out else []  # "`.env.example`", "`.gitignore`"
            continue
        if len(p) < 4 or p.startswith(("http", "--", "www.", "/")) or not _FILE_LIKE.search(p):
            continue
        if rx.fullmatch(r"[\d./:-]+", p) or " " in p or p in out:
            continue
        if m["code"] is None and not p.endswith("/") and not _EXT.search(p) and rx.search(r"(?:^|/)[A-Z]", p):
            continue  # "Phase3A/livechat/vision", "ModLog/INTERFACE/README": words between slashes
        if m["code"] is None and _LIBRARY.fullmatch(p):
            continue  # "Chart.js", "Node.js": a library's name
        if m["code"] is None and not rx.search(r"[a-z]", p):
            continue  # "CONTINUE/THROTTLE/ESCALATE": words between slashes, not a path
        out.append(p)
    return tuple(out)


def _subtitles(facts: Facts, i: int) -> list[str]:
    """The sections right under group `i` (a "What Changed" made of "#### 1. ..." parts), each
    its title with what its content says; a lone section under it gives its own parts."""
    under = [g for g in facts.groups[i + 1:] if g.level < 7]
    end = next((k for k, g in enumerate(under) if g.depth <= facts.groups[i].depth), len(under))
    under = under[:end]
    under = [g for g in under if role(g.key) in ("changes", "other")]
    titles: list[Group] = []
    for _ in range(2):
        top = min((g.depth for g in under), default=0)
        titles = [g for g in under if g.depth == top and rx.search(r"[A-Za-z]{2}", g.title)]
        if len(titles) != 1:
            break
        under = [g for g in under if g.depth > top]
        if not under:
            break
    out = []
    for t in titles:
        k = next(n for n, g in enumerate(facts.groups) if g is t)
        items = _fix_first(_items(t.lines, heads_only=True) or _inner_items(facts, k))
        if _problem_only(items):  # the problem, its fix given as code: the title says what was done
            out.append((_cut(t.title), _says_done(t.title)))
            continue
        out.append((_join(t.title, items), True) if items else (_cut(t.title), False))
    # a section that is only its title (its content is code) is no change beside those that say one,
    # nor alone unless its title says what was done ("Added the relay lock", not "CONFIGURATION MANAGEMENT")
    said = any(has for _, has in out)
    return [t for t, has in out if has or (not said and _says_done(t))]


_CHANGE_NOUN = regex.compile(r"(?i)\b(?:fix(?:es)?|update|clean-?up|migration|refactor(?:ing)?|integration|enforcement|removal|"
                             r"rename|consolidation|upgrade|correction|implementation|creation|addition|deprecation)\b")
_BEFORE_AFTER = regex.compile(r"(?i)^(?:before|after|old|new|current|previous)\b\s*[:(-]")


def _says_done(title: str) -> bool:
    """Whether a section's title alone may say what was done ("Added the relay lock", "Relay Config
    Fix (relay/cfg.py)"), not what kind of section it is ("What Changed", "CONFIGURATION MANAGEMENT",
    "BEFORE: Monolithic")."""
    letters = [c for c in title if c.isalpha()]
    shouted = len(letters) >= 6 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
    return (not shouted and role(_key(title)) != "changes" and not _BEFORE_AFTER.match(title)
            and bool(_CHANGE_VERB.search(title) or _CHANGE_NOUN.search(title) or _paths([title])))


@_once
def _parts(facts: Facts) -> list[str]:
    """The parts of the change: the entry's own sections and labelled blocks (not its why, impact,
    files, tests or next steps), each with what its content says (its first items, or those of the
    first block under it that has any: the names of its sections are not a change); a lone
    section gives its own parts."""
    top = [i for i, g in enumerate(facts.groups) if g.depth == 1 and _is_part(g)]
    if len(top) == 1 and facts.groups[top[0]].level < 7 and not _items(facts.groups[top[0]].lines):
        inner = _content(facts, top[0])
        if inner:
            return inner
    out = []
    for i in top:
        g = facts.groups[i]
        items = _fix_first(_items(g.lines, heads_only=True) or _inner_items(facts, i))
        if items and _NOT_DONE.search(items[0][:80]):
            continue  # "Educational Architecture Planned:": what is still to come is not a change
        if _problem_only(items):  # the problem, its fix given as code: the title says what was done
            out.append((_cut(g.title), _says_done(g.title)))
            continue
        out.append((_join(g.title, items, PART_CHARS) if items else _cut(g.title), bool(items)))
    # a part that is only its title (its content is code, or a why) is a heading name, not a
    # change, when other parts say what was done
    said = any(has for _, has in out)
    return [p for p, has in out if (has or (not said and _says_done(p))) and rx.search(r"[A-Za-z]{2}", p)]


_PROBLEM_ITEM = regex.compile(r"(?i)^(?:the )?(?:issue|problem|root cause|bug|symptom|error)s?\b[^:]{0,40}:")


def _problem_only(items: list[str]) -> bool:
    """Whether a part's items only say what was wrong ("Issue: ...", "Root Cause: ...")."""
    return bool(items) and all(_PROBLEM_ITEM.match(t) for t in items)


def _fix_first(items: list[str]) -> list[str]:
    """A part's items with what was done before the problem it solved ("Fix: ...; Issue: ...")."""
    return sorted(items, key=lambda t: bool(_PROBLEM_ITEM.match(t)))


def _inner_items(facts: Facts, i: int) -> list[str]:
    """The items of the first block under group `i` that has any (a section made of labelled
    blocks or sub-sections: "#### Core Components:" and its list)."""
    g = facts.groups[i]
    # sub-sections ("#### refresh_tokens.py" and its list) each say what they are: named, all of them
    named = []
    for child in facts.groups[i + 1:]:
        if child.depth <= g.depth:
            break
        if child.depth == g.depth + 1 and child.level < 7 and _is_part(child) and not _NOT_DONE.search(child.title):
            items = _items(child.lines, heads_only=True)
            if items:
                named.append(_join(child.title, items))
    if named:
        return named
    for child in facts.groups[i + 1:]:
        if child.depth <= g.depth:
            break
        if _is_part(child) and not _NOT_DONE.search(child.title):
            items = _items(child.lines, heads_only=True)
            if items:
                return items
        elif role(child.key) == "files" and not _NOT_DONE.search(child.title):
            # a file list's lines that are no file ("Merged 3 variants into one protocol") say what was done
            said = [clean(t) for _, t in child.lines if _BULLET.match(t) and not t[:1].isspace()
                    and _path_first(t) is None and not _POINTER.match(clean(t))
                    and len(rx.findall(r"[A-Za-z]{3,}", _PATH.sub(" ", t))) >= 3]
            if said:
                return [_cut(t) for t in said]
    return []


def _is_part(g: Group) -> bool:
    """Whether a block is a part of the change (a block named as a file list that names no file,
    "**Modules Touched**: `relay` - backoff added", is one)."""
    kind = role(g.key)
    if _WHY_TITLE.match(g.title) or _DECISION_SECTION.match(g.key):
        # ("#### Key Decisions": the reasons for a choice, given as the why)
        return False  # "### Problem: WSP 3 violation in docs/": the reason, not a part of the change
    return kind in ("changes", "other") or (kind == "files" and not _paths(g.lines))


def _content(facts: Facts, i: int, split: bool = True) -> list[str]:
    """A heading's own items and its labelled parts ("**Core Modules:**" and their items), or
    the sections under it; a label's own items. With `split`, a heading whose content is one
    labelled list gives the label and each item of the list (not one line cut to a count)."""
    own = _items(facts.groups[i].lines)
    g = facts.groups[i]
    if g.level == 7:
        return own
    parts: list[tuple[str, list[str]]] = []
    for child in facts.groups[i + 1:]:
        if child.depth <= g.depth:
            break
        if child.level == 7 and child.depth == g.depth + 1 and _is_part(child):
            items = _fix_first(_items(child.lines, heads_only=True))  # what was done before what was wrong
            if items:
                parts.append((child.title, items))
    if split and not own and len(parts) == 1 and len(parts[0][1]) > 1:
        # one labelled list is the content: its label, then its items
        return [_cut(parts[0][0]), *parts[0][1]]
    joined = [_join(title, items) for title, items in parts]
    return [*own, *joined] if own else joined or _subtitles(facts, i)


def _shallow_only(key: str) -> bool:
    """A why name that may mean something else inside a part of the entry ("**Context**: the log
    line's stream title"): read only from the entry's own fields and sections."""
    return role(key) == "why" and _AMBIGUOUS_WHY.match(key) is not None


def _part_of_a_fix(facts: Facts, f: Fld) -> bool:
    """Whether a field inside a part of the entry belongs to that part's problem or fix (a problem's
    **Impact**, an Issue / Fix / Result block): it is not the entry's impact."""
    if role(facts.groups[f.group].key) == "why":
        return True
    return any(o.group == f.group and o is not f and (role(o.key) == "why" or o.key in _FIX_KEYS) for o in facts.fields)


def _list_only(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A block's lines up to a paragraph that opens with a `**Key**: value` line of another kind
    than a reason (the block's own list has ended there)."""
    seen = blank = False
    for k, (_, text) in enumerate(lines):
        s = text.strip()
        if not s:
            blank = seen
            continue
        if blank and s.startswith("**") and text[:1] not in " \t" and (f := _FIELD.match(text)) and role(_key(f["key"])) != "why":
            return lines[:k]
        seen, blank = True, False
    return lines


def _first(facts: Facts, want: str, sources: list[int] | None = None) -> tuple[int, list[str]]:
    """The depth and content of the shallowest, then first, group or field whose name has the
    role `want` (depth 9 and no content when there is none); `sources` gets what each source used
    was (0 a group, 1 a field)."""
    found: list[tuple[int, int, int, int, int]] = []  # depth, rank, line, 0 group / 1 field, index
    for i, g in enumerate(facts.groups):
        # "### Context: Relay drops" is a why section by the word its title opens with
        named = role(g.key) == want or (want == "why" and g.level < 7 and _WHY_TITLE.match(g.title))
        if named and not (g.depth > 1 and _shallow_only(g.key)):
            # a list of the changes comes before a one-line field beside it ("**Action**: ...")
            found.append((g.depth, 0 if _CHANGE_LIST.match(g.key) else 1, g.line, 0, i))
    for i, f in enumerate(facts.fields):
        if want == "impact" and f.depth > 1 and _part_of_a_fix(facts, f):
            continue
        if role(f.key) == want and not (f.depth > 1 and _shallow_only(f.key)):
            found.append((f.depth, 1, f.line, 1, i))
    got: list[str] = []
    at = 9
    first_what = first_rank = None
    for depth, rank, _, what, i in sorted(found):
        # the why is every reason the entry gives at its shallowest (a Triggered By and a Context); the
        # changes are a one-line field ("**Description**: ...") and the list beside it ("### Key Achievements"),
        # or every list of changes ("**Changes (a.md)**:", "**Changes (b.md)**:")
        also = want == "why" or (want == "changes" and ((first_what == 1 and what == 0)
                                                        or (first_rank == 0 and rank == 0 and what == 0)))
        if got and not (depth == at and also):
            break
        if got and _FINDINGS.search(facts.groups[i].key if what == 0 else facts.fields[i].key):
            continue
        if what == 0 and want == "why":
            # a reason's own list, up to a paragraph that opens with a field of another kind
            # ("**When Database is Better**: ..."); a problem block's fix or solution is not a reason
            items = _items(_list_only(facts.groups[i].lines)) or _content(facts, i, split=False)
            items = [t for t in items if not _FIX_ITEM.match(t) and not _NOT_A_REASON.match(t)]
            g = facts.groups[i]
            if _FINDINGS.search(g.key) and 2 * sum(bool(_STILL_OPEN.search(t)) for t in items) > len(items):
                continue  # "Issues Identified": what a session found still broken is no reason for its changes
            if _AMBIGUOUS_WHY.match(g.key) or (role(g.key) != "why" and _WHY_TITLE.match(g.title)):
                # a context that tells what was done ("Created a framework for ...") is no reason
                items = [t for t in items if not _TELLS_CHANGE.match(t)]
        elif what == 0:
            items = _content(facts, i)
        else:
            value = clean(facts.fields[i].value)
            items = [_cut(value)] if value else []
            if want == "impact" and len(value.split()) < 2:
                items = []  # "**Impact**: Structure": a category tag, not what the change did
            if want == "changes" and items:
                items = _with_its_list(facts, facts.fields[i]) or items
        if items:
            got += [t for t in items if t not in got]
            at = depth
            if first_what is None:
                first_what, first_rank = what, rank
            if sources is not None:
                sources.append(what)
    return at, got


_DECISION_SECTION = regex.compile(r"^(?:architecture |architectural |design |key |technical )decisions?(?: made| rationale)?$")
_STILL_OPEN = regex.compile(r"(?i)\b(?:broken|flaky|needs?|pending|todo|not yet|still|remains?|unresolved|open)\b")
_FINDINGS = regex.compile(r"issue|identified|found|requirement|feedback")  # what an audit found is no reason for the entry
_REASON_WORDS = regex.compile(r"(?i)\b(?:because|since|so that|in order to|to (?:fix|resolve|prevent|avoid|enable|allow|support|ensure)|"
                              r"resolv\w+|problems?|issues?|gaps?|fail\w*|errors?|bugs?|dissonances?|needed|required|"
                              r"requested|asked\s+for)\b")  # ("Notes: 012 requested systems check": the request)


# "Created WSP 82 and the Master Orchestrator to enable true 0102 "remember the code" operation": the purpose
# the summary gives for what it says was done
_PURPOSE = regex.compile(r"(?<=\w\W{0,2}\s)(?:in order )?to (?:enable|ensure|allow|support|prevent|avoid|reduce|improve|provide|"
                         r"restore|eliminate|stop|keep|guarantee|fix|resolve|unblock|speed up)\b[^.;]{8,}")


# "Removed WSP 17 and WSP 18 as they had no functional implementation": the cause it gives for what it did
_BECAUSE = regex.compile(r"\s(?:because|since|as)\s+(?P<why>(?:it|they|these|this|those|there|the\s+\w+(?:\s+\w+)?)\s+"
                         r"(?:had|has|have|was|were|is|are|did|does|do|could|lacked|never|no\s+longer)\b[^.;]{8,})")


# "Fixed critical issue where 35+ duplicate monitor processes were accumulating": the problem it fixed
_FIXED_WHERE = regex.compile(r"(?i)^(?:fixed|resolved|addressed|corrected)\s+(?:an?\s+|the\s+)?(?:critical\s+|major\s+|"
                             r"long-standing\s+)?(?:issue|bug|problem|error|regression)\s+(?:where|in\s+which|that\s+caused|"
                             r"causing)\s+(?P<why>[^.;]{8,})")


def _purpose(facts: Facts, changes: list[str]) -> list[str]:
    """The purpose, cause or problem the entry's summary (its first change, or one given as its "Summary: ...")
    states for what it tells was done ("Created X to enable Y": "to enable Y"; "Removed X as they had no use": "They
    had no use"; "Fixed issue where X": "X"); an aim is no reason where the change does not say it was done."""
    summary = [clean(t) for g in facts.groups if g.depth <= 2 and g.key == "summary" for _, t in g.lines[:3]
               if t.strip() and not _BULLET.match(t)]  # "### Summary" and its sentence, beside a "### Changes" list
    for t in ([changes[0]] + [c.split(": ", 1)[1] for c in changes[1:] if c.startswith("Summary: ")] if changes else []) + summary:
        m = _PURPOSE.search(t)
        if m and _TELLS_CHANGE.match(t) and len(m.group(0).split()) >= 4:
            return [m.group(0).rstrip(" ,:")]
        m = _FIXED_WHERE.match(t) or _BECAUSE.search(t)
        if m and _TELLS_CHANGE.match(t):
            why = m["why"].rstrip(" ,:")
            return [why[:1].upper() + why[1:]]
    return []


def _decision_reasons(facts: Facts, changes: list[str]) -> list[str]:
    """The choice an entry made and its reasons ("#### Architecture Decision" and its list: "Option A
    (Occam's simplest)", "no auth issues"), when the decision is not given as the change itself."""
    if any(t.startswith("Decision: ") for t in changes):
        return []
    for g in facts.groups:
        if g.depth <= 2 and _DECISION_SECTION.match(g.key):
            items = _items(g.lines)
            if items:
                return items
    return []


def _noted_reason(facts: Facts) -> list[str]:
    """An entry's own Notes field when it says what the change resolves or why it was needed."""
    for f in facts.fields:
        if f.depth <= 1 and f.key in ("notes", "note") and _REASON_WORDS.search(f.value):
            return [_cut(clean(f.value))]
    return []


_ISSUE_KEYS = _PART_FIX_KEYS - {"root cause", "result"}  # a part's statement of what was wrong


def _one_issue(facts: Facts) -> list[str]:
    """The entry's one "**Issue**:" field, where a part of it ("#### Technical Details") states the problem the
    change fixes: the entry's why. An entry with several (a part per problem) has no one why."""
    found = [f for f in facts.fields if f.key in _ISSUE_KEYS]
    return [_cut(clean(found[0].value))] if len(found) == 1 and len(found[0].value.split()) >= 3 else []


def _with_its_list(facts: Facts, f: Fld) -> list[str]:
    """A changes field and the bullets indented under it ("- **Solution**: Added x.py" and its
    "  - Builds ..." list), as the field's items; none when no list follows it."""
    lines = facts.groups[f.group].lines
    at = next((k for k, (n, _) in enumerate(lines) if n == f.line), None)
    if at is None:
        return []
    head = lines[at][1]
    indent = len(head) - len(head.lstrip())
    block = [lines[at]]
    own = bool(_BULLET.match(head))  # a bullet field owns the deeper bullets; a field line, the list under it
    for n, text in lines[at + 1:]:
        if not text.strip() or not _BULLET.match(text) or (own and len(text) - len(text.lstrip()) <= indent):
            break
        block.append((n, text))
    return _items(block) if len(block) > 1 else []


def _status_key(key: str) -> bool:
    return role(key) == "meta" or key.endswith("status") or key == "current state"


def _decision(facts: Facts) -> list[str]:
    """A decision record's decision, and the changes stated after it."""
    at = next((f.line for f in facts.fields if role(f.key) == "decision"), None)
    for g in facts.groups:
        if role(g.key) == "decision" and (at is None or g.line < at) and _items(g.lines):
            items = _items(g.lines)
            # the decision, then what was done to carry it out ("Resolution: Added ...")
            return [f"Decision: {items[0]}", *items[1:MAX_ITEMS]]
    if at is None:
        return []
    out = [f"Decision: {_cut(clean(f.value))}" for f in facts.fields if role(f.key) == "decision"]
    out += [_cut(clean(f.value)) for f in facts.fields if f.line > at and role(f.key) == "changes" and clean(f.value)]
    return out


def _files(facts: Facts) -> list[str]:
    """The files the entry says were changed: its file lists (a files section with the blocks under
    it, a files field, a list of paths under a line that says they were changed), the entry's own
    first; a list the entry says was there already or is still to come is left out."""
    found: list[tuple[int, list[str]]] = []  # depth, paths
    aside = _asides(facts)
    for i, g in enumerate(facts.groups):
        if role(g.key) == "files" and not (aside[i] and not _CHANGE_VERB.search(g.key)) and not _not_changed(g.title):
            lines = list(g.lines)
            for child in facts.groups[i + 1:]:
                if child.depth <= g.depth:
                    break
                if not _not_changed(child.title):
                    lines += child.lines
            found.append((g.depth, _changed_paths(lines)))
        elif role(g.key) in ("changes", "other") and not aside[i] and (paths := _path_list(g)):
            found.append((g.depth, paths))
        elif role(g.key) in ("changes", "other") and not aside[i] and "/" in g.title and (paths := _paths([g.title])):
            found.append((g.depth, paths))  # "**Changes (src/x/engine.py)**:": the file its changes are in
    for f in facts.fields:
        home = facts.groups[f.group]
        # a list in a metrics or status part counts when its name says its files were changed
        inside = aside[f.group] or role(home.key) in ("not_a_change", "why", "impact")
        if role(f.key) == "files" and not (inside and not _CHANGE_VERB.search(f.key)) \
                and not _ALREADY.search(f.value) and not _not_changed(home.title):
            found.append((f.depth, _paths([f.value])))
    for i, g in enumerate(facts.groups):
        if aside[i] or role(g.key) in ("not_a_change", "why", "impact"):
            continue
        for lead, subs in _lead_ins(g.lines):
            listed = [p for p in (_item_paths(t) for t in subs if not _not_changed(t)) if p]
            # a lead-in that names its own file ("Updated `x.md`:") lists what changed in it
            if _CHANGE_VERB.search(lead) and not _not_changed(lead) and not _paths([lead]) and 2 * len(listed) >= len(subs):
                found.append((g.depth + 1, [p for paths in listed for p in paths]))
        named = [p for _, t in g.lines if _BULLET.match(t) for p in _head_path(t) or []]
        if named:
            found.append((g.depth + 1, named))
    found.sort(key=lambda f: f[0])
    files = list(dict.fromkeys(p for _, paths in found for p in paths))
    # a bare name the entry also gives with its folders ("engine.py", "src/engine.py") once
    return [p for p in files if "/" in p or not any(o.endswith("/" + p) for o in files)]


_FILE_EXT = regex.compile(r"\.(?:py|md|mdc|json|jsonl|toml|ya?ml|txt|js|ts|tsx|jsx|sh|ps1|bat|env|html|css|sql|db|sqlite|"
                          r"ini|cfg|csv|log|xml|ipynb|rs|go|java|cpp|c|h|gguf|lock)$", regex.IGNORECASE)
# where a sentence goes on to name what the change read or used, not what it changed (or where what it made writes:
# an agent "to automatically write structured updates to `ModLog.md`")
_NOT_CHANGED_AFTER = regex.compile(r"(?i)\b(?:from|using|via|based on|reads?|reading|against|per|see|like|such as|instead of|"
                                   r"e\.g\.|similar to|compared to|inspired by|following|for|matching|to match|referencing|"
                                   r"pointing to|without|rather than|except|writes?|writing|points? to)\b")


_REMOVED_FROM = regex.compile(r"(?i)\b(?:remov\w*|delet\w*|strip\w*|dropp?\w*|extract\w*|purg\w*)\b[^.;]{0,80}$")


def _head(text: str) -> str:
    """A sentence up to where it goes on to name what the change read or used; "from" after a removal is where
    the thing was removed from: the file changed ("Removed `description` from wsp_governance/server.py")."""
    at = 0
    while (m := _NOT_CHANGED_AFTER.search(text, at)) is not None:
        if m.group(0).lower() != "from" or not _REMOVED_FROM.search(text, 0, m.start()):
            return text[:m.start()]
        at = m.end()
    return text


_WEIGHED = regex.compile(r"(?i)\b(?:would|should|could|might|must not|won't)\b")  # "Creating `x.md` would duplicate ..."
_FILE_CELL = regex.compile(r"(?:^|; )(?:[Ff]iles?|[Pp]ath|[Ll]ocation): ")  # a table row's file cell
_HYPOTHETICAL = regex.compile(r"(?i)\b(?:would|should|could|might|will|won't|must|needs? to|plan(?:s|ned|ning) to|propos\w*|"
                              r"if|unless|avoid\w*|never|instead)\b")


def _item_head(text: str) -> str:
    """An item up to its first sub-item when its head names a file ("Updated `a.md`: ...; root
    `main.py`" -> "Updated `a.md`: ..."): its sub-items say what that file holds."""
    label = text.split(": ", 1)[0]
    return text.split("; ", 1)[0] if any(_FILE_EXT.search(p) for p in _paths([label])) else text


_FILE_HEAD = regex.compile(r"(?i)^(?:files?|path)$")


def _file_column(lines: list[tuple[int, str]]) -> list[str]:
    """The File column of a "| File | Purpose |" table in a part of the change, each row as "File: `x`" (the whole
    table: the change made of its rows may be given cut, its files are not)."""
    out: list[str] = []
    head: list[str] = []
    for k, (_, t) in enumerate(lines):
        if not t.lstrip().startswith("|"):
            head = []
            continue
        nxt = lines[k + 1][1].strip() if k + 1 < len(lines) else ""
        if not head and _TABLE_DELIM.match(nxt):
            head = [clean(c) for c in _cells(t)]
        elif head and _FILE_HEAD.match(head[0]) and not _TABLE_DELIM.match(t.strip()):
            out.append(f"File: {_cells(t)[0]}")
    return out


def _prose_files(facts: Facts, changes: list[str]) -> list[str]:
    """The files the change's own text names (the items given as its changes, the entry's change
    sections and lead prose), before a clause that names what it read or used ("... from
    `audit.json`"); a file name with a known extension, never a folder."""
    aside = _asides(facts)
    # an item's head and a list's top lines: the lines under "Updated `WSP_46.md`:" say what that
    # file now says ("root ingress `main.py`"), not which files were changed
    texts = [_item_head(c) for c in changes]
    for i, g in enumerate(facts.groups):
        if (i == 0 or role(g.key) == "changes") and not aside[i]:
            texts += [t for _, t in g.lines if t and t[:1] not in " \t" and t != "---"
                      and not (_FIELD.match(t) and role(_key(_FIELD.match(t)["key"])) != "changes")]
        if not aside[i] and role(g.key) not in ("why", "impact", "not_a_change"):
            texts += _file_column(g.lines)  # (a table in a part of the change; not where a root cause was found)
    out: list[str] = []
    for text in texts:
        if "." not in text or _ALREADY.search(text):
            continue
        # each sub-item on its own ("File: `a.py`; Change: ... instead of ...; File: `b.py`"), the
        # item's own verb ("Moved to `x/`: scripts/: a.py; docs/: b.md") holding for all of them
        segments = clean(text).split("; ")
        said = bool(_CHANGE_VERB.search(_head(segments[0])))
        for segment in segments:
            head = _head(segment)
            # a sentence that says the file was changed, not one that weighs it ("Creating `x.md` would
            # violate ...") or reports on it ("1 violation (data/old.jsonl)")
            if not (said or _CHANGE_VERB.search(head) or _FILE_CELL.search(head)) or _HYPOTHETICAL.search(head):
                continue
            for p in _paths([head]):
                p = rx.sub(r":\d+(?:-\d+)?$", "", p)  # "main.py:920-955": the file
                if _FILE_EXT.search(p) and p not in out and not p.startswith("."):
                    out.append(p)
    return out


@_once
def _asides(facts: Facts) -> list[bool]:
    """For each group, whether it sits in a part that is not the change (metrics, status, next
    steps, the why or the impact): a file list there says what exists, not what was changed."""
    out: list[bool] = []
    open_: list[tuple[int, bool]] = []  # the groups above: depth, whether it or one above is aside
    for g in facts.groups:
        while open_ and open_[-1][0] >= g.depth:
            open_.pop()
        above = bool(open_) and open_[-1][1]
        out.append(above)
        open_.append((g.depth, above or role(g.key) in ("not_a_change", "why", "impact") or bool(_ALREADY.search(g.title))))
    return out


@lru_cache(maxsize=65536)  # the same lines are read for the full entry and the lines shown
def _not_changed(text: str) -> bool:
    return bool(_ALREADY.search(text) or _NOT_DONE.search(text))


def _changed_paths(lines: list[tuple[int, str]] | list[str]) -> list[str]:
    """The paths of lines that do not say their file is still to come or was there already (nor
    the list under a line that says so: "**Contracts** (pending):")."""
    kept: list[str] = []
    skip = False
    to_col: int | None = None  # a move table's destination column ("| From (root) | To | Reason |")
    for row in lines:
        text = row[1] if isinstance(row, tuple) else row
        if not text.strip():
            continue
        if text.lstrip().startswith("|"):
            cells = _cells(text)
            heads = [clean(c).lower() for c in cells]
            if any(rx.match(r"(?:from|source|old)\b", h) for h in heads):
                to_col = next((k for k, h in enumerate(heads) if rx.match(r"(?:to|destination|new(?: location| path)?)\b", h)), None)
                continue
            if to_col is not None and to_col < len(cells):
                text = "| " + " | ".join(c for k, c in enumerate(cells) if k != to_col) + " |"  # where it went is no changed file
        else:
            to_col = None
        if _BULLET.match(text):
            # "- See: `x/ModLog.md` V040": a pointer to where it is told, not a changed file
            if not skip and not _not_changed(text) and not _POINTER.match(clean(text)):
                kept.append(text)
            continue
        skip = _not_changed(text)
        if not skip:
            kept.append(text)
    return _paths(kept)


@lru_cache(maxsize=65536)  # the same lines are read for the full entry and the lines shown
def _path_first(text: str) -> str | None:
    """The path a list item names first ("- `src/a.py` (new)", "- **`README.md`**: CREATED")."""
    text = clean(text)
    head = text.lstrip("`./").split(None, 1)
    if not head or ("/" not in head[0] and "." not in head[0]):
        return None  # its first word is no path (most items)
    p = _paths([text[:200]])
    return p[0] if p and text.lstrip("`./").startswith(p[0].lstrip("./")) else None


_MOVE = regex.compile(r"->|\u2192|\b(?:to|into|from)\b", regex.IGNORECASE)
_EXT = regex.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}$")


@lru_cache(maxsize=65536)  # the same lines are read for the full entry and the lines shown
def _item_paths(text: str) -> list[str]:
    """The files of a list item that names a file first: all it names ("`a.txt`, `b.txt`"), or
    the first where it says where the file went ("`a.py` -> `tools/`")."""
    first = _path_first(text)
    if first is None:
        return []
    text = clean(text)
    if _MOVE.search(text):
        return [first]
    return [p for p in _paths([text]) if _EXT.search(p) or f"`{p}" in text] or [first]


@lru_cache(maxsize=65536)  # the same lines are read for the full entry and the lines shown
def _head_path(text: str) -> list[str] | None:
    """The one file a list item's head names and says was changed ("- Created `x.py` for ...",
    "- **TestModLog.md**: Created for the tests", "1. **SSE Server** (`sim/sse.py`): NEW")."""
    if "." not in text and "/" not in text:
        return None  # no path here (most lines)
    head = _head(clean(text)[:160])
    if _not_changed(head) or not _CHANGE_VERB.search(head) or _WEIGHED.search(head):
        return None
    paths = _paths([head])
    if not paths or (len(paths) > 1 and _MOVE.search(head)):
        return None  # "Moved `a/` -> `b/`", "`A.md` -> `B.md`": where a file went, not files
    # file names or quoted paths ("ModLog/INTERFACE/README" is words between slashes)
    return [p for p in paths if _EXT.search(p) or f"`{p}" in head] or None


def _path_list(g: Group) -> list[str]:
    """The paths of a block whose list is mostly one of files, each named first, that it says
    were changed ("- **`src/engine.py`**: CREATED - ..." under "Implementation Components")."""
    tops = [t for _, t in g.lines if _BULLET.match(t) and not t[:1].isspace()]
    firsts = [p for t in tops if not _not_changed(t) and (p := _path_first(t))]
    if not firsts or 2 * len(firsts) < len(tops) or _not_changed(g.title):
        return []
    # an item that is only a run of names ("- `a.txt`, `b.txt`, `c.txt`") names each of them
    every = [p for t in tops if not _not_changed(t) for p in (_NAMES_ONLY.match(t) and _paths([t]) or
                                                              [q for q in [_path_first(t)] if q])]
    return every if _CHANGE_VERB.search(" ".join([g.title, *tops])) else []


_NAMES_ONLY = regex.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+`[^`]+`(?:\s*,\s*`[^`]+`)+\s*$")


def _lead_ins(lines: list[tuple[int, str]]) -> list[tuple[str, list[str]]]:
    """Lines that end with a colon, each with the bullets under it (deeper, or any bullets under
    a line that is not one)."""
    out: list[tuple[str, list[str]]] = []
    lead: tuple[str, list[str], int, bool] | None = None
    for _, text in lines:
        s = text.strip()
        if not s:
            continue
        indent = len(text) - len(text.lstrip())
        bullet = bool(_BULLET.match(text))
        if lead is not None and bullet and (indent > lead[2] or not lead[3]):
            lead[1].append(s)
            continue
        lead = (clean(s), [], indent, bullet) if s.endswith(":") or s.endswith(":**") else None
        if lead is not None:
            out.append((lead[0], lead[1]))
    return out


_PROBLEM_TEXT = regex.compile(
    r"(?i)\b(?:was|were) only\b|\b(?:could|would|did|does|do|was|were|is|are)(?:n't| not| never)\b|\b(?:could|would) "
    r"(?:skip|fail|miss|break|lose)\b|\bfail(?:ed|ing|s)?\b|\bmissing\b|\bbroken\b|\bbugs?\b|\berrors?\b|\binflat\w+|"
    r"\bcaus(?:ed|ing)\b|\bdue to\b|\bcrash\w*|\bleak\w*|\bstale\b|\bwrong\b|\bincorrect\w*|\bskipp?(?:ed|ing)\b")


_DID = regex.compile(r"(?i)\b(?:closed|wired|routed|resolved|replaced|introduced|extended|switched|converted|split|merged|"
                     r"integrated|hardened|restored|aligned|corrected|now)\b")


def _states_problem(text: str) -> bool:
    """Whether an item only states what was wrong (a problem, no change made)."""
    return bool(_PROBLEM_TEXT.search(text)) and not _CHANGE_VERB.search(text) and not _DID.search(text)


_SAYS_CHANGE = regex.compile(r"(?i)(?:^|; )(?:changes?|description|what changed|purpose|action|update)s?: ")


@_once
def _file_moves(facts: Facts) -> list[str]:
    """What the entry's file lists say was done to each file: a move ("`a.md` -> `docs/`") or a
    table's Change column."""
    return [t for i, g in enumerate(facts.groups) if role(g.key) == "files" for t in _content(facts, i)
            if "->" in t or _SAYS_CHANGE.search(t)]


@_once
def _file_changes(facts: Facts) -> list[str]:
    """What a file list or table says of each file ("`x.py` | Moved the write into `finally`",
    "`a.md` -> `docs/`": a move)."""
    return [t for i, g in enumerate(facts.groups) if role(g.key) == "files" for t in _content(facts, i)
            if "->" in t or len(rx.findall(r"[A-Za-z]{3,}", _PATH.sub(" ", t))) >= 2]


_COUNT_ONLY = regex.compile(r"(?i)^[^:]{0,30}\b(?:analy[sz]ed|scanned|checked|found|processed|detected|reviewed|total|count)\b"
                            r"[^:]{0,12}: [\d.,%/~+ -]{1,20}$")
_PROBLEM_KEY = regex.compile(r"^(?:violations?|issues?|problems?|root causes?|bugs?|symptoms?|errors?|gaps?)$")
_FOUND_KEY = regex.compile(r"^(?:assessment|findings?|observations?|analysis|verdict|audit)$")


def _said_kind(item: str) -> str:
    """What a `Key: value` item of a list of changes says: a problem, a finding, or a change."""
    if ": " not in item[:40]:
        return "change"
    key = _key(item.split(": ", 1)[0])
    return "problem" if _PROBLEM_KEY.match(key) else "found" if _FOUND_KEY.match(key) else "change"


def _told_in_context(facts: Facts) -> list[str]:
    """The lines of the entry's own Context section that say what was done."""
    out: list[str] = []
    for g in facts.groups:
        if g.depth == 1 and g.level < 7 and (_AMBIGUOUS_WHY.match(g.key) or (role(g.key) != "why" and _WHY_TITLE.match(g.title))):
            out += [t for t in _items(g.lines) if _TELLS_CHANGE.match(t) and _CHANGE_VERB.match(t)]
    return out[:2]


def summarise(facts: Facts) -> dict:
    """The entry's fields (the caller adds the heading's date, title and version)."""
    out: dict = {}
    values: dict[str, str] = {}
    for f in sorted(facts.fields, key=lambda f: f.depth):  # the entry's own field before a part's
        values.setdefault(f.key, f.value)
    for keys, name, limit in ((_TYPE_KEYS, "change_type", 120), (_BY_KEYS, "by", 100)):
        # the shallowest: a part's "**Agent**: Qwen" is what the part is about, not who wrote the entry
        own = sorted((f.depth, keys.index(f.key)) for f in facts.fields if f.key in keys and clean(f.value))
        value = clean(values[keys[own[0][1]]]) if own else None
        if value and len(value) > limit and " - " in value[:limit]:
            value = value[:limit].rsplit(" - ", 1)[0]  # "Agent (role) - what it does": its name
        if value:
            out[name] = _cut(value, limit)
    date = next((rx.search(_D, values[k]) for k in _DATE_KEYS if values.get(k) and rx.search(_D, values[k])), None)
    if date:
        out["date"] = date.group(0)
    version = next((clean(values[k]) for k in _VERSION_KEYS if values.get(k) and rx.search(r"\d+\.\d+", values[k])), None)
    if version:
        out["version"] = _cut(version, 80)
    wsp = next((wsp_numbers(clean(values[k])) for k in _WSP_KEYS if values.get(k) and wsp_numbers(clean(values[k]))), [])
    if wsp:
        out["wsp_references"] = wsp

    # what changed: a summary or changes section or field of the entry itself, else its lead
    # paragraphs, else its parts (the sections and labelled blocks of the entry itself), else its
    # lead fields, else a summary deeper in the entry
    sources: list[int] = []
    shallow, changes = _first(facts, "changes", sources)
    if shallow > 1:
        lead = facts.groups[0].lines
        prose = any(t.strip() and t not in ("---", CODE_MARK) and not _BULLET.match(t) and not _FIELD.match(t) for _, t in lead)
        if prose:
            changes = _items(lead) or changes
            shallow, sources = 1, [0]  # the lead is the entry's own summary (as a Summary section is)
        else:  # the lead's fields that say something ("**WSP Creation**: Created WSP 73 ...", not
            # "**Auditor**: 0102" or "**Rejected**: 0"), then the parts
            parts = _parts(facts)
            said = [t for t in _items(lead) if len(rx.sub(r"\([^)]*\)", " ", t.split(": ", 1)[-1]).split()) >= 6]
            changes = (list(dict.fromkeys([*said, *parts])) if parts else []) or _items(lead) or changes
            if parts and len(changes) <= 2:
                # a short list of parts takes what the entry's file lists say was moved or changed
                moved = _file_moves(facts)
                if moved:  # a part that is only its title is no change beside them
                    changes = [t for t in changes if t not in parts or ": " in t]
                changes = [*changes, *(t for t in moved if t not in changes)]
        # a decision record's change is its decision (and what was done to carry it out), not the
        # question it weighed
        changes = _decision(facts) or changes
    # a status or metadata line in a list of changes ("Overall status: FAIL") is not one
    changes = [t for t in changes if ": " not in t[:48] or not _status_key(_key(t.split(": ", 1)[0]))]
    # "Violations analyzed: 19": a count, not a change
    changes = [t for t in changes if not _COUNT_ONLY.match(t)] or changes
    problem: list[str] = []
    # a list's "VIOLATION: x in root" / "Issue: ..." lines beside the changes made say what was wrong
    # (the why), and an "ASSESSMENT: ..." line what was found: neither is a change
    kinds = [_said_kind(t) for t in changes]
    if "change" in kinds and len(set(kinds)) > 1:
        problem = [t.split(": ", 1)[1] for t, k in zip(changes, kinds) if k == "problem"]
        changes = [t for t, k in zip(changes, kinds) if k == "change"]
    if changes and all(_states_problem(t) for t in changes) and _file_changes(facts):
        # a summary that only states the problem ("telemetry was only recorded on success, inflating
        # coverage") is the why; what was done is in the file table ("Moved the write into `finally`")
        problem, changes = changes, _file_changes(facts)
    if not changes:  # an entry that only lists its files: what it says of each is the change
        changes = _file_changes(facts)
    elif len(changes) <= 2 and shallow <= 1:
        # a one-line summary is not the whole change: what the file table says of each file
        # ("`x.py` | routes through ReAct") and the entry's other parts ("### Architecture Designed") are too
        # (a changes section already read out is no part beside it; another, "### Achievements" beside
        # the "### Summary" read, is)
        listed = {g.title for i, g in enumerate(facts.groups) if g.depth == 1 and role(g.key) == "changes"
                  and set(_content(facts, i)) <= {*changes, *problem}}
        table = _file_moves(facts)
        # (the other parts beside a list of changes or a summary section; beside a one-line Description
        # field, a few parts each given whole: "### Vision Expansion" and its list)
        from_list = any(g.depth == 1 and _CHANGE_LIST.match(g.key) for g in facts.groups)
        parts = [p for p in _parts(facts) if p.split(": ", 1)[0] not in listed] \
            if from_list or sources in ([0], [1]) else []
        if sources == [1] and not from_list and (len(parts) > 3 or any(_COUNT.search(p) for p in parts)):
            parts = []
        more = [*table, *parts]
        changes = [*changes, *(t for t in more if t not in changes and not any(t in c or c in t for c in changes))]
    # a context section that opens by telling what was done ("Created a framework for all 93 WSPs")
    # gives the entry's main change
    told = [t for t in _told_in_context(facts) if t not in changes and not any(t in c for c in changes)]
    if told and changes:
        changes = [*told, *changes]
    # the entry's summary read as one of its parts ("Summary: Created X and Y to ...") says the whole change: it
    # comes first, as what it is, not after the details as one more
    summary = next((t for t in changes[1:] if t.startswith("Summary: ")), None)
    if summary:
        changes = [summary.split(": ", 1)[1], *(t for t in changes if t is not summary)]
    if changes:
        out["changes"] = _listed(changes, MAX_ITEMS, "items")

    files = _files(facts)
    # the files the changes name ("Added `--x` to `holo_index.py`"): a file list is whole with them
    bases = {rx.sub(r":\d+(?:-\d+)?$", "", p) for p in files}
    files = [*files, *(p for p in _prose_files(facts, changes) if p not in bases)]
    # ("modules/{domain}/", "[module]/": a placeholder, not a file; "like_*", "SPRINT_*.md" name the files moved, as the
    # entry lists them: left out, the list would be cut without a count)
    files = [p for p in files if not any(o != p and o.endswith("/" + p.lstrip("./")) for o in files)
             and not any(c in p for c in "{[")]
    if files:
        out["files"] = _listed(files, MAX_FILES, "files")

    for name in ("why", "impact"):
        got = _first(facts, name)[1] or (problem or _decision_reasons(facts, changes) or _noted_reason(facts)
                                         or _one_issue(facts) or _purpose(facts, changes) if name == "why" else [])
        if got:
            out[name] = _listed(got, MAX_ITEMS, "items")
    return out


# -- examples -----------------------------------------------------------------------------------


_ORDER = ("date", "version", "title", "change_type", "by", "wsp_references", "changes", "files", "why", "impact")


def render_entry(fields: dict) -> str:
    """The entry in the WSP 22 house format (../shared/reference/012_FORMAT.md)."""
    head = f"## [{fields['date']}] {fields['title']}" if fields.get("date") else f"## {fields['title']}"
    lines = [head]
    meta = [("Change Type", fields.get("change_type")), ("Version", fields.get("version")), ("By", fields.get("by")),
            ("WSP References", ", ".join(fields.get("wsp_references", [])))]
    if any(v for _, v in meta):
        lines += ["", *(f"**{k}**: {v}" for k, v in meta if v)]
    for title, key in (("Summary", "changes"), ("Files Changed", "files"), ("Why", "why"), ("Impact", "impact")):
        items = fields.get(key)
        if not items:
            continue
        lines += ["", f"### {title}"]
        if key == "files":
            lines += [f"- `{p}`" if not p.startswith("... and") else f"- {p}" for p in items]
        elif len(items) == 1:
            lines.append(items[0])
        else:
            lines += [f"- {t}" for t in items]
    return "\n".join(lines)


def _raw(lines: list[tuple[int, str | None]]) -> tuple[list[str], int, int]:
    """The entry as shown raw: the heading and the body within the budget, cut before a blank
    line, a heading, a label or a top-level line (never inside a nested list); with the last line
    shown and how many non-blank lines are left out."""
    body = [t for _, t in lines[1:] if t and t.strip()]
    base = min((len(t) - len(t.lstrip()) for t in body), default=0)
    size = 0
    cut = len(lines)
    boundary = 1
    for i, (_, text) in enumerate(lines):
        text = text if text is not None else CODE_NOT_SHOWN
        s = text.strip()
        if i and (not s or len(text) - len(text.lstrip()) <= base or s[0] == "#" or s.startswith("**")):
            boundary = i
        size += len(text.rstrip()) + 1
        if i and (size > MAX_RAW_CHARS or i >= MAX_RAW_LINES):
            cut = boundary
            break
    shown = lines[:cut]
    # no trailing blank line, nor a heading or label whose content is cut away ("**Rationale**:" as the last line
    # shown would say the entry gives a reason that the fields then leave out)
    while len(shown) > 1 and (shown[-1][1] is not None and not shown[-1][1].strip()
                              or (cut < len(lines) and _opens(shown[-1][1] or ""))):
        shown = shown[:-1]
    left = sum(1 for _, t in lines[len(shown):] if t is None or t.strip())
    return [CODE_NOT_SHOWN if t is None else t.rstrip() for _, t in shown], shown[-1][0], left


def _opens(text: str) -> bool:
    """Whether a line only opens what follows it: a heading, or a label ending in a colon."""
    s = text.strip()
    return bool(s) and (s[0] == "#" or bool(_LABEL.match(text)) or (s.endswith(":") and len(s) < 60))


_COUNT = regex.compile(r"\s*\(and \d+ more\)|; and \d+ more items?$")


def _uncounted(fields: dict) -> dict:
    """The fields without the counts of what was left out: an entry written with "... and 2 more
    items" would teach the writer to put placeholders in a ModLog (the field task keeps them)."""
    out: dict = {}
    for k, v in fields.items():
        if isinstance(v, list):
            v = [_COUNT.sub("", t) for t in v if not t.startswith("... and ")]
        out[k] = v
    return out


def _module_note(region: Region) -> dict:
    return {"module": region.log} if region.log else {}


_STAMPED = regex.compile(r"\d\d:\d\d:\d\d")


def _drafts(entry: Entry, pack: DomainPack) -> list[Draft]:
    doc = entry.region.doc
    head = entry.head
    evidence = doc.text(entry.line).strip()[:300]
    if entry.record is not None:
        body = [(entry.line, entry.record)]
        base: dict = {"changes": [entry.record]}
        paths = _paths([entry.record])
        if paths:
            base["files"] = _listed(paths, MAX_FILES, "files")
        wsp = wsp_numbers(entry.record)
        if wsp:
            base["wsp_references"] = wsp
        raw_lines, left = [doc.text(entry.line).strip()], 0
        raw_facts = base
    else:
        body = _visible(doc, entry.line + 1, entry.last)
        facts = read_facts(body)
        base = summarise(facts)
        if "wsp_references" not in base:
            wsp = wsp_numbers(" ".join([head.title, *(t for _, t in body if t)]))
            if wsp:
                base["wsp_references"] = wsp
        raw_lines, last_shown, left = _raw([(entry.line, doc.text(entry.line)), *body])
        raw_facts = summarise(_upto(facts, last_shown)) if left else dict(base)
        if left and "wsp_references" not in raw_facts:
            wsp = wsp_numbers(" ".join(raw_lines))
            if wsp:
                raw_facts["wsp_references"] = wsp
        # the WSP the title names ("WSP 99: M2M Prompting Protocol") is one the entry is about, whatever its
        # references line lists (not one in an aside: "(Corrected from WSP 100)")
        titled = wsp_numbers(rx.sub(r"\([^()]*\)", " ", head.title))
        for said in (base, raw_facts):
            named = [w for w in titled if w not in said.get("wsp_references", [])]
            if named and said.get("wsp_references"):
                said["wsp_references"] = [*named, *said["wsp_references"]]
    fields = {**base, "title": head.title}
    fields["date"] = head.date or base.get("date")
    fields["version"] = head.version or base.get("version")
    fields = {k: fields[k] for k in _ORDER if fields.get(k)}
    span = (entry.line, max(entry.last, entry.line))
    why = "why" in fields
    ambiguities = [] if fields.get("date") else ["the entry gives no date"]
    ambiguity = 0.0 if fields.get("date") else 0.25
    drafts: list[Draft] = []

    # the write task: the change's facts -> the entry in the house format; an entry that is nothing
    # but `Key: value` fields (a tool's session record) gives none: writing it would only relabel them
    only_fields = entry.record is None and all(t is not None and (not t.strip() or _fields_of(t)) for _, t in body)
    # a one-line record whose title is its whole text: writing it would only repeat that line
    only_fields = only_fields or (entry.record is not None and head.title == entry.record)
    # a tool's record, stamped to the second ("### [2025-08-10 12:00:39] - Compliance Auto-Fix"): its
    # copies in every module's log would teach one template; its fields are read, not written
    only_fields = only_fields or (entry.record is None and bool(_STAMPED.search(doc.text(entry.line)[:80])))
    written = _uncounted(fields)
    # an entry whose lists had to be cut is not written: the written entry would leave out what the
    # source's entry holds, silently or behind a placeholder (the field task keeps the count)
    if (fields.get("changes") or fields.get("files")) and not only_fields and written == fields:
        facts_in = {**_module_note(entry.region), **{k: written[k] for k in _ORDER if k in written and k != "why"}}
        if why:
            facts_in["problem"] = written["why"]
        drafts.append(Draft(
            instruction_key="entry", input=facts_in, output={"modlog_entry": render_entry(written)},
            evidence=evidence, kind="rationale_chains" if why else "decision_trees", label="entry",
            required=("modlog_entry",), rationale=1.0 if why else 0.75,
            rationale_note="" if why else "The entry states no reason for the change: its Why section is left out",
            ambiguity=ambiguity, ambiguities=ambiguities, line=entry.line, span=span))

    # the field task: the raw entry -> its fields (read from the lines shown only); an entry
    # whose body is empty or cannot be shown within the budget gives none
    if len(raw_lines) == 1 and entry.record is None:
        return drafts
    shown = {**raw_facts, "title": head.title}
    shown["date"] = head.date or raw_facts.get("date")
    shown["version"] = head.version or raw_facts.get("version")
    shown = {k: shown[k] for k in _ORDER if shown.get(k)}
    if not any(k in shown for k in ("changes", "files", "why", "impact")):
        return drafts  # the lines shown are metadata alone: reading them out would only relabel them
    if left:
        # a list that goes on in the lines not shown says so: read out as it stands it would pass for whole
        for key in ("changes", "files", "why", "impact"):
            seen, full = shown.get(key), fields.get(key)
            if isinstance(seen, list) and isinstance(full, list) and not seen[-1].startswith("... and ") \
                    and any(t not in seen for t in full):
                shown[key] = [*seen, NOT_SHOWN_MORE]
    text = "\n".join(raw_lines)
    if left:
        text += f"\n[... {left} more lines of the entry not shown]"
    drafts.append(Draft(
        instruction_key="fields", input={**_module_note(entry.region), "entry": text}, output=shown,
        evidence=evidence, kind="decision_trees", label="fields", required=("title",), rationale=1.0,
        ambiguity=ambiguity, ambiguities=ambiguities, line=entry.line, span=span))
    return drafts


def _template(d: Draft, module: str | None) -> str:
    """The answer a draft shares with the copies of its entry in other modules' logs (a tool writes the same
    entry into each: "WRE Session Update", "WSP Compliance Auto-Fix"): its output with the module's name, the
    dates, times and counts masked (EXAMPLES.md 6: a template's copies give a couple of examples, not one each)."""
    text = json.dumps(d.output, sort_keys=True).lower()
    for word in rx.findall(r"[a-z0-9]{3,}", (module or "").lower().replace("_", " ")):
        text = text.replace(word, "~")
    digest = hashlib.sha1(rx.sub(r"\d+", "0", text).encode()).hexdigest()[:12]
    return f"ModLog entries written alike in several logs ({d.instruction_key}) [{digest}]"


def extract(doc: Document, hits: list[Match], pack: DomainPack) -> list[Draft]:
    out: list[Draft] = []
    seen = _Seen()
    regions = _regions(doc)
    for region in [*regions, *_loose_entries(doc, regions), *_fenced_regions(doc)]:
        for entry in _entries(region):
            # entries that differ only in times or counts (a tool's repeated session record) are
            # one entry, at its first place
            if not seen.add([t.strip() for _, t in region.doc.span(entry.line, entry.last)]):
                continue
            module = region.log or doc.title
            out += [replace(d, template=_template(d, module)) for d in _drafts(entry, pack)]
    return out


EXTRACTOR = Extractor(document=extract)
