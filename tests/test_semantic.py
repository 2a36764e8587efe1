"""Semantic search in the miner: the embedded index (offline, no endpoint), semantic augmentation
of identify_domain_patterns, the degradation breadcrumb when a configured holo_index endpoint
fails, the CLI options, and the `semantic_search` tool."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SAMPLE

from training_data_miner.server.holo_index import HoloConfig
from training_data_miner.server.orchestrator import Options, Orchestrator, Settings
from training_data_miner.server.semantic import SemanticSearch, SemanticSearchError, semantic_search
from training_data_miner.skills.identify_domain_patterns import augment_semantic, identify_domain_patterns, semantic_queries
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import load_packs
from training_data_miner.skills.semantic_index import SearchHit, SourceIndex, terms

pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parents[1]
HOLO_SERVER = Path(__file__).with_name("holo_server.py")
PACKS = load_packs()


def holo(*args: str, timeout: float = 10) -> HoloConfig:
    return HoloConfig(command=" ".join([sys.executable, str(HOLO_SERVER), *args]), timeout=timeout)


def mine(tmp_path: Path, config: HoloConfig | None, domains=("mps_scoring",), source=SAMPLE, **options):
    orch = Orchestrator(Settings(data_dir=tmp_path / "data", holo_index=config))
    results = orch.mine(source, list(domains), Options(**options))
    ex = results[0]["execution_id"]
    path = tmp_path / "data" / "executions" / ex / "breadcrumbs.jsonl"
    crumbs = [json.loads(x) for x in path.read_text().splitlines()]
    identified = {c["domain"]: c for c in crumbs if c["pattern"] == "domain_patterns_identified"}
    return results, identified, orch


# -- the embedded index -------------------------------------------------------------------------------

def test_terms_drop_stop_words_and_single_letters():
    assert terms("How WSPs are applied to real problems: WSP 15 (1-5 each) P0") == [
        "wsps", "applied", "problems", "wsp", "15", "p0"]


def test_the_embedded_index_finds_the_chunk_and_its_best_line(tmp_path):
    lines = [f"filler line {i} about nothing in particular" for i in range(40)]
    lines[21] = "Roadmap: Phase 2 complete, Phase 3 next"
    lines[22] = "the roadmap phase status is tracked in ROADMAP.md"
    src = tmp_path / "012.txt"
    src.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n")
    (hit, *_) = SourceIndex.from_path(src).search("roadmap phase complete", 3)
    assert hit.line == 22 and hit.kind == "source" and hit.path == str(src)
    assert "Roadmap: Phase 2 complete" in hit.snippet


def test_the_embedded_index_answers_nothing_for_words_it_does_not_hold(tmp_path):
    src = tmp_path / "012.txt"
    src.write_text("alpha beta\ngamma delta\n", encoding="utf-8")
    idx = SourceIndex.from_path(src)
    assert idx.search("zeta", 5) == [] and idx.search("the of", 5) == [] and idx.search("gamma", 0) == []


def test_embedded_search_quality_on_the_dev_corpus(dev_corpus):
    """The check behind the engine choice (docs/performance.md, "Semantic search"): for each domain, query with
    its description and each semantic query; a top-10 hit counts when its 8-line chunk holds a line
    the domain's regexes match. Measured: mean 0.64 against a base rate of 0.09."""
    truth = identify_domain_patterns(dev_corpus, list(PACKS.values())).matches
    idx = SourceIndex.from_path(dev_corpus)
    idx.prefetch([q for p in PACKS.values() for q in semantic_queries(p)])
    precision, base = [], []
    for name, pack in PACKS.items():
        chunks = {(m.line - 1) // idx.chunk_lines for m in truth[name]}
        for q in semantic_queries(pack):
            hits = idx.search(q, 10)
            precision.append(sum((h.line - 1) // idx.chunk_lines in chunks for h in hits) / 10)
        base.append(len(chunks) / len(idx._chunks))
    mean_p, mean_base = sum(precision) / len(precision), sum(base) / len(base)
    assert mean_p >= 0.5 and mean_p >= 4 * mean_base, (mean_p, mean_base)


# -- augmentation (pure) ----------------------------------------------------------------------------

def test_augment_semantic_adds_the_lines_the_regexes_missed_with_context(tmp_path):
    src = tmp_path / "012.txt"
    text = [f"line {i} of the log with some words" for i in range(1, 21)]
    text[6] = "The module scores P1: deferability is low, impact is high"  # line 7, found by its snippet
    text[9] = "ok"  # line 10: too short to be a candidate
    src.write_text("\n".join(text) + "\n", encoding="utf-8")
    source = SourceIndex.from_path(src)
    pack = PACKS["mps_scoring"].model_copy(update={"context_before": 2, "context_after": 1, "semantic_queries": []})
    regex_match = Match(domain="mps_scoring", pattern="seed_priority", line=2, text=text[1])
    hits = [
        SearchHit(path="012.txt", line=2, kind="code"),  # the regexes have it already
        SearchHit(path="/repo/012.txt", line=5, kind="code"),  # this source, by name
        SearchHit(path="modules/other.py", line=5, snippet="def other(): pass", kind="code"),  # elsewhere
        SearchHit(path="WSP 15", snippet=text[6] + "\nmore", kind="wsp"),  # a snippet that is a line here
        SearchHit(path="012.txt", line=999, kind="code"),  # out of range, no snippet
        SearchHit(path="012.txt", line=10, kind="code"),
        SearchHit(path="012.txt", line=5, kind="code"),  # a repeat
    ]
    calls = []

    def search(query: str, limit: int) -> list[SearchHit]:
        calls.append((query, limit))
        return hits

    out = augment_semantic(pack, [regex_match.line], source, search, "012.txt", context=1, limit=7)
    assert calls == [(pack.description, 7)]
    assert [(m.line, m.match_kind, m.pattern, m.query) for m in out] == [
        (5, "semantic", "semantic", pack.description), (7, "semantic", "semantic", pack.description)]
    assert out[0].context_before == text[2:4] and out[0].context_after == text[5:6] and out[0].groups == {}
    assert out[1].text == text[6]


def test_augmentation_on_the_dev_corpus_adds_candidates_that_survive_the_filter(tmp_path, dev_corpus):
    results, crumbs, orch = mine(tmp_path, None, ("mps_scoring", "roadmap_analysis"), dev_corpus)
    for r in results:
        assert r["pattern_fidelity"] == 1.0
    summaries = {d: json.loads((tmp_path / "data" / "training_datasets" / f"{d}_pattern_summary.json").read_text())
                 for d in crumbs}
    for d, c in crumbs.items():
        assert c["semantic_backend"] == "embedded" and c["semantic_status"] == "ok"
        assert c["semantic_matches"] > 0 and c["matches_found"] == c["regex_matches"] + c["semantic_matches"]
        assert summaries[d]["matches_by_kind"] == {"regex": c["regex_matches"], "semantic": c["semantic_matches"]}
    # semantic candidates went through extraction and the same quality filter; on this corpus the
    # mps_scoring regexes hold every scored form, and what the search adds (scales, formulas, legends)
    # is not an item, so what is kept from it must still pass the filter (and may be nothing)
    dataset = json.loads((tmp_path / "data" / "training_datasets" / "mps_scoring_training_data.json").read_text())
    semantic = [e for e in dataset["examples"] if e["match_kind"] == "semantic"]
    assert len(semantic) == summaries["mps_scoring"]["kept_by_match_kind"]["semantic"]
    assert all(e["quality_score"] >= 0.85 and e["pattern"] == "semantic" for e in semantic)


def test_semantic_off_adds_nothing_and_says_so(tmp_path):
    _, crumbs, _ = mine(tmp_path, None, semantic=False)
    c = crumbs["mps_scoring"]
    assert (c["semantic_backend"], c["semantic_status"], c["semantic_matches"]) == ("off", "off", 0)
    assert c["matches_found"] == c["regex_matches"]


# -- a configured endpoint ----------------------------------------------------------------------------

def test_augmentation_through_a_holo_index_endpoint(tmp_path):
    _, crumbs, _ = mine(tmp_path, holo("--corpus", str(SAMPLE)))
    c = crumbs["mps_scoring"]
    assert (c["semantic_backend"], c["semantic_status"]) == ("holo_index", "ok") and c["semantic_matches"] > 0


@pytest.mark.parametrize("config, error", [
    (holo("--error"), "answered with an error: Vector database not initialized"),
    (holo("--garbage", "text"), "not JSON"),
    (holo("--garbage", "shape"), "code_results is not a list"),
    (holo("--slow", "20", timeout=1), "did not answer semantic_code_search within 1s"),
    (HoloConfig(command="/nonexistent/holo_index_server", timeout=2), "could not be reached"),
    (HoloConfig(command="holo_index", timeout="soon"), "HOLO_INDEX_TIMEOUT must be a positive number"),
    (HoloConfig(url="http://127.0.0.1:9/mcp", timeout=2), "could not be reached"),
], ids=["error-object", "garbage-text", "garbage-shape", "slow", "fails-to-start", "misconfigured", "nothing-listens"])
def test_a_failing_endpoint_degrades_mining_and_says_so_in_the_breadcrumbs(tmp_path, config, error):
    results, crumbs, _ = mine(tmp_path, config, ("mps_scoring", "wsp_application"))
    for r in results:
        assert r["pattern_fidelity"] == 1.0 and r["high_quality_examples"] > 0  # mining completed
    for c in crumbs.values():
        assert (c["semantic_backend"], c["semantic_status"], c["semantic_matches"]) == ("holo_index", "degraded", 0)
        assert error in c["semantic_error"]
        assert c["matches_found"] == c["regex_matches"]


def test_an_endpoint_that_dies_and_cannot_restart_degrades_the_rest_of_the_step(tmp_path):
    config = holo("--die-after", "3", "--once", str(tmp_path / "started"))
    results, crumbs, _ = mine(tmp_path, config, ("mps_scoring", "wsp_application"))
    assert all(r["pattern_fidelity"] == 1.0 for r in results)
    first, second = crumbs["mps_scoring"], crumbs["wsp_application"]
    assert first["semantic_status"] == "ok"  # its three queries were answered
    assert second["semantic_status"] == "degraded"
    assert "stopped answering (MCPError: Connection closed) and could not be started again" in second["semantic_error"]


# -- CLI ------------------------------------------------------------------------------------------------

def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("HOLO_INDEX_")}
    return subprocess.run([sys.executable, "-m", "training_data_miner.server", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**base, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=120)


def _crumb(data_dir: Path) -> dict:
    (path,) = (data_dir / "executions").glob("*/breadcrumbs.jsonl")
    return next(json.loads(x) for x in path.read_text().splitlines() if '"domain_patterns_identified"' in x)


def test_cli_mine_degrades_on_a_failing_endpoint_given_as_options(tmp_path):
    command = f"{sys.executable} {HOLO_SERVER} --error"
    r = cli("mine", str(SAMPLE), "--domain", "mps_scoring", "--data-dir", str(tmp_path), "-q",
            "--holo-index-command", command, "--holo-index-timeout", "10")
    assert r.returncode == 0, r.stderr
    c = _crumb(tmp_path)
    assert c["semantic_status"] == "degraded" and "Vector database not initialized" in c["semantic_error"]
    assert "semantic augmentation degraded" in r.stderr  # and a warning on stderr, not stdout


def test_cli_mine_takes_the_connect_timeout_as_an_option(tmp_path):
    command = f"{sys.executable} {HOLO_SERVER} --slow-start 30"
    r = cli("mine", str(SAMPLE), "--domain", "mps_scoring", "--data-dir", str(tmp_path), "-q",
            "--holo-index-command", command, "--holo-index-connect-timeout", "1")
    assert r.returncode == 0, r.stderr
    c = _crumb(tmp_path)
    assert c["semantic_status"] == "degraded" and "handshake within 1s" in c["semantic_error"]


def test_cli_mine_reads_the_endpoint_from_the_environment(tmp_path):
    r = cli("mine", str(SAMPLE), "--domain", "mps_scoring", "--data-dir", str(tmp_path), "-q",
            env={"HOLO_INDEX_COMMAND": f"{sys.executable} {HOLO_SERVER} --corpus {SAMPLE}", "HOLO_INDEX_TIMEOUT": "10"})
    assert r.returncode == 0, r.stderr
    c = _crumb(tmp_path)
    assert (c["semantic_backend"], c["semantic_status"]) == ("holo_index", "ok")


def test_cli_mine_no_semantic(tmp_path):
    r = cli("mine", str(SAMPLE), "--domain", "mps_scoring", "--data-dir", str(tmp_path), "-q", "--no-semantic")
    assert r.returncode == 0, r.stderr
    assert _crumb(tmp_path)["semantic_status"] == "off"


def test_mine_without_an_endpoint_does_not_import_the_mcp_sdk(tmp_path):
    code = ("import sys; from training_data_miner.server.cli import main; "
            f"rc = main(['mine', {str(SAMPLE)!r}, '--data-dir', {str(tmp_path)!r}, '-q']); "
            "print(rc, sorted(m for m in sys.modules if m == 'mcp' or m.startswith('mcp.')))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                       env={k: v for k, v in os.environ.items() if not k.startswith("HOLO_INDEX_")})
    assert r.stdout.split("\n")[0] == "0 []", r.stderr
    assert _crumb(tmp_path)["semantic_backend"] == "embedded"


# -- semantic_search ------------------------------------------------------------------------------------

def test_semantic_search_searches_an_executions_source(tmp_path):
    orch = Orchestrator(Settings(data_dir=tmp_path, holo_index=None))
    with pytest.raises(SemanticSearchError, match="call load_source first"):
        semantic_search(orch.settings.holo_index, orch.source_of, "MPS score")
    ex = orch.create(SAMPLE, ["mps_scoring"])
    r = semantic_search(orch.settings.holo_index, orch.source_of, "ModLog entry change type", 3)
    assert r.backend == "embedded" and r.source_path == str(SAMPLE) and len(r.hits) == 3
    lines = SAMPLE.read_text(encoding="utf-8").lstrip("\ufeff").splitlines()
    assert all(h.kind == "source" and "change" in lines[h.line - 1].lower() for h in r.hits)
    assert semantic_search(orch.settings.holo_index, orch.source_of, "ModLog entry change type", 3, ex.id) == r


def test_semantic_search_forwards_to_a_configured_endpoint(tmp_path):
    orch = Orchestrator(Settings(data_dir=tmp_path, holo_index=holo()))
    r = semantic_search(orch.settings.holo_index, orch.source_of, "MPS scoring", 2)
    assert r.backend == "holo_index" and [h.kind for h in r.hits] == ["code", "wsp"]
    orch = Orchestrator(Settings(data_dir=tmp_path, holo_index=holo("--error")))
    with pytest.raises(SemanticSearchError, match="answered with an error"):
        semantic_search(orch.settings.holo_index, orch.source_of, "MPS scoring", 2)


@pytest.mark.anyio
async def test_the_semantic_search_tool_holds_one_session_in_the_lifespan(tmp_path):
    from mcp import Client
    from mcp.server import MCPServer

    calls = tmp_path / "calls"
    orch = Orchestrator(Settings(data_dir=tmp_path, holo_index=holo("--calls", str(calls))))
    tool = SemanticSearch(orch.settings.holo_index, orch.source_of)
    server = MCPServer("t", lifespan=tool.lifespan)
    server.tool()(tool.semantic_search)
    async with Client(server) as client:
        for q in ("MPS", "WSP 15"):
            result = await client.call_tool("semantic_search", {"query": q, "limit": 1})
            assert not result.is_error
            assert result.structured_content["backend"] == "holo_index"
            assert result.structured_content["hits"][0]["path"] == "modules/wsp15/mps.py"
    assert len({line.split()[0] for line in calls.read_text().splitlines()}) == 1


@pytest.mark.anyio
async def test_the_semantic_search_tool_errors_say_what_to_do(tmp_path):
    from mcp import Client
    from mcp.server import MCPServer

    for config, message in ((None, "call load_source first"), (holo("--garbage", "list"), "not a search result")):
        tool = SemanticSearch(config, Orchestrator(Settings(data_dir=tmp_path, holo_index=config)).source_of)
        server = MCPServer("t", lifespan=tool.lifespan)
        server.tool()(tool.semantic_search)
        async with Client(server) as client:
            result = await client.call_tool("semantic_search", {"query": "MPS"})
        assert result.is_error and message in result.content[0].text


GENERIC_PACK = """
name = "costs"
description = "Cost estimates: a task, its estimated hours and the reason given for the estimate."
extractor = "generic"
label = "hours"
recommended_use = "cost estimation"
semantic_queries = ["estimate hours effort task"]
[instructions]
default = "Estimate the effort of this task."
[wardrobe]
wardrobe_id = "gemma_costs_v1"
use_cases = ["estimation"]
[[patterns]]
name = "hours"
regex = '(?P<hours>\\d+)\\s*hours?'
"""


def test_a_semantic_candidate_an_extractor_cannot_read_yields_no_example_not_a_failure(tmp_path):
    """The generic extractor reads the spec of the match's pattern; a semantic match has none."""
    (tmp_path / "domains").mkdir()
    (tmp_path / "domains" / "costs.toml").write_text(GENERIC_PACK, encoding="utf-8")
    orch = Orchestrator(Settings(data_dir=tmp_path / "data", domains_dirs=[tmp_path / "domains"], holo_index=None))
    (r,) = orch.mine(SAMPLE, ["costs"])
    assert r["pattern_fidelity"] == 1.0 and r["total_examples_extracted"] > 0, r
    figures = orch.open(r["execution_id"]).state.domains["costs"].figures["identify_domain_patterns"]
    assert figures["semantic_matches"] > 0
