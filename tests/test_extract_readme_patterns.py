"""readme_patterns: a README's sections -> the standard sections it has and those it lacks."""

from __future__ import annotations


import pytest

from training_data_miner.skills.extract_examples import extract_examples
from training_data_miner.skills.extractors import readme_patterns
from training_data_miner.skills.filter_quality import filter_quality
from training_data_miner.skills.identify_domain_patterns import identify_domain_patterns
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import BUILTIN_DIR, load_pack

from helpers import corpus  # noqa: E402


@pytest.fixture(scope="module")
def pack():
    return load_pack(BUILTIN_DIR / "readme_patterns.toml")


def match(text: str, after: list[str], before: list[str] | None = None, line: int = 300,
          pattern: str = "doc_title") -> Match:
    return Match(domain="readme_patterns", pattern=pattern, line=line, text=text,
                 context_before=before or [], context_after=after)


README = [
    "",
    "## Overview",
    "Collects feeds.",
    "## Installation",
    "```bash",
    "# Install from the repo root",
    "pip install -r requirements.txt",
    "```",
    "## Usage Examples",
    "### Basic",
    "## Dependencies",
    "=============================================================================",
    "# Next Document - ModLog",
    "## Testing",
]


def test_readme_outline_lists_present_and_missing_standard_sections(pack):
    before = ["$ cat modules/infrastructure/feeds/README.md"]
    [d] = readme_patterns.extract(match("# Feed Integration", README, before), pack)
    assert d.input == {"document": "Feed Integration",
                       "outline": "## Overview\n## Installation\n## Usage Examples\n  ### Basic\n## Dependencies"}
    assert d.output == {
        "sections": ["Overview", "Installation", "Usage Examples", "Dependencies"],
        "present_standard_sections": ["Overview", "Installation", "Usage", "Dependencies"],
        "section_map": {"Overview": "Overview", "Installation": "Installation", "Usage": "Usage Examples",
                        "Dependencies": "Dependencies"},
        "missing_sections": ["WSP Compliance", "Testing"],  # "## Testing" belongs to the next document
        "verdict": "incomplete",
    }
    assert d.rationale == 1.0 and d.ambiguity == 0.0 and d.evidence == "# Feed Integration"
    [ex] = extract_examples([match("# Feed Integration", README, before)], pack, "t.txt")
    assert ex.quality_score == 1.0


def test_a_complete_readme_has_no_missing_sections(pack):
    after = ["## Overview", "## Installation", "## Usage", "## WSP Compliance", "## Dependencies", "## Testing"]
    [d] = readme_patterns.extract(match("# Widget - README", after), pack)
    assert d.output["verdict"] == "complete" and "missing_sections" not in d.output
    assert "missing_sections" not in d.required


def test_module_title_without_readme_name_is_flagged_and_synonyms_are_named(pack):
    after = ["## Module Purpose", "## WSP Compliance Status", "## Dependencies", "## Usage"]
    [d] = readme_patterns.extract(match("# [U+1F300] Root Violation Monitor Module", after), pack)
    assert d.input["document"] == "Root Violation Monitor Module"
    assert d.output["section_map"]["Overview"] == "Module Purpose"
    assert d.ambiguity == 0.5
    assert d.ambiguities == ["README-like by its title and sections; not named README",
                             "'Module Purpose' read as Overview"]


@pytest.mark.parametrize("title, after", [
    ("# Session Summary: Phase 3C", ["## Overview", "## Testing", "## Dependencies"]),  # a report
    ("# Src Module - Roadmap", ["## Overview", "## Development Roadmap"]),  # a roadmap
    ("# WSP 30: Agentic Module Build Orchestration", ["## 1. Overview", "## 2. Usage"]),  # a protocol
    ("# Run specific test file", ["pytest tests/ -v", "```"]),  # a shell comment
    ("# Notes From Today", ["## Ideas", "## Dependencies"]),  # one standard section, plain title
])
def test_non_readmes_are_skipped(pack, title, after):
    assert readme_patterns.extract(match(title, after), pack) == []


def test_sub_title_is_read_as_part_of_the_module_title(pack):
    after = ["", "# [U+1F300] Windsurf Protocol (WSP) Recursive Prompt", "", "## Overview", "## Usage"]
    [d] = readme_patterns.extract(match("# Module: banter_engine", after), pack)
    assert d.output["sections"] == ["Overview", "Usage"]
    second = match("# [U+1F300] Windsurf Protocol (WSP) Recursive Prompt", after[2:], ["# Module: banter_engine", ""])
    assert readme_patterns.extract(second, pack) == []


def test_described_readme_line(pack):
    text = "- [OK] `README.md` - Purpose, installation, usage instructions"
    [d] = readme_patterns.extract(match(text, [], pattern="readme_described"), pack)
    assert d.input == {"document": "README.md", "description": "Purpose, installation, usage instructions"}
    assert d.output == {"present_standard_sections": ["Overview", "Installation", "Usage"],
                        "missing_sections": ["WSP Compliance", "Dependencies", "Testing"],
                        "verdict": "incomplete"}
    assert d.evidence in text and d.rationale == 0.75 and d.ambiguity == 0.5


@pytest.mark.parametrize("text", [
    "- **Updated**: `README.md` - Added new utility scripts to documentation",  # a change note
    "- `README.md` - Module documentation",  # names no section
    "- **README**: [Remote Builder Overview](platform_integration/remote_builder/README.md)",  # a link
    "2.  Generate or update the `README.md` with WSP-compliant documentation.",  # a task
])
def test_described_lines_that_say_nothing_about_sections(pack, text):
    assert readme_patterns.extract(match(text, [], pattern="readme_described"), pack) == []


def test_mojibake_before_the_path_is_dropped_but_evidence_stays_verbatim(pack):
    text = "- **[U+2701]Emodules/ai/menu_handler/README.md**: Complete documentation with WSP compliance"
    [d] = readme_patterns.extract(match(text, [], pattern="readme_described"), pack)
    assert d.input["document"] == "modules/ai/menu_handler/README.md"
    assert d.evidence in text


def test_stale_readme_audit_note(pack):
    text = "[U+26A0] [WSP-GUARDIAN][STALE-WARNING] WSP_framework\\tests\\README.md not updated in 114 days (expected: 90d)"
    [d] = readme_patterns.extract(match(text, [], pattern="readme_audit"), pack)
    assert d.output == {"document": "WSP_framework/tests/README.md", "finding": "stale", "days_since_update": 114,
                        "threshold_days": 90, "verdict": "stale", "overdue_days": 24}
    assert d.evidence in text and d.rationale == 1.0


def test_missing_readme_audit_note_names_the_nearest_wsp(pack):
    text = 'violations=["WSP 3: Wrong domain", "WSP 49: Missing README"],'
    [d] = readme_patterns.extract(match(text, [], pattern="readme_audit"), pack)
    assert d.output == {"document": "README.md", "finding": "missing_file", "verdict": "missing",
                        "required_by": "WSP 49"}


def test_missing_readme_note_over_a_module_list(pack):
    text = "- Missing `tests/README.md` per WSP 34 requirements:"
    after = ["  - `ai_intelligence/0102_orchestrator`", "  - `communication/intent_manager`", "",
             "#### **V013.4: Missing Dependency Manifests (12 modules)**"]
    [d] = readme_patterns.extract(match(text, after, pattern="readme_audit"), pack)
    assert d.output == {"document": "tests/README.md", "finding": "missing_file", "verdict": "missing",
                        "modules": ["ai_intelligence/0102_orchestrator", "communication/intent_manager"],
                        "required_by": "WSP 34"}


def test_missing_section_audit_note(pack):
    text = "- README.md missing Usage and Testing sections (WSP 22)"
    [d] = readme_patterns.extract(match(text, [], pattern="readme_audit"), pack)
    assert d.output["missing_sections"] == ["Usage", "Testing"] and d.output["required_by"] == "WSP 22"


def test_module_tree_doc_set(pack):
    before = ["```", "modules/infrastructure/metrics_appender/"]
    text = "├── README.md          - Overview, features, usage examples"
    after = ["├── INTERFACE.md       - Public API documentation", "├── ModLog.md          - This change log",
             "├── src/", "│   └── metrics_appender.py", "├── tests/", "│   └── test_appender.py",
             "└── requirements.txt", "```"]
    drafts = readme_patterns.extract(match(text, after, before, pattern="readme_doc_set"), pack)
    doc_set = next(d for d in drafts if d.instruction_key == "doc_set")
    assert doc_set.output == {"module": "modules/infrastructure/metrics_appender",
                              "present_docs": ["README.md", "INTERFACE.md", "ModLog.md", "requirements.txt"],
                              "missing_docs": ["tests/README.md"], "verdict": "incomplete"}
    # the same line also describes the README's contents
    assert any(d.instruction_key == "described" for d in drafts)


def test_tests_dir_shown_without_files_leaves_its_readme_unknown(pack):
    before = ["modules/ai/rESP/"]
    text = "+-- README.md    # This file (updated)"
    after = ["+-- INTERFACE.md", "+-- ModLog.md", "+-- tests/", "+-- src/"]
    [d] = readme_patterns.extract(match(text, after, before, pattern="readme_doc_set"), pack)
    assert d.output["verdict"] == "complete" and "missing_docs" not in d.output


@pytest.mark.parametrize("heading, expected", [
    ("Public API & Usage", [("Usage", True)]),
    ("Module Purpose", [("Overview", False)]),
    ("Testing & Validation", [("Testing", True)]),
    ("WSP Compliance Status", [("WSP Compliance", True)]),
    ("Architecture Correction - No 0102 Dependency!", []),
    ("WSP 15 MPS Scoring Examples", []),
])
def test_classify(heading, expected):
    assert readme_patterns.classify(heading) == expected


@pytest.mark.corpus
def test_dev_corpus_yields_fifty_kept_readme_checks_with_evidence_on_their_line(pack):
    res = identify_domain_patterns(corpus(), [pack])
    exs = extract_examples(res.matches[pack.name], pack, corpus().name)
    kept = filter_quality(exs).kept
    assert len(kept) >= 50
    lines = corpus().read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff").split("\n")
    for ex in kept:
        assert ex.evidence in lines[ex.line - 1].rstrip("\r"), ex.source
        assert ex.output["verdict"] in ("complete", "incomplete", "stale", "current", "missing")
    # one example per document: no title line gives two outline examples
    outline_lines = [ex.line for ex in exs if ex.input.get("outline")]
    assert len(outline_lines) == len(set(outline_lines))


def test_this_file_prefilter_is_exact():
    # outline() runs _THIS_FILE only on lines whose lower() holds "readme": that misses nothing
    # only if no character but the ASCII letters matches r, e, a, d or m ignoring case.
    import sys

    import regex

    letter = regex.compile("(?i)[readm]")
    assert [hex(c) for c in range(sys.maxunicode + 1) if letter.fullmatch(chr(c)) and chr(c).lower() not in "readm"] == []
