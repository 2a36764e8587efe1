"""The streamable HTTP transport's guards, against a real `serve --http` process on loopback."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request

import pytest
from mcp import Client

from conftest import REPO, _free_port, serve_command, wait_for_port

pytestmark = pytest.mark.anyio
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "raw", "version": "0"}}}


@pytest.fixture
def guarded_server(data_dir, tmp_path):
    port = _free_port()
    err = open(tmp_path / "http.stderr", "wb")
    proc = subprocess.Popen(serve_command(data_dir, "--http", "--port", str(port), "--auth-token", "s3cret",
                                          "--max-request-bytes", "65536"),
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
    wait_for_port(proc, port, "server", tmp_path / "http.stderr")
    yield f"http://127.0.0.1:{port}/mcp"
    proc.terminate()
    proc.wait(10)
    err.close()


def post(url: str, body: bytes, **headers: str) -> tuple[int, str]:
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream", **headers})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_non_loopback_bind_is_refused_without_allow_remote(data_dir):
    r = subprocess.run(serve_command(data_dir, "--http", "--host", "0.0.0.0", "--port", str(_free_port())),
                       cwd=REPO, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert "refusing to listen on 0.0.0.0" in r.stderr and "--allow-remote" in r.stderr
    assert r.stdout == ""


def test_request_without_bearer_token_gets_401(guarded_server):
    status, body = post(guarded_server, json.dumps(INIT).encode())
    assert status == 401 and "Authorization: Bearer" in json.loads(body)["error"]
    status, _ = post(guarded_server, json.dumps(INIT).encode(), Authorization="Bearer wrong")
    assert status == 401
    status, _ = post(guarded_server, json.dumps(INIT).encode(), Authorization="Bearer s3cret")
    assert status == 200


async def test_sdk_client_with_the_token_works(guarded_server):
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    http = create_mcp_http_client(headers={"Authorization": "Bearer s3cret"})
    async with Client(streamable_http_client(guarded_server, http_client=http)) as client:
        tools = (await client.list_tools()).tools
    assert "mine_domain" in [t.name for t in tools]


def test_dns_rebinding_host_and_origin_are_refused(guarded_server):
    auth = {"Authorization": "Bearer s3cret"}
    status, _ = post(guarded_server, json.dumps(INIT).encode(), Host="evil.example:80", **auth)
    assert status in (400, 403, 421)
    status, _ = post(guarded_server, json.dumps(INIT).encode(), Origin="http://evil.example", **auth)
    assert status in (400, 403)
    status, _ = post(guarded_server, json.dumps(INIT).encode(), Origin="http://localhost:1234", **auth)
    assert status == 200


def test_oversized_request_body_gets_413(guarded_server):
    big = json.dumps({**INIT, "params": {**INIT["params"], "pad": "x" * 200_000}}).encode()
    status, body = post(guarded_server, big, Authorization="Bearer s3cret")
    assert status == 413 and "over the limit of 65536" in body
