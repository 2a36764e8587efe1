"""wsp_application: the seed's benchmark cases (Test Set 2), the real forms, and a run on 012_dev.txt."""

from __future__ import annotations

import pytest
from helpers import PACKS, corpus_kept, examples_from_match, one_example

from training_data_miner.skills.filter_quality import MIN_QUALITY
from training_data_miner.skills.models import Example
from training_data_miner.skills.packs import DomainPack


@pytest.fixture(scope="module")
def pack() -> DomainPack:
    return PACKS["wsp_application"]


def _examples(pack: DomainPack, text: str, before: tuple[str, ...] = (), after: tuple[str, ...] = (),
              line: int = 100) -> list[Example]:
    return examples_from_match(pack.name, text, "seed_compliance", before, after, line)


def _one(pack: DomainPack, text: str, **kw) -> Example:
    return one_example(pack.name, text, "seed_compliance", **kw)


# -- the pack ----------------------------------------------------------------------------------

def test_pack_keeps_seed_regexes_verbatim_and_case_insensitive(pack: DomainPack) -> None:
    seeds = {p.regex: p for p in pack.patterns if p.seed}
    assert set(seeds) == {r"WSP\s*(\d+).*compliance", r"WSP\s*(\d+).*violation",
                          r"following\s+WSP\s*(\d+)", r"applied\s+WSP\s*(\d+)"}
    assert all(p.ignore_case for p in seeds.values())
    assert set(pack.instructions) >= {"classify"}


@pytest.mark.parametrize("text", [
    "Following WSP 15 for scoring",
    "WSP 64 violation detected",
    "WSP compliance: WSP 3, WSP 50",
    "[HEALTH][VIOLATION] modules/communication/youtube_shorts missing tests/TestModLog.md (WSP 22)",
    "- **WSP_84 COMPLIANCE**: reused the existing MessageProcessor",
    "Root directory cleaned per WSP 3 and WSP 50",
])
def test_some_pattern_finds_each_form(pack: DomainPack, text: str) -> None:
    assert any(p.compiled().search(text) for p in pack.patterns)


# -- seed benchmark, Test Set 2 ----------------------------------------------------------------

def test_following_wsp_15_for_scoring(pack: DomainPack) -> None:
    ex = _one(pack, "Following WSP 15 for scoring")
    assert ex.output["wsp_numbers"] == [15]
    assert ex.output["relation"] == "applied"
    assert ex.output["subject"] == "scoring"
    assert ex.evidence == "Following WSP 15 for scoring"


def test_wsp_64_violation_detected(pack: DomainPack) -> None:
    ex = _one(pack, "WSP 64 violation detected")
    assert ex.output["wsp_numbers"] == [64]
    assert ex.output["relation"] == "violated"
    assert ex.output["resolved"] is False
    assert ex.label == "violated"


def test_wsp_compliance_wsp_3_wsp_50(pack: DomainPack) -> None:
    ex = _one(pack, "WSP compliance: WSP 3, WSP 50")
    assert ex.output["wsp_numbers"] == [3, 50]
    assert ex.output["relation"] == "complied"


@pytest.mark.parametrize("text", [
    "See WSP 22",  # a bare mention: no relation, no subject
    "**WSP References**: WSP 22 (ModLog Protocol), WSP 64 (Violation Prevention), WSP 50 (Pre-Action Verification)",
    "## WSP 64: Violation Prevention Protocol",  # a heading that is only a WSP name
    "### Testing Compliance (WSP 13)",
])
def test_ambiguous_wsp_reference_scores_below_threshold(pack: DomainPack, text: str) -> None:
    for ex in _examples(pack, text):
        assert ex.quality_score < MIN_QUALITY, (ex.quality_score, ex.output)


def test_clear_wsp_application_with_rationale_scores_at_least_090(pack: DomainPack) -> None:
    text = "- Moved banter_chat_agent.py to src/ folder per WSP 3 to keep the root directory clean"
    ex = _one(pack, text)
    assert ex.quality_score >= 0.90
    assert ex.output["wsp_numbers"] == [3]
    assert ex.output["relation"] == "applied"
    assert ex.output["subject"] == "banter_chat_agent.py"
    assert ex.output["rationale"].startswith("to keep the root directory clean")
    assert ex.evidence in text


# -- real forms --------------------------------------------------------------------------------

def test_wsp_titles_are_not_read_as_violations(pack: DomainPack) -> None:
    ex = _one(pack, "- **WSP Compliance**: WSP 64 (Violation Prevention), WSP 57 (Naming Coherence)")
    assert ex.output["wsp_numbers"] == [64, 57]
    assert ex.output["relation"] == "complied"
    assert ex.quality_score < MIN_QUALITY  # no subject and no reason: nothing to learn


def test_health_violation_names_module_and_defect(pack: DomainPack) -> None:
    text = "[HEALTH][VIOLATION] modules/communication/video_comments missing tests/TestModLog.md (WSP 22)"
    ex = _one(pack, text, before=("[SEMANTIC] 10 files across 2 modules",))
    assert ex.output == {"wsp_numbers": [22], "relation": "violated", "subject": "modules/communication/video_comments",
                         "rationale": "missing tests/TestModLog.md", "resolved": False}
    assert ex.quality_score >= MIN_QUALITY


def test_log_prefix_and_emoji_escapes_are_cleaned(pack: DomainPack) -> None:
    text = "[21:48:11] [0102-ARBITRATION] SCHEDULING: HEALTHVIOLATION modules/ai_intelligence/openai_integration missing tests/TestModLog.md (WSP 22)"
    ex = _one(pack, text)
    assert not ex.input["statement"].startswith("[21:")
    assert ex.output["subject"] == "modules/ai_intelligence/openai_integration"
    ex = _one(pack, "1. [U+2705] **Created tests/ directory** (WSP 49 compliance)")
    assert "[U+" not in ex.input["statement"] and "**" not in ex.input["statement"]
    assert ex.output["relation"] == "complied"
    assert ex.output["subject"] == "tests/"


def test_underscore_and_joined_references(pack: DomainPack) -> None:
    ex = _one(pack, "- **WSP_84 COMPLIANCE**: Reused the existing MessageProcessor instead of a new parser")
    assert ex.output["wsp_numbers"] == [84]
    ex = _one(pack, "Consolidated the scorers per WSP 3 and WSP 50")
    assert ex.output["wsp_numbers"] == [3, 50]
    ex = _one(pack, "- **README.md**: 226 lines with WSP 3, 22, 49, 60 compliance")
    assert ex.output["wsp_numbers"] == [3, 22, 49, 60]


def test_wsp_file_names_are_not_references(pack: DomainPack) -> None:
    assert _examples(pack, "- Updated: `WSP_framework/src/WSP_87_Code_Navigation_Protocol.md`") == []


def test_writing_a_wsp_is_not_applying_it(pack: DomainPack) -> None:
    assert _examples(pack, "Created WSP 84 to enforce the remember-the-code principle.") == []


def test_compliance_table_row_takes_subject_from_section(pack: DomainPack) -> None:
    before = ("### 1. libido_monitor.py (400 lines)", "",
              "**Location**: `modules/infrastructure/wre_core/src/libido_monitor.py`", "",
              "**WSP Compliance Check**:", "", "| WSP | Requirement | Status | Evidence |",
              "|-----|-------------|--------|----------|")
    ex = _one(pack, "| WSP 5 | Test Coverage | ❌ **FAIL** | **NO TEST FILE** - test_libido_monitor.py missing |",
              before=before)
    assert ex.output["relation"] == "violated"
    assert ex.output["subject"] == "modules/infrastructure/wre_core/src/libido_monitor.py"
    assert "libido_monitor.py" in ex.input["context"]  # the input shows where the subject comes from
    assert ex.quality_score >= 0.95


def test_code_and_search_queries_give_nothing(pack: DomainPack) -> None:
    assert _examples(pack, 'violations=["WSP 3: Wrong domain", "WSP 49: Missing README"],') == []
    assert _examples(pack, "Query: WSP 22 compliance modlog") == []


def test_long_line_evidence_is_a_verbatim_window(pack: DomainPack) -> None:
    text = "x " * 2500 + "Moved the scripts out of root per WSP 85 to keep the root clean " + "y " * 2500
    ex = _one(pack, text)
    assert ex.evidence in text and len(ex.evidence) <= 320
    assert ex.output["wsp_numbers"] == [85]


# -- the real text -----------------------------------------------------------------------------

@pytest.mark.corpus
def test_dev_corpus_gives_at_least_50_kept_examples_with_evidence_on_their_line() -> None:
    kept = corpus_kept("wsp_application")
    assert len(kept) >= 50
    for ex in kept:
        assert ex.output["relation"] in {"applied", "complied", "violated"}
        assert ex.output["wsp_numbers"] and ex.output["subject"]
