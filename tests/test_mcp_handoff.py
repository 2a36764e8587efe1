"""handoff_to_next_skill and the handoff:// resource, through the SDK's in-memory Client."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp import Client

from conftest import REPO, SAMPLE, error, payload

pytestmark = pytest.mark.anyio
SAMPLE_REL = str(SAMPLE.relative_to(REPO))


async def test_handoff_before_any_mine_says_what_to_do(mcp_server):
    async with Client(mcp_server) as client:
        msg = error(await client.call_tool("handoff_to_next_skill", {"domain": "all"}))
    assert "run mine_domain" in msg


async def test_handoff_gives_order_datasets_and_commands(mcp_server):
    async with Client(mcp_server) as client:
        for d in ("mps_scoring", "modlog_updates"):
            await client.call_tool("mine_domain", {"source_path": SAMPLE_REL, "domain": d})
        h = payload(await client.call_tool("handoff_to_next_skill", {"domain": "all"}))
        assert sorted(h["training_order"]) == ["modlog_updates", "mps_scoring"]
        assert h["next_skill"] == "gemma_domain_trainer_v1_prototype"
        assert [d["training_order"] for d in h["domains"]] == [1, 2]
        for d in h["domains"]:
            assert Path(d["dataset"]).exists() and Path(d["validation_set"]).exists()
            assert d["wardrobe_config"]["lora_rank"] == (4 if d["domain"] == "mps_scoring" else 8)
            assert "--skill gemma_domain_trainer" in d["execution_command"]
            assert d["source"] == SAMPLE.name and len(d["source_sha256"]) == 64 and d["shortfall"] == 0
        assert h["warnings"] == []  # one source, every dataset full
        one = payload(await client.call_tool("handoff_to_next_skill", {"domain": "mps_scoring"}))
        assert [d["domain"] for d in one["domains"]] == ["mps_scoring"]
        manifest = json.loads((await client.read_resource("handoff://manifest")).contents[0].text)
        assert manifest["training_order"] == h["training_order"]
        val = json.loads((await client.read_resource("dataset://mps_scoring/validation_set")).contents[0].text)
        assert val["domain"] == "mps_scoring" and val["items"] and val["total"] == val["total_examples"]
        bad = error(await client.call_tool("handoff_to_next_skill", {"domain": "mps"}))
        assert "domain: expected one of" in bad and 'got "mps"' in bad
