"""The per-document extraction of skills/extract_examples.py: an item restated in a later document.

A small document extractor written here (one draft per line "ITEM <name> <n>") stands in for a
domain's: the run must drop a later document's draft whose identity an earlier document already
had, unless it is a byte-identical copy (which the quality filter then rejects, on record); and
drafts of different items that say the same (a template filled in for several modules) only up to
the cap.
"""

from __future__ import annotations

from helpers import PACKS

from training_data_miner.skills.extract_examples import SAME_ANSWER_CAP, Extraction
from training_data_miner.skills.extractors import Draft
from training_data_miner.skills.filter_quality import filter_quality
from training_data_miner.skills.models import Match
from training_data_miner.skills.structure import Structure


def _items(doc, hits, pack):
    """"ITEM <name> <n>": an item; "FORM <module> <n>": a template's item, named by its module but
    saying the same as every other module's with that n."""
    out = []
    for m in hits:
        if not doc.text(m.line).startswith(("ITEM", "FORM")):
            continue
        form, name, n = doc.text(m.line).split()
        out.append(Draft(instruction_key="priority", input={"task_description": name, "mps_total": int(n)},
                         output={"mps_total": int(n), "priority": "P2"}, evidence=doc.text(m.line),
                         kind="decision_trees", label="P2", rationale=1.0, line=m.line,
                         required=("mps_total", "priority"), identity=name,
                         answer=f"total {n}" if form == "FORM" else None))
    return out


def run(tmp_path, text):
    src = tmp_path / "012.txt"
    src.write_text(text, encoding="utf-8")
    structure = Structure.read(src)
    lines = text.splitlines()
    hits = [Match(domain="mps_scoring", pattern=f"p{i + 1}", line=i + 1, text=t) for i, t in enumerate(lines)
            if t.startswith(("ITEM", "NOTE", "FORM"))]
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


def test_a_template_filled_in_for_many_modules_is_made_only_up_to_the_cap(tmp_path):
    assert SAME_ANSWER_CAP == 2
    sep = "=" * 77
    docs = ["FORM billing 10\nFORM billing 11", "FORM auth 10\nFORM auth 11", "FORM search 10\nFORM search 12",
            "FORM billing 10", "ITEM queue 10"]
    examples = run(tmp_path, f"\n{sep}\n".join(docs) + "\n")
    made = [(e.input["task_description"], e.input["mps_total"]) for e in examples]
    # the third module's "10" is a third answer of its kind: not made; its "12" is new. A word-for-word
    # copy of the first document's draft is made (the filter rejects it); an item without an answer is
    # not counted.
    assert made == [("billing", 10), ("billing", 11), ("auth", 10), ("auth", 11), ("search", 12),
                    ("billing", 10), ("queue", 10)]
    fr = filter_quality(examples)
    assert [r.reasons[0].split(" (")[0] for r in fr.rejected] == ["Duplicate pattern"]
