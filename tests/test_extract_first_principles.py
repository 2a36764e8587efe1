"""first_principles: problem -> reasoning chain -> decision, with the principle applied."""

from __future__ import annotations


import pytest

from training_data_miner.skills.extract_examples import extract_examples
from training_data_miner.skills.extractors import first_principles
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import BUILTIN_DIR, load_pack

from helpers import corpus_kept  # noqa: E402


@pytest.fixture(scope="module")
def pack():
    return load_pack(BUILTIN_DIR / "first_principles.toml")


def match(text: str, before: list[str], after: list[str], line: int = 200) -> Match:
    return Match(domain="first_principles", pattern="principle_section", line=line, text=text,
                 context_before=before, context_after=after)


def test_root_cause_section_with_its_occam_fix(pack):
    before = [
        "## Issue 1: LM Studio NOT Auto-Launching",
        "",
        "### Problem Detected",
        "**Impact:** Vision verification cannot function without LM Studio running",
        "",
    ]
    text = "### Root Cause Analysis"
    after = [
        "1. Dependency launcher HAS `launch_lm_studio()` function",
        "2. Code IS calling it in `ensure_dependencies()`",
        "3. But LM_STUDIO_PATH environment variable was NOT set",
        "",
        "### Occam's Razor Solution",
        "**Simplest Fix:** Add correct path to `.env`",
    ]
    [d] = first_principles.extract(match(text, before, after), pack)
    assert d.output == {
        "problem": "Impact: Vision verification cannot function without LM Studio running",
        "reasoning_chain": [
            "Dependency launcher HAS `launch_lm_studio()` function",
            "Code IS calling it in `ensure_dependencies()`",
            "But LM_STUDIO_PATH environment variable was NOT set",
        ],
        "decision": "Add correct path to `.env`",
        "principle": "root_cause",
    }
    assert d.input == {"problem": d.output["problem"]}
    assert d.rationale == 1.0 and d.ambiguity == 0.0 and d.evidence == text
    [ex] = extract_examples([match(text, before, after)], pack, "t.txt")
    assert ex.quality_score == 1.0


def test_inline_occam_gives_decision_and_its_single_reason(pack):
    before = ["**Problem**: 0102 is unavailable while daemons run", ""]
    text = "**Occam's Razor**: Qwen should decide AND execute (simplest, no bottleneck)"
    [d] = first_principles.extract(match(text, before, []), pack)
    assert d.output["problem"] == "0102 is unavailable while daemons run"
    assert d.output["decision"] == "Qwen should decide AND execute"
    assert d.output["reasoning_chain"] == ["simplest, no bottleneck"]
    assert d.output["principle"] == "occams_razor"
    assert d.rationale == 0.5  # one reason is half a chain, not a chain


def test_a_detail_in_parentheses_is_not_a_reason(pack):
    before = ["**Problem**: Root directory is cluttered", ""]
    text = "1. **Occam's Razor**: Use autonomous cleanup engine (doc_dae + AI_Overseer)"
    assert first_principles.extract(match(text, before, []), pack) == []


def test_inline_root_cause_takes_the_fix_that_follows(pack):
    before = ["**Issue**: Shorts list displayed \"Untitled\" instead of video topics"]
    text = "**Root Cause**: Field name mismatch - memory stores `topic`, code looked for `title`"
    after = ["**Fix**: Read `topic` first, then fall back to `title`", "**Result**: Topics display"]
    [d] = first_principles.extract(match(text, before, after), pack)
    assert d.output["reasoning_chain"] == [
        "Field name mismatch - memory stores `topic`, code looked for `title`"]
    assert d.output["decision"] == "Read `topic` first, then fall back to `title`"
    assert d.output["principle"] == "root_cause"


def test_a_mention_without_a_chain_gives_nothing(pack):
    assert first_principles.extract(match("- Apply first principles thinking", [], ["- Next item"]), pack) == []
    assert first_principles.extract(match("### Phase 5: First Principles Analyzer (~50,000 tokens)", [],
                                          ["- Goal: Re-architecture capability"]), pack) == []


def test_question_heading_over_a_section_is_flagged_when_only_a_heading_names_the_problem(pack):
    before = ["### 2. Should Daemon Mode Exist?", ""]
    text = "**First Principles:**"
    after = [
        "- HoloIndex is a search tool, not a monitoring daemon",
        "- Autonomous monitoring is the YouTube DAE's job",
        "- Daemon mode = feature creep",
        "",
        "**Decision:** Remove the phantom daemon API.",
    ]
    [d] = first_principles.extract(match(text, before, after), pack)
    assert d.output["problem"] == "Should Daemon Mode Exist?"
    assert d.output["decision"] == "Remove the phantom daemon API."
    assert len(d.output["reasoning_chain"]) == 3 and d.rationale == 1.0
    assert d.ambiguity == 0.25 and d.ambiguities == ["problem taken from the section heading, not a stated problem"]


def test_qwen_log_line_question_and_answer(pack):
    prefix = "2025-10-15 12:18:54,081 - modules.communication.livechat.src.auto_moderator_dae - INFO - "
    text = prefix + "[BOT][AI] [QWEN-FIRST-PRINCIPLES] [U+2753] Is the last video still live?"
    after = [prefix + "[BOT][AI] [QWEN-INFO] [FAIL] No cached stream or last stream ended - need full channel scan"]
    m = Match(domain="first_principles", pattern="qwen_first_principles", line=5, text=text, context_after=after)
    [d] = first_principles.extract(m, pack)
    assert d.output == {"problem": "Is the last video still live?",
                        "reasoning_chain": ["No cached stream or last stream ended"],
                        "decision": "need full channel scan", "principle": "first_principles"}
    assert d.evidence in text and d.rationale == 0.5


def test_root_cause_table_gives_one_example_per_row(pack):
    text = "| Issue | Root Cause | Fix | Impact |"
    after = [
        "|-------|-----------|-----|--------|",
        "| 30s startup block | `HoloAdapter.__init__()` eagerly loaded SentenceTransformer | Lazy loading on first search | 30s to 2s |",
        "| Multiple PIDs | Manual kill required before each launch | Interactive y/n prompt | 1 keypress |",
        "",
    ]
    m = Match(domain="first_principles", pattern="root_cause_table", line=10, text=text, context_after=after)
    drafts = first_principles.extract(m, pack)
    assert [d.line for d in drafts] == [12, 13]
    assert drafts[0].output["decision"] == "Lazy loading on first search"
    # a two-word issue names the problem without describing it
    assert drafts[1].output["problem"] == "Multiple PIDs" and drafts[1].ambiguity == 0.25
    for ex in extract_examples([m], pack, "t.txt"):
        assert ex.quality.criteria["verifiable"] == 0.2  # the row is the evidence


@pytest.mark.parametrize("title, expected", [
    ("Root Cause Analysis", (True, "", False)),
    ("Root Cause Analysis: Why I Violated WSP 85", (True, "Why I Violated WSP 85", False)),
    ("Occam's Razor Solution", (True, "", True)),
    ("GitPushDAE Decision Logic Fix - First Principles Analysis", (True, "GitPushDAE Decision Logic Fix", True)),
    ("Phase 5: First Principles Analyzer", (False, "", False)),
    ("Evaluate retrieval quality (first principles)", (False, "", False)),
])
def test_section_title(title, expected):
    assert first_principles.section_title(title) == expected


@pytest.mark.corpus
def test_dev_corpus_yields_fifty_kept_chains_with_evidence_on_their_line():
    kept = corpus_kept("first_principles")
    assert len(kept) >= 50
    for ex in kept:
        assert ex.output["problem"] and ex.output["reasoning_chain"] and ex.output["decision"]
        assert ex.output["principle"] in ("occams_razor", "first_principles", "root_cause")
