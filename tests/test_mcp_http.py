"""`training-data-miner serve --http` as a real process on a free port, driven over streamable HTTP."""

from __future__ import annotations

import json

import pytest
from mcp import Client

from conftest import REPO, SAMPLE, error, payload

pytestmark = pytest.mark.anyio

SAMPLE_REL = str(SAMPLE.relative_to(REPO))


async def test_http_serves_the_same_tools_and_mines_the_sample(http_server, tools_snapshot, data_dir, tmp_path):
    url, proc = http_server
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    async with Client(url) as client:
        tools_snapshot(await client.list_tools())
        data = payload(await client.call_tool("mine_domain", {"source_path": SAMPLE_REL, "domain": "mps_scoring"},
                                              progress_callback=on_progress))
        [summary] = data["summaries"]
        assert summary["pattern_fidelity"] == 1.0
        dataset = json.loads((await client.read_resource(summary["dataset_uri"])).contents[0].text)
        assert error(await client.call_tool("extract_examples", {"execution_id": "exec_nope", "domain": "mps_scoring"}))
    assert dataset["total_examples"] == summary["high_quality_examples"] > 0
    assert (data_dir / "training_datasets" / "mps_scoring_training_data.json").is_file()
    assert seen and seen == sorted(seen) and seen[-1] == 100
    assert proc.poll() is None and (tmp_path / "http.stdout").read_bytes() == b""  # logs go to stderr only


async def test_http_second_client_continues_an_execution(http_server):
    url, _ = http_server
    async with Client(url) as first:
        loaded = payload(await first.call_tool("load_source", {"source_path": SAMPLE_REL, "domain": "wsp_application"}))
    async with Client(url) as second:
        found = payload(await second.call_tool("identify_domain_patterns",
                                               {"execution_id": loaded["execution_id"], "domain": "wsp_application"}))
    assert found["domains"][0]["matches_found"] > 0

