"""mps_scoring read from the source's structure: every form of ../shared/gold/GUIDE.md, the four
task kinds, what is not an item, the corrections, the template cap and restatements.

All text here is written for the tests in the formats of 012.txt, not copied from any corpus.
"""

from __future__ import annotations

import json

import pytest
from helpers import PACKS, corpus, gold_report, mine_text

from training_data_miner.skills import wsp15
from training_data_miner.skills.filter_quality import filter_quality

SEP = "=" * 77 + "\n"


def kept(tmp_path, text):
    return filter_quality(mine_text(tmp_path, "mps_scoring", text)).kept


def by_kind(examples):
    out: dict[str, list] = {}
    for e in examples:
        key = {"numeric_examples": "compute", "decision_trees": "priority", "rationale_chains": "score"}[e.kind]
        out.setdefault(key, []).append(e)
    return out


def one(examples, kind):
    got = by_kind(examples).get(kind, [])
    assert len(got) == 1, [(e.kind, e.input) for e in examples]
    return got[0]


def answer_free(e):
    """The input holds no right priority, no action and (for compute) no total: a claim it shows
    (claimed_total, claimed_priority, for the check task) is the text's wrong one."""
    for key in ("total", "priority"):
        if f"claimed_{key}" in e.input:
            assert e.input[f"claimed_{key}"] != e.output[f"mps_{key}" if key == "total" else key]
            assert e.output[f"stated_{key}"] == e.input[f"claimed_{key}"]
    blob = json.dumps({k: v for k, v in e.input.items() if not k.startswith("claimed_")})
    assert not any(f"P{i}" in blob.replace("P:", "") for i in range(5)), e.input
    assert "SCHEDULE" not in blob and "BATCH_FOR" not in blob and "proposed_action" not in blob
    if e.kind == "numeric_examples":
        assert "mps_total" not in e.input


# -- the forms ------------------------------------------------------------------------------------

ARBITRATION = (
    "[0102-ARBITRATION] Arbitration Decisions:\n"
    "  SCHEDULE_FOR_SPRINT: HEALTHVIOLATION modules/demo/widget missing ModLog.md (WSP 22)\n"
    "    MPS: 12 | MPS Score: 12 (C:2, I:5, D:1, P:4). P2 medium priority, schedule for upcoming sprint.\n"
)


def test_arbitration_row_is_a_compute_task_named_by_its_action_line(tmp_path):
    (e,) = kept(tmp_path, ARBITRATION)
    # the task without the detector's tag ("HEALTHVIOLATION")
    assert e.input == {"task_description": "modules/demo/widget missing ModLog.md (WSP 22)",
                       "complexity": 2, "importance": 5, "deferability": 1, "impact": 4}
    assert e.output["mps_total"] == 12 and e.output["priority"] == "P2" and e.label == "P2"
    assert e.output["calculation"] == "2 + 5 + 1 + 4 = 12"
    assert e.output["action"] == wsp15.PRIORITY_ACTIONS["P2"]
    assert "stated_priority" not in e.output  # the row said P2, and P2 it is
    assert e.source == "012.txt:line_3" and e.evidence in ARBITRATION.splitlines()[2]
    answer_free(e)


def test_total_in_parentheses_with_the_action_before_it(tmp_path):
    (e,) = kept(tmp_path, "  - Batch For Session (MPS 14): PATTERN low coverage 20% in modules/demo/widget\n")
    assert e.input == {"task_description": "low coverage 20% in modules/demo/widget", "mps_total": 14}
    assert (e.output["priority"], e.output["mps_range"]) == ("P1", "13-15")
    answer_free(e)


@pytest.mark.parametrize("line,task,total,prio", [
    ("[21:48:11] [0102-MPS-CRITICAL] stale_docs_pattern = 9 (P3)\n", "stale_docs_pattern", 9, "P3"),
    ("Retire the legacy poller. Priority: P2 (MPS: 12)\n", "Retire the legacy poller", 12, "P2"),
    ("[0102-MPS] Batch 004 Score: 9 (Priority: P3)\n[0102-REASON] Chat logger still reads these files\n",
     "Batch 004", 9, "P3"),
    ("- Migrate agent_permissions to SQLite (MPS Score: 16)\n", "Migrate agent_permissions to SQLite", 16, "P0"),
    ("1. **Cache the doc metadata** (Score 17/20) - cut health checks to one read\n",
     "Cache the doc metadata - cut health checks to one read", 17, "P0"),
    ("- MPS=7: Refresh the module index (COMPLETED)\n", "Refresh the module index", 7, "P3"),
])
def test_a_stated_total_gives_the_priority_task(tmp_path, line, task, total, prio):
    e = one(kept(tmp_path, line), "priority")
    assert e.input["task_description"] == task and e.input["mps_total"] == total
    assert e.output["mps_total"] == total and e.output["priority"] == prio
    lo, hi = wsp15.PRIORITY_RANGES[prio]
    assert e.output["mps_range"] == f"{lo}-{hi}" and e.output["action"] == wsp15.PRIORITY_ACTIONS[prio]
    answer_free(e)


@pytest.mark.parametrize("line,dims", [
    ("Cache invalidation fix: Complexity: 3, Importance: 5, Deferability: 2, Impact: 4\n", (3, 5, 2, 4)),
    ("**Stale ModLog sweep**: C:1 I:4 D:4 Im:3 \u2192 Total: 12 (P2)\n", (1, 4, 4, 3)),
    ("Token vault cleanup: WSP 15 Scores: Complexity(4) + Importance(5) + Deferability(3) + Impact(4) = 16\n",
     (4, 5, 3, 4)),
    ("Orphan sweep **Priority**: P3 Low | MPS 7 = 1+2+2+2 (complexity+importance+deferability+impact)\n",
     (1, 2, 2, 2)),
])
def test_four_dimensions_on_a_line_give_the_compute_task(tmp_path, line, dims):
    e = one(kept(tmp_path, line), "compute")
    assert tuple(e.input[d] for d in wsp15.DIMENSIONS) == dims
    assert e.output["mps_total"] == sum(dims) and e.output["priority"] == wsp15.priority(sum(dims))
    assert e.input["task_description"] and "MPS" not in e.input["task_description"]
    answer_free(e)


def test_p_in_the_abbreviations_is_impact_not_priority(tmp_path):
    e = one(kept(tmp_path, "- Ship the import tracer: MPS 16 (C:2, I:5, D:4, P:5)\n"), "compute")
    assert e.input["impact"] == 5 and e.output["priority"] == "P0"


def test_dimension_block_with_reasons_gives_rating_and_compute(tmp_path):
    text = (
        "# Live chat\n"
        "### Auto-fix: emoji escape in chat replies\n"
        "Replies that hold an escaped emoji fail to post while a stream is live.\n"
        "```yaml\n"
        "Complexity: 1 (Trivial - one regex replacement)\n"
        "Importance: 4 (Critical - replies fail to post)\n"
        "Deferability: 5 (Cannot defer - the live chat is affected now)\n"
        "Impact: 4 (Major - every viewer sees it)\n"
        "Total MPS: 14 (P1 High Priority)\n"
        "```\n"
    )
    ex = kept(tmp_path, text)
    score, compute = one(ex, "score"), one(ex, "compute")
    assert score.input == {"task_description": "Auto-fix: emoji escape in chat replies", "context": "Live chat",
                           "details": "Replies that hold an escaped emoji fail to post while a stream is live."}
    o = score.output
    assert (o["complexity"], o["importance"], o["deferability"], o["impact"]) == (1, 4, 5, 4)
    assert o["complexity_reason"] == "Trivial - one regex replacement"
    assert o["impact_reason"] == "Major - every viewer sees it"
    assert o["mps_total"] == 14 and o["priority"] == "P1" and score.quality_score == 1.0
    assert compute.output["mps_total"] == 14 and compute.input["deferability"] == 5
    assert score.source == compute.source == "012.txt:line_9"  # the total's line
    for e in ex:
        answer_free(e)


def test_bold_breakdown_under_an_option_heading_reads_the_option(tmp_path):
    text = (
        "## Cleanup options\n"
        "### Option B: Clean the root folder in phases\n"
        "**Philosophy**: \"One category at a time, test between each.\"\n"
        "**Actions**:\n"
        "1. Move the logs\n"
        "2. Move the scratch scripts\n"
        "**MPS Breakdown**:\n"
        "- **Complexity (C)**: 2 - Two scripted passes\n"
        "- **Importance (I)**: 4 - A clean root unblocks the orchestrator\n"
        "- **Deferability (D)**: 2 - Can wait a week\n"
        "- **Impact (P)**: 3 - Tidier tree, no new capability\n"
        "- **TOTAL MPS**: 2+4+2+3 = **11 (P2 - MEDIUM PRIORITY)**\n"
    )
    score = one(kept(tmp_path, text), "score")
    assert score.input["task_description"] == "Option B: Clean the root folder in phases"
    assert score.input["details"] == ("Philosophy: \"One category at a time, test between each.\" | Move the logs | "
                                      "Move the scratch scripts")
    assert score.output["impact_reason"] == "Tidier tree, no new capability"
    assert score.output["mps_total"] == 11 and score.output["priority"] == "P2"


def test_facts_written_before_each_score_are_the_rating_input(tmp_path):
    text = (
        "### Scoring a commit\n"
        "**Example**:\n"
        "- 9 files changed (C=2)\n"
        "- Fixes in the posting path (I=4)\n"
        "- Can wait until tonight (D=2)\n"
        "- Only developers notice (P=2)\n"
        "- **MPS = 10 (P2)** -> batch with the next commit\n"
    )
    score = one(kept(tmp_path, text), "score")
    assert score.input["task_description"] == "Scoring a commit"
    assert score.input["details"] == ("9 files changed | Fixes in the posting path | Can wait until tonight | "
                                      "Only developers notice")
    assert score.output["importance_reason"] == "Fixes in the posting path"
    assert score.output["mps_total"] == 10 and score.output["priority"] == "P2"


def test_keyword_arguments_with_comments_in_a_code_block(tmp_path):
    text = (
        "### Test 2: Stale backup files (should approve)\n"
        "Forty .bak files, no references to them anywhere.\n"
        "```python\n"
        "score = calculate_mps_score(\n"
        "    complexity=1,  # Simple delete\n"
        "    importance=3,  # Clutter slows searches\n"
        "    deferability=4, # Should go this week\n"
        "    impact=4       # Search results get cleaner\n"
        ")\n"
        "# MPS = 12 (P2 REQUIRE_APPROVAL)\n"
        "```\n"
    )
    ex = kept(tmp_path, text)
    score = one(ex, "score")
    assert score.output["complexity_reason"] == "Simple delete"
    assert score.output["deferability_reason"] == "Should go this week"
    assert score.output["mps_total"] == 12 and score.output["priority"] == "P2"
    assert score.input["task_description"] == "Test 2: Stale backup files (should approve)"
    assert score.source == "012.txt:line_10"


def test_code_that_computes_a_score_is_not_an_item(tmp_path):
    text = (
        "```python\n"
        "if batch_size > 100:\n"
        "    complexity = 3\n"
        "elif batch_size > 50:\n"
        "    complexity = 2\n"
        "else:\n"
        "    complexity = 1\n"
        "importance = 3\n"
        "mps = complexity + importance + deferability + impact\n"
        "```\n"
    )
    assert mine_text(tmp_path, "mps_scoring", text) == []


GAPS = """## Audit report
```json
{
  "mcp_integration_gaps": [
    {
      "module": "communication/chat_relay",
      "missing_files": [
        "modules/communication/chat_relay/mcp/server.py"
      ],
      "mps_score": {
        "complexity": 2,
        "complexity_reason": "Easy - copy the existing server skeleton",
        "importance": 2,
        "importance_reason": "Minor - one caller today",
        "deferability": 1,
        "deferability_reason": "Can defer - nothing is blocked",
        "impact": 2,
        "impact_reason": "Minor - saves one manual step",
        "total": 7,
        "priority": "P2"
      },
      "proposed_action": "SCHEDULE_FOR_SPRINT",
      "recommendation": "Create the MCP server for chat_relay"
    }
  ]
}
```
"""


def test_json_mps_score_object_with_reasons_and_a_wrong_priority(tmp_path):
    ex = kept(tmp_path, GAPS)
    score, compute = one(ex, "score"), one(ex, "compute")
    assert score.input["task_description"] == "Create the MCP server for chat_relay"
    assert score.input["context"] == "mcp integration gaps"
    assert "module: communication/chat_relay" in score.input["details"]
    assert "modules/communication/chat_relay/mcp/server.py" in score.input["details"]
    assert score.output["importance_reason"] == "Minor - one caller today"
    # 2+2+1+2 = 7 is P3: the text's P2 is a claim to check, shown in the check task's input and
    # corrected in its output; the rating task leaves the wrong claim out
    for e in (score, compute):
        assert e.output["mps_total"] == 7 and e.output["priority"] == "P3" and e.label == "P3"
        answer_free(e)
    assert "stated_priority" not in score.output and "claimed_priority" not in score.input
    assert compute.input["claimed_priority"] == "P2" and compute.output["stated_priority"] == "P2"
    assert compute.output["claim_holds"] is False
    assert "claimed" in compute.instruction and "mps_total" not in compute.input
    assert score.source == "012.txt:line_19"  # the "total" line


def test_a_python_dict_that_is_not_json_reads_the_same(tmp_path):
    text = (
        "## Chat log cleanup\n"
        "```python\n"
        "report = {\n"
        "    'mps_scoring': {\n"
        "        'batch_007': {\n"
        "            'mps': 13,   # safe\n"
        "            'priority': 'P1',\n"
        "            'decision': 'AUTONOMOUS_EXECUTE',\n"
        "            'reason': 'No active references, low risk',\n"
        "        },\n"
        "    },\n"
        "}\n"
        "```\n"
    )
    e = one(kept(tmp_path, text), "priority")
    # a numbered name comes with what the text says of it
    assert e.input == {"task_description": "batch_007", "context": "Chat log cleanup",
                       "details": "No active references, low risk", "mps_total": 13}
    assert e.output["priority"] == "P1"
    answer_free(e)


def test_table_with_dimension_columns(tmp_path):
    text = (
        "## Backlog scoring\n"
        "| Task | C | I | D | P | MPS | Priority |\n"
        "|------|---|---|---|---|-----|----------|\n"
        "| Doc registry | 4 | 4 | 3 | 4 | 15 | P1 |\n"
        "| Log rotation | 1 | 2 | 2 | 2 | 7 | P2 |\n"
    )
    ex = kept(tmp_path, text)
    rows = sorted(by_kind(ex)["compute"], key=lambda e: e.line)
    assert [r.input["task_description"] for r in rows] == ["Doc registry", "Log rotation"]
    assert [(r.output["mps_total"], r.output["priority"]) for r in rows] == [(15, "P1"), (7, "P3")]
    assert rows[1].output["stated_priority"] == "P2" and "stated_priority" not in rows[0].output
    assert rows[0].source == "012.txt:line_4"


def test_table_of_scores_out_of_twenty(tmp_path):
    text = (
        "| Item | Score |\n"
        "| --- | --- |\n"
        "| Consent engine persistence | 18/20 |\n"
        "| Banter cooldown per user | 12/20 |\n"
    )
    ex = sorted(kept(tmp_path, text), key=lambda e: e.line)
    assert [(e.input["task_description"], e.output["mps_total"], e.output["priority"]) for e in ex] == [
        ("Consent engine persistence", 18, "P0"), ("Banter cooldown per user", 12, "P2")]


def test_dimension_table_is_named_by_the_heading_of_its_module(tmp_path):
    text = (
        "# quota_monitor\n"
        "Tracks the daily API quota of every channel and warns before it runs out.\n"
        "## Current Status & Scoring\n"
        "### MPS + LLME Scores\n"
        "| Dimension | Score | Rationale |\n"
        "|-----------|-------|-----------|\n"
        "| **Complexity** | 2 | Counters and a threshold |\n"
        "| **Importance** | 5 | Posting stops without quota |\n"
        "| **Deferability** | 4 | Quota errors happen daily |\n"
        "| **Impact** | 4 | Every channel depends on it |\n"
        "| **MPS Total** | 16 | **Priority Classification:** P1 |\n"
    )
    ex = kept(tmp_path, text)
    compute, score = one(ex, "compute"), one(ex, "score")
    assert compute.input["task_description"] == "quota_monitor"
    assert score.input["details"] == "Tracks the daily API quota of every channel and warns before it runs out."
    assert score.output["importance_reason"] == "Posting stops without quota"
    assert compute.output["mps_total"] == 15 and compute.output["priority"] == "P1"
    assert compute.output["stated_total"] == 16  # 2+5+4+4 is 15
    assert compute.source == "012.txt:line_11"


# -- not items -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Rotate the OAuth tokens nightly. Priority: P1\n",  # a bare priority
    "- 16-20: P0 (Critical - work begins immediately)\n- 13-15: P1 (High)\n",  # a scale
    "P0 tasks: MPS 16-20\n",
    "| MPS Score | Priority | Decision |\n|---|---|---|\n| 16-20 | P0 | FIX_NOW |\n| 13-15 | P1 | BATCH |\n",
    "| Dimension | Score | Rationale |\n|---|---|---|\n| **Complexity** | `[1-5]` | [Rationale] |\n"
    "| **Importance** | `[1-5]` | [Rationale] |\n| **Deferability** | `[1-5]` | [Rationale] |\n"
    "| **Impact** | `[1-5]` | [Rationale] |\n| **MPS Total** | `[4-20]` | `[P0-P4]` |\n",  # a template
    "- **Module Prioritization Score (MPS):** 94.00 *(Higher score means higher priority)*\n",  # another scale
    "- Determine Priority (P0-P4) for each finding\n",
    "Decision: Option A - MPS 15 > 8\n",  # a comparison
])
def test_scales_templates_and_bare_priorities_are_not_items(tmp_path, text):
    assert mine_text(tmp_path, "mps_scoring", text) == []


def test_status_rows_of_a_dump_are_not_tasks(tmp_path):
    text = (
        "[0102-ARBITRATION] Arbitration Decisions:\n"
        "  BATCH_FOR_SESSION: VIBECODING-PATTERN No high-risk vibecoding patterns detected\n"
        "    MPS: 14 | MPS Score: 14 (C:2, I:5, D:2, P:5). P1 high priority, suitable for batch processing this session.\n"
        "  SCHEDULE_FOR_SPRINT: HOLODAE-SIZEOK No file size anomalies detected\n"
        "    MPS: 11 | MPS Score: 11 (C:2, I:3, D:3, P:3). P2 medium priority, schedule for upcoming sprint.\n"
        "  SCHEDULE_FOR_SPRINT: PATTERN-COACH Patterns stable - no interventions required\n"
        "    MPS: 10 | MPS Score: 10 (C:2, I:3, D:3, P:2). P2 medium priority, schedule for upcoming sprint.\n"
        "  BATCH_FOR_SESSION: HOLODAE-ORCHESTRATION Executed components: Health, Vibecoding, File Size\n"
        "    MPS: 14 | MPS Score: 14 (C:2, I:5, D:2, P:5). P1 high priority, suitable for batch processing this session.\n"
    )
    assert mine_text(tmp_path, "mps_scoring", text) == []


def test_a_score_under_headings_that_name_nothing_makes_no_example(tmp_path):
    assert kept(tmp_path, "## Test Results\nMPS Score: 12\n") == []
    assert kept(tmp_path, "3. : MPS Score: 12\n") == []
    assert kept(tmp_path, "why ? Because - MPS Score: 12\n") == []


# -- corrections ------------------------------------------------------------------------------------


@pytest.mark.parametrize("line,total,stated", [
    ("Queue cleanup job Score: 14 -> P0\n", 14, "P0"),
    ("Dashboard polish MPS 15 -> P0\n", 15, "P0"),
    ("- **P0**: Extract 400 intent examples (MPS Score: 14)\n", 14, "P0"),
])
def test_a_stated_priority_the_table_does_not_give_is_corrected(tmp_path, line, total, stated):
    e = one(kept(tmp_path, line), "priority")
    assert e.output["mps_total"] == total and e.output["priority"] == "P1" and e.label == "P1"
    assert e.output["stated_priority"] == stated
    answer_free(e)


def test_a_stated_total_that_is_not_the_sum_is_corrected(tmp_path):
    text = "## Tracer plan\n### Phase 1: Import parser\n- **MPS**: 17 (C:3, I:5, D:2, P:5) - P0\n"
    e = one(kept(tmp_path, text), "compute")
    assert e.input["task_description"] == "Phase 1: Import parser"
    assert e.output["mps_total"] == 15 and e.output["priority"] == "P1"
    assert e.output["stated_total"] == 17 and e.output["stated_priority"] == "P0"


def test_priority_table_boundaries():
    assert [wsp15.priority(t) for t in (3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 20, 21)] == [
        None, "P4", "P4", "P3", "P3", "P2", "P2", "P1", "P1", "P0", "P0", None]
    assert [wsp15.nearest_priority(t) for t in (2, 4, 16, 21, 25)] == ["P4", "P4", "P0", "P0", "P0"]


def test_a_total_above_twenty_is_p0_with_a_note(tmp_path):
    e = one(mine_text(tmp_path, "mps_scoring", "- MPS=21: Wire the skill runner to local inference\n"), "priority")
    assert e.output["priority"] == "P0" and "outside WSP 15's 4-20 range" in e.output["range_note"]


def test_corrections_are_counted_in_the_pattern_summary(tmp_path):
    from training_data_miner.skills.generate_pattern_summary import generate_pattern_summary

    examples = mine_text(tmp_path, "mps_scoring", "Queue cleanup job Score: 14 -> P0\n" + GAPS
                         + "### Phase 1: Import parser\n- **MPS**: 17 (C:3, I:5, D:2, P:5) - P0\n")
    fr = filter_quality(examples)
    summary = generate_pattern_summary(PACKS["mps_scoring"], ["regex"], examples, fr)
    notes = " ".join(summary.common_patterns)
    # the queue job's priority task, the GAPS object's check task and Phase 1's (its rating task
    # leaves the wrong claim out)
    assert "stated priority contradicted WSP 15 in 3 kept examples" in notes
    assert "stated total was not C+I+D+P in 1 kept example" in notes


# -- one item, once ---------------------------------------------------------------------------------


def cap_reasons(fr):
    """line -> reasons of the examples rejected below the threshold (not as duplicates)."""
    return {r.example.line: " ".join(r.reasons) for r in fr.rejected if r.example.quality_score < 0.85}


def test_a_template_dump_keeps_two_examples_per_identical_answer(tmp_path):
    rows = "".join(
        f"  SCHEDULE_FOR_SPRINT: SIZE large file modules/demo/src/part_{i}.py ({400 + i} lines)\n"
        "    MPS: 11 | MPS Score: 11 (C:2, I:3, D:3, P:3). P2 medium priority, schedule for upcoming sprint.\n"
        for i in range(6))
    other = ("  SCHEDULE_FOR_SPRINT: ORPHAN- modules/demo/scripts/run.py lacks matching tests\n"
             "    MPS: 11 | MPS Score: 11 (C:3, I:2, D:4, P:2). P2 medium priority, schedule for upcoming sprint.\n")
    examples = mine_text(tmp_path, "mps_scoring", "[0102-ARBITRATION] Arbitration Decisions:\n" + rows + other)
    fr = filter_quality(examples)

    def kind(e):
        return "record" if "record" in e.input else "compute" if "complexity" in e.input else "priority"

    # of the six rows scored 2/3/3/3, the first is a compute example and the second a record to
    # read; the other four are made and rejected, the cap named as the reason; the row of another
    # vector is kept
    assert [(e.line, kind(e)) for e in fr.kept] == [(3, "compute"), (5, "record"), (15, "compute")]
    capped = cap_reasons(fr)
    assert sorted(capped) == [7, 9, 11, 13]
    assert all("Template dump capped: arbitration rows scored C:2 I:3 D:3 P:3 (MPS 11)" in r
               and "at most 2 per identical answer" in r for r in capped.values())
    rec = fr.kept[1]
    assert rec.input == {"record": "SIZE large file modules/demo/src/part_1.py (401 lines)\n"
                                   "MPS: 11 | MPS Score: 11 (C:2, I:3, D:3, P:3)"}
    assert rec.output == {"task": "large file modules/demo/src/part_1.py (401 lines)", "complexity": 2,
                          "importance": 3, "deferability": 3, "impact": 3, "mps_total": 11,
                          "calculation": "2 + 3 + 3 + 3 = 11", "priority": "P2"}
    assert fr.kept[2].input["task_description"] == "modules/demo/scripts/run.py lacks matching tests"


def test_the_cap_holds_over_later_runs_of_the_same_dump(tmp_path):
    run = ("[0102-ARBITRATION] Arbitration Decisions:\n"
           + "".join(f"  SCHEDULE_FOR_SPRINT: MODULE modules/{m} missing tests/TestModLog.md\n"
                     "    MPS: 10 | MPS Score: 10 (C:2, I:3, D:3, P:2). P2 medium priority, schedule for upcoming sprint.\n"
                     for m in ("alpha", "beta")))
    later = run.replace("alpha", "gamma").replace("beta", "delta")
    fr = filter_quality(mine_text(tmp_path, "mps_scoring", run + SEP + "[09:00:01] [0102] next run\n" + later))
    assert [e.line for e in fr.kept] == [3, 5]
    assert sorted(cap_reasons(fr)) == [10, 12]


def test_machine_written_action_rows_are_template_rows_too(tmp_path):
    text = ("=== 2025-10-02 08:41:17 SEARCH ===\n"
            "Query: posting queue retries\n"
            "High Priority Actions:\n"
            + "".join(f"  - Batch For Session (MPS 14): PATTERN retry loop {i} duplicated in modules/demo/src/q{i}.py\n"
                      for i in range(4))
            + "  - Schedule For Sprint (MPS 11): HEALTH modules/demo missing tests/TestModLog.md (WSP 22)\n")
    fr = filter_quality(mine_text(tmp_path, "mps_scoring", text))
    # rows with a total only: two per identical total, whatever the task kind
    assert [(e.line, e.input["task_description"]) for e in fr.kept] == [
        (4, "retry loop 0 duplicated in modules/demo/src/q0.py"), (5, "retry loop 1 duplicated in modules/demo/src/q1.py"),
        (8, "modules/demo missing tests/TestModLog.md (WSP 22)")]
    assert all("Template dump capped: machine-written rows with MPS 14" in r for r in cap_reasons(fr).values())
    assert sorted(cap_reasons(fr)) == [6, 7]


README_STUB = (
    "# {name}\n"
    "**Purpose:** [Module functionality description - update this]\n"
    "## Current Status & Scoring\n"
    "### MPS + LLME Scores\n"
    "**Scored By:** WSP 49 Compliance Fixer\n\n"
    "| Dimension | Score | Rationale |\n|---|---|---|\n"
    "| **Complexity** | 3 | Standard module complexity |\n| **Importance** | 3 | Core functionality |\n"
    "| **Deferability** | 2 | Should be addressed soon |\n| **Impact** | 3 | Affects module usability |\n"
    "| **MPS Total** | 11 | **Priority Classification:** P2 |\n"
)


def test_template_score_tables_of_modules_that_differ_only_in_the_name_are_capped(tmp_path):
    docs = [README_STUB.format(name=n) for n in ("token_vault", "consent_engine", "chat_relay", "quota_guard")]
    fr = filter_quality(mine_text(tmp_path, "mps_scoring", SEP.join(docs)))
    assert [e.input["task_description"] for e in fr.kept] == ["token_vault", "consent_engine"]
    capped = cap_reasons(fr)
    assert len(capped) == 2 and all(
        'items scored C:3 I:3 D:2 P:3 (MPS 11) with the reasons "Standard module complexity; ' in r
        for r in capped.values())
    # the same table with its own reasons is another answer, not a third copy of the template
    own = README_STUB.format(name="stream_probe").replace("Core functionality", "Blocks the live stream probe")
    fr = filter_quality(mine_text(tmp_path, "mps_scoring", SEP.join(docs[:2] + [own])))
    assert [e.input["task_description"] for e in fr.kept] == ["token_vault", "consent_engine", "stream_probe"]


def test_one_files_finding_reported_by_two_detectors_is_one_item(tmp_path):
    text = ("[0102-ARBITRATION] Arbitration Decisions:\n"
            "  SCHEDULE_FOR_SPRINT: PATTERN Found 1 scripts lacking tests in modules/demo: modules\\demo\\scripts\\run.py\n"
            "    MPS: 10 | MPS Score: 10 (C:2, I:3, D:3, P:2). P2 medium priority, schedule for upcoming sprint.\n"
            "  SCHEDULE_FOR_SPRINT: ORPHAN- modules\\demo\\scripts\\run.py lacks matching tests - investigate connection\n"
            "    MPS: 11 | MPS Score: 11 (C:3, I:2, D:4, P:2). P2 medium priority, schedule for upcoming sprint.\n"
            "  SCHEDULE_FOR_SPRINT: SIZE large file modules\\demo\\scripts\\run.py (900 lines, 31 KB)\n"
            "    MPS: 11 | MPS Score: 11 (C:2, I:3, D:3, P:3). P2 medium priority, schedule for upcoming sprint.\n")
    examples = mine_text(tmp_path, "mps_scoring", text)
    # the ORPHAN row says what the PATTERN row said of run.py, with another score: one item, at
    # its first place; the file's size is another finding
    assert [e.line for e in examples] == [3, 7]
    assert "lacking tests" in examples[0].input["task_description"]


def test_a_default_score_of_an_issue_type_is_a_legend_not_a_task(tmp_path):
    text = (
        "# MPS WSP_VIOLATION Evaluation Skill\n"
        "### Step 2: SCORE DIMENSIONS\n"
        "**Complexity (C)**: Usually 1 (trivial path fix)\n"
        "**Importance (I)**: Usually 4 (compliance essential)\n"
        "**Deferability (D)**: Usually 4 (violations accumulate)\n"
        "**Impact (Im)**: Usually 3 (improves compliance)\n\n"
        "### Step 3: CALCULATE PRIORITY\n"
        "**Default WSP_VIOLATION**: C:1 I:4 D:4 Im:3 \u2192 Total: 12 (P2)\n\n"
        "## Benchmark Test Cases\n"
        "### Test 1: Config file in the wrong folder\n"
        "- **Input**: \"settings.yaml sits in the project root instead of config/\"\n"
        "- **Expected**: C:1 I:4 D:4 Im:3 \u2192 Total: 12 (P2)\n\n"
        "## Ground Truth Reference\n"
        "```python\n"
        '"WSP_VIOLATION": {\n'
        '    "complexity": 1,\n    "importance": 4,\n    "deferability": 4,\n    "impact": 3\n'
        "}\n"
        "# Total: 12 (P2)\n"
        "```\n"
    )
    examples = kept(tmp_path, text)
    assert {e.input["task_description"] for e in examples} == {"Test 1: Config file in the wrong folder"}
    # the typical scores alone, with no default line under them, are a legend too
    assert kept(tmp_path, text.split("### Step 3")[0]) == []


def test_a_score_returned_in_a_code_example_is_named_by_its_task_field(tmp_path):
    text = (
        "# Overseer usage\n"
        "### Example 2: Create Autonomous Fix\n"
        "```python\n"
        "fix = create_autonomous_fix(\n"
        '    task_description="Rotate the stale OAuth tokens",\n'
        "    complexity_hint=3,\n"
        ")\n"
        "# Returns:\n"
        "# - Agent: qwen\n"
        "# - MPS Score: 15 (P1)\n"
        "```\n"
    )
    e = one(kept(tmp_path, text), "priority")
    assert e.input == {"task_description": "Rotate the stale OAuth tokens",
                       "context": "Example 2: Create Autonomous Fix", "mps_total": 15}
    # an illustration heading names no task of its own: without a task field there is no example
    assert kept(tmp_path, text.replace('    task_description="Rotate the stale OAuth tokens",\n', "")) == []


def test_a_numbered_name_needs_what_the_text_says_of_it(tmp_path):
    out = ("**Example Output**:\n```\n[0102-MPS] Batch 001 Score: 9 (Priority: P3)\n[0102-MPS] Decision: DEFER\n"
           "[0102-REASON] Active reference found (chat_logger.py) - cleanup would break it\n```\n")
    e = one(kept(tmp_path, out), "priority")
    assert e.input["task_description"] == "Batch 001"
    assert e.input["details"] == "Active reference found (chat_logger.py) - cleanup would break it"
    answer_free(e)
    assert kept(tmp_path, out.replace("[0102-REASON] Active reference found (chat_logger.py) - cleanup would break it\n",
                                      "")) == []
    # "name: score - note": the name is the task, the note what the text says of it
    e = one(kept(tmp_path, "**Step 3: MPS Scoring**\n- batch_004: MPS 14 (P1 AUTONOMOUS_EXECUTE) - Safe\n"), "priority")
    assert (e.input["task_description"], e.input["details"]) == ("batch_004", "Safe")
    answer_free(e)


def test_detector_tags_are_cut_from_machine_written_rows_only(tmp_path):
    row = ("[0102-ARBITRATION] Arbitration Decisions:\n"
           "  SCHEDULE_FOR_SPRINT: WSP-GUARDIANSTALE- docs/WSP_12_Deps.md not updated in 113 days (expected: 90d)\n"
           "    MPS: 10 | MPS Score: 10 (C:2, I:3, D:3, P:2). P2 medium priority, schedule for upcoming sprint.\n")
    (e,) = kept(tmp_path, row)
    assert e.input["task_description"] == "docs/WSP_12_Deps.md not updated in 113 days (expected: 90d)"
    # in prose an opening capital word is part of the name
    e = one(kept(tmp_path, "- SOURCE tier execution gate (MPS Score: 17)\n"), "priority")
    assert e.input["task_description"] == "SOURCE tier execution gate"


def test_a_heading_s_status_is_not_the_context(tmp_path):
    text = "#### Phase 2 Status: COMPLETE\n- MPS=7: Refresh the module index (COMPLETED)\n"
    e = one(kept(tmp_path, text), "priority")
    assert e.input == {"task_description": "Refresh the module index", "context": "Phase 2", "mps_total": 7}


def test_a_rating_whose_reason_cites_what_its_input_lacks_is_not_made(tmp_path):
    text = (
        "## Benchmark Test Cases\n"
        "### Test 2: Oversized module\n"
        "- **Input**: \"Module router.py has 1800 lines, over the limit of 1500\"\n"
        "- **Expected**: C:4 I:4 D:3 Im:4 \u2192 Total: 15 (P1)\n"
        "- **Reason**: {reason}\n"
    )
    made = by_kind(kept(tmp_path, text.format(reason="Complex refactor needed, as WSP 87 requires")))
    assert set(made) == {"compute"}  # WSP 87 is nowhere in the input: the rating is not derivable
    made = by_kind(kept(tmp_path, text.format(reason="Complex refactor of 1800 lines needed")))
    assert set(made) == {"compute", "score"}
    assert made["score"][0].output["reason"] == "Complex refactor of 1800 lines needed"


def test_a_later_restatement_in_the_same_document_is_dropped(tmp_path):
    text = (
        "## Backlog\n"
        "- Persist consent opt-outs (MPS Score: 15)\n"
        "- Rank code above docs (MPS Score: 10)\n"
        "## Summary\n"
        "| item | MPS | priority |\n"
        "| --- | --- | --- |\n"
        "| Persist consent opt-outs | 15 | P1 |\n"
        "| Rank code above docs | 10 | P2 |\n"
        "| Cache doc metadata | 12 | P2 |\n"
    )
    ex = kept(tmp_path, text)
    assert sorted((e.input["task_description"], e.line) for e in ex) == [
        ("Cache doc metadata", 9), ("Persist consent opt-outs", 2), ("Rank code above docs", 3)]


def test_a_restatement_with_other_counts_in_a_later_document_is_dropped(tmp_path):
    first = ("[0102-ARBITRATION] Arbitration Decisions:\n"
             "  SCHEDULE_FOR_SPRINT: WSP-GUARDIANSTALE- docs/WSP_12_Deps.md not updated in 113 days (expected: 90d)\n"
             "    MPS: 10 | MPS Score: 10 (C:2, I:3, D:3, P:2). P2 medium priority, schedule for upcoming sprint.\n")
    later = first.replace("113 days", "114 days")
    examples = mine_text(tmp_path, "mps_scoring", first + SEP + "[09:00:01] [0102] next run\n" + later)
    assert [e.line for e in examples] == [3]


def test_a_copy_of_a_document_gives_byte_identical_examples(tmp_path):
    doc = "# Cleanup plan\n" + GAPS
    examples = mine_text(tmp_path, "mps_scoring", doc + SEP + doc)
    first = [e for e in examples if e.line < 30]
    second = [e for e in examples if e.line > 30]
    assert len(first) == len(second) == 2
    for a, b in zip(first, second):
        assert (a.instruction, a.input, a.output) == (b.instruction, b.input, b.output)
    fr = filter_quality(examples)
    assert len(fr.kept) == 2 and all(r.reasons[0].startswith("Duplicate pattern") for r in fr.rejected)


# -- task kinds and phrasings -----------------------------------------------------------------------


def test_each_task_kind_has_at_least_three_phrasings_and_several_are_used():
    pack = PACKS["mps_scoring"]
    for kind in ("score", "compute", "record", "priority"):
        assert isinstance(pack.instructions[kind], list) and len(pack.instructions[kind]) >= 3


def test_every_output_states_total_and_priority_by_wsp15(tmp_path):
    text = ARBITRATION + GAPS + "- Retire the legacy poller (MPS 5)\n" + "Queue cleanup job Score: 14 -> P0\n"
    for e in mine_text(tmp_path, "mps_scoring", text):
        o = e.output
        assert o["priority"] == wsp15.priority(o["mps_total"]) == e.label
        if "complexity" in o:
            assert o["mps_total"] == sum(o[d] for d in wsp15.DIMENSIONS)


# -- the dev corpus against its gold ------------------------------------------------------------------

@pytest.mark.corpus
def test_dev_corpus_against_the_gold(tmp_path):
    from training_data_miner.server.orchestrator import Orchestrator, Settings

    Orchestrator(Settings(data_dir=tmp_path)).mine(corpus(), ["mps_scoring"])
    r = gold_report(tmp_path / "training_datasets", "mps_scoring")
    assert r["examples"] >= 50 and r["precision"] >= 0.95 and r["label_accuracy"] >= 0.97, r
    # below 0.90 on purpose: the dev gold counts each of 41 arbitration-dump rows (4 score
    # vectors) and 6 template README tables as an item, and a template keeps 2 examples per
    # identical answer (EXAMPLES.md 6); the rows past the cap, a file's finding restated by a
    # second detector and a default score (a legend) are not kept
    assert r["recall"] >= 0.56, r


@pytest.mark.parametrize("text", [
    "| Module | Score |\n|---|---|\n| token_vault | 92 |\n| consent_engine | 7 |\n",  # a score, not an MPS
    "| Module | Total tests |\n|---|---|\n| token_vault | 12 |\n",
])
def test_score_columns_that_are_not_mps_are_not_items(tmp_path, text):
    assert mine_text(tmp_path, "mps_scoring", text) == []


def test_a_one_line_json_object_is_named_by_its_fields(tmp_path):
    line = '[09:14:54] [0102-MPS] {"finding": "consent opt-outs kept in memory only", "mps": 13, "priority": "P0"}\n'
    e = one(kept(tmp_path, line), "priority")
    assert e.input["task_description"] == "consent opt-outs kept in memory only" and e.input["mps_total"] == 13
    assert e.output["priority"] == "P1" and e.output["stated_priority"] == "P0"
    answer_free(e)


def test_a_line_that_says_what_to_do_gives_no_task_but_a_status_does(tmp_path):
    assert kept(tmp_path, "- heartbeat timeout change (MPS 12, P2) so it goes in this sprint, not today\n") == []
    e = one(kept(tmp_path, "3. **Ghost hit elimination** (Score 17/20) - Resolved in this session\n"), "priority")
    assert e.input["task_description"] == "Ghost hit elimination"  # its status is not its name


@pytest.mark.parametrize("score, reason", [(1, "Must ship before the release"), (2, "Blocking the migration"),
                                            (5, "Can defer but should clean up"), (4, "Deferrable - nothing waits on it")])
def test_a_deferability_reason_that_reads_the_scale_backwards_gives_no_rating_task(tmp_path, score, reason):
    # WSP 15: deferability 1 = highly deferrable, 5 = cannot defer. A reason saying the opposite of
    # its score would teach the scale backwards: the sum is still a lesson, the rating is not.
    text = GAPS.replace('"deferability": 1,', f'"deferability": {score},').replace(
        '"Can defer - nothing is blocked"', json.dumps(reason))
    ex = kept(tmp_path, text)
    assert "score" not in by_kind(ex)
    assert one(ex, "compute").input["deferability"] == score


def test_a_dotfile_path_keeps_its_dot_in_the_details(tmp_path):
    text = GAPS.replace('"modules/communication/chat_relay/mcp/server.py"', '".claude/skills/chat_relay/SKILL.md"')
    score = one(kept(tmp_path, text), "score")
    assert ".claude/skills/chat_relay/SKILL.md" in score.input["details"]
