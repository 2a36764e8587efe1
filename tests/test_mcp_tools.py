"""The MCP tools through the SDK's in-memory Client: given these arguments, a client sees exactly this."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp import Client

from training_data_miner.skills.load_source import load_source
from conftest import REPO, SAMPLE, error, payload

pytestmark = pytest.mark.anyio

SAMPLE_REL = str(SAMPLE.relative_to(REPO))
STEPS = ("load_source", "identify_domain_patterns", "extract_examples", "filter_quality",
         "generate_pattern_summary", "write_training_dataset")
PATTERNS = ("source_loaded", "domain_patterns_identified", "examples_extracted", "quality_filtering_applied",
            "pattern_summary_generated", "training_dataset_written")
COMPACT_CHARS = 6000  # a step's result must leave a 32K-token agent room for the other five


async def chain(client: Client, domain: str, source: str = SAMPLE_REL) -> dict[str, dict]:
    """The six steps, one call each, as an agent following the seed would make them."""
    out = {"load_source": payload(await client.call_tool("load_source", {"source_path": source, "domain": domain}))}
    eid = out["load_source"]["execution_id"]
    for step in STEPS[1:]:
        out[step] = payload(await client.call_tool(step, {"execution_id": eid, "domain": domain}))
    return out


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_tools_list_matches_snapshot(mcp_server, tools_snapshot, mode):
    async with Client(mcp_server, mode=mode) as client:
        tools_snapshot(await client.list_tools())


async def test_tools_are_the_seed_steps_with_flat_input_schemas(mcp_server):
    async with Client(mcp_server) as client:
        tools = (await client.list_tools()).tools
    assert [t.name for t in tools] == [*STEPS, "mine_domain", "handoff_to_next_skill", "semantic_search", "list_domains"]
    for t in tools:
        text = json.dumps(t.input_schema)
        assert "$defs" not in text and "$ref" not in text, t.name  # Qwen-Agent drops them
        assert t.output_schema is not None, t.name  # so results carry structuredContent
        for name, prop in t.input_schema["properties"].items():
            assert "description" in prop, f"{t.name}.{name}"


async def test_list_domains(mcp_server):
    from training_data_miner.skills.packs import load_packs

    async with Client(mcp_server) as client:
        data = payload(await client.call_tool("list_domains", {}))
    packs = load_packs()
    assert [d["name"] for d in data["domains"]] == list(packs)
    for d in data["domains"]:
        assert d["patterns"] == [s.name for s in packs[d["name"]].patterns]
        assert d["description"] and d["uri"] == f"domains://{d['name']}"


async def test_six_steps_one_call_each(mcp_server, data_dir):
    async with Client(mcp_server) as client:
        r = await chain(client, "mps_scoring")

    loaded = r["load_source"]
    assert loaded["domains"] == ["mps_scoring"]
    assert loaded["total_lines"] == len(SAMPLE.read_bytes().splitlines())
    assert loaded["chunks"] >= 1 and loaded["chunk_size"] > 0
    assert loaded["source_uri"] == f"source://{SAMPLE}"
    assert loaded["next_step"].startswith("identify_domain_patterns(")

    found = r["identify_domain_patterns"]["domains"][0]
    assert found["matches_found"] > 0
    assert sum(found["pattern_counts"].values()) >= found["matches_found"]
    assert 0 < len(found["samples"]) <= 3
    assert all(len(s["text"]) <= 160 for s in found["samples"])

    extracted = r["extract_examples"]
    assert extracted["total_examples"] > 0 and extracted["high_quality"] <= extracted["total_examples"]
    assert sum(extracted["by_pattern"].values()) == extracted["total_examples"]

    filtered = r["filter_quality"]
    assert filtered["kept"] + filtered["filtered"] == extracted["total_examples"]
    assert filtered["min_quality"] == 0.85

    summary = r["generate_pattern_summary"]
    assert summary["high_quality_examples"] == filtered["kept"]

    written = r["write_training_dataset"]
    dataset = json.loads(Path(written["dataset"]).read_text(encoding="utf-8"))
    assert Path(written["dataset"]).parent == data_dir / "training_datasets"
    assert dataset["total_examples"] == written["total_examples"] == filtered["kept"]
    assert written["dataset_uri"] == "dataset://mps_scoring/training_data"
    eps = written["summary"]
    assert eps["patterns"] == dict.fromkeys(PATTERNS, True)
    assert eps["pattern_fidelity"] == 1.0
    assert eps["total_examples_extracted"] == extracted["total_examples"]
    assert eps["high_quality_examples"] == filtered["kept"]

    for step, result in r.items():
        assert len(json.dumps(result)) < COMPACT_CHARS, step


async def test_step_by_step_run_leaves_breadcrumbs_and_fidelity_like_the_cli(mcp_server, data_dir):
    async with Client(mcp_server) as client:
        r = await chain(client, "mps_scoring")
    eid = r["load_source"]["execution_id"]
    crumbs = [json.loads(line) for line in (data_dir / "executions" / eid / "breadcrumbs.jsonl").read_text().splitlines()]
    assert [c["pattern"] for c in crumbs] == list(PATTERNS)
    assert all(c["value"] is True and c["execution_id"] == eid for c in crumbs)
    fidelity = [json.loads(line) for line in
                (data_dir / "metrics" / "qwen_training_data_miner_fidelity.json").read_text().splitlines()]
    assert [(f["execution_id"], f["domain"], f["pattern_fidelity"]) for f in fidelity] == [(eid, "mps_scoring", 1.0)]


async def test_mine_domain_returns_the_expected_patterns_summary(mcp_server, data_dir):
    async with Client(mcp_server) as client:
        data = payload(await client.call_tool("mine_domain", {"source_path": SAMPLE_REL, "domain": "mps_scoring"}))
    [s] = data["summaries"]
    assert s["execution_id"] == data["execution_id"]
    assert s["skill_id"] == "qwen_training_data_miner_v1_prototype"
    assert s["domain"] == "mps_scoring"
    assert s["patterns"] == dict.fromkeys(PATTERNS, True) and s["pattern_fidelity"] == 1.0
    assert s["high_quality_examples"] > 0
    assert s["dataset"] == str((data_dir / "training_datasets" / "mps_scoring_training_data.json").resolve())
    assert s["dataset_uri"] == "dataset://mps_scoring/training_data"


async def test_mine_domain_all_mines_every_domain(mcp_server):
    from training_data_miner.skills.packs import load_packs

    async with Client(mcp_server) as client:
        data = payload(await client.call_tool("mine_domain", {"source_path": SAMPLE_REL, "domain": "all"}))
    assert [s["domain"] for s in data["summaries"]] == list(load_packs())
    assert len({s["execution_id"] for s in data["summaries"]}) == 1


async def test_unknown_domain_lists_the_valid_ones(mcp_server):
    from training_data_miner.skills.packs import load_packs

    valid = list(load_packs())
    async with Client(mcp_server) as client:
        text = error(await client.call_tool("load_source", {"source_path": SAMPLE_REL, "domain": "astrology"}))
        assert f'domain: expected one of {", ".join(valid)}, or all; got "astrology"' in text
        eid = payload(await client.call_tool("load_source", {"source_path": SAMPLE_REL}))["execution_id"]
        text = error(await client.call_tool("extract_examples", {"execution_id": eid, "domain": "astrology"}))
        assert f'domain: expected one of {", ".join(valid)}; got "astrology"' in text
        text = error(await client.call_tool("mine_domain", {"source_path": SAMPLE_REL, "domain": "astrology"}))
        assert "domain: expected one of" in text and "list_domains describes them" in text


async def test_source_file_not_found(mcp_server):
    async with Client(mcp_server) as client:
        for tool in ("load_source", "mine_domain"):
            text = error(await client.call_tool(tool, {"source_path": "data/sample/missing.txt"}))
            assert "source file not found: 'data/sample/missing.txt'" in text
            assert str(REPO) in text  # where it looked


async def test_unknown_execution(mcp_server):
    async with Client(mcp_server) as client:
        for step in STEPS[1:]:
            text = error(await client.call_tool(step, {"execution_id": "exec_nope", "domain": "mps_scoring"}))
            assert text.endswith("unknown execution_id 'exec_nope'; call load_source first to start an execution")


async def test_step_out_of_order_names_the_step_to_run_first(mcp_server):
    async with Client(mcp_server) as client:
        eid = payload(await client.call_tool("load_source", {"source_path": SAMPLE_REL, "domain": "mps_scoring"}))["execution_id"]
        args = {"execution_id": eid, "domain": "mps_scoring"}
        text = error(await client.call_tool("extract_examples", args))
        assert "call identify_domain_patterns first" in text
        payload(await client.call_tool("identify_domain_patterns", args))
        for step, before in [("filter_quality", "extract_examples"), ("write_training_dataset", "generate_pattern_summary")]:
            text = error(await client.call_tool(step, args))
            assert f"call {before} first" in text and eid in text


async def test_domain_outside_the_execution(mcp_server):
    async with Client(mcp_server) as client:
        eid = payload(await client.call_tool("load_source", {"source_path": SAMPLE_REL, "domain": "mps_scoring"}))["execution_id"]
        text = error(await client.call_tool("identify_domain_patterns", {"execution_id": eid, "domain": "wsp_application"}))
        assert "'wsp_application' is not part of execution" in text and "load_source" in text


async def test_rerunning_a_step_makes_the_later_ones_stale(mcp_server):
    async with Client(mcp_server) as client:
        r = await chain(client, "mps_scoring")
        args = {"execution_id": r["load_source"]["execution_id"], "domain": "mps_scoring"}
        stricter = payload(await client.call_tool("filter_quality", {**args, "min_quality": 0.95}))
        assert stricter["min_quality"] == 0.95 and stricter["kept"] <= r["filter_quality"]["kept"]
        text = error(await client.call_tool("write_training_dataset", args))
        assert "call generate_pattern_summary first" in text
        payload(await client.call_tool("generate_pattern_summary", args))
        written = payload(await client.call_tool("write_training_dataset", args))
    assert written["total_examples"] == stricter["kept"]


async def test_argument_errors_name_each_argument_and_what_it_accepts(mcp_server):
    # One sentence per bad argument, naming it, what it accepts and what came: no pydantic report.
    def sentences(text: str) -> list[str]:
        assert text.startswith("Error executing tool ")
        assert "validation error" not in text and "pydantic" not in text and "type=" not in text, text
        assert "\n" not in text, text
        return text.split(": ", 1)[1].split(". ")

    async with Client(mcp_server) as client:
        text = error(await client.call_tool("load_source", {"source_path": SAMPLE_REL, "min_quality": 1.5}))
        assert sentences(text) == ["min_quality (keep examples with quality_score >= this): expected a number "
                                   "from 0.0 to 1.0, or leave it out; got 1.5."]
        text = error(await client.call_tool("load_source", {}))
        assert sentences(text) == ["source_path (path of the 012.txt-style text file; relative paths are looked up "
                                   "in the server's allowed roots): required, a string of at most 4096 characters."]
        text = error(await client.call_tool("load_source", {"source_path": SAMPLE_REL, "pattern_type": "poems",
                                                            "min_examples": "lots", "min_quality": "high"}))
        assert sentences(text) == [
            "min_quality (keep examples with quality_score >= this): expected a number from 0.0 to 1.0, "
            'or leave it out; got "high"',
            "min_examples (examples a dataset should reach): expected an integer from 0 to 1000000, "
            'or leave it out; got "lots"',
            "pattern_type (kind of example to favour): expected one of numeric_examples, decision_trees, "
            'rationale_chains, or leave it out; got "poems".']
        text = error(await client.call_tool("identify_domain_patterns", {"execution_id": "../x", "path": "y"}))
        assert sentences(text) == [
            "execution_id (the execution_id that load_source returned): expected a string of 1 to 128 "
            'characters matching ^[A-Za-z0-9_.-]+$; got "../x"',
            "path: not an argument of identify_domain_patterns, which takes execution_id, domain."]
        text = error(await client.call_tool("semantic_search", {"query": "x" * 1200}))
        assert sentences(text)[0].startswith("query (")
        assert sentences(text)[0].endswith('; got "' + "x" * 60 + '…".')
        # Checks made after the schema's speak the same way.
        text = error(await client.call_tool("load_source", {"source_path": SAMPLE_REL, "domain": "astrology"}))
        assert text.endswith(', or all; got "astrology". list_domains describes them'), text
        text = error(await client.call_tool("load_source", {"source_path": SAMPLE_REL, "pattern_regex": "MPS (("}))
        assert "pattern_regex: expected a regular expression; got 'MPS ((', which does not compile: missing ) at position 6" in text


async def test_pattern_regex_adds_a_pattern_for_the_execution(mcp_server):
    async with Client(mcp_server) as client:
        loaded = payload(await client.call_tool("load_source", {
            "source_path": SAMPLE_REL, "domain": "mps_scoring", "pattern_regex": r"MPS\s*Score"}))
        found = payload(await client.call_tool("identify_domain_patterns", {
            "execution_id": loaded["execution_id"], "domain": "mps_scoring"}))
    assert found["domains"][0]["pattern_counts"]["caller_pattern"] > 0


async def test_binary_source_fails_with_the_reason(mcp_server, data_dir):
    (data_dir / "blob.txt").write_bytes(b"MPS Score: 16\x00\x01\x02\n")
    async with Client(mcp_server) as client:
        for tool in ("load_source", "mine_domain"):
            text = error(await client.call_tool(tool, {"source_path": str(data_dir / "blob.txt"), "domain": "mps_scoring"}))
            assert "binary" in text and "NUL" in text


async def test_a_second_client_and_a_restarted_server_continue_an_execution(mcp_server, data_dir):
    from training_data_miner.server.mcp_server import build_server
    from training_data_miner.server.orchestrator import Settings

    async with Client(mcp_server) as first:
        eid = payload(await first.call_tool("load_source", {"source_path": SAMPLE_REL, "domain": "mps_scoring"}))["execution_id"]
    args = {"execution_id": eid, "domain": "mps_scoring"}
    async with Client(mcp_server) as second:
        payload(await second.call_tool("identify_domain_patterns", args))
    restarted = build_server(Settings(data_dir=data_dir), roots=[str(REPO)])
    async with Client(restarted) as third:
        for step in STEPS[2:]:
            result = payload(await third.call_tool(step, args))
    assert result["summary"]["pattern_fidelity"] == 1.0


async def test_progress_notifications_during_identify(mcp_server):
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with Client(mcp_server) as client:
        loaded = payload(await client.call_tool("load_source", {"source_path": SAMPLE_REL}))
        eid = loaded["execution_id"]
        payload(await client.call_tool("identify_domain_patterns", {"execution_id": eid}, progress_callback=on_progress))
    chunks = len(load_source(SAMPLE).chunks)
    assert chunks > 1
    assert seen and all(total == 100 for _, total, _ in seen)
    assert [p for p, _, _ in seen] == sorted(p for p, _, _ in seen)
    assert any(f"chunk 1 of {chunks}" in m for _, _, m in seen)



def whitespace_outside_strings(text: str) -> bool:
    """Whether JSON text has any whitespace between its tokens (indent, ", ", ": ")."""
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in " \t\r\n":
            return True
    return False


async def test_tool_results_are_compact_json(mcp_server):
    # The text copy a client reads (Qwen-Agent reads only it) is the structuredContent as compact
    # JSON: no indent and no spaces after separators, and nothing left out.
    async with Client(mcp_server) as client:
        loaded = await client.call_tool("load_source", {"source_path": SAMPLE_REL, "domain": "mps_scoring"})
        args = {"execution_id": payload(loaded)["execution_id"], "domain": "mps_scoring"}
        results = [loaded] + [await client.call_tool(step, args) for step in STEPS[1:]] + [
            await client.call_tool("mine_domain", {"source_path": SAMPLE_REL, "domain": "mps_scoring"}),
            await client.call_tool("handoff_to_next_skill", {}),
            await client.call_tool("semantic_search", {"query": "MPS score priority"}),
            await client.call_tool("list_domains", {})]
    assert len(results) == 10
    for result in results:
        payload(result)  # the text parses to exactly the structuredContent
        [content] = result.content
        assert not whitespace_outside_strings(content.text), content.text[:200]


async def test_an_empty_string_for_an_optional_argument_means_it_was_left_out(mcp_server):
    # Small models fill every argument they see, with "" for the ones they mean to leave out.
    from training_data_miner.skills.packs import load_packs

    blank = {"domain": "", "min_quality": "", "min_examples": "", "pattern_type": "", "pattern_regex": ""}
    async with Client(mcp_server) as client:
        loaded = payload(await client.call_tool("load_source", {"source_path": SAMPLE_REL, **blank}))
        assert loaded["domains"] == list(load_packs())  # domain's default, 'all'
        eid = loaded["execution_id"]
        state = json.loads((await client.read_resource(loaded["state_uri"])).contents[0].text)
        assert state["options"]["min_quality"] == 0.85 and state["options"]["min_examples"] == 50
        assert state["options"]["pattern_type"] is None and state["options"]["pattern_regex"] is None
        payload(await client.call_tool("identify_domain_patterns", {"execution_id": eid, "domain": ""}))
        args = {"execution_id": eid, "domain": "mps_scoring"}
        payload(await client.call_tool("extract_examples", args))
        assert payload(await client.call_tool("filter_quality", {**args, "min_quality": ""}))["min_quality"] == 0.85
        found = payload(await client.call_tool("semantic_search", {"query": "MPS score", "limit": "", "execution_id": ""}))
        assert found["source_path"] == str(SAMPLE) and 0 < len(found["hits"]) <= 5
        # A required argument is still required: "" for it is an error that names it.
        assert "execution_id" in error(await client.call_tool("extract_examples", {"execution_id": "", "domain": "mps_scoring"}))
        assert "domain" in error(await client.call_tool("extract_examples", {"execution_id": eid, "domain": ""}))
