"""Bad input, crashes and concurrency lose nothing (CLI and orchestrator side)."""

from __future__ import annotations

import json
import os
import random
import signal
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import PACKS, SAMPLE, corpus

from training_data_miner.skills.identify_domain_patterns import identify_domain_patterns
from training_data_miner.skills.load_source import load_source
from training_data_miner.skills.validate import validate_file

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def mine_cmd(src, data, *extra):
    return [sys.executable, "-m", "training_data_miner.server", "mine", str(src), "--data-dir", str(data), "-q", *extra]


def jsonl_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_mojibake_bom_and_mixed_encodings_are_decoded_and_counted(tmp_path):
    src = tmp_path / "mixed.txt"
    src.write_bytes(
        b"\xef\xbb\xbf[0102-MPS] Batch 001 Score: 9 (Priority: P3)\n"
        b"latin-1 caf\xe9 [0102-MPS] Batch 002 Score: 12 (Priority: P2)\n"
        + "mojibake donâ€™t [0102-MPS] Batch 003 Score: 14 (Priority: P1)\n".encode("utf-8")
    )
    info = load_source(src)
    assert info.bom and info.replaced_bytes == 1 and info.lines_with_replacements == 1
    res = identify_domain_patterns(src, [PACKS["mps_scoring"]])
    assert [m.line for m in res.matches["mps_scoring"]] == [1, 2, 3]
    assert "\ufffd" in res.matches["mps_scoring"][1].text


def test_a_50_mb_single_line_stays_in_bounded_memory(tmp_path):
    src = tmp_path / "one_line.txt"
    with open(src, "wb") as f:
        f.write(b"[0102-MPS] Batch 007 Score: 9 (Priority: P3) ")
        chunk = b"filler words without any pattern " * 32_768
        while f.tell() < 50 << 20:
            f.write(chunk)
        f.write(b"\nnext line\n")
    code = (
        "import json,sys;"
        "from training_data_miner.skills.identify_domain_patterns import identify_domain_patterns;"
        "from training_data_miner.skills.packs import load_packs;"
        "r=identify_domain_patterns(sys.argv[1], list(load_packs().values()));"
        "m=r.matches['mps_scoring'];"
        "print(json.dumps({'n': len(m), 'trunc': m[0].truncated, 'len': len(m[0].text),"
        " 'rss_mb': int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])/1024}))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(src)], capture_output=True, text=True, env=ENV,
                         timeout=120, check=True)
    r = json.loads(out.stdout)
    assert r["n"] == 1 and r["trunc"] is True and r["len"] <= 4000
    # VmHWM, not ru_maxrss: after fork+exec the latter still carries the parent's (pytest's) peak.
    assert r["rss_mb"] < 300, r  # the line itself is 50 MB; nothing may hold several copies of it


def test_unreadable_file_is_refused(tmp_path):
    src = tmp_path / "locked.txt"
    src.write_text("MPS Score: 12\n")
    src.chmod(0)
    cmd = mine_cmd(src, tmp_path / "d")
    if os.geteuid() == 0:  # root reads any file: drop the capabilities that let it
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv to drop CAP_DAC_OVERRIDE")
        drop = "-dac_override,-dac_read_search"
        cmd = ["setpriv", "--bounding-set", drop, "--inh-caps", drop, *cmd]
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    assert r.returncode == 2, r.stderr
    assert "not readable (permission denied)" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.corpus
def test_kill_9_mid_run_leaves_the_previous_dataset_and_parseable_records(tmp_path):
    data = tmp_path / "data"
    subprocess.run(mine_cmd(SAMPLE, data, "--domain", "mps_scoring"), check=True, env=ENV)
    ds = data / "training_datasets" / "mps_scoring_training_data.json"
    before = ds.read_bytes()
    rng = random.Random(9)
    for _ in range(6):
        p = subprocess.Popen(mine_cmd(corpus(), data, "--domain", "mps_scoring", "--domain", "wsp_application"),
                             env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 2.5))
        p.send_signal(signal.SIGKILL)
        p.wait()
        after = ds.read_bytes()
        assert after == before or validate_file(ds) == []  # the old file whole, or a new one whole
        before = after
        # a write cut short leaves at most its own temporary file, named with the dead pid
        assert all(f".{p.pid}." in t.name for t in ds.parent.glob(".*.tmp"))
        for f in [*data.glob("metrics/*.json"), *data.glob("executions/*/breadcrumbs.jsonl"),
                  *data.glob("learning/*.jsonl")]:
            jsonl_records(f)  # every line is whole JSON
    subprocess.run(mine_cmd(SAMPLE, data, "--domain", "mps_scoring", "--domain", "wsp_application"),
                   check=True, env=ENV)
    assert not list(ds.parent.glob(".*.tmp"))  # the next run swept what the killed ones left


@pytest.mark.corpus
def test_rerunning_a_killed_execution_resumes_to_the_same_dataset(tmp_path):
    data = tmp_path / "data"
    exe = "exec_killed_once"
    p = subprocess.Popen(mine_cmd(corpus(), data, "--domain", "mps_scoring", "--execution-id", exe),
                         env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = data / "executions" / exe / "state.json"
    deadline = time.time() + 60
    while time.time() < deadline:  # kill it once a step or two are done
        if state.exists() and '"source_loaded":true' in state.read_text().replace(" ", ""):
            break
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    p.wait()
    subprocess.run(mine_cmd(corpus(), data, "--execution-id", exe), check=True, env=ENV)
    resumed = json.loads((data / "training_datasets" / "mps_scoring_training_data.json").read_text())
    fresh_dir = tmp_path / "fresh"
    subprocess.run(mine_cmd(corpus(), fresh_dir, "--domain", "mps_scoring"), check=True, env=ENV)
    fresh = json.loads((fresh_dir / "training_datasets" / "mps_scoring_training_data.json").read_text())
    assert resumed["examples"] == fresh["examples"]
    assert resumed["metadata"]["execution_id"] == exe


def test_parallel_cli_runs_into_one_output_folder_lose_nothing(tmp_path):
    data = tmp_path / "data"
    jobs = [["mps_scoring"], ["mps_scoring"], ["wsp_application"], ["modlog_updates", "mps_scoring"],
            ["first_principles"], ["wsp_application", "roadmap_analysis"]]

    def run(domains):
        args = [a for d in domains for a in ("--domain", d)]
        return subprocess.run(mine_cmd(SAMPLE, data, *args, "--json"), capture_output=True, text=True, env=ENV)

    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(run, jobs))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    records = jsonl_records(data / "metrics" / "qwen_training_data_miner_fidelity.json")
    assert len(records) == sum(len(j) for j in jobs)
    ids = set()
    for job, r in zip(jobs, results):
        out = json.loads(r.stdout)
        out = out if isinstance(out, list) else [out]
        assert sorted(o["domain"] for o in out) == sorted(job)
        ids.add(out[0]["execution_id"])
        state = json.loads((data / "executions" / out[0]["execution_id"] / "state.json").read_text())
        assert sorted(state["domains"]) == sorted(job)
    assert len(ids) == len(jobs)
    for ds in (data / "training_datasets").glob("*_training_data.json"):
        assert validate_file(ds) == []
        d = json.loads(ds.read_text())
        val = json.loads(ds.with_name(f"{d['domain']}_validation_set.json").read_text())
        assert val["examples"] == d["examples"][int(len(d["examples"]) * 0.8):]  # siblings from one run
    json.loads((data / "training_datasets" / "handoff.json").read_text())
