"""Near-duplicate removal: found across a crowd of template-alike examples, and sub-quadratic; the
shingles and MinHash bands it rests on, against their definitions."""

from __future__ import annotations

import random
import zlib

import regex

from training_data_miner.skills.filter_quality import NearDuplicateIndex, _bands, filter_quality, shingles
from training_data_miner.skills.models import Example, Quality

TASKS = ("rotate the oauth tokens", "split the scheduler module", "add retries to the poster",
         "index the wsp documents", "cache the channel list", "trim the daemon logs")


def example(i: int, task: str, line: int) -> Example:
    return Example(
        example_id=f"ex_{i:04d}", instruction="Apply WSP 15 MPS scoring to this task",
        input={"task_description": task}, output={"mps_total": 10 + i % 7, "priority": "P2"},
        source=f"012.txt:line_{line}", quality_score=1.0, evidence=task, pattern="p", kind="numeric_examples",
        quality=Quality(score=1.0, criteria={}),
    )


def test_a_near_duplicate_behind_hundreds_of_template_alike_examples_is_found():
    crowd = [example(i, f"{TASKS[i % 6]} in module number {i} of the {i * 7} ring", i) for i in range(600)]
    original = example(9000, "migrate agent permissions to sqlite with schema design and a data backfill", 9000)
    near = example(9001, "migrate agent permissions to sqlite with schema design and a data backfill now", 9001)
    near.output = dict(original.output)
    result = filter_quality([original, *crowd, near])
    rejected = {r.example.example_id: r for r in result.rejected}
    assert rejected["ex_9001"].duplicate_of == "ex_9000"
    assert rejected["ex_9001"].similarity >= 0.8
    assert "ex_9000" in {e.example_id for e in result.kept}


def test_shingles_are_the_crc32_of_each_run_of_n_words():
    text = 'Apply WSP 15 to "the_daemon": MPS 4+4+2+3, ok'
    words = regex.findall(r"\w+", text.lower())
    assert shingles(text) == {zlib.crc32(" ".join(words[i : i + 3]).encode()) for i in range(len(words) - 2)}
    assert shingles("two words") == {zlib.crc32(b"two words")}
    assert shingles("a b c d", n=2) == {zlib.crc32(w) for w in (b"a b", b"b c", b"c d")}


def test_bands_hold_each_bins_minimum_and_skip_empty_bands():
    rnd = random.Random(7)
    for size in (0, 1, 3, 10, 40, 200):
        sh = {rnd.getrandbits(32) for _ in range(size)}
        mins = [min((h // 32 for h in sh if h % 32 == b), default=0xFFFFFFFF) for b in range(32)]
        want = [(band, tuple(mins[band * 4 : band * 4 + 4])) for band in range(8)]
        assert _bands(sh) == [(band, rows) for band, rows in want if rows != (0xFFFFFFFF,) * 4]


def test_the_most_similar_kept_example_is_named_the_first_on_a_tie():
    key = [(0, (1, 2, 3, 4))]
    query = set(range(10_000))
    index = NearDuplicateIndex(0.8)
    index.add("a", set(range(8_234)), key)  # Jaccard 0.8234
    index.add("b", set(range(8_233)), key)  # 0.8233: rounds to the same 0.823, and is still less similar
    index.add("c", set(range(100)), key)  # far below the threshold
    assert index.find(query, key) == ("a", 0.823)
    index.add("d", set(range(9_000)), key)
    index.add("e", set(range(1_000, 10_000)), key)  # as similar as d (0.9), kept later
    assert index.find(query, key) == ("d", 0.9)
    assert index.find(query, [(1, (1, 2, 3, 4))]) is None  # no shared band, no candidate


def test_near_copies_about_different_named_items_are_both_kept_and_about_one_item_are_not():
    task = "SIZE large file modules/demo/src/part_1.py (400 lines, 20 KB) scored by the nightly sweep"
    a = example(1, task, 10)
    b = example(2, task.replace("part_1", "part_2"), 12)
    b.output = dict(a.output)
    assert filter_quality([a, b]).rejected[0].duplicate_of == "ex_0001"  # unnamed: near-copies
    a.item, b.item = "11|part_1", "11|part_2"
    assert [e.example_id for e in filter_quality([a, b]).kept] == ["ex_0001", "ex_0002"]
    b.item = "11|part_1"  # the same item told twice
    assert filter_quality([a, b]).rejected[0].duplicate_of == "ex_0001"
