"""The design document's benchmark cases (SKILL.md, "Benchmark Test Cases"), one test each.

Test Set 2 (WSP application) lives with its extractor in test_extract_wsp_application.py under
the same names.
"""

from __future__ import annotations

from helpers import mine_text

from training_data_miner.skills.filter_quality import filter_quality, score_quality

# -- Test Set 1: MPS scoring extraction -------------------------------------------------------


def test_set1_case1_mps_score_16_is_extracted_as_p0(tmp_path):
    (ex,) = mine_text(tmp_path, "mps_scoring", "- Migrate agent_permissions to SQLite (MPS Score: 16)\n")
    assert ex.output["mps_total"] == 16
    assert ex.output["priority"] == "P0"
    assert ex.input["task_description"] == "Migrate agent_permissions to SQLite"


def test_set1_case2_dimensions_sum_to_mps_14(tmp_path):
    (ex,) = mine_text(tmp_path, "mps_scoring",
                      "Cache invalidation fix: Complexity: 3, Importance: 5, Deferability: 2, Impact: 4\n")
    assert [ex.input[k] for k in ("complexity", "importance", "deferability", "impact")] == [3, 5, 2, 4]
    assert ex.output["mps_total"] == 14
    assert ex.output["priority"] == "P1"


def test_set1_case3_priority_p1_maps_to_mps_13_15(tmp_path):
    # A priority is an item only with the score it stands for (../shared/gold/GUIDE.md); the
    # example then gives the range the priority covers, and the input keeps the priority out.
    (ex,) = mine_text(tmp_path, "mps_scoring", "Rotate the OAuth tokens nightly. Priority: P1 (MPS: 14)\n")
    assert ex.output["priority"] == "P1"
    assert ex.output["mps_range"] == "13-15"
    assert ex.input == {"task_description": "Rotate the OAuth tokens nightly", "mps_total": 14}
    assert mine_text(tmp_path, "mps_scoring", "Rotate the OAuth tokens nightly. Priority: P1\n") == []


def test_set1_case4_incomplete_example_missing_rationale_is_filtered(tmp_path):
    # The rating task (rate the four dimensions with reasons) on a text that gives no reasons
    examples = mine_text(tmp_path, "mps_scoring", (
        "## Refactor the scheduler\n"
        "The scheduler module has grown to 900 lines and three timers.\n"
        "Complexity: 3, Importance: 3, Deferability: 2, Impact: 3\n"))
    (rating,) = [e for e in examples if e.kind == "rationale_chains"]
    assert rating.quality.criteria["clear_reasoning"] == 0
    assert rating.quality_score < 0.85
    result = filter_quality(examples)
    assert rating not in result.kept
    (rejected,) = [r for r in result.rejected if r.example is rating]
    assert "missing rationale" in " ".join(rejected.reasons)
    # the sum itself needs no reasons: that task is kept
    (compute,) = result.kept
    assert compute.output["mps_total"] == 11 and compute.output["priority"] == "P2"


def test_set1_case5_duplicate_example_is_deduplicated(tmp_path):
    line = "- Add retry to the posting queue (MPS Score: 13) - P1 high priority, batch it this session\n"
    examples = mine_text(tmp_path, "mps_scoring", line + "unrelated text\n" + line)
    assert len(examples) == 2 and examples[0].source != examples[1].source
    result = filter_quality(examples)
    assert len(result.kept) == 1
    (dup,) = result.rejected
    assert dup.duplicate_of == result.kept[0].example_id
    assert dup.reasons[0].startswith("Duplicate pattern")


# -- Test Set 3: quality filtering ---------------------------------------------------------------

BASE = dict(instruction="Apply WSP 15 MPS scoring to this task",
            input={"task_description": "Migrate agent_permissions to SQLite"},
            evidence="Complexity: 3", line_text="Complexity: 3 (Moderate - schema design)")
FULL = {"complexity": 3, "importance": 5, "deferability": 5, "impact": 4, "mps_total": 17, "priority": "P0"}
REQUIRED = tuple(FULL)


def test_set3_case1_complete_example_with_all_fields_scores_1_0():
    q = score_quality(**BASE, output=FULL, required=REQUIRED, rationale=1.0)
    assert q.score == 1.0


def test_set3_case2_missing_rationale_scores_0_8_and_is_filtered():
    q = score_quality(**BASE, output=FULL, required=REQUIRED, rationale=0.0)
    assert q.score == 0.8
    assert q.score < 0.85


def test_set3_case3_ambiguous_input_scores_0_6_and_is_filtered():
    q = score_quality(**BASE, output=FULL, required=REQUIRED, rationale=0.0, ambiguity=1.0,
                      ambiguities=["two totals on the line"])
    assert q.score == 0.6
    assert any("Ambiguous input" in r for r in q.reasons)


def test_set3_case4_clear_but_partial_example_scores_0_85_and_is_kept():
    partial = {"priority": "P1"}
    q = score_quality(**BASE, output=partial, required=("priority", "mps_range", "action", "mps_total"),
                      rationale=1.0)
    assert q.criteria["complete"] == 0.05
    assert q.score == 0.85
    assert q.score >= 0.85


def test_set3_case5_excellent_example_with_source_scores_0_95():
    q = score_quality(**BASE, output=FULL, required=REQUIRED, rationale=0.75)
    assert q.criteria["verifiable"] == 0.2
    assert q.score == 0.95


def test_fully_missed_criterion_caps_an_example_at_0_8():
    for criterion in ("complete", "clear_reasoning", "unambiguous"):
        kwargs = dict(output=FULL, required=REQUIRED, rationale=1.0, ambiguity=0.0)
        if criterion == "complete":
            kwargs["output"] = {"other": 1}
        elif criterion == "clear_reasoning":
            kwargs["rationale"] = 0.0
        else:
            kwargs["ambiguity"] = 1.0
        assert score_quality(**BASE, **kwargs).score == 0.8, criterion
    unverifiable = score_quality(**{**BASE, "evidence": "not on the line"}, output=FULL, required=REQUIRED,
                                 rationale=1.0)
    assert unverifiable.score == 0.8
