"""readme_patterns: a README's section structure -> which standard sections it has and which are missing.

Shapes in the text, each its own instruction:
- outline: a README-like document, anchored on its h1 title, its `##` sections read from the
  context after it (up to the next h1 or a `=====` paste separator, code blocks skipped). It counts
  as a README when it is named one (title, a README.md line just above, "README.md <- This file"
  inside), when its title names a module/directory/suite/tool, or when two of its sections are
  standard sections in their own words; WSP protocols and report-like titles (ModLog, Roadmap,
  Report, Analysis, Plan, Session...) are skipped unless named README. One example per document.
- described: a line naming a README and what it holds ("`README.md` - Purpose, installation,
  usage instructions", "+-- README.md  # Module overview and usage").
- audit: a README audit note ("Missing mandatory file: README.md", "README.md not updated in 114
  days (expected: 90d)", "README missing Usage section").
- doc_set / doc_checklist: a module's file tree or "Required Files" checklist listing README.md:
  which of the module's documentation files exist and which are missing.
The standard sections are those of a WSP module README: Overview, Installation, Usage, WSP
Compliance, Dependencies, Testing. A heading that names one only by a synonym ("Module Purpose" for
Overview) is an interpretation and is flagged as such.
"""

from __future__ import annotations

import regex

from training_data_miner.skills.extractors import Draft, EMOJI_ESCAPE, Extractor, WSP_REF, heading, plain_ascii
from training_data_miner.skills.extractors import rx
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import DomainPack

STANDARD_SECTIONS = ("Overview", "Installation", "Usage", "WSP Compliance", "Dependencies", "Testing")
# Per standard section: (its own words, synonyms). A synonym match is an interpretation.
_SECTION_WORDS: dict[str, tuple[regex.Pattern[str], regex.Pattern[str]]] = {
    "Overview": (regex.compile(r"(?i)\boverview\b"),
                 regex.compile(r"(?i)\b(?:purpose|introduction|intro|about|what\s+is|description)\b")),
    "Installation": (regex.compile(r"(?i)\binstall(?:ation|ing)?\b"),
                     regex.compile(r"(?i)\b(?:set\s*up|getting\s+started|quick\s*start|deploy(?:ment)?)\b")),
    "Usage": (regex.compile(r"(?i)\busage\b"),
              regex.compile(r"(?i)\b(?:how\s+to\s+use|examples?|running|commands?|cli|api)\b")),
    "WSP Compliance": (regex.compile(r"(?i)\bwsp\b.{0,20}\bcomplian(?:ce|t)\b|\bcomplian(?:ce|t)\b.{0,12}\bwsp\b"),
                       regex.compile(r"(?i)\bcomplian(?:ce|t)\b|\bwsp\s+(?:protocols?|integration|alignment|requirements)\b")),
    "Dependencies": (regex.compile(r"(?i)\bdependenc(?:y|ies)\b"),
                     regex.compile(r"(?i)\b(?:requirements|prerequisites|requires)\b")),
    "Testing": (regex.compile(r"(?i)\btest(?:ing)?\b"),
                regex.compile(r"(?i)\b(?:tests|validation|test\s+suite|coverage)\b")),
}
_H1 = regex.compile(r"^\ufeff?#\s+(?P<title>\S.*?)\s*#*\s*$")
_SEPARATOR = regex.compile(r"^\s*={20,}\s*$")
# "[U+2701]Emodules/...": an escaped emoji glued to a stray byte of its mojibake.
_MOJIBAKE = regex.compile(r"\[U\+[0-9A-Fa-f]{4,6}\]E(?=[A-Za-z`*])")
_TAG = regex.compile(r"^(?:\[[A-Z][A-Z_ -]{1,15}\]\s*)+")
_README_TITLE = regex.compile(r"(?i)\breadme\b")
_README_ISH_TITLE = regex.compile(
    r"(?i)\b(?:module|directory|suite|tools|package|library|skill|layer|area|infrastructure|archive|"
    r"analyzer|monitor|manager|engine|agent|bridge|adapter|client|tracker|validator|scorer|launcher|"
    r"handler|orchestrator)\s*$|^\[?[a-z][a-z0-9]*(?:_[a-z0-9]+)+\]?$|^module:\s*\S+$|^[\w.-]+(?:/[\w.-]+)+/?$"
)
_REPORT_TITLE = regex.compile(
    r"(?i)\b(?:mod\s*log|change\s*log|roadmap|report|summary|analysis|plan|session|results?|audit|"
    r"violations?|fix(?:es)?|complete|log|protocol|handoff|notes|prompt|design|implementation|"
    r"migration|evaluation|status|update)\b|^wsp[\s_]?\d+\s*:"
)
# A README named in the lines just above a title: "README.md:", "cat README.md", "### README.md".
_README_ABOVE = regex.compile(
    r"(?i)(?:readme(?:\.md)?[`*\s]*:?\s*$|\b(?:cat|type|get-content|read|view|open|contents? of)\b.*readme)"
)
_THIS_FILE = regex.compile(r"(?i)readme(?:\.md)?\b.{0,40}(?:this file|<-\s*this|\(this\b)")
# "`README.md` - Purpose, installation, usage", "+-- README.md  # Module overview", "README.md with ...".
_DESCRIBED = regex.compile(
    r"(?i)(?P<path>[\w./\\\[\]-]{0,160}readme(?:\.md)?)`?\**\s*(?:[-:#\u2013\u2014]|<-|\[U\+2190\]|->)\s*(?P<desc>\S.{3,200}?)\s*$"
    r"|(?P<path2>[\w./\\\[\]-]{0,160}readme(?:\.md)?)`?\**\s+with\s+(?P<desc2>\S.{3,200}?)\s*$"
)
_CHANGE_NOTE = regex.compile(
    r"(?i)^(?:added|updated|clarified|created|enhanced|fixed|moved|removed|document|generate|update|"
    r"implemented|rewrote|rewritten|refreshed|appended)\b"
)
_STALE = regex.compile(
    r"(?i)(?P<path>[\w./\\-]{0,160}readme(?:\.md)?)\s+not\s+updated\s+in\s+(?P<days>\d+)\s+days\s*\(expected:\s*(?P<limit>\d+)\s*d"
)
_MISSING_FILE = regex.compile(
    r"(?i)\bmissing(?:\s+mandatory\s+file)?\s*:?\s*`?(?P<path>(?:[\w.-]{1,60}/){0,6}readme(?:\.md)?)`?(?P<rest>.*)$"
)
_MISSING_SECTION = regex.compile(
    r"(?i)(?P<path>[\w./\\-]{0,160}readme(?:\.md)?)`?\**[^\n]{0,20}?\b(?:missing|lacks|without|has no|no)\b\s*(?:an?\s+|the\s+)?"
    r"(?P<sections>[A-Za-z ,/&]+?)\s+sections?\b"
)
# Words before a heading's head noun ("Module Purpose", "Running Shared Tests").
_QUALIFIER = regex.compile(r"(?i)^(?:(?:module|directory|core|project|tool|skill|public|the|quick|basic|"
                           r"enhanced|running|shared|key|\d+[.)]?)\s+)+")
# "Generate or update the README.md with ..." is a task, not a description of a README.
_IMPERATIVE = regex.compile(r"(?i)^\W*(?:\d+\.\s*)?(?:generate|update|design|read|write|add|create|ensure)\b")


def _clean(text: str) -> str:
    text = _MOJIBAKE.sub("", text)
    if not plain_ascii(text):
        text = EMOJI_ESCAPE.sub("", text)
    text = rx.sub(r"\*\*|__|`", "", text)
    text = _TAG.sub("", text.strip())
    text = rx.sub(r"^[^\w\[(]+", "", text)  # emoji and variation selectors left before a heading
    return " ".join(text.split()).strip(" -:|")


def classify(heading: str) -> list[tuple[str, bool]]:
    """The standard sections a heading provides, each with whether it says so in its own words
    ("Public API & Usage" -> [("Usage", True)]; "Module Purpose" -> [("Overview", False)]).

    A short heading (up to four words) may name its section anywhere ("WSP Compliance Status"); a
    longer one must start with it, so "Architecture Correction - No 0102 Dependency!" is not a
    Dependencies section. A synonym counts only as the heading's head noun ("Module Purpose", not
    "Scoring Examples")."""
    found = []
    words = len(rx.findall(r"[A-Za-z0-9]+", heading))
    head = _QUALIFIER.sub("", heading)
    for name, (own, synonym) in _SECTION_WORDS.items():
        m = own.search(heading)
        if m and (words <= 4 or own.match(head)):
            found.append((name, True))
            continue
        m = synonym.match(head)
        if m and (words <= 4 or m.end() >= len(head) - 1 or head[m.end():].lstrip().startswith(("&", "and", ":", "-"))):
            found.append((name, False))
    return found


def _wsp(text: str, at: int = 0) -> str | None:
    """The WSP named closest to position `at` ("WSP_49: Missing ..." / "Missing ... per WSP 34")."""
    found = sorted(WSP_REF.finditer(text), key=lambda m: min(abs(m.start() - at), abs(m.end() - at)))
    return f"WSP {found[0]['n'].lstrip('0') or '0'}" if found else None


def outline(after: list[str]) -> tuple[list[tuple[int, str]], bool, bool]:
    """The document's headings (level, title) up to the next h1 or paste separator, code blocks
    skipped; whether the window ended before the document did; whether it says it is a README."""
    heads: list[tuple[int, str]] = []
    fence = this_file = False
    for line in after:
        if line.lstrip().startswith("```"):
            fence = not fence
            continue
        if "readme" in line.lower() and _THIS_FILE.search(line):  # (only ASCII letters fold to "readme")
            this_file = True  # "+-- README.md <- This file" in a tree, even inside a code block
        if fence:
            continue
        if _SEPARATOR.match(line):
            return heads, False, this_file
        h = heading(line)
        if h:
            if len(h["hashes"]) == 1:
                return heads, False, this_file
            title = _clean(h["title"])
            if title and len(h["hashes"]) <= 3:
                heads.append((len(h["hashes"]), title))
    return heads, True, this_file


def _audit(sections_present: dict[str, tuple[str, bool]]) -> tuple[list[str], list[str], str]:
    present = [s for s in STANDARD_SECTIONS if s in sections_present]
    missing = [s for s in STANDARD_SECTIONS if s not in sections_present]
    return present, missing, "complete" if not missing else "incomplete"


def _title_parts(title: str) -> tuple[str, str]:
    """The title and its head before " - " / ": " ("Execution Log Analyzer - Learning from Logs")."""
    return title, rx.split(r"\s+[-\u2013\u2014]\s+|:\s+", title)[0].strip()


def _document(match: Match, pack_after: int | None) -> list[Draft]:
    m = _H1.match(match.text)
    if not m:
        return []
    if any(t.strip() for t in match.context_before[-2:]) and _H1.match(
            next(t for t in reversed(match.context_before[-2:]) if t.strip())):
        return []  # a second title right under a first ("# Module: x" / "# WSP Prompt") belongs to it
    raw_title = m["title"].strip()
    title = "[MODULE_NAME]" if raw_title == "[MODULE_NAME]" else _clean(raw_title)
    after = match.context_after
    lead = next((i for i, t in enumerate(after[:3]) if t.strip()), None)
    if lead is not None and _H1.match(after[lead]):
        after = after[lead + 1 :]  # read the sub-title's sections as this document's
    heads, cut, this_file = outline(after)
    cut = cut and len(match.context_after) >= (pack_after or 0)
    h2 = [t for lv, t in heads if lv == 2]
    if len(h2) < 2 or not rx.search(r"[A-Za-z]{2,}", title):
        return []
    above = match.context_before[-3:]
    named = bool(_README_TITLE.search(title) or this_file or any(_README_ABOVE.search(t) for t in above))
    mapping: dict[str, tuple[str, bool]] = {}
    for t in h2:
        for name, own in classify(t):
            if name not in mapping or (own and not mapping[name][1]):
                mapping[name] = (t, own)
    if not named:
        whole, head = _title_parts(title)
        tail = whole[len(head):]
        readme_ish = bool(_README_ISH_TITLE.search(whole) or (
            _README_ISH_TITLE.search(head) and not _REPORT_TITLE.search(tail)))
        if rx.match(r"(?i)wsp[\s_]?\d+\s*:", title) or (_REPORT_TITLE.search(title) and not readme_ish):
            return []  # a WSP protocol, report, plan or log is not a README ("X Module - Roadmap")
        own = sum(1 for _, is_own in mapping.values() if is_own)
        if not mapping or (not readme_ish and own < 2):
            return []  # two standard sections in their own words make an untitled document README-like
    present, missing, verdict = _audit(mapping)
    ambiguities: list[str] = []
    ambiguity = 0.0
    if not named:
        ambiguities.append("README-like by its title and sections; not named README")
        ambiguity += 0.25
    loose = [f"{mapping[s][0]!r} read as {s}" for s in present if not mapping[s][1]]
    if loose:
        ambiguities.append("; ".join(loose))
        ambiguity += 0.25
    out: dict = {"sections": h2[:30]}
    if present:
        out["present_standard_sections"] = present
        out["section_map"] = {s: mapping[s][0] for s in present}
    if missing:
        out["missing_sections"] = missing
    out["verdict"] = verdict
    required = tuple(k for k in ("sections", "present_standard_sections", "missing_sections", "verdict") if k in out)
    text_outline = "\n".join(("  " * (lv - 2)) + f"{'#' * lv} {t}" for lv, t in heads[:40])
    # The outline is the whole argument; a window that ends inside the document hides later sections.
    rationale = 0.75 if cut else 1.0
    note = "Partial rationale (the document continues past the context window)" if cut else ""
    if cut:
        ambiguities.append("document continues past the context window")
        ambiguity += 0.25
    return [Draft(
        instruction_key="outline", input={"document": title, "outline": text_outline}, output=out,
        evidence=match.text.strip()[:300], kind="decision_trees", label=verdict, required=required,
        rationale=rationale, rationale_note=note, ambiguity=min(ambiguity, 1.0), ambiguities=ambiguities,
    )]


def _tree_parent(match: Match) -> str:
    """The directory a tree entry sits in ("tests/" for a README nested under "+-- tests/")."""
    m = _TREE.match(match.text)
    depth = len(m["prefix"]) if m else 0
    for t in reversed(match.context_before):
        p = _TREE.match(t)
        if not p:
            break
        if len(p["prefix"]) < depth:
            return p["name"].lower()
    return ""


def _described(match: Match) -> list[Draft]:
    raw = _DESCRIBED.search(match.text)
    m = _DESCRIBED.search(_MOJIBAKE.sub("", match.text))  # the path without "[U+2701]E" debris
    if not m or not raw:
        return []
    path = (m["path"] or m["path2"]).strip("`*[]")
    desc = _clean(m["desc"] or m["desc2"])
    if rx.search(r"(?i)(?:^|/)(?:tests|memory|docs)/readme", path):
        return []  # a tests/ or memory/ README has its own structure, not a module README's
    if _CHANGE_NOTE.match(desc) or rx.match(r"^\[[^\]]+\]\(", desc) or _IMPERATIVE.match(match.text):
        return []  # "Added ..." reports a change, "[X Overview](path)" is a link, "Generate the README" a task
    if _TREE.match(match.text) and _tree_parent(match) in ("tests/", "memory/", "docs/"):
        return []  # a tests/ or memory/ README has its own structure
    mentioned: list[str] = []
    loose = False
    own_words = 0
    for part in rx.split(r"\s*(?:,(?!\s*\d)|;|\+|&|\band\b|\bwith\b)\s*", desc):
        if rx.search(r"(?i)\bmemory\s+usage\b", part):
            continue  # memory usage is what a memory README documents, not a Usage section
        for name, own in classify(part):
            if name not in mentioned:
                mentioned.append(name)
                loose |= not own
                own_words += own
    if not own_words:
        return []  # "Module documentation" or a lone synonym ("purpose") says too little about sections
    present = [s for s in STANDARD_SECTIONS if s in mentioned]
    missing = [s for s in STANDARD_SECTIONS if s not in mentioned]
    out: dict = {"present_standard_sections": present}
    if missing:
        out["missing_sections"] = missing
    out["verdict"] = "complete" if not missing else "incomplete"
    ambiguities = ["a one-line description may not name every section the README has"]
    ambiguity = 0.25
    if loose:
        ambiguities.append("some sections are named by a synonym (e.g. 'purpose' for Overview)")
        ambiguity += 0.25
    evidence = raw.group(0).strip()[:300]  # verbatim from the source line
    return [Draft(
        instruction_key="described", input={"document": path or "README.md", "description": desc},
        output=out, evidence=evidence, kind="decision_trees", label=out["verdict"],
        required=tuple(k for k in ("present_standard_sections", "missing_sections", "verdict") if k in out),
        # the description names what is there; what is missing is read from its silence
        rationale=0.75, rationale_note="Partial rationale (missing sections inferred from what the description omits)",
        ambiguity=ambiguity, ambiguities=ambiguities,
    )]


def _audit_note(match: Match) -> list[Draft]:
    text = match.text
    s = _STALE.search(text)
    if s:
        days, limit = int(s["days"]), int(s["limit"])
        out = {"document": s["path"].replace("\\", "/"), "finding": "stale",
               "days_since_update": days, "threshold_days": limit,
               "verdict": "stale" if days > limit else "current"}
        if days > limit:
            out["overdue_days"] = days - limit
        return [Draft(
            instruction_key="audit", input={"audit_note": _clean(text)[:300]}, output=out,
            evidence=s.group(0), kind="numeric_examples", label=out["verdict"],
            required=("document", "finding", "days_since_update", "threshold_days", "verdict"),
            rationale=1.0,
        )]
    sec = _MISSING_SECTION.search(text)
    if sec:
        names = [n for part in rx.split(r"\s*(?:,|/|&|\band\b)\s*", sec["sections"]) for n, _ in classify(part)]
        if not names:
            return []
        out = {"document": sec["path"], "finding": "missing_sections", "missing_sections": list(dict.fromkeys(names)),
               "verdict": "incomplete"}
        wsp = _wsp(text, sec.start())
        if wsp:
            out["required_by"] = wsp
        return [Draft(
            instruction_key="audit", input={"audit_note": _clean(text)[:300]}, output=out,
            evidence=sec.group(0), kind="decision_trees", label="incomplete",
            required=("document", "finding", "missing_sections", "verdict"),
            rationale=1.0 if wsp else 0.5,
            rationale_note="" if wsp else "Partial rationale (the note names no WSP that requires the section)",
        )]
    mf = _MISSING_FILE.search(text)
    if mf:
        path = mf["path"]
        if not path.lower().endswith(".md"):
            path += ".md"
        module = rx.search(r"(?:modules|holo_index|WSP_framework)[\w/\\.-]*", text[: mf.start()])
        out = {"document": path, "finding": "missing_file", "verdict": "missing"}
        if module:
            out["module"] = module.group(0).rstrip("/:")
        listed = []
        if text.rstrip().endswith(":"):
            # "Missing `tests/README.md` per WSP 34 requirements:" over a list of the modules affected
            for t in match.context_after[:15]:
                item = rx.match(r"^\s+[-*]\s+`?(?P<m>[\w./-]+)`?\s*$", t)
                if not item:
                    break
                listed.append(item["m"])
        if listed:
            out["modules"] = listed
        wsp = _wsp(text, mf.start())
        if wsp:
            out["required_by"] = wsp
        purpose = rx.search(r"\((?P<p>[^()]{4,60}(?:\([^)]*\))?[^()]*)\)", mf["rest"])
        if purpose:
            out["purpose"] = _clean(purpose["p"])
        return [Draft(
            instruction_key="audit", input={"audit_note": _clean(text)[:300]}, output=out,
            evidence=mf.group(0).strip()[:300], kind="decision_trees", label="missing",
            required=("document", "finding", "required_by", "verdict"),
            rationale=1.0 if wsp else 0.5,
            rationale_note="" if wsp else "Partial rationale (the note names no WSP that requires the file)",
        )]
    return []


# The documentation files a WSP 49 module carries (README, INTERFACE, ModLog, tests/README).
REQUIRED_DOCS = ("README.md", "INTERFACE.md", "ModLog.md", "tests/README.md")
_DOC_FILE = regex.compile(r"(?i)^(?:tests/)?(?:readme|interface|modlog|roadmap)\.md$|^requirements\.txt$|^module\.json$")
# "+-- README.md", "├── src/", "[U+2502]   [U+251C][U+2500][U+2500] README.md": a file tree entry.
_TREE = regex.compile(
    r"^(?P<prefix>(?:\s|\[U\+25(?:02|00)\]|[│|])*)(?:\+--|├──|└──|\|--|`--|\[U\+25(?:1C|14)\](?:\[U\+2500\]){2})"
    r"\s*(?P<name>\S+)(?P<rest>.*)$"
)
_GLYPHS = (("[U+2502]", "│"), ("[U+251C]", "├"), ("[U+2514]", "└"), ("[U+2500]", "─"), ("[U+2190]", "←"))
# "- [x] README.md (this file)", "- [OK] `README.md` - ...", "- ✅ README.md": a checklist entry.
_CHECK = regex.compile(
    r"^\s*[-*]\s*(?:\[(?P<mark>[ xX]|OK|FAIL)\]|(?P<emoji>✅|❌|\[U\+2705\]|\[U\+274C\]))\s*\**`?(?P<name>[\w./\[\]-]+)`?"
)


def _tree_block(match: Match) -> tuple[list[str], str] | None:
    """The file tree around the anchor (lines before and after it) and the root path above it."""
    before = match.context_before
    i = len(before)
    while i > 0 and _TREE.match(before[i - 1]):
        i -= 1
    if any(_TREE.match(t) and "readme.md" in _TREE.match(t)["name"].lower() for t in before[i:]):
        return None  # the block's first README line speaks for the tree
    root = before[i - 1].strip().strip("`") if i > 0 else ""
    block = [*before[i:], match.text]
    for t in match.context_after:
        if not _TREE.match(t):
            break
        block.append(t)
    return block, root if root.endswith("/") else ""


def _glyphs(text: str) -> str:
    for escaped, glyph in _GLYPHS:
        text = text.replace(escaped, glyph)
    return text


def _canonical_doc(path: str) -> str:
    """"MODLOG.md" -> "ModLog.md"; "" when the path is not a documentation file."""
    if not _DOC_FILE.match(path):
        return ""
    names = {d.lower(): d for d in (*REQUIRED_DOCS, "ROADMAP.md", "requirements.txt", "module.json")}
    return names.get(path.lower(), path)


def _doc_set_tree(match: Match) -> list[Draft]:
    found = _tree_block(match)
    if not found:
        return []
    block, root = found
    entries = [(len(_glyphs(m["prefix"])), m["name"], m["rest"]) for t in block if (m := _TREE.match(t))]
    top = min(d for d, _, _ in entries)
    present: list[str] = []
    flagged_missing: list[str] = []
    parent = ""
    children: dict[str, int] = {}
    for depth, name, rest in entries:
        if depth == top:
            parent = name if name.endswith("/") else ""
            path = name
            children.setdefault(parent, 0)
        else:
            children[parent] = children.get(parent, 0) + 1
            path = f"{parent}{name}" if parent else ""
        canon = _canonical_doc(path)
        if not canon:
            continue
        if rx.search(r"\bMISSING\b|❌|\[U\+274C\]", rest):  # "requirements.txt ❌ MISSING"
            flagged_missing.append(canon)
        elif canon not in present:
            present.append(canon)
    top_names = {n.lower() for d, n, _ in entries if d == top}
    this_file = any(_THIS_FILE.search(t) for t in block)
    if "[" in root or rx.search(r"(?i)(?:^|/)(?:docs|tests|memory|archive)/$", root) or not (
            (root.startswith("modules/") or this_file)
            and len(top_names & {"readme.md", "interface.md", "modlog.md", "src/", "tests/"}) >= 2):
        return []  # only a concrete module's own tree says which of its docs exist
    # "tests/" shown without its files leaves tests/README.md unknown, not missing
    unknown = {"tests/README.md"} if "tests/" in top_names and not children.get("tests/") else set()
    missing = [d for d in REQUIRED_DOCS if d not in present and d not in unknown]
    if "README.md" not in present:
        return []
    out: dict = {}
    if root:
        out["module"] = root.rstrip("/")
    out["present_docs"] = present
    if missing:
        out["missing_docs"] = missing
    out["verdict"] = "complete" if not missing else "incomplete"
    listing = "\n".join(_glyphs(t.rstrip())[:120] for t in ([root] if root else []) + block[:60])
    marked = bool(flagged_missing)
    return [Draft(
        instruction_key="doc_set", input={"structure": listing[:3000]}, output=out,
        evidence=match.text.strip()[:300], kind="decision_trees", label=out["verdict"],
        required=tuple(k for k in ("present_docs", "missing_docs", "verdict") if k in out), rationale=1.0,
        ambiguity=0.0 if marked else 0.25,
        ambiguities=[] if marked else ["a tree shown in a document may leave files out"],
    )]


def _doc_set_checklist(match: Match) -> list[Draft]:
    """A "Required Files" checklist: which of the files it lists are done and which are not."""
    before = match.context_before
    i = len(before)
    while i > 0 and (_CHECK.match(before[i - 1]) or rx.match(r"^\s+[-*]", before[i - 1])):
        i -= 1
    heading = " ".join(before[max(0, i - 2) : i + 2])
    if not rx.search(r"(?i)required\s+files", heading):
        return []  # a list of updated files is a change note, not the module's required docs
    if any((c := _CHECK.match(t)) and "readme.md" in c["name"].lower() for t in before[i:]):
        return []  # the block's first README line speaks for the checklist
    block = [*before[i:], match.text]
    for t in match.context_after:
        if not (_CHECK.match(t) or rx.match(r"^\s+[-*]", t)):
            break
        block.append(t)
    present: list[str] = []
    missing: list[str] = []
    for t in block:
        c = _CHECK.match(t)
        if not c:
            continue
        name = _canonical_doc(c["name"].strip("`*"))
        if not name:
            continue
        done = (c["mark"] or "").lower() in ("x", "ok") or c["emoji"] in ("✅", "[U+2705]")
        (present if done else missing).append(name)
    if len(present) + len(missing) < 2:
        return []  # one file is a mention, not a checklist of the module's docs
    out: dict = {}
    if present:
        out["present_docs"] = present
    if missing:
        out["missing_docs"] = missing
    out["verdict"] = "complete" if not missing else "incomplete"
    return [Draft(
        instruction_key="doc_checklist", input={"checklist": "\n".join(_clean(t) for t in block)[:1500]}, output=out,
        evidence=match.text.strip()[:300], kind="decision_trees", label=out["verdict"],
        required=tuple(k for k in ("present_docs", "missing_docs", "verdict") if k in out), rationale=1.0,
    )]


def extract(match: Match, pack: DomainPack) -> list[Draft]:
    text = match.text
    if _H1.match(text):
        return _document(match, pack.context_after)
    if "readme" not in text.lower():
        return []  # every other shape names the README
    if _STALE.search(text) or _MISSING_SECTION.search(text) or _MISSING_FILE.search(text):
        return _audit_note(match)
    drafts: list[Draft] = []
    t = _TREE.match(text)
    if t and t["name"].lower() == "readme.md":
        drafts += _doc_set_tree(match)
    c = _CHECK.match(text)
    if c and c["name"].strip("`*").lower() == "readme.md":
        drafts += _doc_set_checklist(match)
    return drafts + _described(match)


EXTRACTOR = Extractor(extract=extract)
