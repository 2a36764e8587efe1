"""Whole-run mines in parallel worker processes: the same datasets as one process, and a worker
that fails or is killed costs only its own domains, with a clear error and no hang."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import SAMPLE, corpus

from training_data_miner.server.orchestrator import Orchestrator, Settings
from training_data_miner.server.workers import WorkerFailed, balance, run_in_workers

ROOT = Path(__file__).resolve().parents[1]


def _datasets(out: Path) -> dict[str, object]:
    return {p.name: json.loads(p.read_text())["examples"] for p in sorted(out.glob("*_training_data.json"))}


def test_two_workers_write_the_same_datasets_and_records_as_one(tmp_path):
    one = Orchestrator(Settings(data_dir=tmp_path / "one", workers=1)).mine(SAMPLE)
    two = Orchestrator(Settings(data_dir=tmp_path / "two", workers=2)).mine(SAMPLE)
    assert _datasets(tmp_path / "one" / "training_datasets") == _datasets(tmp_path / "two" / "training_datasets")
    assert len(_datasets(tmp_path / "two" / "training_datasets")) == 6
    strip = lambda r: {k: v for k, v in r.items() if k not in ("execution_id", "execution_time_ms", "dataset")}  # noqa: E731
    assert [strip(r) for r in one] == [strip(r) for r in two]
    # the parent's state has every domain's six steps, merged from the worker
    (state_path,) = (tmp_path / "two" / "executions").glob("*/state.json")
    state = json.loads(state_path.read_text())
    assert all(sum(d["steps"].values()) == 6 for d in state["domains"].values())
    crumbs = (state_path.parent / "breadcrumbs.jsonl").read_text().splitlines()
    assert len(crumbs) == 6 * 6  # one per step and domain, from both processes
    handoff = json.loads((tmp_path / "two" / "training_datasets" / "handoff.json").read_text())
    orders = sorted(d["training_order"] for d in handoff["domains"].values())
    assert orders == [1, 2, 3, 4, 5, 6]  # one training order across the workers


def test_run_in_workers_runs_each_group_in_its_own_process_and_reports_a_failure():
    parent = os.getpid()

    def first(group):
        if group == "bad":
            raise RuntimeError("no good")
        return (group, os.getpid())

    def combine(results):
        return [r for r in results if not isinstance(r, WorkerFailed)]

    def second(group, combined):
        return (group, os.getpid(), len(combined))

    out = run_in_workers(["a", "b", "bad"], first, combine, second)
    assert out[0] == ("a", parent, 2)
    assert out[1][0] == "b" and out[1][1] != parent and out[1][2] == 2
    assert isinstance(out[2], WorkerFailed) and "RuntimeError: no good" in str(out[2])


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


@pytest.mark.corpus
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc")
def test_a_killed_worker_fails_its_domains_only_with_a_clear_error(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "training_data_miner.server", "mine", str(corpus()), "--all-domains", "--jobs", "2",
                             "--data-dir", str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    killed = None
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        kids = _children(proc.pid)
        if kids:
            os.kill(kids[0], signal.SIGKILL)
            killed = kids[0]
        time.sleep(0.005)
    out, err = proc.communicate(timeout=120)
    assert killed is not None, "the worker process never appeared"
    assert proc.returncode == 1, (out, err)
    assert "worker process died before it answered (signal 9)" in err
    datasets = sorted(p.name for p in (tmp_path / "training_datasets").glob("*_training_data.json"))
    (state_path,) = (tmp_path / "executions").glob("*/state.json")
    state = json.loads(state_path.read_text())
    failed = sorted(d for d, s in state["domains"].items() if s.get("error"))
    written = sorted(d for d, s in state["domains"].items() if s["steps"].get("training_dataset_written"))
    assert failed and written and sorted(failed + written) == sorted(state["domains"])
    assert all(f"{d}: failed at " in out for d in failed) and all(f"{d}: " in out for d in written)
    assert datasets == [f"{d}_training_data.json" for d in written]
    records = (tmp_path / "metrics" / "qwen_training_data_miner_fidelity.json").read_text().splitlines()
    assert sorted(json.loads(r)["domain"] for r in records) == sorted(state["domains"])  # one each


def test_balance_splits_by_cost_into_non_empty_groups_in_order():
    assert balance({"a": 5, "b": 1, "c": 1, "d": 3}, 2) == [["a"], ["b", "c", "d"]]  # 5 vs 5
    assert balance({"a": 16, "b": 4, "c": 9, "d": 3, "e": 6, "f": 6}, 2) in (
        [["a", "e"], ["b", "c", "d", "f"]], [["a", "f"], ["b", "c", "d", "e"]], [["b", "c", "d", "e"], ["a", "f"]],
        [["b", "c", "d", "f"], ["a", "e"]])  # 22 vs 22
    assert balance({"a": 1, "b": 1, "c": 1}, 3) == [["a"], ["b"], ["c"]]
    assert balance({"a": 1, "b": 1}, 8) == [["a"], ["b"]]  # never more groups than names
    assert balance({"a": 1}, 2) == [["a"]]
    groups = balance({f"d{i}": i + 1 for i in range(20)}, 2)  # many names: heaviest-first
    assert sorted(sum(groups, [])) == sorted(f"d{i}" for i in range(20)) and all(groups)


def test_a_resumed_execution_with_workers_gives_the_datasets_of_a_fresh_run(tmp_path):
    orch = Orchestrator(Settings(data_dir=tmp_path / "resumed", workers=2))
    ex = orch.create(SAMPLE, None)
    orch.load_source(ex)
    orch.identify_domain_patterns(ex, ["mps_scoring", "readme_patterns"])
    orch.extract_examples(ex, "mps_scoring")  # then the process "dies"
    results = Orchestrator(Settings(data_dir=tmp_path / "resumed", workers=2)).mine(SAMPLE, execution_id=ex.id)
    assert all(r["pattern_fidelity"] == 1.0 for r in results) and len(results) == 6
    Orchestrator(Settings(data_dir=tmp_path / "fresh", workers=1)).mine(SAMPLE)
    assert (_datasets(tmp_path / "resumed" / "training_datasets")
            == _datasets(tmp_path / "fresh" / "training_datasets"))
    crumbs = [json.loads(x) for x in (tmp_path / "resumed" / "executions" / ex.id / "breadcrumbs.jsonl")
              .read_text().splitlines()]
    steps = [(c["domain"], c["pattern"]) for c in crumbs]
    assert steps.count(("mps_scoring", "examples_extracted")) == 1  # not run again
    assert steps.count(("readme_patterns", "domain_patterns_identified")) == 1


def test_three_workers_each_answer_and_one_killed_mid_run_is_reported():
    def first(group):
        if group == "dies":
            os.kill(os.getpid(), signal.SIGKILL)
        return group

    out = run_in_workers(["a", "b", "dies", "c"], first, lambda r: len(r), lambda g, n: (g, n))
    assert out[0] == ("a", 4) and out[1] == ("b", 4) and out[3] == ("c", 4)
    assert isinstance(out[2], WorkerFailed) and "signal 9" in str(out[2])
