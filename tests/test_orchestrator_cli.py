"""The orchestrator's records (breadcrumbs, fidelity, failures, resume) and the CLI a person uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SAMPLE

from training_data_miner.server.orchestrator import (
    DatasetKept,
    Options,
    Orchestrator,
    Settings,
    StepOrderError,
    UnknownExecution,
)
from training_data_miner.server.metrics import PATTERNS
from training_data_miner.skills.validate import validate_file

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, cwd=ROOT, check=False):
    return subprocess.run([sys.executable, "-m", "training_data_miner.server", *args], cwd=cwd, capture_output=True, text=True,
                          check=check, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_breadcrumbs_one_json_line_per_step_and_domain(tmp_path):
    orch = Orchestrator(Settings(data_dir=tmp_path))
    (r,) = orch.mine(SAMPLE, ["mps_scoring"])
    lines = (tmp_path / "executions" / r["execution_id"] / "breadcrumbs.jsonl").read_text().splitlines()
    crumbs = [json.loads(x) for x in lines]
    assert [c["pattern"] for c in crumbs] == list(PATTERNS)
    assert all(c["value"] is True and c["execution_id"] == r["execution_id"] for c in crumbs)
    assert crumbs[0]["total_lines"] > 1000 and crumbs[0]["chunk_size"] > 0
    assert crumbs[1]["matches_found"] > 0
    assert crumbs[3]["kept"] == r["high_quality_examples"]
    assert r["execution_time_ms"] > 0


def test_a_failed_step_is_recorded_with_fidelity_below_1(tmp_path):
    src = tmp_path / "vanishing.txt"
    src.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    orch = Orchestrator(Settings(data_dir=tmp_path))
    ex = orch.create(src, ["mps_scoring"])
    orch.load_source(ex)
    src.unlink()  # the source disappears between two steps
    (r,) = orch.mine(src, execution_id=ex.id)
    assert r["pattern_fidelity"] == round(1 / 6, 4)
    assert r["patterns"]["source_loaded"] and not r["patterns"]["domain_patterns_identified"]
    assert r["exception_type"] == "SourceError" and "not found" in r["error"]
    (rec,) = [json.loads(x) for x in (tmp_path / "metrics" / "qwen_training_data_miner_fidelity.json").read_text().splitlines()]
    assert rec["pattern_fidelity"] == round(1 / 6, 4) and rec["patterns_missed"] == 5
    assert rec["exception_type"] == "SourceError" and rec["metric_type"] == "fidelity"
    crumbs = [json.loads(x) for x in (tmp_path / "executions" / ex.id / "breadcrumbs.jsonl").read_text().splitlines()]
    assert crumbs[-1]["pattern"] == "domain_patterns_identified" and crumbs[-1]["value"] is False
    assert not (tmp_path / "training_datasets" / "mps_scoring_training_data.json").exists()


def test_steps_out_of_order_name_the_step_to_run_first(tmp_path):
    orch = Orchestrator(Settings(data_dir=tmp_path))
    ex = orch.create(SAMPLE, ["wsp_application"])
    with pytest.raises(StepOrderError, match="call identify_domain_patterns first"):
        orch.extract_examples(ex, "wsp_application")
    with pytest.raises(UnknownExecution, match="call load_source first"):
        orch.open("exec_nope")


def test_rerunning_an_execution_resumes_and_gives_the_same_dataset(tmp_path):
    orch = Orchestrator(Settings(data_dir=tmp_path))
    ex = orch.create(SAMPLE, ["mps_scoring"])
    orch.load_source(ex)
    orch.identify_domain_patterns(ex)
    orch.extract_examples(ex, "mps_scoring")  # then the process "dies"
    (r,) = Orchestrator(Settings(data_dir=tmp_path)).mine(SAMPLE, execution_id=ex.id)
    assert r["pattern_fidelity"] == 1.0
    crumbs = [json.loads(x) for x in (tmp_path / "executions" / ex.id / "breadcrumbs.jsonl").read_text().splitlines()]
    assert [c["pattern"] for c in crumbs].count("examples_extracted") == 1  # not run again
    resumed = json.loads(Path(r["dataset"]).read_text())
    (fresh,) = Orchestrator(Settings(data_dir=tmp_path / "fresh")).mine(SAMPLE, ["mps_scoring"])
    again = json.loads(Path(fresh["dataset"]).read_text())
    assert resumed["examples"] == again["examples"]


def test_readme_main_job_on_the_sample_writes_valid_datasets(tmp_path):
    r = cli("mine", str(SAMPLE), "--all-domains", "--data-dir", str(tmp_path), "--json")
    assert r.returncode == 0, r.stderr
    results = json.loads(r.stdout)
    assert isinstance(results, list) and len(results) == 6
    for res in results:
        assert res["pattern_fidelity"] == 1.0
        assert validate_file(res["dataset"]) == []
        assert res["high_quality_examples"] >= 50 and res["min_examples_met"]  # the sample fills every domain


def test_one_domain_json_is_one_object_and_the_human_summary_is_short(tmp_path):
    r = cli("mine", str(SAMPLE), "--domain", "mps_scoring", "--data-dir", str(tmp_path), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["domain"] == "mps_scoring"
    r = cli("mine", str(SAMPLE), "--domain", "mps_scoring", "--data-dir", str(tmp_path))
    assert r.returncode == 0
    assert r.stdout.splitlines()[0].startswith("mps_scoring: ") and "kept of" in r.stdout


@pytest.mark.parametrize("args,message", [
    (["mine", "nope.txt"], "error: source file not found: nope.txt"),
    (["mine", "data", "--domain", "mps_scoring"], "error: source is a directory"),
    (["mine", str(SAMPLE), "--domain", "mps"], "error: unknown domain 'mps'; valid domains:"),
    (["mine", str(SAMPLE), "--pattern-regex", "(oops"], "does not compile"),
    (["mine", str(SAMPLE), "--pattern-regex", "(?u)score"], "does not compile with the ASCII flag every pattern runs with"),
    (["mine", str(SAMPLE), "--min-quality", "2"], "error: invalid --min-quality: Input should be less than or equal to 1"),
    (["mine", str(SAMPLE), "--data-dir", "/etc/passwd/x"], "error: Not a directory (/etc/passwd/x/"),
])
def test_bad_input_exits_non_zero_with_one_clear_line(tmp_path, args, message):
    r = cli(args[0], "--data-dir", str(tmp_path), *args[1:])  # a --data-dir in args wins
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("content, message", [
    (b"WSP 15: MPS 4+4+3+4 = 15, P1\n\x00\x01\x02\n", "source looks binary (it contains NUL bytes)"),
    (b"", "source file is empty"),
])
def test_a_source_that_cannot_be_mined_is_one_line_on_stderr_and_nothing_on_stdout(tmp_path, content, message):
    src = tmp_path / "log.txt"
    src.write_bytes(content)
    for domains in (["--domain", "mps_scoring"], []):  # one domain, or all six: still one line
        r = cli("mine", str(src), *domains, "--data-dir", str(tmp_path))
        assert r.returncode == 2 and r.stdout == ""
        (line,) = r.stderr.splitlines()
        assert line.startswith(f"error: {message}: {src}; ")
    r = cli("--log-level", "info", "mine", str(src), "--data-dir", str(tmp_path))
    assert '"event": "mine failed"' in r.stderr  # the log line, at a verbose level only
    assert not list(tmp_path.glob("training_datasets/*_training_data.json"))


def test_validate_fails_clearly_on_a_missing_field_and_a_low_score(tmp_path):
    r = cli("mine", str(SAMPLE), "--domain", "mps_scoring", "--data-dir", str(tmp_path), "--json")
    path = Path(json.loads(r.stdout)["dataset"])
    ok = cli("validate", str(path))
    assert ok.returncode == 0 and "valid" in ok.stdout
    data = json.loads(path.read_text())
    del data["examples"][0]["output"]
    data["examples"][1]["quality_score"] = 0.7
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    r = cli("validate", str(bad))
    assert r.returncode == 1
    assert "missing field 'output'" in r.stderr
    assert "quality_score 0.7 is under the threshold 0.85" in r.stderr


def test_domains_lists_the_packs():
    r = cli("domains")
    assert r.returncode == 0
    assert {line.split()[0] for line in r.stdout.splitlines()} >= {"mps_scoring", "first_principles"}


def test_export_and_handoff_commands(tmp_path):
    r = cli("mine", str(SAMPLE), "--domain", "mps_scoring", "--data-dir", str(tmp_path), "--json")
    dataset = json.loads(r.stdout)["dataset"]
    r = cli("export", dataset, "--format", "sharegpt", "--format", "messages", "--out", str(tmp_path / "ex"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "ex" / "mps_scoring" / "sharegpt_train.jsonl").exists()
    assert (tmp_path / "ex" / "mps_scoring" / "README.md").exists()
    r = cli("export", str(tmp_path / "nope.json"), "--format", "alpaca")
    assert r.returncode == 2 and "no such file" in r.stderr
    r = cli("handoff", "--data-dir", str(tmp_path), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["training_order"] == ["mps_scoring"]
    r = cli("handoff", "--data-dir", str(tmp_path), "--domain", "readme_patterns")
    assert r.returncode == 2 and "mine the domain first" in r.stderr


@pytest.mark.corpus
def test_the_same_source_gives_the_same_datasets_whatever_the_hash_seed(tmp_path):
    from helpers import corpus

    runs = []
    for seed in ("1", "2", "3"):
        data = tmp_path / seed
        r = subprocess.run([sys.executable, "-m", "training_data_miner.server", "mine", str(corpus()), "--domain", "modlog_updates",
                            "--domain", "mps_scoring", "--data-dir", str(data), "-q"], cwd=ROOT, capture_output=True,
                           text=True, env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed})
        assert r.returncode == 0, r.stderr
        runs.append([json.loads((data / "training_datasets" / f"{d}_training_data.json").read_text())["examples"]
                     for d in ("modlog_updates", "mps_scoring")])
    assert runs[0] == runs[1] == runs[2]


@pytest.mark.parametrize("execution_id", ["../../escape", "..", ".hidden", "a/b", "x" * 129])
def test_an_execution_id_that_is_not_one_folder_name_is_refused_and_nothing_is_written(tmp_path, execution_id):
    data = tmp_path / "home" / "data"
    r = cli("mine", str(SAMPLE), "--domain", "mps_scoring", "--data-dir", str(data), "--execution-id", execution_id)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [f"error: invalid execution_id {execution_id!r}: use letters, digits, '_', '-' "
                                     "and '.', at most 128 characters, not starting with '.'"]
    assert not list(tmp_path.rglob("*"))  # not outside data/executions/, not inside either


@pytest.mark.anyio
async def test_the_cli_and_the_mcp_tools_refuse_an_execution_id_with_the_same_words(tmp_path, mcp_server):
    from conftest import error
    from mcp import Client

    r = cli("mine", str(SAMPLE), "--data-dir", str(tmp_path), "--execution-id", "..")
    async with Client(mcp_server) as client:
        text = error(await client.call_tool("extract_examples", {"execution_id": "..", "domain": "mps_scoring"}))
    assert r.returncode == 2 and r.stderr.startswith("error: invalid execution_id '..': ")
    assert r.stderr.strip().removeprefix("error: ") in text


def test_resuming_an_execution_with_another_source_is_refused(tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:300]) + "\n", encoding="utf-8")
    mine = ("mine", "--domain", "mps_scoring", "--data-dir", str(tmp_path / "data"), "--execution-id", "exec_a")
    assert cli(*mine[:1], str(SAMPLE), *mine[1:]).returncode == 0
    r = cli(*mine[:1], str(other), *mine[1:])
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [f"error: execution exec_a mines {SAMPLE}, not {other}: pass {SAMPLE} to resume "
                                     "it, or leave out the execution_id to start a new execution"]


def test_resuming_an_execution_whose_source_changed_since_is_refused(tmp_path):
    src = tmp_path / "012.txt"
    src.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    mine = ("mine", str(src), "--domain", "mps_scoring", "--data-dir", str(tmp_path / "data"), "--execution-id", "e")
    assert cli(*mine).returncode == 0
    with open(src, "a", encoding="utf-8") as f:
        f.write("WSP 15: MPS 4+4+3+4 = 15, P1\n")
    r = cli(*mine)
    assert r.returncode == 2 and r.stdout == ""
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"error: {src} has changed since execution e loaded it (sha256 ")
    assert line.endswith("leave out the execution_id to mine it in a new execution")


@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_jobs_below_one_is_refused_with_one_line(tmp_path, jobs):
    r = cli("mine", str(SAMPLE), "--data-dir", str(tmp_path), "--jobs", jobs)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [f"error: argument --jobs/-j: must be at least 1, got {jobs}; "
                                     "see training-data-miner mine --help"]
    assert not list(tmp_path.iterdir())  # nothing mined


def test_a_bad_option_is_one_line_with_exit_2_like_any_bad_input(tmp_path):
    for args in (["mine", str(SAMPLE), "--min-quality", "high"], ["export", "x.json"], ["mine", str(SAMPLE), "--nope"]):
        r = cli(*args)
        assert r.returncode == 2 and r.stdout == "", args
        (line,) = r.stderr.splitlines()
        assert line.startswith("error: ") and line.endswith("--help"), line


@pytest.mark.parametrize("what", ["missing", "folder", "not-json", "not-utf8", "a-list"])
@pytest.mark.parametrize("command", [["validate"], ["export", "--format", "alpaca"]])
def test_a_file_that_is_not_a_dataset_is_one_line_and_exit_2_in_validate_and_export(tmp_path, command, what):
    path = tmp_path / f"{what}.json"
    if what == "folder":
        path.mkdir()
    elif what == "not-json":
        path.write_text("{\"domain\": ", encoding="utf-8")
    elif what == "not-utf8":
        path.write_bytes(b"\xff\xfe{}")
    elif what == "a-list":
        path.write_text("[]", encoding="utf-8")
    r = cli(command[0], str(path), *command[1:])
    assert r.returncode == 2 and r.stdout == ""
    (line,) = r.stderr.splitlines()
    assert line.startswith("error: ") and str(path) in line and "Errno" not in line, line
    assert not (tmp_path / "exports").exists()


SHORT = "Task: retire the poller. MPS: 3+3+2+2 = 10, P2\r\n"  # one mps_scoring example, 49 short of 50


def test_a_run_short_of_min_examples_keeps_the_existing_dataset_and_exits_1_unless_replace(tmp_path):
    data = tmp_path / "data"
    short = tmp_path / "short.txt"
    short.write_bytes(SHORT.encode())
    assert cli("mine", str(SAMPLE), "--domain", "mps_scoring", "--data-dir", str(data), "-q").returncode == 0
    ds = data / "training_datasets" / "mps_scoring_training_data.json"
    before = ds.read_bytes()
    n = json.loads(before)["total_examples"]
    assert n >= 50
    r = cli("mine", str(short), "--domain", "mps_scoring", "--data-dir", str(data))
    assert r.returncode == 1
    assert r.stdout.splitlines()[0] == ("mps_scoring: 1 kept of 1 extracted (49 short of min_examples): "
                                        "the existing dataset was kept")
    (line,) = r.stderr.splitlines()
    assert line.startswith("error: write_training_dataset: mps_scoring: this run kept 1 examples, 49 short of "
                           f"min_examples 50, so the dataset already in {ds} ({n} examples) was kept")
    assert "--replace" in line
    assert ds.read_bytes() == before
    r = cli("mine", str(short), "--domain", "mps_scoring", "--data-dir", str(data), "--replace")
    assert r.returncode == 0, r.stderr
    assert json.loads(ds.read_text())["total_examples"] == 1


def test_the_orchestrator_takes_replace_as_an_option_and_as_a_step_argument(tmp_path):
    short = tmp_path / "short.txt"
    short.write_bytes(SHORT.encode())
    orch = Orchestrator(Settings(data_dir=tmp_path))
    orch.mine(SAMPLE, ["mps_scoring"])
    ds = tmp_path / "training_datasets" / "mps_scoring_training_data.json"
    before = ds.read_bytes()
    (r,) = orch.mine(short, ["mps_scoring"])
    assert r["exception_type"] == "DatasetKept" and not r["patterns"]["training_dataset_written"]
    assert ds.read_bytes() == before and json.loads(before)["total_examples"] >= 50
    (r,) = orch.mine(short, ["mps_scoring"], Options(replace=True))
    assert r["patterns"]["training_dataset_written"] and json.loads(ds.read_text())["total_examples"] == 1
    orch.mine(SAMPLE, ["mps_scoring"])
    ex = orch.create(short, ["mps_scoring"])
    orch.load_source(ex)
    orch.identify_domain_patterns(ex)
    for step in ("extract_examples", "filter_quality", "generate_pattern_summary"):
        getattr(orch, step)(ex, "mps_scoring")
    with pytest.raises(DatasetKept, match="replace=true"):
        orch.write_training_dataset(ex, "mps_scoring")
    assert orch.write_training_dataset(ex, "mps_scoring", replace=True)["total_examples"] == 1


def test_handoff_flags_an_empty_or_short_dataset_and_exits_1(tmp_path):
    short = tmp_path / "short.txt"
    short.write_bytes(SHORT.encode())
    data = str(tmp_path / "data")
    assert cli("mine", str(SAMPLE), "--domain", "wsp_application", "--data-dir", data, "-q").returncode == 0
    assert cli("handoff", "--data-dir", data).returncode == 0
    assert cli("mine", str(short), "--domain", "mps_scoring", "--domain", "modlog_updates", "--data-dir", data,
               "-q").returncode == 0  # nothing there to keep: short datasets are written, and say so
    r = cli("handoff", "--data-dir", data)
    assert r.returncode == 1
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning: ")]
    assert ("warning: mps_scoring has 1 examples, 49 short of the min_examples it was mined for; "
            "mine a longer source before training it") in warnings
    assert ("warning: modlog_updates has no examples: the trainer would learn nothing from it; "
            "mine it again from a source that has some") in warnings
    manifest = json.loads((tmp_path / "data" / "training_datasets" / "handoff.json").read_text())
    assert manifest["domains"]["modlog_updates"]["total_examples"] == 0
    assert manifest["domains"]["mps_scoring"]["shortfall"] == 49
    assert any("mps_scoring has 1 examples" in w for w in manifest["warnings"])


def test_handoff_names_each_datasets_source_and_sha256_and_warns_when_they_differ(tmp_path):
    import hashlib

    other = tmp_path / "other.txt"
    other.write_text(SAMPLE.read_text(encoding="utf-8") + "one more line\n", encoding="utf-8")
    data = str(tmp_path / "data")
    sha = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (SAMPLE, other)}
    assert cli("mine", str(SAMPLE), "--domain", "mps_scoring", "--data-dir", data, "-q").returncode == 0
    r = cli("handoff", "--data-dir", data)
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.splitlines()[0].endswith(f"; from {SAMPLE.name} (sha256 {sha[SAMPLE.name][:12]})")
    assert cli("mine", str(other), "--domain", "wsp_application", "--data-dir", data, "-q").returncode == 0
    r = cli("handoff", "--data-dir", data, "--json")
    assert r.returncode == 0  # a warning, not a failure
    m = json.loads(r.stdout)
    assert m["domains"]["mps_scoring"]["source"] == {"name": SAMPLE.name, "sha256": sha[SAMPLE.name]}
    assert m["domains"]["wsp_application"]["source"] == {"name": "other.txt", "sha256": sha["other.txt"]}
    assert r.stderr.splitlines() == [
        f"warning: the datasets were mined from 2 different sources: mps_scoring from {SAMPLE.name} "
        f"(sha256 {sha[SAMPLE.name][:12]}); wsp_application from other.txt (sha256 {sha['other.txt'][:12]}); "
        "mine them from one source if they are to be trained together"]
    assert m["warnings"] == [r.stderr.splitlines()[0].removeprefix("warning: ")]


@pytest.mark.parametrize("command", ["mine", "handoff"])
def test_a_next_skill_command_that_cannot_be_filled_in_is_one_line_and_exit_2(tmp_path, command):
    args = [str(SAMPLE), "--domain", "mps_scoring"] if command == "mine" else []
    r = cli(command, *args, "--data-dir", str(tmp_path), "--next-skill-command", "train {oops}")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == ["error: --next-skill-command 'train {oops}' cannot be filled in (KeyError: 'oops'): "
                                     "it may name {domain} and {dataset} only; write {{ and }} for literal braces"]
    assert not list(tmp_path.rglob("*_training_data.json"))


def test_progress_ends_with_a_final_line_saying_the_mine_is_done(tmp_path):
    r = cli("mine", str(SAMPLE), "--domain", "mps_scoring", "--data-dir", str(tmp_path / "data"), "--progress")
    assert r.returncode == 0, r.stderr
    last = r.stderr.splitlines()[-1]
    assert last.startswith("[done] 100.0% 1 of 1 domain(s) mined in ") and last.endswith(" s"), r.stderr
