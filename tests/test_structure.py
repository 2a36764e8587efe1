"""The source's structure (skills/structure.py) on hand-written text: documents, heading paths,
tables, list items and their check states, fenced blocks and JSON, log records, fields. On
012_dev.txt it is held against markdown-it-py's tokens where both read the same blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from training_data_miner.skills.structure import Structure, parse_document, split_documents

SEP = "=" * 77

TEXT = "\n".join([
    SEP,                                                      # 1
    "# [U+1F6E0]\ufe0f Utils Module - ModLog",                # 2
    "",                                                       # 3
    "## [2025-10-15] Added the cache",                        # 4
    "**Date**: 2025-10-15",                                   # 5
    "Status: NOT STARTED",                                    # 6
    "### Why",                                                # 7
    "Slow lookups.",                                          # 8
    SEP,                                                      # 9
    "modules/foo/README.md",                                  # 10
    "# Foo",                                                  # 11
    "",                                                       # 12
    "Overview text",                                          # 13
    "-------------",                                          # 14
    "",                                                       # 15
    "**Key Capabilities**",                                   # 16
    "- [x] parse",                                            # 17
    "  - [ ] nested open",                                    # 18
    "    continued line",                                     # 19
    "- \u2705 shipped",                                       # 20
    "- \u274c broken",                                        # 21
    "- \u23f3 waiting",                                       # 22
    "- [OK] fine",                                            # 23
    "- ~~dropped~~",                                          # 24
    "1. first",                                               # 25
    "",                                                       # 26
    "| Dimension | Score |",                                  # 27
    "|---|---:|",                                             # 28
    "| Complexity | 3 |",                                     # 29
    "Impact | 4",                                             # 30
    "",                                                       # 31
    "```json",                                                # 32
    '{"mps_score": {"total": 14}}',                           # 33
    "```",                                                    # 34
    "```python",                                              # 35
    "# not a heading",                                        # 36
    "    ```",                                                # 37
    "```",                                                    # 38
    "2025-10-15 12:18:54,083 - mod.dae - INFO - [BOT][AI] [QWEN-SCORE] UnDaoDu: 5.38",  # 39
    "[[SEARCH] Channel 1/3] Checking",                        # 40
    "[21:48:11] [0102-MPS-CRITICAL] vibecoding_pattern = 14 (P1)",  # 41
    "",                                                       # 42
    "=== 2025-10-01 17:09:29 SEARCH ===",                     # 43
    "Query: linkedin",                                        # 44
    "[U+1F4CB] ## Behind an escape",                          # 45
    "text under it",                                          # 46
])


@pytest.fixture
def source(tmp_path: Path) -> Path:
    p = tmp_path / "012.txt"
    p.write_text(TEXT + "\n", encoding="utf-8")
    return p


def test_documents_are_cut_at_separators_and_at_a_path_line_opening_a_title(source: Path) -> None:
    st = Structure.read(source)
    docs = list(st.documents())
    assert [(d.start, d.end) for d in docs] == [(1, 8), (9, 46)]
    assert [(s.start, s.end, s.offset) for s in split_documents(source)] == [(1, 8, 0), (9, 46, len(("\n".join(TEXT.split("\n")[:8]) + "\n").encode()))]
    a, b = docs
    assert (a.title, a.kind, a.evidence) == ("Utils Module - ModLog", "modlog", "title says 'ModLog'")
    assert (b.title, b.path, b.kind) == ("Foo", "modules/foo/README.md", "readme")
    assert b.evidence == "path says 'README'"
    assert st.at(30) is b and st.at(8) is a


def test_a_path_line_without_a_separator_opens_a_document(tmp_path: Path) -> None:
    p = tmp_path / "s.txt"
    p.write_text("# Notes\ntext\nmodules/bar/ROADMAP.md\n\n# Bar Roadmap\n- [x] done\n", encoding="utf-8")
    docs = list(Structure.read(p).documents())
    assert [(d.start, d.end, d.title, d.path, d.kind) for d in docs] == [
        (1, 2, "Notes", None, "other"), (3, 6, "Bar Roadmap", "modules/bar/ROADMAP.md", "roadmap")]


def test_heading_paths_cover_atx_setext_bold_and_escaped_headings(source: Path) -> None:
    st = Structure.read(source)
    a, b = st.documents()
    assert a.heading_path(8) == ["Utils Module - ModLog", "[2025-10-15] Added the cache", "Why"]
    assert a.heading_path(5) == ["Utils Module - ModLog", "[2025-10-15] Added the cache"]
    assert b.heading_path(17) == ["Foo", "Overview text", "Key Capabilities"]
    assert b.heading_path(46) == ["Foo", "Behind an escape"]
    styles = [(h.line, h.level, h.style) for h in b.headings()]
    assert styles == [(11, 1, "atx"), (13, 2, "setext"), (16, 7, "bold"), (45, 2, "atx")]
    entry = a.section_at(6)
    assert (entry.start, entry.end, entry.body_end) == (4, 8, 6)
    assert [s.title for s in a.subsections(entry)] == ["Why"]


def test_table_rows_carry_their_header_with_or_without_outer_pipes(source: Path) -> None:
    b = Structure.read(source).at(29)
    [t] = b.tables
    assert (t.start, t.end, t.header) == (27, 30, ["Dimension", "Score"])
    assert [(r.line, r.cells) for r in t.rows] == [(29, ["Complexity", "3"]), (30, ["Impact", "4"])]
    assert t.record(t.rows[1]) == {"Dimension": "Impact", "Score": "4"}
    assert b.describe(30)["block"] == {"kind": "table_row", "start": 27, "end": 30,
                                       "header": ["Dimension", "Score"], "cells": ["Impact", "4"]}


def test_list_items_have_nesting_continuations_and_check_states(source: Path) -> None:
    b = Structure.read(source).at(17)
    got = [(i.line, i.end, i.text, i.check, i.parent) for i in b.items]
    assert got == [
        (17, 17, "parse", "done", None), (18, 19, "nested open", "open", 0), (20, 20, "shipped", "done", None),
        (21, 21, "broken", "failed", None), (22, 22, "waiting", "pending", None), (23, 23, "fine", "done", None),
        (24, 24, "~~dropped~~", "struck", None), (25, 25, "first", None, None)]
    assert b.describe(19)["block"] == {"kind": "list_item", "start": 18, "end": 19, "check": "open", "parent": "parse"}


def test_fenced_blocks_keep_their_language_json_and_quoted_fences(source: Path) -> None:
    b = Structure.read(source).at(33)
    assert [(f.start, f.end, f.lang, f.json) for f in b.fences] == [
        (32, 34, "json", {"mps_score": {"total": 14}}), (35, 38, "python", None)]
    assert b.fences[1].body == ["# not a heading", "    ```"]
    assert all(h.line != 36 for h in b.headings())
    assert b.describe(33)["block"]["kind"] == "json"


def test_log_records_have_time_logger_level_tags_and_continuations(source: Path) -> None:
    b = Structure.read(source).at(39)
    got = [(r.line, r.end, r.time, r.logger, r.level, r.tags, r.message) for r in b.records]
    assert got == [
        (39, 40, "2025-10-15 12:18:54,083", "mod.dae", "INFO", ["BOT", "AI", "QWEN-SCORE"], "UnDaoDu: 5.38"),
        (41, 41, "21:48:11", None, None, ["0102-MPS-CRITICAL"], "vibecoding_pattern = 14 (P1)"),
        (43, 44, "2025-10-01 17:09:29", "SEARCH", None, [], ""),
    ]


def test_fields_are_attached_to_their_section(source: Path) -> None:
    a = Structure.read(source).at(5)
    assert [(f.line, f.key, f.value, a.sections[f.section].title) for f in a.fields] == [
        (5, "Date", "2025-10-15", "[2025-10-15] Added the cache"),
        (6, "Status", "NOT STARTED", "[2025-10-15] Added the cache")]


def test_front_matter_is_fields_not_a_heading() -> None:
    d = parse_document([SEP, "---", "name: skill_x", "version: 1.0", "---", "# Skill X"], 1)
    assert [(f.key, f.value) for f in d.fields] == [("name", "skill_x"), ("version", "1.0")]
    assert [(h.line, h.title) for h in d.headings()] == [(6, "Skill X")]


@pytest.mark.parametrize("title, kind", [
    ("Utils Module - ModLog", "modlog"), ("ModLog: Tokenization System", "modlog"),
    ("Memory Orchestrator ModLog (WSP 22)", "modlog"), ("FoundUps Agent - Development Log", "modlog"),
    ("Gateway Module Change Log", "modlog"), ("MODLOG ENTRIES", "modlog"),
    ("[2025-10-22] dae_infrastructure ModLog.md created", "other"), ("ModLog Template", "other"),
    ("Generate the roadmap from the ModLog?", "roadmap"),
])
def test_a_document_is_a_modlog_when_its_title_names_the_log_not_when_it_mentions_one(title, kind) -> None:
    doc = parse_document([SEP, f"# {title}", "", "text"], 1)
    assert doc.kind == kind


def test_long_stretches_are_cut_into_parts_and_lines_are_kept_whole(tmp_path: Path) -> None:
    p = tmp_path / "log.txt"
    p.write_bytes(b"\xef\xbb\xbfline\r\n" * 25 + b"last without end")
    spans = list(split_documents(p, max_lines=10))
    assert [(s.start, s.end, s.part) for s in spans] == [(1, 10, 0), (11, 20, 1), (21, 26, 2)]
    assert sum(s.length for s in spans) == p.stat().st_size
    st = Structure(p, spans, None)  # parsed on demand, as for a source too big to hold
    assert st.at(1).lines[0] == "line" and st.at(26).lines[-1] == "last without end"
    assert st.at(15).start == 11


def test_a_changed_source_is_refused(source: Path) -> None:
    from training_data_miner.skills.load_source import SourceError

    with pytest.raises(SourceError, match="source changed since load_source"):
        Structure.read(source, sha256="0" * 64)


def test_agrees_with_markdown_it_on_the_blocks_both_read(dev_corpus: Path) -> None:
    """Headings, tables, fenced blocks and list items of every 012_dev.txt document without raw
    HTML (an unclosed `<!--` makes CommonMark swallow the rest of a document; the miner reads on),
    against markdown-it-py with its table and task-list rules."""
    markdown_it = pytest.importorskip("markdown_it")
    tasklists = pytest.importorskip("mdit_py_plugins.tasklists")
    md = markdown_it.MarkdownIt("commonmark").enable("table").use(tasklists.tasklists_plugin)
    totals = {"heading": [0, 0], "table": [0, 0], "fence": [0, 0], "item": [0, 0]}
    for doc in Structure.read(dev_corpus).documents():
        if any("<!--" in t for t in doc.lines):
            continue
        tokens = md.parse("\n".join(doc.lines))
        theirs = {
            "heading": {doc.start + t.map[0] for t in tokens if t.type == "heading_open" and t.markup.startswith("#")},
            "table": {doc.start + t.map[0] for t in tokens if t.type == "table_open"},
            "fence": {doc.start + t.map[0] for t in tokens if t.type == "fence"},
            "item": {doc.start + t.map[0] for t in tokens if t.type == "list_item_open"},
        }
        mine = {
            "heading": {h.line for h in doc.headings() if h.style == "atx" and not doc.text(h.line).startswith("[")},
            "table": {t.start for t in doc.tables},
            "fence": {f.start for f in doc.fences},
            "item": {i.line for i in doc.items},
        }
        for k in totals:
            totals[k][0] += len(theirs[k])
            totals[k][1] += len(theirs[k] ^ mine[k])
    assert totals["heading"][0] > 3000 and totals["item"][0] > 10000 and totals["table"][0] > 50
    for kind, (n, differ) in totals.items():
        assert differ <= n * 0.002, (kind, n, differ)
