"""first_principles: each form of passage, each task kind, the exclusions, on hand-written text.

The texts below are written for these tests in the shapes the guide describes (a ModLog fix entry, a
bold-titled change with labelled bullets, an Issue | Root Cause | Fix table, a HoloDAE log with its
[QWEN-FIRST-PRINCIPLES] question, an options comparison, a lessons-learned list); none is copied
from a corpus.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import PACKS, corpus, gold_report, mine_text

from training_data_miner.skills.extractors import first_principles as fp
from training_data_miner.skills.filter_quality import filter_quality
from training_data_miner.skills.models import Example

SEP = "=" * 77


ANALYSE_KEYS = ("analyse", "analyse_cause", "analyse_lesson", "analyse_decision", "analyse_approach")  # the passage read whole, asked for what it gives
ANALYSE = {p for k in ANALYSE_KEYS for p in PACKS["first_principles"].instructions[k]}


def kept(tmp_path: Path, text: str, analyse: bool = False, as_read: bool = False) -> list[Example]:
    """The examples kept from `text`. Without `analyse`, as where no passage can be given whole (a span over
    MAX_PASSAGE): the item's reading shows in the tasks made of its problem, evidence, chain and decision.
    With `as_read`, a `reason` task is shown as the item was read, before what its input cannot support is
    moved to its evidence or left out (`_reasoned`)."""
    saved = fp.MAX_PASSAGE, fp.MAX_UNSUPPORTED
    fp.MAX_PASSAGE = fp.MAX_PASSAGE if analyse else 0
    fp.MAX_UNSUPPORTED = 10**6 if as_read else fp.MAX_UNSUPPORTED
    try:
        return filter_quality(mine_text(tmp_path, "first_principles", text)).kept
    finally:
        fp.MAX_PASSAGE, fp.MAX_UNSUPPORTED = saved


def kinds(examples: list[Example], analyse: bool = False) -> dict[str, Example]:
    """The examples by task kind (reason, fix, choose, rethink, decide; analyse when asked), read from the
    phrasing of their instruction."""
    phrasings = {p: "analyse" if kind in ANALYSE_KEYS else kind
                 for kind, ps in PACKS["first_principles"].instructions.items() for p in ps}
    out = {}
    for e in examples:
        kind = phrasings[e.instruction]
        if kind == "analyse" and not analyse:
            continue
        assert kind not in out, f"two {kind} examples: {[x.output for x in examples]}"
        out[kind] = e
    return out


def line_of(text: str, needle: str) -> int:
    return next(i for i, t in enumerate(text.split("\n"), 1) if needle in t)


MODLOG_FIX = """# Stream Sentinel ModLog

## [2025-11-02] Tab watcher no longer leaks browser handles

### Summary

Fixed startup behavior where the tab watcher kept one Chrome handle open per polling cycle.

### Root Cause

- `TabWatcher.poll()` opened a new `webdriver.Chrome` session on every cycle.
- The `finally` block called `disconnect()`, which only drops the Python reference.
- After 40 cycles the OS refused new handles and polling stopped.

### Evidence

```
ERROR - tab_watcher - OSError: too many open files
```

### Fix

Reuse one session per watcher and call `driver.quit()` in `TabWatcher.close()`.

### Files

| File | Change |
|------|--------|
| `src/tab_watcher.py` | Reuse one session, quit it in `close()` |
"""


def test_modlog_fix_entry_pairs_its_stated_cause_with_its_fix_and_keeps_its_evidence(tmp_path):
    ex = kinds(kept(tmp_path, MODLOG_FIX))
    # the cause is stated: the fix task; a chain would only restate the cause the input already gives
    assert set(ex) == {"fix"}
    fix = ex["fix"]
    # the problem comes from "Fixed X where Y": Y, without the fix the summary names
    assert fix.input["problem"] == "The tab watcher kept one Chrome handle open per polling cycle"
    # the log excerpt is evidence in the input; the cause is the text's, its steps joined without stray stops
    assert any("too many open files" in e for e in fix.input["evidence"])
    assert fix.input["root_cause"].startswith("`TabWatcher.poll()` opened a new `webdriver.Chrome` session")
    assert ".;" not in fix.input["root_cause"] and fix.input["root_cause"].count("; ") == 2
    assert fix.output["fix"].startswith("Reuse one session per watcher")
    # the task names its principle (a root cause was found): the output is the fix alone, labelled root_cause
    assert fix.label == "root_cause" and "principle" not in fix.output
    # read at the root-cause heading, whose line holds its evidence
    assert fix.line == line_of(MODLOG_FIX, "### Root Cause")
    assert fix.evidence in "### Root Cause"


LABELLED_ENTRIES = """## Session: Chat relay fixes

### What Changed

**1. Relay Dedup (Critical Bug Fix):**
- **Problem**: Every chat message was posted twice to the archive channel
- **Root Cause**: `relay.forward()` was subscribed to both `on_message` and `on_edit`
- **Solution**: Subscribed `relay.forward()` to `on_message` only
- **Result**: One archive post per message

**2. Quiet Hours:**
- **Problem**: Alerts woke the on-call engineer for informational events
- **Occam's Razor Insight**: Severity already exists on every event, so no new classifier is needed
- **Solution**: Drop events below WARNING between 23:00 and 07:00
"""


def test_labelled_blocks_are_entries_each_anchored_at_its_principle(tmp_path):
    exs = kept(tmp_path, LABELLED_ENTRIES, as_read=True)
    by_line = {}
    for e in exs:
        by_line.setdefault(e.line, []).append(e)
    assert sorted(by_line) == [line_of(LABELLED_ENTRIES, "**Root Cause**"),
                               line_of(LABELLED_ENTRIES, "Occam's Razor Insight")]
    dedup = kinds(by_line[line_of(LABELLED_ENTRIES, "**Root Cause**")])
    # a root cause stated without evidence is given, not guessed: the fix task only
    assert set(dedup) == {"fix"}
    assert dedup["fix"].input["problem"] == "Every chat message was posted twice to the archive channel"
    assert dedup["fix"].output["fix"] == "Subscribed `relay.forward()` to `on_message` only"
    quiet = kinds(by_line[line_of(LABELLED_ENTRIES, "Occam's Razor Insight")])["reason"]
    assert quiet.label == "occams_razor"
    assert quiet.input["problem"] == "Alerts woke the on-call engineer for informational events"
    assert quiet.output["reasoning_chain"] == [
        "Severity already exists on every event, so no new classifier is needed"]
    assert quiet.output["decision"] == "Drop events below WARNING between 23:00 and 07:00"
    # the result is not taken for the decision, and the next entry's problem is not this one's
    assert "One archive post" not in json.dumps([e.output for e in exs])


ROOT_CAUSE_TABLE = """### Summary of Fixes

| Issue | Root Cause | Fix | Impact |
|-------|------------|-----|--------|
| Slow first search | Index loaded eagerly at import | Load the index on first query | 9s to 1s |
| Duplicate alerts | Two schedulers started by the launcher | Start one scheduler per process | No repeats |
"""


def test_a_root_cause_table_gives_a_fix_example_per_row_at_the_row(tmp_path):
    exs = kept(tmp_path, ROOT_CAUSE_TABLE)
    assert [e.line for e in exs] == [line_of(ROOT_CAUSE_TABLE, "Slow first search"),
                                     line_of(ROOT_CAUSE_TABLE, "Duplicate alerts")]
    first = exs[0]
    assert first.input == {"problem": "Slow first search", "root_cause": "Index loaded eagerly at import"}
    assert first.output == {"fix": "Load the index on first query"}
    assert exs[1].output["fix"] == "Start one scheduler per process"
    assert all(e.quality.criteria["verifiable"] == 0.2 for e in exs)  # the row is the evidence


QWEN_LOG = """2025-11-03 09:00:01,100 - sentinel.dae - INFO - [BOT][AI] [QWEN-INIT] Starting rotation analysis
2025-11-03 09:00:01,101 - sentinel.dae - INFO - [BOT][AI] [QWEN-FIRST-PRINCIPLES] [U+2753] Is the cached stream still live?
2025-11-03 09:00:01,102 - sentinel.resolver - ERROR - [ERROR] Cache file is older than 6 hours
2025-11-03 09:00:01,103 - sentinel.dae - INFO - [BOT][AI] [QWEN-INFO] [FAIL] Cached stream expired - need full channel scan
2025-11-03 09:00:01,104 - sentinel.dae - INFO - [BOT][AI] [QWEN-GLOBAL] Global check decision: True - checking enabled
2025-11-03 09:00:01,105 - sentinel.dae - INFO - [BOT][AI] [QWEN-PRIORITIZE] Channel prioritization analysis
"""


def test_a_qwen_question_is_answered_by_the_log_records_after_it(tmp_path):
    [ex] = kept(tmp_path, QWEN_LOG)
    assert ex.line == 2 and ex.label == "first_principles"
    # the finding is what the log gives (evidence), then what it calls for; the global check logged after it
    # answers another question
    assert ex.input == {"problem": "Is the cached stream still live?",
                        "evidence": ["Cache file is older than 6 hours", "Cached stream expired"]}
    assert ex.output == {"decision": "Need full channel scan", "principle": "first_principles"}
    # no timestamps in the example: the same records logged again give the same example
    assert "09:00" not in json.dumps(ex.input) + json.dumps(ex.output)


def test_a_qwen_question_the_log_does_not_answer_makes_nothing(tmp_path):
    text = QWEN_LOG.split("\n")[1] + "\n2025-11-03 09:00:02,000 - sentinel.resolver - INFO - Rotating through 3 channels\n"
    assert mine_text(tmp_path, "first_principles", text) == []


OPTIONS = """## Occam's Razor Analysis

### Question: What's the SIMPLEST way to let the worker read the shared index?

**Option 1**: Pass the existing index client into the worker constructor
- **Complexity**: LOW
- **Impact**: HIGH

**Option 2**: Expose the index over a local HTTP service
- **Complexity**: MEDIUM
- **Impact**: HIGH

**Option 3**: Copy the index into the worker at startup
- **Complexity**: HIGH
- **Impact**: MEDIUM

**Occam's Decision**: **Option 1** - Simplest, and the client already exists
"""


def test_an_options_comparison_is_an_occams_razor_choice(tmp_path):
    ex = kinds(kept(tmp_path, OPTIONS))
    assert set(ex) == {"choose"}  # the options are the whole argument: the choice task
    choose = ex["choose"]
    # read at the block that names the analysis
    assert choose.label == "occams_razor" and choose.line == line_of(OPTIONS, "## Occam's Razor Analysis")
    assert choose.input["problem"] == "What's the SIMPLEST way to let the worker read the shared index?"
    assert len(choose.input["options"]) == 3
    assert choose.input["options"][0].startswith("Option 1: Pass the existing index client")
    assert "Complexity: LOW" in choose.input["options"][0]
    assert choose.output["choice"] == "Option 1: Pass the existing index client into the worker constructor"
    assert choose.output["rejected"] == ["Option 2: Expose the index over a local HTTP service",
                                         "Option 3: Copy the index into the worker at startup"]
    # the decision's own words beyond the choice (not the option it names again) are its reason
    assert choose.output["reason"] == "Simplest, and the client already exists"
    # where those words say what the choice comes to, not why, they are given as its decision, not as a reason
    how = OPTIONS.replace("Simplest, and the client already exists", "Add an index parameter (40 lines total)")
    out = kinds(kept(tmp_path, how))["choose"].output
    assert out["decision"] == "Add an index parameter (40 lines total)" and "reason" not in out


ISSUE_SECTIONS = """# Daemon Audit

## Issue 1: Exporter NOT Starting

### Problem Detected
```
[DEPS] exporter (port 9100): not running
```

**Impact:** Dashboards stay empty after every reboot

### Root Cause Analysis
1. The launcher HAS a `start_exporter()` step
2. But EXPORTER_BIN was NOT set, so the default path was used
3. The default path does not exist on this host

### Occam's Razor Solution
**Simplest Fix:** Set EXPORTER_BIN in `.env`

**Why This Works:**
- The launcher logic is already complete
- Only the path was missing

## Issue 2: Log Noise
"""


def test_a_root_cause_analysis_then_an_occam_solution_is_one_root_cause_item(tmp_path):
    ex = kinds(kept(tmp_path, ISSUE_SECTIONS))
    assert set(ex) == {"fix"}
    fix = ex["fix"]
    assert fix.label == "root_cause" and fix.line == line_of(ISSUE_SECTIONS, "### Root Cause Analysis")
    assert fix.input["problem"] == "Exporter NOT Starting"
    assert "EXPORTER_BIN was NOT set" in fix.input["root_cause"]
    assert any("not running" in e for e in fix.input["evidence"])
    assert any("Dashboards stay empty" in e for e in fix.input["evidence"])
    # the solution's simplest fix, not the heading over it nor the "Why This Works" said after it
    assert fix.output["fix"] == "Set EXPORTER_BIN in `.env`"


LESSONS = """## Lessons Learned

### 1. Occam's Razor > Feature Creep

**Anti-Pattern:**
- Build a full retry scheduler with backoff tiers

**Occam's Razor:**
- The failures only happen when the token is stale
- **Solution:** Refresh the token before the call

### 2. Read-Only > Rewriting

**Anti-Pattern:**
- Importer is slow -> Rewrite it in Rust

**First Principles:**
- Is the importer CPU-bound? -> No, it waits on one unindexed query
- What's missing? -> An index
"""


def test_an_anti_pattern_is_the_approach_to_rethink(tmp_path):
    exs = kept(tmp_path, LESSONS)
    first = kinds([e for e in exs if e.line == line_of(LESSONS, "**Occam's Razor:**")])["rethink"]
    assert first.label == "occams_razor"
    # the approach is put as it is, without the "Anti-Pattern:" label that would give the verdict away
    assert first.input == {"approach": "Build a full retry scheduler with backoff tiers"}
    assert first.output["reasoning_chain"] == ["The failures only happen when the token is stale"]
    assert first.output["decision"] == "Refresh the token before the call"
    # the second lesson states no decision: it makes nothing rather than invent one
    assert not [e for e in exs if e.line >= line_of(LESSONS, "### 2. Read-Only")]


FIX_TWO = """## V031: Upload worker stalls

- **Problem**: Uploads stop after the first large file
- **Root Cause**: `UploadWorker.send()` never releases `chunk_lock` when a chunk times out
- **Fix 1**: Restart the worker every hour
- **Fix 2 (applied)**: Release `chunk_lock` in a `finally` block in `UploadWorker.send()`
"""


def test_the_fix_paired_with_the_cause_is_the_one_the_text_applies(tmp_path):
    fix = kinds(kept(tmp_path, FIX_TWO))["fix"]
    assert fix.output["fix"] == "Release `chunk_lock` in a `finally` block in `UploadWorker.send()`"
    assert "Restart the worker" not in fix.output["fix"]


def test_of_numbered_fixes_the_one_naming_the_causes_code_element_wins(tmp_path):
    text = FIX_TWO.replace("**Fix 2 (applied)**", "**Fix 2**")
    fix = kinds(kept(tmp_path, text))["fix"]
    assert "chunk_lock" in fix.output["fix"]


METADATA = """## [2025-11-04] Cleanup pass

### Root Cause Analysis
- Old fixtures were never deleted after the migration

**Status**: COMPLETE
**Date**: 2025-11-04
**WSP Protocol**: WSP 22, WSP 50 (Occam's razor)
"""


@pytest.mark.parametrize("text, why", [
    (METADATA, "metadata (Status, Date, WSP Protocol) is never the decision"),
    ("## Notes\n\n**WSP References**: WSP 00 (Occam's Razor), WSP 22 (ModLog)\n", "a citation reasons about nothing"),
    ("### Phase 5: First Principles Analyzer\n\n- Challenge assumptions\n- Re-architect modules\n",
     "a heading alone is no problem"),
    ("**Evaluate retrieval quality (first principles)**:\n- **Noise**: unused results => tighten the filter\n",
     "a procedure step instructs, it does not reason"),
    ("-12-24 - CRITICAL FIXES\n\n**Occam's Razor**: what is the simplest fix?\n",
     "a question is not a decision and a cut date is not a problem"),
    ("Method: Deep Think -> HoloIndex -> Occam's Razor -> Execute\n", "a method named in a chain is a citation"),
])
def test_exclusions(tmp_path, text, why):
    assert kept(tmp_path, text) == [], why


def test_a_pasted_copy_gives_byte_identical_examples_that_the_filter_drops(tmp_path):
    text = f"{SEP}\n{MODLOG_FIX}{SEP}\n{MODLOG_FIX}"
    made = mine_text(tmp_path, "first_principles", text)
    assert len(made) == 2
    first, second = made[:1], made[1:]
    for a, b in zip(first, second):
        assert (a.instruction, a.input, a.output) == (b.instruction, b.input, b.output)
        assert a.line != b.line
    result = filter_quality(made)
    assert [e.example_id for e in result.kept] == [e.example_id for e in first]
    assert {r.reasons[0].split(" (")[0] for r in result.rejected} == {"Duplicate pattern"}


def test_one_problem_with_its_evidence_gives_one_answer(tmp_path):
    # two analyses of one problem in one document: one input, so one example, not two answers to it
    text = MODLOG_FIX + "\n### Root Cause (second look)\n\n- The `finally` block called `disconnect()` only\n"
    exs = kept(tmp_path, text)
    problems = [e.input["problem"] for e in exs]
    assert problems == ["The tab watcher kept one Chrome handle open per polling cycle"]


def test_findings_are_evidence_and_the_chain_is_the_inference(tmp_path):
    text = """### Problem
- The sync job has an `export` step but no `prune` step

### Solution - First Principles Analysis
**Researched the existing code first**:
- Found `PruneCoordinator` ALREADY EXISTS in the maintenance module
- Reusing it keeps one place that deletes data
- Decision: Wire `prune` to `PruneCoordinator` instead of writing a new script
"""
    reason = kinds(kept(tmp_path, text))["reason"]
    assert reason.input["evidence"] == ["Found `PruneCoordinator` ALREADY EXISTS in the maintenance module"]
    assert "Reusing it keeps one place that deletes data" in reason.output["reasoning_chain"]
    assert reason.output["decision"] == "Wire `prune` to `PruneCoordinator` instead of writing a new script"
    assert reason.label == "first_principles"


def test_a_rule_the_entry_draws_is_kept_as_its_lesson(tmp_path):
    text = """## V040: Created report_v2.py instead of extending report.py
- **WSP Violations**:
  - **WSP 84**: Created a new file instead of enhancing the existing one
- **Root Cause**:
  - Assumed a separate version was needed
  - Did not search for the existing module
- **Resolution**:
  - Merged the changes into report.py
- **Learning**: **NEVER create *_v2 files - ALWAYS enhance the existing module**
"""
    ex = kinds(kept(tmp_path, text))
    # the instruction asks for the lesson too: the output gives it
    assert ex["fix_lesson"].instruction in PACKS["first_principles"].instructions["fix_lesson"]
    assert ex["fix_lesson"].output["lesson"] == "NEVER create *_v2 files - ALWAYS enhance the existing module"
    assert ex["fix_lesson"].output["fix"] == "Merged the changes into report.py"
    assert ex["fix_lesson"].input["problem"] == "Created report_v2.py instead of extending report.py"


def test_every_task_kind_has_three_phrasings_and_each_example_uses_one():
    pack = PACKS["first_principles"]
    for kind in ("reason", "fix", "relocate", "learn", "choose", "rethink", "decide", *ANALYSE_KEYS):
        assert isinstance(pack.instructions[kind], list) and len(pack.instructions[kind]) >= 3, kind


def test_instructions_are_chosen_from_the_phrasings(tmp_path):
    pack = PACKS["first_principles"]
    every = {p for v in pack.instructions.values() for p in v}
    for text in (MODLOG_FIX, ROOT_CAUSE_TABLE, OPTIONS, QWEN_LOG, LESSONS):
        for e in kept(tmp_path, text):
            assert e.instruction in every


@pytest.mark.corpus
def test_dev_corpus_meets_the_gold_targets(tmp_path):
    """On 012_dev.txt, by ../shared/gold/score.py (a real run): precision and label accuracy >=
    0.95, recall >= 0.90, at least 50 examples; every kept example rests on its line."""
    from helpers import corpus_kept

    from training_data_miner.server.orchestrator import Orchestrator, Settings

    assert len(corpus_kept("first_principles")) >= 50
    Orchestrator(Settings(data_dir=tmp_path)).mine(corpus(), ["first_principles"])
    report = gold_report(tmp_path / "training_datasets", "first_principles")
    assert report["examples"] >= 50
    assert report["precision"] >= 0.95 and report["recall"] >= 0.90 and report["label_accuracy"] >= 0.95, report


# -- the blind read's failure modes, each on a hand-written passage of its kind ----------------------


DECIDE = """## Issue 4: Cache NOT Warming

### Problem Detected
```
[CACHE] warmup skipped: manifest.json missing
```

**Impact:** First requests after deploy take 9 seconds

### Occam's Razor Solution
**Simplest Fix:** Generate manifest.json in the build step so warmup always finds it.

**Why This Works:**
- This enables warmup on every deploy without a new service
"""


def test_a_problem_and_its_decision_with_no_step_between_is_the_decide_task(tmp_path):
    ex = kinds(kept(tmp_path, DECIDE))
    assert set(ex) == {"decide"}
    decide = ex["decide"]
    assert decide.label == "occams_razor" == decide.output["principle"]
    assert decide.output["decision"] == "Generate manifest.json in the build step so warmup always finds it."
    assert any("manifest.json missing" in e for e in decide.input["evidence"])
    # what the fix is said to bring ("This enables ...") is no reasoning step towards it
    assert "reasoning_chain" not in decide.output


WORKED = """### What Was the Problem?
**Duplication**: The list view and the grid view each render the same 6 filters with ~80 duplicated lines.

### What's the Simplest Solution? (Occam's Razor)
Extract the filters into one component that takes the view as a parameter.

### Does It Work?
YES - Build succeeds and both views render the filters

## First Principles Analysis
See above.
"""


def test_how_a_decision_turned_out_is_neither_a_step_nor_evidence(tmp_path):
    for e in kept(tmp_path, WORKED):
        said = json.dumps([e.input, e.output])
        assert "Build succeeds" not in said, e


PLAN = """## V050: LOOSE SCRIPT IN PROJECT ROOT
- **Type**: **ROOT DIRECTORY VIOLATION** - Script folder placed in project root

#### VIOLATION DETAILS
**Root Directory Script**:
- `tools/` folder containing `sync_feeds.py`

#### ROOT CAUSE ANALYSIS
- **Architectural Error**: Script placed in root instead of its module
- **Domain Classification**: The script belongs to the feeds infrastructure

#### CORRECTION PLAN
**Step 1: Move File** COMPLETED
```bash
mkdir -p modules/infrastructure/feeds/scripts/
mv tools/sync_feeds.py modules/infrastructure/feeds/scripts/
```

#### RESOLUTION EXECUTED
- Files moved to proper module locations
- Test files relocated to module test directories
"""


def test_the_commands_of_a_correction_plan_are_the_fix_not_the_summary_after_them(tmp_path):
    fix = kinds(kept(tmp_path, PLAN))["fix"]
    assert fix.output["fix"] == "Move `tools/sync_feeds.py` to `modules/infrastructure/feeds/scripts/`"
    # the command itself is not evidence: it would give the answer away
    assert not any("mkdir" in e or "mv " in e for e in fix.input.get("evidence", []))


TWO_CAUSES = """**3. Live priority:**
- **Problem**: Comments go to the scheduled stream, not the one that is live
- **Root Cause 1**: `next_channel()` rotates round-robin, ignoring which channel is live
- **Root Cause 2**: Navigation uses the `/live` URL, which redirects to the scheduled stream
- **Solution (Priority Mode)**:
  - **Priority**: When a stream is live, process that channel first
  - **Navigation Fix**: Open `watch?v={video_id}` instead of `/live`
"""


def test_numbered_root_causes_are_one_list_that_the_fix_answers(tmp_path):
    fixes = [e for e in kept(tmp_path, TWO_CAUSES) if "fix" in e.output]
    assert len(fixes) == 1
    cause = fixes[0].input["root_cause"]
    assert "round-robin" in cause and "redirects to the scheduled stream" in cause
    assert "watch?v={video_id}" in fixes[0].output["fix"]


VERDICT_IN_OPTION = """## Occam's Razor Assessment

**Question**: What is the simplest way to split the 1,400-line `cli.py`?

**Option A**: Keep one file with 1,400 lines

**Option B**: Four modules of ~350 lines each; Complexity Ratio: 4:1 (the current file is 4x more complex than needed)

**Occam's Decision**: **Option B** - Four modules of ~350 lines each
"""


def test_an_option_is_put_without_its_own_verdict(tmp_path):
    choose = kinds(kept(tmp_path, VERDICT_IN_OPTION))["choose"]
    options = " ".join(choose.input["options"])
    assert "Complexity Ratio" not in options and "more complex than" not in options
    assert choose.output["choice"].startswith("Option B")


DEFAULT_MODE = """### Execution modes
- [x] First-principles analysis: a blocking driver call needs process isolation

**Architecture Rationale:**
The driver call is synchronous and blocks the event loop. A timeout cannot interrupt it. Only ending the process frees the browser.

**Execution Modes:**
- subprocess (default): hard kill switch and crash isolation
- thread: fast startup, acceptable risk
"""


def test_modes_kept_beside_a_default_are_not_rejected(tmp_path):
    for e in kept(tmp_path, DEFAULT_MODE):
        assert "rejected" not in e.output, e.output


CODE_CHANGES = """### Phase 1: Core Fixes
**Problem**: The push daemon blocked every push (3/6 checks failed)

**Root Causes**:
- The quality threshold 0.9 is unreachable (wrong)
- Night hours 21:00-07:00 blocked (wrong)

**Solutions Applied**:
```python
# 1. Quality: 0.9 -> 0.6 (line 212)
"quality": score >= 0.6

# 2. Time: 21:00-07:00 -> 01:00-06:00 (line 340)
return not (1 <= hour <= 6)
```
"""


def test_numbered_comments_over_code_changes_are_the_fix(tmp_path):
    fix = kinds(kept(tmp_path, CODE_CHANGES))["fix"]
    assert fix.output["fix"] == "Quality: 0.9 -> 0.6; Time: 21:00-07:00 -> 01:00-06:00"


def test_escapes_status_marks_and_generic_labels_are_not_content(tmp_path):
    text = """## V060: Stale reports in project root
- **Description**: Report files left in project root after the audit
- **Files**:
  - `audit_a.md` (removed)
  - `audit_b.md` (removed)
- **Root Cause**: Reports were written to the working directory instead of `docs/reports/`
- **Resolution**:
  - Action: Moved both reports to `docs/reports/` when coverage [GREATER_EQUAL] 80%
"""
    fix = kinds(kept(tmp_path, text))["fix"]
    said = json.dumps([fix.input, fix.output], ensure_ascii=False)
    assert "(removed)" not in said and "[GREATER_EQUAL]" not in said and "\u2265 80%" in said
    assert not fix.output["fix"].startswith("Action:")


def test_evidence_never_states_the_solution_and_a_wrapped_sentence_stays_whole(tmp_path):
    text = """## Summary
**Problem**: Workers picked tasks WITHOUT reading the task index, working "blind".
**Solution**: Implemented the fix that passes IndexClient to the TaskPlanner.

## Analysis
The worker log showed `fetch_tasks()` returning stale entries which fails
because the cache never expires while the worker runs.

**Occam's Razor Decision**: Pass IndexClient to the TaskPlanner (LOW complexity, HIGH impact)
"""
    exs = kept(tmp_path, text, as_read=True)
    assert exs
    for e in exs:
        evidence = e.input.get("evidence", [])
        assert not any(x.startswith("Solution") for x in evidence), evidence
        assert not any(x[:1].islower() for x in evidence), evidence


def test_the_parts_of_a_decision_and_what_it_brings_are_not_its_reasons(tmp_path):
    text = """### Refactoring
**Impact Analysis**: Transforms a monolithic 600-line parser into focused modules

#### Architecture Refactoring (First Principles)
- **Separation of Concerns**: Split the parser into 3 focused modules
  - `lexer.py`: Tokens (120 lines)
  - `grammar.py`: Rules (200 lines)
- **File Size Reduction**: 600 lines -> 200 lines in the main file
- **Testability**: Focused modules enable precise unit tests
"""
    exs = kept(tmp_path, text)
    assert [e.output["decision"] for e in exs] == ["Separation of Concerns: Split the parser into 3 focused modules"]
    for e in exs:
        said = json.dumps(e.output)
        assert "lexer.py" not in said and "File Size Reduction" not in said and "Testability" not in said, said


def test_a_summary_row_that_only_names_its_issue_takes_the_title_of_the_section_that_told_it(tmp_path):
    text = """# Launcher Audit

## Issue 1: Exporter NOT Starting After Reboot

Dashboards stay empty.

## Summary of Fixes

| Issue | Root Cause | Fix | Impact |
|-------|------------|-----|--------|
| **Exporter** | EXPORTER_BIN unset in .env | Set EXPORTER_BIN in .env | Dashboards fill |
| **Log noise** | Debug level left on in production | Set level to WARNING | Quiet logs |
"""
    exs = kept(tmp_path, text)
    assert [e.input["problem"] for e in exs] == ["Exporter NOT Starting After Reboot", "Log noise"]
    # "Summary of Fixes" says a fix follows and nothing more: it is not evidence
    assert all("evidence" not in e.input for e in exs)


def test_captioned_lists_of_what_was_done_are_the_decision_not_its_reasons(tmp_path):
    text = """### Problem - Bloated Guide
- GUIDE.md had become 600+ lines with excessive detail
- START.md is the first document to read - GUIDE.md should point to it

### Solution - Occam's Razor Applied to Documentation
**Applied first principles to GUIDE.md itself**:

**Root GUIDE.md** (200 lines, was 600+):
- START.md link at top
- 5-step checklist

**docs/GUIDE.md** (90 lines, was 400):
- START.md link at top
- Glossary of terms
"""
    ex = kinds(kept(tmp_path, text))
    assert set(ex) == {"decide"}
    assert ex["decide"].output["decision"].startswith("Applied first principles to GUIDE.md itself")
    assert any("should point to it" in e for e in ex["decide"].input["evidence"])
    # each caption keeps its own list: the decision says what each file now holds
    assert "Root GUIDE.md (200 lines, was 600+): START.md link at top, 5-step checklist; docs/GUIDE.md" \
        in ex["decide"].output["decision"]
    assert "more)" not in ex["decide"].output["decision"]


def test_a_lead_in_decision_takes_the_list_it_introduces(tmp_path):
    text = """### 1. **Giant Handler** (Critical)

**Pattern**: One function handles every request

**Impact**:
- Cannot test parsing without the network layer
- Every change touches the whole handler

**Occam's Razor**: Split into:
- `parse_request()` → Input validation
- `route()` → Dispatch to the right service
- `render()` → Response formatting

### 2. **Config sprawl** (High)
"""
    ex = kinds(kept(tmp_path, text))
    assert set(ex) == {"decide"}, ex
    out, inp = ex["decide"].output, ex["decide"].input
    assert out["decision"] == ("Split into: `parse_request()` → Input validation; `route()` → Dispatch to the right "
                               "service; `render()` → Response formatting")
    # the parts of the split are the decision: neither reasons nor evidence
    assert not any("route()" in e for e in inp.get("evidence", [])), inp
    assert any("Cannot test parsing" in e for e in inp["evidence"])


def test_a_fix_that_adds_a_section_says_what_the_section_holds(tmp_path):
    text = """## Protocol 12 violation: new protocol created without the index

### **Violation Details**
- **Action**: Attempted to create a new protocol without reading the protocol index
- **Existing Protocol**: Protocol 40 already covered release gating

### **Root Cause Analysis**
1. **Skipped the index**: Did not read the catalog before writing
2. **Ignored protocol 40**: It already covered the same purpose

### **Resolution Implemented**
**Enhanced protocol 12: Creation Guard** with new section:

#### **12.4. Creation Check**
- **Index Lookup**: Read the catalog before any new protocol
- **Decision Matrix**: Extend versus create guidance

### **System Enhancement**
Nothing else.
"""
    ex = kinds(kept(tmp_path, text))
    assert ex["fix"].output["fix"] == ("Enhanced protocol 12: Creation Guard with new section: 12.4. Creation Check "
                                       "(Index Lookup: Read the catalog before any new protocol; Decision Matrix: "
                                       "Extend versus create guidance)")


def test_before_and_after_measures_are_a_result_not_a_decision(tmp_path):
    text = """## Phase 2: Empty inbox detection

**Principle**: Index entry missing = inbox empty (ground truth, no rescan needed)

### Performance Metric

**Before (two-pass scan)**:
- Index lookup: 5ms
- Full-text rescan: 20-40s
- **Total**: 20-40s per "empty inbox" check

**After (Occam's Razor)**:
- Index lookup only: 5ms
- **Total**: 5ms per check
- **Speedup**: 4000-8000x faster

---

## Phase 3: Next
"""
    # the state reached, beside the state before, is what the change gained: a result, not a decision stated
    # (GUIDE.md), even with the principle the section states
    assert kept(tmp_path, text) == []


def test_what_a_change_achieved_or_hopes_for_is_not_a_reason_for_it(tmp_path):
    text = """## 2025-10-10 - Search index now covers the handbook

### Problem
The team found the `handbook/` folder was NOT indexed by the search tool. Agents could not find the design notes.

### What Changed

#### 1. Index configuration (search/paths.py)
Added the `handbook/` folder to both search contexts.
```python
paths = [Path("handbook"), Path("src")]
```

### Why This Matters (First Principles)

**Index as Memory Principle:**
- The search index is the agents' only memory of the repository
- What is not indexed does not exist for an agent

**Reuse Success:**
- Researched the existing indexer FIRST

**Federation Vision:**
- Shared indexes make every team faster

### References
- none
"""
    ex = kinds(kept(tmp_path, text))
    # argued after the change, "Why This Matters" gives no evidence for it, and its success and vision are no steps
    # towards it; the principle it names is what the change follows from
    assert set(ex) == {"reason"}, ex
    assert ex["reason"].input == {"problem": "The team found the `handbook/` folder was NOT indexed by the search tool. "
                                             "Agents could not find the design notes."}
    assert ex["reason"].output["reasoning_chain"] == ["The search index is the agents' only memory of the repository",
                                                      "What is not indexed does not exist for an agent"]
    assert ex["reason"].output["decision"] == "Added the `handbook/` folder to both search contexts."


def test_a_question_answered_only_by_an_after_state_states_no_decision(tmp_path):
    text = """## Key Insights

### 1. First Principles Question
**"Who reads this report, and what do they need to act on it?"**

This single question turned status summaries into task lists:
- Before: "all 4 milestones done (100%)"
- After: File paths + owners + the command to run + how to verify

### 2. Another insight
Plain text.
"""
    # the question is answered by the state after: what came of it, not a decision reasoned to
    assert kept(tmp_path, text) == []


def test_worked_examples_of_a_method_are_items_each_with_its_question(tmp_path):
    text = """## Worked examples

**Checker Example**: "Is this log line a genuine bug?"
1. Deep Think: Regex matches the encoding error pattern
2. Occam's Razor: SIMPLEST explanation = console encoding bug
3. Decision: YES (confidence 0.9) → Add to detected bugs

**Fixer Example**: "How should we fix this bug?"
1. Deep Think: Analyze bug pattern + service context
2. Research: Search for similar fixes in history
3. Occam's Razor: SIMPLEST solution = auto-fix (complexity=1)
4. Decision: auto_fix → Apply encoding patch

---
"""
    # each applies the method's steps to its question (GUIDE: a passage that applies Occam's razor): one item each,
    # its passage ending before the next example's question
    checker, fixer = kept(tmp_path, text, analyse=True)
    assert checker.output == {"problem": "Is this log line a genuine bug?",
                              "reasoning_chain": ["Deep Think: Regex matches the encoding error pattern",
                                                  "SIMPLEST explanation = console encoding bug"],
                              "decision": "YES (confidence 0.9) → Add to detected bugs", "principle": "occams_razor"}
    assert "Fixer Example" not in checker.input["passage"]
    assert fixer.output["problem"] == "How should we fix this bug?"
    assert fixer.output["decision"] == "auto_fix → Apply encoding patch"


def test_a_summary_row_carries_what_the_section_that_told_it_said_the_issue_costs(tmp_path):
    text = """# Launcher Audit

## Issue 3: Multiple Instance UX

### Problem Detected
Found 3 instances running: PID 101, PID 202, PID 303

**Impact:** User must kill each process by hand, then relaunch

## Issue 4: Token Refresh (Documented, Not Automated)

**Impact:** Tokens expire every 7 days and need a manual refresh

## Summary of Fixes

| Issue | Root Cause | Solution | Impact |
|-------|-----------|----------|--------|
| **Multiple PIDs** | Manual kill required | Interactive y/n prompt | 1 keypress |
| **Tokens** | Provider security design | Document the refresh steps | Clarity |

### Startup Fixes

| Issue | Root Cause | Fix | Impact |
|-------|-----------|-----|--------|
| Slow startup block | Index loaded eagerly at import | Lazy loading on first search | 2s startup |
"""
    exs = {e.output["fix"]: e.input for e in kept(tmp_path, text)}
    # the told title names the issue; what it costs states it
    assert exs["Interactive y/n prompt"] == {"problem": "Multiple Instance UX: User must kill each process by hand, then "
                                                        "relaunch", "root_cause": "Manual kill required"}
    # the told title's parenthesis says how it ended: not part of the problem
    assert exs["Document the refresh steps"]["problem"] == "Token Refresh: Tokens expire every 7 days and need a manual refresh"
    # the table's own section did not tell its rows' issues
    assert exs["Lazy loading on first search"] == {"problem": "Slow startup block",
                                                   "root_cause": "Index loaded eagerly at import"}


def test_an_option_sketched_in_code_is_named_by_its_comment_without_the_comment_mark(tmp_path):
    text = """## Form handlers - Acceptable Trade-off

### Rules of Hooks Limitation:

**Cannot Do This**:
```typescript
// VIOLATES HOOK RULES (hooks must be called unconditionally)
if (extraEnabled) { const press = useLongPress({...}); }
```

### First Principles Analysis:

**Performance Impact**:
- 4 hook initializations: ~0.4ms (negligible)
- Total overhead: **<1ms**

**Alternative Solution (Component Split)**:
```typescript
// Split into BasicForm and ExtraForm
if (extraEnabled) return <ExtraForm {...props} />;
```

**Complexity Cost**:
- Create 2 new components: ~300 lines each
- **Not worth it for <1ms savings**

### Occam's Razor Decision:
**Accept the minimal overhead** - Simpler code is more valuable than micro-optimizations.

---
"""
    ex = kinds(kept(tmp_path, text, as_read=True))
    assert ex["reason"].output["rejected"] == ["Alternative Solution (Component Split): Split into BasicForm and ExtraForm"]
    # the comment's verdict in capitals is said by its reason, without the caption over the code
    assert ex["reason"].input["problem"] == "Rules of Hooks Limitation: hooks must be called unconditionally"


def test_a_solution_titled_by_its_heading_names_the_parts_its_after_diagram_shows(tmp_path):
    text = """# Log

## [2025-09-28] - MAJOR: Report builder refactoring complete

#### **Problem Solved**
- **Violation**: `reports/builder.py` (1,200 lines) violating the module size rule
- **Root Cause**: Wrong orchestration (the CLI trying to orchestrate vs a planner-first flow)
- **Impact**: Single point of failure, hard to maintain

#### **Solution Implemented: Planner-First Architecture**

##### **BEFORE: Monolithic (Wrong Architecture)**
```
[FAIL] builder.py (1,200 lines)
    v Wrong: CLI trying to orchestrate
```

##### **AFTER: Modular (Correct Architecture)**
```
[OK] ReportPlanner (Primary Orchestrator)
    v Plans sections, orders them
[OK] SectionRenderer (Rendering)
    v Renders one section
```

#### **Files**
- none
"""
    ex = kinds(kept(tmp_path, text))
    assert ex["fix"].output["fix"] == ("Planner-First Architecture: ReportPlanner (Primary Orchestrator); "
                                       "SectionRenderer (Rendering)")


VIOLATION_WITH_PREVENTION = """# Sentinel WSP Violations

## V031: Scratch scripts in the project root

- **Description**: Scratch scripts placed in the project root

#### ROOT CAUSE ANALYSIS
- **Agent Error**: Wrote scratch scripts straight into the root while debugging the poller
- **Process Failure**: Did not search the navigation index before writing new code

#### RESOLUTION STATUS
- **Files Removed**: All 3 scratch scripts deleted from the root

#### PREVENTION MEASURES
- **Search the navigation index first** before creating any file
- **Scratch scripts belong in the module's `scripts/` folder**, not the root
- **Violation Consequences**: Immediate block and a note in the log
- **Run the root check** after creating files
"""


def test_a_root_cause_fix_is_the_cleanup_and_the_prevention_that_answers_the_cause(tmp_path):
    fix = kinds(kept(tmp_path, VIOLATION_WITH_PREVENTION))["fix"]
    assert fix.input["problem"] == "Scratch scripts placed in the project root"
    # the cleanup answers the symptom; the prevention measures after it answer the cause: the fix is both, whole
    assert fix.output["fix"].startswith("Files Removed: All 3 scratch scripts deleted from the root; Prevention measures: ")
    assert fix.output["fix"].endswith("Run the root check after creating files")
    # every measure, though one is labelled like a problem ("**Violation Consequences**")
    assert "; Violation Consequences: Immediate block and a note in the log; " in fix.output["fix"]


CHANGE_AND_PROBLEM_SOLVED = """# Relay ModLog

## [2025-12-01] Split relay browsers

### What Changed

**Phase 2 - Dual Browser Relay:**
- **Separate browser profiles** for conflicting relays:
  - Profile A: moderation inbox relay (inbox pages)
  - Profile B: live chat relay (chat popout)
- **First Principles Solution**: One browser per relay over shared tab switching
- **Future-proof**: Chat relay can stay connected while the inbox relay runs

### Problem Solved
1. The inbox relay navigating away made the live chat relay lose its chat popout
2. Inbox backlog grew on quiet days
"""


def test_a_change_listed_under_what_changed_is_not_the_problem_the_problem_solved_item_is(tmp_path):
    [ex] = kept(tmp_path, CHANGE_AND_PROBLEM_SOLVED)
    # "Separate browser profiles" is the change (the answer); the entry's "Problem Solved" item it answers is the problem
    assert ex.input == {"problem": "The inbox relay navigating away made the live chat relay lose its chat popout"}
    assert ex.output["decision"] == "One browser per relay over shared tab switching"
    assert "Profile" not in json.dumps(ex.input)


OPTIONS_LONG = """# Poller Review

### Should the poller keep a daemon mode?

**Arguments FOR:**
- Flags already documented
- Users may expect background polling
- Could refresh the cache on change

**Arguments AGAINST:**
- No use case defined
- On-demand calls work fine
- Adds PID management
- Architecture not built for it
- No protocol asks for it
- Doubles the test matrix
- Hides failures in the background

**First Principles:**
- The poller is a query tool, not a monitor
- Background monitoring is the sentinel's job

**RECOMMENDATION:**
**Remove the daemon flags.** Document on-demand use in the interface notes.
"""


def test_a_list_in_the_input_is_given_whole_or_counted(tmp_path):
    [ex] = kept(tmp_path, OPTIONS_LONG)
    against = next(e for e in ex.input["evidence"] if e.startswith("Arguments AGAINST"))
    assert "No use case defined" in against and against.endswith("(and 1 more)")
    assert "Hides failures" not in against


def test_a_change_with_no_problem_stated_for_it_makes_nothing(tmp_path):
    # without the "Problem Solved" list the change's own line would be the problem: the answer in the input
    assert kept(tmp_path, CHANGE_AND_PROBLEM_SOLVED.split("### Problem Solved")[0]) == []


APPROACH_AND_PHASE = """# Sync Agent Repair - Summary

## Approach
1. **Used the code index** (not grep) to find the gate
2. **Applied Occam's Razor**: Fixed the broken gate before adding features
3. **Added the planner**: after the core fix was validated

## Implementation

### Phase 1: Core Fixes (Occam's Razor)
**Problem**: The sync agent refused every upload (3/5 checks failed)

**Root Causes**:
- "stale" cache treated as corrupt (wrong)
- Night window (21:00) blocked (wrong)

**Solutions Applied**:
- Accept "stale" as healthy
- Block only 03:00-05:00
"""


def test_the_rule_an_entry_applies_in_a_part_named_for_it_is_the_fix_lesson(tmp_path):
    fix = kinds(kept(tmp_path, APPROACH_AND_PHASE))["fix_lesson"]
    assert fix.output["fix"] == 'Accept "stale" as healthy; Block only 03:00-05:00'
    # "### Phase 1: Core Fixes (Occam's Razor)" applies what "**Applied Occam's Razor**: ..." states: its lesson
    assert fix.output["lesson"] == "Fixed the broken gate before adding features"


def test_a_learning_that_only_names_what_replaced_what_is_no_problem(tmp_path):
    text = """## Patterns

### Pattern 1: Occam's Razor = Speed

**Learning**: Index lookup (5ms) replaced full rescan (2-4s) = 500x speedup

**Application**: Always use the simplest source of truth (the index)
"""
    # "full rescan (2-4s)" cut from the learning line is a fragment, not a problem to reason from
    assert kept(tmp_path, text) == []


def test_a_deferred_sprint_is_its_tasks_and_the_fact_found_against_it_is_evidence(tmp_path):
    text = """# Voice Relay Roadmap

## Sprint 2 - Command Routing (COMPLETE - 2026-01-03)
- [x] Route transcripts through the chat router

## Sprint 3 - Intent Dispatch (DEFERRED)
Occam's Razor: The chat router already handles commands. Defer until intents exist.
- [ ] Map spoken text to intents (rule-based)
- [ ] Emit no_match for unknown text

## Sprint 4 - Soak (COMPLETE - 2026-01-04)
- [x] Run for 24 hours
"""
    [ex] = kept(tmp_path, text)
    # the sprint is what its tasks would build; the fact found ("already handles") is what the decision rests on
    assert ex.input == {"problem": "Sprint 3 - Intent Dispatch: Map spoken text to intents (rule-based); "
                                   "Emit no_match for unknown text",
                        "evidence": ["The chat router already handles commands."]}
    assert ex.output == {"decision": "Defer until intents exist", "principle": "occams_razor"}


def test_a_step_citing_a_protocol_by_name_is_a_step_not_metadata(tmp_path):
    text = """## 2025-10-01 - Relay gets its own tool server

### Why

User directive: "can the relay team use the local agents, or does the relay need its own tool server?"

**First Principles Analysis**:
- **Occam's Razor**: Simplest solution is a dedicated tool server with local agents
- **Specialized Tools**: Relay work needs its own capture and replay tools
- **WSP 77 Coordination**: Local agents provide cheap, specialized research
- **Real-time Integration**: A tool server gives direct tool access instead of API simulation

**Benefits Achieved**:
- Faster research
"""
    ex = kinds(kept(tmp_path, text))["reason"]
    assert "WSP 77 Coordination: Local agents provide cheap, specialized research" in ex.output["reasoning_chain"]
    assert ex.output["decision"] == "Simplest solution is a dedicated tool server with local agents"


def test_a_question_put_to_the_reasoning_is_told_from_a_step_that_asks_as_it_goes():
    from training_data_miner.skills.extractors.first_principles import _asked
    # put to the reasoning: evidence with the problem
    assert _asked("Question: What does the relay need to recover?")
    assert _asked('User question: "Does the tool server need to be running?"')
    assert _asked("Is the cached stream still live?")
    # a step of a numbered chain that asks as it goes: it stays in the chain, in its place
    assert not _asked("Deep Think: Apply first principles - does this indicate a real failure?")


def test_a_line_the_output_needs_comes_with_its_captioned_list_and_never_from_the_files_touched(tmp_path):
    text = """# Relay Audit

## Conclusion

**What's Working**:
- Operator -> Index (perfect)
- Overseer -> IndexAdapter (works)
- Overseer -> Agents (works)

**What's Broken**:
- Agents -> Index (MISSING - critical gap)
- Alert bridge (not integrated)

**Occam's Razor**:
The SIMPLEST fix is adding IndexAdapter to the RefactorPlanner so agents can search before deciding.

### Files Modified
- `planner.py`: RefactorPlanner takes an IndexAdapter
"""
    [ex] = kept(tmp_path, text)
    # the output names IndexAdapter: the input gets the whole list that names it, with its caption
    assert "What's Working: Operator -> Index (perfect); Overseer -> IndexAdapter (works); Overseer -> Agents (works)" \
        in ex.input["evidence"]
    # the record of the files the change touched would give the answer away
    assert "planner.py" not in json.dumps(ex.input)


def test_a_learning_that_states_problem_cause_and_simplest_fix_is_the_fix_task(tmp_path):
    text = """## KEY LEARNINGS

### 1. First Principles Thinking:
- **Problem**: Form validation duplicated across three pages
- **Root Cause**: Each page rendered its own validator copy
- **Simplest Solution**: One shared validator with a page parameter
- **Result**: 90 lines eliminated
"""
    [ex] = kept(tmp_path, text)
    # the one step is the cause the block states: cause -> fix, not a chain of one step
    assert ex.input == {"problem": "Form validation duplicated across three pages",
                        "root_cause": "Each page rendered its own validator copy"}
    assert ex.output == {"fix": "One shared validator with a page parameter"}
    assert ex.label == "first_principles"


def test_a_winner_line_argues_by_its_bracketed_reason_not_by_repeating_the_choice(tmp_path):
    text = """## KEY LEARNINGS

### 2. Occam's Razor:
- **Complex Solution**: Split the form into 3 components to skip unused handlers
- **Simple Solution**: Accept the small overhead, keep one component
- **Winner**: Simple solution (maintenance cost > saved milliseconds)
"""
    ex = kinds(kept(tmp_path, text))["rethink"]
    assert ex.input == {"approach": "Split the form into 3 components to skip unused handlers"}
    assert ex.output["reasoning_chain"] == ["Maintenance cost > saved milliseconds"]
    assert ex.output["decision"] == "Accept the small overhead, keep one component"


def test_a_long_decision_keeps_whole_parts_and_counts_the_rest():
    from training_data_miner.skills.extractors.first_principles import _fit
    parts = [f"Step {i}: move the {i}th scratch script into its module's scripts folder" for i in range(1, 21)]
    said = _fit("; ".join(parts), 300)
    assert len(said) <= 300
    kept = said.rsplit(" (and ", 1)[0].split("; ")
    assert all(p in parts for p in kept)  # whole parts only
    assert said.endswith(f" (and {20 - len(kept)} more)")
    assert _fit("Add the path to `.env`", 300) == "Add the path to `.env`"


def test_a_split_titled_by_its_principle_is_argued_by_the_principles_section_after_it(tmp_path):
    text = """# Scorer - ModLog

### First Principles Refactoring - Module Size
**Impact Analysis**: Transforms monolithic 620-line file into focused modules

#### Architecture Refactoring (First Principles)
- **Separation of Concerns**: Split monolithic file into 4 focused modules
  - `models.py`: Data models (90 lines)
  - `engine.py`: Scoring logic (200 lines)

#### First Principles Applied
- **Single Responsibility**: Each module serves one purpose
- **Dependency Injection**: Clean interfaces between modules

### Module Implementation
**Date**: 2025-08-03
"""
    ex = kinds(kept(tmp_path, text))["reason"]
    assert ex.output["reasoning_chain"] == ["Single Responsibility: Each module serves one purpose",
                                            "Dependency Injection: Clean interfaces between modules"]
    assert ex.output["decision"].endswith("Split monolithic file into 4 focused modules")


def test_a_choice_in_an_arrow_list_carries_the_problem_its_entry_stated(tmp_path):
    text = """## [2025-12-01] Session: Relay Telemetry

### What Changed

**1. Relay Telemetry System:**
- **Problem**: "Too noisy" - 40+ relay console logs every minute, lost on restart, no pattern detection
- **Solution**: One SQLite telemetry table read by the overseer

### Key Patterns Learned

**Occam's Razor Applied**:
- Console logs ≠ durable records → SQLite is the simplest durable store
- Per-relay logging < one hub → Single source of truth
"""
    ex = next(e for e in kept(tmp_path, text) if e.input["problem"] == "Console logs ≠ durable records")
    # the situation the choice sums up, as its entry stated it: what the input needs to derive the choice
    assert ex.input["evidence"] == ['Problem: "Too noisy" - 40+ relay console logs every minute, lost on restart, '
                                   'no pattern detection']
    assert ex.output["decision"] == "SQLite is the simplest durable store"


def test_how_the_evidence_was_gathered_is_no_step_of_the_reasoning(tmp_path):
    text = """## [2025-10-20] Relay fix command

### Problem
- The relay command bus had `scan` and `summary` but no `fix`
- Needed agent-driven remediation instead of one-off scripting

### Solution - First Principles Analysis
**Used the code index to research existing architecture**:
- Found `RelayRemediator` ALREADY EXISTS in relay/remediate.py
- Decision: Path 1 (agent enhancement) over Path 2 (one-off script)
"""
    ex = kinds(kept(tmp_path, text))["decide"]
    assert "Found `RelayRemediator` ALREADY EXISTS in relay/remediate.py" in ex.input["evidence"]
    assert ex.output == {"decision": "Path 1 (agent enhancement) over Path 2 (one-off script)",
                         "principle": "first_principles"}


def test_a_rationale_opening_too_short_to_say_what_is_wrong_keeps_its_next_sentence(tmp_path):
    text = """## 2026-02-07 - Spec 27: Occam's Layer Correction - Ranking Section Simplified

**Changes (spec_27.md)**:
- **Section 9 simplified**: detailed XP tables reduced to a placeholder
- **Retained core concepts**: XP and roles, as concepts to design later

**Rationale**: Reviewer flagged over-engineering. Team tiers and agent ranking are two different systems. Ranking details need no specification until the core loop works. Follows Occam's Layers - don't design layer N+2 before layer N is validated.
"""
    [ex] = kept(tmp_path, text)
    assert ex.input["problem"] == ("Reviewer flagged over-engineering: Team tiers and agent ranking are two different "
                                   "systems")
    assert ex.output["reasoning_chain"][0] == "Ranking details need no specification until the core loop works."


def test_a_summary_solution_takes_the_steps_its_implementation_list_gives(tmp_path):
    text = """### [2025-11-02] Relay watchdog

**Problem**: The "Watched launch" menu option printed a banner but nothing watched the relay.

**Root Cause**: `RelayWatchdog` existed but was never created or started by `RelayDaemon`.

**Solution**: Full integration of the watchdog into the relay lifecycle.

**Files Modified**:
1. `relay/src/relay_daemon.py`
   - Created `RelayWatchdog` in `run()`
   - Started it as a background task when watching is on
2. `launch.py`
   - Passed `watch=True` from the watched launch option
"""
    ex = kinds(kept(tmp_path, text))["fix"]
    assert ex.output["fix"] == (
        "Full integration of the watchdog into the relay lifecycle: `relay/src/relay_daemon.py`: Created "
        "`RelayWatchdog` in `run()`, Started it as a background task when watching is on; `launch.py`: Passed "
        "`watch=True` from the watched launch option")


def test_a_solution_with_its_own_list_of_actions_keeps_it(tmp_path):
    text = """### [2025-11-03] Relay command routing

**Problem**: `!pause` not being detected in relay chat

**Root Cause**: Command was routed to the scoring handler (wrong domain)

**Solution**: Separated relay control commands from scoring commands
- Added `_check_control_command()` for !pause and !resume
- Routed control commands before scoring ones

**Files Changed**:
- `relay/src/router.py` - control command detection
"""
    ex = kinds(kept(tmp_path, text))["fix"]
    assert "router.py" not in ex.output["fix"]
    assert ex.output["fix"].startswith("Separated relay control commands from scoring commands")


def test_a_proper_location_is_a_move(tmp_path):
    text = """### WSP 85 Violation Analysis

#### File: `probe_disk.py`
**Violation**: Root directory pollution - test file in root
**Root Cause Analysis**:
- Created as a "quick utility" to probe disk speed
- Developer placed it in root instead of the module's tests folder
**Proper Location**: `modules/infra/disk/tests/probe_disk.py`
"""
    exs = kept(tmp_path, text)
    assert any(e.output.get("fix") == "Move to `modules/infra/disk/tests/probe_disk.py`" for e in exs), \
        [e.output for e in exs]


def test_a_bare_fact_among_the_inferences_against_an_approach_is_given_in_the_input(tmp_path):
    text = """## Lessons Learned

### 1. First Principles > Symptoms

**Anti-Pattern:**
- Timeouts hit -> Raise the retry count -> 5 retries
- Still times out -> Raise to 10 retries -> Still fails

**First Principles:**
- Why do timeouts happen? -> The cold cache path
- The warm path reads from the local mirror (never times out)
- Warm path already succeeds -> Why take the cold path at all?
- **Solution:** Skip the cold path when the warm path succeeds
"""
    ex = kinds(kept(tmp_path, text))["rethink"]
    assert "The warm path reads from the local mirror (never times out)" in ex.input["evidence"]
    assert ex.output["reasoning_chain"][0] == "Why do timeouts happen? -> The cold cache path"
    assert "The warm path reads from the local mirror (never times out)" not in ex.output["reasoning_chain"]
    assert ex.output["decision"] == "Skip the cold path when the warm path succeeds"


def test_a_why_this_matters_section_reasons_by_the_principle_it_lists_to_the_change_what_changed_states(tmp_path):
    text = """## [2025-10-20] Index the root notes folder

### Context: Search Gap

The root `notes/` folder (design.md, plans/) was NOT indexed by the code index. This kept agents from finding the design notes.

### What Changed

#### 1. Index Configuration Fix (tools/index/paths.py)
**Changed Lines 40, 52:**
```python
# Added Path("notes") to both index roots
roots = [
    Path("notes"),
    Path("src"),
]
```

### Why This Matters (First Principles)

**Index as Memory Principle:**
- The code index is the agents' memory interface (search across all knowledge)
- What is not indexed does not exist for an agent

**Anti-Duplication Success:**
- Researched the existing index FIRST
"""
    # the change is told only by a comment in its code: no decision stated in prose, no item (GUIDE.md: a decision is
    # prose, not a title or code)
    assert kept(tmp_path, text) == []
    # said in prose, the change is the decision its principle reasons to
    told = text.replace("**Changed Lines 40, 52:**\n", "Added the `notes/` folder to both index roots.\n")
    ex = kinds(kept(tmp_path, told))["reason"]
    assert ex.output["decision"] == "Added the `notes/` folder to both index roots."
    assert ex.output["reasoning_chain"] == ["The code index is the agents' memory interface (search across all knowledge)",
                                            "What is not indexed does not exist for an agent"]


RUNNER_MODES = """### 2B: Pluggable Runners
- [x] Runner interface (TaskRunner)
- [x] Process mode (DEFAULT): hard kill guarantee, 2s startup
- [x] Thread mode: <300ms startup, thread isolation
- [x] First-principles analysis: Blocking driver calls require process/thread isolation
- [x] Configuration: RUNNER_MODE env variable

**Architecture Rationale:**
The driver is synchronous and blocks the event loop. A timeout can cancel the await, but CANNOT interrupt blocked calls inside the driver. Only process termination guarantees recovery of the browser.

**Runner Modes:**
- process (default): Strongest kill switch + crash isolation
- thread: Fast startup, acceptable risk
- inproc: Debugging only
"""


def test_the_mark_of_the_chosen_option_is_not_left_in_the_evidence(tmp_path):
    [ex] = kept(tmp_path, RUNNER_MODES)
    assert ex.output["decision"] == "process (default): Strongest kill switch + crash isolation"
    assert ex.input["evidence"][0] == "Process mode: hard kill guarantee, 2s startup"


def test_the_entrys_summary_of_the_change_made_is_not_evidence_for_it(tmp_path):
    text = """## [2025-10-21] Survey Relay Server - Faster Surveys with Internal Scouts

**Change Type**: New Module
**Status**: Complete

### What Changed

Created Survey Relay Server with internal scout agents for faster field surveys.

**New Module**: `modules/survey/relay/`

### Why

User directive: "can the scouts join the survey team? does the survey need its own relay?"

**First Principles Analysis**:
- **Occam's Razor**: Simplest solution is dedicated relay server with internal scout agents
- **Specialized Tools**: Surveys need domain tools (mapper, sampler)
- **Scout Coordination**: Internal scouts give cheap, specialized capacity
"""
    exs = kept(tmp_path, text)
    assert exs, "no example"
    for ex in exs:
        assert "Created Survey Relay Server" not in json.dumps(ex.input), ex.input


def test_a_change_said_as_done_tells_the_decision_it_names():
    from training_data_miner.skills.extractors.first_principles import _tells
    decision = "Simplest solution is dedicated relay server with internal scout agents"
    assert _tells("Created Survey Relay Server with internal scout agents for faster field surveys.", decision)
    assert not _tells("Surveys need domain tools (mapper, sampler)", decision)  # not a change made
    assert not _tells("Created the survey mapper for field teams", decision)  # a change, but not this one


def test_a_root_cause_list_names_its_gap_as_the_cause_and_the_change_described_or_the_added_functions_as_the_fix(tmp_path):
    text = """## Relay Init Integration

### Root Cause Analysis & Resolution
**Problems Identified**:
- RELAY_INIT couldn't read the system clock automatically
- Changelog updates required manual intervention
- Missing integration between relay procedures and system operations

### System Integration Protocols Added
**Location**: `RELAY_INIT.md` - Enhanced with system integration

#### Automatic Clock Access:
```python
def get_clock_stamp():
    # Fallback: Python datetime
```

#### Automatic Changelog Integration:
```python
def auto_changelog_update(details):
    # No manual intervention required
```
"""
    ex = kinds(kept(tmp_path, text))["fix"]
    assert ex.input == {"problem": "RELAY_INIT couldn't read the system clock automatically; Changelog updates required "
                                   "manual intervention",
                        "root_cause": "Missing integration between relay procedures and system operations"}
    assert ex.output["fix"] == ("Automatic Clock Access: `get_clock_stamp()`; Automatic Changelog Integration: "
                                "`auto_changelog_update()`")
    # where the entry describes the change in prose, that is the fix, not the titles over code
    described = text.replace("## Relay Init Integration\n", "## [Relay Init Integration] - 2025-06-12\n**Date**: 2025-06-12\n"
                             "**Description**: Enhanced RELAY_INIT with automatic clock access and changelog integration\n")
    ex = kinds(kept(tmp_path, described))["fix"]
    assert ex.output["fix"] == "Enhanced RELAY_INIT with automatic clock access and changelog integration"


def test_a_worked_example_under_its_heading_takes_its_question_as_the_problem(tmp_path):
    text = """## Iterative Research Chain

Both agents now follow this pattern.

**Scout Example**: "How should we fix this crash?"
1. Deep Think: Analyze crash pattern + service context
2. Research: Search for similar fixes in history
3. Deep Think: Apply the scoring rubric (complexity/importance)
4. Occam's Razor: SIMPLEST solution = auto-fix (complexity=1)
5. Decision: auto_fix -> Apply the encoding patch
"""
    # the question is the last line under the heading, not a line of an entry of its own
    [e] = kept(tmp_path, text, analyse=True)
    assert e.output["problem"] == "How should we fix this crash?" and e.label == "occams_razor"
    assert e.output["decision"] == "auto_fix -> Apply the encoding patch"


def test_a_decision_not_to_build_something_questions_that_approach(tmp_path):
    text = """## Implementation Details

### Architectural Decision: Local Parsing (Not Separate Classes)

**Decision**: Did NOT create FeedParser/FeedValidator classes.

**Rationale**:
- Direct integration with existing FeedReader (from feeds/reader.py)
- Simpler, proven pattern already in codebase
- Avoids unnecessary abstraction layers
- Follows Occam's Razor

### reader.py - All TODOs replaced
"""
    ex = kinds(kept(tmp_path, text))["rethink"]
    assert ex.input == {"approach": "Create FeedParser/FeedValidator classes"}
    assert ex.output["decision"] == ("Did NOT create FeedParser/FeedValidator classes; Direct integration with existing "
                                     "FeedReader (from feeds/reader.py)")
    assert ex.output["reasoning_chain"][0] == "Simpler, proven pattern already in codebase"
    assert ex.output["principle"] == "occams_razor"


def test_a_yes_no_answer_found_to_the_question_asked_is_evidence(tmp_path):
    text = """## Executive Summary

**Problem**: Scouts made routing decisions WITHOUT index search context, working "blind".

---

## Background

From SCOUT_ARCHITECTURE_ANALYSIS.md:

> **Question**: Does the dispatcher have access to the index tools?
>
> **Answer**: **YES** - the dispatcher HAS IndexAdapter access, **BUT** the scout coordinator could not call the index itself.

**Occam's Razor Decision**: Add IndexAdapter to the scout coordinator (LOW complexity, HIGH impact)
"""
    exs = kept(tmp_path, text)
    assert exs, "no example"
    for ex in exs:
        assert "Answer: YES - the dispatcher HAS IndexAdapter access, BUT the scout coordinator could not call the " \
               "index itself." not in ex.output.get("reasoning_chain", [])


def test_a_principles_short_name_for_a_change_takes_the_item_that_states_it(tmp_path):
    text = """## [2025-12-16] Dual Relay Architecture

### What Changed

**Phase 2A - Dual Relay Architecture:**
- **Separate relay instances** for incompatible workflows:
  - Port 7001: Inbox replies (inbox.example.org)
  - Port 7002: Live room reactions (live.example.org)
- **First Principles Solution**: Multi-relay over navigation coordination
- **Future-proof**: Room connection kept while replies run

### Problem Solved
1. One relay opened on the inbox made reactions unable to reach the live room frame
"""
    exs = kept(tmp_path, text)
    assert [e.output["decision"] for e in exs] == [
        "Separate relay instances for incompatible workflows: Port 7001: Inbox replies (inbox.example.org), Port 7002: "
        "Live room reactions (live.example.org) (Multi-relay over navigation coordination)"]


def test_a_question_heading_and_its_answers_are_one_step(tmp_path):
    text = """## Architecture Correction

### Problem Identified
**Critical flaw**: The operator is UNAVAILABLE when the night jobs run!

## First Principles Analysis

**WHAT needs to happen?**
- Detect failures in the job output
- Retry or file a report

**WHO can do it?**
- **Operator**: Available ONLY during office hours
- **Scheduler**: Available 24/7

**Occam's Razor**: The scheduler should decide AND retry (simplest, no bottleneck)
"""
    ex = kinds(kept(tmp_path, text))["reason"]
    assert ex.output["reasoning_chain"] == [
        "WHAT needs to happen? Detect failures in the job output; Retry or file a report",
        "WHO can do it? Operator: Available ONLY during office hours; Scheduler: Available 24/7"]
    assert ex.output["decision"] == "The scheduler should decide AND retry (simplest, no bottleneck)"


ITERATIONS = """### Phase 2: Evaluate the Relay Scorer

**Objective**: Compare the automated relay score with the manual review

#### Iteration 1 Results (Initial Algorithm):

| Metric | Manual | relayScorer v1 | Match |
|--------|--------|----------------|-------|
| Latency Score | 2 | 1 | [FAIL] |
| Uptime Score | 2 | 2 | [OK] |

**Root Cause Analysis**:
- Latency threshold too strict (under 50 ms for score 2)
- Sample window too short to smooth spikes

#### Iteration 2 Results (Refined Algorithm):

| Metric | Manual | relayScorer v2 | Match |
|--------|--------|----------------|-------|
| Latency Score | 2 | 2 | [OK] |

**Algorithm Improvements**:
- Relaxed latency threshold: under 120 ms = score 2 (from 50 ms)
- Longer sample window: 5 minutes instead of 30 seconds
"""


def test_a_results_row_keeps_its_headers_as_written_and_its_status_cell_as_a_word(tmp_path):
    [e] = kept(tmp_path, ITERATIONS)
    # "relayScorer v1", not "relayscorer v1"; the Match cell "[FAIL]" is the row's verdict, not an emoji to drop
    assert e.input["problem"] == ("Iteration 1 Results (Initial Algorithm): Latency Score: Manual 2, relayScorer v1 1, "
                                  "Match FAIL")
    assert e.output["fix"].startswith("Relaxed latency threshold: under 120 ms = score 2 (from 50 ms)")


def test_a_context_line_among_the_steps_is_given_with_the_problem(tmp_path):
    text = """## Relay Restart Loop (First Principles)

**Problem**: The relay restarts every few minutes and drops the queued replies.

**Analysis**:
- Context: The relay runs under the watchdog added last sprint
- The watchdog restarts any process that misses two heartbeats
- The relay skips heartbeats while it flushes a large queue

**Decision**: Send heartbeats from a separate thread while the queue flushes.
"""
    ex = kinds(kept(tmp_path, text))
    assert set(ex) == {"reason"}
    assert ex["reason"].input["evidence"] == ["Context: The relay runs under the watchdog added last sprint"]
    assert ex["reason"].output["reasoning_chain"] == ["The watchdog restarts any process that misses two heartbeats",
                                                      "The relay skips heartbeats while it flushes a large queue"]


MISPLACED = """## V031: ROOT DIRECTORY AUDIT NOTES VIOLATION
- **Type**: **FRAMEWORK-LEVEL VIOLATION** - Audit notes placed in project root
- **Impact**: **HIGH** - Violates the root directory protocol

#### VIOLATION DETAILS
**Root Directory Files Found**:
1. **AUDIT_NOTES.md** - Audit of the relay module
   - Should be in: `modules/relay/docs/audits/`

#### ROOT CAUSE ANALYSIS
- **Process Failure**: Created the audit notes directly in root while reviewing the relay
- **Architectural Error**: Did not follow the root directory checklist before creating the file

#### CORRECTION PLAN
```bash
mv AUDIT_NOTES.md modules/relay/docs/audits/
```

#### PREVENTION MEASURES
- **Always check the root checklist** before creating any file in root
- **Audit notes belong in module docs**: `modules/{domain}/{module}/docs/audits/`

#### IMPLEMENTATION STATUS
- **Resolution Applied**:
  - Moved `AUDIT_NOTES.md` to `modules/relay/docs/audits/`
"""


def test_measures_written_before_the_resolution_still_answer_the_cause(tmp_path):
    ex = kinds(kept(tmp_path, MISPLACED))
    # the move clears the symptom; the measures, told before the status that applied the move, answer the cause
    assert set(ex) == {"fix"}
    assert ex["fix"].output["fix"] == (
        "Move `AUDIT_NOTES.md` to `modules/relay/docs/audits/`; Prevention measures: Always check the root checklist "
        "before creating any file in root; Audit notes belong in module docs: `modules/{domain}/{module}/docs/audits/`")


def test_a_move_alone_for_a_step_not_followed_is_asked_as_the_correction_applied_not_as_the_causes_fix(tmp_path):
    alone = MISPLACED[:MISPLACED.index("#### PREVENTION")] + MISPLACED[MISPLACED.index("#### IMPLEMENTATION"):]
    ex = kinds(kept(tmp_path, alone))
    assert set(ex) == {"relocate"}
    assert ex["relocate"].output == {"fix": "Move `AUDIT_NOTES.md` to `modules/relay/docs/audits/`"}
    assert ex["relocate"].label == "root_cause"
    # where the cause is the place itself (a template that points there), the move is what removes it
    placed = alone.replace("**Process Failure**: Created the audit notes directly in root while reviewing the relay",
                           "**Template Default**: The relay template writes its audit notes to the working directory").replace(
        "- **Architectural Error**: Did not follow the root directory checklist before creating the file\n", "")
    assert set(kinds(kept(tmp_path, placed))) == {"fix"}


# -- the passage read whole: the reasoning task where it can be given ---------------------------------


def test_the_specifics_an_output_states_and_its_input_does_not_are_named():
    given = "Two Chrome windows fight over one debugging port; the studio page never loads"
    out = {"decision": "Separate Chrome instances: port 9222 for studio.youtube.com, 9223 for `@handle/live`",
           "principle": "first_principles"}
    assert fp.unsupported(out, given) == ["9222", "studio youtube com", "9223", "handle live"]
    # what the input gives is no finding; the label is the domain's, not a fact
    assert fp.unsupported({"decision": "Reuse the debugging port of the studio page", "principle": "root_cause"},
                          given) == []


PORTS = """## Browser Conflict (First Principles)

**Problem**: Two Chrome windows fight over one debugging port, so the studio page never loads.

**Analysis**:
- One port can serve one browser session
- The studio and the live page need sessions of their own

**Decision**: Separate Chrome instances: port 9222 for studio.example.com, port 9223 for live.example.com
"""


def test_where_the_passage_can_be_given_whole_it_is_the_reasoning_task(tmp_path):
    ex = kinds(kept(tmp_path, PORTS, analyse=True), analyse=True)
    # the ports and hosts are the decision's own: a `reason` task from the problem line would teach the model to
    # invent them; the passage holds them
    assert set(ex) == {"analyse"}
    e = ex["analyse"]
    assert e.input == {"passage": (
        "## Browser Conflict (First Principles)\n"
        "Problem: Two Chrome windows fight over one debugging port, so the studio page never loads.\n"
        "Analysis:\n- One port can serve one browser session\n- The studio and the live page need sessions of their own\n"
        "Decision: Separate Chrome instances: port 9222 for studio.example.com, port 9223 for live.example.com")}
    assert e.output == {
        "problem": "Two Chrome windows fight over one debugging port, so the studio page never loads.",
        "reasoning_chain": ["One port can serve one browser session", "The studio and the live page need sessions of their own"],
        "decision": "Separate Chrome instances: port 9222 for studio.example.com, port 9223 for live.example.com",
        "principle": "first_principles"}
    # where no passage can be given whole, the same item is reasoned from its problem, at the same line
    # where no passage can be given whole, the problem line alone does not hold the ports: no task is made (as read,
    # it is reasoned from its problem, at the same line)
    assert kinds(kept(tmp_path, PORTS)) == {}
    alone = kinds(kept(tmp_path, PORTS, as_read=True))
    assert set(alone) == {"reason"} and alone["reason"].source == e.source
    assert alone["reason"].output["decision"] == e.output["decision"]


def test_a_passage_too_long_to_give_whole_leaves_the_reasoning_task_where_its_input_supports_it(tmp_path):
    filler = "".join(f"- Observation {i}: the studio page stayed blank after the live page opened\n" for i in range(40))
    assert len(filler) > fp.MAX_PASSAGE
    text = PORTS.replace("**Analysis**:", "**Observations**:\n" + filler + "\n**Analysis**:")
    # (as read: the decision's ports are not in its problem line, so no task is made of it)
    assert set(kinds(kept(tmp_path, text, analyse=True, as_read=True), analyse=True)) == {"reason"}
    assert kinds(kept(tmp_path, text, analyse=True), analyse=True) == {}


def test_a_fix_whose_input_holds_its_answer_stays_one_naming_what_its_input_does_not_gives_way(tmp_path):
    # "call `driver.quit()` in `TabWatcher.close()`": two names the cause and evidence do not give
    assert set(kinds(kept(tmp_path, MODLOG_FIX, analyse=True), analyse=True)) == {"analyse"}
    plain = MODLOG_FIX.replace("Reuse one session per watcher and call `driver.quit()` in `TabWatcher.close()`.",
                               "Reuse one session per watcher and quit the session when the watcher closes.")
    ex = kinds(kept(tmp_path, plain, analyse=True), analyse=True)
    assert set(ex) == {"fix"}
    assert ex["fix"].output == {"fix": "Reuse one session per watcher and quit the session when the watcher closes."}
    # a fix read from code comments: no passage holds it (code is not prose), so the fix task stays
    fix = ("```python\n# 1. Session: reuse one driver per watcher\nself.driver = self.driver or webdriver.Chrome()\n"
           "# 2. Close: quit the driver, not just drop it\nself.driver.quit()\n```")
    text = MODLOG_FIX[:MODLOG_FIX.index("### Files")].replace(
        "Reuse one session per watcher and call `driver.quit()` in `TabWatcher.close()`.", fix)
    assert [e.output for e in kept(tmp_path, text, analyse=True)] == [
        {"fix": "Session: reuse one driver per watcher; Close: quit the driver, not just drop it"}]


@pytest.mark.corpus
def test_on_the_dev_corpus_every_passage_is_the_source_and_every_field_is_read_from_it():
    """Each `analyse` example of 012_dev.txt: its passage's lines are lines of the source near its line
    (cleaned, in order), and every field of its output is quoted from the passage."""
    from helpers import corpus_kept, source_lines

    lines = source_lines(corpus())
    analysed = [e for e in corpus_kept("first_principles") if e.instruction in ANALYSE]
    assert len(analysed) >= 10
    for e in analysed:
        at = int(e.source.rsplit("_", 1)[1])
        window = lines[max(0, at - 80): at + 80]
        near = [fp.clean(t, 1600) for t in window]
        cells = [set(re.findall(r"\w+", t)) for t in window if t.lstrip().startswith("|")]
        for line in e.input["passage"].split("\n"):
            body = line.lstrip(" #-").rstrip(":")
            # a line as its source line cleaned; a table row as that row's words ("[FAIL]" given as "FAIL")
            assert any(body in n for n in near) or (" | " in body and any(
                set(re.findall(r"\w+", body)) <= c for c in cells)), (e.source, line)
        for key, value in e.output.items():
            if key != "principle":
                for text in value if isinstance(value, list) else [value]:
                    assert fp._quoted(text, e.input["passage"]), (e.source, key, text)


def test_a_step_the_passage_does_not_hold_is_not_asked_for_but_the_problem_and_decision_must_be():
    passage = ("Before (2-stage detection):\n- DOM check: 10ms\n- Vision fallback: 10-30s\n"
               "After (Occam's Razor):\n- DOM check only: 10ms")
    item = fp.Item(anchor=10, label="occams_razor", problem="Vision fallback: 10-30s", explicit=True, evidence=[],
                   steps=[], decision="DOM check only", cause="", options=[], chosen="", rejected=[], span=(10, 14),
                   evidence_text="", passage=passage)
    far = "DOM element missing = no comment exists (ground truth, no vision needed)"  # told 110 lines before
    common = dict(evidence="", label="occams_razor", line=10, span=(10, 14), ambiguity=0.0, ambiguities=[], identity=None)
    d = fp._analyse_task(item, [far], [], common)
    assert d.output == {"problem": "Vision fallback: 10-30s", "decision": "DOM check only", "principle": "occams_razor"}
    item.decision = "Use the accessibility tree instead"  # a decision the passage does not hold: no task
    assert fp._analyse_task(item, [far], [], common) is None


def test_a_summary_rows_short_fix_is_said_whole_by_the_section_that_told_its_issue(tmp_path):
    text = """# Launcher Audit

## Issue 1: Exporter NOT Starting After Reboot

Dashboards stay empty.

**Simplest Fix:** Set EXPORTER_BIN in `.env` to the installed exporter path

## Summary of Fixes

| Issue | Root Cause | Fix | Impact |
|-------|------------|-----|--------|
| **Exporter** | EXPORTER_BIN unset in .env | Set EXPORTER_BIN | Dashboards fill |
| **Log noise** | Debug level left on in production | Set level to WARNING | Quiet logs |
"""
    rows = [e for e in kept(tmp_path, text) if "fix" in e.output]  # (the section's "Simplest Fix" is an item too)
    assert [e.output["fix"] for e in rows] == ["Set EXPORTER_BIN in `.env` to the installed exporter path",
                                               "Set level to WARNING"]


def test_a_summary_rows_fix_said_otherwise_by_its_section_is_given_with_what_it_stands_for(tmp_path):
    text = """# Launcher Audit

## Issue 2: Duplicate Exporters After Restart

**Impact:** Operators must find and kill each duplicate by hand

**User Question:** "can the watchdog restart them for us?"
**Answer:** NO - a restart would lose the buffered samples

**Simplest Fix:** Ask once at launch, stop every duplicate if the operator agrees, then carry on.

## Summary of Fixes

| Issue | Root Cause | Fix | Impact |
|-------|------------|-----|--------|
| **Duplicate Exporters** | Manual kill required | Interactive y/n prompt | One keypress |
"""
    [row] = [e for e in kept(tmp_path, text) if e.line == line_of(text, "| **Duplicate Exporters**")]
    # the cell names the fix in three words; the section's labelled fix says what it does (not its "Answer:")
    assert row.output["fix"] == ("Interactive y/n prompt: Ask once at launch, stop every duplicate if the operator "
                                 "agrees, then carry on.")


def test_read_whole_an_anti_patterns_approach_is_named_as_the_one_rejected(tmp_path):
    exs = kept(tmp_path, LESSONS, analyse=True)
    [e] = [e for e in exs if e.line == line_of(LESSONS, "**Occam's Razor:**")]
    assert e.instruction in ANALYSE
    # not a "problem" (nor a bare "approach" that reads as the one taken): the approach the passage turns down
    assert e.output["approach_rejected"] == "Build a full retry scheduler with backoff tiers"
    assert "problem" not in e.output and e.output["decision"] == "Refresh the token before the call"


def test_a_passage_read_whole_is_asked_for_what_its_answer_gives(tmp_path):
    """The instruction of a passage read whole names the parts its answer holds: no steps asked for where the
    passage gives none (a reader takes an instruction that asks for what the answer lacks as a gap)."""
    instructions = PACKS["first_principles"].instructions
    seen = set()
    for text in (MODLOG_FIX, LESSONS):
        for e in kept(tmp_path, text, analyse=True):
            if e.instruction not in ANALYSE:
                continue
            key = next(k for k in ANALYSE_KEYS if e.instruction in instructions[k])
            o = e.output
            reasoned = any(f in o for f in ("reasoning_chain", "findings", "options", "rejected"))
            want = "analyse_approach" if "approach_rejected" in o else "analyse_lesson" if "lesson" in o and not any(
                f in o for f in ("reasoning_chain", "options", "decision")) else "analyse" if reasoned \
                else "analyse_cause" if "root_cause" in o else "analyse_decision"
            assert key == want, (key, o)
            seen.add(key)
    assert "analyse_cause" in seen  # MODLOG_FIX: a problem, its root cause and the fix, nothing between
    # LESSONS: an anti-pattern questioned is asked for the approach it turns down, not for a problem
    assert "analyse_approach" in seen


def test_a_one_line_code_change_shown_as_old_and_new_comments_is_said_as_the_change(tmp_path):
    text = """# Shorts ModLog

## [2025-10-14] Shorts list bug fix

**Issue**: Shorts list displayed "Untitled | Untitled" instead of the video topics
**Root Cause**: Field name mismatch - memory stores `topic`, the code looked for `title`
**Fix** (Lines 478-479):
```python
# OLD: short.get('title', 'Untitled')
# NEW: short.get('topic', short.get('title', 'Untitled'))
```
**Result**: Shorts list now displays the topics
"""
    ex = kinds(kept(tmp_path, text))
    assert ex["fix"].output["fix"] == "Replace `short.get('title', 'Untitled')` with `short.get('topic', short.get('title', 'Untitled'))`"


def test_the_comment_heading_the_after_code_is_the_fix_with_the_line_it_heads(tmp_path):
    text = """# Session Summary

### 1. Relay Queue Bug Fixed
**Problem**: Replies were queued (12 found) but none was sent - no relay login, no posting

**Root Cause Identified**:
- File: `relay/src/queue.py`
- Issue: `pending = []` initialized, then immediately `if pending:` checked (always False)

**Fix Applied**:
```python
# Before (lines 40-44):
pending = []  # Always empty!
if pending:
    to_send = ...

# After (lines 40-41):
# Direct assignment - removed dead check
to_send = queued[:3]
logger.info("sending")
```
"""
    ex = kinds(kept(tmp_path, text))
    # the comment says what the change is, the line under it what it does (not the log call after it)
    assert ex["fix"].output["fix"] == "Direct assignment - removed dead check: `to_send = queued[:3]`"


def test_a_learning_line_is_asked_for_as_the_lesson_not_as_a_fix_applied(tmp_path):
    text = """# Violation Log

## V019: Created test_new_coordinator.py without searching for existing tests [2025-09-28]
- **Impact**: **HIGH** - Created a duplicate test file when the existing one could be enhanced
- **Root Cause**:
  - Followed the sprint plan without verification
  - Did not search for existing tests before creating one
- **Resolution Needed**:
  - Should merge test_new_coordinator.py into test_coordinator.py
- **Learning**: **MUST search for existing tests before ANY file creation**
- **Status**: **ACTIVE** - Pattern violation continues
"""
    exs = kept(tmp_path, text, analyse=True)
    assert exs and not any("fix" in e.output for e in exs)  # the entry applied no fix
    assert any(e.output.get("lesson") == "MUST search for existing tests before ANY file creation" for e in exs)
    assert all("decision" not in e.output for e in exs if e.instruction in ANALYSE)
    # read whole, the passage is asked for the lesson it gives, not for a fix
    lessons = [e for e in exs if e.instruction in ANALYSE and "lesson" in e.output and "reasoning_chain" not in e.output]
    assert lessons and all(e.instruction in PACKS["first_principles"].instructions["analyse_lesson"] for e in lessons)


def test_a_passage_holds_the_whole_of_a_list_it_holds_part_of(tmp_path):
    text = """# Engagement ModLog

## [2025-12-14] Pluggable execution modes

### 3D: Pluggable Execution Modes
- [x] Strategy pattern interface (EngagementRunner)
- [x] Thread mode: fast startup, thread isolation
- [x] First-principles analysis: Selenium blocking requires process isolation
- [x] Configuration: EXEC_MODE env variable

**Architecture Rationale:**
Selenium is synchronous and blocks the event loop. asyncio.wait_for() can time out the await, but cannot interrupt a blocked call. Only subprocess termination guarantees recovery.

**Execution Modes:**
- subprocess (default): strongest kill switch and crash isolation
- thread: fast startup, acceptable risk
- inproc: development debugging only
"""
    [e] = [e for e in kept(tmp_path, text, analyse=True) if e.instruction in ANALYSE]
    assert e.output["decision"].startswith("subprocess (default)")
    # all three modes, not the one chosen alone; the checklist it opens in, whole
    assert e.input["passage"].endswith("- thread: fast startup, acceptable risk\n- inproc: development debugging only")
    assert e.input["passage"].startswith("- Strategy pattern interface (EngagementRunner)\n")


def test_a_reasoning_step_that_states_what_the_input_does_not_is_given_as_evidence(tmp_path):
    """A `reason` task (its passage too long to give whole) asks only for what its input lets a reader derive:
    measured steps go into the evidence; with no step left it is the `decide` task; an alternative the input
    never names is left out of the answer."""
    text = """# Modal Review

## Liberty handlers - acceptable trade-off

### React Rules of Hooks Limitation:

**Cannot Do This**:
```typescript
// VIOLATES REACT RULES (hooks must be called unconditionally)
if (enabled) { const a = useLongPress({}); }
```

**Must Do This**:
```typescript
// CORRECT (hooks always called, even if unused)
const a = useLongPress({});
```

### First Principles Analysis:

**Performance Impact**:
- 4 hook initializations: ~0.4ms (negligible)
- 5 state variables: ~200 bytes memory (negligible)
- Total overhead: <1ms + 200 bytes

**Alternative Solution (Component Split)**:
- Split into GotJunkModal and LibertyModal

**Complexity Cost**:
- Create 2 new components: ~400 lines each
- Harder to maintain (3 files instead of 1)

### Occam's Razor Decision:
**Accept the minimal overhead** - Simpler code is more valuable than micro-optimizations.
"""
    ex = kinds(kept(tmp_path, text))
    assert "reason" not in ex
    e = ex["decide"]
    assert e.output["decision"].startswith("Accept the minimal overhead")
    assert "4 hook initializations: ~0.4ms (negligible)" in e.input["evidence"]
    assert not fp.unsupported({k: v for k, v in e.output.items()}, fp._flat(e.input))


def test_what_a_root_cause_analysis_discovered_is_its_cause_not_the_issue_it_restates(tmp_path):
    text = """## Relay Safety Lock

- **Problem**: Replies were posted to channels the operator had muted
- **Solution**: Routed every sender through the mute check

### Root Cause Analysis:
- **Issue**: Several senders posted to muted channels
- **Discovery**: The batch sender and the retry queue never called the mute check
- **Resolution**: Added the mute check to the shared send() every sender calls
"""
    [e] = kept(tmp_path, text)
    assert e.label == "root_cause"
    assert e.input["root_cause"] == "The batch sender and the retry queue never called the mute check"
    assert e.output["fix"] == "Added the mute check to the shared send() every sender calls"


CHOICE_WITH_REASONS = """# Relay Audio ModLog

## [2025-11-02] Relay audio capture

#### Architecture Decision
- **Option B**: Capture the mixer output (Occam's simplest)
- The mixer already runs for the chat relay
- Works with private rooms (no token needed)
- No second decoder to maintain
- Mixer output is 48 kHz stereo
"""

DESIGN_WITH_DERIVATION = """# Swarm ModLog

## 2026-02-10 - Compact relay messages

**New Format Adopted (docs/relay_format.md):**
- Key:value lines for relay-internal messages
- 3x fewer tokens than prose messages

**First Principles Derivation:**
- Relays do not read prose
- Tokens cost time and money
- Key:value lines parse without a model
"""


def test_a_choice_heading_its_list_of_reasons_is_the_justify_task(tmp_path):
    [e] = kept(tmp_path, CHOICE_WITH_REASONS, analyse=True)  # (a passage given whole)
    assert e.instruction in PACKS["first_principles"].instructions["justify"]
    assert e.line == line_of(CHOICE_WITH_REASONS, "(Occam's simplest)") and e.label == "occams_razor"
    # the choice as written, with the principle it names; the reasons its list gives (not what it measures)
    assert e.output == {"decision": "Option B: Capture the mixer output (Occam's simplest)",
                        "reasons": ["The mixer already runs for the chat relay", "Works with private rooms (no token needed)",
                                    "No second decoder to maintain"],
                        "principle": "occams_razor"}
    assert e.input["passage"].startswith("- Option B: Capture the mixer output (Occam's simplest)\n")


def test_a_design_and_its_first_principles_derivation_is_the_justify_task(tmp_path):
    [e] = kept(tmp_path, DESIGN_WITH_DERIVATION, analyse=True)
    assert e.instruction in PACKS["first_principles"].instructions["justify"]
    assert e.line == line_of(DESIGN_WITH_DERIVATION, "**First Principles Derivation:**")
    assert e.output == {"decision": "Key:value lines for relay-internal messages",
                        "reasons": ["Relays do not read prose", "Tokens cost time and money",
                                    "Key:value lines parse without a model"],
                        "principle": "first_principles"}


@pytest.mark.parametrize("text", [
    # the choice does not head its list: it is one point among others
    CHOICE_WITH_REASONS.replace("#### Architecture Decision\n", "#### Architecture Decision\n- Mixer tested on two rooms\n"),
    # one item after it argues it: a note, not a choice given with its reasons
    CHOICE_WITH_REASONS.replace("- Works with private rooms (no token needed)\n- No second decoder to maintain\n", ""),
    # a derivation with no design said to be made before it
    DESIGN_WITH_DERIVATION.replace("**New Format Adopted (docs/relay_format.md):**", "**Format Notes:**"),
])
def test_a_choice_or_design_without_its_reasons_gives_no_justify_task(tmp_path, text):
    assert [e for e in kept(tmp_path, text, analyse=True) if e.instruction in PACKS["first_principles"].instructions["justify"]] == []


def test_a_one_line_choice_per_first_principles_gives_its_reasons_not_a_problem(tmp_path):
    text = """## Runner Modes

**Key Findings**:
- **Guard Compliance**: Subprocess remains DEFAULT per first-principles (a blocked driver call cannot be cancelled by a timeout, only SIGKILL frees the browser)
"""
    [e] = kept(tmp_path, text, analyse=True)
    assert e.instruction in PACKS["first_principles"].instructions["justify"]
    assert e.output == {"decision": "Subprocess remains DEFAULT",
                        "reasons": ["a blocked driver call cannot be cancelled by a timeout", "only SIGKILL frees the browser"],
                        "principle": "first_principles"}


def test_a_question_put_is_given_with_its_answer_and_a_part_named_only_by_a_note_is_no_part_of_the_decision(tmp_path):
    text = """## Issue 4: Token Refresh (Documented, Not Automated)

### Problem Detected

**Impact:** Relay tokens expire every ~7 days

### First Principles Analysis

**Why Tokens Expire:**
- The provider expires refresh tokens after 7 days idle
- The user must re-consent in a browser

**User Question:** "can the click bot press Allow for us?"

**Answer:** NO - This would break the provider's consent rules

### Best Practice Solution

**Manual Refresh Script:** (Already exists)
```bash
python tools/refresh_tokens.py
```

**Recommended Workflow:**
1. The relay logs the expired token
2. The user runs the refresh script once a week
"""
    [e] = kept(tmp_path, text, analyse=True)
    assert e.output["findings"] == ['User Question: "can the click bot press Allow for us?"',
                                    "Answer: NO - This would break the provider's consent rules"]
    assert "Already exists" not in e.output["decision"]
    assert e.output["decision"].startswith("The relay logs the expired token")


def test_an_item_still_in_progress_is_no_part_of_the_fix_applied(tmp_path):
    text = """## V031: Created relay protocol 78 without checking the protocol index [2025-09-30]
- **Issue**: Created relay protocol 78 without checking the protocol index first
- **Root Cause**:
  - Operating in reactive mode rather than proactive verification
  - The index check is not triggered on protocol creation
- **Resolution**:
  - \u2705 Merged the protocol into relay protocol 48 section 1.6
  - \u2705 Deleted the protocol 78 file
  - \U0001F504 Investigating why the index check did not trigger
- **Status**: RESOLVED
"""
    ex = kinds(kept(tmp_path, text))
    # what was done, not what is still being looked into; nothing left out, so no count
    assert ex["fix"].output["fix"] == "Merged the protocol into relay protocol 48 section 1.6; Deleted the protocol 78 file"


def test_a_question_and_its_answer_in_the_analysis_are_one_step_of_the_reasoning(tmp_path):
    text = """## Relay server cleanup

**Problem**: 7 relay servers configured, 4 failing to start, high upkeep

**First Principles Analysis**:
- Question: What does the agent need from the relays at all?
- Answer: Lookup tools (search + validation), not compute tools

**Solution**:
- Reduced 7 servers to the 2 lookup servers in `relays.json`
"""
    [e] = kept(tmp_path, text, analyse=True)
    assert e.output["reasoning_chain"] == ["Question: What does the agent need from the relays at all?",
                                           "Answer: Lookup tools (search + validation), not compute tools"]
    assert "findings" not in e.output
