"""Hand-off to the Gemma trainer: split, exports read by `datasets`, dataset card, manifest, wardrobe."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from helpers import PACKS, SAMPLE

from training_data_miner.server.orchestrator import Orchestrator, Settings
from training_data_miner.skills.handoff import build_manifest, gemma_prompt, stratified_split, train_size
from training_data_miner.skills.validate import validate_file
from training_data_miner.skills.write_training_dataset import wardrobe_config

FIXED = {
    "instruction": "Apply WSP 15 MPS scoring to this task",
    "input": {"task_description": "Migrate agent_permissions to SQLite", "context": "21 tests passing"},
    "output": {"complexity": 3, "importance": 5, "deferability": 5, "impact": 4, "mps_total": 17, "priority": "P0"},
}


def test_gemma_rendering_is_the_trainers_format_byte_for_byte():
    expected = (
        "<start_of_turn>user\n"
        "Apply WSP 15 MPS scoring to this task\n"
        "\n"
        "Input: {\n"
        '  "task_description": "Migrate agent_permissions to SQLite",\n'
        '  "context": "21 tests passing"\n'
        "}\n"
        "<end_of_turn>\n"
        "<start_of_turn>model\n"
        '{"complexity": 3, "importance": 5, "deferability": 5, "impact": 4, "mps_total": 17, "priority": "P0"}\n'
        "<end_of_turn>"
    )
    assert gemma_prompt(FIXED).encode("utf-8") == expected.encode("utf-8")


def test_stratified_split_takes_each_labels_share_and_is_deterministic():
    items = [("P0", i) for i in range(10)] + [("P1", i) for i in range(30)] + [("P2", i) for i in range(13)]
    train, val = stratified_split(items, lambda x: x[0], 0.2, seed=7)
    assert len(train) == train_size(53) == 42 and len(val) == 11
    share = Counter(x[0] for x in val)
    for label, n in Counter(x[0] for x in items).items():
        assert abs(share[label] - n * 11 / 53) <= 1
    assert stratified_split(items, lambda x: x[0], 0.2, seed=7) == (train, val)
    assert stratified_split(items, lambda x: x[0], 0.2, seed=8) != (train, val)
    assert train == [x for x in items if x in train]  # source order kept


@pytest.mark.parametrize("domain,n,rank,lr,epochs", [
    ("mps_scoring", 40, 4, 1e-4, 5),
    ("wsp_application", 120, 8, 2e-4, 5),
    ("roadmap_analysis", 250, 16, 3e-4, 3),
    ("modlog_updates", 50, 8, 2e-4, 5),
    ("first_principles", 201, 8, 3e-4, 3),
])
def test_wardrobe_config_follows_the_trainers_rules(domain, n, rank, lr, epochs):
    w = wardrobe_config(PACKS[domain], n)
    assert (w["lora_rank"], w["learning_rate"], w["epochs"]) == (rank, lr, epochs)
    assert w["wardrobe_id"] == PACKS[domain].wardrobe.wardrobe_id


def _fake_dataset(out: Path, domain: str, total: int, n: int) -> None:
    ex = {**FIXED, "source": "x.txt:line_1", "quality_score": 1.0}
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{domain}_training_data.json").write_text(json.dumps({
        "domain": domain, "total_examples": n, "examples": [ex] * n,
        "domain_priority_mps": {"total": total, "priority": "P1"},
        "recommended_wardrobe_config": wardrobe_config(PACKS[domain], n),
        "autonomous_execution": {"capable": n >= 50},
    }))


def test_manifest_orders_domains_by_wsp15_total_then_size(tmp_path):
    _fake_dataset(tmp_path, "wsp_application", 13, 80)
    _fake_dataset(tmp_path, "mps_scoring", 15, 60)
    _fake_dataset(tmp_path, "roadmap_analysis", 13, 120)
    m = build_manifest(tmp_path, execution_command="train --domain {domain} --dataset {dataset}")
    assert m["training_order"] == ["mps_scoring", "roadmap_analysis", "wsp_application"]
    r = m["domains"]["roadmap_analysis"]
    assert r["training_order"] == 2
    assert r["wardrobe_config"]["lora_rank"] == 16 and r["wardrobe_config"]["learning_rate"] == 2e-4
    assert r["execution_command"] == f"train --domain roadmap_analysis --dataset {tmp_path / 'roadmap_analysis_training_data.json'}"
    assert m["next_skill"] == "gemma_domain_trainer_v1_prototype"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    orch = Orchestrator(Settings(data_dir=data, export_formats=["messages", "alpaca", "sharegpt", "gemma"]))
    results = orch.mine(SAMPLE, ["mps_scoring", "modlog_updates"])
    return data, results


def test_every_export_loads_with_hugging_face_datasets(exported):
    datasets = pytest.importorskip("datasets")
    data, results = exported
    columns = {"messages": ["messages"], "alpaca": ["instruction", "input", "output"],
               "sharegpt": ["conversations"], "gemma": ["text"]}
    for r in results:
        ds = json.loads(Path(r["dataset"]).read_text())
        n = ds["total_examples"]
        folder = data / "training_datasets" / "exports" / r["domain"]
        for fmt, cols in columns.items():
            loaded = datasets.load_dataset("json", data_files={
                "train": str(folder / f"{fmt}_train.jsonl"), "validation": str(folder / f"{fmt}_validation.jsonl")})
            assert loaded["train"].column_names == cols
            assert loaded["train"].num_rows == train_size(n) and loaded["validation"].num_rows == n - train_size(n)
        first = json.loads((folder / "gemma_train.jsonl").read_text().splitlines()[0])
        assert first["text"] == gemma_prompt(ds["examples"][0])
        info = json.loads((folder / "dataset_info.json").read_text())
        entry = info[f"{r['domain']}_alpaca_train"]
        assert entry["file_name"] == "alpaca_train.jsonl" and entry["formatting"] == "alpaca"
        assert info[f"{r['domain']}_sharegpt_train"]["columns"] == {"messages": "conversations"}


def test_dataset_card_is_yaml_front_matter_plus_markdown(exported):
    yaml = pytest.importorskip("yaml")
    data, results = exported
    for r in results:
        text = (data / "training_datasets" / "exports" / r["domain"] / "README.md").read_text()
        assert text.startswith("---\n")
        front, body = text[4:].split("\n---\n", 1)
        meta = yaml.safe_load(front)
        assert meta["license"] == "other"
        assert meta["task_categories"] and meta["size_categories"] == ["n<1K"]
        assert {c["config_name"] for c in meta["configs"]} == {"messages", "alpaca", "sharegpt", "gemma"}
        assert body.lstrip().startswith(f"# {r['domain']}")
        for section in ("## Source", "## Fields", "## Splits and quality", "## Known limitations"):
            assert section in body


def test_validation_set_is_the_trainers_slice_and_both_validate(exported):
    data, results = exported
    for r in results:
        ds_path = Path(r["dataset"])
        val_path = ds_path.with_name(f"{r['domain']}_validation_set.json")
        ds, val = json.loads(ds_path.read_text()), json.loads(val_path.read_text())
        k = int(len(ds["examples"]) * 0.8)
        assert val["examples"] == ds["examples"][k:]
        assert validate_file(ds_path) == [] and validate_file(val_path) == []
    manifest = json.loads((data / "training_datasets" / "handoff.json").read_text())
    assert set(manifest["training_order"]) == {"mps_scoring", "modlog_updates"}
    for e in manifest["domains"].values():
        assert Path(e["validation_set"]).exists() and set(e["exports"]) == {"messages", "alpaca", "sharegpt", "gemma"}


def test_the_card_and_the_verification_commands_carry_no_path_of_this_machine(exported):
    data, results = exported
    sha = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for r in results:
        card = (data / "training_datasets" / "exports" / r["domain"] / "README.md").read_text()
        assert f"Mined from `{SAMPLE.name}` ({SAMPLE.read_text().count(chr(10))} lines, sha256 `{sha}`)" in card
        assert str(SAMPLE.parent) not in card
        ver = json.loads(Path(r["dataset"]).read_text())["verification"]
        dataset = Path(r["dataset"]).resolve()
        assert ver["verify_command"] == f"training-data-miner validate {dataset}"
        assert ver["validation_script"].startswith("python3 -c ")
        assert sys.executable not in ver["verify_command"] + ver["validation_script"]
        out = subprocess.run(ver["verify_command"], shell=True, capture_output=True, text=True, env=env)
        assert out.returncode == 0 and out.stdout == f"{dataset}: valid\n", out.stderr
        out = subprocess.run(ver["validation_script"], shell=True, capture_output=True, text=True)
        assert out.returncode == 0 and "Dataset validated" in out.stdout, out.stderr


def test_a_merged_export_is_one_dataset_with_a_domain_column_that_load_dataset_loads(exported, tmp_path):
    import datasets

    data, results = exported
    sizes = {r["domain"]: json.loads(Path(r["dataset"]).read_text())["total_examples"] for r in results}
    r = subprocess.run([sys.executable, "-m", "training_data_miner.server", "export", *[r["dataset"] for r in results],
                        "--format", "alpaca", "--format", "sharegpt", "--format", "gemma", "--merge",
                        "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    folder = tmp_path / "out" / "merged"
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md", "alpaca_train.jsonl", "alpaca_validation.jsonl", "dataset_info.json", "gemma_train.jsonl",
        "gemma_validation.jsonl", "sharegpt_train.jsonl", "sharegpt_validation.jsonl"]
    for fmt, column in (("alpaca", "instruction"), ("sharegpt", "conversations"), ("gemma", "text")):
        loaded = datasets.load_dataset(str(folder), fmt, cache_dir=str(tmp_path / "hf"))
        assert column in loaded["train"].column_names and "domain" in loaded["train"].column_names
        assert Counter(loaded["train"]["domain"]) == {d: train_size(n) for d, n in sizes.items()}
        assert Counter(loaded["validation"]["domain"]) == {d: n - train_size(n) for d, n in sizes.items()}
    default = datasets.load_dataset(str(folder), cache_dir=str(tmp_path / "hf"))  # the card's default config
    assert default["train"].column_names == ["instruction", "input", "output", "domain"]
    info = json.loads((folder / "dataset_info.json").read_text())
    assert set(info) == {f"merged_{f}_{s}" for f in ("alpaca", "sharegpt") for s in ("train", "validation")}
    assert info["merged_alpaca_train"]["file_name"] == "alpaca_train.jsonl"
    card = (folder / "README.md").read_text()
    assert all(f"| {d} | {train_size(n)} | {n - train_size(n)} |" in card for d, n in sizes.items())


def test_a_merged_export_refuses_a_domain_given_twice_and_writes_nothing(exported, tmp_path):
    _, results = exported
    path = results[0]["dataset"]
    r = subprocess.run([sys.executable, "-m", "training_data_miner.server", "export", path, path, "--format", "alpaca",
                        "--merge", "--out", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [f"error: {results[0]['domain']} given more than once; merge one dataset per domain"]
    assert not list(tmp_path.iterdir())
