"""Confinement beyond source paths: every resource URI that names a file, and the output side."""

from __future__ import annotations

import pytest
from mcp import Client, MCPError

from conftest import SAMPLE

pytestmark = pytest.mark.anyio

ESCAPES = [
    "dataset://..%2F..%2Fetc/training_data",
    "dataset://../../etc/pattern_summary",
    "dataset://mps_scoring%2F..%2F..%2Fsecret/rejected_examples",
    "execution://..%2F..%2Fetc/state",
    "execution://../../etc/breadcrumbs",
    "execution://exec_x/matches/..%2F..%2Fsecret",
    "domains://..%2F..%2Fetc%2Fpasswd",
    "domains://../../../etc/passwd",
]


@pytest.mark.parametrize("uri", ESCAPES)
async def test_resource_uri_traversal_is_refused(tmp_path, uri):
    from training_data_miner.server.mcp_server import build_server
    from training_data_miner.server.orchestrator import Settings

    (tmp_path / "secret").write_text("SECRET\n")
    (tmp_path / "data").mkdir()
    server = build_server(Settings(data_dir=tmp_path / "data"), roots=[str(tmp_path / "data")])
    async with Client(server) as client:
        with pytest.raises(MCPError) as err:
            await client.read_resource(uri)
    assert "SECRET" not in err.value.error.message
    assert "root:" not in err.value.error.message  # nothing of /etc/passwd


async def test_outputs_stay_in_the_data_directory_whatever_the_source_name(tmp_path):
    """A source named like a path still writes only under DATA_DIR (file names come from domains)."""
    from training_data_miner.server.mcp_server import build_server
    from training_data_miner.server.orchestrator import Settings

    root = tmp_path / "root"
    (root / "..evil..").mkdir(parents=True)
    src = root / "..evil.." / "012.txt"
    src.write_bytes(SAMPLE.read_bytes())
    data = tmp_path / "data"
    server = build_server(Settings(data_dir=data), roots=[str(root)])
    async with Client(server) as client:
        r = await client.call_tool("mine_domain", {"source_path": str(src), "domain": "mps_scoring"})
    assert not r.is_error
    written = {p for p in tmp_path.rglob("*") if p.is_file() and not p.is_relative_to(root)}
    assert written and all(p.is_relative_to(data) for p in written)
