"""readme_patterns: README documents -> structure checks, README outlines and section purposes.

An item is a README, or a README outline, with at least two section headings (GUIDE.md): a document
of the source, a level-1 part of one (documents pasted one after another without a separator), or
a fenced block that holds one. Its sections are its level-2 headings (its level-1 headings after the
title where it has no level 2, its bold-line headings where it has neither); the standard sections
it provides are read from them through the
domain pack's one synonym table (`[rules.sections]`: whole words, case-insensitive). A line about a
README (a file list's gloss, an audit note, "Added missing README.md", a test name) is not a README:
only a document with its own headings is read.

A document is a README when it says so (its title, its path or a README path above its title, "this
README", "README.md <- This file" in its own file tree); when its title names what it documents (a
module identifier, "Module: x", a template placeholder, a path, a title ending in a noun such as
Module, Directory or Skill, or a title that the text around it names as a module path:
"Consent Engine" beside "modules/communication/consent_engine"); when its opening describes it
("This directory contains ..."); or, for a document of no other kind, when its headings provide
an overview or three standard sections, one of them how to install, use or depend on it. The
document kind of skills/structure.py is where this starts, not the rule: ModLogs, roadmaps and
skill definitions (YAML front matter) are READMEs only when named so, reports only when named so
or titled by such a noun. A README ends where a dated ModLog entry heading starts under it.

Each README gives, all at its title line and with its verdict as label:
- structure: its headings and the required sections -> the sections present (with the heading
  that provides each), those missing, complete or incomplete. Not made for a README that is cut
  short (a verdict on part of it could be wrong); its other examples then carry no label.
- skeleton: its module's description (its opening) and purpose (its overview section) -> a README
  outline with the six standard sections, the Overview holding the given facts and the other
  sections a placeholder each. Not made where the README gives neither (a template's placeholders).
- section: one section's heading and text -> which standard sections it provides, what that section
  is for, and what the text says (its first sentence, its list or its subsections, from the text
  shown); one section that provides a standard section and one that provides none, each chosen
  by the README's content, so that a template filled in for many modules gives different sections.
Only the structure check states a verdict, so the verdicts a model learns are balanced by the task
kinds, not by dropping READMEs. Nothing in an example depends on line numbers: a README pasted twice
gives identical examples, which the filter rejects as duplicates.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache

from training_data_miner.skills.extractors import Draft, Extractor
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import DomainPack
from training_data_miner.skills.structure import DOC_KINDS, MAX_DOCUMENT_LINES, Document, Heading, parse_document

MIN_SECTIONS = 2
TEXT_LINES = 24  # lines of a section's text given as input (the rest is counted, not dropped silently)
SENTENCE_MAX = 320  # a longer first sentence is not quoted (it would have to be cut)
SHORT_SENTENCE = 10  # words: a first sentence this short is quoted with the next one


@dataclass(frozen=True, eq=False)
class Rules:
    """The pack's README rules, compiled: the standard sections in order with the heading patterns
    that provide each, their roles, and the words that make a document a README."""

    standard: tuple[str, ...]
    provides: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    roles: dict[str, str]
    noun: re.Pattern[str]  # a README noun ending a title
    not_readme: re.Pattern[str]  # a word that makes a README-named title a document about READMEs
    other_title: re.Pattern[str]  # the title of a module's other document (INTERFACE.md, an API reference)


def _words(phrase: str) -> str:
    return r"\s+".join(re.escape(w) for w in phrase.split())


def _patterns(specs: list[str]) -> tuple[re.Pattern[str], ...]:
    """A standard section's synonyms: "a b" whole words in order, "a + b" both anywhere in the
    heading, "^a" the heading's first word (after a section number). The plain phrases are searched
    as one alternation."""
    plain = [_words(s) for s in specs if not s.startswith("^") and "+" not in s]
    out = [re.compile(r"\b(?:%s)\b" % "|".join(plain), re.I)] if plain else []
    for spec in specs:
        if spec.startswith("^"):
            out.append(re.compile(r"^(?:\d+(?:\.\d+)*\.?\s+)?" + _words(spec[1:]) + r"\b", re.I))
        elif "+" in spec:
            # anchored: tried once at the start, not at every position
            out.append(re.compile("^" + "".join(rf"(?=.*?\b{_words(p.strip())}\b)" for p in spec.split("+")), re.I))
    return tuple(out)


@lru_cache(maxsize=8)
def _compile(rules_json: str) -> Rules:
    rules = json.loads(rules_json)
    sections = rules["sections"]
    readme = rules["readme"]
    return Rules(
        standard=tuple(sections),
        provides=tuple((name, _patterns(specs)) for name, specs in sections.items()),
        roles=rules["roles"],
        noun=re.compile(r"(?i)\b(?:%s)$" % "|".join(map(re.escape, readme["nouns"]))),
        not_readme=re.compile(r"(?i)\b(?:%s)\b" % "|".join(map(re.escape, readme["not_readme_words"]))),
        other_title=re.compile("|".join(f"(?:{x})" for x in readme["other_titles"]), re.I),
    )


def rules_of(pack: DomainPack) -> Rules:
    return _compile(json.dumps(pack.rules))


@lru_cache(maxsize=4096)
def _provided(title: str, rules: Rules) -> tuple[str, ...]:
    return tuple(name for name, pats in rules.provides if any(p.search(title) for p in pats))


def provided(title: str, rules: Rules) -> list[str]:
    """The standard sections a heading provides, by the synonym table ("Public API & Usage" ->
    ["Usage"]; "Development Protocol Checklist" -> [], it names no WSP)."""
    return list(_provided(title, rules))


# -- which documents are READMEs ---------------------------------------------------------------

_README = re.compile(r"(?i)\breadme\b")
# a README file named on a line of its own above the title ("modules/x/README.md", "Read(x/README.md)")
_README_PATH = re.compile(r"(?i)(?:^|[\s(`'\"/\\])(?:[\w.-]+[/\\])*readme\.md\b")
# the README speaking of itself: "this README", "README.md  # This file", "README.md <- This file"
_SELF_NAMED = re.compile(r"(?i)\bthis\s+readme\b|readme(?:\.md)?`?\s{0,40}(?:#|<-|\[U\+2190\]|\u2190|\()\s*this\s+file\b")
_IDENTIFIER = re.compile(r"^(?:[a-z][a-z0-9]*(?:[_.-][a-z0-9]+)*|[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+)$")
_WSP_ID = re.compile(r"(?i)^wsp[_\s-]?\d+$")
_PATH_TITLE = re.compile(r"^[\w.-]+(?:/[\w.-]+)+/?$|^[\w.-]+/$")
_LABELLED = re.compile(r"(?i)^(?:module|package|skill|library|directory|folder|component|plugin)\s*:\s*\S+$")
_PLACEHOLDER_TITLE = re.compile(r"^(?:\[[A-Z][A-Z0-9_ -]*\]|\{[\w ]+\}|<[\w ]+>)$")
_TITLE_PARTS = re.compile(r"\s+[-\u2013\u2014]\s+|:\s+")
# an opening that describes what the README documents: "This directory contains ...", "This skill hunts ..."
_SELF_DESCRIBED = re.compile(
    r"(?:^|[.:!]\s+|\*\*\s*)This\s+(?:module|directory|folder|package|library|skill|suite|archive|toolkit|plugin|"
    r"extension|component|repository|service)\s+(?!(?:is\s+not|has|had|was|were|needs|must|should)\b)[a-z]")
_REQUIRED_HOW = ("Installation", "Usage", "Dependencies")


@dataclass
class Unit:
    """A README candidate: where its lines are read from, its title heading and its last line."""

    doc: Document  # the document, or a fenced block parsed as one
    title: Heading
    end: int
    fenced: bool = False
    fence_closed: bool = True


def _title_heading(doc: Document) -> Heading | None:
    if doc.title_line is None or doc.part:
        return None
    h = doc.section_at(doc.title_line).heading
    return h if h is not None and h.line == doc.title_line and h.level == 1 else None


def _parts(doc: Document) -> list[tuple[Heading, int]]:
    """The document's level-1 parts: each level-1 heading (not a bold line) with its last line, a
    heading right under another (nothing but blank lines between) being its subtitle, not a part."""
    h1s = [h for h in doc.headings() if h.level == 1 and h.style != "bold"]
    starts: list[Heading] = []
    prev: Heading | None = None
    for h in h1s:
        if prev is None or any(doc.text(n).strip() for n in range(_body(prev), h.line)):
            starts.append(h)
        prev = h
    return [(h, (starts[i + 1].line - 1) if i + 1 < len(starts) else doc.end) for i, h in enumerate(starts)]


_ENTRY = re.compile(r"^\W*(?:\d{4}-\d\d-\d\d|v?\d+\.\d+(?:\.\d+)?\s*[-:\u2013\u2014])")  # "[2025-10-11] ...", "V0.5.5 - ..."


def _until_entry(doc: Document, title: int, end: int) -> int:
    """A README's last line: before the first dated ModLog entry heading that follows it (a ModLog
    pasted under it without a separator), else `end`."""
    for h in doc.headings():
        if title < h.line <= end and h.level == 2 and _ENTRY.match(h.title):
            return h.line - 1
    return end


def readmes(doc: Document, rules: Rules) -> list[Unit]:
    """The READMEs of a document. When the document is a README, it is one to its end, except where
    a later level-1 part is a README of its own by more than its opening (its title, a README path
    above it, its headings): a level-1 heading inside a README is usually one of its parts.
    Otherwise each of its level-1 parts may be one (documents pasted one after another without a
    separator). A fenced block may hold one too."""
    found: list[Unit] = []
    title = _title_heading(doc)
    parts = [Unit(doc, h, _until_entry(doc, h.line, e)) for h, e in _parts(doc)]
    whole = Unit(doc, title, _until_entry(doc, title.line, doc.end)) if title is not None else None
    if whole is not None and _is_readme(whole, doc, rules):
        own = [u for u in parts if u.title.line > whole.title.line and _is_readme(u, doc, rules, strong=True)]
        if own:
            whole.end = _until_entry(doc, whole.title.line, own[0].title.line - 1)
        found += ([whole] if not own or _is_readme(whole, doc, rules) else []) + own
    else:
        found += [u for u in parts if not (whole is not None and u.title.line == whole.title.line
                                           and u.end >= whole.end) and _is_readme(u, doc, rules)]
    for f in doc.fences:
        if f.lang not in ("", "markdown", "md", "text", "txt") or len(f.body) < 3:
            continue
        if not any(t.lstrip().startswith("#") for t in f.body[:12]):
            continue  # no title: not a document
        sub = parse_document(f.body, f.start + 1)
        t = _title_heading(sub)
        if t is not None:
            closed = f.end != doc.end or doc.text(f.end).strip().startswith(("```", "~~~"))
            unit = Unit(sub, t, sub.end, fenced=True, fence_closed=closed)
            if _is_readme(unit, doc, rules):
                found.append(unit)
    return found


def _is_readme(unit: Unit, doc: Document, rules: Rules, strong: bool = False) -> bool:
    sections = sections_of(unit)
    if len(sections) < MIN_SECTIONS:
        return False
    above = [t for _, t in unit.doc.span(unit.title.line - 3, unit.title.line - 1)]
    if unit.fenced:  # the lines above its fence name it too
        above += [t for _, t in doc.span(unit.doc.start - 4, unit.doc.start - 2)]
    return readme_evidence(unit, above, rules, sections, doc, strong) is not None


def sections_of(unit: Unit) -> list[Heading]:
    """Its level-2 headings, or its level-1 headings after the title where it has no level 2, or,
    where it has neither, the bold lines standing alone right under its title ("**Usage**")."""
    heads = [h for h in unit.doc.headings() if unit.title.line < h.line <= unit.end]
    level2 = [h for h in heads if h.level == 2]
    if level2:
        return level2
    level1 = [h for h in heads if h.level == 1]
    if level1:
        return level1
    top = unit.doc.section_at(unit.title.line).index
    return [h for h in heads if h.style == "bold" and unit.doc.section_at(h.line).parent == top]


def _opening(unit: Unit, limit: int = 12) -> list[str]:
    """The README's first prose lines after its title (headings, blank lines and code skipped)."""
    out: list[str] = []
    doc = unit.doc
    for n, text in doc.span(_body(unit.title), unit.end):
        block = doc.block_at(n)
        if block is not None and block[0] == "fence":
            continue
        s = text.strip()
        if not s or s.startswith("#") or s.startswith("|") or set(s) <= set("-=*_ "):
            continue
        out.append(s)
        if len(out) >= limit:
            break
    return out


def readme_evidence(unit: Unit, above: list[str], rules: Rules, sections: list[Heading], outer: Document,
                    strong: bool = False) -> str | None:
    """Why the unit is a README, or None when it is not one (`strong`: not by its opening alone)."""
    doc, title = unit.doc, unit.title.title
    kind = doc.kind if unit.title.line == doc.title_line else _kind(title)
    if _README.search(title) and not rules.not_readme.search(_README.sub(" ", title)):
        return "title names README"
    if doc.path and _README.search(doc.path):
        return "path names README"
    if any(_README_PATH.search(t) for t in above):
        return "a README path above its title"
    if kind in ("modlog", "roadmap") or rules.other_title.search(title) or _front_matter(unit):
        return None  # (YAML front matter opens a skill or prompt definition, not a README)
    whole = title.strip()
    head = _TITLE_PARTS.split(whole)[0].strip()
    if rules.noun.search(whole.rstrip(" /")):
        return "title names what it documents"
    if kind == "report":
        return None
    if any(_SELF_NAMED.search(t) for t in doc.lines[unit.title.line - doc.start: unit.end - doc.start + 1]
           if "eadme" in t or "EADME" in t):
        return "it calls itself the README"
    first = head.split()[0] if head.split() else ""
    if (_PLACEHOLDER_TITLE.match(whole) or _LABELLED.match(whole) or _PATH_TITLE.match(head)
            or ((_IDENTIFIER.match(head) or _IDENTIFIER.match(first) and "_" in first) and not _WSP_ID.match(first))
            or rules.noun.search(head)):
        return "title names what it documents"
    if _module_named(whole, outer):
        return "its title is a module the text names"
    if not strong and any(_SELF_DESCRIBED.search(t) for t in _opening(unit)):
        return "its opening describes what it documents"
    if kind != "other" or unit.fenced:
        return None  # (a code block's outline is a README only when something says what it documents)
    standard = {s for h in sections for s in _provided(h.title, rules)}
    if standard & set(_REQUIRED_HOW) and (len(standard) >= 3 or "Overview" in standard):
        return "its headings provide standard sections: an overview or three, one of them how to install or use it"
    return None


_ELIDED = re.compile(r"(?i)\.{3}|\u2026|\[\.\.\.\]|\(?\[?(?:output\s+)?truncated\]?\)?|\.\.\.\s*\(?\d+\s+more.*")


def _kind(title: str) -> str:
    """The document kind a title says (skills/structure.py's DOC_KINDS), for a part of a document."""
    return next((kind for kind, rx in DOC_KINDS if rx.search(title)), "other")


def _front_matter(unit: Unit) -> bool:
    """Whether YAML front matter (`---`, `key: value` lines, `---`) stands above the title."""
    if unit.title.line - unit.doc.start > 40:
        return False
    above = [t.strip() for _, t in unit.doc.span(unit.doc.start, unit.title.line - 1) if t.strip()]
    above = [t for t in above if not set(t) <= {"="}]
    return len(above) >= 3 and above[0] == "---" and ":" in above[1]


def _module_named(title: str, doc: Document) -> bool:
    """Whether a title of two or more words ("Consent Engine") is, written as an identifier, a module
    that the text it sits in names as a path or import ("modules/communication/consent_engine")."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    if not 2 <= len(words) <= 5:
        return False
    name = "_".join(w.lower() for w in words)
    text = _lowered(doc)
    return name in text and re.search(rf"[/.\\]{name}\b|\b{name}[/.\\]", text) is not None


_LOWERED: dict[int, tuple[Document, str]] = {}


def _lowered(doc: Document) -> str:
    """The document's text in lower case, made once per document (the last few are kept)."""
    got = _LOWERED.get(id(doc))
    if got is None or got[0] is not doc:
        if len(_LOWERED) >= 4:
            _LOWERED.clear()
        got = _LOWERED[id(doc)] = (doc, "\n".join(doc.lines).lower())
    return got[1]


def _cut_short(unit: Unit) -> bool:
    """Whether the README visibly ends before its text does: a block never closed, a document cut at
    the size limit, or a last line that elides the rest ("...", "[truncated]")."""
    if not unit.fence_closed:
        return True
    if unit.doc.part or len(unit.doc.lines) >= MAX_DOCUMENT_LINES and unit.end == unit.doc.end:
        return True
    last = next((t.strip() for _, t in reversed(unit.doc.span(unit.title.line, unit.end)) if t.strip()), "")
    return bool(_ELIDED.fullmatch(last))


# -- clean text ---------------------------------------------------------------------------------

# "[U+1F4CB]", with the variation selector after it, and "[U+2701]E" (an escape glued to a stray byte)
_ESCAPE = re.compile(r"\[U\+[0-9A-Fa-f]{4,6}\](?:E(?=[A-Z`*\[]))?[\uFE0F\u200D]?|[\uFE0F\u200D]")
_SYMBOLS = {"[GREATER_EQUAL]": ">=", "[LESS_EQUAL]": "<="}  # escaped symbols, spelled out
_PICTO = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF]")
_LINK = re.compile(r"\[([^\]\n]{1,200})\]\([^)\s]{0,300}\)")
_TAGS = re.compile(r"^(?:\[[A-Z][A-Z0-9_ -]{0,15}\]\s*)+")
_INNER_TAG = re.compile(r"(?<!\S)\[[A-Z][A-Z0-9_]{1,15}\](?!\S)")  # "- WSP 22 - [OK] COMPLIANT"
_MARKS = re.compile(r"\*\*|__|`|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_LIST = re.compile(r"^(?:[-*+]\s+|\d{1,3}[.)]\s+)")
_CHECKBOX = re.compile(r"^\[[ xX]\]\s+")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]`'\"%][.!?])\s+(?=[A-Z(\[`*\"'])")
# placeholder text of a template: "[Module functionality description - update this]", "*(Briefly describe ...)*"
_PLACEHOLDER = re.compile(
    r"(?i)^\W*(?:\[[^\]]*\]|\([^)]*\)|\{[^}]*\}|<[^>]*>)\W*$|\bupdate this\b|\bbriefly describe\b|\bdescribe the\b|"
    r"\bTODO\b|\bTBD\b|\blorem ipsum\b|\bplaceholder\b")


def clean(text: str) -> str:
    """A line's words without markdown (bold, code marks, link targets), emoji escapes or pictographs,
    and leading list markers, checkboxes or status tags."""
    t = text.strip()
    if "_EQUAL]" in t:
        for k, v in _SYMBOLS.items():
            t = t.replace(k, v)
    if "[U+" in t or not t.isascii():
        t = _ESCAPE.sub(" ", t)
        t = _PICTO.sub(" ", t)
    if "](" in t:
        t = _LINK.sub(r"\1", t)
    t = _MARKS.sub("", t)
    t = _LIST.sub("", t)
    t = _CHECKBOX.sub("", t)
    t = _TAGS.sub("", t.strip())
    if "[" in t:
        t = _INNER_TAG.sub("", t)
    return " ".join(t.split())


def first_sentence(text: str) -> str | None:
    """The text's first sentence, whole, or None when it has none short enough to quote whole (or
    it is a template's placeholder)."""
    t = clean(text)
    if len(t) < 12 or _PLACEHOLDER.search(t) or not _WORDY.search(t):
        return None
    # sentence ends that are not an abbreviation's period ("e.g. Move2Japan")
    ends = [m.start() for m in _SENTENCE_END.finditer(t) if not _ABBREVIATION.search(t, 0, m.start())] + [len(t)]
    s = t[: ends[0]]
    if len(s.split()) < SHORT_SENTENCE and len(ends) > 1 and ends[1] <= SENTENCE_MAX:
        s = t[: ends[1]]  # a short lead ("First Principles: data teaches.") with the sentence it leads to
    if len(s) > SENTENCE_MAX or len(s.split()) < 4:
        return None
    return s


_WORDY = re.compile(r"[A-Za-z]{3,}")
_ABBREVIATION = re.compile(r"(?i)(?:\b(?:e\.g|i\.e|etc|vs|approx|incl|cf|al|no)|(?<![A-Za-z])[A-Za-z])\.$")
_ATX_MARK = re.compile(r"^\s*(#{1,6})\s+")
_TEMPLATE = re.compile(r"(?i)\btemplate\b")
_META_KEY = re.compile(r"(?i)\b(?:purpose|description|overview|summary|directive|about|mission|what it does)\b")
_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_BADGES = re.compile(r"\S\s+\|\s+\S")  # "**WSP Framework Module** | **WSP 49 Compliant**": badges, not prose


def _is_heading(doc: Document, n: int) -> bool:
    sec = doc.section_at(n)
    return sec.heading is not None and sec.heading.line == n


def _list_of(doc: Document, first, last: int, stop: int) -> list[str] | None:
    """The items of the list that begins with `first` (its own level; nested items belong to theirs),
    or None when the list runs past `last` (it would not be shown whole) or is a template's."""
    items = []
    for it in doc.items[first.index:]:
        if it.line > stop:
            break
        if it.parent != first.parent:
            if first.parent is None and it.parent is None or it.indent < first.indent:
                break
            continue
        if items and any(doc.text(n).strip() and doc.block_at(n) is None for n in range(items[-1][0] + 1, it.line)):
            break  # prose between two items ends the list
        items.append((it.line, it.end, it.text))
    if not items or items[-1][1] > last:
        return None
    names = [clean(t).rstrip(":").strip() for _, _, t in items]
    if any(not n or len(n) > 200 or _PLACEHOLDER.search(n) for n in names):
        return None
    return names


def _listing(what: str, names: list[str], limit: int = 8) -> str:
    more = f" (and {len(names) - limit} more)" if len(names) > limit else ""
    return f"{len(names)} {what}: {'; '.join(names[:limit])}{more}"


def _says(doc: Document, first: int, last: int, stop: int, describe: bool) -> str | None:
    """What the text between `first` and `last` says first: its first sentence (a lead-in ending in
    a colon joined to the list under it), or, for a section (not a description), the items of the
    list it opens with. A description skips code, tables, metadata fields (Status, Date, Location),
    badge lines and bold labels, and is never a list. `stop` is where the section ends."""
    fields = {f.line: f for f in doc.fields_in(first, last)}
    for n, text in doc.span(first, last):
        s = text.strip()
        if not s or _RULE.match(s):
            continue
        block = doc.block_at(n)
        kind = block[0] if block is not None else None
        if kind in ("fence", "table", "record") or s.startswith(("|", ">", "<", "```", "~~~")) or _BADGES.search(s):
            if describe:
                continue
            return None
        if _is_heading(doc, n):
            if describe and doc.section_at(n).heading.style == "bold":
                continue  # "**0102 Directive**:" over the paragraph it names
            return None
        if kind == "item":
            if describe:
                return None
            names = _list_of(doc, block[1], last, stop)
            return _listing("items", names) if names and len(names) >= 2 else None
        f = fields.get(n)
        if f is not None and not _META_KEY.search(f.key) and describe:
            continue
        sentence = first_sentence(f.value if f is not None and describe else s)
        if sentence is None or not sentence.endswith(":"):
            return sentence
        after = next((m for m, t in doc.span(n + 1, last) if t.strip()), None)
        hit = doc.block_at(after) if after is not None else None
        names = _list_of(doc, hit[1], last, stop) if hit is not None and hit[0] == "item" else None
        if not names:
            return None
        joined = f"{sentence} {'; '.join(names)}"
        return joined if len(joined) <= 2 * SENTENCE_MAX else None
    return None


# -- the examples -------------------------------------------------------------------------------


def _structure(title: str, sections: list[Heading], rules: Rules, provides: dict[str, list[str]]) -> tuple[dict, dict, str]:
    present = {s: next(h.title for h in sections if s in provides[h.title]) for s in rules.standard
               if any(s in provides[h.title] for h in sections)}
    missing = [s for s in rules.standard if s not in present]
    verdict = "incomplete" if missing else "complete"
    inp = {"readme": title, "sections": [h.title for h in sections], "required_sections": list(rules.standard)}
    out: dict = {}
    if present:
        out["present"] = present
    if missing:
        out["missing"] = missing
    out["verdict"] = verdict
    return inp, out, verdict


def _skeleton(unit: Unit, sections: list[Heading], rules: Rules, provides: dict[str, list[str]]) -> tuple[dict, dict] | None:
    """The module's description (the README's opening) and purpose (its overview section's first
    sentence) -> the README outline; None when the README gives neither."""
    doc = unit.doc
    first_head = next((h.line for h in doc.headings() if unit.title.line < h.line <= unit.end and h.level <= 6),
                      unit.end + 1)
    description = _says(doc, _body(unit.title), first_head - 1, first_head - 1, describe=True)
    purpose = None
    for h in sections:
        if "Overview" in provides[h.title]:
            sec = doc.section_at(h.line)
            purpose = _says(doc, _body(h), sec.body_end, sec.body_end, describe=True)
            if purpose:
                break
    if purpose == description:
        purpose = None
    if not description and not purpose:
        return None
    title = unit.title.title
    inp = {"module": title}
    overview = []
    if description:
        inp["description"] = description
        overview.append(description)
    if purpose:
        inp["purpose"] = purpose
        overview.append(purpose)
    parts = [f"# {title}", "", "## Overview", *overview]
    for name in rules.standard:
        if name != "Overview":
            parts += ["", f"## {name}", f"<!-- {rules.roles[name]} -->"]
    return inp, {"outline": "\n".join(parts)}


def _body(h: Heading) -> int:
    """The first line under a heading (a setext heading's underline is part of it)."""
    return h.line + (2 if h.style == "setext" else 1)


def _section_end(doc: Document, h: Heading, end: int) -> int:
    """The section's last line: before the next heading of its level or above, the README's end, a
    thematic break (what follows one is a sign-off or a new part), a log record or a shell prompt."""
    last = min(doc.section_at(h.line).end, end)
    for n, text in doc.span(_body(h), last):
        block = (doc.block_at(n) or ("",))[0]
        if block == "fence" or not text.strip():
            continue
        if block == "record" or _RULE.match(text) or text.startswith(("$ ", "PS ", ">>> ")):
            return n - 1  # a log, a shell session or a new part follows the README's text
    return last


def _section_text(doc: Document, h: Heading, last: int) -> tuple[str, int, int]:
    """The section's text under its heading (subsection headings kept, markup, escapes and tags
    cleaned, code as written), its first TEXT_LINES non-blank lines; the last line shown and how
    many lines were left out."""
    lines: list[str] = []
    left = 0
    shown_end = h.line
    for n, text in doc.span(_body(h), last):
        if not text.strip():
            continue
        if len(lines) >= TEXT_LINES:
            left += 1
            continue
        shown_end = n
        block = doc.block_at(n)
        raw = text.rstrip()
        if block is not None and block[0] == "fence":
            lines.append(_ESCAPE.sub("", raw) if "[U+" in raw else raw)
            continue
        head = _ATX_MARK.match(raw)
        body = clean(raw[head.end():] if head else raw)
        if not body:
            continue
        if head:
            lines.append(f"{head.group(1)} {body}")
        elif _is_heading(doc, n):  # a bold line standing alone: a subheading, shown as one
            lines.append(f"**{body.rstrip(':')}**")
        elif block is not None and block[0] == "item":
            lines.append(" " * (len(raw) - len(raw.lstrip())) + "- " + body)
        else:
            lines.append(body)
    return "\n".join(lines), shown_end, left


def _section_summary(doc: Document, h: Heading, last: int, shown_end: int) -> str | None:
    """What the section says, from the text shown: its first sentence or list, else its subsection
    titles (all of them shown)."""
    sec = doc.section_at(h.line)
    said = _says(doc, _body(h), min(sec.body_end, shown_end), last, describe=False)
    if said:
        return said
    subs = [s.heading for s in doc.subsections(sec) if s.heading is not None and s.start <= last]
    if len(subs) < 2 or any(s.line > shown_end for s in subs):
        return None
    names = [clean(s.raw).rstrip(":").strip() for s in subs]
    if any(not n or n.endswith(".") or len(n) > 100 or _PLACEHOLDER.search(n) for n in names):
        return None
    return _listing("subsections", names)


def _template(unit: Unit) -> bool:
    """A README template (a placeholder title, or titled Template): its text is guidance, not facts."""
    title = unit.title.title
    return bool(_PLACEHOLDER_TITLE.match(title) or _TEMPLATE.search(title))


def _section_drafts(unit: Unit, sections: list[Heading], rules: Rules, provides: dict[str, list[str]]) -> list[tuple[dict, dict]]:
    """One section that provides a standard section and one that provides none, each chosen among
    those whose text says something quotable, by the README's content."""
    doc = unit.doc
    usable = []
    for h in sections:
        last = _section_end(doc, h, unit.end)
        text, shown_end, left = _section_text(doc, h, last)
        placeholders = sum(1 for t in text.splitlines() if _PLACEHOLDER.search(t))
        if not text or placeholders * 3 >= len(text.splitlines()):
            continue
        says = _section_summary(doc, h, last, shown_end)
        if says:
            usable.append((h, text, left, says))
    seed = zlib.crc32(json.dumps([unit.title.title, [h.title for h in sections]], ensure_ascii=False).encode("utf-8"))
    out = []
    for group in ([u for u in usable if provides[u[0].title]], [u for u in usable if not provides[u[0].title]]):
        if not group:
            continue
        h, text, left, says = group[seed % len(group)]
        inp: dict = {"readme": unit.title.title, "heading": h.title, "text": text}
        if left:
            inp["text_lines_left_out"] = left
        names = provides[h.title]
        output: dict = {"standard_sections": {s: s in names for s in rules.standard}}
        if names:
            output["role"] = "; ".join(f"{s}: {rules.roles[s]}" for s in names)
        else:
            output["role"] = "none of the standard sections"
        output["says"] = says
        out.append((inp, output))
    return out


def extract(doc: Document, hits: list[Match], pack: DomainPack) -> list[Draft]:
    rules = rules_of(pack)
    drafts: list[Draft] = []
    for unit in readmes(doc, rules):
        sections = sections_of(unit)
        provides = {h.title: provided(h.title, rules) for h in sections}
        evidence = unit.doc.text(unit.title.line).strip()[:300]
        span = (unit.title.line, unit.end)
        title = unit.title.title
        cut = _cut_short(unit)
        inp, out, verdict = _structure(title, sections, rules, provides)
        label = None if cut else verdict

        def draft(key: str, i: dict, o: dict, required: tuple[str, ...]) -> Draft:
            return Draft(instruction_key=key, input=i, output=o, evidence=evidence, kind="decision_trees",
                         label=label, required=required, rationale=1.0, line=unit.title.line, span=span,
                         rationale_note="")

        if not cut:
            drafts.append(draft("structure", inp, out, tuple(k for k in ("present", "missing", "verdict") if k in out)))
        if _template(unit):
            continue  # a template's text is guidance for a README to be written, not a module's facts
        sk = _skeleton(unit, sections, rules, provides)
        if sk is not None:
            drafts.append(draft("skeleton", sk[0], sk[1], ("outline",)))
        for i, o in _section_drafts(unit, sections, rules, provides):
            drafts.append(draft("section", i, o, ("standard_sections", "role", "says")))
    return drafts


EXTRACTOR = Extractor(document=extract)
