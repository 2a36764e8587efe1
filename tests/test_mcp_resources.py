"""The MCP resources and the prompt, through the SDK's in-memory Client."""

from __future__ import annotations

import json

import pytest
from mcp import Client, MCPError

from conftest import REPO, SAMPLE, payload

pytestmark = pytest.mark.anyio

SAMPLE_REL = str(SAMPLE.relative_to(REPO))
INVALID_PARAMS = -32602


def sample_lines() -> list[str]:
    text = SAMPLE.read_bytes().decode("utf-8")
    return text.removeprefix("\ufeff").removesuffix("\n").split("\n")


async def read(client: Client, uri: str) -> str:
    result = await client.read_resource(uri)
    [content] = result.contents
    return content.text


async def read_json(client: Client, uri: str):
    return json.loads(await read(client, uri))


async def refused(client: Client, uri: str) -> str:
    with pytest.raises(MCPError) as err:
        await client.read_resource(uri)
    assert err.value.error.code == INVALID_PARAMS
    return err.value.error.message


async def test_resources_and_templates_are_listed(mcp_server):
    async with Client(mcp_server) as client:
        resources = {r.uri for r in (await client.list_resources()).resources}
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
    assert resources == {"metrics://fidelity", "domains://all", "handoff://manifest"}
    assert templates == {
        "source://{+path}{?start,end}",
        "dataset://{domain}/training_data",
        "dataset://{domain}/pattern_summary",
        "dataset://{domain}/validation_set",
        "dataset://{domain}/rejected_examples{?offset,limit}",
        "execution://{execution_id}/state",
        "execution://{execution_id}/breadcrumbs{?offset,limit}",
        "execution://{execution_id}/matches/{domain}{?offset,limit}",
        "execution://{execution_id}/examples/{domain}{?offset,limit}",
        "executions://recent{?offset,limit}",
        "domains://{name}",
    }


async def test_source_whole_and_by_line_range(mcp_server):
    lines = sample_lines()
    async with Client(mcp_server) as client:
        assert await read(client, f"source://{SAMPLE_REL}") == SAMPLE.read_bytes().decode().removeprefix("\ufeff")
        assert await read(client, f"source://{SAMPLE}?start=2&end=4") == "\n".join(lines[1:4]) + "\n"
        assert await read(client, f"source://{SAMPLE_REL}?start={len(lines)}") == lines[-1] + "\n"


async def test_source_line_range_errors_say_what_to_ask_for(mcp_server):
    n = len(sample_lines())
    async with Client(mcp_server) as client:
        assert "need 1 <= start <= end" in await refused(client, f"source://{SAMPLE_REL}?start=9&end=3")
        assert "at most 5000 lines per read" in await refused(client, f"source://{SAMPLE_REL}?start=1&end=9000")
        assert f"the source has {n} lines" in await refused(client, f"source://{SAMPLE_REL}?start={n + 500}")
        assert "source file not found" in await refused(client, "source://data/sample/missing.txt")


async def test_dataset_resources_after_a_mine(mcp_server, data_dir):
    async with Client(mcp_server) as client:
        assert "run write_training_dataset (or mine_domain) for 'mps_scoring' first" in await refused(
            client, "dataset://mps_scoring/training_data")
        payload(await client.call_tool("mine_domain", {"source_path": SAMPLE_REL, "domain": "mps_scoring"}))
        out = data_dir / "training_datasets"
        assert await read(client, "dataset://mps_scoring/training_data") == \
            (out / "mps_scoring_training_data.json").read_text()
        assert await read_json(client, "dataset://mps_scoring/pattern_summary") == \
            json.loads((out / "mps_scoring_pattern_summary.json").read_text())
        rejected = json.loads((out / "mps_scoring_rejected_examples.json").read_text())
        page = await read_json(client, "dataset://mps_scoring/rejected_examples?limit=2")
        assert page["total"] == rejected["total_rejected"] > 2
        assert page["items"] == rejected["rejected"][:2] and page["next_offset"] == 2
        assert page["reason_counts"] == rejected["reason_counts"]
        assert "valid domains:" in await refused(client, "dataset://astrology/training_data")


async def test_execution_resources(mcp_server):
    async with Client(mcp_server) as client:
        loaded = payload(await client.call_tool("load_source", {"source_path": SAMPLE_REL, "domain": "mps_scoring"}))
        eid = loaded["execution_id"]
        args = {"execution_id": eid, "domain": "mps_scoring"}
        assert "run identify_domain_patterns first" in await refused(client, f"execution://{eid}/matches/mps_scoring")
        found = payload(await client.call_tool("identify_domain_patterns", args))["domains"][0]
        extracted = payload(await client.call_tool("extract_examples", args))

        state = await read_json(client, loaded["state_uri"])
        assert state["execution_id"] == eid and state["source"]["sha256"] == loaded["sha256"]
        assert state["domains"]["mps_scoring"]["steps"] == {
            "source_loaded": True, "domain_patterns_identified": True, "examples_extracted": True}

        crumbs = await read_json(client, f"execution://{eid}/breadcrumbs")
        assert [c["pattern"] for c in crumbs["items"]] == ["source_loaded", "domain_patterns_identified",
                                                          "examples_extracted"]

        matches = await read_json(client, found["matches_uri"] + "?offset=1&limit=2")
        assert matches["total"] == found["matches_found"]
        assert [m["line"] for m in matches["items"]] == [found["samples"][1]["line"], found["samples"][2]["line"]]
        assert matches["next_offset"] == 3 and matches["items"][0]["context_before"]

        page = await read_json(client, extracted["examples_uri"] + "?limit=200")
        assert page["total"] == extracted["total_examples"]
        listed = page["items"]
        while page["next_offset"] is not None:  # every example, page by page
            page = await read_json(client, extracted["examples_uri"] + f"?offset={page['next_offset']}&limit=200")
            listed += page["items"]
        assert len(listed) == extracted["total_examples"]

        assert "limit between 1 and 200" in await refused(client, f"execution://{eid}/breadcrumbs?limit=0")
        assert "not 'wsp_application'" in await refused(client, f"execution://{eid}/matches/wsp_application")
        assert "unknown execution_id 'exec_nope'" in await refused(client, "execution://exec_nope/state")

        listed = await read_json(client, "executions://recent")
        assert listed["total"] == 1
        assert listed["items"][0]["execution_id"] == eid
        assert listed["items"][0]["steps_done"] == {"mps_scoring": 3}


async def test_fidelity_metrics_resource(mcp_server):
    async with Client(mcp_server) as client:
        assert (await read_json(client, "metrics://fidelity"))["records"] == 0
        eid = payload(await client.call_tool("mine_domain", {"source_path": SAMPLE_REL, "domain": "mps_scoring"}))["execution_id"]
        metrics = await read_json(client, "metrics://fidelity")
    assert metrics["records"] == 1 and metrics["mean_pattern_fidelity"] == 1.0
    assert metrics["by_domain"] == {"mps_scoring": {"runs": 1, "mean_pattern_fidelity": 1.0}}
    assert metrics["recent"][0]["execution_id"] == eid


async def test_domain_pack_resources(mcp_server):
    from training_data_miner.skills.packs import load_packs

    packs = load_packs()
    async with Client(mcp_server) as client:
        listed = await read_json(client, "domains://all")
        toml = await read(client, "domains://mps_scoring")
        assert "valid domains:" in await refused(client, "domains://astrology")
    assert [p["name"] for p in listed] == list(packs)
    assert listed[0]["patterns"][0]["regex"] == next(iter(packs.values())).patterns[0].regex
    assert toml == open(packs["mps_scoring"].path, encoding="utf-8").read()


async def test_prompt_walks_through_the_six_steps(mcp_server):
    async with Client(mcp_server) as client:
        [prompt] = (await client.list_prompts()).prompts
        result = await client.get_prompt(prompt.name, {"source_path": SAMPLE_REL, "domain": "wsp_application"})
    assert prompt.name == "mine_six_steps"
    assert [(a.name, a.required) for a in prompt.arguments] == [("source_path", True), ("domain", False)]
    text = result.messages[0].content.text
    positions = [text.index(f"{step}(") for step in ("load_source", "identify_domain_patterns", "extract_examples",
                                                     "filter_quality", "generate_pattern_summary",
                                                     "write_training_dataset")]
    assert positions == sorted(positions)
    assert f'source_path="{SAMPLE_REL}"' in text and 'domain="wsp_application"' in text


async def test_a_broken_domain_pack_is_named_by_tools_and_resources_and_fixing_it_is_enough(tmp_path):
    # Packs load on first use (the server answers initialize before compiling them), so a broken
    # one is reported by the calls that need it, with its file and field, until it is fixed.
    from training_data_miner.server.mcp_server import build_server
    from training_data_miner.server.orchestrator import Settings

    packs = tmp_path / "domains"
    packs.mkdir()
    (packs / "bad.toml").write_text('name = "bad"\n', encoding="utf-8")
    server = build_server(Settings(data_dir=tmp_path / "data", domains_dirs=[packs]), roots=[str(REPO)])
    async with Client(server) as client:
        result = await client.call_tool("list_domains", {})
        assert result.is_error and "bad.toml: field description: Field required" in result.content[0].text
        result = await client.call_tool("load_source", {"source_path": SAMPLE_REL})
        assert result.is_error and "bad.toml: field description" in result.content[0].text
        with pytest.raises(MCPError) as err:
            await client.read_resource("domains://all")
        assert "bad.toml: field description: Field required" in err.value.error.message
        (packs / "bad.toml").unlink()
        names = [d["name"] for d in payload(await client.call_tool("list_domains", {}))["domains"]]
        assert "mps_scoring" in names
