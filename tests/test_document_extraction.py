"""The per-document extraction of skills/extract_examples.py: an item restated in a later document,
and the template cap.

A small document extractor written here (one draft per line "ITEM <name> <n>", or per template row
"ROW <name> <n>") stands in for a domain's: the run must drop a later document's draft whose
identity an earlier document already had, unless it is a byte-identical copy (which the quality
filter then rejects, on record); of the template rows with one answer it keeps two in the run.
"""

from __future__ import annotations

from helpers import PACKS

from training_data_miner.skills.extract_examples import Extraction
from training_data_miner.skills.extractors import TEMPLATE_CAP, Draft
from training_data_miner.skills.filter_quality import MIN_QUALITY, filter_quality
from training_data_miner.skills.generate_pattern_summary import generate_pattern_summary
from training_data_miner.skills.models import Match
from training_data_miner.skills.structure import Structure


def _items(doc, hits, pack):
    out = []
    for m in hits:
        if not doc.text(m.line).startswith(("ITEM", "ROW", "ONCE")):
            continue
        what, name, n = doc.text(m.line).split()
        out.append(Draft(instruction_key="priority", input={"task_description": name, "mps_total": int(n)},
                         output={"mps_total": int(n), "priority": "P2"}, evidence=doc.text(m.line),
                         kind="decision_trees", label="P2", rationale=1.0, line=m.line,
                         required=("mps_total", "priority"), identity=name,
                         template=f"rows with MPS {n}" if what in ("ROW", "ONCE") else None,
                         template_once=what == "ONCE"))
    return out


def run(tmp_path, text):
    src = tmp_path / "012.txt"
    src.write_text(text, encoding="utf-8")
    structure = Structure.read(src)
    lines = text.splitlines()
    hits = [Match(domain="mps_scoring", pattern=f"p{i + 1}", line=i + 1, text=t) for i, t in enumerate(lines)
            if t.startswith(("ITEM", "ROW", "NOTE", "ONCE"))]
    extraction = Extraction(PACKS["mps_scoring"], "012.txt", structure)
    extraction.extract_document = _items
    out = []
    for m in hits:
        out += extraction.feed(m)
    return out + extraction.finish()


def test_an_item_restated_in_other_words_in_a_later_document_is_not_made(tmp_path):
    sep = "=" * 77
    examples = run(tmp_path, f"ITEM alpha 10\nITEM beta 11\n{sep}\nnotes\nITEM alpha 12\nITEM gamma 13\n")
    assert [(e.input["task_description"], e.line) for e in examples] == [("alpha", 1), ("beta", 2), ("gamma", 6)]


def test_a_word_for_word_copy_is_made_and_the_filter_rejects_it_as_a_duplicate(tmp_path):
    sep = "=" * 77
    examples = run(tmp_path, f"ITEM alpha 10\n{sep}\nnotes\nITEM alpha 10\n")
    assert [e.line for e in examples] == [1, 4]
    fr = filter_quality(examples)
    assert [e.line for e in fr.kept] == [1]
    assert fr.rejected[0].reasons[0].startswith("Duplicate pattern")


def test_drafts_of_one_document_are_the_extractor_s_to_judge(tmp_path):
    # two drafts with one identity in one document (an item's several task kinds) are both made
    examples = run(tmp_path, "ITEM alpha 10\nITEM alpha 12\n")
    assert [e.line for e in examples] == [1, 2]


def test_each_example_keeps_the_hit_on_its_line(tmp_path):
    examples = run(tmp_path, "NOTE a\nITEM alpha 10\nNOTE b\nNOTE c\nITEM beta 11\n")
    assert [(e.line, e.pattern) for e in examples] == [(2, "p2"), (5, "p5")]


def test_template_rows_of_one_answer_are_capped_over_the_run(tmp_path):
    sep = "=" * 77
    text = (f"ROW a 10\nROW b 10\nROW c 10\nROW d 11\nITEM e 10\n{sep}\n"
            f"notes\nROW f 10\nROW a 10\nROW g 11\n")
    examples = run(tmp_path, text)
    fr = filter_quality(examples)
    # two rows per answer in the whole run, whatever their document; items that are no template
    # row are not counted; a word-for-word copy of a kept row is kept again and rejected as a duplicate
    assert TEMPLATE_CAP == 2
    assert sorted(e.line for e in fr.kept) == [1, 2, 4, 5, 10]
    capped = {r.example.line: r.reasons for r in fr.rejected if r.example.quality_score < MIN_QUALITY}
    assert sorted(capped) == [3, 8]
    assert all("Template dump capped: rows with MPS 10" in " ".join(r) for r in capped.values())
    dup = [r for r in fr.rejected if r.example.line == 9]
    assert dup and dup[0].reasons[0].startswith("Duplicate pattern")
    summary = generate_pattern_summary(PACKS["mps_scoring"], ["regex"], examples, fr)
    assert "2 template-dump rows rejected by the cap (at most 2 examples per identical answer)" in summary.notes


def test_a_template_row_whose_copies_teach_nothing_is_kept_once(tmp_path, monkeypatch):
    sep = "=" * 77
    text = f"ONCE a 10\nONCE b 10\nROW c 11\n{sep}\nnotes\nROW d 11\nROW e 11\n"
    fr = filter_quality(run(tmp_path, text))
    # one less than the cap (Draft.template_once); the other rows keep the cap
    assert sorted(e.line for e in fr.kept) == [1, 3, 6]
    capped = [r for r in fr.rejected if r.example.quality_score < MIN_QUALITY]
    assert sorted(r.example.line for r in capped) == [2, 7]
    once = next(r for r in capped if r.example.line == 2)
    assert "(1 example of this answer already kept; at most 1 per identical answer" in " ".join(once.reasons)
    # it follows the cap: lifted, the cap lifts it too
    from training_data_miner.skills import extract_examples
    monkeypatch.setattr(extract_examples, "TEMPLATE_CAP", 10**9)
    assert sorted(e.line for e in filter_quality(run(tmp_path, text)).kept) == [1, 2, 3, 6, 7]
