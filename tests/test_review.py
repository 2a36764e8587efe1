"""Reviewers' verdicts: the store (append-only, locked, kill -9 safe), the fingerprint that carries a
verdict across re-mines, reviewed precision, and what the next mine does with the verdicts."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, SAMPLE
from training_data_miner.skills.review import (
    fingerprint,
    judge_prompt,
    new_verdict,
    parse_judgement,
    read_verdicts,
    record_verdict,
    source_window,
    verdicts_path,
    wilson,
)
from training_data_miner.skills.validate import validate_file


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "training_data_miner.server", *args], cwd=REPO,
                          capture_output=True, text=True, check=check, timeout=300)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def mine(source: Path, data_dir: Path, domain: str, *more: str) -> dict[str, dict]:
    cli("mine", str(source), "--domain", domain, "--data-dir", str(data_dir), "-q", "--jobs", "1", *more)
    out = data_dir / "training_datasets"
    return {"dataset": load(out / f"{domain}_training_data.json"),
            "rejected": load(out / f"{domain}_rejected_examples.json"),
            "summary": load(out / f"{domain}_pattern_summary.json")}


# -- the fingerprint ----------------------------------------------------------------------------

EXAMPLE = {"example_id": "mps_001", "instruction": "Score it.", "input": {"task": "a"}, "output": {"p": "P1"},
           "source": "012.txt:line_63", "evidence": "Total: 14", "pattern": "mps_total"}


def test_fingerprint_ignores_the_id_and_line_number_but_not_the_content():
    fp = fingerprint(EXAMPLE)
    assert len(fp) == 20
    assert fingerprint({**EXAMPLE, "example_id": "mps_099", "source": "other.txt:line_900"}) == fp
    assert fingerprint({**EXAMPLE, "output": {"p": "P2"}}) != fp
    assert fingerprint({**EXAMPLE, "evidence": "Total: 15"}) != fp
    assert fingerprint({**EXAMPLE, "input": {"task": "a "}}) != fp


# -- the store ----------------------------------------------------------------------------------

def test_latest_verdict_wins_and_every_verdict_is_kept(tmp_path):
    record_verdict(tmp_path, new_verdict(EXAMPLE, "mps_scoring", "WRONG", "person", "  bad\n label "))
    record_verdict(tmp_path, new_verdict(EXAMPLE, "mps_scoring", "GOOD", "model:qwen-1.5b"))
    [v] = read_verdicts(tmp_path, "mps_scoring").values()
    assert (v.verdict, v.reviewer, v.example_id, v.pattern) == ("GOOD", "model:qwen-1.5b", "mps_001", "mps_total")
    lines = verdicts_path(tmp_path, "mps_scoring").read_text().splitlines()
    assert [json.loads(x)["verdict"] for x in lines] == ["WRONG", "GOOD"]
    assert json.loads(lines[0])["note"] == "bad label"
    assert read_verdicts(tmp_path, "wsp_application") == {}


def test_a_reviewer_is_a_person_or_a_named_model():
    for ok in ("person", "person:ann", "model:claude-sonnet"):
        assert new_verdict(EXAMPLE, "mps_scoring", "GOOD", ok).reviewer == ok
    for bad in ("", "bot", "model:", "person:"):
        with pytest.raises(ValueError, match="reviewer"):
            new_verdict(EXAMPLE, "mps_scoring", "GOOD", bad)
    with pytest.raises(ValueError):
        new_verdict(EXAMPLE, "mps_scoring", "FINE", "person")


def test_a_torn_last_line_is_cut_off_by_the_next_append_and_skipped_by_readers(tmp_path):
    record_verdict(tmp_path, new_verdict(EXAMPLE, "mps_scoring", "GOOD", "person"))
    path = verdicts_path(tmp_path, "mps_scoring")
    with open(path, "ab") as f:
        f.write(b'{"fingerprint": "0123456789abcdef0123", "domain": "mps_sc')  # a writer killed mid-line
    assert len(read_verdicts(tmp_path, "mps_scoring")) == 1
    other = {**EXAMPLE, "output": {"p": "P4"}}
    record_verdict(tmp_path, new_verdict(other, "mps_scoring", "WEAK", "person"))
    lines = path.read_text().splitlines()
    assert [json.loads(x)["verdict"] for x in lines] == ["GOOD", "WEAK"]


WRITER = """
import sys
from pathlib import Path
from training_data_miner.skills.review import new_verdict, record_verdict
reviews, tag = Path(sys.argv[1]), sys.argv[2]
i = 0
while True:
    ex = {"example_id": f"x_{i}", "instruction": "Judge " + tag, "input": {"i": i, "pad": "x" * (i % 3000)},
          "output": {"tag": tag}, "source": f"s.txt:line_{i + 1}", "evidence": str(i), "pattern": "p"}
    record_verdict(reviews, new_verdict(ex, "mps_scoring", "GOOD", "person", f"{tag} {i}"))
    print(i, flush=True)  # acknowledged: record_verdict returned, so the line is on disk
    i += 1
"""


def test_verdicts_survive_kill_9_mid_write(tmp_path):
    """Two writers append verdicts as fast as they can and are killed with SIGKILL at random
    moments: every line of the file parses, and every verdict a writer acknowledged is there."""
    acked: dict[str, set[int]] = {"a": set(), "b": set()}
    rng = random.Random(18)
    for _ in range(3):
        procs = {tag: subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), tag], cwd=REPO,
                                       stdout=subprocess.PIPE, text=True) for tag in acked}
        deadline = time.monotonic() + 60
        for tag, proc in procs.items():  # let each get going, then kill it at a random moment
            assert proc.stdout is not None
            while len(acked[tag]) < 20 + rng.randrange(40) and time.monotonic() < deadline:
                acked[tag].add(int(proc.stdout.readline()))
        time.sleep(rng.random() * 0.05)
        for proc in procs.values():
            proc.send_signal(signal.SIGKILL)
        for tag, proc in procs.items():
            out, _ = proc.communicate(timeout=30)
            acked[tag].update(int(x) for x in out.split())  # printed before the kill, read after
            assert proc.returncode == -signal.SIGKILL
    raw = verdicts_path(tmp_path, "mps_scoring").read_bytes()
    lines = raw.split(b"\n")
    if lines[-1]:
        # a kill in the middle of a write: the tail is torn; the next append cuts it off
        record_verdict(tmp_path, new_verdict(EXAMPLE, "mps_scoring", "WEAK", "person"))
        lines = verdicts_path(tmp_path, "mps_scoring").read_bytes().split(b"\n")
    assert lines[-1] == b""
    records = [json.loads(x) for x in lines[:-1]]  # every line parses
    stored = {(r["note"].split()[0], int(r["note"].split()[1])) for r in records if r["note"]}
    for tag, ids in acked.items():
        assert ids and {(tag, i) for i in ids} <= stored, tag


# -- precision ----------------------------------------------------------------------------------

def test_wilson_interval_matches_known_values():
    assert wilson(8, 10) == (0.49, 0.943)
    assert wilson(0, 5) == (0.0, 0.434)
    assert wilson(5, 5) == (0.566, 1.0)
    assert wilson(0, 0) is None


# -- the model's rubric and its answer -------------------------------------------------------------

def test_judge_prompt_shows_the_example_and_its_source_line_marked():
    lines = [f"line {i}" for i in range(1, 101)]
    prompt = judge_prompt("mps_scoring", "WSP 15 scoring", {**EXAMPLE, "source": "012.txt:line_50"},
                          source_window(lines, 50))
    assert ">>     50 | line 50" in prompt and "       35 | line 35" in prompt and "line 66" not in prompt
    assert '"task": "a"' in prompt and "Score it." in prompt and "VERDICT:" in prompt


@pytest.mark.parametrize("text, expected", [
    ("VERDICT: WRONG\nREASON: the date is cut to -12-24", ("WRONG", "the date is cut to -12-24")),
    ("**Verdict:** good\nReason: all facts in the source.", ("GOOD", "all facts in the source")),
    ("I would call this WEAK, since the list is cut short.", ("WEAK", "I would call this WEAK, since the list is cut short")),
    ("It is GOOD in parts but WRONG in its label.", None),
    ("No idea.", None),
])
def test_parse_judgement(text, expected):
    assert parse_judgement(text) == expected


# -- the next mine ----------------------------------------------------------------------------------

def test_next_mine_drops_wrong_keeps_good_and_reports_precision_even_after_the_source_moves(tmp_path):
    source = tmp_path / "012.txt"
    source.write_bytes(SAMPLE.read_bytes())
    data = tmp_path / "data"
    first = mine(source, data, "mps_scoring")
    kept = first["dataset"]["examples"]
    low = next(r for r in first["rejected"]["rejected"] if r["reasons"][0].startswith("Quality"))
    reviews = data / "reviews"
    record_verdict(reviews, new_verdict(kept[0], "mps_scoring", "GOOD", "person"))
    record_verdict(reviews, new_verdict(kept[1], "mps_scoring", "WRONG", "person", "reasons invented"))
    record_verdict(reviews, new_verdict(kept[2], "mps_scoring", "WEAK", "model:det-1"))
    record_verdict(reviews, new_verdict(low["example"], "mps_scoring", "GOOD", "person", "the scores are there"))

    # Lines added above every example: the verdicts follow the examples, not their line numbers.
    source.write_bytes(b"a note\nanother\nand a third\n" + SAMPLE.read_bytes())
    second = mine(source, data, "mps_scoring", "--export", "alpaca")
    ds, rejected, summary = second["dataset"], second["rejected"], second["summary"]
    by_fp = {fingerprint(e): e for e in ds["examples"]}
    assert fingerprint(kept[0]) in by_fp and fingerprint(kept[2]) in by_fp
    assert fingerprint(kept[1]) not in by_fp
    [wrong] = [r for r in rejected["rejected"] if fingerprint(r["example"]) == fingerprint(kept[1])]
    assert wrong["reasons"] == [wrong["reasons"][0]] and "reasons invented" in wrong["reasons"][0]
    assert wrong["example"]["source"].endswith(f":line_{int(kept[1]['source'].split('_')[-1]) + 3}")
    assert rejected["reason_counts"]["Reviewed WRONG"] == 1
    good = by_fp[fingerprint(low["example"])]
    assert good["quality_score"] == 1.0 and good["quality"]["score"] == low["example"]["quality_score"] < 0.85
    assert any("Reviewed GOOD by person" in r for r in good["quality"]["reasons"])
    assert ds["total_examples"] == first["dataset"]["total_examples"]  # one out, one in
    assert validate_file(data / "training_datasets" / "mps_scoring_training_data.json") == []

    precision = {"reviewed": 3, "good": 1, "weak": 1, "wrong": 1, "precision": 0.333, "interval_95": [0.061, 0.792]}
    assert summary["reviewed_precision"] == precision
    assert ds["metadata"]["review"]["precision"] == precision
    assert any("marked them WRONG: " + kept[1]["example_id"] in n for n in summary["notes"])
    assert any("kept although the filter rejected them" in n for n in summary["notes"])
    feedback = ds["learning_feedback"]["review"]
    assert feedback["wrong_by_pattern"] == {kept[1]["pattern"]: 1}
    assert feedback["dropped_wrong"][0]["note"] == "reasons invented"
    stored = [json.loads(x) for x in (data / "learning" / "training_data_mining_patterns.jsonl").read_text().splitlines()]
    assert stored[-1]["review"]["wrong_by_pattern"] == {kept[1]["pattern"]: 1}
    card = (data / "training_datasets" / "exports" / "mps_scoring" / "README.md").read_text()
    assert "reviewed precision 0.33 (1 GOOD of 3 reviewed; 95% interval 0.06-0.79)" in card


def test_good_examples_stay_when_a_changed_threshold_would_drop_them(tmp_path, data_dir):
    # a domain whose sample dataset holds examples scored below 1.0 (first_principles: steps the
    # filter credits in part)
    first = mine(SAMPLE, data_dir, "first_principles")
    scored = [e for e in first["dataset"]["examples"] if e["quality_score"] < 1.0]
    good, plain = scored[0], scored[1]
    record_verdict(data_dir / "reviews", new_verdict(good, "first_principles", "GOOD", "person"))
    again = mine(SAMPLE, data_dir, "first_principles", "--min-quality", "1.0", "--min-examples", "1")
    fps = {fingerprint(e) for e in again["dataset"]["examples"]}
    assert fingerprint(good) in fps and fingerprint(plain) not in fps
    assert any("1 example(s) kept although the filter rejected them" in n and good["example_id"] in n
               for n in again["summary"]["notes"])
    assert again["summary"]["reviewed_precision"]["reviewed"] == 0  # the filter kept none of the reviewed
    assert validate_file(data_dir / "training_datasets" / "first_principles_training_data.json") == []


def test_a_mine_without_verdicts_writes_no_review(data_dir):
    out = mine(SAMPLE, data_dir, "mps_scoring")
    assert out["dataset"]["metadata"]["review"] is None and out["summary"]["reviewed_precision"] is None
    assert "Reviewed WRONG" not in out["rejected"]["reason_counts"]
    assert not (data_dir / "reviews").exists()
