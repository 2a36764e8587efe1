"""Every MPS form of ../shared/reference/012_FORMAT.md: the right numbers and the WSP 15 priority.

The lines here are written for the tests in the real formats, not copied from the corpus.
"""

from __future__ import annotations

import pytest
from helpers import mine_text

from training_data_miner.skills import wsp15


def one(tmp_path, text):
    examples = mine_text(tmp_path, "mps_scoring", text)
    assert len(examples) == 1, [e.evidence for e in examples]
    return examples[0]


def test_arbitration_line_with_action_above(tmp_path):
    ex = one(tmp_path, (
        "[0102-ARBITRATION] Arbitration Decisions:\n"
        "  SCHEDULE_FOR_SPRINT: HEALTHVIOLATION modules/demo/widget missing ModLog.md (WSP 22)\n"
        "    MPS: 10 | MPS Score: 10 (C:2, I:3, D:3, P:2). P2 medium priority, schedule for upcoming sprint.\n"
    ))
    o = ex.output
    assert (o["complexity"], o["importance"], o["deferability"], o["impact"]) == (2, 3, 3, 2)
    assert o["mps_total"] == 10 and o["priority"] == "P2"
    assert o["action"] == "schedule for upcoming sprint"
    assert ex.input["task_description"] == "HEALTHVIOLATION modules/demo/widget missing ModLog.md (WSP 22)"
    assert ex.input["proposed_action"] == "SCHEDULE_FOR_SPRINT"
    assert ex.source == "012.txt:line_3"


def test_inline_total(tmp_path):
    ex = one(tmp_path, "  - Batch For Session (MPS 14): PATTERN Low coverage 20% in modules/demo/widget\n")
    assert ex.output["mps_total"] == 14 and ex.output["priority"] == "P1"
    assert "Low coverage 20% in modules/demo/widget" in ex.input["task_description"]


def test_name_equals_total_with_priority(tmp_path):
    ex = one(tmp_path, "[21:48:11] [0102-MPS-CRITICAL] stale_docs_pattern = 9 (P3)\n")
    assert ex.output["mps_total"] == 9 and ex.output["priority"] == "P3"
    assert "stated_priority" not in ex.output
    assert ex.input["task_description"] == "stale_docs_pattern"


def test_priority_first(tmp_path):
    ex = one(tmp_path, "Retire the legacy poller. Priority: P2 (MPS: 12)\n")
    assert ex.output["mps_total"] == 12 and ex.output["priority"] == "P2"


def test_batch_score(tmp_path):
    ex = one(tmp_path, "[0102-MPS] Batch 004 Score: 9 (Priority: P3)\n")
    assert ex.output["mps_total"] == 9 and ex.output["priority"] == "P3"


def test_spelled_out_dimensions(tmp_path):
    ex = one(tmp_path, "Token refresh: Complexity: 3, Importance: 5, Deferability: 2, Impact: 4\n")
    assert ex.output["mps_total"] == 14 and ex.output["priority"] == "P1"


def test_abbreviations_where_p_is_impact(tmp_path):
    ex = one(tmp_path, "Default WSP_VIOLATION scoring: C:1 I:4 D:4 Im:3\n")
    o = ex.output
    assert (o["complexity"], o["importance"], o["deferability"], o["impact"]) == (1, 4, 4, 3)
    assert o["mps_total"] == 12 and o["priority"] == "P2"


def test_cidp_p_means_impact_not_priority(tmp_path):
    ex = one(tmp_path, "- **MPS**: 16 (C:2, I:5, D:4, P:5) - P0 Ship the import tracer\n")
    assert ex.output["impact"] == 5
    assert ex.output["mps_total"] == 16 and ex.output["priority"] == "P0"


@pytest.mark.parametrize("line,total,stated", [
    ("Queue cleanup job Score: 14 -> P0\n", 14, "P0"),
    ("Dashboard polish MPS 15 -> P0\n", 15, "P0"),
])
def test_wrong_stated_label_is_corrected_and_both_kept(tmp_path, line, total, stated):
    ex = one(tmp_path, line)
    assert ex.output["mps_total"] == total
    assert ex.output["priority"] == "P1"
    assert ex.output["stated_priority"] == stated
    assert ex.output["priority_corrected"] is True
    assert ex.label == "P1"


def test_stated_total_that_is_not_the_sum_is_recomputed(tmp_path):
    ex = one(tmp_path, "- **MPS**: 17 (C:3, I:5, D:2, P:5) - P0 parser phase\n")
    assert ex.output["mps_total"] == 15
    assert ex.output["stated_total"] == 17
    assert ex.output["priority"] == "P1" and ex.output["stated_priority"] == "P0"


def test_multi_line_block_with_reasons_is_one_example(tmp_path):
    ex = one(tmp_path, (
        "### Auto-fix: emoji escape in chat replies\n"
        "```yaml\n"
        "Complexity: 1 (Trivial - one regex replacement)\n"
        "Importance: 4 (Critical - replies fail to post)\n"
        "Deferability: 5 (Cannot defer - the live chat is affected now)\n"
        "Impact: 4 (Major - every viewer sees it)\n"
        "Total MPS: 14 (P1 High Priority)\n"
        "```\n"
    ))
    o = ex.output
    assert (o["complexity"], o["importance"], o["deferability"], o["impact"]) == (1, 4, 5, 4)
    assert o["complexity_reason"] == "Trivial - one regex replacement"
    assert o["mps_total"] == 14 and o["priority"] == "P1"
    assert ex.input["task_description"] == "Auto-fix: emoji escape in chat replies"
    assert ex.source == "012.txt:line_3"
    assert ex.quality_score == 1.0


def test_bold_breakdown_block_with_sum_shown(tmp_path):
    ex = one(tmp_path, (
        "**Option B: Clean the root folder in phases**\n"
        "- **Complexity (C)**: 2 - Two scripted passes\n"
        "- **Importance (I)**: 4 - A clean root unblocks the orchestrator\n"
        "- **Deferability (D)**: 2 - Can wait a week\n"
        "- **Impact (P)**: 3 - Tidier tree, no new capability\n"
        "- **TOTAL MPS**: 2+4+2+3 = **11 (P2 - MEDIUM PRIORITY)**\n"
    ))
    assert ex.output["mps_total"] == 11 and ex.output["priority"] == "P2"
    assert ex.output["impact_reason"] == "Tidier tree, no new capability"
    assert ex.input["task_description"] == "Option B: Clean the root folder in phases"


def test_total_outside_wsp15_range_is_rejected(tmp_path):
    ex = one(tmp_path, "- MPS=21 (local inference): 60 min\n")
    assert ex.quality_score < 0.85
    assert any("outside" in r for r in ex.quality.reasons)


def test_priority_table_boundaries():
    assert [wsp15.priority(t) for t in (3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 20, 21)] == [
        None, "P4", "P4", "P3", "P3", "P2", "P2", "P1", "P1", "P0", "P0", None]


def test_a_priority_scale_is_not_a_priority(tmp_path):
    assert mine_text(tmp_path, "mps_scoring", "- Determine Priority (P0-P4) for each finding\n") == []
    (ex,) = mine_text(tmp_path, "mps_scoring", "| [P0-P4] | Priority: P2 (MPS: 11) | template row |\n")
    assert ex.output["priority"] == "P2" and ex.output["mps_total"] == 11
    assert ex.evidence in "| [P0-P4] | Priority: P2 (MPS: 11) | template row |"
