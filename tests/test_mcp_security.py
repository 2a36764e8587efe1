"""Every guard on what a caller may read, tested by the attack it stops. The server's only root is
`root/`; `outside/secret.txt` holds a secret that must never reach a client."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from mcp import Client, MCPError

from conftest import SAMPLE, error, payload

pytestmark = pytest.mark.anyio

SECRET = "MPS Score: 16 SECRET-TOKEN-7f3a"


@pytest.fixture
def jail(tmp_path: Path) -> Path:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (root / "ok.txt").write_bytes(b"\n".join(SAMPLE.read_bytes().splitlines()[:300]) + b"\n")
    os.symlink(outside / "secret.txt", root / "link.txt")
    os.symlink(outside, root / "linkdir")
    os.symlink(root / "ok.txt", root / "inside_link.txt")
    return root


@pytest.fixture
def jailed_server(jail: Path):
    from training_data_miner.server.mcp_server import build_server
    from training_data_miner.server.orchestrator import Settings

    return build_server(Settings(data_dir=jail / "data"), roots=[str(jail)])


async def refused_everywhere(client: Client, path: str, why: str) -> None:
    """The path is refused by both tools that take a source and by the source resource, and the
    secret appears in none of the answers."""
    for tool in ("load_source", "mine_domain"):
        text = error(await client.call_tool(tool, {"source_path": path, "domain": "mps_scoring"}))
        assert why in text, text
        assert "SECRET" not in text
    with pytest.raises(MCPError) as err:
        await client.read_resource(f"source://{path}")
    assert why in err.value.error.message and "SECRET" not in err.value.error.message


async def test_relative_traversal_is_refused(jailed_server):
    async with Client(jailed_server) as client:
        for path in ("../outside/secret.txt", "sub/../../outside/secret.txt", "sub/../ok.txt"):
            await refused_everywhere(client, path, "'..' is not allowed in a source path")


async def test_relative_traversal_percent_encoded_in_a_resource_uri_is_refused(jailed_server):
    async with Client(jailed_server) as client:
        for uri in ("source://%2E%2E/outside/secret.txt", "source://sub%2F..%2F..%2Foutside%2Fsecret.txt"):
            with pytest.raises(MCPError) as err:
                await client.read_resource(uri)
            assert "SECRET" not in err.value.error.message


async def test_absolute_path_outside_roots_is_refused(jailed_server, jail):
    async with Client(jailed_server) as client:
        for path in (str(jail.parent / "outside" / "secret.txt"), "/etc/passwd", str(SAMPLE)):
            await refused_everywhere(client, path, "absolute path outside the allowed roots")


async def test_symlink_escape_is_refused(jailed_server, jail):
    async with Client(jailed_server) as client:
        for path in ("link.txt", "linkdir/secret.txt", str(jail / "link.txt"), str(jail / "linkdir" / "secret.txt")):
            await refused_everywhere(client, path, "symlink, or inside one, that leads outside the allowed roots")


async def test_oversized_arguments_are_refused(jailed_server):
    long_path = "a/" * 3000 + "ok.txt"
    async with Client(jailed_server) as client:
        eid = payload(await client.call_tool("load_source", {"source_path": "ok.txt"}))["execution_id"]
        cases = [
            ("load_source", {"source_path": long_path}, "at most 4096 characters"),
            ("mine_domain", {"source_path": long_path}, "at most 4096 characters"),
            ("load_source", {"source_path": "ok.txt", "domain": "x" * 10_000}, "at most 64 characters"),
            ("load_source", {"source_path": "ok.txt", "pattern_regex": "a" * 10_000}, "at most 500 characters"),
            ("extract_examples", {"execution_id": "e" * 10_000, "domain": "mps_scoring"}, "of 1 to 128 characters"),
            ("filter_quality", {"execution_id": eid, "domain": "mps_scoring" * 1000}, "at most 64 characters"),
        ]
        for tool, args, why in cases:
            text = error(await client.call_tool(tool, args))
            assert why in text and len(text) < 1000, (tool, text[:200])
        with pytest.raises(MCPError) as err:
            await client.read_resource(f"source://{long_path}")
        assert "more than 4096" in err.value.error.message


async def test_execution_id_traversal_is_refused(jailed_server, jail):
    (jail.parent / "outside" / "state.json").write_text('{"execution_id": "x"}')
    async with Client(jailed_server) as client:
        text = error(await client.call_tool("extract_examples", {"execution_id": "../../outside", "domain": "mps_scoring"}))
        assert 'execution_id (the execution_id that load_source returned): expected a string of 1 to 128 characters matching ^[A-Za-z0-9_.-]+$; got "../../outside".' in text
        text = error(await client.call_tool("extract_examples", {"execution_id": "..", "domain": "mps_scoring"}))
        assert "invalid execution_id '..'" in text
        for uri in ("execution://..%2F..%2F..%2Foutside/state", "execution://../state", "dataset://..%2Fsecret/training_data"):
            with pytest.raises(MCPError):
                await client.read_resource(uri)


async def test_files_inside_the_root_are_served(jailed_server, jail):
    async with Client(jailed_server) as client:
        for path in ("ok.txt", str(jail / "ok.txt"), "inside_link.txt"):
            loaded = payload(await client.call_tool("load_source", {"source_path": path}))
            assert loaded["source_path"] == str(jail / "ok.txt") and loaded["total_lines"] == 300
        assert (await client.read_resource("source://ok.txt?start=1&end=1")).contents[0].text


def test_working_directory_slash_is_not_an_implicit_root(tmp_path, monkeypatch):
    from training_data_miner.server.roots import allowed_roots

    monkeypatch.chdir("/")
    assert allowed_roots(tmp_path) == [tmp_path.resolve()]
    monkeypatch.chdir(tmp_path)
    assert allowed_roots(tmp_path / "data") == [(tmp_path / "data").resolve(), tmp_path.resolve()]


# -- issue 17: a FIFO, blank path errors, executions as a way out of the roots ---------------------

async def test_symlink_refusal_does_not_name_the_outside_target(jailed_server, jail):
    outside = str(jail.parent / "outside")
    async with Client(jailed_server) as client:
        for path in ("link.txt", "linkdir/secret.txt"):
            text = error(await client.call_tool("load_source", {"source_path": path}))
            assert "leads outside the allowed roots" in text and outside not in text, text
            with pytest.raises(MCPError) as err:
                await client.read_resource(f"source://{path}")
            assert outside not in err.value.error.message


def release(fifo: Path) -> None:
    """Unblock whatever waits to read the FIFO (a reader's open waits for a writer)."""
    for _ in range(100):
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:  # no reader waiting
            return


async def test_fifo_inside_a_root_does_not_hang_source_reads_or_load_source(jailed_server, jail):
    # 45 reads of a FIFO used to block every worker thread (open() waits for a writer), and then
    # load_source, waiting for a thread, hung with them.
    import anyio

    fifo = jail / "fifo.txt"
    os.mkfifo(fifo)
    answers: list[str] = []
    try:
        async with Client(jailed_server) as client:
            async def read(uri: str) -> None:
                with pytest.raises(MCPError) as err:
                    await client.read_resource(uri)
                answers.append(err.value.error.message)

            with anyio.fail_after(60):  # a hang's bound, not a speed goal: each answer takes milliseconds
                async with anyio.create_task_group() as tg:
                    for i in range(45):
                        tg.start_soon(read, "source://fifo.txt" + ("?section=1" if i % 3 == 0 else ""))
                loaded = payload(await client.call_tool("load_source", {"source_path": "ok.txt"}))
                text = error(await client.call_tool("load_source", {"source_path": "fifo.txt"}))
    finally:
        release(fifo)
    assert len(answers) == 45 and all("not a regular file (FIFO, socket or device)" in a for a in answers), answers[:2]
    assert loaded["total_lines"] == 300 and "not a regular file" in text


async def test_path_component_over_255_bytes_gets_a_clear_error(jailed_server):
    async with Client(jailed_server) as client:
        for path in ("a" * 256 + ".txt", "sub/" + "é" * 128 + ".txt"):
            for tool in ("load_source", "mine_domain"):
                text = error(await client.call_tool(tool, {"source_path": path}))
                assert "more than the 255 a file name can have" in text, text
            with pytest.raises(MCPError) as err:
                await client.read_resource(f"source://{path}")
            assert err.value.error.code == -32602 and "more than the 255" in err.value.error.message
        # Every component within the limit, the whole too long once joined to the root.
        path = ("d" * 250 + "/") * 16 + "x" * 74  # 4,090 characters
        text = error(await client.call_tool("load_source", {"source_path": path}))
        assert "too long for the file system" in text, text


async def test_symlink_loop_gets_a_clear_error(jailed_server, jail):
    os.symlink(jail / "loop.txt", jail / "loop.txt")
    os.symlink(jail / "ping.txt", jail / "pong.txt")
    os.symlink(jail / "pong.txt", jail / "ping.txt")
    async with Client(jailed_server) as client:
        for path in ("loop.txt", "ping.txt", str(jail / "pong.txt")):
            for tool in ("load_source", "mine_domain"):
                text = error(await client.call_tool(tool, {"source_path": path}))
                assert "is a symlink loop" in text, text
            with pytest.raises(MCPError) as err:
                await client.read_resource(f"source://{path}")
            assert err.value.error.code == -32602 and "is a symlink loop" in err.value.error.message


OUTSIDE_LOG = "\n".join([
    "# Outside ModLog",
    "## Scoring the deploy key rotation",
    "MPS Score: 16 (C:4, I:4, D:4, P:4) SECRET-TOKEN-7f3a",
    "API_KEY=sk-live-SECRET-0042",
    "- [x] rotate the keys because the old ones leaked",
]) + "\n"


async def assert_execution_hidden(client: Client, eid: str) -> None:
    """Nothing of the execution reaches the client: not listed, not offered, every read refused."""
    listed = json.loads((await client.read_resource("executions://recent")).contents[0].text)
    assert eid not in json.dumps(listed) and "SECRET" not in json.dumps(listed)
    for uri in (f"execution://{eid}/state", f"execution://{eid}/breadcrumbs", f"execution://{eid}/outline",
                f"execution://{eid}/outline/0", f"execution://{eid}/matches/mps_scoring",
                f"execution://{eid}/examples/mps_scoring"):
        with pytest.raises(MCPError) as err:
            await client.read_resource(uri)
        assert "outside the allowed roots" in err.value.error.message, (uri, err.value.error.message)
        assert "SECRET" not in err.value.error.message and "outside/" not in err.value.error.message
    for tool in ("identify_domain_patterns", "extract_examples", "filter_quality", "write_training_dataset"):
        text = error(await client.call_tool(tool, {"execution_id": eid, "domain": "mps_scoring"}))
        assert "outside the allowed roots" in text and "SECRET" not in text, (tool, text)
    text = error(await client.call_tool("semantic_search", {"query": "deploy key", "execution_id": eid}))
    assert "outside the allowed roots" in text and "SECRET" not in text
    found = await client.call_tool("semantic_search", {"query": "deploy key rotation API key"})
    assert "SECRET" not in found.content[0].text
    from mcp_types import ResourceTemplateReference

    offered = await client.complete(ResourceTemplateReference(uri="execution://{execution_id}/state"),
                                    {"name": "execution_id", "value": ""})
    assert eid not in offered.completion.values


async def test_cli_mine_of_a_file_outside_the_roots_is_invisible_over_mcp(jailed_server, jail):
    # The CLI may mine any file into the data folder; the MCP server, confined to its roots, must
    # not then show that file: not its path, its matches, its context lines or its semantic hits.
    import subprocess
    import sys

    from conftest import REPO

    secret = jail.parent / "outside" / "log.txt"
    secret.write_text(OUTSIDE_LOG, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "training_data_miner.server", "mine", str(secret), "--domain", "mps_scoring",
                    "--data-dir", str(jail / "data"), "--quiet"], cwd=REPO, check=True, timeout=120)
    [eid] = [p.name for p in (jail / "data" / "executions").iterdir()]
    assert (jail / "data" / "executions" / eid / "mps_scoring.matches.jsonl").stat().st_size > 0
    async with Client(jailed_server) as client:
        await assert_execution_hidden(client, eid)
        # An execution inside the roots is still listed beside it.
        mine = payload(await client.call_tool("load_source", {"source_path": "ok.txt"}))["execution_id"]
        listed = json.loads((await client.read_resource("executions://recent")).contents[0].text)
        assert [e["execution_id"] for e in listed["items"]] == [mine] and listed["items"][0]["source"] == "ok"


async def test_folder_swapped_for_a_symlink_after_load_source_is_not_read(jailed_server, jail):
    # load_source checks the path once; the later steps and semantic_search read the recorded path
    # again, which a swapped folder now leads out of the roots.
    (jail / "logs").mkdir()
    (jail / "logs" / "012.txt").write_bytes((jail / "ok.txt").read_bytes())
    (jail.parent / "outside" / "logs").mkdir()
    (jail.parent / "outside" / "logs" / "012.txt").write_text(OUTSIDE_LOG, encoding="utf-8")
    async with Client(jailed_server) as client:
        eid = payload(await client.call_tool("load_source", {"source_path": "logs/012.txt",
                                                              "domain": "mps_scoring"}))["execution_id"]
        (jail / "logs").rename(jail / "logs.old")
        os.symlink(jail.parent / "outside" / "logs", jail / "logs")
        await assert_execution_hidden(client, eid)


async def test_source_changed_after_load_source_is_refused_by_identify_and_semantic_search(jailed_server, jail):
    async with Client(jailed_server) as client:
        eid = payload(await client.call_tool("load_source", {"source_path": "ok.txt",
                                                              "domain": "mps_scoring"}))["execution_id"]
        with open(jail / "ok.txt", "a", encoding="utf-8") as f:
            f.write(OUTSIDE_LOG)
        text = error(await client.call_tool("identify_domain_patterns", {"execution_id": eid, "domain": "mps_scoring"}))
        assert "source changed since load_source" in text
        text = error(await client.call_tool("semantic_search", {"query": "deploy key", "execution_id": eid}))
        assert "source changed since load_source" in text
        listed = json.loads((await client.read_resource("executions://recent")).contents[0].text)
        assert listed["items"][0]["execution_id"] == eid and listed["items"][0]["source"] == "changed"
