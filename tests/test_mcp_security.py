"""Every guard on what a caller may read, tested by the attack it stops. The server's only root is
`root/`; `outside/secret.txt` holds a secret that must never reach a client."""

from __future__ import annotations

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
