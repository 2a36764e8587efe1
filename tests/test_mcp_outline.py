"""A source walked by its structure over MCP: an execution's outline (execution://ID/outline, a
page of documents at a time; execution://ID/outline/N, a document's sections) and the source read
by section (source://PATH?section=LINE), through a real client in memory and over stdio."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from mcp import Client, MCPError
from mcp_types import ResourceTemplateReference

from conftest import payload

pytestmark = pytest.mark.anyio
INVALID_PARAMS = -32602
SEP = "=" * 77
LONG_LINE = "x" * 5000

LINES = [
    "# Utils Module - ModLog",                 # 1   document 0, a ModLog
    "",                                        # 2
    "Notes before the first entry.",           # 3
    "## [2025-10-15] Added the cache",         # 4
    "- What: a cache for lookups",             # 5
    "### Why",                                 # 6
    "Slow lookups.",                           # 7
    "## [2025-10-16] Outline resource",        # 8
    "- What: the outline",                     # 9
    SEP,                                       # 10  document 1, a roadmap
    "# Roadmap",                               # 11
    "## Phase 1",                              # 12
    "- [x] parse",                             # 13
    "## Phase 2",                              # 14
    *[f"- [ ] step {i:03d} of a long phase, written out to fill the page" for i in range(1, 301)],  # 15-314
    LONG_LINE,                                 # 315
    "- [ ] last step",                         # 316
]


def write_source(folder: Path) -> Path:
    src = folder / "012.txt"
    src.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return src


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "root"
    r.mkdir()
    write_source(r)
    return r


@pytest.fixture
def server(root: Path):
    from training_data_miner.server.mcp_server import build_server
    from training_data_miner.server.orchestrator import Settings

    return build_server(Settings(data_dir=root / "data"), roots=[str(root)])


async def read(client: Client, uri: str) -> str:
    [content] = (await client.read_resource(uri)).contents
    return content.text


async def read_json(client: Client, uri: str) -> dict:
    text = await read(client, uri)
    assert len(text.encode()) <= 8000, (uri, len(text.encode()))
    return json.loads(text)


async def refused(client: Client, uri: str) -> str:
    with pytest.raises(MCPError) as err:
        await client.read_resource(uri)
    assert err.value.error.code == INVALID_PARAMS
    return err.value.error.message


async def walk(client: Client, uri: str | None) -> list[dict]:
    """Every section read from `uri` on, following more_uri within a section and next_section_uri
    after it."""
    out = []
    while uri:
        out.append(await read_json(client, uri))
        uri = out[-1]["more_uri"] or out[-1]["next_section_uri"]
    return out


async def test_outline_lists_documents_with_kinds_ranges_and_sections(server, root):
    async with Client(server) as client:
        loaded = payload(await client.call_tool("load_source", {"source_path": "012.txt", "domain": "mps_scoring"}))
        eid, src = loaded["execution_id"], loaded["source_path"]
        assert loaded["outline_uri"] == f"execution://{eid}/outline"
        outline = await read_json(client, loaded["outline_uri"])
        assert outline["total"] == 2 and outline["next_uri"] is None and outline["total_lines"] == len(LINES)
        assert outline["source_path"] == src == str(root / "012.txt")
        assert f"source://{src}?section=LINE" in outline["read"]
        modlog, roadmap = outline["items"]
        assert (modlog["document"], modlog["title"], modlog["kind"], modlog["start"], modlog["end"]) == \
            (0, "Utils Module - ModLog", "modlog", 1, 9)
        assert modlog["sections"] == 4
        assert modlog["top_sections"] == [{"line": 1, "end": 9, "title": "Utils Module - ModLog"}]
        assert modlog["sections_uri"] == f"execution://{eid}/outline/0"
        assert (roadmap["title"], roadmap["kind"], roadmap["start"], roadmap["end"]) == ("Roadmap", "roadmap", 10, 316)

        sections = await read_json(client, modlog["sections_uri"])
        assert sections["document"]["title"] == "Utils Module - ModLog" and sections["total"] == 4
        assert [(s["line"], s["end"], s["level"], s["title"], s["parent_line"]) for s in sections["items"]] == [
            (1, 9, 1, "Utils Module - ModLog", None),
            (4, 7, 2, "[2025-10-15] Added the cache", 1),
            (6, 7, 3, "Why", 4),
            (8, 9, 2, "[2025-10-16] Outline resource", 1),
        ]
        two = await read_json(client, f"execution://{eid}/outline/0?offset=1&limit=2")
        assert [s["line"] for s in two["items"]] == [4, 6]
        assert two["next_uri"] == f"execution://{eid}/outline/0?offset=3&limit=2"


async def test_a_section_read_gives_its_lines_heading_path_and_the_next_section(server):
    async with Client(server) as client:
        src = payload(await client.call_tool("load_source", {"source_path": "012.txt"}))["source_path"]
        why = await read_json(client, f"source://{src}?section=6")
        assert why["heading_path"] == ["Utils Module - ModLog", "[2025-10-15] Added the cache", "Why"]
        assert why["section"] == {"line": 6, "end": 7, "level": 3, "title": "Why"}
        assert why["document"]["kind"] == "modlog" and why["document"]["start"] == 1
        assert (why["start"], why["end"], why["lines"]) == (6, 7, ["### Why", "Slow lookups."])
        assert why["parent_uri"] == f"source://{src}?section=4"
        assert why["next_section_uri"] == f"source://{src}?section=8" and why["more_uri"] is None
        # Any line reads the innermost section over it; a section's own lines stop at its first subsection.
        entry = await read_json(client, f"source://{src}?section=5")
        assert entry["section"]["line"] == 4 and entry["lines"] == LINES[3:5]
        assert entry["subsections"] == [{"line": 6, "end": 7, "title": "Why"}] and entry["subsections_total"] == 1
        assert entry["next_section_uri"] == f"source://{src}?section=6"
        # The last section of a document leads to the next document's first.
        last = await read_json(client, f"source://{src}?section=8")
        assert last["next_section_uri"] == f"source://{src}?section=10"
        # A relative path is read as load_source reads it, and the URIs keep it.
        rel = await read_json(client, "source://012.txt?section=6")
        assert rel["lines"] == why["lines"] and rel["next_section_uri"] == "source://012.txt?section=8"


async def test_walking_by_next_section_uri_reads_every_line_once_in_8_kb_pages(server):
    async with Client(server) as client:
        src = payload(await client.call_tool("load_source", {"source_path": "012.txt"}))["source_path"]
        reads = await walk(client, f"source://{src}?section=1")
    got = [line for r in reads for line in r["lines"]]
    expected = [line if len(line) <= 2000 else line[:1999] + "…" for line in LINES]
    assert got == expected
    assert [n for r in reads for n in range(r["start"], r["end"] + 1)] == list(range(1, len(LINES) + 1))
    phase2 = [r for r in reads if r["section"]["line"] == 14]
    assert len(phase2) > 2  # 300 items do not fit one page: more_uri reads on with &offset=
    assert phase2[1]["start"] == phase2[0]["end"] + 1
    assert all(r["heading_path"] == ["Roadmap", "Phase 2"] for r in phase2)
    clipped = next(r for r in phase2 if r.get("clipped_lines"))
    assert clipped["clipped_lines"] == [315] and "start=N&end=N" in clipped["clipped_note"]
    assert reads[-1]["next_section_uri"] is None


async def test_a_section_read_stays_within_8_kb_whatever_its_headings_and_lines(server, root):
    # Six levels of 300-character headings over a section with 25 subsections and lines of 1,990
    # characters: the heading path and subsections are clipped, and a first line that does not fit
    # the room left is clipped to it, so no read passes 8,000 bytes.
    title = "T" * 300
    lines = [f"{'#' * level} {level} {title}" for level in range(1, 6)]
    lines += ["###### six " + title, *["é" * 1990] * 3]
    lines += [f"####### not a heading {i} {title}" for i in range(3)]
    lines += [""] + [line for i in range(25) for line in (f"**Sub {i:02d} {'B' * 190}**", "text", "")]
    (root / "deep.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    async with Client(server) as client:
        reads = await walk(client, "source://deep.txt?section=1")
    shown = {n: text for r in reads for n, text in zip(range(r["start"], r["end"] + 1), r["lines"])}
    assert sorted(shown) == list(range(1, len(lines) + 1))
    for n, text in shown.items():
        assert text == lines[n - 1] or (text.endswith("…") and lines[n - 1].startswith(text[:-1])), n
    six = next(r for r in reads if r["section"]["level"] == 6)
    assert len(six["heading_path"]) == 6 and all(len(t) <= 160 for t in six["heading_path"])
    assert six["subsections_total"] == 25 and len(six["subsections"]) == 20
    assert all(len(s["title"]) == 160 and s["title"].endswith("…") for s in six["subsections"])


async def test_section_reads_refuse_bad_arguments_with_what_to_ask_for(server):
    async with Client(server) as client:
        eid = payload(await client.call_tool("load_source", {"source_path": "012.txt"}))["execution_id"]
        n = len(LINES)
        assert f"the source has {n} lines" in await refused(client, "source://012.txt?section=0")
        assert f"the source has {n} lines" in await refused(client, f"source://012.txt?section={n + 1}")
        assert "past the section's own 2 lines" in await refused(client, "source://012.txt?section=6&offset=2")
        assert "not both" in await refused(client, "source://012.txt?section=6&start=1")
        assert "offset= goes with ?section=LINE" in await refused(client, "source://012.txt?start=1&offset=3")
        assert "documents 0 to 1" in await refused(client, f"execution://{eid}/outline/2")
        assert "limit between 1 and 200" in await refused(client, f"execution://{eid}/outline?limit=0")
        assert "unknown execution_id" in await refused(client, "execution://exec_nope/outline")


async def test_outline_of_a_source_changed_since_load_source_is_refused(server, root):
    async with Client(server) as client:
        eid = payload(await client.call_tool("load_source", {"source_path": "012.txt"}))["execution_id"]
        assert (await read_json(client, f"execution://{eid}/outline"))["total"] == 2
        with open(root / "012.txt", "a", encoding="utf-8") as f:
            f.write("# Appended later\n")
        assert "source changed since load_source" in await refused(client, f"execution://{eid}/outline")
        assert "source changed since load_source" in await refused(client, f"execution://{eid}/outline/0")
        # A section read is of the file as it is now.
        assert (await read_json(client, f"source://012.txt?section={len(LINES) + 1}"))["heading_path"] == \
            ["Appended later"]


async def test_completions_offer_document_numbers_and_section_lines(server):
    async with Client(server) as client:
        eid = payload(await client.call_tool("load_source", {"source_path": "012.txt"}))["execution_id"]

        async def complete(uri: str, name: str, value: str, **known: str) -> list[str]:
            result = await client.complete(ResourceTemplateReference(uri=uri), {"name": name, "value": value},
                                           known or None)
            return result.completion.values

        document = "execution://{execution_id}/outline/{document}{?offset,limit}"
        assert await complete(document, "document", "", execution_id=eid) == ["0", "1"]
        assert await complete(document, "document", "") == []
        source = "source://{+path}{?start,end,section,offset}"
        assert await complete(source, "section", "", path="012.txt") == ["1", "4", "6", "8", "10", "11", "12", "14"]
        assert await complete(source, "section", "1", path="012.txt") == ["1", "10", "11", "12", "14"]
        assert await complete(source, "section", "", path="../etc/passwd") == []
        assert await complete("execution://{execution_id}/outline{?offset,limit}", "execution_id", "exec_") == [eid]


async def test_outline_and_sections_of_the_dev_corpus_fit_8_kb_pages(data_dir, dev_corpus):
    from training_data_miner.server.mcp_server import build_server
    from training_data_miner.server.orchestrator import Settings

    lines = dev_corpus.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff").split("\n")
    server = build_server(Settings(data_dir=data_dir), roots=[str(dev_corpus.parent)])
    async with Client(server) as client:
        loaded = payload(await client.call_tool("load_source", {"source_path": str(dev_corpus), "domain": "mps_scoring"}))
        eid = loaded["execution_id"]
        kept = [json.loads(line) for line in (data_dir / "executions" / eid / "outline.jsonl").read_text().splitlines()]
        docs, uri = [], f"execution://{eid}/outline"
        while uri:
            page = await read_json(client, uri)
            docs += page["items"]
            uri = page["next_uri"]
        assert [(d["document"], d["start"], d["end"], d["sections"]) for d in docs] == \
            [(k["document"], k["start"], k["end"], len(k["sections"])) for k in kept]
        biggest = max(kept, key=lambda k: len(k["sections"]))
        sections, uri = [], f"execution://{eid}/outline/{biggest['document']}"
        while uri:
            page = await read_json(client, uri)
            sections += page["items"]
            uri = page["next_uri"]
        assert sections == biggest["sections"] and len(sections) > 100
        # Walk the biggest document section by section: every line once, in order, 8 KB a read.
        reads, uri = [], f"source://{dev_corpus}?section={biggest['start']}"
        while uri and (not reads or reads[-1]["document"]["document"] == biggest["document"]):
            reads.append(await read_json(client, uri))
            uri = reads[-1]["more_uri"] or reads[-1]["next_section_uri"]
        own = [r for r in reads if r["document"]["document"] == biggest["document"]]
        assert [n for r in own for n in range(r["start"], r["end"] + 1)] == \
            list(range(biggest["start"], biggest["end"] + 1))
        for r in own:
            for n, text in zip(range(r["start"], r["end"] + 1), r["lines"]):
                assert text == lines[n - 1].rstrip("\r") or n in r.get("clipped_lines", []), n


async def test_stdio_outline_and_section_reads(stdio_server, root):
    async with Client(stdio_server("--root", str(root))) as client:
        loaded = payload(await client.call_tool("load_source", {"source_path": str(root / "012.txt")}))
        outline = json.loads(await read(client, f"execution://{loaded['execution_id']}/outline"))
        roadmap = outline["items"][1]
        assert roadmap["top_sections"][0] == {"line": 11, "end": 316, "title": "Roadmap"}
        phase1 = json.loads(await read(client, f"source://{outline['source_path']}?section=12"))
        assert phase1["heading_path"] == ["Roadmap", "Phase 1"] and phase1["lines"] == ["## Phase 1", "- [x] parse"]
        nxt = json.loads(await read(client, phase1["next_section_uri"]))
        assert nxt["section"]["title"] == "Phase 2" and nxt["more_uri"].endswith(f"&offset={len(nxt['lines'])}")
        with pytest.raises(MCPError) as err:
            await client.read_resource(f"source://{outline['source_path']}?section=999")
        assert "the source has 316 lines" in err.value.error.message
