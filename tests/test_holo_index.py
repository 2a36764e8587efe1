"""The holo_index forwarder against a real holo_index-compatible MCP server (tests/holo_server.py),
over stdio and streamable HTTP: forwarding, normalisation, one held session, reconnection after
the endpoint dies, the timeout, and each fault, which must raise HoloIndexError, never hang."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
import mcp  # noqa: F401 - imported up front, so that no timing below includes importing the SDK
import pytest

from conftest import _free_port, wait_for_port
from training_data_miner.server.holo_index import HoloConfig, HoloIndex, HoloIndexError, HoloIndexSync, normalise

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

HOLO_SERVER = Path(__file__).with_name("holo_server.py")
PY = sys.executable


def stdio(*args: str, timeout: float = 10, **kw: str) -> HoloConfig:
    return HoloConfig(command=" ".join([PY, str(HOLO_SERVER), *args]), timeout=timeout, **kw)


def pids(calls: Path) -> list[str]:
    return [line.split()[0] for line in calls.read_text().splitlines()]


class HttpHolo:
    """tests/holo_server.py --http on a free port; start() waits until the port answers."""

    def __init__(self, tmp: Path, *args: str):
        self.port, self.args, self.tmp = _free_port(), args, tmp
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        err = open(self.tmp / f"holo-http-{time.monotonic_ns()}.stderr", "wb")
        self.proc = subprocess.Popen([PY, str(HOLO_SERVER), "--http", str(self.port), *self.args],
                                     stdout=subprocess.DEVNULL, stderr=err)
        wait_for_port(self.proc, self.port, "holo server")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def http_holo(tmp_path: Path):
    servers: list[HttpHolo] = []

    def make(*args: str) -> HttpHolo:
        s = HttpHolo(tmp_path, *args)
        servers.append(s)
        s.start()
        return s

    yield make
    for s in servers:
        s.kill()


# The fixed answer of tests/holo_server.py, normalised: best first, missing fields tolerated, the
# entry that is not an object skipped, a WSP hit without a path named by its protocol.
FIXED_HITS = [
    {"path": "modules/wsp15/mps.py", "line": 12, "snippet": "def score_module(c, i, d, p):", "score": 0.91,
     "kind": "code"},
    {"path": "WSP_framework/src/WSP_15.md", "line": None, "snippet": "WSP 15 Module Prioritization Scoring (MPS)",
     "score": 0.87, "kind": "wsp"},
    {"path": "modules/roadmap/tracker.py", "line": None, "snippet": "", "score": 0.5, "kind": "code"},
    {"path": "WSP 22", "line": None, "snippet": "WSP 22: ModLog and roadmap", "score": 0.4, "kind": "wsp"},
    {"path": "", "line": None, "snippet": "", "score": 0.0, "kind": "code"},
]


# -- forwarding and normalisation -----------------------------------------------------------------

async def test_forwards_over_stdio_and_normalises_the_real_result_shape():
    async with HoloIndex(stdio()) as holo:
        hits = await holo.search("MPS scoring", limit=10)
    assert [h.model_dump() for h in hits] == FIXED_HITS


async def test_forwards_over_streamable_http_with_a_bearer_token(http_holo):
    server = http_holo()
    async with HoloIndex(HoloConfig(url=server.url, token="t0ken", timeout=10)) as holo:
        hits = await holo.search("MPS scoring", limit=2)
    assert [h.model_dump() for h in hits] == FIXED_HITS[:2]


async def test_hits_point_at_lines_of_the_searched_file(tmp_path):
    corpus = tmp_path / "012.txt"
    corpus.write_text("nothing here\nMPS score 16 for the cleanup task\nmore filler\n", encoding="utf-8")
    async with HoloIndex(stdio("--corpus", str(corpus))) as holo:
        hits = await holo.search("cleanup MPS score", limit=5)
    assert [(h.path, h.line, h.kind) for h in hits] == [(str(corpus), 2, "code")]


async def test_holds_one_session_for_its_lifetime(tmp_path):
    calls = tmp_path / "calls"
    async with HoloIndex(stdio("--calls", str(calls))) as holo:
        for q in ("a", "b", "c"):
            await holo.search(q)
        assert holo.connects == 1
    assert len(set(pids(calls))) == 1 and len(pids(calls)) == 3


async def test_concurrent_calls_share_the_session(tmp_path):
    calls = tmp_path / "calls"
    async with HoloIndex(stdio("--calls", str(calls))) as holo:
        async with anyio.create_task_group() as tg:
            for q in "abcdef":
                tg.start_soon(holo.search, q)
        assert holo.connects == 1
    assert len(set(pids(calls))) == 1 and len(pids(calls)) == 6


def test_the_sync_helper_runs_the_client_on_a_background_loop(tmp_path):
    calls = tmp_path / "calls"
    with HoloIndexSync(stdio("--calls", str(calls))) as holo:
        assert [h.kind for h in holo.search("x", 2)] == ["code", "wsp"]
        assert holo.search("y", 1)[0].path == "modules/wsp15/mps.py"
    assert len(set(pids(calls))) == 1


# -- reconnection -----------------------------------------------------------------------------------

async def test_reconnects_after_the_stdio_process_is_killed(tmp_path):
    calls = tmp_path / "calls"
    async with HoloIndex(stdio("--calls", str(calls))) as holo:
        await holo.search("before")
        first = pids(calls)[0]
        os.kill(int(first), signal.SIGKILL)
        await anyio.sleep(0.2)
        hits = await holo.search("after")
        assert hits and holo.connects == 2
    assert pids(calls)[-1] != first


async def test_an_endpoint_that_dies_mid_call_is_reconnected_and_the_call_retried(tmp_path):
    calls = tmp_path / "calls"
    async with HoloIndex(stdio("--die-after", "1", "--calls", str(calls))) as holo:
        await holo.search("one")
        hits = await holo.search("two")  # kills the first process; answered by a second one
        assert hits and holo.connects == 2
    assert len(set(pids(calls))) == 2


async def test_reconnects_after_the_http_endpoint_restarts(http_holo):
    server = http_holo()
    async with HoloIndex(HoloConfig(url=server.url, timeout=5)) as holo:
        await holo.search("before")
        server.kill()
        t0 = time.monotonic()
        with pytest.raises(HoloIndexError, match="could not be reached"):
            await holo.search("while down")
        assert time.monotonic() - t0 < 5
        server.start()
        assert await holo.search("after")
        assert holo.connects == 2


# -- faults: each raises HoloIndexError with what to do, within the timeout --------------------------

async def test_slower_than_the_timeout_raises_instead_of_hanging():
    async with HoloIndex(stdio("--slow", "20", timeout=1)) as holo:
        # the first call pays the start-up, under the connect timeout: this is the call's own 1 s
        with pytest.raises(HoloIndexError, match="answer semantic_code_search within 1s; raise HOLO_INDEX_TIMEOUT"):
            await holo.search("x")
        t0 = time.monotonic()  # timed from here, so the machine's load on start-up does not count
        with pytest.raises(HoloIndexError, match="within 1s"):
            await holo.search("y")
    assert time.monotonic() - t0 < 8  # 1 s + closing the stuck process (bounded by the timeout)


async def test_a_slow_start_is_given_the_connect_timeout_not_the_call_timeout():
    async with HoloIndex(stdio("--slow-start", "2", timeout=1)) as holo:
        assert await holo.search("x")


async def test_a_start_slower_than_the_connect_timeout_raises_and_says_which_timeout():
    async with HoloIndex(stdio("--slow-start", "30", timeout=10, connect_timeout=1)) as holo:
        with pytest.raises(HoloIndexError, match="handshake within 1s; .* raise HOLO_INDEX_CONNECT_TIMEOUT"):
            await holo.search("x")


async def test_slower_than_the_timeout_over_http(http_holo):
    server = http_holo("--slow", "20")
    async with HoloIndex(HoloConfig(url=server.url, timeout=1)) as holo:
        t0 = time.monotonic()
        with pytest.raises(HoloIndexError, match="within 1s"):
            await holo.search("x")
        assert time.monotonic() - t0 < 3


async def test_an_error_object_raises_with_its_message():
    async with HoloIndex(stdio("--error")) as holo:
        with pytest.raises(HoloIndexError, match="answered with an error: Vector database not initialized"):
            await holo.search("x")


@pytest.mark.parametrize("kind, message", [
    ("text", "text that is not JSON: <html>502 Bad Gateway</html>"),
    ("list", "not a search result"),
    ("shape", "code_results is not a list"),
])
async def test_garbage_raises(kind, message):
    async with HoloIndex(stdio("--garbage", kind)) as holo:
        with pytest.raises(HoloIndexError, match=message):
            await holo.search("x")


async def test_garbage_over_http(http_holo):
    server = http_holo("--garbage", "text")
    async with HoloIndex(HoloConfig(url=server.url, timeout=5)) as holo:
        with pytest.raises(HoloIndexError, match="not JSON"):
            await holo.search("x")


@pytest.mark.parametrize("command, message", [
    ("/nonexistent/holo_index_server", "could not be reached"),
    (f"{PY} -c 'import sys; sys.exit(1)'", "could not be reached"),
    (f"{PY} -c 'import time; time.sleep(60)'", "did not start or answer the handshake within 1s"),
])
async def test_an_endpoint_that_fails_to_start(command, message):
    t0 = time.monotonic()
    async with HoloIndex(HoloConfig(command=command, connect_timeout=1)) as holo:
        with pytest.raises(HoloIndexError, match=message):
            await holo.search("x")
    assert time.monotonic() - t0 < 8


async def test_a_url_nothing_listens_on():
    async with HoloIndex(HoloConfig(url=f"http://127.0.0.1:{_free_port()}/mcp", timeout=2)) as holo:
        with pytest.raises(HoloIndexError, match="could not be reached.*check HOLO_INDEX_COMMAND / HOLO_INDEX_URL"):
            await holo.search("x")


async def test_a_wrong_tool_name_lists_the_tools_the_endpoint_has():
    async with HoloIndex(stdio(tool="semantic_search")) as holo:
        with pytest.raises(HoloIndexError, match="set HOLO_INDEX_TOOL to one of semantic_code_search"):
            await holo.search("x")


# -- configuration ------------------------------------------------------------------------------------

def test_the_connect_timeout_defaults_to_30_s_or_the_call_timeout_if_longer():
    assert HoloConfig(command="holo", timeout=1).connect_seconds() == 30
    assert HoloConfig(command="holo", timeout=60).connect_seconds() == 60


def test_nothing_configured_means_no_endpoint():
    assert HoloConfig.from_env({}) is None
    assert HoloConfig.from_env({"HOLO_INDEX_TOOL": "x"}) is None


def test_configuration_from_the_environment():
    c = HoloConfig.from_env({"HOLO_INDEX_URL": "https://user:pw@holo.example/mcp?k=1", "HOLO_INDEX_TOKEN": "tok",
                             "HOLO_INDEX_HEADERS": "X-Team: wre; X-Trace: 1", "HOLO_INDEX_TIMEOUT": "2.5",
                             "HOLO_INDEX_CONNECT_TIMEOUT": "45"})
    assert c is not None
    c.check()
    assert c.seconds() == 2.5 and c.connect_seconds() == 45 and c.tool == "semantic_code_search"
    assert c.header_map() == {"X-Team": "wre", "X-Trace": "1", "Authorization": "Bearer tok"}
    assert c.describe() == "url https://holo.example/mcp"  # no credentials in logs or breadcrumbs
    assert HoloConfig(url="http://h/mcp", headers='{"Authorization": "Basic x"}', token="t").header_map() == {
        "Authorization": "Basic x"}


@pytest.mark.parametrize("config, message", [
    ({"command": "holo", "url": "http://h/mcp"}, "set one of them"),
    ({}, "set HOLO_INDEX_COMMAND"),
    ({"url": "holo.example/mcp"}, "must be an http:// or https:// URL"),
    ({"command": "holo 'unclosed"}, "check its quotes"),
    ({"command": "holo", "timeout": "soon"}, "HOLO_INDEX_TIMEOUT must be a positive number of seconds"),
    ({"command": "holo", "timeout": 0}, "positive number"),
    ({"command": "holo", "connect_timeout": "-1"}, "HOLO_INDEX_CONNECT_TIMEOUT must be a positive number"),
    ({"url": "http://h/mcp", "headers": "{not json"}, "not valid JSON"),
    ({"url": "http://h/mcp", "headers": "X-Team wre"}, "not a 'Name: value' pair"),
    ({"command": "holo", "tool": " "}, "HOLO_INDEX_TOOL is empty"),
])
def test_a_misconfiguration_says_what_to_fix(config, message):
    with pytest.raises(HoloIndexError, match=message):
        HoloConfig(**config).check()


def test_normalise_tolerates_missing_fields_and_unwraps_a_result_wrapper():
    hits = normalise({"result": {"code_results": [{"path": "a.py", "line": "7", "relevance": "nan"}, {}],
                                 "wsp_results": None}})
    assert [h.model_dump() for h in hits] == [
        {"path": "a.py", "line": 7, "snippet": "", "score": 0.0, "kind": "code"},
        {"path": "", "line": None, "snippet": "", "score": 0.0, "kind": "code"}]
    assert normalise({"code_results": [], "wsp_results": []}) == []


@pytest.mark.parametrize("payload, message", [
    ({"error": "boom", "code_results": [], "wsp_results": []}, "answered with an error: boom"),
    ({"total_results": 0}, "without code_results or wsp_results"),
    ("oops", "not a search result"),
    ({"code_results": {"a": 1}}, "code_results is not a list"),
])
def test_normalise_rejects_what_is_not_a_result(payload, message):
    with pytest.raises(HoloIndexError, match=message):
        normalise(payload)
