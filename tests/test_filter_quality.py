"""Near-duplicate removal: found across a crowd of template-alike examples, and sub-quadratic, and the
most similar kept example named."""

from __future__ import annotations

from skills.filter_quality import NearDuplicateIndex, filter_quality
from skills.models import Example, Quality

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
