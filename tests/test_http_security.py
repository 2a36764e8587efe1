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


# -- issue 17: hardening gaps and session exhaustion -------------------------------------------------

def test_chunked_body_over_the_limit_gets_413(guarded_server):
    # No Content-Length: the guard reads the body up to the limit and answers 413 there (it used to
    # hand the app a disconnect, and the client got 500 and the log a traceback).
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(guarded_server)

    def chunked(body: bytes, pieces: int) -> tuple[int, str]:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        step = -(-len(body) // pieces)
        conn.request("POST", url.path, body=(body[i : i + step] for i in range(0, len(body), step)),
                     headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                              "Authorization": "Bearer s3cret"}, encode_chunked=True)
        r = conn.getresponse()
        try:
            return r.status, r.read().decode()
        finally:
            conn.close()

    big = json.dumps({**INIT, "params": {**INIT["params"], "pad": "x" * 200_000}}).encode()
    status, body = chunked(big, 50)
    assert status == 413 and "over the limit of 65536" in json.loads(body)["error"], (status, body)
    status, body = chunked(json.dumps(INIT).encode(), 3)  # under the limit, chunked: served whole
    assert status == 200 and '"protocolVersion"' in body


def test_lowercase_bearer_scheme_is_accepted(guarded_server):
    # RFC 7235: the auth scheme is case-insensitive; the token itself is not.
    body = json.dumps(INIT).encode()
    for header in ("bearer s3cret", "BEARER s3cret", "Bearer  s3cret "):
        assert post(guarded_server, body, Authorization=header)[0] == 200, header
    for header in ("bearer S3CRET", "Basic s3cret", "s3cret", "bearer", "Bearers3cret"):
        assert post(guarded_server, body, Authorization=header)[0] == 401, header


def test_websocket_handshake_without_token_gets_401(guarded_server):
    # The guard used to pass every non-HTTP scope to the app without a token check.
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    ws_url = guarded_server.replace("http://", "ws://")
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url, open_timeout=30)
    assert refused.value.response.status_code == 401
    assert b"Authorization: Bearer" in refused.value.response.body
    # With the token the handshake reaches the app, which serves no WebSocket: not a 401.
    with pytest.raises(InvalidStatus) as passed:
        connect(ws_url, open_timeout=30, additional_headers={"Authorization": "bearer s3cret"})
    assert passed.value.response.status_code == 403
    # Lifespan events pass the guard: the session manager started, and HTTP is served.
    assert post(guarded_server, json.dumps(INIT).encode(), Authorization="Bearer s3cret")[0] == 200


def serve_http(data_dir, tmp_path, *args: str):
    """`serve --http` on a free loopback port with `args`; returns (url, process, stderr path)."""
    port = _free_port()
    err = tmp_path / f"http-{port}.stderr"
    with open(err, "wb") as f:
        proc = subprocess.Popen(serve_command(data_dir, "--http", "--port", str(port), *args),
                                cwd=REPO, stdout=subprocess.DEVNULL, stderr=f)
    wait_for_port(proc, port, "server", err)
    return f"http://127.0.0.1:{port}/mcp", proc, err


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_allow_remote_without_token_warns_on_stderr(data_dir, tmp_path):
    # Bound to loopback all the same: the test never listens beyond this machine.
    url, proc, err = serve_http(data_dir, tmp_path, "--host", "127.0.0.1", "--allow-remote")
    try:
        assert post(url, json.dumps(INIT).encode())[0] == 200
    finally:
        stop(proc)
    assert "--allow-remote without --auth-token" in err.read_text()
    url, proc, err = serve_http(data_dir, tmp_path, "--host", "127.0.0.1", "--allow-remote", "--auth-token", "t")
    try:
        assert post(url, json.dumps(INIT).encode(), Authorization="Bearer t")[0] == 200
    finally:
        stop(proc)
    assert "--allow-remote without --auth-token" not in err.read_text()


def open_session(url: str, source: str = "127.0.0.1") -> str:
    """A new session by a raw `initialize` POST from the loopback address `source`; its id."""
    import http.client
    from urllib.parse import urlsplit

    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30, source_address=(source, 0))
    try:
        conn.request("POST", u.path, body=json.dumps(INIT), headers={
            "Content-Type": "application/json", "Accept": "application/json, text/event-stream"})
        r = conn.getresponse()
        r.read()
        assert r.status == 200, (source, r.status, r.read().decode())
        return r.getheader("mcp-session-id")
    finally:
        conn.close()


def alive(url: str, sid: str) -> bool:
    """Whether the session still answers (a ping in it gets 200, not 404)."""
    ping = json.dumps({"jsonrpc": "2.0", "id": 2, "method": "ping"}).encode()
    status, _ = post(url, ping, **{"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-06-18"})
    assert status in (200, 404), status
    return status == 200


def listen(url: str, sid: str, source: str = "127.0.0.1"):
    """Open the session's GET stream (as a connected client keeps it open); the open connection."""
    import http.client
    from urllib.parse import urlsplit

    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30, source_address=(source, 0))
    conn.request("GET", u.path, headers={"Accept": "text/event-stream", "Mcp-Session-Id": sid,
                                         "Mcp-Protocol-Version": "2025-06-18"})
    assert conn.getresponse().status == 200
    return conn


async def test_initialize_flood_replaces_only_its_own_idle_sessions(data_dir, tmp_path):
    # 10,000 initialize POSTs used to fill the SDK's 10,000 sessions for its 30-minute idle
    # timeout: every new client got 503. Now an address keeps its newest idle sessions, the
    # others' are left alone, and a connected client (its GET stream open) is never the one ended.
    from mcp.client.streamable_http import streamable_http_client

    url, proc, _ = serve_http(data_dir, tmp_path, "--max-sessions-per-client", "4", "--max-sessions", "10")
    streams = []
    try:
        connected = open_session(url, "127.0.0.2")
        streams.append(listen(url, connected, "127.0.0.2"))
        others = [open_session(url, "127.0.0.3") for _ in range(2)]
        flood = [open_session(url, "127.0.0.2") for _ in range(30)]  # none refused
        assert [alive(url, sid) for sid in flood] == [False] * 27 + [True] * 3
        assert alive(url, connected) and all(alive(url, sid) for sid in others)
        async with Client(streamable_http_client(url)) as client:  # a new client gets in
            assert "mine_domain" in [t.name for t in (await client.list_tools()).tools]
        # At the total (1 + 3 + 2 + 4 = 10), one more ends the session idle the longest, of any
        # address: the flood's oldest survivor (its last request was the first ping above).
        more = [open_session(url, "127.0.0.4") for _ in range(4)]
        newest = open_session(url, "127.0.0.5")
        assert not alive(url, flood[-3])
        assert all(alive(url, sid) for sid in [newest, connected, *more, *others, *flood[-2:]])
        # An address whose sessions are all busy gets 503 with the reason, and nothing is ended.
        busy = [open_session(url, "127.0.0.6") for _ in range(4)]
        streams += [listen(url, sid, "127.0.0.6") for sid in busy]
        with pytest.raises(AssertionError, match="503"):
            open_session(url, "127.0.0.6")
        assert all(alive(url, sid) for sid in busy)
    finally:
        for conn in streams:
            conn.close()
        stop(proc)


def test_idle_sessions_end_after_the_idle_timeout(data_dir, tmp_path):
    import time

    url, proc, _ = serve_http(data_dir, tmp_path, "--session-idle-timeout", "1")
    try:
        sid, kept = open_session(url), open_session(url)
        stream = listen(url, kept)  # a request in flight: not idle
        # Each check is a request, which makes the session busy again: wait longer each time (a
        # loaded machine may be late to end it), but never less than the timeout between checks.
        for wait in (3, 6, 12, 24):
            time.sleep(wait)
            if not alive(url, sid):
                break
        else:
            pytest.fail("the idle session was still open 45 s after a 1 s idle timeout")
        assert alive(url, kept)
        stream.close()
    finally:
        stop(proc)
