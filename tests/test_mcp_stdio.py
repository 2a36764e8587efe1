"""`training-data-miner serve` as a real subprocess on stdio, driven by the SDK's Client: what
Claude Desktop and Qwen-Agent launch."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from mcp import Client

from conftest import REPO, SAMPLE, payload

pytestmark = pytest.mark.anyio

SAMPLE_REL = str(SAMPLE.relative_to(REPO))
STEPS = ("identify_domain_patterns", "extract_examples", "filter_quality", "generate_pattern_summary",
         "write_training_dataset")


def comparable(dataset_path: Path) -> dict:
    """What a dataset says about its examples, without the run's timestamps, paths and ids."""
    d = json.loads(dataset_path.read_text(encoding="utf-8"))
    return {k: d[k] for k in ("dataset_id", "domain", "total_examples", "quality_threshold", "examples",
                              "recommended_wardrobe_config")} | {"pattern_summary": d["metadata"]["pattern_summary"]}


async def test_stdio_tools_list_matches_snapshot(stdio_server, tools_snapshot):
    async with Client(stdio_server()) as client:
        tools_snapshot(await client.list_tools())


async def test_stdio_six_steps_make_the_same_datasets_as_the_cli(stdio_server, data_dir, tmp_path):
    cli_dir = tmp_path / "cli"
    subprocess.run([sys.executable, "-m", "training_data_miner.server", "mine", SAMPLE_REL, "--data-dir", str(cli_dir), "--quiet"],
                   cwd=REPO, check=True)
    async with Client(stdio_server()) as client:
        loaded = payload(await client.call_tool("load_source", {"source_path": SAMPLE_REL, "domain": "all"}))
        eid = loaded["execution_id"]
        payload(await client.call_tool("identify_domain_patterns", {"execution_id": eid, "domain": "all"}))
        for domain in loaded["domains"]:
            for step in STEPS[1:]:
                result = payload(await client.call_tool(step, {"execution_id": eid, "domain": domain}))
            assert result["summary"]["pattern_fidelity"] == 1.0, domain
    cli_sets = sorted((cli_dir / "training_datasets").glob("*_training_data.json"))
    mcp_sets = sorted((data_dir / "training_datasets").glob("*_training_data.json"))
    assert [p.name for p in mcp_sets] == [p.name for p in cli_sets] == [f"{d}_training_data.json" for d in loaded["domains"]]
    for cli, mcp in zip(cli_sets, mcp_sets):
        assert comparable(mcp) == comparable(cli), mcp.name


async def test_stdio_progress_notifications_during_a_mine_of_the_dev_corpus(stdio_server, dev_corpus):
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with Client(stdio_server("--root", str(dev_corpus.parent))) as client:
        data = payload(await client.call_tool("mine_domain", {"source_path": str(dev_corpus), "domain": "mps_scoring"},
                                              progress_callback=on_progress))
    assert data["summaries"][0]["pattern_fidelity"] == 1.0
    values = [p for p, _, _ in seen]
    assert len(seen) >= 20 and values == sorted(values) and values[-1] == 100
    assert all(total == 100 for _, total, _ in seen)
    chunks = [m for _, _, m in seen if m.startswith("identify_domain_patterns: chunk")]
    assert len(chunks) >= 10  # per chunk of the 32K-token plan
    for step in ("load_source", "extract_examples", "filter_quality", "generate_pattern_summary", "write_training_dataset"):
        assert any(m.startswith(step) for _, _, m in seen), step


async def test_stdio_cancelled_mine_stops_promptly_and_writes_no_dataset(stdio_server, data_dir, dev_corpus):
    scanning = anyio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        if message and message.startswith("identify_domain_patterns: chunk"):
            scanning.set()

    async with Client(stdio_server("--root", str(dev_corpus.parent))) as client:
        call = anyio.CancelScope()

        async def mine() -> None:
            with call:
                await client.call_tool("mine_domain", {"source_path": str(dev_corpus), "domain": "all"},
                                       progress_callback=on_progress)
                pytest.fail("the call finished: it was not cancelled mid-way")

        async with anyio.create_task_group() as tg:
            tg.start_soon(mine)
            with anyio.fail_after(60):
                await scanning.wait()
            call.cancel()
        cancelled_at = time.monotonic()

        # The step records the cancellation when it stops; that is how we know it stopped.
        [state_file] = (data_dir / "executions").glob("*/state.json")
        with anyio.fail_after(5):
            while "Cancelled" not in state_file.read_text():
                await anyio.sleep(0.02)
        assert time.monotonic() - cancelled_at < 2

        assert payload(await client.call_tool("list_domains", {}))["domains"]  # still answering
        await anyio.sleep(1)  # longer than the rest of the run would take to write something
        assert list(data_dir.rglob("*_training_data.json")) == []
        assert list(data_dir.rglob("*.tmp")) == []
    state = json.loads(state_file.read_text())
    assert {d["exception_type"] for d in state["domains"].values()} == {"Cancelled"}
    crumbs = (state_file.parent / "breadcrumbs.jsonl").read_text().splitlines()
    assert json.loads(crumbs[-1])["exception_type"] == "Cancelled"


def test_stdio_stdout_carries_only_protocol_messages_and_logs_go_to_stderr(data_dir, tmp_path):
    """With debug logging on, every line the server writes to stdout is a JSON-RPC message."""
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "mine_domain", "arguments": {"source_path": SAMPLE_REL, "domain": "mps_scoring"}}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "load_source", "arguments": {"source_path": "missing.txt"}}},
    ]
    cmd = [sys.executable, "-m", "training_data_miner.server", "--log-level", "debug", "serve", "--data-dir", str(data_dir)]
    stderr = tmp_path / "stderr"
    with open(stderr, "wb") as err:
        proc = subprocess.Popen(cmd, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
    assert proc.stdin and proc.stdout
    for r in requests:
        proc.stdin.write((json.dumps(r) + "\n").encode())
    proc.stdin.flush()
    answers: dict[int, dict] = {}
    lines = []
    while len(answers) < 3:
        line = proc.stdout.readline()
        assert line, stderr.read_text()
        lines.append(line)
        msg = json.loads(line)
        assert msg["jsonrpc"] == "2.0"
        if "id" in msg:
            answers[msg["id"]] = msg
    proc.stdin.close()  # end of input: the server exits
    rest = proc.stdout.read()
    assert proc.wait(30) == 0
    assert all(json.loads(line)["jsonrpc"] == "2.0" for line in rest.splitlines())
    assert answers[2]["result"]["structuredContent"]["summaries"][0]["pattern_fidelity"] == 1.0
    assert answers[3]["result"]["isError"] is True
    logs = stderr.read_text()
    assert "step done" in logs and "mcp server built" in logs  # the logs went to stderr
