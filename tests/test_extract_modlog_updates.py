"""modlog_updates: a ModLog entry header and its body -> the entry's fields."""

from __future__ import annotations


import pytest

from training_data_miner.skills.extract_examples import extract_examples
from training_data_miner.skills.extractors import modlog_updates
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import BUILTIN_DIR, load_pack

from helpers import corpus_kept  # noqa: E402


@pytest.fixture(scope="module")
def pack():
    return load_pack(BUILTIN_DIR / "modlog_updates.toml")


def match(text: str, after: list[str], before: list[str] | None = None, line: int = 100) -> Match:
    return Match(domain="modlog_updates", pattern="dated_header", line=line, text=text,
                 context_before=before or [], context_after=after)


ENTRY = [
    "",
    "**Change Type**: Bug Fix (Cross-Module)   **By**: 0102   **WSP References**: WSP 22, WSP_50",
    "",
    "### Summary",
    "",
    "Fixed browser rotation where browsers stayed locked after commenting.",
    "",
    "### Files Changed",
    "",
    "| File | Change |",
    "|------|--------|",
    "| `modules/x/src/scheduler.py` | Added `close()` method |",
    "",
    "### Why",
    "",
    "`disconnect()` only cleared the driver reference without calling `quit()`.",
    "",
    "## [2026-02-20] The next entry",
    "**Change Type**: Something else",
]


def test_canonical_entry_gives_every_field(pack):
    text = "## [2026-02-27] YouTube DAE Browser Rotation Fix"
    drafts = modlog_updates.extract(match(text, ENTRY), pack)
    assert len(drafts) == 1
    d = drafts[0]
    assert d.output == {
        "date": "2026-02-27",
        "title": "YouTube DAE Browser Rotation Fix",
        "change_type": "Bug Fix (Cross-Module)",
        "by": "0102",
        "wsp_references": ["WSP 22", "WSP 50"],
        "summary": "Fixed browser rotation where browsers stayed locked after commenting.",
        "files_changed": ["modules/x/src/scheduler.py"],
        "why": "`disconnect()` only cleared the driver reference without calling `quit()`.",
    }
    # the model writes the entry from the facts; WSP references and the why are its to supply
    assert set(d.input) == {"date", "title", "change_type", "summary", "files_changed"}
    assert d.evidence == text and d.rationale == 1.0 and d.ambiguity == 0.0
    [ex] = extract_examples([match(text, ENTRY)], pack, "t.txt")
    assert ex.quality_score == 1.0 and ex.source == "t.txt:line_100"


def test_body_stops_at_the_next_entry(pack):
    d = modlog_updates.extract(match("## [2026-02-27] YouTube DAE Browser Rotation Fix", ENTRY), pack)[0]
    assert "Something else" not in str(d.output)


def test_bullet_fields_and_impact_only_give_partial_rationale(pack):
    text = "### [2025-08-10 12:00:39] - WSP 49 Compliance Fix"
    after = [
        "- **By:** WSP 49 Violation Fixer",
        "- **Changes:** Created missing src/, tests/, README.md, INTERFACE.md",
        "- **Impact:** Module now compliant with WSP 49 structure requirements",
        "",
        "## [COMPLIANCE] WSP Compliance Checklist",
    ]
    d = modlog_updates.extract(match(text, after), pack)[0]
    assert d.output["date"] == "2025-08-10" and d.output["title"] == "WSP 49 Compliance Fix"
    assert d.output["summary"].startswith("Created missing src/")
    assert d.output["why"] == "Module now compliant with WSP 49 structure requirements"
    assert d.rationale == 0.5  # an impact is not a reason
    assert d.output["wsp_references"] == ["WSP 49"]


@pytest.mark.parametrize("line, expected", [
    ("## [2025-10-15] Title of the change", (2, "2025-10-15", "Title of the change")),
    ("## [2025-09-27] - WSP 85 Violation Corrected", (2, "2025-09-27", "WSP 85 Violation Corrected")),
    ("## 2026-02-07 - WSP 26 Section 6: Pool Model", (2, "2026-02-07", "WSP 26 Section 6: Pool Model")),
    ("## 2025-01-15: WSP VIOLATION CORRECTIONS", (2, "2025-01-15", "WSP VIOLATION CORRECTIONS")),
    ("## [2025-10-17 SESSION 3] UTF-8 Fix Command", (2, "2025-10-17", "UTF-8 Fix Command")),
    ("### [v0.1.0] - 2025-07-10 - Multi-Agent Activation", (3, "2025-07-10", "Multi-Agent Activation")),
    ("## [README Transformation: Vision] - 2024-12-20", (2, "2024-12-20", "README Transformation: Vision")),
    ("## V0.5.2 - First Principles Audit (2026-01-21)", (2, "2026-01-21", "V0.5.2 - First Principles Audit")),
    ("## [U+1F680] Not an entry", None),
    ("# [2025-10-15] An h1 is a document title", None),
])
def test_parse_header_variants(line, expected):
    assert modlog_updates.parse_header(line) == expected


def test_dated_heading_without_entry_structure_is_skipped(pack):
    after = ["Plain text about the plan.", "", "More text."]
    assert modlog_updates.extract(match("## Context-Aware Output System (2025-10-10)", after), pack) == []


def test_date_field_anchor_uses_the_heading_above(pack):
    before = ["", "## WSP 58 PATENT PORTFOLIO COMPLIANCE"]
    text = "**Date**: 2025-01-23"
    after = [
        "**WSP Grade**: A+",
        "**Description**: Complete WSP 58 IP lifecycle compliance implementation",
        "**Notes**: Major patent portfolio milestone",
        "",
        "### Rationale",
        "IP must be declared before tokenization.",
    ]
    m = Match(domain="modlog_updates", pattern="date_field", line=50, text=text, context_before=before,
              context_after=after)
    [d] = modlog_updates.extract(m, pack)
    assert d.line == 49 and d.evidence == "## WSP 58 PATENT PORTFOLIO COMPLIANCE"
    assert d.output["date"] == "2025-01-23"
    assert d.output["summary"] == "Complete WSP 58 IP lifecycle compliance implementation"
    assert d.output["why"] == "IP must be declared before tokenization."
    [ex] = extract_examples([m], pack, "t.txt")
    assert ex.source == "t.txt:line_49" and ex.quality.criteria["verifiable"] == 0.2


def test_mentions_only_wsp_refs_are_flagged_ambiguous(pack):
    text = "## 2026-02-07 - Protocol Debt: [U+2705] Redirect Stubs Cleaned Up"
    after = [
        "**Context**: Previous renumbering left stub files behind.",
        "",
        "**Changes**:",
        "- Deleted the WSP 95 redirect stub",
        "- Fixed NAVIGATION.py stale reference",
    ]
    [d] = modlog_updates.extract(match(text, after), pack)
    assert d.output["title"] == "Protocol Debt: Redirect Stubs Cleaned Up"
    assert d.output["wsp_references"] == ["WSP 95"] and d.ambiguity == 0.25
    assert d.output["why"] == "Previous renumbering left stub files behind."


@pytest.mark.corpus
def test_dev_corpus_yields_fifty_kept_entries_with_evidence_on_their_line():
    kept = corpus_kept("modlog_updates")
    assert len(kept) >= 50
    for ex in kept:
        assert ex.output["date"] and ex.output["title"] and ex.quality_score >= 0.85
