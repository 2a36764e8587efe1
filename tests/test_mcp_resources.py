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
        "source://{+path}{?start,end,section,offset}",
        "dataset://{domain}/training_data{?offset,limit}",
        "dataset://{domain}/training_data_info",
        "dataset://{domain}/pattern_summary",
        "dataset://{domain}/validation_set{?offset,limit}",
        "dataset://{domain}/rejected_examples{?offset,limit}",
        "execution://{execution_id}/state",
        "execution://{execution_id}/outline{?offset,limit}",
        "execution://{execution_id}/outline/{document}{?offset,limit}",
        "execution://{execution_id}/breadcrumbs{?offset,limit}",
        "execution://{execution_id}/matches/{domain}{?offset,limit}",
        "execution://{execution_id}/examples/{domain}{?offset,limit}",
        "executions://recent{?offset,limit}",
        "domains://{name}",
    }


async def test_every_listed_resource_reads_on_a_fresh_data_folder(mcp_server):
    # langchain-mcp-adapters' get_resources reads every listed resource and fails whole if one fails.
    async with Client(mcp_server) as client:
        for resource in (await client.list_resources()).resources:
            json.loads(await read(client, str(resource.uri)))
        manifest = await read_json(client, "handoff://manifest")
    assert manifest["domains"] == {} and manifest["training_order"] == []
    assert manifest["next_skill"] == "gemma_domain_trainer_v1_prototype"
    assert "run mine_domain" in manifest["note"] and "handoff_to_next_skill" in manifest["note"]


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


async def pages(client: Client, uri: str, parse=json.loads) -> list[dict]:
    """Every page of a listing, from `uri` on, following next_uri; `parse` reads each page's text."""
    out = [parse(await read(client, uri))]
    while out[-1]["next_uri"]:
        assert out[-1]["next_offset"] == out[-1]["offset"] + len(out[-1]["items"])
        out.append(parse(await read(client, out[-1]["next_uri"])))
    return out


async def test_dataset_resources_after_a_mine(mcp_server, data_dir):
    async with Client(mcp_server) as client:
        assert "run write_training_dataset (or mine_domain) for 'mps_scoring' first" in await refused(
            client, "dataset://mps_scoring/training_data")
        payload(await client.call_tool("mine_domain", {"source_path": SAMPLE_REL, "domain": "mps_scoring"}))
        out = data_dir / "training_datasets"
        dataset = json.loads((out / "mps_scoring_training_data.json").read_text())
        first = await read_json(client, "dataset://mps_scoring/training_data")
        for key in ("dataset_id", "domain", "source", "created", "total_examples", "quality_threshold"):
            assert first[key] == dataset[key]
        assert first["total"] == dataset["total_examples"] and first["offset"] == 0
        assert first["items"] == dataset["examples"][:len(first["items"])]
        two = await read_json(client, "dataset://mps_scoring/training_data?offset=1&limit=2")
        assert two["items"] == dataset["examples"][1:3] and two["next_offset"] == 3
        assert two["next_uri"] == "dataset://mps_scoring/training_data?offset=3&limit=2"
        info = await read_json(client, first["info_uri"])
        assert info == {k: v for k, v in dataset.items() if k != "examples"} | {
            "examples_uri": "dataset://mps_scoring/training_data"}
        assert await read_json(client, first["pattern_summary_uri"]) == \
            json.loads((out / "mps_scoring_pattern_summary.json").read_text())
        validation = json.loads((out / "mps_scoring_validation_set.json").read_text())
        val = await pages(client, "dataset://mps_scoring/validation_set")
        assert [e for p in val for e in p["items"]] == validation["examples"]
        assert val[0]["split"] == validation["split"]
        rejected = json.loads((out / "mps_scoring_rejected_examples.json").read_text())
        page = await read_json(client, "dataset://mps_scoring/rejected_examples?limit=2")
        assert page["total"] == rejected["total_rejected"] > 2
        assert page["items"] == rejected["rejected"][:2] and page["next_offset"] == 2
        assert page["reason_counts"] == rejected["reason_counts"]
        assert "valid domains:" in await refused(client, "dataset://astrology/training_data")
        assert "limit between 1 and 200" in await refused(client, "dataset://mps_scoring/training_data?limit=201")


async def test_default_pages_fit_in_8_kb_and_lead_to_the_rest(data_dir, dev_corpus):
    # A 32K-token agent follows next_uri from a result's URI: each page it reads is about 8 KB,
    # and the pages hold every item, whole, in order (matches: context_uri reads the whole window).
    def fits(text: str) -> dict:
        data = json.loads(text)
        assert len(text.encode()) <= 8000 or len(data["items"]) == 1, (len(text.encode()), data.get("next_uri"))
        return data

    from training_data_miner.server.mcp_server import build_server
    from training_data_miner.server.orchestrator import Settings

    server = build_server(Settings(data_dir=data_dir), roots=[str(dev_corpus.parent)])
    async with Client(server) as client:
        mined = payload(await client.call_tool("mine_domain", {"source_path": str(dev_corpus), "domain": "all"}))
        eid = mined["execution_id"]
        out = data_dir / "training_datasets"
        for s in mined["summaries"]:
            d = s["domain"]
            assert list(s)[list(s).index("pattern_summary_uri") + 1] == "dataset_uri"  # the summary first
            dataset = json.loads((out / f"{d}_training_data.json").read_text())
            everything = await pages(client, s["dataset_uri"], fits)
            assert [e for p in everything for e in p["items"]] == dataset["examples"], d
            # every page but the last is full: it holds items, and the next one would not have fitted in 8,000
            # bytes beside them and the page around them, its numbers at their widest as the pager reserves them
            # (limit 200, the last offset), a comma counted per item as the pager counts it
            size = lambda obj: len(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode())  # noqa: E731

            def widest(p: dict) -> dict:
                uri = p["next_uri"].split("?")[0]
                return {**p, "limit": 200, "next_offset": p["total"], "next_uri": f"{uri}?offset={p['total']}", "items": []}

            assert len(everything) > 1 and all(
                p["items"] and size(widest(p)) - 2 + size(p["items"]) + 1 + size(nxt["items"][0]) + 1 > 8000
                for p, nxt in zip(everything, everything[1:])), d
            for uri in (f"dataset://{d}/validation_set", f"dataset://{d}/rejected_examples",
                        f"execution://{eid}/examples/{d}", f"execution://{eid}/matches/{d}"):
                fits(await read(client, uri))
        # readme_patterns keeps up to 400 lines after a match: a page keeps the 3 nearest each side.
        matches = fits(await read(client, f"execution://{eid}/matches/readme_patterns"))
        clipped = next(m for m in matches["items"] if m.get("context_clipped"))
        assert len(clipped["context_before"]) <= 3 and len(clipped["context_after"]) <= 3
        i = matches["offset"] + matches["items"].index(clipped)
        [whole] = (await read_json(client, f"execution://{eid}/matches/readme_patterns?offset={i}&limit=1"))["items"]
        assert whole["context_uri"] == clipped["context_uri"]
        window = await read(client, whole["context_uri"])
        assert window == "\n".join(whole["context_before"] + [whole["text"]] + whole["context_after"]) + "\n"
        assert len(whole["context_after"]) > 3


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


async def test_completions_offer_domains_execution_ids_and_source_paths(mcp_server, data_dir):
    from mcp_types import PromptReference, ResourceTemplateReference

    from training_data_miner.skills.packs import load_packs

    domains = list(load_packs())

    async def complete(ref, name: str, value: str, **known: str) -> list[str]:
        result = (await client.complete(ref, {"name": name, "value": value}, known or None)).completion
        assert result.total == len(result.values) and not result.has_more
        return result.values

    def template(uri: str) -> ResourceTemplateReference:
        return ResourceTemplateReference(uri=uri)

    prompt = PromptReference(name="mine_six_steps")
    async with Client(mcp_server) as client:
        assert client.server_capabilities.completions is not None
        assert await complete(prompt, "domain", "") == domains
        assert await complete(prompt, "domain", "w") == ["wsp_application"]
        assert await complete(template("domains://{name}"), "name", "mps") == ["mps_scoring"]
        # Datasets: only the domains that have one.
        dataset = template("dataset://{domain}/training_data{?offset,limit}")
        assert await complete(dataset, "domain", "") == []
        first = payload(await client.call_tool("load_source", {"source_path": SAMPLE_REL, "domain": "mps_scoring"}))
        mined = payload(await client.call_tool("mine_domain", {"source_path": SAMPLE_REL, "domain": "readme_patterns"}))
        assert await complete(dataset, "domain", "") == ["readme_patterns"]
        # Executions: newest first; an execution's own domains once its id is known.
        state = template("execution://{execution_id}/state")
        assert await complete(state, "execution_id", "exec_") == [mined["execution_id"], first["execution_id"]]
        assert await complete(state, "execution_id", first["execution_id"][:-1]) == [first["execution_id"]]
        matches = template("execution://{execution_id}/matches/{domain}{?offset,limit}")
        assert await complete(matches, "domain", "", execution_id=first["execution_id"]) == ["mps_scoring"]
        assert await complete(matches, "domain", "m") == ["modlog_updates", "mps_scoring"]
        # Source paths: inside the roots only.
        source = template("source://{+path}{?start,end,section,offset}")
        assert await complete(source, "path", "data/sam") == ["data/sample/"]
        assert await complete(source, "path", "data/sample/012_s") == [SAMPLE_REL]
        assert await complete(prompt, "source_path", "data/sample/") == [SAMPLE_REL]
        assert await complete(source, "path", str(REPO / "data" / "sam")) == [str(REPO / "data" / "sample") + "/"]
        assert await complete(source, "path", "../") == []
        assert await complete(source, "path", "/etc/pas") == []
        assert set(await complete(source, "path", "/")) == {f"{REPO}/", f"{data_dir.resolve()}/"}  # the roots
        assert await complete(source, "start", "1") == []
