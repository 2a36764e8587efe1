"""Per-domain extractors: matches in their document -> instruction/input/output drafts.

An extractor is a module-level `EXTRACTOR = Extractor(document=extract)`: `extract(doc, hits, pack)`
reads one document of the source's structure (skills/structure.py) with the domain's matches in it
and returns zero or more `Draft`s, each at the line that states its item. (An extractor of the older
shape, `Extractor(extract)` with `extract(match, pack)`, reads one match and its context window.)
`extract_examples` turns each draft into an `Example` and scores it. A domain
pack names its extractor in its `extractor` field, and must have a template for each of the
extractor's `INSTRUCTION_KEYS`: they are listed here, so that a pack is checked without
importing its extractor (importing one compiles its patterns: 8-57 ms each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Callable

import regex

from training_data_miner.skills.models import Match, PatternType


TEMPLATE_CAP = 2  # examples kept per template and answer in a run (Draft.template, EXAMPLES.md 6)
TEMPLATE_NOTE = "Template dump capped"  # opens the reason of a capped draft (counted in the pattern summary)


@dataclass
class Draft:
    """What an extractor read from one match, before scoring.

    `required` names the output fields a complete example of its shape has; `rationale` is the
    share (0-1) of the reasoning the text itself gives; `ambiguity` (0-1) with `ambiguities` says
    how far the text admits more than one reading. Quality scoring uses these.
    """

    instruction_key: str
    input: dict[str, Any]
    output: dict[str, Any]
    evidence: str
    kind: PatternType
    label: str | None = None
    required: tuple[str, ...] = ()
    rationale: float = 0.0
    rationale_note: str = ""
    ambiguity: float = 0.0
    ambiguities: list[str] = field(default_factory=list)
    line: int | None = None  # the item's line (document extractors: required), when not the match line
    span: tuple[int, int] | None = None  # first and last line the item's facts come from
    pattern: str | None = None  # the match pattern that found the item (default: the first hit in its span)
    # What the item is, independent of where and how it is written (document extractors): a draft
    # whose identity an earlier document of the run already had is a restatement and is not made.
    identity: str | None = None
    # The template a machine-written row shares with other rows (a dump's rows, score tables that
    # differ only in their name) and the answer they share, in words ("arbitration rows scored
    # C:2 I:3 D:3 P:2 = 10"): a run keeps TEMPLATE_CAP examples per template; the others are made
    # but scored below the threshold, with the cap as the reason (EXAMPLES.md 6).
    template: str | None = None
    # Kept one time fewer than TEMPLATE_CAP (at least once): a copy of a one-line answer teaches nothing
    # its first example did not
    template_once: bool = False


@dataclass(frozen=True)
class Extractor:
    extract: Callable[..., list[Draft]] | None = None  # (match, pack) -> drafts
    document: Callable[..., list[Draft]] | None = None  # (doc, hits, pack) -> drafts


def context_lines(match: Match) -> list[tuple[int, str]]:
    """(line number, text) for the match's whole window, in order."""
    first = match.line - len(match.context_before)
    rows = [*match.context_before, match.text, *match.context_after]
    return [(first + i, t) for i, t in enumerate(rows)]


# Patterns that more than one extractor reads the same way.
HEADING = regex.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>\S.*?)\s*#*\s*$")  # a markdown heading
# An escaped emoji ("[U+1F300]") and the variation selector / joiner left after it.
EMOJI_ESCAPE = regex.compile(r"\[U\+[0-9A-Fa-f]{4,6}\][\uFE0F\u200D]?\s*|[\uFE0F\u200D]")
WSP_REF = regex.compile(r"\bWSP[\s_-]?(?P<n>\d{1,3})\b")  # "WSP 22", "WSP_22", "WSP-22"
STATUS_TAGS = regex.compile(r"^(?:\[[A-Z][A-Z0-9_ -]{0,15}\]\s*)+")  # leading "[OK] [FIX] " tags


def heading(line: str) -> regex.Match[str] | None:
    """HEADING.match(line), without running the pattern on the lines that cannot be one (most)."""
    return HEADING.match(line) if line[:1] == "#" else None


def plain_ascii(text: str) -> bool:
    """Whether the text is ASCII without an emoji escape ("[U+...]"): then it holds nothing for
    the escape, mojibake and pictograph patterns to remove (most lines), and they are skipped."""
    return "[U+" not in text and text.isascii()


# extractor -> the instruction templates (`Draft.instruction_key`) its drafts use
INSTRUCTION_KEYS: dict[str, tuple[str, ...]] = {
    "mps_scoring": ("score", "compute", "record", "priority", "check"),
    "wsp_application": ("detect", "classify", "resolution"),
    "roadmap_analysis": ("phase_status", "roadmap_summary", "roadmap_overview", "roadmap_audit", "phase_in_plan",
                         "phase_state"),
    "readme_patterns": ("structure", "skeleton", "section"),
    "modlog_updates": ("entry", "fields"),
    "first_principles": ("reason", "fix", "fix_lesson", "relocate", "learn", "choose", "rethink", "decide",
                         "analyse", "analyse_cause", "analyse_lesson", "analyse_decision", "analyse_approach",
                         "justify"),
    "generic": ("default",),
}
NAMES = tuple(INSTRUCTION_KEYS)


def get_extractor(name: str) -> Extractor | None:
    """The extractor named by a pack, imported on first use (each module compiles its regexes at
    import, so a one-domain run, or a server answering `initialize`, pays only for what it uses)."""
    if name not in NAMES:
        return None
    return import_module(f"training_data_miner.skills.extractors.{name}").EXTRACTOR
