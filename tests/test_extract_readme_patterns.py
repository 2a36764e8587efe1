"""readme_patterns on hand-written text: which documents are READMEs, their sections by the pack's
one synonym table, and the three task kinds (structure check, README outline, section purpose)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import PACKS, corpus, gold_report, mine_text

from training_data_miner.skills.extractors import INSTRUCTION_KEYS
from training_data_miner.skills.extractors.readme_patterns import provided, rules_of
from training_data_miner.skills.filter_quality import filter_quality

SEP = "=" * 77
STANDARD = ["Overview", "Installation", "Usage", "WSP Compliance", "Dependencies", "Testing"]
PACK = PACKS["readme_patterns"]


def doc(*lines: str) -> str:
    return "\n".join([SEP, *lines])


def mine(tmp_path: Path, *docs: str) -> list:
    return mine_text(tmp_path, "readme_patterns", "\n".join([*docs, ""]))


def kinds(examples) -> dict[str, list]:
    out: dict[str, list] = {"structure": [], "skeleton": [], "section": []}
    for e in examples:
        o = e.output
        out["structure" if "verdict" in o else "skeleton" if "outline" in o else "section"].append(e)
    return out


FEED = doc(
    "# [U+1F4E1] Feed Relay Module",                            # 2
    "",
    "**Status**: Prototype",
    "**WSP Compliance**: WSP 49, WSP 22",
    "",
    "## [U+1F3AF] Module Purpose",                              # 7
    "Feed Relay forwards **stream events** to the [chat bridge](../chat/README.md) within two seconds. "
    "It keeps no state.",
    "",
    "## Quick Start",                                           # 10
    "```bash",
    "python -m modules.infrastructure.feed_relay --channel demo",
    "```",
    "",
    "## [API] Public API & Usage",
    "- `relay(event)` - forward one event [OK]",
    "- `drain()` - flush the queue",
    "",
    "## **Dependencies**",
    "- requests",
    "- modules/communication/chat_bridge",
    "",
    "## Architecture",
    "The relay is one asyncio task per channel.",
)


def test_a_module_readme_gets_a_structure_check_by_the_synonym_table(tmp_path):
    ex = kinds(mine(tmp_path, FEED))
    [check] = ex["structure"]
    assert check.line == 2 and check.evidence == "# [U+1F4E1] Feed Relay Module" and check.label == "incomplete"
    assert check.input == {
        "readme": "Feed Relay Module",
        "sections": ["Module Purpose", "Quick Start", "Public API & Usage", "Dependencies", "Architecture"],
        "required_sections": STANDARD,  # the list of required sections is in the input
    }
    assert check.output == {
        "present": {"Overview": "Module Purpose", "Usage": "Quick Start", "Dependencies": "Dependencies"},
        "missing": ["Installation", "WSP Compliance", "Testing"],
        "verdict": "incomplete",
    }
    assert check.quality_score == 1.0


def test_every_example_of_a_readme_points_at_its_title_and_carries_its_verdict(tmp_path):
    examples = mine(tmp_path, FEED)
    assert {e.line for e in examples} == {2}
    assert {e.label for e in examples} == {"incomplete"}
    assert sorted({e.instruction for e in examples if "outline" in e.output}) != []
    # only the structure check states a verdict: the other task kinds do not teach "incomplete"
    assert [e for e in examples if "verdict" in e.output] == kinds(examples)["structure"]


@pytest.mark.parametrize("heading, sections", [
    ("Quick Start", ["Usage"]),
    ("Module Purpose", ["Overview"]),
    ("What It Does", ["Overview"]),
    ("Getting Started", ["Installation"]),
    ("Setup", ["Installation"]),
    ("CLI Commands", ["Usage"]),
    ("How To Use", ["Usage"]),
    ("Requirements", ["Dependencies"]),
    ("2. Requirements and Versions", ["Dependencies"]),
    ("Compliance Requirements for Agents", []),  # "requirements" does not begin the heading
    ("Depends On", ["Dependencies"]),
    ("Dependency", []),  # whole words: the table says "dependencies"
    ("WSP 49 Compliance Checklist", ["WSP Compliance"]),
    ("Compliance with WSP", ["WSP Compliance"]),
    ("Development Protocol Checklist (PoC Stage)", []),  # a checklist that names no WSP
    ("Protocol References", ["WSP Compliance"]),
    ("WSP Integration Points", []),
    ("Test Files", ["Testing"]),
    ("Latest Results", []),  # "test" inside a word is not the word
    ("Testing & Validation", ["Testing"]),
    ("Installation & Usage", ["Installation", "Usage"]),
    ("Architecture", []),
])
def test_the_synonym_table_maps_whole_words_case_insensitively(heading, sections):
    assert provided(heading, rules_of(PACK)) == sections
    assert provided(heading.upper(), rules_of(PACK)) == sections


def test_the_one_synonym_table_lives_in_the_domain_pack():
    rules = PACK.rules
    assert list(rules["sections"]) == STANDARD
    assert "quick start" in rules["sections"]["Usage"] and "purpose" in rules["sections"]["Overview"]
    # the extractor reads the table from the pack: a pack with another table maps headings by it
    other = PACK.model_copy(update={"rules": {**rules, "sections": {**rules["sections"], "Usage": ["usage"]}}})
    assert provided("Quick Start", rules_of(other)) == [] and provided("Quick Start", rules_of(PACK)) == ["Usage"]


def test_a_complete_readme_is_labelled_complete(tmp_path):
    text = doc("# Points Ledger Module", "", "## Overview", "Awards points for chat participation.",
               "## Installation", "No manual setup is needed at all.", "## Usage", "Call `award()` per message.",
               "## WSP Compliance", "- WSP 60: events are the memory", "- WSP 22: ModLog kept",
               "## Dependencies", "- sqlite3", "- pyyaml", "## Testing", "Run pytest in the tests folder.")
    [check] = kinds(mine(tmp_path, text))["structure"]
    assert check.output["verdict"] == "complete" and "missing" not in check.output
    assert list(check.output["present"]) == STANDARD and check.label == "complete"


def test_sections_are_level_2_or_level_1_or_bold_lines_where_there_is_neither(tmp_path):
    h1_only = doc("# chat_rules", "", "# Overview", "Moderation rules for chat messages.", "",
                  "# Usage", "Call check() on every message before posting.", "### Detail", "text")
    [check] = kinds(mine(tmp_path, h1_only))["structure"]
    assert check.input["sections"] == ["Overview", "Usage"]
    bold_only = doc("# chat_rules", "", "**Overview**", "Moderation rules for chat messages.", "",
                    "**Installation:**", "Nothing to install.", "", "**Status**: Prototype")
    [check] = kinds(mine(tmp_path, bold_only))["structure"]
    assert check.input["sections"] == ["Overview", "Installation"]  # bold lines where there are no # headings
    one = doc("# chat_rules", "", "## Overview", "Moderation rules for chat messages.")
    assert mine(tmp_path, one) == []  # one section heading is not a README outline



def test_setext_headings_and_headings_behind_escapes_are_sections(tmp_path):
    text = doc("Feed Relay Module", "=================", "", "Overview", "--------",
               "Feed Relay forwards stream events to chat.", "", "[U+1F4CB] ## Usage",
               "Call relay(event) for each event.", "## [U+2699]\ufe0f **Dependencies**", "- requests")
    ex = kinds(mine(tmp_path, text))
    [check] = ex["structure"]
    assert check.line == 2 and check.input["sections"] == ["Overview", "Usage", "Dependencies"]
    [sec] = ex["section"]  # all three provide a standard section: one of them is asked about
    assert (sec.input["heading"], sec.input["text"]) in {
        ("Overview", "Feed Relay forwards stream events to chat."), ("Usage", "Call relay(event) for each event.")}

@pytest.mark.parametrize("title, body", [
    ("# Menu Handler Tests - README", []),  # the title names README
    ("# token_manager", []),  # a module identifier
    ("# Module: banter_engine", []),
    ("# WSP_knowledge/reports/ - Historical Reports Archive", []),
    ("# Root Violation Monitor Module", []),  # a title ending in a README noun
    ("# Shared Tools Architecture", ["This directory contains the shared tools used by every agent."]),
    ("# Orchestrator", ["Routes tasks to workers.", "", "## Purpose", "Routes tasks.", "## Usage", "Run it.",
                        "## Dependencies", "- holo_index"]),  # three standard sections, one of them Usage
    ("# HoloIndex", ["## Quick Start", "Run holo_index.py --search."]),  # an overview and a how-to-use
])
def test_a_readme_is_found_by_what_it_says_it_documents(tmp_path, title, body):
    text = doc(title, "", *body, "", "## Overview", "It does one thing well.", "## Architecture", "One process.")
    assert kinds(mine(tmp_path, text))["structure"], title


def test_a_readme_path_above_the_title_or_a_this_file_tree_names_it(tmp_path):
    above = doc("Read(modules/ai/feed_relay/README.md)", "# Relay", "", "## Overview", "Relays events.",
                "## Notes", "None yet.")
    tree = doc("# Member Area", "", "## Overview", "The member dashboard.", "## Layout", "```",
               "public/member/", "|-- index.html", "|-- README.md           # This file", "```")
    assert kinds(mine(tmp_path, above))["structure"] and kinds(mine(tmp_path, tree))["structure"]


@pytest.mark.parametrize("text", [
    # one-line glosses of a README in a file list
    doc("# Module Files", "", "## Files", "- `README.md` - Purpose, installation, usage",
        "+-- README.md   # Module overview and usage", "## Notes", "All present."),
    # audit notes about READMEs, a test-case name, a hypothetical
    doc("# Session Notes", "", "## Done", "- Added missing README.md to stream_resolver",
        "- README.md missing Usage section (WSP 22)", "## Tests",
        "- test_readme_missing_sections_reports_usage", "## Ideas",
        "If the README lacked a Testing section, the checker would flag it."),
    # a report about READMEs, with standard-looking sections
    doc("# README Audit - Round 2", "", "## Summary", "Two of nine READMEs are complete.", "## Usage",
        "Run the checker.", "## Dependencies", "- pyyaml"),
    # a ModLog and a roadmap of a module
    doc("# Feed Relay Module - ModLog", "", "## Overview", "Changes.", "## Usage", "None.", "## Testing", "None."),
    doc("# Feed Relay Module - Roadmap", "", "## Overview", "Plan.", "## Usage", "Later.", "## Testing", "Later."),
    # a skill definition (YAML front matter) with a README noun in its title
    doc("---", "name: mps_eval", "description: score violations", "---", "", "# MPS Evaluation Skill", "",
        "## Instructions", "Score it.", "## Benchmark Test Cases", "- case 1"),
    # a module's interface document, and a design note whose headings give no overview
    doc("# Feed Relay Module Interface", "", "## Overview", "The public calls.", "## Usage", "Call relay().",
        "## Dependencies", "- requests"),
    doc("# Recursive Pattern Learning Design", "", "## Architecture", "Two stores.", "## Usage Flow",
        "Search, then record.", "## WSP Compliance", "- WSP 48"),
    # a WSP protocol
    doc("# WSP 49: Module Directory Structure Standardization Protocol", "", "## 1. Overview", "Rules.",
        "## 2. Usage", "Apply.", "## 3. Dependencies", "None."),
])
def test_lines_about_readmes_and_other_documents_are_not_readmes(tmp_path, text):
    assert mine(tmp_path, text) == []


def test_readme_outline_in_a_code_block_is_an_item(tmp_path):
    text = doc("# HoloIndex Playbook", "", "## Missing documentation", "2. **Create Required Docs**",
               "   ```markdown", "   # README.md Template", "   ## Purpose", "   What this module does", "",
               "   ## Usage", "   How to use it", "   ```", "3. **Update ModLog**")
    [check] = mine(tmp_path, text)  # a template: its text is guidance, so only its structure is checked
    assert check.line == 7 and check.evidence == "# README.md Template"
    assert check.output["missing"] == ["Installation", "WSP Compliance", "Dependencies", "Testing"]


def test_readmes_pasted_one_after_another_without_a_separator_are_each_read(tmp_path):
    text = "\n".join([
        SEP, "$ holo --check modules/gamification/points_ledger", "[HEALTH] points_ledger README incomplete",
        "----", "# Points Ledger", "", "## Overview", "Awards viewer points for chat participation.",
        "## Usage", "Call award() for each message.", "", "# Stream Resolver", "",
        "## Overview", "Finds out whether a channel is live right now.", "## Installation", "Nothing extra.",
        "## Usage", "Call is_live(channel_id) before polling.", "## Dependencies", "- requests",
        "", "## [2025-10-11] Livechat greeting dedupe", "- Greeting no longer repeats after reconnects",
    ])
    checks = kinds(mine(tmp_path, text))["structure"]
    assert [(c.line, c.input["sections"]) for c in checks] == [
        (5, ["Overview", "Usage"]),  # its title is the module the text names (points_ledger)
        (12, ["Overview", "Installation", "Usage", "Dependencies"]),  # three standard sections; the ModLog entry under it is not one
    ]


def test_the_skeleton_gives_the_standard_outline_from_the_description_and_purpose(tmp_path):
    text = doc("# Feed Relay Module", "", "**Status**: Prototype", "",
               "**Purpose**: Forwards stream events to the chat bridge within two seconds.", "",
               "## Overview", "Feed Relay is the only module that reads the platform event stream.",
               "## Usage", "Call relay(event) for each event.")
    [sk] = kinds(mine(tmp_path, text))["skeleton"]
    assert sk.input == {"module": "Feed Relay Module",
                        "description": "Forwards stream events to the chat bridge within two seconds.",
                        "purpose": "Feed Relay is the only module that reads the platform event stream."}
    outline = sk.output["outline"]
    assert outline.startswith("# Feed Relay Module\n\n## Overview\nForwards stream events")
    assert [l[3:] for l in outline.splitlines() if l.startswith("## ")] == STANDARD
    assert "<!-- how to install and set up the module -->" in outline  # placeholders say what belongs there
    assert "Prototype" not in outline  # metadata is not a description


def test_no_skeleton_or_section_purpose_from_a_template_placeholder(tmp_path):
    text = doc("# response_composer", "", "## Module Overview", "**Purpose:** [Module functionality description - update this]",
               "", "## Public API & Usage", "*(Provide basic instructions on how to use this module)*")
    ex = kinds(mine(tmp_path, text))
    assert len(ex["structure"]) == 1 and ex["skeleton"] == [] and ex["section"] == []
    placeholder_title = doc("# [MODULE_NAME]", "", "## Overview", "Real words that describe nothing yet.",
                            "## Usage", "Call the module.")
    assert [list(e.output) for e in mine(tmp_path, placeholder_title)] == [["present", "missing", "verdict"]]


def test_section_purpose_classifies_a_section_and_says_what_its_text_says(tmp_path):
    sections = kinds(mine(tmp_path, FEED))["section"]
    assert len(sections) == 2  # one section that provides a standard section, one that provides none
    by_heading = {e.input["heading"]: e for e in sections}
    none = next(e for e in sections if not any(e.output["standard_sections"].values()))
    assert none.input == {"readme": "Feed Relay Module", "heading": "Architecture",
                          "text": "The relay is one asyncio task per channel."}
    assert none.output == {"standard_sections": dict.fromkeys(STANDARD, False),
                           "role": "none of the standard sections",
                           "says": "The relay is one asyncio task per channel."}
    std = next(e for h, e in by_heading.items() if h != "Architecture")
    names = [k for k, v in std.output["standard_sections"].items() if v]
    assert list(std.output["standard_sections"]) == STANDARD and len(names) == 1
    assert std.output["role"].startswith(f"{names[0]}: ")


def test_section_text_and_what_it_says_are_clean(tmp_path):
    text = doc("# Feed Relay Module", "", "## Module Purpose",
               "[U+1F3AF] Feed Relay forwards **stream events** to the [chat bridge](../chat/README.md) within two "
               "seconds of arrival. It keeps no state.",
               "## Notes", "- [OK] `relay()` checked [GREATER_EQUAL]90% coverage", "- drain() flushes the queue")
    by = {e.input["heading"]: e for e in kinds(mine(tmp_path, text))["section"]}
    purpose = by["Module Purpose"]
    assert purpose.input["text"] == ("Feed Relay forwards stream events to the chat bridge within two seconds of "
                                     "arrival. It keeps no state.")
    # one whole sentence, without markup, link target or escape
    assert purpose.output["says"] == "Feed Relay forwards stream events to the chat bridge within two seconds of arrival."
    notes = by["Notes"]
    assert notes.input["text"] == "- relay() checked >=90% coverage\n- drain() flushes the queue"
    assert notes.output["says"] == "2 items: relay() checked >=90% coverage; drain() flushes the queue"


def test_a_section_of_bold_subheadings_says_them_and_shows_them_as_subheadings(tmp_path):
    text = doc("# Member Area Module", "", "## Overview", "The dashboard of signed-in members.",
               "## Development Checklist", "", "**Phase 1: Build**", "- [ ] Define the core class.",
               "", "**Phase 2: Test**", "- [ ] Write one unit test.")
    dev = next(e for e in kinds(mine(tmp_path, text))["section"] if e.input["heading"] == "Development Checklist")
    assert dev.input["text"] == "**Phase 1: Build**\n- Define the core class.\n**Phase 2: Test**\n- Write one unit test."
    assert dev.output["says"] == "2 subsections: Phase 1: Build; Phase 2: Test"

def test_what_a_section_says_is_its_first_whole_sentence_and_the_next_after_a_short_lead(tmp_path):
    text = doc("# Account Swapper Skill", "", "## Overview",
               "Switches between channels (e.g. Move2Japan, U.S. mirrors) of one account. It uses the DOM.",
               "## Architecture", "One browser per account.")
    over = next(e for e in kinds(mine(tmp_path, text))["section"] if e.input["heading"] == "Overview")
    assert over.output["says"] == "Switches between channels (e.g. Move2Japan, U.S. mirrors) of one account."
    lead = doc("# Log Analyzer Module", "", "## Core Purpose",
               "**First Principles**: data teaches. This module turns long execution logs into patterns. More.",
               "## Architecture", "One reader per log file.")
    core = next(e for e in kinds(mine(tmp_path, lead))["section"] if e.input["heading"] == "Core Purpose")
    assert core.output["says"] == "First Principles: data teaches. This module turns long execution logs into patterns."


def test_a_lead_in_ending_in_a_colon_is_quoted_with_its_list(tmp_path):
    text = doc("# Member Area Module", "", "## Overview", "Signed-in users manage all of their:", "- token balance", "- invites",
               "## Architecture", "One page per layer.")
    over = next(e for e in kinds(mine(tmp_path, text))["section"] if e.input["heading"] == "Overview")
    assert over.output["says"] == "Signed-in users manage all of their: token balance; invites"  # no dangling colon


def test_a_section_shown_in_part_says_only_what_is_shown(tmp_path):
    long_items = [f"- step {i} of the loader" for i in range(1, 41)]
    text = doc("# Loader Module", "", "## Steps", *long_items, "## Usage", "Run the loader once per boot.")
    steps = [e for e in kinds(mine(tmp_path, text))["section"] if e.input["heading"] == "Steps"]
    assert steps == []  # a list longer than the text shown would be summarised from lines the input lacks


def test_a_readme_cut_short_gets_no_verdict(tmp_path):
    text = doc("# Feed Relay Module", "", "## Overview", "Forwards stream events to the chat bridge.",
               "## Usage", "Call relay(event) for each event.", "...")
    examples = mine(tmp_path, text)
    assert examples and kinds(examples)["structure"] == [] and {e.label for e in examples} == {None}
    unclosed = doc("# Notes", "```markdown", "# README.md", "## Overview", "Relays events to chat.", "## Usage",
                   "Run it.")
    assert kinds(mine(tmp_path, unclosed))["structure"] == []


@pytest.mark.parametrize("copies, between", [(2, SEP), (5, SEP), (2, "")], ids=["twice", "five-times", "no-separator"])
def test_a_readme_pasted_again_gives_byte_identical_examples_rejected_as_duplicates(tmp_path, copies, between):
    body = FEED.split("\n", 1)[1]  # the README without its separator line
    examples = mine(tmp_path, *[f"{between}\n{body}\n[12:00:01] pasted"] * copies)
    first = [e for e in examples if e.line == 2]
    again = [e for e in examples if e.line > 2]
    assert len(first) >= 3 and len(again) == (copies - 1) * len(first)
    key = lambda e: json.dumps([e.instruction, e.input, e.output], sort_keys=True)  # noqa: E731
    assert {key(e) for e in again} == {key(e) for e in first}
    result = filter_quality(examples)
    assert sorted(e.line for e in result.kept) == [2] * len(first)  # one item, however often it was pasted
    assert all(r.reasons[0].startswith("Duplicate pattern") for r in result.rejected)


def test_identical_template_trees_make_no_items(tmp_path):
    tree = doc("# Module Layout", "", "```", "modules/x/", "+-- README.md", "+-- INTERFACE.md", "+-- src/", "```")
    assert mine(tmp_path, *[tree] * 5) == []


def test_each_task_kind_has_at_least_three_phrasings_chosen_by_content():
    assert set(INSTRUCTION_KEYS["readme_patterns"]) == set(PACK.instructions) == {"structure", "skeleton", "section"}
    for key, phrasings in PACK.instructions.items():
        assert isinstance(phrasings, list) and len(set(phrasings)) >= 3, key


def test_the_sample_mine_gives_every_task_kind_and_both_verdicts(tmp_path):
    from helpers import SAMPLE, mine_file

    kept = filter_quality(mine_file(SAMPLE, "readme_patterns")).kept
    ex = kinds(kept)
    assert all(len(v) >= 10 for v in ex.values()), {k: len(v) for k, v in ex.items()}
    assert {e.label for e in ex["structure"]} == {"complete", "incomplete"}


@pytest.mark.corpus
def test_dev_corpus_meets_the_gold_thresholds(tmp_path):
    """score.py on ../shared/gold/dev: precision >= 0.95, recall >= 0.90, label accuracy >= 0.95,
    at least 50 kept examples, all three task kinds."""
    data = tmp_path / "data"
    subprocess.run([sys.executable, "-m", "training_data_miner.server", "mine", str(corpus()), "--domain",
                    "readme_patterns", "--data-dir", str(data), "--no-semantic", "-q"], check=True)
    r = gold_report(data / "training_datasets", "readme_patterns")
    assert r["precision"] >= 0.95 and r["recall"] >= 0.90 and r["label_accuracy"] >= 0.95, r
    kept = json.loads((data / "training_datasets" / "readme_patterns_training_data.json").read_text())["examples"]
    assert len(kept) >= 50
    assert {("verdict" in e["output"], "outline" in e["output"]) for e in kept} == {(True, False), (False, True),
                                                                                     (False, False)}
