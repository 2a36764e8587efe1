"""Crashes and concurrency on the MCP side: a killed server and parallel clients lose nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import anyio
import pytest
from mcp import Client

from conftest import REPO, SAMPLE, payload
from training_data_miner.skills.validate import validate_file

pytestmark = pytest.mark.anyio
SAMPLE_REL = str(SAMPLE.relative_to(REPO))


def lines(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


async def test_kill_9_of_the_server_mid_mine_keeps_the_previous_dataset(http_server, data_dir, dev_corpus):
    url, proc = http_server
    async with Client(url) as client:
        payload(await client.call_tool("mine_domain", {"source_path": SAMPLE_REL, "domain": "mps_scoring"}))
    ds = data_dir / "training_datasets" / "mps_scoring_training_data.json"
    before = ds.read_bytes()

    async def doomed_mine() -> None:
        try:
            async with Client(url) as client:
                await client.call_tool("mine_domain", {"source_path": str(dev_corpus), "domain": "all"})
        except Exception:
            pass  # the server dies under it

    async with anyio.create_task_group() as tg:
        tg.start_soon(doomed_mine)
        await anyio.sleep(1.5)
        proc.kill()  # SIGKILL, mid-run
        await anyio.to_thread.run_sync(proc.wait)
        tg.cancel_scope.cancel()
    after = ds.read_bytes()
    assert after == before or validate_file(ds) == []
    assert all(f".{proc.pid}." in t.name for t in data_dir.rglob(".*.tmp"))  # only the killed writer's
    for f in [*data_dir.glob("metrics/*.json"), *data_dir.glob("executions/*/breadcrumbs.jsonl")]:
        lines(f)
    for state in data_dir.glob("executions/*/state.json"):
        json.loads(state.read_text())


async def test_parallel_clients_and_a_cli_run_share_one_output_folder(mcp_server, data_dir):
    jobs = ["mps_scoring", "mps_scoring", "wsp_application", "modlog_updates", "all"]
    results: dict[int, dict] = {}

    async def one(i: int, domain: str) -> None:
        async with Client(mcp_server) as client:
            results[i] = payload(await client.call_tool("mine_domain", {"source_path": SAMPLE_REL, "domain": domain}))

    cli = subprocess.Popen([sys.executable, "-m", "training_data_miner.server", "mine", str(SAMPLE), "--domain", "mps_scoring",
                            "--data-dir", str(data_dir), "-q"], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    async with anyio.create_task_group() as tg:
        for i, d in enumerate(jobs):
            tg.start_soon(one, i, d)
    assert await anyio.to_thread.run_sync(cli.wait) == 0
    domain_runs = sum(len(r["summaries"]) for r in results.values()) + 1
    records = lines(data_dir / "metrics" / "qwen_training_data_miner_fidelity.json")
    assert len(records) == domain_runs and {r["pattern_fidelity"] for r in records} == {1.0}
    ids = {r["execution_id"] for r in results.values()}
    assert len(ids) == len(jobs)
    for i, d in enumerate(jobs):
        state = json.loads((data_dir / "executions" / results[i]["execution_id"] / "state.json").read_text())
        assert list(state["domains"]) == ([d] if d != "all" else list(state["domains"]))
        assert d == "all" or len(state["domains"]) == 1
    for ds in (data_dir / "training_datasets").glob("*_training_data.json"):
        assert validate_file(ds) == []
