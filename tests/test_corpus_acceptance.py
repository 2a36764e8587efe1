"""Issue 2's acceptance on real text: all six domains of ../shared/corpus/012_dev.txt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from helpers import PACKS, corpus, source_lines

from training_data_miner.server.orchestrator import Orchestrator, Settings
from training_data_miner.skills import wsp15
from training_data_miner.skills.filter_quality import exact_key
from training_data_miner.skills.models import Example
from training_data_miner.skills.validate import validate_file

pytestmark = pytest.mark.corpus
# the environment of a person who installed the package: its console script on PATH
VENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    orch = Orchestrator(Settings(data_dir=data))
    results = orch.mine(corpus())
    datasets = {r["domain"]: json.loads(Path(r["dataset"]).read_text(encoding="utf-8")) for r in results}
    return data, results, datasets


def test_all_six_domains_run_with_fidelity_1(run):
    data, results, _ = run
    assert sorted(r["domain"] for r in results) == sorted(PACKS)
    for r in results:
        assert r["pattern_fidelity"] == 1.0 and all(r["patterns"].values()), r
    records = [json.loads(line) for line in
               (data / "metrics" / "qwen_training_data_miner_fidelity.json").read_text().splitlines()]
    assert sorted(r["domain"] for r in records) == sorted(PACKS)
    assert {r["pattern_fidelity"] for r in records} == {1.0}
    assert {r["execution_id"] for r in records} == {results[0]["execution_id"]}


def test_at_least_50_kept_examples_in_every_domain(run):
    _, _, datasets = run
    counts = {d: ds["total_examples"] for d, ds in datasets.items()}
    assert all(n >= 50 for n in counts.values()), counts


def test_no_duplicates_in_any_dataset(run):
    _, _, datasets = run
    for domain, ds in datasets.items():
        keys = [exact_key(Example.model_validate(e)) for e in ds["examples"]]
        assert len(keys) == len(set(keys)), domain
        ids = [e["example_id"] for e in ds["examples"]]
        assert len(ids) == len(set(ids)), domain


def test_every_example_traces_to_a_real_line_holding_its_evidence(run):
    _, _, datasets = run
    lines = source_lines(corpus())
    for domain, ds in datasets.items():
        for e in ds["examples"]:
            name, _, n = e["source"].rpartition(":line_")
            assert name == corpus().name
            n = int(n)
            assert 1 <= n <= len(lines)
            assert e["evidence"] and e["evidence"] in lines[n - 1], (domain, e["example_id"], n)


def test_mps_totals_and_priorities_follow_wsp15(run):
    _, _, datasets = run
    examples = datasets["mps_scoring"]["examples"]
    full = 0
    for e in examples:
        o = e["output"]
        if all(d in o for d in wsp15.DIMENSIONS):
            full += 1
            assert o["mps_total"] == sum(o[d] for d in wsp15.DIMENSIONS), e["example_id"]
        # every example states its total and its WSP 15 priority (the rating kind has no range)
        assert o["priority"] == wsp15.nearest_priority(o["mps_total"]) == e["label"], e["example_id"]
        lo, hi = wsp15.PRIORITY_RANGES[o["priority"]]
        assert o.get("mps_range", f"{lo}-{hi}") == f"{lo}-{hi}"
        if "stated_priority" in o:
            assert o["stated_priority"] != o["priority"]
        if "stated_total" in o:
            assert o["stated_total"] != o["mps_total"]
    assert full >= 10
    assert Counter(e["label"] for e in examples)["P2"] > 0


def test_validate_passes_on_every_dataset_and_the_verification_commands_run(run):
    _, results, datasets = run
    for r in results:
        assert validate_file(r["dataset"]) == []
        ver = datasets[r["domain"]]["verification"]
        out = subprocess.run(ver["verify_command"], shell=True, capture_output=True, text=True, check=True, env=VENV)
        assert out.stdout.strip() == f"{Path(r['dataset']).resolve()}: valid"
        out = subprocess.run(ver["validation_script"], shell=True, capture_output=True, text=True, check=True)
        assert "Dataset validated" in out.stdout


def test_figures_are_computed_from_the_run(run):
    _, results, datasets = run
    for r in results:
        ds = datasets[r["domain"]]
        stats = ds["learning_feedback"]["pattern_extraction_stats"]
        assert stats["high_quality_kept"] == ds["total_examples"] == r["high_quality_examples"]
        assert stats["total_examples_extracted"] == r["total_examples_extracted"]
        assert stats["keep_rate"] == round(ds["total_examples"] / stats["total_examples_extracted"], 3)
        assert round(stats["keep_rate"] + stats["filter_rate"], 3) == 1.0
        dist = ds["metadata"]["pattern_summary"]["quality_distribution"]
        assert sum(dist.values()) == ds["total_examples"]
        mps = ds["domain_priority_mps"]
        assert mps["total"] == sum(mps[d] for d in wsp15.DIMENSIONS)
        assert mps["priority"] == wsp15.priority(mps["total"])
    orders = sorted(ds["domain_priority_mps"]["training_order"] for ds in datasets.values())
    assert orders == list(range(1, len(datasets) + 1))


def test_rejected_examples_are_kept_beside_the_dataset_with_reasons(run):
    _, results, datasets = run
    for r in results:
        side = Path(r["dataset"]).with_name(f"{r['domain']}_rejected_examples.json")
        rej = json.loads(side.read_text(encoding="utf-8"))
        assert rej["total_rejected"] == len(rej["rejected"]) > 0
        assert all(x["reasons"] for x in rej["rejected"])
        extracted = r["total_examples_extracted"]
        assert rej["total_rejected"] + datasets[r["domain"]]["total_examples"] == extracted


def test_split_keeps_each_labels_share_within_one_example(run):
    _, results, datasets = run
    for r in results:
        ds = datasets[r["domain"]]
        val = json.loads(Path(r["dataset"]).with_name(f"{r['domain']}_validation_set.json").read_text())
        assert validate_file(Path(r["dataset"]).with_name(f"{r['domain']}_validation_set.json")) == []
        n, n_val = ds["total_examples"], val["total_examples"]
        assert n_val == n - int(n * 0.8) > 0
        overall = Counter(e["label"] for e in ds["examples"])
        held = Counter(e["label"] for e in val["examples"])
        for label, count in overall.items():
            assert abs(held[label] - count * n_val / n) <= 1, (r["domain"], label)
