"""roadmap_analysis: phase sections, checklists and status lines, and a run on 012_dev.txt."""

from __future__ import annotations

import pytest
from helpers import PACKS, corpus_kept, examples_from_match, one_example

from training_data_miner.skills.extractors.roadmap_analysis import status_of
from training_data_miner.skills.filter_quality import MIN_QUALITY
from training_data_miner.skills.models import Example
from training_data_miner.skills.packs import DomainPack


@pytest.fixture(scope="module")
def pack() -> DomainPack:
    return PACKS["roadmap_analysis"]


def _examples(pack: DomainPack, text: str, before: tuple[str, ...] = (), after: tuple[str, ...] = (),
              line: int = 100) -> list[Example]:
    return examples_from_match(pack.name, text, "phase_heading", before, after, line)


def _one(pack: DomainPack, text: str, **kw) -> Example:
    return one_example(pack.name, text, "phase_heading", **kw)


# -- the pack ----------------------------------------------------------------------------------

def test_pack_keeps_seed_regexes_verbatim_and_case_insensitive(pack: DomainPack) -> None:
    seeds = {p.regex: p for p in pack.patterns if p.seed}
    assert set(seeds) == {r"roadmap.*complete", r"roadmap.*incomplete", r"roadmap.*needs.*update",
                          r"Phase\s*(\d+).*status", r"TODO.*implement"}
    assert all(p.ignore_case for p in seeds.values())
    assert pack.context_after is not None and pack.context_after >= 12  # a heading sees its checklist
    assert set(pack.instructions) >= {"section", "status"}


@pytest.mark.parametrize("text", [
    "## Phase 2: DAE Integration ✅ COMPLETE",
    "**Phase 1: Core Infrastructure** (✅ COMPLETE - 2025-10-23)",
    "- [ ] Periodic Chrome port check",
    "**Status**: ⏳ NEEDS UPDATE",
    "- Phase 1 Foundation: 60% complete with VSCode Multi-Agent IDE",
    "The roadmap needs an update after Sprint 6",
])
def test_some_pattern_finds_each_form(pack: DomainPack, text: str) -> None:
    assert any(p.compiled().search(text) for p in pack.patterns)


@pytest.mark.parametrize(("text", "status"), [
    ("roadmap complete", "complete"),
    ("roadmap incomplete", "in_progress"),
    ("roadmap needs update", "needs_update"),
    ("BLOCKED (needs Phase 1)", "not_started"),
    ("60% complete", "in_progress"),
    ("100% complete", "complete"),
    ("[U+2705] Complete", "complete"),
    ("PLANNED", "not_started"),
    ("just some words", None),
])
def test_status_words(text: str, status: str | None) -> None:
    from training_data_miner.skills.extractors.roadmap_analysis import clean

    assert status_of(clean(text)) == status


# -- sections ----------------------------------------------------------------------------------

def test_phase_heading_sees_its_checklist(pack: DomainPack) -> None:
    after = ("", "**Objective:** Integrate into YouTube DAE startup", "",
             "- [x] Phase -2 in `auto_moderator_dae.py`", "- [x] Graceful degradation if Chrome unavailable",
             "- [x] Optional LM Studio (falls back to DOM-only)", "", "---", "", "## Phase 3: Health Monitoring")
    ex = _one(pack, "## Phase 2: DAE Integration ✅ COMPLETE", after=after)
    out = ex.output
    assert out["phase"] == "Phase 2: DAE Integration"
    assert out["status"] == "complete"
    assert (out["done_count"], out["left_count"], out["percent_complete"]) == (3, 0, 100)
    assert "next_step" not in out and "left" not in out
    assert "- [x] Graceful degradation if Chrome unavailable" in ex.input["section"]
    assert ex.quality_score >= 0.95


def test_bold_phase_with_open_items_is_in_progress(pack: DomainPack) -> None:
    after = ("- [x] `src/libido_monitor.py` - Gemma frequency monitoring", "- [ ] Test qwen_gitpush with HoloIndex",
             "- [ ] Tune libido thresholds", "", "**Phase 3: HoloDAE Integration** (50-100 executions)",
             "- [ ] Add WRE trigger")
    ex = _one(pack, "**Phase 2: First Skill Integration** (In progress - 0-50 executions)", after=after)
    out = ex.output
    assert out["phase"] == "Phase 2: First Skill Integration"
    assert out["status"] == "in_progress"
    assert out["done"] == ["src/libido_monitor.py - Gemma frequency monitoring"]
    assert out["left"] == ["Test qwen_gitpush with HoloIndex", "Tune libido thresholds"]
    assert out["next_step"] == "Test qwen_gitpush with HoloIndex"
    assert out["percent_complete"] == 33.3
    assert ex.quality_score >= MIN_QUALITY


def test_checklist_under_a_heading_is_read_from_its_first_item(pack: DomainPack) -> None:
    before = ("### 3.1 Health Checks",)
    after = ("- [ ] LM Studio API health endpoint", "- [ ] Selenium connection validation", "",
             "### 3.2 Auto-Recovery")
    ex = _one(pack, "- [ ] Periodic Chrome port check", before=before, after=after)
    assert ex.output["phase"] == "3.1 Health Checks"
    assert ex.output["status"] == "not_started"
    assert ex.output["left_count"] == 3 and ex.output["next_step"] == "Periodic Chrome port check"
    # the second item of the same list gives no second example
    assert _examples(pack, "- [ ] LM Studio API health endpoint", before=(*before, "- [ ] Periodic Chrome port check"),
                     after=after[1:]) == []


def test_checklist_parent_phase_owns_indented_items(pack: DomainPack) -> None:
    after = ("  - [x] Create missing src/ directory", "  - [x] Create README.md template",
             "  - [ ] Add actual implementation", "", "#### [UPCOMING] Upcoming Phases")
    ex = _one(pack, "- [x] **Phase 1:** Basic structure compliance", after=after)
    assert ex.output["phase"] == "Phase 1: Basic structure compliance"
    assert ex.output["status"] == "in_progress"
    assert (ex.output["done_count"], ex.output["left_count"]) == (2, 1)


def test_mojibake_check_marks_count_as_done(pack: DomainPack) -> None:
    after = ("- [U+2701]E**Development Domain**: IDE FoundUps", "- [U+2701]E**Meeting Block**: orchestration",
             "- [U+23F3] **LinkedIn Block**: professional growth", "")
    ex = _one(pack, "### Phase 1 Foundation [U+2701]E", after=after)
    assert (ex.output["done_count"], ex.output["left_count"]) == (2, 1)
    assert "[U+" not in ex.input["section"]


def test_title_contradicting_its_checklist_is_rejected(pack: DomainPack) -> None:
    after = ("- [x] Implement TriggerDetector", "- [ ] Cross-reference with git commits", "- [ ] PQN integration", "")
    ex = _one(pack, "## Sprint 8 - Phase 8 Digital Twin Query (COMPLETE)", after=after)
    assert ex.quality_score < MIN_QUALITY


def test_stated_status_with_nothing_behind_it_is_rejected(pack: DomainPack) -> None:
    ex = _one(pack, "Phase 3C Status: ✅ COMPLETE", after=("", "## Next section"))
    assert ex.output["status"] == "complete"
    assert ex.quality_score < MIN_QUALITY


def test_template_checklist_is_rejected(pack: DomainPack) -> None:
    after = ("  - [ ] [Future deliverable 1]", "  - [ ] [Future deliverable 2]", "")
    for ex in _examples(pack, "- [ ] **Phase Y:** [Next phase description]", before=("#### Upcoming Phases",),
                        after=after):
        assert ex.quality_score < MIN_QUALITY


def test_hypothetical_and_code_lines_give_nothing(pack: DomainPack) -> None:
    assert _examples(pack, "### Assuming Phase 1 and 2 Complete", after=("| Task | Estimate |",)) == []
    assert _examples(pack, "    # Phase 3 integration: wire the triggers", after=("    run()",)) == []


# -- status lines ------------------------------------------------------------------------------

def test_blocked_phase_status_line(pack: DomainPack) -> None:
    ex = _one(pack, "- Phase 3: 0% complete (blocked by Phase 2)", before=("## Current State",))
    assert ex.output == {"phase": "Phase 3", "status": "not_started", "percent_complete": 0, "blocked_by": "Phase 2"}
    assert ex.quality_score >= MIN_QUALITY


def test_percentage_with_counts(pack: DomainPack) -> None:
    text = "**Status**: 3 of 93 WSPs augmented | Phase 1: 37.5% complete (3/8 P0 WSPs)"
    ex = _one(pack, text)
    assert ex.output["phase"] == "Phase 1" and ex.output["status"] == "in_progress"
    assert (ex.output["percent_complete"], ex.output["done_count"], ex.output["left_count"]) == (37.5, 3, 5)
    assert ex.evidence == text


def test_status_of_another_thing_is_not_a_phase_status(pack: DomainPack) -> None:
    # the design is complete; Phase 1 is what comes next, so the line reports no phase's status
    assert _examples(pack, "**Status**: Design Complete - Ready for Phase 1 Implementation",
                     before=("# Skills Wardrobe",)) == []


def test_long_status_line_evidence_is_verbatim(pack: DomainPack) -> None:
    text = "Phase 2 is 60% complete - " + "lorem ipsum " * 600
    ex = _one(pack, text)
    assert ex.evidence in text and len(ex.evidence) <= 320
    assert ex.output["percent_complete"] == 60


# -- the real text -----------------------------------------------------------------------------

@pytest.mark.corpus
def test_dev_corpus_gives_at_least_50_kept_examples_with_evidence_on_their_line() -> None:
    kept = corpus_kept("roadmap_analysis")
    assert len(kept) >= 50
    for ex in kept:
        assert ex.output["status"] in {"complete", "in_progress", "not_started", "needs_update"}
        assert ex.output["phase"]


def test_an_order_to_complete_a_phase_is_not_a_complete_status() -> None:
    from training_data_miner.skills.extractors.roadmap_analysis import status_of

    assert status_of("Complete Phase 3 integration tests (BLOCKED by Phase 2)") == "not_started"
    assert status_of("Finish Phase 4 rollout") is None
    assert status_of("Phase 3: COMPLETE") == "complete"
    assert status_of("Complete: Phase 3 wiring") == "complete"
